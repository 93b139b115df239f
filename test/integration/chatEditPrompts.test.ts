// The prompt of a chat edit that VS Code names as one (edit source `Chat.applyEdits`, with the
// request and session ids), in a real VS Code. Only the `proposed` host reports edit sources to
// extensions, and only there can the fixture participant answer with an edit (`stream.textEdit`
// is a proposed API too): the test runs there and is skipped elsewhere. The edit reaches the file
// before VS Code stores the request in its chat sessions; its prompt is given to it once stored.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import { EXTENSION_ID, FixtureApi, fixture, hostTag, hostVariant, hoverText, openScratchFile, saveDocument, sendFixtureChat, waitFor, workspaceFolder } from './support/host';

/** The fixture's chat edit (test/fixtures/ai-fixture/texts.js: `fixture:edit <path>`). */
type EditFixture = FixtureApi & { readonly EDIT_TRIGGER: string; readonly EDIT_CODE: string; readonly stats: FixtureApi['stats'] & { chatEdits: number } };

describe(`chat edit prompts ${hostTag()}`, function () {
  this.timeout(120_000);

  after(async () => {
    // Keep the edit (nothing stays pending in the chat editing session), then close the chat.
    await vscode.commands.executeCommand('chatEditing.acceptAllFiles').then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  });

  it(`an edit the chat applies (Chat.applyEdits) gets its request's prompt, the token in it redacted ${hostTag()}`, async function () {
    if (hostVariant() !== 'proposed') this.skip();
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
    assert.ok(ranges[0][1] === 'chat' || ranges[0][1] === 'agent', JSON.stringify(ranges));
    assert.strictEqual(ranges[0][3], `${fx.LM_VENDOR}/${fx.MODEL_ID}`);
    assert.ok(typeof ranges[0][4] === 'string' && ranges[0][4].length > 0, 'the edit names its request');

    // VS Code stores the request a few seconds later; the prompt is given to the edit then.
    const hover = await waitFor(async () => {
      const text = (await hoverText(doc.uri, new vscode.Position(2, 4))).replace(/\\/g, '');
      return text.includes('Prompt') ? text : undefined;
    }, 60_000, 'the hover over the chat edit never showed its prompt');
    assert.match(hover, new RegExp(`Prompt \\| @fixture ${fx.EDIT_TRIGGER} \\S+ add subtract, release token \\[REDACTED:github-token\\]`), hover);
    assert.ok(!hover.includes(secret), 'the secret is in the hover');

    // The saved provenance has the prompt (redacted) and never the token.
    await saveDocument(doc);
    const statePath = path.join(workspaceFolder().uri.fsPath, '.git', 'ai-provenance', 'state.json');
    await waitFor(() => fs.existsSync(statePath) && fs.readFileSync(statePath, 'utf8').includes('add subtract, release token [REDACTED:github-token]'), 15_000, 'the prompt never reached state.json');
    assert.ok(!fs.readFileSync(statePath, 'utf8').includes(secret), 'the token reached state.json');
  });
});
