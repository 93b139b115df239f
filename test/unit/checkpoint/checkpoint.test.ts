import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../../src/cli/commands/checkpoint';
import { memoryIo } from '../../../src/cli/io';
import { insertedSpans, pendingPath } from '../../../src/checkpoint/checkpoint';
import { entryFromRuns, withFiles } from '../../../src/core/persistence/entries';
import { PersistedState, emptyState, sha256 } from '../../../src/core/persistence/schema';
import { StateDir } from '../../../src/core/persistence/stateDir';
import { Origin } from '../../../src/core/provenance/origin';
import { OriginTable } from '../../../src/core/provenance/originTable';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=T', ...args], { cwd, encoding: 'utf8' });
}

/** A fresh repository with `files` committed. */
function makeRepo(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'aip-ckpt-')));
  git(dir, 'init', '-q');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

function stateDir(repo: string): string {
  return path.join(repo, '.git', 'ai-provenance');
}

function readState(repo: string): PersistedState {
  return new StateDir(stateDir(repo), { info() {}, warn() {}, error() {} }, 'test').read();
}

/** [text, kind, tool, model, requestId] of every run of `file`. */
function runsOf(repo: string, file: string): [string, string, string, string?, string?][] {
  const state = readState(repo);
  const entry = state.files[file];
  if (!entry) return [];
  return entry.runs.map((r) => {
    const o = state.origins[r.origin - 1];
    return [r.text, o.kind, o.tool, o.model, o.requestId];
  });
}

async function cli(repo: string, args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(repo);
  const code = await run(args, io, () => stdin);
  return { code, out: io.stdout, err: io.stderr };
}

const write = (repo: string, file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), text);
};
const read = (repo: string, file: string) => fs.readFileSync(path.join(repo, file), 'utf8');

describe('checkpoint: agent edits outside the editor', () => {
  const A = 'export function one() {\n  return 1;\n}\n';
  const B = 'export const untouched = true;\n';

  it('attributes exactly the text the agent inserted, and nothing in files it did not touch', async () => {
    const repo = makeRepo({ 'src/a.ts': A, 'src/b.ts': B });
    write(repo, 'notes.md', 'draft by a person\n'); // untracked, dirty before the agent runs
    const before = await cli(repo, ['--agent', 'claude-code', '--before']);
    assert.strictEqual(before.code, 0, before.err);
    assert.ok(fs.existsSync(pendingPath(stateDir(repo), 'claude-code')));

    const added = '\nexport function two() {\n  return 2;\n}\n';
    write(repo, 'src/a.ts', A + added);
    write(repo, 'notes.md', 'draft by a person\nagent line\n');
    write(repo, 'src/new.ts', 'export const created = 1;\n');

    const after = await cli(repo, ['--agent', 'claude-code', '--model', 'claude-sonnet', '--session', 'sess-1', '--after']);
    assert.strictEqual(after.code, 0, after.err);
    assert.deepStrictEqual(runsOf(repo, 'src/a.ts'), [[added, 'agent', 'claude-code', 'claude-sonnet', 'sess-1']]);
    assert.deepStrictEqual(runsOf(repo, 'notes.md'), [['agent line\n', 'agent', 'claude-code', 'claude-sonnet', 'sess-1']]);
    assert.deepStrictEqual(runsOf(repo, 'src/new.ts'), [['export const created = 1;\n', 'agent', 'claude-code', 'claude-sonnet', 'sess-1']]);
    assert.deepStrictEqual(runsOf(repo, 'src/b.ts'), [], 'a file the agent did not touch has no entry');
    const state = readState(repo);
    assert.strictEqual(state.files['src/a.ts'].sha256, sha256(A + added), 'the entry describes the file as the agent left it');
    assert.deepStrictEqual(Object.keys(state.files).sort(), ['notes.md', 'src/a.ts', 'src/new.ts']);
    assert.ok(!fs.existsSync(pendingPath(stateDir(repo), 'claude-code')), 'the pending snapshot is consumed');
    assert.match(after.out, /changed src\/a\.ts: 39 character\(s\) by claude-code/);
    assert.strictEqual(git(repo, 'status', '--porcelain', '--', 'src/b.ts'), '', 'untouched file unchanged on disk');
    assert.strictEqual(read(repo, 'src/b.ts'), B);
  });

  it('a changed line: only the changed characters are the agent\'s', async () => {
    const repo = makeRepo({ 'calc.ts': 'const rate = 0.15;\nconst total = price * rate;\n' });
    await cli(repo, ['--agent', 'codex', '--before']);
    write(repo, 'calc.ts', 'const rate = 0.15;\nconst total = price * rate + shippingCost;\n');
    assert.strictEqual((await cli(repo, ['--agent', 'codex', '--after'])).code, 0);
    assert.deepStrictEqual(
      runsOf(repo, 'calc.ts').map((r) => r[0]),
      [' + shippingCost'],
    );
  });

  it('keeps and re-anchors ranges recorded earlier in the same file', async () => {
    const text = 'import x from "x";\nconst fromChat = buildTheThing(x);\n';
    const repo = makeRepo({ 'f.ts': text });
    const live = new OriginTable();
    const chat: Origin = { kind: 'chat', tool: 'copilot-chat', timestamp: 1 };
    const id = live.intern(chat);
    const piece = 'const fromChat = buildTheThing(x);';
    const table = new OriginTable();
    const entry = entryFromRuns(text, [{ start: text.indexOf(piece), length: piece.length, origin: id, text: piece }], (i) => live.get(i), table);
    await new StateDir(stateDir(repo), { info() {}, warn() {}, error() {} }, 'extension:test').update(() => ({ state: withFiles(emptyState(), { 'f.ts': entry }, table.toJSON()) }));

    await cli(repo, ['--agent', 'claude-code', '--before', 'f.ts']);
    write(repo, 'f.ts', 'import x from "x";\nimport y from "y";\nconst fromChat = buildTheThing(x);\n');
    assert.strictEqual((await cli(repo, ['--agent', 'claude-code', '--after', 'f.ts'])).code, 0);
    assert.deepStrictEqual(
      runsOf(repo, 'f.ts').map((r) => [r[0], r[1]]),
      [
        ['import y from "y";\n', 'agent'],
        [piece, 'chat'],
      ],
    );
  });

  it('agent ranges win over `unknown` marks the extension put on the same text first', async () => {
    const text = 'a();\n';
    const repo = makeRepo({ 'g.ts': text });
    await cli(repo, ['--agent', 'claude-code', '--before']);
    const after = 'a();\nb();\n';
    write(repo, 'g.ts', after);
    // The extension saw the file change before the hook ran and marked the new text unknown.
    const live = new OriginTable();
    const unknown = live.intern({ kind: 'unknown', tool: 'disk', timestamp: 1 });
    const table = new OriginTable();
    const entry = entryFromRuns(after, [{ start: 5, length: 5, origin: unknown, text: 'b();\n' }], (i) => live.get(i), table);
    await new StateDir(stateDir(repo), { info() {}, warn() {}, error() {} }, 'extension:test').update(() => ({ state: withFiles(emptyState(), { 'g.ts': entry }, table.toJSON()) }));
    assert.strictEqual((await cli(repo, ['--agent', 'claude-code', '--after'])).code, 0);
    assert.deepStrictEqual(
      runsOf(repo, 'g.ts').map((r) => [r[0], r[1]]),
      [['b();\n', 'agent']],
    );
  });

  it('hook mode: path and session from the hook payload; other changes are not the agent\'s', async () => {
    const repo = makeRepo({ 'x.ts': 'x\n', 'y.ts': 'y\n' });
    const payload = (file: string) => JSON.stringify({ session_id: 'abc-123', cwd: repo, tool_name: 'Edit', tool_input: { file_path: path.join(repo, file) } });
    assert.strictEqual((await cli(repo, ['--agent', 'claude-code', '--hook', '--before'], payload('x.ts'))).code, 0);
    write(repo, 'x.ts', 'x\nfrom agent\n');
    write(repo, 'y.ts', 'y\nfrom a person at the same time\n');
    assert.strictEqual((await cli(repo, ['--agent', 'claude-code', '--hook', '--after'], payload('x.ts'))).code, 0);
    assert.deepStrictEqual(runsOf(repo, 'x.ts'), [['from agent\n', 'agent', 'claude-code', undefined, 'abc-123']]);
    assert.deepStrictEqual(runsOf(repo, 'y.ts'), []);
  });

  it('hook mode: the session\'s prompt (UserPromptSubmit), redacted, and its transcript go with what the agent writes', async () => {
    const repo = makeRepo({ 'p.ts': 'p\n' });
    const secret = ['sk-', 'ant-', 'api03-', 'Qw3'.repeat(10)].join('');
    const transcript = '/home/dev/.claude/projects/x/abc-123.jsonl';
    const prompt = JSON.stringify({ session_id: 'abc-123', cwd: repo, transcript_path: transcript, hook_event_name: 'UserPromptSubmit', prompt: `add a greeting; the key is ${secret}` });
    const tool = JSON.stringify({ session_id: 'abc-123', cwd: repo, transcript_path: transcript, tool_name: 'Edit', tool_input: { file_path: path.join(repo, 'p.ts') } });
    const kept = await cli(repo, ['--agent', 'claude-code', '--hook', '--prompt'], prompt);
    assert.strictEqual(kept.code, 0, kept.err);
    const saved = fs.readFileSync(path.join(stateDir(repo), 'checkpoints', 'prompts-claude-code.json'), 'utf8');
    assert.ok(!saved.includes(secret) && saved.includes('[REDACTED:api-key]'), saved);
    assert.strictEqual((await cli(repo, ['--agent', 'claude-code', '--hook', '--before'], tool)).code, 0);
    write(repo, 'p.ts', 'p\nhello();\n');
    assert.strictEqual((await cli(repo, ['--agent', 'claude-code', '--hook', '--after'], tool)).code, 0);
    const origins = readState(repo).origins.filter((o) => o.kind === 'agent');
    assert.deepStrictEqual(
      origins.map((o) => [o.requestId, o.prompt, o.transcript]),
      [['abc-123', 'add a greeting; the key is [REDACTED:api-key]', transcript]],
    );
    assert.ok(!fs.readFileSync(path.join(stateDir(repo), 'state.json'), 'utf8').includes(secret));
    // Another session's edits get no prompt; --prompt needs a session and goes without --before/--after.
    const other = JSON.stringify({ session_id: 'other', cwd: repo, tool_name: 'Edit', tool_input: { file_path: path.join(repo, 'p.ts') } });
    await cli(repo, ['--agent', 'claude-code', '--hook', '--before'], other);
    write(repo, 'p.ts', 'p\nhello();\nbye();\n');
    await cli(repo, ['--agent', 'claude-code', '--hook', '--after'], other);
    assert.deepStrictEqual(readState(repo).origins.filter((o) => o.requestId === 'other').map((o) => o.prompt), [undefined]);
    assert.match((await cli(repo, ['--agent', 'claude-code', '--prompt', '--after'])).err, /--prompt goes with --hook alone/);
    assert.match((await cli(repo, ['--agent', 'claude-code', '--hook', '--prompt'], JSON.stringify({ cwd: repo, prompt: 'x' }))).err, /names no session/);
  });

  it('line endings converted on checkout (core.autocrlf): CRs are not counted as agent text', async () => {
    const repo = makeRepo({ 'w.txt': 'line one\nline two\n' });
    git(repo, 'config', 'core.autocrlf', 'true');
    fs.rmSync(path.join(repo, 'w.txt'));
    git(repo, 'checkout', '--', 'w.txt');
    assert.strictEqual(read(repo, 'w.txt'), 'line one\r\nline two\r\n');
    await cli(repo, ['--agent', 'codex', '--before']); // w.txt is clean: recovered from git at --after
    write(repo, 'w.txt', 'line one\r\nline two\r\nline three\r\n');
    assert.strictEqual((await cli(repo, ['--agent', 'codex', '--after'])).code, 0);
    assert.deepStrictEqual(
      runsOf(repo, 'w.txt').map((r) => r[0]),
      ['line three\r\n'],
    );
  });

  it('errors: --after without --before, outside a repository, bad usage', async () => {
    const repo = makeRepo({ 'x.ts': 'x\n' });
    const r = await cli(repo, ['--agent', 'claude-code', '--after']);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /no pending checkpoint for agent 'claude-code'/);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-norepo-'));
    // Every problem is one line on stderr with exit 2 (never a thrown error, never a stack trace).
    const expectUsage = async (p: Promise<{ code: number; err: string }>, re: RegExp) => {
      const u = await p;
      assert.strictEqual(u.code, 2);
      assert.match(u.err, re);
      assert.strictEqual(u.err.trim().split('\n').length, 1, u.err);
    };
    await expectUsage(cli(outside, ['--agent', 'a', '--before']), /not in a git repository/);
    await expectUsage(cli(repo, ['--before']), /missing --agent/);
    await expectUsage(cli(repo, ['--agent', 'a', '--before', '--after']), /exactly one/);
    const noGit = memoryIo(repo, { ...process.env, AI_PROVENANCE_GIT: '/nonexistent/git' });
    assert.strictEqual(await run(['--agent', 'a', '--before'], noGit, () => ''), 2);
    assert.match(noGit.stderr, /git was not found/);
  });
});

describe('checkpoint: inserted spans', () => {
  it('are the new text of the after version', () => {
    assert.deepStrictEqual(insertedSpans('abc\n', 'abc\ndef\n'), [{ start: 4, length: 4 }]);
    assert.deepStrictEqual(insertedSpans('keep this line\n', 'keep this line\n'), []);
    assert.deepStrictEqual(insertedSpans('', 'new'), [{ start: 0, length: 3 }]);
  });
});

describe('checkpoint: no claim without a snapshot', () => {
  it('--after for a path that --before did not snapshot records nothing for it', async () => {
    const repo = makeRepo({ 'p.ts': 'p\n', 'q.ts': 'existing human text\n' });
    assert.strictEqual((await cli(repo, ['--agent', 'claude-code', '--before', 'p.ts'])).code, 0);
    write(repo, 'p.ts', 'p\nagent\n');
    write(repo, 'q.ts', 'existing human text\nmore\n');
    const r = await cli(repo, ['--agent', 'claude-code', '--after', 'p.ts', 'q.ts']);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(runsOf(repo, 'p.ts').map((x) => x[0]), ['agent\n']);
    assert.deepStrictEqual(runsOf(repo, 'q.ts'), [], 'the whole of q.ts is not claimed by the agent');
    assert.match(r.out, /skipped q\.ts: no --before snapshot of this file/);
  });
});
