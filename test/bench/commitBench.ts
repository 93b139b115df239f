/**
 * Part 3: the staged-change summary (`computeStagedChange` from src/git/stagedChange.ts, then
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
import { computeStagedChange } from '../../src/git/stagedChange';
import { makeText } from './session';
import { Rng, median, nowNs } from './stats';


// ---- git time: every execFile the code under test makes is bracketed.
let active = 0;
let busySince = 0n;
let busyNs = 0n;
let processes = 0;
// The module object itself (a namespace import would be a copy): git.ts reads `execFile` from it
// at each call, so replacing the property here brackets every git process it starts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const childProcess = require('child_process') as typeof import('child_process');
const cp = childProcess as unknown as { execFile: (...args: unknown[]) => unknown };
const originalExecFile = cp.execFile;
function instrument(on: boolean): void {
  if (!on) {
    cp.execFile = originalExecFile;
    return;
  }
  cp.execFile = function (this: unknown, ...args: unknown[]) {
    processes++;
    if (active++ === 0) busySince = nowNs();
    const i = args.findIndex((a) => typeof a === 'function');
    if (i >= 0) {
      const cb = args[i] as (...r: unknown[]) => unknown;
      args[i] = function (this: unknown, ...r: unknown[]) {
        if (--active === 0) busyNs += nowNs() - busySince;
        return cb.apply(this, r);
      };
    }
    return originalExecFile.apply(this, args);
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
}

/** One staged-change summary of `root`, timed, with git time bracketed. */
export async function measureOnce(root: string, ranges: ReadonlyMap<string, AiRange[]>): Promise<SummaryTiming> {
  active = 0;
  busyNs = 0n;
  processes = 0;
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

export interface CommitScaleResult {
  readonly changedFiles: number;
  readonly linesPerFile: number;
  readonly aiRangesPerFile: number;
  /** Fresh processes, each: one summary with nothing cached (cold), then two more (warm). */
  readonly processesRun: number;
  readonly cold: { wallMs: number; gitMs: number; ownMs: number; ownToGit: number; gitProcesses: number };
  readonly warm: { wallMs: number; gitMs: number; ownMs: number; ownToGit: number; gitProcesses: number };
  readonly aiLines: number;
  readonly samples: { cold: SummaryTiming; warm: SummaryTiming[] }[];
}

/**
 * Runs the summary in fresh processes (`commitProbe.js`), so that the first summary of each finds
 * nothing kept in our process (as the first summary after staging does), then repeats it in the
 * same process (warm: what a refresh of the same staged state costs; every file's count is kept).
 */
export function runCommitBench(probe: string, scales: readonly number[], quick: boolean, log: (m: string) => void): CommitScaleResult[] {
  const out: CommitScaleResult[] = [];
  for (const files of scales) {
    const repo = makeRepo(files, 100 + files);
    const rangesFile = path.join(repo.root, '..', `${path.basename(repo.root)}-ranges.json`);
    try {
      fs.writeFileSync(rangesFile, JSON.stringify([...repo.ranges]));
      const runs = quick || files >= 1000 ? 1 : files >= 100 ? 3 : 5;
      const samples: { cold: SummaryTiming; warm: SummaryTiming[] }[] = [];
      for (let r = 0; r < runs; r++) {
        const res = childProcess.spawnSync(process.execPath, [probe, repo.root, rangesFile], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
        const line = res.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
        if (!line) throw new Error(`commit probe failed (exit ${res.status}): ${(res.stderr || res.stdout).slice(0, 2000)}`);
        const parsed = JSON.parse(line.slice('BENCH_RESULT '.length)) as { cold: SummaryTiming; warm: SummaryTiming[]; error?: string };
        if (parsed.error) throw new Error(`commit probe: ${parsed.error}`);
        samples.push({ cold: parsed.cold, warm: parsed.warm });
      }
      const pick = (list: SummaryTiming[]) => {
        const wallMs = median(list.map((s) => s.wallMs));
        const gitMs = median(list.map((s) => s.gitMs));
        const ownMs = median(list.map((s) => s.ownMs));
        return { wallMs, gitMs, ownMs, ownToGit: ownMs / gitMs, gitProcesses: list[list.length - 1].processes };
      };
      const cold = pick(samples.map((s) => s.cold));
      const warm = pick(samples.flatMap((s) => s.warm));
      const files0 = samples[0].cold.files;
      if (files0 !== files) throw new Error(`expected ${files} staged files, the summary has ${files0}`);
      out.push({ changedFiles: files, linesPerFile: repo.linesPerFile, aiRangesPerFile: repo.aiRangesPerFile, processesRun: runs, cold, warm, aiLines: samples[0].cold.aiLines, samples });
      log(`staged summary, ${files} files: cold wall ${cold.wallMs.toFixed(1)} ms (git ${cold.gitMs.toFixed(1)}, own ${cold.ownMs.toFixed(1)}, ${cold.gitProcesses} git processes); warm wall ${warm.wallMs.toFixed(1)} ms (git ${warm.gitMs.toFixed(1)}, own ${warm.ownMs.toFixed(1)})`);
    } finally {
      fs.rmSync(repo.root, { recursive: true, force: true });
      fs.rmSync(rangesFile, { force: true });
    }
  }
  return out;
}
