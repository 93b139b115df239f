// Smoke tests of the test setup itself: the extension under test loads in a real host, the
// fixture AI produces suggestions, and the host variant is the one the harness claims.
import * as assert from 'assert';
import * as vscode from 'vscode';
import {
  EXTENSION_ID,
  FixtureApi,
  closeAllEditors,
  fixture,
  hostTag,
  hostVariant,
  moveToEnd,
  openScratchFile,
  sendFixtureChat,
  triggerAndAcceptInline,
  typeText,
  waitFor,
  waitForEvent,
} from './support/host';

describe(`smoke ${hostTag()}`, () => {
  afterEach(async () => {
    await closeAllEditors();
  });

  it(`extension ${EXTENSION_ID} activates and returns API version 1 ${hostTag()}`, async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not loaded`);
    const api = await ext.activate();
    assert.ok(ext.isActive, 'extension did not become active');
    assert.ok(api && typeof api === 'object', `activate() returned ${String(api)}, not the API object`);
    assert.strictEqual(api.apiVersion, 1);
  });

  it(`the workbench enables proposed APIs for all extensions only on the proposed host ${hostTag()}`, async function () {
    if (hostVariant() === 'unknown') this.skip();
    // This code runs with the API object of the extension under test, which declares no
    // API proposals: `detailedReason` must reach it only where the host enables them for all.
    const editor = await openScratchFile('reason.txt', 'x\n');
    moveToEnd(editor);
    const changed = waitForEvent(vscode.workspace.onDidChangeTextDocument, 5000, (e) => e.document === editor.document);
    await typeText('y');
    const event = (await changed) as vscode.TextDocumentChangeEvent & { detailedReason?: { source?: string } };
    if (hostVariant() === 'proposed') {
      assert.ok(event.detailedReason, 'proposed host: expected detailedReason on a typing change');
      assert.strictEqual(event.detailedReason.source, 'cursor');
    } else {
      assert.strictEqual(event.detailedReason, undefined, 'stock host: detailedReason must not be delivered');
    }
  });

  it(`on the stock host only the fixture AI, named in the product configuration, gets its API proposals; this extension gets none ${hostTag()}`, async function () {
    // Proposed host: every extension gets them; 1.90: the chat-edit proposals it names do not exist.
    if (hostVariant() !== 'stock') this.skip();
    const fx = (await fixture()) as FixtureApi & { codeMapperRegistered?: boolean; codeMapperError?: string };
    assert.strictEqual(fx.codeMapperRegistered, true, `the fixture AI was refused its proposal mappedEditsProvider: ${fx.codeMapperError}`);
    // This code runs with the API object of the extension under test, which is named nowhere.
    const chat = vscode.chat as unknown as { registerMappedEditsProvider2(p: unknown): vscode.Disposable };
    let registered: vscode.Disposable | undefined;
    assert.throws(() => (registered = chat.registerMappedEditsProvider2({ provideMappedEdits: async () => ({}) })), /mappedEditsProvider/);
    registered?.dispose();
  });

  it(`fixture AI completes a multi-line suggestion that commit accepts ${hostTag()}`, async () => {
    const fx = await fixture();
    const editor = await openScratchFile('multi.js', '// smoke\n');
    moveToEnd(editor);
    await typeText(fx.MULTI_LINE_TRIGGER);
    const provided = fx.stats.inlineItemsProvided;
    const text = await triggerAndAcceptInline(editor);
    assert.ok(fx.stats.inlineItemsProvided > provided, 'fixture provider was not asked');
    assert.strictEqual(text, `// smoke\n${fx.MULTI_LINE_TRIGGER}${fx.MULTI_LINE_COMPLETION}`);
  });

  it(`fixture AI completes a single-line suggestion ${hostTag()}`, async () => {
    const fx = await fixture();
    const editor = await openScratchFile('single.js', '');
    await typeText(`let x = 1; ${fx.SINGLE_LINE_TRIGGER}`);
    const text = await triggerAndAcceptInline(editor);
    assert.strictEqual(text, `let x = 1; ${fx.SINGLE_LINE_TRIGGER}${fx.SINGLE_LINE_COMPLETION}`);
  });

  it(`fixture language model answers with the fixed code block ${hostTag()}`, async function () {
    const fx = await fixture();
    // VS Code 1.90 has no API for an extension to provide a language model (it came in 1.104).
    if (hostVariant() === 'oldest' && !fx.lmRegistered && !(vscode.lm as { registerLanguageModelChatProvider?: unknown }).registerLanguageModelChatProvider) this.skip();
    assert.deepStrictEqual(fx.errors, []);
    const models = await vscode.lm.selectChatModels({ vendor: fx.LM_VENDOR, id: fx.MODEL_ID });
    assert.strictEqual(models.length, 1, `expected the model ${fx.MODEL_ID}, got ${models.map((m) => m.id).join(', ') || 'none'}`);
    const response = await models[0].sendRequest([vscode.LanguageModelChatMessage.User('write code')]);
    let answer = '';
    for await (const chunk of response.text) answer += chunk;
    assert.ok(answer.includes(fx.CHAT_CODE_BLOCK), `answer lacks the code block: ${answer}`);
  });
});

describe(`fixture chat participant ${hostTag()}`, () => {
  after(async () => {
    // Give the editor area back to the tests that follow.
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
  });

  it(`@fixture answers a chat request ${hostTag()}`, async () => {
    const fx = await fixture();
    assert.ok(fx.chatRegistered, `participant not registered: ${fx.errors.join('; ')}`);
    const before = fx.stats.chatRequests;
    await sendFixtureChat('@fixture write a function');
    await waitFor(() => fx.stats.chatRequests > before, 20000, 'the @fixture participant was not asked');
  });
});
