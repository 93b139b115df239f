// Chat edits in a real VS Code: an agent's edit streamed into a file by a chat participant, and a
// code block's "Apply". Both go through VS Code's chat editing session, which writes into the
// file itself. The fixture AI makes them with the proposed APIs Copilot Chat uses
// (`chatParticipantAdditions`: `textEdit` parts in its answer; `mappedEditsProvider`: the code
// mapper "Apply" needs), allow-listed for it on the stock host as Stable does for Copilot Chat.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { AiProvenanceApi, ApiRange } from '../../src/api';
import { EXTENSION_ID, FixtureApi, closeAllEditors, fixture, hostTag, hostVariant, moveToEnd, openScratchFile, sendFixtureChat, sleep, typeText, waitFor } from './support/host';

interface ChatEditFixture extends FixtureApi {
  readonly AGENT_TRIGGER: string;
  readonly AGENT_FIRST: string;
  readonly AGENT_SECOND: string;
  readonly APPLY_CODE: string;
  readonly codeMapperRegistered: boolean;
  readonly codeMapperError?: string;
  releaseEdit(): void;
  readonly stats: FixtureApi['stats'] & { editRequests: number; editParts: number; editsDone: number; editErrors: string[]; editWaiting: boolean; mapRequests: number };
}

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

async function chatFixture(): Promise<ChatEditFixture> {
  return (await fixture()) as ChatEditFixture;
}

/** The recorded ranges as [text, kind, tool, model]. */
function shown(a: AiProvenanceApi, doc: vscode.TextDocument): [string, string, string, string | undefined][] {
  return a.getRanges(doc.uri).map((r: ApiRange) => [doc.getText(r.range), r.kind, r.tool, r.model]);
}

const FIXTURE_MODEL = 'ai-fixture/fixture-model';
const FIXTURE_PARTICIPANT = 'ai-provenance-tests.ai-fixture';

/** The recorded text grouped by `kind|tool|model`, in document order. */
function byOrigin(a: AiProvenanceApi, doc: vscode.TextDocument): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of a.getRanges(doc.uri)) {
    const key = `${r.kind}|${r.tool}|${r.model ?? ''}`;
    out[key] = (out[key] ?? '') + doc.getText(r.range);
  }
  return out;
}

/** The document's text that lies in recorded AI ranges, in order. */
function aiText(a: AiProvenanceApi, doc: vscode.TextDocument): string {
  return a.getRanges(doc.uri).filter((r) => r.kind !== 'unknown').map((r) => doc.getText(r.range)).join('');
}

/**
 * VS Code 1.90 (the `oldest` host) has neither path: it has no chat editing session (no
 * `chat-editing-*` documents; they came with Copilot Edits), so a participant's `textEdit` parts are
 * not written into the file but shown as a diff in the answer, applied only by its "Apply Edits"
 * button (`workbench.action.chat.applyCompareEdits`, whose argument is that rendered block); and a
 * code block has no "Apply" (no `workbench.action.chat.applyInEditor`, no
 * `chat.registerMappedEditsProvider2` for a code mapper). Both tests are skipped there.
 */
function skipWithoutChatEditing(test: Mocha.Context): void {
  if (hostVariant() === 'oldest') test.skip();
}

describe(`chat edits ${hostTag()}`, function () {
  this.timeout(120_000);

  after(async () => {
    await vscode.commands.executeCommand('chatEditing.acceptAllFiles').then(undefined, () => undefined);
    await closeAllEditors();
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  });

  it(`an agent's edits streamed into a file are AI with the model (on Stable: unknown where the cursor rests until VS Code stores the request, whose edits then name it), and what the user types in that file meanwhile stays human ${hostTag()}`, async function () {
    skipWithoutChatEditing(this);
    const fx = await chatFixture();
    const a = await api();
    // Just opened: the cursor rests at the start of the file, where the agent's first edit goes.
    const editor = await openScratchFile('agent-edit.js', '// the user wrote this\n');
    const doc = editor.document;
    const before = fx.stats.editParts;
    await sendFixtureChat(`@fixture ${fx.AGENT_TRIGGER} ${doc.uri.toString()}`);
    await waitFor(() => fx.stats.editWaiting || fx.stats.editErrors.length > 0, 30_000, 'the @fixture participant never started its edit');
    assert.deepStrictEqual(fx.stats.editErrors, [], 'the host refused the chat edit');
    await waitFor(() => doc.getText().includes('fixtureAgentFirst'), 30_000, `the agent's first edit never reached the file (${JSON.stringify(doc.getText())})`);

    // While the agent's request goes on, the user types at the end of the same file (VS Code keeps
    // a file read-only only while the agent writes into it). The chat view has the focus: give it
    // back to the file's editor, as a click into it does.
    const mine = await vscode.window.showTextDocument(doc, { preview: false });
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    moveToEnd(mine);
    await typeText('const mine = 1;\n');
    await waitFor(() => doc.getText().includes('const mine = 1;'), 5_000, `the user's typing did not reach the file (${JSON.stringify(doc.getText())})`);
    fx.releaseEdit();
    await waitFor(() => fx.stats.editParts > before + 1, 30_000, 'the second edit was never streamed');
    await waitFor(() => doc.getText().includes('fixtureAgentSecond'), 30_000, `the agent's second edit never reached the file (${JSON.stringify(doc.getText())})`);
    assert.strictEqual(doc.getText(), `${fx.AGENT_FIRST}${fx.AGENT_SECOND}// the user wrote this\nconst mine = 1;\n`);

    // With the edit source (proposed host): both edits are the agent's, with the participant and
    // the model. On Stable: the edit away from the cursor is the chat editing session's with the
    // model; the one where the cursor rested cannot be told from a paste and is unknown, not human,
    // until the stored request shows it wrote exactly that text into this file.
    const expected: Record<string, string> =
      hostVariant() === 'proposed'
        ? { [`agent|${FIXTURE_PARTICIPANT}|${FIXTURE_MODEL}`]: fx.AGENT_FIRST + fx.AGENT_SECOND }
        : { 'unknown|chat editing session|': fx.AGENT_FIRST, [`chat|chat editing session|${FIXTURE_MODEL}`]: fx.AGENT_SECOND };
    await waitFor(() => JSON.stringify(byOrigin(a, doc)) === JSON.stringify(expected), 20_000, `the agent's text was not recorded as expected: ${JSON.stringify(byOrigin(a, doc))}, expected ${JSON.stringify(expected)}`);
    if (hostVariant() === 'stock') {
      // Once VS Code stores the request, its edits of this file name it: both edits are the
      // request's, with its model, also the one first recorded as unknown where the cursor rested.
      // (VS Code may store the request after its first edit already: each edit is named once stored.)
      const stored = { [`chat|chat editing session|${FIXTURE_MODEL}`]: fx.AGENT_FIRST + fx.AGENT_SECOND };
      const ids = () => [...new Set(a.getRanges(doc.uri).map((r) => r.requestId))];
      await waitFor(
        () => JSON.stringify(byOrigin(a, doc)) === JSON.stringify(stored) && ids().length === 1 && /^request_/.test(String(ids()[0])),
        60_000,
        `the agent's edits were never given their one request: ${JSON.stringify(byOrigin(a, doc))}, requests ${JSON.stringify(ids())}`,
      );
    }
    // The user's own lines are in no range.
    for (const r of a.getRanges(doc.uri)) {
      const text = doc.getText(r.range);
      assert.ok(!text.includes('const mine') && !text.includes('the user wrote'), `the user's text is recorded: ${JSON.stringify(shown(a, doc))}`);
    }
  });

  it(`a code block's "Apply" is AI with the model ${hostTag()}`, async function () {
    skipWithoutChatEditing(this);
    const fx = await chatFixture();
    const a = await api();
    assert.ok(fx.codeMapperRegistered, `the fixture's code mapper was refused: ${fx.codeMapperError}`);
    const editor = await openScratchFile('apply.js', 'const kept = 1;\n');
    const doc = editor.document;
    moveToEnd(editor);
    const mapped = fx.stats.mapRequests;
    // What the code block's Apply button runs; it resolves once the edit is kept or undone.
    const applied = vscode.commands.executeCommand('workbench.action.chat.applyInEditor', { code: fx.APPLY_CODE, codemapperUri: doc.uri, languageId: 'javascript', codeBlockIndex: 0, element: null });
    await waitFor(() => fx.stats.mapRequests > mapped, 30_000, 'the code mapper was never asked');
    await waitFor(() => doc.getText().includes('fixtureApplied'), 30_000, `the applied block never reached the file (${JSON.stringify(doc.getText())})`);
    assert.strictEqual(doc.getText(), `${fx.APPLY_CODE}const kept = 1;\n`);
    await waitFor(() => aiText(a, doc) === fx.APPLY_CODE, 20_000, `the applied block was not recorded exactly (ranges: ${JSON.stringify(shown(a, doc))})`);
    // "Apply" opens a chat session of its own with no participant and no model of its request, so
    // the edit source names neither: the model is the one chat model available.
    const tool = hostVariant() === 'proposed' ? 'chat' : 'chat editing session';
    assert.deepStrictEqual(byOrigin(a, doc), { [`chat|${tool}|${FIXTURE_MODEL}`]: fx.APPLY_CODE });
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('chatEditor.action.accept');
    await Promise.race([applied, sleep(10_000)]);
  });
});
