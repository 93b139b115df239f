// Files changed by git in a terminal while they are open (stash and pop, a checkout away and
// back, git restore), and files renamed outside the editor (git mv, mv), in a real VS Code: the AI
// lines keep their origin through each, and the commit that follows (from the Source Control view)
// has them in its manifest, no more and no fewer. A human file that appears after an AI file was
// deleted, and only resembles it, gets nothing.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import type { GitExtension, GitRepository } from '../../src/commit/gitApi';
import { Manifest, manifestRepoPath, parseManifest } from '../../src/core/manifest/schema';
import { PersistedState, parseState, sha256 } from '../../src/core/persistence/schema';
import { EXTENSION_ID, closeAllEditors, hostTag, hostVariant, saveDocument, sleep, waitFor, workspaceFolder } from './support/host';

function git(...args: string[]): Promise<string> {
  step(`git ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd: root(), env: { ...process.env, GIT_EDITOR: 'true' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Progress of the running test, in the host's log (a test that times out says where it was). */
function step(what: string): void {
  console.log(`[outside git] ${what}`);
}

function root(): string {
  return workspaceFolder().uri.fsPath;
}

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

async function repository(): Promise<GitRepository> {
  const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
  assert.ok(ext, 'the built-in Git extension is not available');
  const gitApi = (ext.isActive ? ext.exports : await ext.activate()).getAPI(1);
  return waitFor(() => gitApi.repositories.find((r) => path.resolve(r.rootUri.fsPath) === path.resolve(root())), 20_000, 'the Git extension did not open the workspace');
}

let counter = 0;
/** A repository-relative path no earlier test used. */
function freshRel(stem: string): string {
  for (;;) {
    const rel = `src/outside-${stem}-${hostVariant()}-${++counter}.js`;
    if (!fs.existsSync(path.join(root(), rel))) return rel;
  }
}

const HEADER = "'use strict';\n// written by a person\n";
const HUMAN_LINE = 'const typedByHand = 42;\n';
const aiCode = (name: string) =>
  `function ${name}(items) {\n  let sum = 0;\n  for (const item of items) sum += item.price * item.quantity;\n  return sum;\n}\n`;

/** Writes `rel` with `content`, opens it and returns its editor. */
async function open(rel: string, content?: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.joinPath(workspaceFolder().uri, rel);
  if (content !== undefined) await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
}

/** A new file with the header, committed as a human commit and open in an editor. */
async function openCommitted(name: string, message: string): Promise<{ rel: string; editor: vscode.TextEditor; doc: vscode.TextDocument }> {
  const rel = freshRel(name);
  const editor = await open(rel, HEADER);
  await git('add', '--', rel);
  await git('commit', '-q', '--no-verify', '-m', message, '-m', 'AI-Assisted: no');
  return { rel, editor, doc: editor.document };
}

async function save(doc: vscode.TextDocument): Promise<void> {
  step(`saving ${doc.uri.fsPath}`);
  await saveDocument(doc);
}

/** Appends `code` as an agent edit recorded through the API and saves. */
async function appendAi(a: AiProvenanceApi, editor: vscode.TextEditor, code: string): Promise<void> {
  const doc = editor.document;
  const start = doc.positionAt(doc.getText().length);
  assert.ok(await editor.edit((b) => b.insert(start, code)));
  assert.ok(a.recordAiEdit(doc.uri, new vscode.Range(start, doc.positionAt(doc.getText().length)), { tool: 'outside-agent', model: 'model-o', kind: 'agent' }));
  await save(doc);
}

/** The text of each AI range of `doc` (unknown ranges are not AI). */
function aiTexts(a: AiProvenanceApi, doc: vscode.TextDocument): string[] {
  return a.getRanges(doc.uri).filter((r) => r.kind !== 'unknown').map((r) => doc.getText(r.range));
}

/** True when the AI ranges of `doc` hold exactly the non-blank characters of `code` (line ends aside). */
function aiIs(a: AiProvenanceApi, doc: vscode.TextDocument, code: string): boolean {
  return aiTexts(a, doc).join('').replace(/\s/g, '') === code.replace(/\s/g, '');
}

async function flush(): Promise<void> {
  await vscode.commands.executeCommand('aiProvenance.internal.flushProvenance');
}

/** Waits until the open `doc` shows `text` (VS Code reloaded it from disk) and the reload settled. */
async function reloaded(doc: vscode.TextDocument, text: string, what: string): Promise<void> {
  step(`waiting for the reload after ${what}`);
  // VS Code's file watcher brings the change in; on a loaded machine (1.90 especially) that can take a while.
  await waitFor(() => doc.getText() === text && !doc.isDirty, 60_000, `the editor did not reload the file after ${what}`);
  await sleep(800);
}

/** 1-based numbers of the lines of `text` that are lines of `code`. */
function linesOf(text: string, code: string): number[] {
  const wanted = new Set(code.split('\n').filter((l) => l.trim()));
  return text
    .split('\n')
    .map((l, i) => (wanted.has(l) ? i + 1 : 0))
    .filter((n) => n > 0);
}

/** The extension's saved state of the repository (state.json). */
function readState(): PersistedState {
  return parseState(fs.readFileSync(path.join(root(), '.git', 'ai-provenance', 'state.json'), 'utf8')).state;
}

/**
 * `ai-provenance checkpoint` as an agent working outside the editor runs it, in another process
 * (the extension keeps running, as it does while an agent works).
 */
function checkpoint(...args: string[]): Promise<string> {
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  step(`checkpoint ${args.join(' ')}`);
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [cli, 'checkpoint', '--agent', 'outside-agent', '--model', 'model-o', ...args],
      { cwd: root(), env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
}

/** Waits until state.json's entry of `rel` satisfies `ok` (the extension handled a change of the closed file). */
async function savedEntry(rel: string, ok: (entry: PersistedState['files'][string] | undefined) => boolean, what: string): Promise<void> {
  step(`waiting for the saved entry after ${what}`);
  await waitFor(() => ok(readState().files[rel]), 60_000, `state.json after ${what}: ${JSON.stringify(readState().files[rel])}`, 200);
}

/**
 * Stages `paths` (git add -A), commits from the Source Control view and returns the commit's
 * manifest (undefined when the commit has no AI-Provenance trailer). `expectAi`: wait for the
 * trailers of a measurement that found AI lines.
 */
async function commitFromScm(message: string, paths: string[], expectAi = true): Promise<Manifest | undefined> {
  const repo = await repository();
  await git('add', '-A', '--', ...paths);
  repo.inputBox.value = message;
  // With AI staged, the trailers of that measurement; without, the box's trailers once settled.
  const trailers = expectAi ? /AI-Provenance: / : /AI-Assisted: /;
  await waitFor(() => trailers.test(repo.inputBox.value), 20_000, `trailers never appeared in the box (${JSON.stringify(repo.inputBox.value)})`);
  await sleep(expectAi ? 500 : 3000);
  // The Git extension commits what its own view of the index holds: wait until it has seen these.
  const staged = paths.map((p) => path.join(root(), p)).filter((f) => fs.existsSync(f));
  await waitFor(
    () => staged.every((f) => repo.state.indexChanges.some((c) => path.resolve(c.uri.fsPath) === path.resolve(f))),
    20_000,
    `the Git extension does not list ${staged.join(', ')} as staged`,
  );
  const headBefore = (await git('rev-parse', 'HEAD')).trim();
  step('git.commit');
  await vscode.commands.executeCommand('git.commit', repo);
  await waitFor(async () => (await git('rev-parse', 'HEAD')).trim() !== headBefore, 20_000, 'git.commit did not create a commit');
  const body = await git('log', '-1', '--format=%B');
  const id = /^AI-Provenance: (\S+)$/m.exec(body)?.[1];
  if (!id) return undefined;
  const parsed = parseManifest(await git('show', `HEAD:${manifestRepoPath(id)}`));
  assert.ok(parsed.ok, 'manifest invalid');
  return parsed.value;
}

/** Checks that the manifest's AI lines of `rel` are exactly the lines of `code` in the commit. */
async function assertAiLines(m: Manifest | undefined, rel: string, code: string): Promise<void> {
  assert.ok(m, 'the commit has no manifest');
  const committed = await git('show', `HEAD:${rel}`);
  const entry = m.files.find((f) => f.path === rel);
  assert.ok(entry, `${rel} not in the manifest (${m.files.map((f) => f.path).join(', ')})`);
  const lines = entry.ranges.flatMap((r) => Array.from({ length: r.endLine - r.startLine + 1 }, (_, i) => r.startLine + i));
  assert.deepStrictEqual(lines, linesOf(committed, code), `AI lines of ${rel} in the manifest (committed text:\n${committed})`);
  assert.ok(entry.ranges.every((r) => r.kind === 'agent' && r.tool === 'outside-agent'), JSON.stringify(entry.ranges));
}

describe(`outside git ${hostTag()}`, function () {
  this.timeout(120_000);

  afterEach(async () => {
    await closeAllEditors();
  });

  it(`git stash then git stash pop while the file is open: the AI lines are AI again and committed as AI ${hostTag()}`, async () => {
    const a = await api();
    const { rel, editor, doc } = await openCommitted('stash', 'Stash base');
    const code = aiCode('stashTotal');
    await appendAi(a, editor, code);
    assert.ok(await editor.edit((b) => b.insert(doc.positionAt(doc.getText().length), HUMAN_LINE)));
    await save(doc);
    const saved = doc.getText();
    await flush();

    await git('stash', 'push', '--', rel);
    await reloaded(doc, HEADER, 'git stash');
    assert.deepStrictEqual(aiTexts(a, doc), []);
    await git('stash', 'pop');
    await reloaded(doc, saved, 'git stash pop');
    await waitFor(() => aiIs(a, doc, code), 10_000, `AI marks not back after the pop: ${JSON.stringify(a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind]))}`);
    const human = doc.getText().indexOf(HUMAN_LINE);
    assert.ok(
      a.getRanges(doc.uri).every((r) => r.kind === 'unknown' || doc.offsetAt(r.range.end) <= human),
      'the line typed by hand is not AI',
    );
    await assertAiLines(await commitFromScm('Stash and pop', [rel]), rel, code);
  });

  it(`git stash then git stash pop while the file is closed: the AI lines are AI again, the person's lines are not, and the commit has them as AI ${hostTag()}`, async () => {
    const a = await api();
    const rel = freshRel('stash-closed');
    const file = path.join(root(), rel);
    const base = HEADER + HUMAN_LINE;
    fs.writeFileSync(file, base);
    await git('add', '--', rel);
    await git('commit', '-q', '--no-verify', '-m', 'Stash closed base', '-m', 'AI-Assisted: no');
    // An agent writes a function into the file, which is not open, and records it; then a person
    // adds a line of their own with another editor.
    const code = aiCode('stashClosedTotal');
    await checkpoint('--before', file);
    fs.writeFileSync(file, base + code);
    await checkpoint('--after', file);
    await savedEntry(rel, (e) => e?.sha256 === sha256(base + code), 'the checkpoint');
    const outside = 'const addedElsewhere = readConfig("outside");\n';
    const saved = base + code + outside;
    fs.writeFileSync(file, saved);
    await savedEntry(rel, (e) => e?.sha256 === sha256(saved), 'the edit in another editor');
    assert.ok(
      vscode.workspace.textDocuments.every((d) => path.resolve(d.uri.fsPath) !== path.resolve(file)),
      'the file is not open in VS Code',
    );

    await git('stash', 'push', '--', rel);
    // The stashed text has nothing marked left: its entry goes.
    await savedEntry(rel, (e) => e === undefined, 'git stash');
    await git('stash', 'pop');
    await savedEntry(rel, (e) => e?.sha256 === sha256(saved), 'git stash pop');

    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc, { preview: false });
    await waitFor(() => aiIs(a, doc, code), 15_000, `AI marks not back after the pop: ${JSON.stringify(a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind]))}`);
    // Precision: the person's lines (committed, and added in another editor) are not AI.
    const ai = a.getRanges(doc.uri).filter((r) => r.kind !== 'unknown');
    const codeStart = doc.getText().indexOf(code);
    assert.ok(ai.every((r) => doc.offsetAt(r.range.start) >= codeStart && doc.offsetAt(r.range.end) <= codeStart + code.length), JSON.stringify(ai.map((r) => doc.getText(r.range))));
    assert.deepStrictEqual(
      a.getRanges(doc.uri).filter((r) => r.kind === 'unknown').map((r) => doc.getText(r.range)),
      [outside],
      'the line from another editor is unknown, not AI',
    );
    await assertAiLines(await commitFromScm('Stash and pop of a closed file', [rel]), rel, code);
  });

  it(`checkout away and back while the file is open: the AI lines are AI again and committed as AI ${hostTag()}`, async () => {
    const a = await api();
    const { rel, editor, doc } = await openCommitted('checkout', 'Checkout base');
    const code = aiCode('checkoutTotal');
    await appendAi(a, editor, code);
    const saved = doc.getText();
    await flush();
    // Work in progress committed without the hook, then a look at the previous commit and back.
    await git('add', '--', rel);
    await git('commit', '-q', '--no-verify', '-m', 'wip');
    await git('checkout', '-q', '--detach', 'HEAD~1');
    await reloaded(doc, HEADER, 'git checkout HEAD~1');
    await git('checkout', '-q', '-');
    await reloaded(doc, saved, 'git checkout back');
    await waitFor(() => aiIs(a, doc, code), 10_000, `AI marks not back after the checkout: ${JSON.stringify(a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind]))}`);
    // The work-in-progress commit is undone (the text stays) and committed again from the view.
    await git('reset', '-q', 'HEAD~1');
    await assertAiLines(await commitFromScm('Checkout away and back', [rel]), rel, code);
  });

  it(`git restore of a file whose AI function was deleted and saved: the AI lines come back as AI ${hostTag()}`, async () => {
    const a = await api();
    const rel = freshRel('restore');
    const editor = await open(rel, HEADER);
    const doc = editor.document;
    const code = aiCode('restoreTotal');
    await appendAi(a, editor, code);
    const saved = doc.getText();
    await git('add', '--', rel);
    // Deleted by mistake in the editor and saved; then brought back from the index.
    assert.ok(await editor.edit((b) => b.delete(new vscode.Range(doc.positionAt(HEADER.length), doc.positionAt(doc.getText().length)))));
    await save(doc);
    await git('restore', '--', rel);
    await reloaded(doc, saved, 'git restore');
    await waitFor(() => aiIs(a, doc, code), 10_000, `AI marks not back after git restore: ${JSON.stringify(a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind]))}`);
    await assertAiLines(await commitFromScm('Restore', [rel]), rel, code);
  });

  for (const how of ['git mv', 'mv'] as const) {
    it(`${how} in a terminal, then opened under the new name and edited: the AI lines are committed as AI ${hostTag()}`, async () => {
      const a = await api();
      const rel = freshRel(how === 'mv' ? 'mv-from' : 'gitmv-from');
      const editor = await open(rel, HEADER);
      await git('add', '--', rel);
      await git('commit', '-q', '--no-verify', '-m', `${how} base`, '-m', 'AI-Assisted: no');
      const code = aiCode(how === 'mv' ? 'mvTotal' : 'gitMvTotal');
      await appendAi(a, editor, code);
      await flush();
      await closeAllEditors();
      const to = freshRel(how === 'mv' ? 'mv-to' : 'gitmv-to');
      if (how === 'git mv') await git('mv', '--', rel, to);
      else fs.renameSync(path.join(root(), rel), path.join(root(), to));

      const moved = await open(to);
      const doc = moved.document;
      await waitFor(() => aiIs(a, doc, code), 15_000, `AI marks did not follow the rename: ${JSON.stringify(a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind]))}`);
      // An edit by hand after the move.
      assert.ok(await moved.edit((b) => b.insert(new vscode.Position(1, 0), HUMAN_LINE)));
      await save(doc);
      // After git mv the old path is gone from the index as well.
      await assertAiLines(await commitFromScm(`${how} and edit`, how === 'mv' ? [rel, to] : [to]), to, code);
    });
  }

  it(`precision: a human file that appears after an AI file was deleted, and only resembles it, gets no AI ${hostTag()}`, async () => {
    const a = await api();
    const rel = freshRel('deleted-ai');
    const editor = await open(rel, HEADER);
    const code = aiCode('deletedTotal');
    await appendAi(a, editor, code);
    await flush();
    await closeAllEditors();
    fs.rmSync(path.join(root(), rel));
    // Shares a few lines with the deleted file: below git's rename threshold.
    const human =
      `${HEADER}const rows = load();\nfunction byHand(rows) {\n  let sum = 0;\n  for (const row of rows) sum += row.weight;\n` +
      '  rows.sort((x, y) => x.weight - y.weight);\n  console.log(rows.length, sum);\n  return rows.map((r) => r.weight * 2);\n}\nmodule.exports = { byHand, rows };\n';
    const to = freshRel('human-new');
    fs.writeFileSync(path.join(root(), to), human);
    await sleep(1500); // the watcher's creation event and its handling
    const doc = (await open(to)).document;
    await sleep(1000);
    assert.deepStrictEqual(a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind]), []);
    const m = await commitFromScm('A file by hand', [to], false);
    const entry = m?.files.find((f) => f.path === to);
    assert.ok(!entry || entry.aiLines === 0, `the human file has AI lines in the manifest: ${JSON.stringify(entry)}`);
  });
});
