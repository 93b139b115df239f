/**
 * The chat session named by a chat editing session's document URI (VS Code 1.139's
 * `chat-editing-text-model:` query, seen in a real host, and the older shapes), and nothing read
 * from a URI that names no local session.
 */
import * as assert from 'assert';
import { chatEditingQueryNames, chatEditingSessionId } from '../../../../src/core/chat/chatEditingUri';

const SESSION = 'e315958d-7e7f-4377-91ad-808f311550a7';
const B64 = Buffer.from(SESSION).toString('base64');
const RESOURCE = { $mid: 1, external: `vscode-chat-session://local/${B64}`, path: `/${B64}`, scheme: 'vscode-chat-session', authority: 'local' };

describe('the chat session of a chat editing document (chatEditingSessionId)', () => {
  it('reads the session URI of VS Code 1.139 (text model and snapshot documents), raw or percent-encoded', () => {
    const query = JSON.stringify({ kind: 'doc', documentId: '4f1a', chatSessionResource: RESOURCE });
    assert.strictEqual(chatEditingSessionId(query), SESSION);
    assert.strictEqual(chatEditingSessionId(encodeURIComponent(query)), SESSION);
    const snapshot = JSON.stringify({ session: RESOURCE, requestId: '', undoStop: '', scheme: 'file', authority: '' });
    assert.strictEqual(chatEditingSessionId(snapshot), SESSION);
    assert.strictEqual(chatEditingSessionId(JSON.stringify({ kind: 'doc', chatSessionResource: `vscode-chat-session://local/${B64}` })), SESSION);
  });

  it('reads the plain session id of earlier versions', () => {
    assert.strictEqual(chatEditingSessionId(JSON.stringify({ kind: 'doc', documentId: '1', chatSessionId: SESSION })), SESSION);
    assert.strictEqual(chatEditingSessionId(JSON.stringify({ sessionId: SESSION, requestId: 'request_1' })), SESSION);
  });

  it('names no session for other sessions, other shapes and garbage', () => {
    // A session contributed by an extension (not local): its path is no id of the session store.
    assert.strictEqual(chatEditingSessionId(JSON.stringify({ chatSessionResource: { ...RESOURCE, authority: 'copilot-cloud-agent' } })), undefined);
    assert.strictEqual(chatEditingSessionId(JSON.stringify({ chatSessionResource: { ...RESOURCE, scheme: 'file' } })), undefined);
    // Base64 that decodes to no id.
    assert.strictEqual(chatEditingSessionId(JSON.stringify({ chatSessionResource: { ...RESOURCE, path: `/${Buffer.from('a b/c').toString('base64')}` } })), undefined);
    for (const query of ['', 'not json', '[1,2]', '{}', JSON.stringify({ chatSessionId: 'x' }), JSON.stringify({ chatSessionId: 42 })]) {
      assert.strictEqual(chatEditingSessionId(query), undefined, query);
    }
  });
});

describe('the file a chat editing document is of (chatEditingQueryNames)', () => {
  it('finds the path in the query, encoded or not, and a query that does not decode is read as it is', () => {
    const query = JSON.stringify({ kind: 'doc', documentId: 'file:///w/src/a b.ts' });
    assert.ok(chatEditingQueryNames(encodeURIComponent(query), '/w/src/a b.ts'));
    assert.ok(chatEditingQueryNames(query, '/w/src/a b.ts'));
    assert.ok(chatEditingQueryNames('%E0%A4%A /w/src/a.ts', '/w/src/a.ts'));
    assert.ok(!chatEditingQueryNames(encodeURIComponent(query), '/w/src/b.ts'));
  });
});
