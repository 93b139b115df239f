// Chat code blocks in a real VS Code, on both hosts. On the `stock` host (proposed APIs off, as on
// VS Code Stable) nothing in the change event says "chat": the block is recognised because its
// text is a code block of an answer VS Code stored in the workspace's chat sessions.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { AiProvenanceApi, ApiRange } from '../../src/api';
import { EXTENSION_ID, fixture, hostTag, hostVariant, openScratchFile, sendFixtureChat, sleep, typeText, waitFor } from './support/host';

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

/** The recorded ranges as [text, kind, tool, model]. */
function shown(a: AiProvenanceApi, doc: vscode.TextDocument): [string, string, string, string | undefined][] {
  return a.getRanges(doc.uri).map((r: ApiRange) => [doc.getText(r.range), r.kind, r.tool, r.model]);
}

/**
 * Empties a test file once its test is done: an open document holding the block would make a later
 * paste of it a copy of open text (see the last test), and closed documents stay open for a while.
 */
async function empty(doc: vscode.TextDocument): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.delete(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)));
  await vscode.workspace.applyEdit(edit);
  await doc.save();
}

const FIXTURE_MODEL = 'ai-fixture/fixture-model';
const FIXTURE_PARTICIPANT = 'ai-provenance-tests.ai-fixture';

/**
 * "Insert at Cursor" of a code block: the command the button in the chat view runs, given the
 * block's code (the button also passes the answer's view model, which cannot leave the window;
 * without it VS Code inserts the same way and only skips its telemetry).
 */
async function insertAtCursor(code: string): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.chat.insertCodeBlock', { code, languageId: 'javascript', codeBlockIndex: 0, element: null });
}

/**
 * VS Code 1.90 (the `oldest` host) keeps chat sessions in its storage service (the workspace key
 * `interactive.sessions`: a database on the desktop, the browser's IndexedDB in the web host),
 * not as files under `<workspace storage>/chatSessions/` (1.90.2's workbench has no such folder),
 * and has no edit-source reason: nothing an extension can read shows that a block came from a
 * chat answer. There a chat block is not recognised (README, Supported editors); the two tests that
 * it is are skipped, the tests that human text stays human run.
 */
function skipWithoutStoredSessions(test: Mocha.Context): void {
  if (hostVariant() === 'oldest') test.skip();
}

describe(`chat code blocks ${hostTag()}`, function () {
  this.timeout(120_000);

  before(async () => {
    const fx = await fixture();
    const asked = fx.stats.chatRequests;
    await sendFixtureChat('@fixture write a function');
    await waitFor(() => fx.stats.chatRequests > asked, 30_000, 'the @fixture participant was not asked');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  });

  it(`a block inserted with "Insert at Cursor" right after the answer is chat with the fixture model ${hostTag()}`, async function () {
    skipWithoutStoredSessions(this);
    const fx = await fixture();
    const a = await api();
    const editor = await openScratchFile('insert.js', 'const before = 1;\n\n');
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    await insertAtCursor(fx.CHAT_CODE);
    const doc = editor.document;
    await waitFor(() => doc.getText().includes('fixtureMultiply'), 10_000, 'the block was not inserted');
    // VS Code stores the answer a few seconds after it completes; the insertion is matched then.
    const ranges = await waitFor(() => (shown(a, doc).length > 0 ? shown(a, doc) : undefined), 60_000, 'the inserted block was never recorded as chat');
    assert.strictEqual(ranges.length, 1, JSON.stringify(ranges));
    assert.deepStrictEqual(ranges[0].slice(1), ['chat', FIXTURE_PARTICIPANT, FIXTURE_MODEL]);
    assert.strictEqual(ranges[0][0].trim(), fx.CHAT_CODE.trim());
    assert.ok(doc.getText().startsWith('const before = 1;\n'), 'the text around the block is untouched');
    await empty(doc);
  });

  it(`once the answer is stored, a pasted copy of the block is chat at once, and typing after it is not ${hostTag()}`, async function () {
    skipWithoutStoredSessions(this);
    const fx = await fixture();
    const a = await api();
    const editor = await openScratchFile('paste-block.js', '\n');
    await vscode.env.clipboard.writeText(fx.CHAT_CODE);
    await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
    const doc = editor.document;
    await waitFor(() => doc.getText().includes('fixtureMultiply'), 10_000, 'the paste did not arrive');
    const ranges = await waitFor(() => (shown(a, doc).length > 0 ? shown(a, doc) : undefined), 60_000, 'the pasted block was never recorded as chat');
    assert.strictEqual(ranges.length, 1);
    assert.deepStrictEqual(ranges[0].slice(1), ['chat', FIXTURE_PARTICIPANT, FIXTURE_MODEL]);
    assert.strictEqual(ranges[0][0].trim(), fx.CHAT_CODE.trim());
    await typeText('// mine\n');
    await sleep(300);
    assert.strictEqual(shown(a, doc).length, 1);
    assert.strictEqual(shown(a, doc)[0][0].trim(), fx.CHAT_CODE.trim());
    await empty(doc);
  });

  it(`a paste that is not in any answer stays human, even after the answer is stored ${hostTag()}`, async () => {
    const a = await api();
    const editor = await openScratchFile('paste-other.js', '\n');
    const other = 'function notFromChat(a, b) {\n  return a - b;\n}\n';
    await vscode.env.clipboard.writeText(other);
    await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
    const doc = editor.document;
    await waitFor(() => doc.getText().includes('notFromChat'), 10_000, 'the paste did not arrive');
    // Longer than the time the chat block paste above needed to be matched.
    await sleep(4000);
    assert.deepStrictEqual(shown(a, doc), []);
  });

  it(`pasting code the user has open elsewhere stays human, even when an answer quotes it ${hostTag()}`, async () => {
    const fx = await fixture();
    const a = await api();
    // The user's own file holds the same function the answer shows (answers often quote code).
    const mine = await openScratchFile('mine.js', `// mine\n${fx.CHAT_CODE}`);
    const editor = await openScratchFile('copy-of-mine.js', '\n');
    await vscode.env.clipboard.writeText(fx.CHAT_CODE);
    await vscode.commands.executeCommand('editor.action.clipboardPasteAction');
    const doc = editor.document;
    await waitFor(() => doc.getText().includes('fixtureMultiply'), 10_000, 'the paste did not arrive');
    await sleep(4000);
    assert.deepStrictEqual(shown(a, doc), []);
    await empty(doc);
    await empty(mine.document);
  });
});
