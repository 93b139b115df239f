/**
 * The prompt of a chat or agent edit: by the request the edit names (only in the session it names;
 * wait while the request is not stored), otherwise by the inserted text's one request, never a
 * guess between requests or sessions. Also the classifier's use of it for `Chat.applyEdits`.
 */
import * as assert from 'assert';
import { ChatCodeBlock, ChatRequestRecord } from '../../../../src/core/chat/chatAnswers';
import { ChangeFacts, classifyChange } from '../../../../src/core/classification/classifier';
import { ChatConversationFacts, chatEditConversation } from '../../../../src/core/classification/chatEditConversation';

const NOW = 1_700_000_000_000;
const CODE = 'function greet(name) {\n  return `Hello, ${name}!`;\n}\n';

const REQUESTS: ChatRequestRecord[] = [
  { requestId: 'request_a', sessionId: 'session-1', prompt: 'write a greeting' },
  { requestId: 'request_b', sessionId: 'session-1', prompt: 'now in French' },
  { requestId: 'request_c', sessionId: 'session-2' },
];

function known(blocks: ChatCodeBlock[] = []): ChatConversationFacts {
  return { request: (id) => REQUESTS.find((r) => r.requestId === id), blocks };
}

const block = (requestId: string, sessionId: string, prompt: string, text = CODE): ChatCodeBlock => ({ text, requestId, sessionId, prompt, completedAt: NOW - 1000 });

describe('the prompt of a chat edit (chatEditConversation)', () => {
  it('an edit that names its request gets that request\'s prompt', () => {
    assert.deepStrictEqual(chatEditConversation({ requestId: 'request_b', sessionId: 'session-1' }, ['x'], known()), { type: 'found', requestId: 'request_b', prompt: 'now in French' });
    // The session named by the edit may be absent; the request id alone identifies it.
    assert.deepStrictEqual(chatEditConversation({ requestId: 'request_a' }, [], known()), { type: 'found', requestId: 'request_a', prompt: 'write a greeting' });
  });

  it('waits while the named request is not stored yet', () => {
    assert.deepStrictEqual(chatEditConversation({ requestId: 'request_new', sessionId: 'session-1' }, ['x'], known()), { type: 'wait', requestId: 'request_new' });
  });

  it('never takes a request stored in another session than the edit names, nor one without a prompt', () => {
    const other = chatEditConversation({ requestId: 'request_a', sessionId: 'session-2' }, ['x'], known());
    assert.strictEqual(other.type, 'none');
    assert.strictEqual(chatEditConversation({ requestId: 'request_c', sessionId: 'session-2' }, ['x'], known()).type, 'none');
  });

  it('a named request is never replaced by a content match, even when the text is in another request\'s answer', () => {
    const r = chatEditConversation({ requestId: 'request_new', sessionId: 'session-1' }, [CODE], known([block('request_a', 'session-1', 'write a greeting')]), NOW);
    assert.deepStrictEqual(r, { type: 'wait', requestId: 'request_new' });
  });

  it('without a request id: the one request whose answer holds the inserted text (in the named session)', () => {
    const blocks = [block('request_a', 'session-1', 'write a greeting'), block('request_x', 'session-2', 'other session', 'const unrelated = 1;\nconst more = 2;\n')];
    assert.deepStrictEqual(chatEditConversation({ sessionId: 'session-1' }, [CODE], known(blocks), NOW), { type: 'found', requestId: 'request_a', prompt: 'write a greeting' });
    assert.deepStrictEqual(chatEditConversation({}, ['  return `Hello, ${name}!`;\n'], known(blocks), NOW), { type: 'found', requestId: 'request_a', prompt: 'write a greeting' });
  });

  it('without a request id, text found in the answers of two sessions gets no prompt (no guess across sessions)', () => {
    const blocks = [block('request_a', 'session-1', 'write a greeting'), block('request_y', 'session-2', 'a different prompt')];
    const r = chatEditConversation({}, [CODE], known(blocks), NOW);
    assert.strictEqual(r.type, 'none');
    assert.match((r as { why: string }).why, /more than one request/);
    // Naming the session settles it; naming a session whose answers do not hold the text gives none.
    assert.strictEqual(chatEditConversation({ sessionId: 'session-2' }, [CODE], known(blocks), NOW).type, 'found');
    assert.strictEqual(chatEditConversation({ sessionId: 'session-3' }, [CODE], known(blocks), NOW).type, 'none');
  });

  it('without a request id, text in no answer, too short to match, or answered after the edit gets no prompt', () => {
    const blocks = [block('request_a', 'session-1', 'write a greeting')];
    assert.strictEqual(chatEditConversation({}, ['function other() {\n  return 0;\n}\n'], known(blocks), NOW).type, 'none');
    assert.strictEqual(chatEditConversation({}, ['}\n'], known(blocks), NOW).type, 'none');
    assert.strictEqual(chatEditConversation({}, [CODE, 'not in any answer at all, long enough\n'], known(blocks), NOW).type, 'none');
    assert.strictEqual(chatEditConversation({}, [CODE], known(blocks), NOW - 5000).type, 'none');
    assert.strictEqual(chatEditConversation({}, [], known(blocks), NOW).type, 'none');
  });
});

describe('classifyChange: the prompt of a Chat.applyEdits edit', () => {
  function facts(detailedReason: unknown, over: Partial<ChangeFacts> = {}): ChangeFacts {
    return {
      documentKey: 'file:///w/a.ts',
      version: 3,
      detailedReason,
      changes: [{ offset: 0, deleteLength: 0, text: 'const x = 1;\n' }],
      chatCodeBlocks: [],
      chatRequest: (id) => REQUESTS.find((r) => r.requestId === id),
      chatEditingSession: false,
      cursorOffsets: [],
      inlineTool: 'inline completion',
      now: NOW,
      ...over,
    };
  }
  const applyEdits = (requestId: string | undefined, sessionId: string, mode = 'agent') => ({
    source: 'Chat.applyEdits',
    metadata: { $modelId: 'copilot/gpt-x', $$sessionId: sessionId, ...(requestId ? { $$requestId: requestId } : {}), $$mode: mode },
  });

  it('an agent edit of a stored request carries its prompt', () => {
    const r = classifyChange(facts(applyEdits('request_a', 'session-1')));
    assert.ok(r.attribution.type === 'origin');
    assert.deepStrictEqual([r.attribution.origin.kind, r.attribution.origin.requestId, r.attribution.origin.prompt], ['agent', 'request_a', 'write a greeting']);
    assert.strictEqual(r.awaitingPrompt, undefined);
  });

  it('an edit of a request not stored yet has no prompt and waits for it, with its session', () => {
    const r = classifyChange(facts(applyEdits('request_new', 'session-1', 'edit')));
    assert.ok(r.attribution.type === 'origin');
    assert.deepStrictEqual([r.attribution.origin.kind, r.attribution.origin.requestId, r.attribution.origin.prompt], ['chat', 'request_new', undefined]);
    assert.deepStrictEqual(r.awaitingPrompt, { requestId: 'request_new', sessionId: 'session-1' });
  });

  it('an edit naming a request of another session gets no prompt and does not wait', () => {
    const r = classifyChange(facts(applyEdits('request_a', 'session-2')));
    assert.ok(r.attribution.type === 'origin');
    assert.strictEqual(r.attribution.origin.prompt, undefined);
    assert.strictEqual(r.attribution.origin.requestId, 'request_a');
    assert.strictEqual(r.awaitingPrompt, undefined);
  });

  it('an edit naming only its session: the answer that holds the text names the request, in that session only', () => {
    const blocks = [block('request_a', 'session-1', 'write a greeting')];
    const ok = classifyChange(facts(applyEdits(undefined, 'session-1'), { changes: [{ offset: 0, deleteLength: 0, text: CODE }], chatCodeBlocks: blocks }));
    assert.ok(ok.attribution.type === 'origin');
    assert.deepStrictEqual([ok.attribution.origin.requestId, ok.attribution.origin.prompt], ['request_a', 'write a greeting']);
    const other = classifyChange(facts(applyEdits(undefined, 'session-2'), { changes: [{ offset: 0, deleteLength: 0, text: CODE }], chatCodeBlocks: blocks }));
    assert.ok(other.attribution.type === 'origin');
    assert.deepStrictEqual([other.attribution.origin.requestId, other.attribution.origin.prompt], ['session-2', undefined]);
  });
});
