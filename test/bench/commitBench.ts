/**
 * Part 3: the staged-change summary (`computeStagedChange` from src/governance/stagedContribution.ts, then
 * `summarizeChange`) on generated temporary git repositories with 1, 100 and 1,000 changed files.
 * Wall time is split into git time (while at least one git process started by the code under test
 * is running: spawning it, waiting for it, reading its output) and our own time (the rest).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { summarizeChange } from '../../src/core/contribution/contribution';
import { AiRange } from '../../src/core/contribution/mapRanges';
import { Origin } from '../../src/core/provenance/origin';
import { DEFAULT_POLICY } from '../../src/core/policy/policy';
import { computeStagedChange } from '../../src/governance/stagedContribution';
import { makeText } from './session';
import { Rng, median, nowNs } from './stats';


// ---- git time: every git process the code under test starts (execFile or spawn) is bracketed,
// from the call that starts it to the callback that gets its output (execFile) or to its 'close'
// event (spawn, whose output is read as it arrives). Git time is the union of those intervals.
let active = 0;
let busySince = 0n;
let busyNs = 0n;
let processes = 0;
/** Each git process of the last timed summary: how it was started, and when it ran. */
let recorded: RecordedProcess[] = [];

interface RecordedProcess {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv | undefined;
  input?: string | Buffer;
  readonly startNs: bigint;
  endNs: bigint;
}
// The module object itself (a namespace import would be a copy): git.ts reads `execFile` and
// `spawn` from it at each call, so replacing the properties here brackets every git process.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const childProcess = require('child_process') as typeof import('child_process');
const cp = childProcess as unknown as { execFile: (...args: unknown[]) => unknown; spawn: (...args: unknown[]) => { once: (e: string, f: () => void) => void } };
const originalExecFile = cp.execFile;
const originalSpawn = cp.spawn;
function started(args: unknown[]): RecordedProcess {
  processes++;
  const now = nowNs();
  if (active++ === 0) busySince = now;
  const options = (args.find((a) => a !== null && typeof a === 'object' && !Array.isArray(a)) ?? {}) as { cwd?: string; env?: NodeJS.ProcessEnv };
  const r: RecordedProcess = { file: String(args[0]), args: [...(args[1] as string[])], cwd: options.cwd ?? process.cwd(), env: options.env, startNs: now, endNs: now };
  recorded.push(r);
  return r;
}
function ended(r: RecordedProcess): void {
  r.endNs = nowNs();
  if (--active === 0) busyNs += r.endNs - busySince;
}
/** Records what the code under test writes to a git process's stdin. */
function recordInput(child: { stdin?: { end: (input?: unknown) => void } | null }, r: RecordedProcess): void {
  const stdin = child.stdin;
  if (!stdin) return;
  const end = stdin.end.bind(stdin);
  stdin.end = (input?: unknown) => {
    if (typeof input === 'string' || Buffer.isBuffer(input)) r.input = input;
    end(input);
  };
}
function instrument(on: boolean): void {
  if (!on) {
    cp.execFile = originalExecFile;
    cp.spawn = originalSpawn;
    return;
  }
  cp.execFile = function (this: unknown, ...args: unknown[]) {
    const r = started(args);
    const i = args.findIndex((a) => typeof a === 'function');
    if (i >= 0) {
      const cb = args[i] as (...x: unknown[]) => unknown;
      args[i] = function (this: unknown, ...x: unknown[]) {
        ended(r);
        return cb.apply(this, x);
      };
    }
    const child = originalExecFile.apply(this, args) as { stdin?: { end: (input?: unknown) => void } };
    recordInput(child, r);
    return child;
  };
  cp.spawn = function (this: unknown, ...args: unknown[]) {
    const r = started(args);
    const child = originalSpawn.apply(this, args) as ReturnType<typeof originalSpawn> & { stdin?: { end: (input?: unknown) => void } };
    recordInput(child, r);
    child.once('close', () => ended(r));
    return child;
  };
}

function git(cwd: string, ...args: string[]): string {
  return childProcess.execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

const AI_ORIGIN: Origin = { kind: 'inline', tool: 'github.copilot', model: 'gpt-4o', requestId: 'bench', timestamp: 1_700_000_000_000 };

export interface GeneratedRepo {
  readonly root: string;
  readonly ranges: Map<string, AiRange[]>;
  readonly linesPerFile: number;
  readonly aiRangesPerFile: number;
}

/**
 * A repository whose HEAD has `files` source files of ~200 lines, and whose index changes every
 * one of them: some lines edited, a block of new lines added, part of it AI-produced (its ranges
 * are what `rangesFor` returns).
 */
export function makeRepo(files: number, seed: number): GeneratedRepo {
  const rng = new Rng(seed);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aiprov-bench-repo-'));
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.email', 'bench@example.invalid');
  git(root, 'config', 'user.name', 'Bench');
  git(root, 'config', 'commit.gpgsign', 'false');
  const line = (): string => `  const v${rng.int(0, 9999)} = compute(${rng.int(0, 99)}, "${makeText(rng, rng.int(5, 40)).replace(/["\n\\]/g, '_')}");`;
  const linesPerFile = 200;
  const bases: string[][] = [];
  for (let f = 0; f < files; f++) {
    const dir = path.join(root, 'src', `m${Math.floor(f / 100)}`);
    fs.mkdirSync(dir, { recursive: true });
    const lines = Array.from({ length: linesPerFile }, line);
    bases.push(lines);
    fs.writeFileSync(path.join(dir, `file${f}.ts`), lines.join('\n') + '\n');
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'base');
  const ranges = new Map<string, AiRange[]>();
  const aiRangesPerFile = 4;
  for (let f = 0; f < files; f++) {
    const rel = `src/m${Math.floor(f / 100)}/file${f}.ts`;
    const lines = [...bases[f]];
    for (let k = 0; k < 10; k++) lines[rng.int(0, lines.length - 1)] = line();
    // Four AI blocks of 3..12 lines, with human lines around them.
    const fileRanges: AiRange[] = [];
    const blocks: { at: number; text: string }[] = [];
    for (let k = 0; k < aiRangesPerFile; k++) {
      const text = Array.from({ length: rng.int(3, 12) }, line).join('\n') + '\n';
      blocks.push({ at: rng.int(0, lines.length), text });
    }
    blocks.sort((a, b) => b.at - a.at);
    const ai = new Set<number>();
    for (const b of blocks) {
      const blockLines = b.text.slice(0, -1).split('\n');
      lines.splice(b.at, 0, ...blockLines);
      // Shift earlier-recorded AI line indexes below the insertion.
      const shifted = [...ai].map((i) => (i >= b.at ? i + blockLines.length : i));
      ai.clear();
      for (const i of shifted) ai.add(i);
      for (let i = 0; i < blockLines.length; i++) ai.add(b.at + i);
    }
    const text = lines.join('\n') + '\n';
    let offset = 0;
    let start = -1;
    for (let i = 0; i <= lines.length; i++) {
      const isAi = i < lines.length && ai.has(i);
      if (isAi && start < 0) start = offset;
      if (!isAi && start >= 0) {
        fileRanges.push({ start, end: offset, origin: AI_ORIGIN, text: text.slice(start, offset) });
        start = -1;
      }
      if (i < lines.length) offset += lines[i].length + 1;
    }
    fs.writeFileSync(path.join(root, rel), text);
    ranges.set(rel, fileRanges);
  }
  git(root, 'add', '-A');
  return { root, ranges, linesPerFile, aiRangesPerFile };
}

export interface SummaryTiming {
  readonly wallMs: number;
  readonly gitMs: number;
  readonly ownMs: number;
  readonly processes: number;
  readonly files: number;
  readonly aiLines: number;
  /** The same git processes run again alone (replayGitAlone); set by the probe. */
  readonly gitAloneMs?: number;
}

/** Writes the git processes of the last timed summary to `file` (for replayGitAlone in a fresh process). */
export function saveRecorded(file: string): void {
  const plain = recorded.map((r) => ({ ...r, startNs: String(r.startNs), endNs: String(r.endNs), input: r.input === undefined ? undefined : Buffer.from(r.input).toString('base64') }));
  fs.writeFileSync(file, JSON.stringify(plain));
}

/** Reads what {@link saveRecorded} wrote, as the processes {@link replayGitAlone} runs. */
export function loadRecorded(file: string): void {
  const plain = JSON.parse(fs.readFileSync(file, 'utf8')) as Array<Omit<RecordedProcess, 'startNs' | 'endNs' | 'input'> & { startNs: string; endNs: string; input?: string }>;
  recorded = plain.map((r) => ({ ...r, startNs: BigInt(r.startNs), endNs: BigInt(r.endNs), input: r.input === undefined ? undefined : Buffer.from(r.input, 'base64') }));
}

/**
 * Runs again, alone, the git processes of the last timed summary: the same commands, arguments
 * and input, those that ran side by side again side by side, their output read and dropped.
 * Returns the wall time: what git takes with nothing of ours around it, to compare with the git
 * time measured inside the summary (our work there may hold git up, or compete with it for the
 * cores).
 */
export async function replayGitAlone(): Promise<number> {
  const list = [...recorded].sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  // Groups of processes whose running times overlapped.
  const groups: RecordedProcess[][] = [];
  let groupEnd = -1n;
  for (const r of list) {
    if (groups.length && r.startNs < groupEnd) groups[groups.length - 1].push(r);
    else groups.push([r]);
    if (r.endNs > groupEnd || groups[groups.length - 1].length === 1) groupEnd = r.endNs;
  }
  const run = (r: RecordedProcess): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = originalSpawn.call(childProcess, r.file, r.args, { cwd: r.cwd, env: r.env, windowsHide: true }) as import('child_process').ChildProcess;
      child.stdout?.on('data', () => undefined);
      child.stderr?.on('data', () => undefined);
      child.on('error', reject);
      child.on('close', (code) => (code === 0 || r.args.includes('rev-parse') ? resolve() : reject(new Error(`git ${r.args.join(' ')} exited with ${code}`))));
      child.stdin?.end(r.input);
    });
  const t0 = nowNs();
  for (const g of groups) await Promise.all(g.map(run));
  return Number(nowNs() - t0) / 1e6;
}

/** One staged-change summary of `root`, timed, with git time bracketed. */
export async function measureOnce(root: string, ranges: ReadonlyMap<string, AiRange[]>): Promise<SummaryTiming> {
  active = 0;
  busyNs = 0n;
  processes = 0;
  recorded = [];
  instrument(true);
  const t0 = nowNs();
  try {
    const change = await computeStagedChange({
      root,
      maxFileBytes: 10 * 1024 * 1024,
      trivial: DEFAULT_POLICY.trivial,
      rangesFor: (file) => ranges.get(file.path) ?? [],
      // What the extension passes (src/commit/stagedState.ts): a key per file that stays the same
      // while the file's provenance is unchanged (here it never changes).
      rangesKey: (file) => (ranges.has(file) ? 'v:1' : ''),
    });
    const summary = summarizeChange(change.files, DEFAULT_POLICY);
    const wallMs = Number(nowNs() - t0) / 1e6;
    const gitMs = Number(busyNs) / 1e6;
    return { wallMs, gitMs, ownMs: wallMs - gitMs, processes, files: change.files.length, aiLines: summary.totals.aiLines };
  } finally {
    instrument(false);
  }
}

/** Medians of the samples of one phase (cold or warm). */
export interface PhaseResult {
  readonly wallMs: number;
  readonly gitMs: number;
  readonly ownMs: number;
  readonly ownToGit: number;
  readonly gitProcesses: number;
  /** The same git processes run alone, and how much longer than that the whole summary took. */
  readonly gitAloneMs: number;
  readonly overWallMs: number;
  readonly overToGitAlone: number;
}

export interface CommitScaleResult {
  readonly changedFiles: number;
  readonly linesPerFile: number;
  readonly aiRangesPerFile: number;
  /**
   * Fresh processes of each kind (without and with the code cache), each: one summary with
   * nothing of the repository cached (cold), then ten more (warm).
   */
  readonly processesRun: number;
  /** Cold, in a process that compiles our code as it runs (the first commit of a build). */
  readonly cold: PhaseResult;
  /** Cold, in a process loaded with the code cache, as dist/cli.js loads the hooks' program. */
  readonly coldCached: PhaseResult;
  /** Warm, from the processes of both kinds. */
  readonly warm: PhaseResult;
  readonly aiLines: number;
  readonly samples: { cold: SummaryTiming; coldCached: SummaryTiming; warm: SummaryTiming[] }[];
}

/**
 * Runs the summary in fresh processes (`commitProbe.js`), so that the first summary of each finds
 * nothing kept in our process (as the first summary after staging does, and the commit hook's),
 * then repeats it in the same process (warm: what a refresh of the same staged state costs; every
 * file's count is kept). Each fresh process is started twice: loaded as usual, compiling our code
 * as it runs (the first commit after a build is installed), and loaded through `launcher`
 * (`cachedProbe.js`) with a code cache an earlier run wrote, as dist/cli.js loads the program the
 * commit hooks run.
 */
export function runCommitBench(probe: string, launcher: string, scales: readonly number[], quick: boolean, log: (m: string) => void): CommitScaleResult[] {
  const out: CommitScaleResult[] = [];
  for (const files of scales) {
    const repo = makeRepo(files, 100 + files);
    const rangesFile = path.join(repo.root, '..', `${path.basename(repo.root)}-ranges.json`);
    try {
      fs.writeFileSync(rangesFile, JSON.stringify([...repo.ranges]));
      const runs = quick || files >= 1000 ? 1 : files >= 100 ? 3 : 5;
      const samples: { cold: SummaryTiming; coldCached: SummaryTiming; warm: SummaryTiming[] }[] = [];
      const commandsFile = path.join(repo.root, '..', `${path.basename(repo.root)}-commands.json`);
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiprov-bench-code-cache-'));
      /** One probe process: loaded as usual (`cache` undefined), or through the launcher with the code cache in `cache`. */
      const probeRun = <T>(args: string[], cache?: string): T => {
        const argv = cache === undefined ? [probe, ...args] : [launcher, cache, probe, ...args];
        const res = childProcess.spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
        const line = res.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
        if (!line) throw new Error(`commit probe failed (exit ${res.status}): ${(res.stderr || res.stdout).slice(0, 2000)}`);
        const parsed = JSON.parse(line.slice('BENCH_RESULT '.length)) as T & { error?: string };
        if (parsed.error) throw new Error(`commit probe: ${parsed.error}`);
        const state = /^CODE_CACHE (\w+)$/m.exec(res.stderr)?.[1];
        if (cache !== undefined && state !== 'used' && !args.includes('--prime')) throw new Error(`the probe did not load from the code cache (${state ?? 'no state printed'})`);
        return parsed;
      };
      /** A cold summary and its warm repeats, and git alone for the cold one: its processes replayed in fresh processes prepared like the summary's (the first processes a program starts are slower), median of three. */
      const sample = (cache?: string): { cold: SummaryTiming; warm: SummaryTiming[] } => {
        const parsed = probeRun<{ cold: SummaryTiming; warm: SummaryTiming[] }>([repo.root, rangesFile, commandsFile], cache);
        const alone = [0, 1, 2].map(() => probeRun<{ aloneMs: number }>(['--alone', repo.root, rangesFile, commandsFile], cache).aloneMs);
        return { cold: { ...parsed.cold, gitAloneMs: median(alone) }, warm: parsed.warm };
      };
      try {
        // The code cache, written by a first run of each kind (as the first commit of a build writes it).
        probeRun([repo.root, rangesFile, commandsFile, '--prime'], cacheDir);
        probeRun(['--alone', repo.root, rangesFile, commandsFile, '--prime'], cacheDir);
        for (let r = 0; r < runs; r++) {
          const plain = sample();
          const cached = sample(cacheDir);
          samples.push({ cold: plain.cold, coldCached: cached.cold, warm: [...plain.warm, ...cached.warm] });
        }
      } finally {
        fs.rmSync(commandsFile, { force: true });
        fs.rmSync(cacheDir, { recursive: true, force: true });
      }
      const pick = (list: SummaryTiming[]): PhaseResult => {
        const wallMs = median(list.map((s) => s.wallMs));
        const gitMs = median(list.map((s) => s.gitMs));
        const ownMs = median(list.map((s) => s.ownMs));
        const gitAloneMs = median(list.map((s) => s.gitAloneMs ?? Number.NaN));
        const overWallMs = median(list.map((s) => s.wallMs - (s.gitAloneMs ?? Number.NaN)));
        return { wallMs, gitMs, ownMs, ownToGit: ownMs / gitMs, gitProcesses: list[list.length - 1].processes, gitAloneMs, overWallMs, overToGitAlone: overWallMs / gitAloneMs };
      };
      const cold = pick(samples.map((s) => s.cold));
      const coldCached = pick(samples.map((s) => s.coldCached));
      const warm = pick(samples.flatMap((s) => s.warm));
      const files0 = samples[0].cold.files;
      if (files0 !== files) throw new Error(`expected ${files} staged files, the summary has ${files0}`);
      out.push({ changedFiles: files, linesPerFile: repo.linesPerFile, aiRangesPerFile: repo.aiRangesPerFile, processesRun: runs, cold, coldCached, warm, aiLines: samples[0].cold.aiLines, samples });
      log(
        `staged summary, ${files} files: cold wall ${cold.wallMs.toFixed(1)} ms (git ${cold.gitMs.toFixed(1)}, own ${cold.ownMs.toFixed(1)}, ${cold.gitProcesses} git processes; git alone ${cold.gitAloneMs.toFixed(1)}); ` +
          `with the code cache wall ${coldCached.wallMs.toFixed(1)} ms (git ${coldCached.gitMs.toFixed(1)}, own ${coldCached.ownMs.toFixed(1)}); ` +
          `warm wall ${warm.wallMs.toFixed(1)} ms (git ${warm.gitMs.toFixed(1)}, own ${warm.ownMs.toFixed(1)}; git alone ${warm.gitAloneMs.toFixed(1)})`,
      );
    } finally {
      fs.rmSync(repo.root, { recursive: true, force: true });
      fs.rmSync(rangesFile, { force: true });
    }
  }
  return out;
}
