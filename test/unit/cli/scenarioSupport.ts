/**
 * Real repositories for the scenario tests of the command line: the bundled command
 * (`dist/cli.js`), git with the test's own HOME, agents' text recorded by `ai-provenance
 * checkpoint`, and what `stats` and `verify` say afterwards.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TempRepo } from './fixture';

export const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

export function run(repo: TempRepo, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: repo.dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo.dir, GIT_EDITOR: 'true', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function cli(repo: TempRepo, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return run(repo, process.execPath, [CLI, ...args]);
}

export function git(repo: TempRepo, ...args: string[]): string {
  const r = run(repo, 'git', args);
  assert.strictEqual(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** An agent writes `text` into `file` between two checkpoints (what its hooks do). */
export function agentWrites(repo: TempRepo, file: string, text: string, agent = 'codex'): void {
  let r = cli(repo, 'checkpoint', '--agent', agent, '--before', file);
  assert.strictEqual(r.status, 0, r.stderr);
  repo.write(file, text);
  r = cli(repo, 'checkpoint', '--agent', agent, '--model', 'gpt-5', '--after', file);
  assert.strictEqual(r.status, 0, r.stderr);
}

/** AI lines `stats` counts for a range. */
export function aiLines(repo: TempRepo, range: string): number {
  const r = cli(repo, 'stats', range, '--json');
  assert.strictEqual(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { ai_additions: number }).ai_additions;
}

export function unknownLines(repo: TempRepo, range: string): number {
  const r = cli(repo, 'stats', range, '--json');
  return (JSON.parse(r.stdout) as { unknown_additions: number }).unknown_additions;
}

export function verify(repo: TempRepo, range: string): { status: number | null; out: string } {
  const r = cli(repo, 'verify', range);
  return { status: r.status, out: r.stdout + r.stderr };
}

export function message(repo: TempRepo, rev = 'HEAD'): string {
  return git(repo, 'log', '-1', '--format=%B', rev);
}

export const lines = (prefix: string, n: number): string => Array.from({ length: n }, (_, i) => `export const ${prefix}${i} = ${i} * 2 + 1; // ${prefix}`).join('\n') + '\n';

/** A new repository: the tool's cache (HOME is the repository) ignored, review not required (not what these tests are about). */
export function newRepo(): TempRepo {
  const repo = TempRepo.create();
  fs.appendFileSync(path.join(repo.dir, '.git', 'info', 'exclude'), '.cache/\n');
  repo.write('.ai-provenance.json', JSON.stringify({ review: { required: null } }) + '\n');
  repo.write('app.ts', 'export const start = 0;\n');
  commitAll(repo, 'init');
  return repo;
}

/**
 * The repository of each test of a suite: made by {@link newRepo} with the hooks installed by
 * `ai-provenance install` before each test, removed after it.
 */
export function repoPerTest(): { readonly repo: TempRepo } {
  const box = {} as { repo: TempRepo };
  beforeEach(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built`);
    box.repo = newRepo();
    const r = cli(box.repo, 'install');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /installed prepare-commit-msg, commit-msg, post-commit/);
  });
  afterEach(() => box.repo.cleanup());
  return box;
}

/** On a new branch `feature`: two agent commits, 5 AI lines in app.ts ("five") and 4 in b.ts ("four"). */
export function twoAgentCommits(repo: TempRepo): void {
  git(repo, 'checkout', '-q', '-b', 'feature');
  agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
  commitAll(repo, 'five');
  agentWrites(repo, 'b.ts', lines('b', 4));
  commitAll(repo, 'four');
  assert.strictEqual(aiLines(repo, 'main..feature'), 9);
}

export function commitAll(repo: TempRepo, msg: string): void {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', msg);
}

export function removeSavedProvenance(repo: TempRepo): void {
  fs.rmSync(path.join(repo.dir, '.git', 'ai-provenance'), { recursive: true, force: true });
}
