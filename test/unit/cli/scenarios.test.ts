import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_NOTES_REF, parseManifest } from '../../../src/core/manifest/schema';
import { TempRepo } from './fixture';

/**
 * The record on its way to main, over real repositories with the bundled command
 * (`dist/cli.js`): hooks installed with `ai-provenance install`, AI text recorded by
 * `ai-provenance checkpoint` (an agent in a terminal, VS Code closed), then the step under test.
 * For each step: the AI lines `stats` counts afterwards equal those before it, and `verify`
 * passes or fails as it should.
 */
const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

function run(repo: TempRepo, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: repo.dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo.dir, GIT_EDITOR: 'true', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cli(repo: TempRepo, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return run(repo, process.execPath, [CLI, ...args]);
}

function git(repo: TempRepo, ...args: string[]): string {
  const r = run(repo, 'git', args);
  assert.strictEqual(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** An agent writes `text` into `file` between two checkpoints (what its hooks do). */
function agentWrites(repo: TempRepo, file: string, text: string, agent = 'codex'): void {
  let r = cli(repo, 'checkpoint', '--agent', agent, '--before', file);
  assert.strictEqual(r.status, 0, r.stderr);
  repo.write(file, text);
  r = cli(repo, 'checkpoint', '--agent', agent, '--model', 'gpt-5', '--after', file);
  assert.strictEqual(r.status, 0, r.stderr);
}

/** AI lines `stats` counts for a range. */
function aiLines(repo: TempRepo, range: string): number {
  const r = cli(repo, 'stats', range, '--json');
  assert.strictEqual(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { ai_additions: number }).ai_additions;
}

function unknownLines(repo: TempRepo, range: string): number {
  const r = cli(repo, 'stats', range, '--json');
  return (JSON.parse(r.stdout) as { unknown_additions: number }).unknown_additions;
}

function verify(repo: TempRepo, range: string): { status: number | null; out: string } {
  const r = cli(repo, 'verify', range);
  return { status: r.status, out: r.stdout + r.stderr };
}

function message(repo: TempRepo, rev = 'HEAD'): string {
  return git(repo, 'log', '-1', '--format=%B', rev);
}

const lines = (prefix: string, n: number): string => Array.from({ length: n }, (_, i) => `export const ${prefix}${i} = ${i} * 2 + 1; // ${prefix}`).join('\n') + '\n';

/** A new repository: the tool's cache (HOME is the repository) ignored, review not required (not what these tests are about). */
function newRepo(): TempRepo {
  const repo = TempRepo.create();
  fs.appendFileSync(path.join(repo.dir, '.git', 'info', 'exclude'), '.cache/\n');
  repo.write('.ai-provenance.json', JSON.stringify({ review: { required: null } }) + '\n');
  repo.write('app.ts', 'export const start = 0;\n');
  commitAll(repo, 'init');
  return repo;
}

function commitAll(repo: TempRepo, msg: string): void {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', msg);
}

function removeSavedProvenance(repo: TempRepo): void {
  fs.rmSync(path.join(repo.dir, '.git', 'ai-provenance'), { recursive: true, force: true });
}

describe('the record on its way to main (scenarios over real repositories)', function () {
  this.timeout(120000);
  let repo: TempRepo;
  beforeEach(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built`);
    repo = newRepo();
    const r = cli(repo, 'install');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /installed prepare-commit-msg, commit-msg, post-commit/);
  });
  afterEach(() => repo.cleanup());

  it('terminal commit with VS Code closed after a checkpoint: trailers and a note, verify passes', () => {
    agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(repo, 'Agent adds five constants');
    assert.match(message(repo), /AI-Assisted: yes\nAI-Contribution: 100% \(5 of 5 added lines; agent 5\)\nAssisted-by: codex:gpt-5\nAI-Provenance: [0-9a-f-]{36}/);
    const note = parseManifest(git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', 'HEAD'));
    assert.ok(note.ok && note.value.totals.aiLines === 5);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 5);
    assert.strictEqual(verify(repo, 'HEAD^..HEAD').status, 0);
  });

  it('amend after a small human edit keeps the AI lines, also when the saved provenance is gone', () => {
    agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(repo, 'Agent adds five constants');
    removeSavedProvenance(repo);
    repo.write('app.ts', repo.read('app.ts') + 'export const human = 1;\n');
    git(repo, 'add', 'app.ts');
    git(repo, 'commit', '-q', '--amend', '-m', 'Agent adds five constants, and one by hand');
    const msg = message(repo);
    assert.match(msg, /AI-Assisted: yes\nAI-Contribution: 83% \(5 of 6 added lines; agent 5\)/);
    assert.strictEqual((msg.match(/AI-Assisted:/g) ?? []).length, 1);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 5);
    assert.strictEqual(verify(repo, 'HEAD^..HEAD').status, 0, verify(repo, 'HEAD^..HEAD').out);
  });

  it('rebase onto a main that moved: each commit keeps its AI lines, measured against its new parent', () => {
    git(repo, 'checkout', '-q', '-b', 'feature');
    agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(repo, 'five');
    agentWrites(repo, 'b.ts', lines('b', 4));
    commitAll(repo, 'four');
    assert.strictEqual(aiLines(repo, 'main..feature'), 9);
    git(repo, 'checkout', '-q', 'main');
    repo.write('app.ts', '// header written on main\n// second line\nexport const start = 0;\n');
    commitAll(repo, 'main moves');
    git(repo, 'checkout', '-q', 'feature');
    removeSavedProvenance(repo);
    git(repo, 'rebase', '-q', 'main');
    assert.strictEqual(aiLines(repo, 'main..feature'), 9);
    for (const rev of ['HEAD', 'HEAD^']) assert.doesNotMatch(message(repo, rev), /AI-Assisted: no/);
    const v = verify(repo, 'main..feature');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('interactive squash merges the records of the commits combined', () => {
    git(repo, 'checkout', '-q', '-b', 'feature');
    agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(repo, 'five');
    agentWrites(repo, 'b.ts', lines('b', 4));
    commitAll(repo, 'four');
    repo.write('c.ts', 'export const byHand = 1;\n');
    commitAll(repo, 'by hand');
    removeSavedProvenance(repo);
    const r = run(repo, 'git', ['rebase', '-q', '-i', 'main'], { GIT_SEQUENCE_EDITOR: "sed -i -e '2s/^pick/squash/' -e '3s/^pick/fixup/'" });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(git(repo, 'rev-list', '--count', 'main..feature').trim(), '1');
    assert.strictEqual(aiLines(repo, 'main..feature'), 9);
    const m = parseManifest(git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', 'HEAD'));
    assert.ok(m.ok && m.value.carriedFrom && m.value.carriedFrom.length >= 2, 'the squash names the manifests it carries');
    assert.match(message(repo), /AI-Contribution: 90% \(9 of 10 added lines; agent 9\)/);
    const v = verify(repo, 'main..feature');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('cherry-pick carries the AI lines onto the new commit', () => {
    git(repo, 'checkout', '-q', '-b', 'feature');
    agentWrites(repo, 'b.ts', lines('b', 4));
    commitAll(repo, 'four');
    const picked = git(repo, 'rev-parse', 'HEAD').trim();
    git(repo, 'checkout', '-q', 'main');
    repo.write('app.ts', '// main moves\nexport const start = 0;\n');
    commitAll(repo, 'main moves');
    removeSavedProvenance(repo);
    git(repo, 'cherry-pick', picked);
    assert.notStrictEqual(git(repo, 'rev-parse', 'HEAD').trim(), picked);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 4);
    const v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('a rebase that changes AI lines in a conflict records them as unknown, never as AI-Assisted: no', () => {
    git(repo, 'checkout', '-q', '-b', 'feature');
    agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(repo, 'five');
    git(repo, 'checkout', '-q', 'main');
    repo.write('app.ts', 'export const start = 0;\nexport const a0 = 7;\n');
    commitAll(repo, 'main writes a0 differently');
    git(repo, 'checkout', '-q', 'feature');
    removeSavedProvenance(repo);
    assert.notStrictEqual(run(repo, 'git', ['rebase', '-q', 'main']).status, 0, 'the rebase stops on a conflict');
    // Resolved by hand: the AI lines are rewritten.
    repo.write('app.ts', 'export const start = 0;\nexport const a0 = 7;\n' + lines('a', 5).split('\n').slice(1).map((l) => l.replace('* 2', '* 3')).join('\n'));
    git(repo, 'add', 'app.ts');
    const r = run(repo, 'git', ['rebase', '--continue']);
    assert.strictEqual(r.status, 0, r.stderr);
    const msg = message(repo);
    assert.doesNotMatch(msg, /AI-Assisted: no/);
    assert.match(msg, /AI-Assisted: yes/);
    const m = parseManifest(git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', 'HEAD'));
    assert.ok(m.ok);
    assert.strictEqual(m.value.files[0].unknownLines, 4);
    assert.match(m.value.unknownReason ?? '', /cannot be attributed/);
    assert.strictEqual(unknownLines(repo, 'HEAD^..HEAD'), 4);
  });
});

describe('the hooks leave git alone', function () {
  this.timeout(60000);
  let repo: TempRepo;
  beforeEach(() => {
    repo = newRepo();
    assert.strictEqual(cli(repo, 'install').status, 0);
  });
  afterEach(() => repo.cleanup());

  it('an empty message still aborts the commit', () => {
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    const r = run(repo, 'git', ['commit']);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /empty commit message/);
    assert.strictEqual(git(repo, 'rev-list', '--count', 'HEAD').trim(), '1');
  });

  it('merge commits are not touched', () => {
    git(repo, 'checkout', '-q', '-b', 'side');
    repo.write('b.ts', 'export const b = 1;\n');
    commitAll(repo, 'side');
    git(repo, 'checkout', '-q', 'main');
    repo.write('c.ts', 'export const c = 1;\n');
    commitAll(repo, 'main');
    git(repo, 'merge', '-q', '--no-ff', 'side');
    assert.strictEqual(message(repo).trim(), "Merge branch 'side'");
  });

  it('core.commentChar=auto: a # line of the message stays before the trailers', () => {
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    git(repo, '-c', 'core.commentChar=auto', 'commit', '-q', '-m', 'Subject', '-m', '# kept as written');
    assert.match(message(repo), /^Subject\n\n# kept as written\n\nAI-Assisted: no\n+$/);
  });

  it('core.commentChar=auto with the editor: git’s comment block is read with the character git chose', () => {
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    // The message has a '#' line, so git comments with ';' and, with -v, cuts the message at its
    // ';' scissors line (the diff follows it): the trailers must go before that line.
    const r = run(repo, 'git', ['-c', 'core.commentChar=auto', 'commit', '-q', '-v', '-e', '-m', 'Subject', '-m', '#1 is a ticket']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(message(repo), /^Subject\n\n#1 is a ticket\n\nAI-Assisted: no\n+$/);
  });

  it('a failing hook program, or unreadable saved state, never blocks the commit', () => {
    fs.mkdirSync(path.join(repo.dir, '.git', 'ai-provenance'), { recursive: true });
    fs.writeFileSync(path.join(repo.dir, '.git', 'ai-provenance', 'state.json'), '{ not json');
    fs.writeFileSync(path.join(repo.dir, '.git', 'ai-provenance', 'staged.json'), '[]');
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    let r = run(repo, 'git', ['commit', '-q', '-m', 'Still commits']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(message(repo), /^Still commits\n\nAI-Assisted: no\n+$/);
    // The program the hooks run crashes.
    const crash = path.join(repo.dir, '.git', 'crash.js');
    fs.writeFileSync(crash, 'throw new Error("boom");\n');
    for (const name of ['prepare-commit-msg', 'commit-msg', 'post-commit']) {
      const hook = path.join(repo.dir, '.git', 'hooks', name);
      fs.writeFileSync(hook, fs.readFileSync(hook, 'utf8').replace(/^cli=.*$/m, `cli='${crash}'`));
    }
    repo.write('app.ts', 'export const start = 2;\n');
    git(repo, 'add', 'app.ts');
    r = run(repo, 'git', ['commit', '-q', '-m', 'Commits anyway']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /hook failed; commit not affected/);
    assert.strictEqual(message(repo).trim(), 'Commits anyway');
  });

  it('uninstall removes the hooks', () => {
    const r = cli(repo, 'uninstall');
    assert.strictEqual(r.status, 0);
    assert.match(r.stdout, /removed prepare-commit-msg, commit-msg, post-commit/);
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    git(repo, 'commit', '-q', '-m', 'Plain');
    assert.strictEqual(message(repo).trim(), 'Plain');
  });
});
