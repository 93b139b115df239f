/**
 * Part 8: what the commit hooks add to a commit made from a terminal. Whole `git commit -a -m`
 * processes in two identical repositories, one with the hooks installed (`installHooks`, running
 * dist/cli.js with this Node) and one without, against `node -e 0` (the runtime's own start-up),
 * alternating in the same run. Goal: (with hooks - without) / node -e 0 <= 1.5.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOOK_NAMES, installHooks } from '../../src/git/hooks';
import { median } from './stats';

export interface HookBenchResult {
  readonly samples: number;
  readonly withoutHooksMs: number;
  readonly withHooksMs: number;
  readonly nodeStartMs: number;
  /** (with - without) / node start, wall time. */
  readonly ratio: number;
  /** The same in CPU time (user + system of every process involved). */
  readonly cpu: { readonly withoutHooksMs: number; readonly withHooksMs: number; readonly nodeStartMs: number; readonly ratio: number };
  /** The last commit's message with the hooks (the trailers they wrote). */
  readonly trailers: string;
}

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, args: string[]): string {
  const r = spawnSync('git', args, { cwd, env: ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function makeRepo(root: string): void {
  git(root, ['init', '-q', '-b', 'main']);
  git(root, ['config', 'commit.gpgsign', 'false']);
  const lines = Array.from({ length: 200 }, (_, i) => `export const value${i} = ${i};`).join('\n') + '\n';
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'src', 'values.ts'), lines);
  git(root, ['add', '.']);
  git(root, ['commit', '-q', '-m', 'Initial']);
}

interface Timing {
  readonly wallMs: number;
  /** CPU time (user + system) of the process and every process it waited for. */
  readonly cpuMs: number;
}

/**
 * Runs a command under `sh -c '<command>; times'`: the wall time of the whole, and the CPU time of
 * the shell's children (the second line of `times`: the command and everything it waited for).
 */
function timed(cwd: string, command: string): Timing {
  const t = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `${command} >/dev/null 2>&1 || exit 7; times`], { cwd, env: ENV, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${command} failed (exit ${r.status}): ${r.stderr}`);
  const children = r.stdout.trim().split('\n')[1] ?? '';
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (secs.length !== 2) throw new Error(`unexpected output of times: ${r.stdout}`);
  return { wallMs, cpuMs: (secs[0] + secs[1]) * 1000 };
}

/** One `git commit -a -m` of a one-line change, as a whole process. */
function timedCommit(root: string, i: number): Timing {
  fs.appendFileSync(path.join(root, 'src', 'values.ts'), `export const more${i} = ${i};\n`);
  return timed(root, `git commit -q -a -m 'Change ${i}'`);
}

function timedNode(): Timing {
  return timed(os.tmpdir(), `'${process.execPath.replace(/'/g, `'\\''`)}' -e 0`);
}

export async function runHookBench(options: { cliPath: string; samples: number; onProgress?: (m: string) => void }): Promise<HookBenchResult> {
  if (!fs.existsSync(options.cliPath)) throw new Error(`${options.cliPath} is missing (build it first)`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-bench-hooks-'));
  try {
    const plain = path.join(base, 'plain');
    const hooked = path.join(base, 'hooked');
    fs.mkdirSync(plain);
    fs.mkdirSync(hooked);
    makeRepo(plain);
    makeRepo(hooked);
    const installed = await installHooks({ root: hooked, cliPath: options.cliPath, nodePath: process.execPath });
    if (installed.installed.length !== HOOK_NAMES.length) throw new Error(`hooks not installed: ${JSON.stringify(installed)}`);
    options.onProgress?.(`hooks: ${options.samples} commits with and without the hooks, and node -e 0, alternating`);
    const without: Timing[] = [];
    const withHooks: Timing[] = [];
    const node: Timing[] = [];
    // Two unmeasured rounds first (the code cache is written by the first hook run); the order
    // of the three rotates.
    const steps = [(i: number) => without.push(timedCommit(plain, i)), (i: number) => withHooks.push(timedCommit(hooked, i)), () => node.push(timedNode())];
    for (let i = 0; i < options.samples + 2; i++) for (let k = 0; k < 3; k++) steps[(i + k) % 3](i);
    for (const list of [without, withHooks, node]) list.splice(0, 2);
    const wall = (list: Timing[]) => median(list.map((x) => x.wallMs));
    const cpu = (list: Timing[]) => median(list.map((x) => x.cpuMs));
    const withoutHooksMs = wall(without);
    const withHooksMs = wall(withHooks);
    const nodeStartMs = wall(node);
    const cpuFigures = { withoutHooksMs: cpu(without), withHooksMs: cpu(withHooks), nodeStartMs: cpu(node), ratio: 0 };
    cpuFigures.ratio = (cpuFigures.withHooksMs - cpuFigures.withoutHooksMs) / cpuFigures.nodeStartMs;
    const message = git(hooked, ['log', '-1', '--format=%B']);
    const trailers = message.split('\n').filter((l) => /^[A-Za-z-]+: /.test(l)).join('; ');
    if (!/^AI-Assisted: no$/m.test(message)) throw new Error(`the hooks wrote no trailers: ${JSON.stringify(message)}`);
    return { samples: options.samples, withoutHooksMs, withHooksMs, nodeStartMs, ratio: (withHooksMs - withoutHooksMs) / nodeStartMs, cpu: cpuFigures, trailers };
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}
