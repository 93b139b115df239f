/**
 * The request behind text the chat-editing-session rule recorded (VS Code Stable): the one stored
 * request whose edits of that very file hold the text, in the text's chat session when known;
 * never a guess between two requests, never for text too short to tell.
 */
import * as assert from 'assert';
import { ChatCodeBlock, ChatRequestRecord } from '../../../../src/core/chat/chatAnswers';
import { chatEditingRequest } from '../../../../src/core/classification/chatEditingRequest';

const FILE = '/w/src/agent.js';
const FIRST = 'export function fixtureAgentFirst(items) {\n  return items.filter(Boolean);\n}\n';
const SECOND = 'export function fixtureAgentSecond(items) {\n  return items.map(String);\n}\n';

const agent = (requestId: string, sessionId: string, edits: { path: string; text: string }[], prompt: string | null = `prompt of ${requestId}`): ChatRequestRecord => ({
  requestId,
  sessionId,
  ...(prompt !== null ? { prompt } : {}),
  edits,
});

describe('the request behind a chat editing session\'s text (chatEditingRequest)', () => {
  it('finds the one request whose edits of the same file hold the text, with its prompt', () => {
    const requests = [{ ...agent('r1', 's1', [{ path: FILE, text: `${FIRST}\n${SECOND}` }]), model: 'vendor/m' }, agent('r2', 's1', [{ path: '/w/src/other.js', text: FIRST }])];
    assert.deepStrictEqual(chatEditingRequest({ path: FILE, text: FIRST }, requests), { type: 'found', requestId: 'r1', sessionId: 's1', prompt: 'prompt of r1', model: 'vendor/m' });
    // Two edits of the request written next to each other, re-indented, or cut at both ends.
    assert.strictEqual(chatEditingRequest({ path: FILE, text: FIRST + SECOND }, requests).type, 'found');
    assert.strictEqual(chatEditingRequest({ path: FILE, text: FIRST.replace(/\n {2}/g, '\n\t\t') }, requests).type, 'found');
    assert.strictEqual(chatEditingRequest({ path: FILE, text: 'items) {\n  return items.filter(Bool' }, requests).type, 'found');
    // The session the text was written in, when known, is the request's.
    assert.strictEqual(chatEditingRequest({ path: FILE, text: FIRST, sessionId: 's1' }, requests).type, 'found');
  });

  it('finds none (yet) for text no stored request wrote into that file: another file, another session, other text', () => {
    const requests = [agent('r1', 's1', [{ path: FILE, text: FIRST }])];
    for (const edit of [{ path: '/w/src/other.js', text: FIRST }, { path: FILE, text: FIRST, sessionId: 's2' }, { path: FILE, text: SECOND }]) {
      const r = chatEditingRequest(edit, requests);
      assert.deepStrictEqual([r.type, r.type === 'none' && r.later], ['none', true], JSON.stringify(edit));
    }
    assert.strictEqual(chatEditingRequest({ path: FILE, text: FIRST }, []).type, 'none');
  });

  it('never guesses: text in the edits of two requests (a later rewrite, or two sessions) gets no prompt', () => {
    const rewrite = [agent('r1', 's1', [{ path: FILE, text: FIRST }]), agent('r2', 's1', [{ path: FILE, text: FIRST + SECOND }])];
    const r = chatEditingRequest({ path: FILE, text: FIRST }, rewrite);
    assert.deepStrictEqual(r, { type: 'none', why: 'the edits of more than one request hold the text', later: false });
    const sessions = [agent('r1', 's1', [{ path: FILE, text: FIRST }]), agent('r9', 's2', [{ path: FILE, text: FIRST }])];
    assert.strictEqual(chatEditingRequest({ path: FILE, text: FIRST }, sessions).type, 'none');
    // Knowing the session settles it.
    assert.strictEqual(chatEditingRequest({ path: FILE, text: FIRST, sessionId: 's2' }, sessions).type, 'found');
  });

  it('gives no prompt for text too short to tell (a brace is in every edit) or a request without one', () => {
    const requests = [agent('r1', 's1', [{ path: FILE, text: FIRST }])];
    for (const text of ['}\n', '  return items;', '\n\n   \n']) {
      assert.deepStrictEqual(chatEditingRequest({ path: FILE, text }, requests), { type: 'none', why: 'the text is too short to match', later: false }, JSON.stringify(text));
    }
    assert.deepStrictEqual(chatEditingRequest({ path: FILE, text: FIRST }, [agent('r1', 's1', [{ path: FILE, text: FIRST }], null)]), { type: 'none', why: 'the request has no prompt', later: false });
  });

  it('compares Windows drive paths without case, other paths exactly', () => {
    const requests = [agent('r1', 's1', [{ path: '/c:/Work/a.ts', text: FIRST }])];
    assert.strictEqual(chatEditingRequest({ path: '/C:/Work/a.ts', text: FIRST }, requests).type, 'found');
    assert.strictEqual(chatEditingRequest({ path: '/W/src/agent.js', text: FIRST }, [agent('r1', 's1', [{ path: FILE, text: FIRST }])]).type, 'none');
  });

  it("a code block's Apply (its own session, never stored): the one answer whose block holds the text, only when blocks are given", () => {
    const AT = 1_700_000_000_000;
    const block = (requestId: string, completedAt = AT - 5000): ChatCodeBlock => ({ text: FIRST, requestId, sessionId: 'chat-1', prompt: `prompt of ${requestId}`, completedAt });
    const requests = [agent('r1', 's1', [{ path: FILE, text: SECOND }])];
    const apply = { path: FILE, text: FIRST, sessionId: 'apply-session' };
    // While its own request may still be stored, blocks are not looked at.
    assert.deepStrictEqual(chatEditingRequest(apply, requests), { type: 'none', why: 'no stored request edited this file with this text', later: true });
    assert.deepStrictEqual(chatEditingRequest(apply, requests, { blocks: [block('ask-1')], at: AT }), { type: 'found', requestId: 'ask-1', prompt: 'prompt of ask-1' });
    // Two answers hold it, or the only one completed after the text was written: no prompt.
    assert.strictEqual(chatEditingRequest(apply, requests, { blocks: [block('ask-1'), { ...block('ask-2'), sessionId: 'chat-2' }], at: AT }).type, 'none');
    assert.strictEqual(chatEditingRequest(apply, requests, { blocks: [block('ask-1', AT + 1000)], at: AT }).type, 'none');
    // A request whose edits of the file hold the text wins over the blocks; two such requests are no guess.
    const edited = [agent('r1', 's1', [{ path: FILE, text: FIRST }])];
    assert.strictEqual((chatEditingRequest({ path: FILE, text: FIRST }, edited, { blocks: [block('ask-1')], at: AT }) as { requestId: string }).requestId, 'r1');
    const twice = [...edited, agent('r2', 's2', [{ path: FILE, text: FIRST }])];
    assert.strictEqual(chatEditingRequest({ path: FILE, text: FIRST }, twice, { blocks: [block('ask-1')], at: AT }).type, 'none');
  });
});
