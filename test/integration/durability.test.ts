// Durability in a real VS Code: provenance saved to <git dir>/ai-provenance/state.json and restored,
// carried through renames, re-anchored after outside changes, merged from agent checkpoints, and a
// corrupt state file set aside. A window reload cannot be driven from inside the suite, so the
// internal command aiProvenance.internal.reloadPersistence stands in for it: it saves
// synchronously as deactivation does, forgets the provenance of open documents, and restores it
// from disk.
import * as assert from 'assert';
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi, ApiRange } from '../../src/api';
import { entryFromRuns, withFiles } from '../../src/core/persistence/entries';
import { PersistedState, parseState, sha256 } from '../../src/core/persistence/schema';
import { StateDir } from '../../src/core/persistence/stateDir';
import { OriginTable } from '../../src/core/provenance/originTable';
import { EXTENSION_ID, closeAllEditors, hostTag, hostVariant, openScratchFile, saveDocument, sleep, waitFor, workspaceFolder } from './support/host';

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

function root(): string {
  return workspaceFolder().uri.fsPath;
}

function stateDir(): string {
  return path.join(root(), '.git', 'ai-provenance');
}

function readState(): PersistedState {
  return parseState(fs.readFileSync(path.join(stateDir(), 'state.json'), 'utf8')).state;
}

function relOf(uri: vscode.Uri): string {
  return path.relative(root(), uri.fsPath).split(path.sep).join('/');
}

/** [text, kind, tool] of every saved run of `rel`. */
function savedRuns(rel: string): [string, string, string][] {
  const state = readState();
  return (state.files[rel]?.runs ?? []).map((r) => [r.text, state.origins[r.origin - 1].kind, state.origins[r.origin - 1].tool]);
}

function shown(document: vscode.TextDocument, ranges: ApiRange[]): [string, string, string][] {
  return ranges.map((r) => [document.getText(r.range), r.kind, r.tool]);
}

async function flush(): Promise<void> {
  await vscode.commands.executeCommand('aiProvenance.internal.flushProvenance');
}

const quietLog = { info() {}, warn() {}, error() {} };

/**
 * Closes the active editor without saving (its text on disk is `onDisk`), waits until state.json
 * describes that text with the `expected` runs, reopens the file and checks that the same ranges
 * are restored. Returns them.
 */
async function closeWithoutSavingAndReopen(a: AiProvenanceApi, uri: vscode.Uri, onDisk: string, expected: [string, string, string][]): Promise<ApiRange[]> {
  const rel = relOf(uri);
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  assert.strictEqual(fs.readFileSync(uri.fsPath, 'utf8'), onDisk);
  await waitFor(
    async () => {
      await flush();
      return readState().files[rel]?.sha256 === sha256(onDisk);
    },
    15_000,
    `state.json still describes the discarded text: ${JSON.stringify(readState().files[rel])}`,
    200,
  );
  assert.deepStrictEqual(savedRuns(rel), expected, 'saved ranges after the discard');
  const reopened = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(reopened);
  const ranges = await waitFor(() => (a.getRanges(uri).length ? a.getRanges(uri) : undefined), 10_000, 'restored on reopen');
  assert.deepStrictEqual(shown(reopened, ranges), expected);
  return ranges;
}

describe(`durability ${hostTag()}`, function () {
  this.timeout(60_000);

  afterEach(async () => {
    await closeAllEditors();
  });

  it(`saves AI ranges to <git dir>/ai-provenance/state.json and restores them from it after a reload ${hostTag()}`, async () => {
    const a = await api();
    const editor = await openScratchFile('durable.js', 'const a = 1;\nconst generated = compute(a, 2);\n');
    const doc = editor.document;
    const range = new vscode.Range(1, 0, 1, 'const generated = compute(a, 2);'.length);
    assert.ok(a.recordAiEdit(doc.uri, range, { tool: 'test-tool', model: 'model-1' }));
    await doc.save();
    await flush();

    const rel = relOf(doc.uri);
    const state = readState();
    assert.strictEqual(state.files[rel].sha256, sha256(doc.getText()), 'the entry names the text it describes');
    assert.deepStrictEqual(savedRuns(rel), [['const generated = compute(a, 2);', 'chat', 'test-tool']]);
    const where = (await vscode.commands.executeCommand('aiProvenance.internal.provenanceLocation', doc.uri)) as { statePath: string; key: string };
    assert.deepStrictEqual(where, { statePath: path.join(stateDir(), 'state.json'), key: rel, kind: 'repo' }, 'saved in the git directory, not in the work tree');
    assert.strictEqual(execFileSync('git', ['status', '--porcelain', '--ignored', '--untracked-files=all'], { cwd: root(), encoding: 'utf8' }).includes('state.json'), false);

    // Change the saved model on disk: what comes back after the reload can only come from the file.
    const raw = JSON.parse(fs.readFileSync(path.join(stateDir(), 'state.json'), 'utf8'));
    raw.origins[state.files[rel].runs[0].origin - 1].model = 'model-from-disk';
    fs.writeFileSync(path.join(stateDir(), 'state.json'), JSON.stringify(raw));

    await vscode.commands.executeCommand('aiProvenance.internal.reloadPersistence');
    const ranges = a.getRanges(doc.uri);
    assert.deepStrictEqual(shown(doc, ranges), [['const generated = compute(a, 2);', 'chat', 'test-tool']]);
    assert.strictEqual(ranges[0].model, 'model-from-disk');
    assert.ok(ranges[0].range.isEqual(range));
  });

  it(`ranges follow a rename made with a WorkspaceEdit, in memory and on disk ${hostTag()}`, async () => {
    const a = await api();
    const editor = await openScratchFile('before-rename.js', 'let x = 0;\nlet y = aiWroteThis(x);\n');
    const oldUri = editor.document.uri;
    assert.ok(a.recordAiEdit(oldUri, new vscode.Range(1, 0, 1, 'let y = aiWroteThis(x);'.length), { tool: 'test-tool' }));
    await editor.document.save();
    await flush();
    assert.strictEqual(savedRuns(relOf(oldUri)).length, 1);

    const newUri = vscode.Uri.joinPath(workspaceFolder().uri, 'moved', `after-rename-${hostVariant()}-${Date.now()}.js`);
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(oldUri, newUri);
    assert.ok(await vscode.workspace.applyEdit(edit), 'rename applied');
    const newDoc = await vscode.workspace.openTextDocument(newUri);
    await waitFor(() => a.getRanges(newUri).length > 0, 10_000, 'ranges at the new name');
    assert.deepStrictEqual(shown(newDoc, a.getRanges(newUri)), [['let y = aiWroteThis(x);', 'chat', 'test-tool']]);
    await waitFor(
      async () => {
        await flush();
        const s = readState();
        return !!s.files[relOf(newUri)] && !s.files[relOf(oldUri)];
      },
      10_000,
      'state.json moved the entry to the new path',
      200,
    );
    assert.deepStrictEqual(savedRuns(relOf(newUri)), [['let y = aiWroteThis(x);', 'chat', 'test-tool']]);
  });

  it(`a closed file changed on disk is re-anchored; the new text is unknown, not AI and not human ${hostTag()}`, async () => {
    const a = await api();
    const rel = `closed-${hostVariant()}-${Date.now()}.js`;
    const file = path.join(root(), rel);
    const oldText = 'function human() {}\nconst ai = generatedByModel(42);\n';
    fs.writeFileSync(file, oldText);
    // Saved provenance for the file, as an earlier session left it.
    const live = new OriginTable();
    const id = live.intern({ kind: 'chat', tool: 'test-tool', timestamp: 1 });
    const piece = 'const ai = generatedByModel(42);';
    await new StateDir(stateDir(), quietLog, 'test').update((current) => {
      const table = OriginTable.fromJSON(current.origins);
      const entry = entryFromRuns(oldText, [{ start: oldText.indexOf(piece), length: piece.length, origin: id, text: piece }], (i) => live.get(i), table);
      return { state: withFiles(current, { [rel]: entry }, table.toJSON()), texts: new Map([[sha256(oldText), oldText]]) };
    });
    await sleep(300);

    const newText = '// added outside the editor\n' + oldText.replace('function human() {}', 'function human() { return 1; }');
    fs.writeFileSync(file, newText);
    await waitFor(() => readState().files[rel]?.sha256 === sha256(newText), 15_000, 'the extension re-anchored the closed file', 100);
    assert.deepStrictEqual(savedRuns(rel), [
      ['// added outside the editor\n', 'unknown', 'disk'],
      [' return 1; ', 'unknown', 'disk'],
      [piece, 'chat', 'test-tool'],
    ]);

    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await waitFor(() => a.getRanges(doc.uri).length === 3, 10_000, 'restored on open');
    assert.deepStrictEqual(shown(doc, a.getRanges(doc.uri)), savedRuns(rel));
    assert.strictEqual(a.getFileShare(doc.uri)?.aiCharacters, piece.length, 'unknown text is not AI');
  });

  it(`an agent checkpoint (CLI) on an open file wins over the unknown mark of the disk reload ${hostTag()}`, async () => {
    const a = await api();
    const editor = await openScratchFile('agent.js', 'first();\n');
    const doc = editor.document;
    const file = doc.uri.fsPath;
    const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    // In another process while this extension host keeps running (as an agent runs it): a
    // synchronous run would stop the extension mid-save with the state lock held.
    const run = (...args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [cli, 'checkpoint', '--agent', 'test-agent', '--session', 's-1', ...args], { cwd: root(), env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
    await run('--before', file);
    fs.writeFileSync(file, 'first();\nsecond();\n'); // the agent's edit, outside the editor
    await run('--after', file);
    await waitFor(() => doc.getText() === 'first();\nsecond();\n', 15_000, 'the editor reloaded the file');
    await waitFor(
      () => shown(doc, a.getRanges(doc.uri)).some(([t, k]) => t === 'second();\n' && k === 'agent'),
      15_000,
      'agent range merged into the open document',
      100,
    );
    assert.deepStrictEqual(shown(doc, a.getRanges(doc.uri)), [['second();\n', 'agent', 'test-agent']]);
    assert.strictEqual(a.getRanges(doc.uri)[0].requestId, 's-1');
    await flush();
    assert.deepStrictEqual(savedRuns(relOf(doc.uri)), [['second();\n', 'agent', 'test-agent']]);
  });

  it(`a second repository in the workspace has its own state, and a move into it carries the ranges ${hostTag()}`, async () => {
    const a = await api();
    const sub = path.join(root(), `nested-${hostVariant()}-${Date.now()}`);
    fs.mkdirSync(sub);
    execFileSync('git', ['init', '-q', sub]);
    const inner = path.join(sub, 'inner.js');
    fs.writeFileSync(inner, 'inner();\nnested();\n');
    const innerDoc = await vscode.workspace.openTextDocument(vscode.Uri.file(inner));
    await vscode.window.showTextDocument(innerDoc);
    assert.ok(a.recordAiEdit(innerDoc.uri, new vscode.Range(1, 0, 1, 9), { tool: 'test-tool' }));

    const outer = await openScratchFile('to-move.js', 'outer();\nmoveMe();\n');
    assert.ok(a.recordAiEdit(outer.document.uri, new vscode.Range(1, 0, 1, 9), { tool: 'test-tool' }));
    await outer.document.save();
    await flush();

    const subState = () => parseState(fs.readFileSync(path.join(sub, '.git', 'ai-provenance', 'state.json'), 'utf8')).state;
    assert.deepStrictEqual(Object.keys(subState().files), ['inner.js'], 'keyed relative to the nested repository');
    assert.strictEqual(readState().files[relOf(innerDoc.uri)], undefined, 'not in the outer repository');
    assert.ok(readState().files[relOf(outer.document.uri)]);

    const target = vscode.Uri.file(path.join(sub, 'moved-in.js'));
    const edit = new vscode.WorkspaceEdit();
    edit.renameFile(outer.document.uri, target);
    const oldRel = relOf(outer.document.uri);
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor(
      async () => {
        await flush();
        return !!subState().files['moved-in.js'] && !readState().files[oldRel];
      },
      10_000,
      'entry moved into the nested repository',
      200,
    );
    assert.deepStrictEqual(
      subState().files['moved-in.js'].runs.map((r) => r.text),
      ['moveMe();'],
    );
  });

  it(`deactivation saves synchronously what the debounce has not written yet ${hostTag()}`, async () => {
    const a = await api();
    const editor = await openScratchFile('shutdown.js', 'one();\ntwo();\n');
    const doc = editor.document;
    await flush();
    assert.ok(a.recordAiEdit(doc.uri, new vscode.Range(0, 0, 0, 6), { tool: 'test-tool' }));
    // No flush: the reload disposes persistence at once, as deactivation does, well within 1 s.
    await vscode.commands.executeCommand('aiProvenance.internal.reloadPersistence');
    assert.deepStrictEqual(savedRuns(relOf(doc.uri)), [['one();', 'chat', 'test-tool']]);
    assert.deepStrictEqual(shown(doc, a.getRanges(doc.uri)), [['one();', 'chat', 'test-tool']]);
  });

  it(`a file outside any git repository is saved in the extension's storage, not next to it ${hostTag()}`, async () => {
    const a = await api();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-nogit-'));
    const file = path.join(dir, 'loose.js');
    fs.writeFileSync(file, 'loose();\n');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    const where = (await vscode.commands.executeCommand('aiProvenance.internal.provenanceLocation', doc.uri)) as { statePath: string; key: string; kind: string } | undefined;
    // Only meaningful when the temp folder is itself outside every repository.
    if (where?.kind === 'repo') return;
    assert.ok(where && where.kind === 'storage', `placed: ${JSON.stringify(where)}`);
    assert.ok(!where.statePath.startsWith(dir), 'nothing is written next to the file');
    assert.ok(a.recordAiEdit(doc.uri, new vscode.Range(0, 0, 0, 8), { tool: 'test-tool' }));
    await flush();
    const state = parseState(fs.readFileSync(where.statePath, 'utf8')).state;
    assert.deepStrictEqual(
      state.files[where.key].runs.map((r) => r.text),
      ['loose();'],
    );
    assert.deepStrictEqual(fs.readdirSync(dir), ['loose.js']);
  });

  describe('closing a file with unsaved changes', () => {
    // A browser-hosted workbench saves after a delay by default (files.autoSave: afterDelay);
    // these tests need changes that stay unsaved.
    const files = () => vscode.workspace.getConfiguration('files');
    let autoSave: unknown;
    before(async () => {
      autoSave = files().inspect('autoSave')?.globalValue;
      await files().update('autoSave', 'off', vscode.ConfigurationTarget.Global);
    });
    after(async () => {
      await files().update('autoSave', autoSave, vscode.ConfigurationTarget.Global);
    });

    it(`closing without saving discards unsaved AI text: reopened, no mark is left for text that is not on disk ${hostTag()}`, async () => {
      const a = await api();
      const human = 'const kept = 1;\nfunction human() {\n  return kept;\n}\n';
      const editor = await openScratchFile('discarded.js', human);
      const doc = editor.document;
      const uri = doc.uri;
      const rel = relOf(uri);
      // AI text replacing part of a line and adding lines, never saved.
      const start = new vscode.Position(2, 2);
      const aiText = 'return generatedByModel(kept) + 1;\n  // model output\n';
      assert.ok(await editor.edit((b) => b.replace(new vscode.Range(start, new vscode.Position(3, 0)), aiText)));
      const end = doc.positionAt(doc.offsetAt(start) + aiText.length);
      assert.ok(a.recordAiEdit(uri, new vscode.Range(start, end), { tool: 'test-tool' }));
      assert.ok(doc.isDirty);
      // Saved with the unsaved text, as after a debounce (so a reload with hot exit gets it back).
      await flush();
      assert.strictEqual(readState().files[rel]?.sha256, sha256(doc.getText()));

      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      assert.strictEqual(fs.readFileSync(uri.fsPath, 'utf8'), human, 'nothing was written to the file');
      await waitFor(
        async () => {
          await flush();
          const entry = readState().files[rel];
          return !entry || (entry.sha256 === sha256(human) && entry.runs.length === 0);
        },
        15_000,
        `state.json still describes the discarded text: ${JSON.stringify(readState().files[rel])}`,
        200,
      );

      const reopened = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(reopened);
      assert.strictEqual(reopened.getText(), human);
      await flush();
      assert.deepStrictEqual(shown(reopened, a.getRanges(uri)), [], 'no AI or unknown marks on the text on disk');
      assert.deepStrictEqual(savedRuns(rel), []);
    });

    it(`closing without saving keeps exactly the ranges saved before the discarded AI edits ${hostTag()}`, async () => {
      const a = await api();
      const editor = await openScratchFile('partly-saved.js', 'function a() {}\n');
      const doc = editor.document;
      const uri = doc.uri;
      const rel = relOf(uri);
      const savedAi = 'const saved = fromModel(1);';
      const at = doc.positionAt(doc.getText().length);
      assert.ok(await editor.edit((b) => b.insert(at, `${savedAi}\nconst after = 2;\n`)));
      const savedRange = new vscode.Range(at, at.translate(0, savedAi.length));
      assert.ok(a.recordAiEdit(uri, savedRange, { tool: 'test-tool', model: 'model-1' }));
      await saveDocument(doc);
      const onDisk = doc.getText();
      await flush();
      const expected: [string, string, string][] = [[savedAi, 'chat', 'test-tool']];
      assert.deepStrictEqual(savedRuns(rel), expected);

      // More AI edits, unsaved: one on the line of the saved AI text, one replacing a human line.
      const more = ' /* tuned */';
      assert.ok(await editor.edit((b) => b.insert(savedRange.end, more)));
      assert.ok(a.recordAiEdit(uri, new vscode.Range(savedRange.end, savedRange.end.translate(0, more.length)), { tool: 'other-tool' }));
      const line2 = doc.lineAt(2).range;
      assert.ok(await editor.edit((b) => b.replace(line2, 'const after = model(2);')));
      assert.ok(a.recordAiEdit(uri, doc.lineAt(2).range, { tool: 'other-tool' }));
      await flush();
      assert.notStrictEqual(readState().files[rel]?.sha256, sha256(onDisk), 'the unsaved text was saved to state.json');

      const ranges = await closeWithoutSavingAndReopen(a, uri, onDisk, expected);
      assert.ok(ranges[0].range.isEqual(savedRange), `range ${JSON.stringify(ranges[0].range)}`);
      assert.strictEqual(ranges[0].model, 'model-1');
    });

    it(`marks made on a saved file are the provenance of the text on disk: a revert, then a close without saving, bring them back ${hostTag()}`, async () => {
      const a = await api();
      const editor = await openScratchFile('marked-on-disk.js', 'const one = 1;\nconst two = 2;\nconst three = 3;\n');
      const doc = editor.document;
      const uri = doc.uri;
      const rel = relOf(uri);
      await saveDocument(doc);
      const onDisk = doc.getText();
      // Marks on the clean document, one by one (no text change): each is part of what is on disk.
      for (const line of [0, 2]) assert.ok(a.recordAiEdit(uri, doc.lineAt(line).range, { tool: 'test-tool', model: 'model-1' }));
      assert.ok(!doc.isDirty);
      await flush();
      const expected: [string, string, string][] = [['const one = 1;', 'chat', 'test-tool'], ['const three = 3;', 'chat', 'test-tool']];
      assert.deepStrictEqual(savedRuns(rel), expected);

      // Unsaved AI edits (one replaces a marked line), then Revert File: the marks made on disk's text come back.
      const unsaved = async (): Promise<void> => {
        assert.ok(await editor.edit((b) => b.replace(doc.lineAt(0).range, 'const one = model(1);')));
        assert.ok(a.recordAiEdit(uri, doc.lineAt(0).range, { tool: 'other-tool' }));
        assert.ok(await editor.edit((b) => b.insert(doc.lineAt(1).range.end, ' // tuned')));
        assert.ok(doc.isDirty);
      };
      await unsaved();
      await vscode.commands.executeCommand('workbench.action.files.revert');
      assert.strictEqual(doc.getText(), onDisk);
      await waitFor(() => JSON.stringify(shown(doc, a.getRanges(uri))) === JSON.stringify(expected), 10_000, `after the revert: ${JSON.stringify(shown(doc, a.getRanges(uri)))}`);

      // The same once more, closed without saving this time.
      await unsaved();
      await closeWithoutSavingAndReopen(a, uri, onDisk, expected);
    });
  });

  it(`a corrupt state.json is kept aside and tracking continues ${hostTag()}`, async () => {
    const a = await api();
    const editor = await openScratchFile('after-corruption.js', 'x();\ny();\n');
    await flush();
    const statePath = path.join(stateDir(), 'state.json');
    fs.mkdirSync(stateDir(), { recursive: true });
    fs.writeFileSync(statePath, '{"schema":"ai-provenance/state","version":1,"origins":[');
    await vscode.commands.executeCommand('aiProvenance.internal.reloadPersistence');
    await waitFor(() => fs.readdirSync(stateDir()).some((n) => n.startsWith('state.json.corrupt-')), 10_000, 'corrupt file kept aside');
    assert.ok(a.recordAiEdit(editor.document.uri, new vscode.Range(1, 0, 1, 4), { tool: 'test-tool' }));
    await flush();
    assert.deepStrictEqual(savedRuns(relOf(editor.document.uri)), [['y();', 'chat', 'test-tool']]);
  });
});
