// Moved and copied AI text in a real VS Code, on both hosts: VS Code's own line moves
// (Alt+Up/Alt+Down), cut and paste, copy into another file. Each scenario ends in a commit from the
// Source Control view whose manifest must hold exactly the AI lines that were accepted; the
// precision scenarios check that a person's pastes and their own copies stay theirs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import { commitFromScm } from './support/commit';
import {
  EXTENSION_ID,
  FIXTURE_EXTENSION_ID,
  closeAllEditors,
  fixture,
  hostTag,
  moveToEnd,
  openScratchFile,
  sleep,
  triggerAndAcceptInline,
  typeText,
  waitFor,
  workspaceFolder,
} from './support/host';

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

const OUR_TAB = 'aiProvenance.acceptInlineSuggestion';
const FIXTURE_TOOL = FIXTURE_EXTENSION_ID.toLowerCase();
/** The AI lines of the fixture's multi-line completion (the first line is mostly the person's trigger). */
const AI_LINES = ['const sum = a + b;', 'return sum;', '}'];

function rel(doc: vscode.TextDocument): string {
  return path.relative(workspaceFolder().uri.fsPath, doc.uri.fsPath).split(path.sep).join('/');
}

/** The lines of `doc` most of whose non-whitespace characters are AI (as the commit counts them), trimmed. */
function aiLinesOf(a: AiProvenanceApi, doc: vscode.TextDocument): string[] {
  const aiChars = new Map<number, number>();
  for (const r of a.getRanges(doc.uri)) {
    if (r.kind === 'unknown') continue;
    for (let l = r.range.start.line; l <= r.range.end.line; l++) {
      const text = doc.lineAt(l).text;
      const from = l === r.range.start.line ? r.range.start.character : 0;
      const to = l === r.range.end.line ? r.range.end.character : text.length;
      aiChars.set(l, (aiChars.get(l) ?? 0) + text.slice(from, to).replace(/\s/g, '').length);
    }
  }
  return [...aiChars]
    .filter(([l, n]) => n * 2 > doc.lineAt(l).text.replace(/\s/g, '').length)
    .map(([l]) => l)
    .sort((x, y) => x - y)
    .map((l) => doc.lineAt(l).text.trim());
}

/**
 * VS Code's copy, as Ctrl+C does it. The web workbench runs its clipboard commands through the
 * browser, which refuses them without a key press; then the clipboard gets what the command
 * would have put there.
 */
async function copySelection(editor: vscode.TextEditor): Promise<void> {
  const text = editor.document.getText(editor.selection);
  await vscode.commands.executeCommand('editor.action.clipboardCopyAction');
  if ((await vscode.env.clipboard.readText()) !== text) await vscode.env.clipboard.writeText(text);
  await sleep(150);
}

/** VS Code's cut, as Ctrl+X does it (see `copySelection`): the clipboard gets the text, the selection goes. */
async function cutSelection(editor: vscode.TextEditor): Promise<void> {
  const doc = editor.document;
  const text = doc.getText(editor.selection);
  const before = doc.getText();
  await vscode.commands.executeCommand('editor.action.clipboardCutAction');
  await sleep(100);
  if (doc.getText() === before) {
    await vscode.env.clipboard.writeText(text);
    const selection = editor.selection;
    assert.ok(await editor.edit((b) => b.delete(selection)));
  } else if ((await vscode.env.clipboard.readText()) !== text) await vscode.env.clipboard.writeText(text);
  await sleep(150);
}

/** Types the fixture's trigger at the end of `editor` and accepts its multi-line completion with Tab. */
async function acceptCompletion(a: AiProvenanceApi, editor: vscode.TextEditor): Promise<void> {
  const fx = await fixture();
  moveToEnd(editor);
  await typeText(fx.MULTI_LINE_TRIGGER);
  await triggerAndAcceptInline(editor, 10_000, OUR_TAB);
  await waitFor(() => aiLinesOf(a, editor.document).length === 3, 3000, 'the accepted completion was not recorded');
}

function lineOf(doc: vscode.TextDocument, text: string): number {
  for (let l = 0; l < doc.lineCount; l++) if (doc.lineAt(l).text.trim() === text) return l;
  throw new Error(`no line ${JSON.stringify(text)} in ${JSON.stringify(doc.getText())}`);
}

/** Selects whole lines `from..to` (with the last line's break) in `editor`. */
function selectLines(editor: vscode.TextEditor, from: number, to: number): void {
  editor.selection = new vscode.Selection(from, 0, to + 1, 0);
}

function sorted(lines: string[]): string[] {
  return [...lines].sort();
}

describe(`carry: moved and copied AI text ${hostTag()}`, function () {
  this.timeout(120_000);

  before(async () => {
    await waitFor(
      async () => {
        await vscode.workspace.getConfiguration('aiProvenance').update('capture.inlineProviders', [FIXTURE_EXTENSION_ID], vscode.ConfigurationTarget.Global);
        await vscode.workspace.getConfiguration('aiProvenance').update('manifest.location', 'repo', vscode.ConfigurationTarget.Workspace);
        return true;
      },
      20_000,
      'could not write the settings',
      250,
    );
    await fixture();
  });

  afterEach(async () => {
    // Nothing dirty is left for the suites after this one (closeAllEditors reverts the active editor only).
    for (const d of vscode.workspace.textDocuments) {
      if (!d.isDirty || d.uri.scheme !== 'file') continue;
      await vscode.window.showTextDocument(d, { preview: false });
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await closeAllEditors();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('aiProvenance').update('manifest.location', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it(`Alt+Down and Alt+Up past and with AI lines keep them AI, and the commit's manifest has them ${hostTag()}`, async () => {
    // VS Code 1.90 sometimes sends a move that re-indents the line it passes as an insertion and a
    // replacement at one offset; the unit tests of the carry rules hold that exact event.
    const a = await api();
    const editor = await openScratchFile('carry-move.js', '// one\n// my own line\n');
    const doc = editor.document;
    await acceptCompletion(a, editor);
    // A person's line moved down past the function: VS Code rewrites each AI line it passes.
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    for (let n = 0; n < 3; n++) await vscode.commands.executeCommand('editor.action.moveLinesDownAction');
    assert.strictEqual(lineOf(doc, '// my own line'), 4, doc.getText());
    assert.deepStrictEqual(aiLinesOf(a, doc), ['const sum = a + b;', 'return sum;', '}']);
    // An AI line moved up past a person's line and another AI line.
    const brace = lineOf(doc, '}');
    editor.selection = new vscode.Selection(brace, 0, brace, 0);
    for (let n = 0; n < 2; n++) await vscode.commands.executeCommand('editor.action.moveLinesUpAction');
    assert.strictEqual(lineOf(doc, '}'), 3, doc.getText());
    assert.deepStrictEqual(aiLinesOf(a, doc), ['const sum = a + b;', '}', 'return sum;'], `${JSON.stringify(doc.getText())}: ${JSON.stringify(a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind]))}`);
    assert.ok(a.getRanges(doc.uri).every((r) => r.tool === FIXTURE_TOOL && r.kind === 'inline' && r.copiedFrom === undefined), JSON.stringify(a.getRanges(doc.uri)));

    const committed = (await commitFromScm([doc], 'Move lines')).get(rel(doc))!;
    assert.ok(committed.entry, 'file not in the manifest');
    assert.strictEqual(committed.entry.aiLines, 3);
    assert.deepStrictEqual(sorted(committed.aiLines), sorted(AI_LINES));
  });

  it(`cut and paste within a file keeps the AI lines AI (only the lines that were AI) ${hostTag()}`, async () => {
    const a = await api();
    const editor = await openScratchFile('carry-cut.js', '// head\n');
    const doc = editor.document;
    await acceptCompletion(a, editor);
    await typeText('\n// tail, mine\n');
    const start = lineOf(doc, 'function fixtureAdd(a, b) {');
    // The same lines as a person's text in a document the editor keeps loaded with no tab (as an
    // extension's document, or one an earlier test closed): nobody can have copied from it, so it
    // does not make the paste below human.
    const lines = doc.getText(new vscode.Range(start, 0, start + 4, 0));
    const loadedFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'carry-loaded-')), 'loaded.js');
    fs.writeFileSync(loadedFile, `// loaded, no tab\n${lines}`);
    const loaded = await vscode.workspace.openTextDocument(vscode.Uri.file(loadedFile));
    assert.ok(vscode.workspace.textDocuments.includes(loaded));
    assert.ok(!vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === loaded.uri.toString())));
    selectLines(editor, start, start + 3);
    await cutSelection(editor);
    await waitFor(() => !doc.getText().includes('return sum'), 5000, 'the cut did not remove the lines');
    assert.deepStrictEqual(aiLinesOf(a, doc), []);
    moveToEnd(editor);
    await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
    await waitFor(() => doc.getText().includes('return sum'), 5000, 'the paste did not arrive');
    await sleep(100);
    assert.ok(doc.getText().indexOf('// tail, mine') < doc.getText().indexOf('function fixtureAdd'), doc.getText());
    assert.deepStrictEqual(aiLinesOf(a, doc), AI_LINES);
    const ranges = a.getRanges(doc.uri).filter((r) => r.kind !== 'unknown');
    assert.ok(ranges.every((r) => r.kind === 'inline' && r.tool === FIXTURE_TOOL && r.copiedFrom === undefined), JSON.stringify(ranges));

    const committed = (await commitFromScm([doc], 'Cut and paste')).get(rel(doc))!;
    assert.ok(committed.entry, 'file not in the manifest');
    assert.strictEqual(committed.entry.aiLines, 3);
    assert.deepStrictEqual(committed.aiLines, AI_LINES);
  });

  it(`copy into another file keeps kind and tool, notes the copy, and both files' commits count the lines ${hostTag()}`, async () => {
    const a = await api();
    const source = await openScratchFile('carry-copy-from.js', '// source\n');
    await acceptCompletion(a, source);
    const start = lineOf(source.document, 'function fixtureAdd(a, b) {');
    selectLines(source, start - 1, start + 3);
    await copySelection(source);
    const target = await openScratchFile('carry-copy-to.js', '// target, mine\n');
    moveToEnd(target);
    await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
    const doc = target.document;
    await waitFor(() => doc.getText().includes('return sum'), 5000, 'the paste did not arrive');
    await sleep(100);
    assert.deepStrictEqual(aiLinesOf(a, doc), AI_LINES);
    const ranges = a.getRanges(doc.uri).filter((r) => r.kind !== 'unknown');
    assert.ok(
      ranges.every((r) => r.kind === 'inline' && r.tool === FIXTURE_TOOL && r.copiedFrom === rel(source.document)),
      JSON.stringify(ranges),
    );
    // The copied human lines ("// source", the trigger) stay human.
    assert.ok(!aiLinesOf(a, doc).includes('// source'));

    const committed = await commitFromScm([source.document, doc], 'Copy into another file');
    assert.deepStrictEqual(committed.get(rel(doc))!.aiLines, AI_LINES);
    assert.strictEqual(committed.get(rel(doc))!.entry!.aiLines, 3);
    assert.deepStrictEqual(committed.get(rel(source.document))!.aiLines, AI_LINES);
  });

  it(`precision: pastes of a person's own code stay human, also when AI text of the same lines exists or was cut ${hostTag()}`, async () => {
    const a = await api();
    const block = 'function scale(values, factor) {\n  return values.map((v) => v * factor);\n}\n';
    // AI text recorded through the API (the rule does not depend on where AI text came from).
    const ai = await openScratchFile('carry-ai.js', block);
    assert.ok(a.recordAiEdit(ai.document.uri, new vscode.Range(0, 0, 3, 0), { tool: 'carry-agent', kind: 'agent' }));
    // 1. The same lines, typed by the person in another file, selected and copied from there.
    const mine = await openScratchFile('carry-mine.js', `// mine\n${block}`);
    selectLines(await vscode.window.showTextDocument(ai.document), 0, 2); // looked at the AI code first
    await sleep(200);
    const mineEditor = await vscode.window.showTextDocument(mine.document);
    selectLines(mineEditor, 1, 3);
    await copySelection(mineEditor);
    const target = await openScratchFile('carry-paste.js', '// pasted here\n');
    moveToEnd(target);
    await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
    await waitFor(() => target.document.getText().includes('values.map'), 5000, 'the paste did not arrive');
    await sleep(100);
    assert.deepStrictEqual(aiLinesOf(a, target.document), [], 'a copy of the person\'s own code became AI');

    // 2. Text that equals AI text by coincidence (the clipboard from elsewhere), with no copy of it.
    const other = 'export function clamp(v, lo, hi) {\n  return Math.min(hi, Math.max(lo, v));\n}\n';
    const ai2 = await openScratchFile('carry-ai2.js', other);
    assert.ok(a.recordAiEdit(ai2.document.uri, new vscode.Range(0, 0, 3, 0), { tool: 'carry-agent', kind: 'agent' }));
    await vscode.window.showTextDocument(target.document);
    moveToEnd(target);
    await vscode.env.clipboard.writeText(other);
    await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
    await waitFor(() => target.document.getText().includes('Math.min'), 5000, 'the second paste did not arrive');
    await sleep(100);
    assert.deepStrictEqual(aiLinesOf(a, target.document), [], 'text equal to AI text by coincidence became AI');

    // 3. AI code cut, then the person's own block pasted: its short common lines ("}") stay human.
    const ai3 = await openScratchFile('carry-ai3.js', 'const table = new Map();\nfor (const row of rows) {\n  table.set(row.id, row);\n}\n');
    assert.ok(a.recordAiEdit(ai3.document.uri, new vscode.Range(1, 0, 4, 0), { tool: 'carry-agent', kind: 'agent' }));
    selectLines(ai3, 1, 3);
    await cutSelection(ai3);
    await waitFor(() => !ai3.document.getText().includes('table.set'), 5000, 'the cut did not remove the lines');
    await vscode.window.showTextDocument(target.document);
    moveToEnd(target);
    await vscode.env.clipboard.writeText('if (ready) {\n  start();\n}\n');
    await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
    await waitFor(() => target.document.getText().includes('start();'), 5000, 'the third paste did not arrive');
    await sleep(100);
    assert.deepStrictEqual(aiLinesOf(a, target.document), [], 'a "}" of the person\'s paste became AI');

    // Committed with the AI file beside it (a change without AI text gets no manifest to check).
    const committed = (await commitFromScm([target.document, ai.document], 'Human pastes')).get(rel(target.document))!;
    assert.ok(!committed.entry || committed.entry.aiLines === 0, JSON.stringify(committed.entry));
    assert.deepStrictEqual(committed.aiLines, []);
  });

  it(`precision: AI text taken back by undo, or discarded by a revert, stays human when the same text is pasted later ${hostTag()}`, async () => {
    const a = await api();
    // AI text of its own (the fixture's completion was cut and copied by the tests above).
    const stamp = Date.now();
    // Top-level lines only: VS Code 1.90 re-indents a block pasted from outside the editor, which would make it other text.
    const blockOf = (name: string) => `const ${name}${stamp} = values.map((v) => v * factor);\nconst ${name}${stamp}Max = Math.max(...${name}${stamp});\nexport { ${name}${stamp}Max };\n`;
    const insertAi = async (editor: vscode.TextEditor, block: string): Promise<void> => {
      const at = editor.document.positionAt(editor.document.getText().length);
      assert.ok(await editor.edit((b) => b.insert(at, block)));
      assert.ok(a.recordAiEdit(editor.document.uri, new vscode.Range(at.line, 0, at.line + 3, 0), { tool: 'carry-agent', kind: 'agent' }));
      assert.strictEqual(aiLinesOf(a, editor.document).length, 3);
    };
    const target = await openScratchFile('carry-after-undo.js', '// pasted\n');
    /** Pastes `block` at the end of the target file and returns the AI lines it then has. */
    const paste = async (block: string): Promise<string[]> => {
      const editor = await vscode.window.showTextDocument(target.document, { preview: false });
      moveToEnd(editor);
      await vscode.env.clipboard.writeText(block);
      await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
      await waitFor(() => target.document.getText().includes(block), 5000, 'the paste did not arrive');
      await sleep(200);
      return aiLinesOf(a, target.document);
    };
    // Inserted as AI, then undone: the person rejected it.
    const undoneBlock = blockOf('undone');
    const undone = await openScratchFile('carry-undone.js', '// undone\n');
    // A line of the person's first, so the undo leaves the file dirty (not its saved text, which a revert would be).
    assert.ok(await undone.edit((b) => b.insert(undone.document.positionAt(undone.document.getText().length), '// mine\n')));
    await insertAi(undone, undoneBlock);
    await vscode.commands.executeCommand('undo');
    await waitFor(() => !undone.document.getText().includes('values.map'), 5000, 'undo did not remove the AI text');
    assert.ok(undone.document.getText().includes('// mine') && undone.document.isDirty, 'undo went back further than the AI text');
    await sleep(300);
    assert.deepStrictEqual(await paste(undoneBlock), [], 'undone AI text came back as AI');
    // Inserted as AI, then the file reverted: the person discarded it.
    const revertedBlock = blockOf('reverted');
    const reverted = await openScratchFile('carry-reverted.js', '// reverted\n');
    await insertAi(reverted, revertedBlock);
    await waitFor(
      async () => {
        await vscode.window.showTextDocument(reverted.document, { preview: false });
        await vscode.commands.executeCommand('workbench.action.files.revert');
        return !reverted.document.getText().includes('values.map') && !reverted.document.isDirty;
      },
      10_000,
      'revert did not remove the AI text',
      500,
    );
    await sleep(300);
    assert.deepStrictEqual(await paste(revertedBlock), [], 'reverted AI text came back as AI');
    assert.ok(await target.document.save());
  });
});
