import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { refreshStagedState, WorkingProvenance } from '../../../src/commit/stagedState';
import { prepareCommitMessage, isAmendCommand } from '../../../src/commit/prepareCommitMessage';
import { readSnapshot } from '../../../src/commit/snapshot';
import { AiRange } from '../../../src/core/contribution/mapRanges';
import { MANIFEST_NOTES_REF, manifestRepoPath, parseManifest, rangeText, sha256Hex } from '../../../src/core/manifest/schema';
import { parsePolicy, resolvePolicy } from '../../../src/core/policy/policy';
import { Origin } from '../../../src/core/provenance/origin';
import { gitDir } from '../../../src/git/git';
import { CHAINED_SUFFIX, installHooks, uninstallHooks } from '../../../src/git/hooks';
import { applyTrailers, parseTrailers } from '../../../src/git/trailers';
import { GitRepo } from '../../../src/governance/git';
import { verifyCommit } from '../../../src/governance/verify';
import { trailersForManifest } from '../../../src/core/trailers/trailers';

/** Errors the CI-side verifier finds on HEAD (warnings ignored). */
async function verifyErrors(dir: string): Promise<string[]> {
  const report = await verifyCommit(GitRepo.open(dir), git(dir, 'rev-parse', 'HEAD').trim(), { expectedTrailers: trailersForManifest });
  return report.findings.filter((f) => f.severity === 'error' && f.rule !== 'review-missing').map((f) => `${f.rule}: ${f.message}`);
}

const chat: Origin = { kind: 'chat', tool: 'copilot-chat', model: 'gpt-5', timestamp: 1 };
const repoRoot = path.resolve(__dirname, '../../../..');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_EDITOR: 'true' } });
}

function makeRepo(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'aip-hook-')));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  fs.writeFileSync(path.join(dir, 'app.ts'), 'export const a = 1;\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

let cli: string;

/** A stand-in for dist/cli.js that runs only the `hook` subcommand (built from src with esbuild). */
function buildHookCli(): string {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aip-cli-')), 'cli.js');
  const entry = path.join(path.dirname(out), 'entry.ts');
  fs.writeFileSync(
    entry,
    `import { run } from ${JSON.stringify(path.join(repoRoot, 'src/cli/commands/hook'))};\n` +
      `const a = process.argv.slice(2);\n` +
      `if (a[0] !== 'hook') { process.stderr.write('only hook'); process.exit(2); }\n` +
      `run(a.slice(1), { cwd: process.cwd(), env: process.env, out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }).then((c) => process.exit(c));\n`,
  );
  execFileSync(path.join(repoRoot, 'node_modules/esbuild/bin/esbuild'), [entry, '--bundle', '--platform=node', '--format=cjs', `--outfile=${out}`, '--log-level=warning'], { cwd: repoRoot });
  return out;
}

const aiCode = 'export function sum(values: number[]): number {\n  return values.reduce((a, b) => a + b, 0);\n}\n';

/** Working copy with an AI function, staged; the extension's refresh run over it. */
async function stageAi(dir: string, location: 'repo' | 'notes' = 'repo'): Promise<{ text: string; id?: string }> {
  const text = 'export const a = 1;\n' + aiCode;
  fs.writeFileSync(path.join(dir, 'app.ts'), text);
  git(dir, 'add', 'app.ts');
  const r = await refresh(dir, text, location);
  return { text, id: r.manifest?.id };
}

async function refresh(dir: string, text: string, location: 'repo' | 'notes' = 'repo', code = aiCode, origin: Origin = chat, assistedBy: string[] = []) {
  const start = text.indexOf(code);
  const ranges: AiRange[] = start < 0 ? [] : [{ start, end: start + code.length, origin, text: code }];
  const working = new Map<string, WorkingProvenance>([['app.ts', { text, ranges }]]);
  const gd = await gitDir(dir);
  const previous = readSnapshot(gd);
  return refreshStagedState({
    root: dir,
    gitDir: gd,
    policy: { source: 'default', value: resolvePolicy() },
    manifestLocation: location,
    maxFileBytes: 1e6,
    generator: { name: 'ai-provenance', version: '0.0.0-test' },
    trailers: 'auto',
    assistedBy,
    working,
    previous: previous && !('error' in previous) ? previous : undefined,
  });
}

function commit(dir: string, ...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync('git', ['commit', '-q', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_EDITOR: 'true' } });
  return { status: r.status, stderr: r.stderr };
}

describe('commit hooks on temporary repositories', function () {
  this.timeout(60000);
  before(() => {
    cli = buildHookCli();
  });

  it('git commit -m with the hook: trailers added, the staged manifest committed and verifiable', async () => {
    const dir = makeRepo();
    const { id } = await stageAi(dir);
    assert.ok(id);
    const installed = await installHooks({ root: dir, cliPath: cli, nodePath: process.execPath });
    assert.deepStrictEqual(installed.installed, ['prepare-commit-msg', 'commit-msg', 'post-commit', 'post-rewrite']);
    const c = commit(dir, '-m', 'Add sum', '-m', 'Signed-off-by: Dev <dev@example.com>');
    assert.strictEqual(c.status, 0, c.stderr);
    const message = git(dir, 'log', '-1', '--format=%B');
    const trailers = await parseTrailers(message, dir);
    assert.deepStrictEqual(trailers.map((t) => `${t.key}: ${t.value}`), [
      'Signed-off-by: Dev <dev@example.com>',
      'AI-Assisted: yes',
      'AI-Contribution: 100% (3 of 3 added lines; chat 3)',
      'Assisted-by: copilot-chat:gpt-5',
      `AI-Provenance: ${id}`,
      'Review-Required: senior',
    ]);
    assert.ok(message.startsWith('Add sum\n\nSigned-off-by: Dev <dev@example.com>\nAI-Assisted: yes\n'), message);
    const m = parseManifest(git(dir, 'show', `HEAD:${manifestRepoPath(id!)}`));
    assert.ok(m.ok, JSON.stringify(!m.ok && m.errors));
    const committed = git(dir, 'show', 'HEAD:app.ts');
    const f = m.value.files.find((x) => x.path === 'app.ts')!;
    assert.strictEqual(f.sha256, sha256Hex(committed));
    assert.deepStrictEqual(f.ranges.map((r) => [r.startLine, r.endLine]), [[2, 4]]);
    assert.strictEqual(f.ranges[0].sha256, sha256Hex(rangeText(committed, 2, 4)));
    assert.strictEqual(m.value.base, git(dir, 'rev-parse', 'HEAD^').trim());
    assert.deepStrictEqual(await verifyErrors(dir), []);

    // After the commit nothing is staged: a refresh counts nothing and keeps no pending manifest.
    const after = await refresh(dir, committed);
    assert.strictEqual(after.empty, true);
    assert.strictEqual(after.snapshot.pendingManifestId, undefined);
    assert.ok(fs.existsSync(path.join(dir, manifestRepoPath(id!))), 'the committed manifest stays');
  });

  it('chains an existing hook (it still runs and can still refuse), and uninstall restores it', async () => {
    const dir = makeRepo();
    await stageAi(dir);
    const hooks = path.join(dir, '.git', 'hooks');
    const userHook = path.join(hooks, 'prepare-commit-msg');
    fs.writeFileSync(userHook, '#!/bin/sh\necho "[user hook ran]" >> "$1"\nif [ -f "$(dirname "$0")/refuse" ]; then exit 3; fi\n', { mode: 0o755 });
    const r = await installHooks({ root: dir, cliPath: cli, nodePath: process.execPath });
    assert.deepStrictEqual(r.chained, ['prepare-commit-msg']);
    assert.ok(fs.existsSync(userHook + CHAINED_SUFFIX));
    // Installing twice does not chain ourselves.
    const again = await installHooks({ root: dir, cliPath: cli, nodePath: process.execPath });
    assert.deepStrictEqual(again.chained, []);
    fs.writeFileSync(path.join(hooks, 'refuse'), '');
    assert.notStrictEqual(commit(dir, '-m', 'Refused').status, 0);
    fs.rmSync(path.join(hooks, 'refuse'));
    const c = commit(dir, '-m', 'Accepted');
    assert.strictEqual(c.status, 0, c.stderr);
    const message = git(dir, 'log', '-1', '--format=%B');
    assert.match(message, /\[user hook ran\]/);
    assert.match(message, /AI-Assisted: yes/);
    assert.deepStrictEqual(await uninstallHooks(dir), ['prepare-commit-msg', 'commit-msg', 'post-commit', 'post-rewrite']);
    assert.match(fs.readFileSync(userHook, 'utf8'), /user hook ran/);
    assert.ok(!fs.existsSync(userHook + CHAINED_SUFFIX));
  });

  it('honours core.hooksPath', async () => {
    const dir = makeRepo();
    git(dir, 'config', 'core.hooksPath', 'my-hooks');
    const r = await installHooks({ root: dir, cliPath: cli, nodePath: process.execPath });
    assert.strictEqual(r.hooksDir, path.join(dir, 'my-hooks'));
    assert.ok(fs.existsSync(path.join(dir, 'my-hooks', 'prepare-commit-msg')));
    assert.ok(!fs.existsSync(path.join(dir, '.git', 'hooks', 'prepare-commit-msg')));
  });

  it('notes location: the manifest becomes the new commit’s note', async () => {
    const dir = makeRepo();
    const { id } = await stageAi(dir, 'notes');
    assert.ok(!git(dir, 'diff', '--cached', '--name-only').includes('.ai-provenance'), 'nothing staged under .ai-provenance');
    await installHooks({ root: dir, cliPath: cli, nodePath: process.execPath });
    const c = commit(dir, '-m', 'Add sum');
    assert.strictEqual(c.status, 0, c.stderr);
    const note = parseManifest(git(dir, 'notes', '--ref', MANIFEST_NOTES_REF, 'show', 'HEAD'));
    assert.ok(note.ok);
    assert.strictEqual(note.value.id, id);
    assert.match(git(dir, 'log', '-1', '--format=%B'), new RegExp(`AI-Provenance: ${id}`));
    assert.deepStrictEqual(await verifyErrors(dir), []);
  });

  it('amend: measured against the parent, trailers replaced not duplicated', async () => {
    const dir = makeRepo();
    const { text } = await stageAi(dir);
    await installHooks({ root: dir, cliPath: cli, nodePath: process.execPath });
    assert.strictEqual(commit(dir, '-m', 'Add sum').status, 0);
    // A human line added and amended.
    const text2 = text + 'export const b = 2;\n';
    fs.writeFileSync(path.join(dir, 'app.ts'), text2);
    git(dir, 'add', 'app.ts');
    await refresh(dir, text2);
    const c = commit(dir, '--amend', '-m', 'Add sum and b');
    assert.strictEqual(c.status, 0, c.stderr);
    const trailers = await parseTrailers(git(dir, 'log', '-1', '--format=%B'), dir);
    const contribution = trailers.filter((t) => t.key === 'AI-Contribution');
    assert.deepStrictEqual(contribution.map((t) => t.value), ['75% (3 of 4 added lines; chat 3)']);
    assert.strictEqual(trailers.filter((t) => t.key === 'AI-Assisted').length, 1);
    const id = trailers.find((t) => t.key === 'AI-Provenance')!.value;
    const note = parseManifest(git(dir, 'notes', '--ref', MANIFEST_NOTES_REF, 'show', 'HEAD'));
    assert.ok(note.ok && note.value.id === id && note.value.base === git(dir, 'rev-parse', 'HEAD^').trim());
    assert.deepStrictEqual(await verifyErrors(dir), []);
  });

  it('a message reused from another commit (-C) gets that commit’s Assisted-by replaced, not kept', async () => {
    const dir = makeRepo();
    const { text } = await stageAi(dir);
    await installHooks({ root: dir, cliPath: cli, nodePath: process.execPath });
    assert.strictEqual(commit(dir, '-m', 'Add sum').status, 0);
    const other = 'export function twice(x: number): number {\n  const doubled = x * 2;\n  return doubled;\n}\n';
    const text2 = text + other;
    fs.writeFileSync(path.join(dir, 'app.ts'), text2);
    git(dir, 'add', 'app.ts');
    await refresh(dir, text2, 'repo', other, { kind: 'agent', tool: 'claude-code', model: 'opus', timestamp: 2 });
    const c = commit(dir, '-C', 'HEAD');
    assert.strictEqual(c.status, 0, c.stderr);
    const trailers = await parseTrailers(git(dir, 'log', '-1', '--format=%B'), dir);
    assert.deepStrictEqual(trailers.filter((t) => t.key === 'Assisted-by').map((t) => t.value), ['claude-code:opus']);
    assert.deepStrictEqual(trailers.filter((t) => t.key === 'AI-Contribution').map((t) => t.value), ['100% (4 of 4 added lines; agent 4)']);
    assert.deepStrictEqual(await verifyErrors(dir), []);
  });

  it('a message from the SCM box that already has our trailers passes the hook unchanged', async () => {
    const dir = makeRepo();
    const { text } = await stageAi(dir);
    const state = await refresh(dir, text);
    // What the extension puts into the box, and the Assisted-by values it then records as its own.
    const box = await applyTrailers('Add sum\n\nAssisted-by: copilot-chat:gpt-5\n', state.trailers, { cwd: dir });
    assert.deepStrictEqual(box.added.filter((t) => t.key === 'Assisted-by'), [], 'the user’s own identical Assisted-by is kept');
    const written = await applyTrailers('Add sum', state.trailers, { cwd: dir });
    await refresh(dir, text, 'repo', aiCode, chat, written.added.filter((t) => t.key === 'Assisted-by').map((t) => t.value));
    const file = path.join(dir, '.git', 'MSG');
    fs.writeFileSync(file, written.message);
    const r = await prepareCommitMessage(dir, file, 'message');
    assert.strictEqual(r.changed, false, fs.readFileSync(file, 'utf8'));
    assert.strictEqual(fs.readFileSync(file, 'utf8'), written.message);
  });

  it("the hook path applies the snapshot policy's risk rules as the editor did: AI-Risk, the level, the staged manifest kept", async () => {
    const dir = makeRepo();
    const text = 'export const a = 1;\n' + aiCode;
    fs.writeFileSync(path.join(dir, 'app.ts'), text);
    git(dir, 'add', 'app.ts');
    const start = text.indexOf(aiCode);
    const layer = parsePolicy(
      {
        review: { required: 'senior', levels: ['senior', 'principal'] },
        risk: { rules: [{ id: 'folds', patterns: ['\\.reduce\\('], level: 'principal', reason: 'an AI fold lost a sign in the 2025-30 ledger incident' }] },
      },
      { partial: true },
    );
    assert.ok(layer.ok);
    const gd = await gitDir(dir);
    const staged = await refreshStagedState({
      root: dir,
      gitDir: gd,
      policy: { source: 'repository', value: resolvePolicy(layer.value) },
      manifestLocation: 'repo',
      maxFileBytes: 1e6,
      generator: { name: 'ai-provenance', version: '0.0.0-test' },
      trailers: 'auto',
      assistedBy: [],
      working: new Map<string, WorkingProvenance>([['app.ts', { text, ranges: [{ start, end: start + aiCode.length, origin: chat, text: aiCode }] }]]),
    });
    assert.deepStrictEqual(staged.manifest?.risk?.map((h) => [h.id, h.files]), [['folds', [{ path: 'app.ts', lines: [[3, 3]] }]]]);
    const file = path.join(dir, '.git', 'MSG');
    fs.writeFileSync(file, 'Sum\n');
    const r = await prepareCommitMessage(dir, file, 'message');
    assert.strictEqual(r.manifestId, staged.manifest!.id, 'the hook keeps the manifest the editor staged (same claims, risk included)');
    assert.strictEqual(r.manifestLocation, 'repo');
    const message = fs.readFileSync(file, 'utf8');
    assert.match(message, /Review-Required: principal\nAI-Risk: folds\n/, message);
  });

  it('prepareCommitMessage is idempotent and leaves an empty (editor) message for commit-msg', async () => {
    const dir = makeRepo();
    await stageAi(dir);
    const file = path.join(dir, '.git', 'MSG');
    fs.writeFileSync(file, 'Subject\n\nCo-authored-by: Copilot <copilot@github.com>\n');
    const first = await prepareCommitMessage(dir, file, 'message');
    assert.strictEqual(first.changed, true);
    const once = fs.readFileSync(file, 'utf8');
    const second = await prepareCommitMessage(dir, file, 'message', { hook: 'commit-msg' });
    assert.strictEqual(second.changed, false);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), once);
    assert.ok(once.startsWith('Subject\n\nCo-authored-by: Copilot <copilot@github.com>\nAI-Assisted: yes\n'));
    fs.writeFileSync(file, '\n# Please enter the commit message\n');
    const empty = await prepareCommitMessage(dir, file, '');
    assert.strictEqual(empty.changed, false);
    const merged = await prepareCommitMessage(dir, file, 'merge');
    assert.strictEqual(merged.changed, false);
  });

  it('without a snapshot nor saved provenance a change is measured as human; a stale snapshot does not count changed text', async () => {
    const dir = makeRepo();
    const file = path.join(dir, '.git', 'MSG');
    fs.writeFileSync(file, 'Subject\n');
    const r = await prepareCommitMessage(dir, file, 'message');
    assert.strictEqual(r.changed, false);
    assert.match(r.notes.join('\n'), /nothing to commit/);
    fs.writeFileSync(path.join(dir, 'app.ts'), 'export const a = 2;\n');
    git(dir, 'add', 'app.ts');
    const h = await prepareCommitMessage(dir, file, 'message');
    assert.deepStrictEqual(h.trailers, [{ key: 'AI-Assisted', value: 'no' }]);
    fs.writeFileSync(file, 'Subject\n');
    await stageAi(dir);
    // The file is re-staged with different content after the editor's snapshot.
    fs.writeFileSync(path.join(dir, 'app.ts'), 'export const a = 1;\nexport const typed = 2;\n');
    git(dir, 'add', 'app.ts');
    const s = await prepareCommitMessage(dir, file, 'message');
    assert.match(s.notes.join('\n'), /changed after the editor last saw it/);
    assert.deepStrictEqual(s.trailers.map((t) => t.key), ['AI-Assisted']);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'Subject\n\nAI-Assisted: no\n');
  });

  it('the hooks start the program once for git commit -m: commit-msg only when the message changed since, post-commit only for a pending note', async () => {
    const dir = makeRepo();
    // A stand-in for dist/cli.js that records each hook run, then runs it.
    const log = path.join(dir, '.git', 'hook-runs.log');
    const wrapper = path.join(path.dirname(cli), `logging-${path.basename(dir)}.js`);
    fs.writeFileSync(wrapper, `require('fs').appendFileSync(${JSON.stringify(log)}, process.argv[3] + '\\n');\nrequire(${JSON.stringify(cli)});\n`);
    await installHooks({ root: dir, cliPath: wrapper, nodePath: process.execPath });
    const runs = (): string[] => {
      const r = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      fs.rmSync(log, { force: true });
      return r;
    };
    const stateFile = (name: string) => path.join(dir, '.git', 'ai-provenance', name);

    // A human change with -m: prepare-commit-msg alone does the work.
    fs.writeFileSync(path.join(dir, 'app.ts'), 'export const a = 2;\n');
    assert.strictEqual(commit(dir, '-a', '-m', 'Human change').status, 0);
    assert.deepStrictEqual(runs(), ['prepare-commit-msg']);
    assert.strictEqual(git(dir, 'log', '-1', '--format=%B'), 'Human change\n\nAI-Assisted: no\n\n');
    assert.ok(!fs.existsSync(stateFile('hook-message.txt')), 'post-commit removes the prepared message');
    assert.ok(!fs.existsSync(stateFile('hook-assisted-by.json')));

    // The editor: prepare-commit-msg sees no message yet, so commit-msg does the work.
    fs.writeFileSync(path.join(dir, 'app.ts'), 'export const a = 3;\n');
    const edited = spawnSync('git', ['commit', '-q', '-a'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_EDITOR: `sh -c 'printf "Edited\\n" > "$1"' -` } });
    assert.strictEqual(edited.status, 0, edited.stderr);
    assert.deepStrictEqual(runs(), ['prepare-commit-msg', 'commit-msg']);
    assert.strictEqual(git(dir, 'log', '-1', '--format=%B'), 'Edited\n\nAI-Assisted: no\n\n');

    // A user's commit-msg hook that changes the message after ours prepared it: ours runs again.
    const hooksDir = path.join(dir, '.git', 'hooks');
    fs.writeFileSync(path.join(hooksDir, 'commit-msg.pre-ai-provenance'), '#!/bin/sh\nprintf "Change-Id: I123\\n" >> "$1"\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'app.ts'), 'export const a = 4;\n');
    assert.strictEqual(commit(dir, '-a', '-m', 'With an id').status, 0);
    assert.deepStrictEqual(runs(), ['prepare-commit-msg', 'commit-msg']);
    const withId = git(dir, 'log', '-1', '--format=%B');
    assert.ok(withId.startsWith('With an id\n\n') && withId.includes('Change-Id: I123\n') && withId.split('AI-Assisted: no').length === 2, withId);
    fs.rmSync(path.join(hooksDir, 'commit-msg.pre-ai-provenance'));

    // AI text whose manifest becomes a note: post-commit runs and attaches it.
    const { id } = await stageAi(dir, 'notes');
    assert.strictEqual(commit(dir, '-m', 'Add sum').status, 0);
    assert.deepStrictEqual(runs(), ['prepare-commit-msg', 'post-commit']);
    const note = parseManifest(git(dir, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', 'HEAD'));
    assert.ok(note.ok && note.value.totals.aiLines === 3, JSON.stringify(note));
    assert.ok(!id || note.value.id !== undefined);
    assert.ok(!fs.existsSync(stateFile('pending-note.json')));

    // An amend from the terminal is told from the git process's command line: the AI lines stay.
    // post-rewrite then checks that the amended commit has its record (found: nothing written).
    assert.strictEqual(commit(dir, '--amend', '-m', 'Add sum, renamed').status, 0);
    assert.deepStrictEqual(runs(), ['prepare-commit-msg', 'post-commit', 'post-rewrite']);
    assert.match(git(dir, 'log', '-1', '--format=%B'), /^Add sum, renamed\n\nAI-Assisted: yes\nAI-Contribution: 75% \(3 of 4 added lines/);
  });

  it('recognises git commit --amend command lines', () => {
    assert.strictEqual(isAmendCommand('git commit --amend -m x'), true);
    assert.strictEqual(isAmendCommand('/usr/lib/git-core/git commit -q --amend'), true);
        assert.strictEqual(isAmendCommand('git commit -m x'), false);
    assert.strictEqual(isAmendCommand(undefined), false);
  });
});
