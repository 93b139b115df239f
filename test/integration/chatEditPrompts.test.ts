// The prompt of a chat edit, in a real VS Code. The fixture participant answers with an edit
// (`stream.textEdit`, a proposed API the stock host grants the fixture alone, as Stable does for
// Copilot Chat), which VS Code writes into the file through its chat editing session. On the
// `proposed` host the edit source names it (`Chat.applyEdits`, with the request and session ids);
// on the stock host (VS Code Stable) nothing does: the chat-editing-session rule records it, and
// its request is the one whose stored edits of that file hold the text. Either way the edit
// reaches the file before VS Code stores the request in its chat sessions, and its prompt is given
// to it once stored. VS Code 1.90 has no chat editing session: skipped there.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import { EXTENSION_ID, FixtureApi, fixture, hostTag, hostVariant, hoverText, moveToEnd, openScratchFile, saveDocument, sendFixtureChat, sleep, waitFor, workspaceFolder } from './support/host';

/** The fixture's chat edit (test/fixtures/ai-fixture/texts.js: `fixture:edit <path>`). */
type EditFixture = FixtureApi & { readonly EDIT_TRIGGER: string; readonly EDIT_CODE: string; readonly stats: FixtureApi['stats'] & { chatEdits: number } };
/** The fixture's answer with a block of its own (`fixture:block <name>`) and its code mapper's Apply. */
type BlockFixture = FixtureApi & { readonly BLOCK_TRIGGER: string; blockCode(name: string): string; readonly stats: FixtureApi['stats'] & { chatRequests: number; mapRequests: number } };

describe(`chat edit prompts ${hostTag()}`, function () {
  this.timeout(120_000);

  after(async () => {
    // Keep the edit (nothing stays pending in the chat editing session), then close the chat.
    await vscode.commands.executeCommand('chatEditing.acceptAllFiles').then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  });

  it(`an edit the chat applies gets its request's prompt, the token in it redacted ${hostTag()}`, async function () {
    if (hostVariant() === 'oldest') this.skip();
    const fx = (await fixture()) as EditFixture;
    const a = (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
    const editor = await openScratchFile('chat-edit.js', 'const first = 1;\n');
    const doc = editor.document;
    await saveDocument(doc);
    // Assembled here so that the test source does not itself look like a leaked token.
    const secret = ['ghp_', 'Ed1tTr'.repeat(7)].join('');
    const edits = fx.stats.chatEdits;
    await sendFixtureChat(`@fixture ${fx.EDIT_TRIGGER} ${doc.uri.fsPath} add subtract, release token ${secret}`);
    await waitFor(() => fx.stats.chatEdits > edits, 30_000, 'the @fixture participant made no edit');
    await waitFor(() => doc.getText().includes('fixtureSubtract'), 30_000, `the chat's edit never reached the file (text: ${JSON.stringify(doc.getText())})`);

    const shown = () => a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind, r.tool, r.model, r.requestId]);
    const ranges = await waitFor(() => (shown().length > 0 ? shown() : undefined), 20_000, 'the chat edit was never recorded');
    assert.strictEqual(ranges.length, 1, JSON.stringify(ranges));
    assert.strictEqual(ranges[0][0], fx.EDIT_CODE);
    if (hostVariant() === 'proposed') {
      assert.ok(ranges[0][1] === 'chat' || ranges[0][1] === 'agent', JSON.stringify(ranges));
      assert.strictEqual(ranges[0][3], `${fx.LM_VENDOR}/${fx.MODEL_ID}`);
      assert.ok(typeof ranges[0][4] === 'string' && ranges[0][4].length > 0, 'the edit names its request');
    } else {
      // Recorded by the chat-editing-session rule (`unknown` where the cursor rested), named
      // after its chat session until the request is found.
      assert.strictEqual(ranges[0][2], 'chat editing session', JSON.stringify(ranges));
      assert.ok(typeof ranges[0][4] === 'string' && ranges[0][4].length > 0 && !String(ranges[0][4]).startsWith('request_'), `the chat session is not named: ${JSON.stringify(ranges)}`);
    }

    // VS Code stores the request a few seconds later; the prompt is given to the edit then.
    const hover = await waitFor(async () => {
      const text = (await hoverText(doc.uri, new vscode.Position(2, 4))).replace(/\\/g, '');
      return text.includes('Prompt') ? text : undefined;
    }, 60_000, 'the hover over the chat edit never showed its prompt');
    assert.match(hover, new RegExp(`Prompt \\| @fixture ${fx.EDIT_TRIGGER} \\S+ add subtract, release token \\[REDACTED:github-token\\]`), hover);
    assert.ok(!hover.includes(secret), 'the secret is in the hover');
    // The text is the request's chat edit, named by the request VS Code stored.
    const final = shown();
    assert.strictEqual(final.length, 1, JSON.stringify(final));
    assert.strictEqual(final[0][0], fx.EDIT_CODE);
    assert.ok(final[0][1] === 'chat' || final[0][1] === 'agent', JSON.stringify(final));
    assert.match(String(final[0][4]), /^request_/, JSON.stringify(final));

    // The saved provenance has the prompt (redacted) and never the token.
    await saveDocument(doc);
    const statePath = path.join(workspaceFolder().uri.fsPath, '.git', 'ai-provenance', 'state.json');
    await waitFor(() => fs.existsSync(statePath) && fs.readFileSync(statePath, 'utf8').includes('add subtract, release token [REDACTED:github-token]'), 15_000, 'the prompt never reached state.json');
    assert.ok(!fs.readFileSync(statePath, 'utf8').includes(secret), 'the token reached state.json');
  });

  // On the proposed host Apply's edit source names Apply's own request, which VS Code never
  // stores: the prompt is not found there (a limit the README states). On Stable the text Apply
  // writes is the chat editing session's, and the stored answer whose block holds it names it.
  it(`a code block's "Apply" gets the prompt of the answer the block came from, on Stable ${hostTag()}`, async function () {
    if (hostVariant() !== 'stock') this.skip();
    const fx = (await fixture()) as BlockFixture;
    const a = (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
    const name = `fixtureApplyTrail${Date.now() % 1_000_000}`;
    const code = fx.blockCode(name);
    const secret = ['ghp_', 'Apply7'.repeat(7)].join('');
    const asked = fx.stats.chatRequests;
    await sendFixtureChat(`@fixture ${fx.BLOCK_TRIGGER} ${name} then apply it, token ${secret}`);
    await waitFor(() => fx.stats.chatRequests > asked, 30_000, 'the @fixture participant was not asked');
    const editor = await openScratchFile('apply-trail.js', 'const kept = 1;\n');
    const doc = editor.document;
    moveToEnd(editor);
    const mapped = fx.stats.mapRequests;
    // What the block's Apply button runs, right after the answer (VS Code may not have stored it yet).
    const applied = vscode.commands.executeCommand('workbench.action.chat.applyInEditor', { code, codemapperUri: doc.uri, languageId: 'javascript', codeBlockIndex: 0, element: null });
    await waitFor(() => fx.stats.mapRequests > mapped, 30_000, 'the code mapper was never asked');
    await waitFor(() => doc.getText().includes(name), 30_000, `the applied block never reached the file (${JSON.stringify(doc.getText())})`);

    const hover = await waitFor(async () => {
      const text = (await hoverText(doc.uri, new vscode.Position(1, 4))).replace(/\\/g, '');
      return text.includes('Prompt') ? text : undefined;
    }, 90_000, `the hover over the applied block never showed its prompt (ranges: ${JSON.stringify(a.getRanges(doc.uri))})`);
    assert.match(hover, new RegExp(`Prompt \\| @fixture ${fx.BLOCK_TRIGGER} ${name} then apply it, token \\[REDACTED:github-token\\]`), hover);
    assert.ok(!hover.includes(secret), 'the secret is in the hover');
    const ranges = a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind, r.requestId]);
    assert.strictEqual(ranges.length, 1, JSON.stringify(ranges));
    assert.strictEqual(ranges[0][0], code);
    assert.strictEqual(ranges[0][1], 'chat');
    assert.match(String(ranges[0][2]), /^request_/, JSON.stringify(ranges));
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('chatEditor.action.accept');
    await Promise.race([applied, sleep(10_000)]);
  });
});
