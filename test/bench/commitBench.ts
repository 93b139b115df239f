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

export interface CommitScaleResult {
  readonly changedFiles: number;
  readonly linesPerFile: number;
  readonly aiRangesPerFile: number;
  readonly repetitions: number;
  readonly wallMs: number;
  readonly gitMs: number;
  readonly ownMs: number;
  /** own / git */
  readonly ownToGit: number;
  readonly gitProcesses: number;
  readonly filesCounted: number;
  readonly aiLines: number;
  readonly samples: { wallMs: number; gitMs: number; ownMs: number }[];
}

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

interface GeneratedRepo {
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
function makeRepo(files: number, seed: number): GeneratedRepo {
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

async function measureOnce(repo: GeneratedRepo): Promise<{ wallMs: number; gitMs: number; ownMs: number; processes: number; files: number; aiLines: number }> {
  active = 0;
  busyNs = 0n;
  processes = 0;
  instrument(true);
  const t0 = nowNs();
  try {
    const change = await computeStagedChange({
      root: repo.root,
      maxFileBytes: 10 * 1024 * 1024,
      trivial: DEFAULT_POLICY.trivial,
      rangesFor: (file) => repo.ranges.get(file.path) ?? [],
    });
    const summary = summarizeChange(change.files, DEFAULT_POLICY);
    const wallNs = nowNs() - t0;
    const wallMs = Number(wallNs) / 1e6;
    const gitMs = Number(busyNs) / 1e6;
    return { wallMs, gitMs, ownMs: wallMs - gitMs, processes, files: change.files.length, aiLines: summary.totals.aiLines };
  } finally {
    instrument(false);
  }
}

export async function runCommitBench(scales: readonly number[], quick: boolean, log: (m: string) => void): Promise<CommitScaleResult[]> {
  const out: CommitScaleResult[] = [];
  // Warm-up: compile the code paths and warm git's own caches.
  {
    const warm = makeRepo(20, 5);
    await measureOnce(warm);
    fs.rmSync(warm.root, { recursive: true, force: true });
  }
  for (const files of scales) {
    const repo = makeRepo(files, 100 + files);
    try {
      const reps = quick || files >= 1000 ? 1 : files >= 100 ? 3 : 7;
      const samples: { wallMs: number; gitMs: number; ownMs: number }[] = [];
      let last: Awaited<ReturnType<typeof measureOnce>> | undefined;
      for (let r = 0; r < reps; r++) {
        last = await measureOnce(repo);
        samples.push({ wallMs: last.wallMs, gitMs: last.gitMs, ownMs: last.ownMs });
      }
      const wallMs = median(samples.map((s) => s.wallMs));
      const gitMs = median(samples.map((s) => s.gitMs));
      const ownMs = median(samples.map((s) => s.ownMs));
      if (last!.files !== files) throw new Error(`expected ${files} staged files, the summary has ${last!.files}`);
      out.push({
        changedFiles: files,
        linesPerFile: repo.linesPerFile,
        aiRangesPerFile: repo.aiRangesPerFile,
        repetitions: reps,
        wallMs,
        gitMs,
        ownMs,
        ownToGit: ownMs / gitMs,
        gitProcesses: last!.processes,
        filesCounted: last!.files,
        aiLines: last!.aiLines,
        samples,
      });
      log(`staged summary, ${files} files: wall ${wallMs.toFixed(1)} ms, git ${gitMs.toFixed(1)} ms, own ${ownMs.toFixed(1)} ms, ${last!.processes} git processes`);
    } finally {
      fs.rmSync(repo.root, { recursive: true, force: true });
    }
  }
  return out;
}
