import * as assert from 'assert';
import { chatCodeBlocksOf, chatRequestsOf } from '../../../../src/core/chat/chatAnswers';
import { readChatSession } from '../../../../src/core/chat/chatSessionLog';
import { fencedCodeBlocks } from '../../../../src/core/chat/fencedCode';

const ANSWER = 'Here is the answer:\n\n```javascript\nfunction fixtureMultiply(a, b) {\n  return a * b;\n}\n```\n';

/** A session as VS Code 1.139 writes it (shape taken from a real host, trimmed). */
function request(id: string, markdown: string, completedAt = 1000): Record<string, unknown> {
  return {
    requestId: id,
    timestamp: completedAt - 500,
    agent: { extensionId: { value: 'Vendor.chat-ext', _lower: 'vendor.chat-ext' }, id: 'vendor.participant' },
    modelId: 'ai-fixture/fixture-model',
    responseTimestamp: completedAt - 400,
    modelState: { value: 1, completedAt },
    response: [{ kind: 'mcpServersStarting', didStartServerIds: [] }, { value: markdown, supportThemeIcons: false }],
  };
}

function line(entry: unknown): string {
  return JSON.stringify(entry) + '\n';
}

describe('chat session files', () => {
  it('replays a log: initial session, set, push with and without truncation, delete', () => {
    const log =
      line({ kind: 0, v: { version: 3, sessionId: 's', requests: [request('r1', 'no code')] } }) +
      line({ kind: 2, k: ['requests'], v: [request('r2', 'first')] }) +
      line({ kind: 1, k: ['requests', 1, 'response'], v: [{ value: ANSWER }] }) +
      line({ kind: 2, k: ['requests'], v: [request('r3', ANSWER)], i: 1 }) +
      line({ kind: 3, k: ['requests', 0, 'modelId'] });
    const read = readChatSession(log);
    assert.strictEqual(read.problem, undefined);
    const requests = read.session!.requests as Record<string, unknown>[];
    assert.deepStrictEqual(requests.map((r) => r.requestId), ['r1', 'r3']);
    assert.strictEqual('modelId' in requests[0], false);
  });

  it('keeps what was read before a line cut off mid-write', () => {
    const log = line({ kind: 0, v: { requests: [request('r1', ANSWER)] } }) + '{"kind":2,"k":["requ';
    const read = readChatSession(log);
    assert.match(read.problem!, /line 2 is not JSON/);
    assert.strictEqual(chatCodeBlocksOf(read.session!).length, 1);
  });

  it('reads the older single-object form', () => {
    const read = readChatSession(JSON.stringify({ version: 3, requests: [request('r1', ANSWER)] }));
    assert.strictEqual(read.problem, undefined);
    assert.strictEqual(chatCodeBlocksOf(read.session!)[0].requestId, 'r1');
  });

  it('reports an empty, corrupt or headless file without throwing', () => {
    assert.ok(readChatSession('').problem);
    assert.ok(readChatSession('not json at all').problem);
    assert.strictEqual(readChatSession('not json').session, undefined);
    assert.match(readChatSession(line({ kind: 1, k: ['a'], v: 1 })).problem!, /never written/);
    assert.match(readChatSession(line({ kind: 0, v: { a: {} } }) + line({ kind: 1, k: ['x', 'y'], v: 1 })).problem!, /does not exist/);
  });

  it('gives each code block with the model, request, participant and completion time', () => {
    const session = readChatSession(line({ kind: 0, v: { requests: [request('r1', ANSWER, 5000)] } })).session!;
    assert.deepStrictEqual(chatCodeBlocksOf(session), [
      {
        text: 'function fixtureMultiply(a, b) {\n  return a * b;\n}',
        model: 'ai-fixture/fixture-model',
        requestId: 'r1',
        participant: 'Vendor.chat-ext',
        completedAt: 5000,
      },
    ]);
  });

  it('gives every request with an id, answered or not, with its session and redacted prompt; blocks name the session', () => {
    const secret = ['ghp_', 'Sess10n'.repeat(6)].join('');
    const running = { requestId: 'r2', message: { text: `deploy with ${secret}`, parts: [] } };
    const session = { sessionId: 'sess-1', requests: [{ ...request('r1', ANSWER), message: { text: 'multiply', parts: [] } }, running, { message: 'no id' }] };
    assert.deepStrictEqual(chatRequestsOf(session), [
      { requestId: 'r1', sessionId: 'sess-1', prompt: 'multiply', model: 'ai-fixture/fixture-model' },
      { requestId: 'r2', sessionId: 'sess-1', prompt: 'deploy with [REDACTED:github-token]' },
    ]);
    assert.deepStrictEqual(chatRequestsOf({ requests: [{ requestId: 'r9' }] }), [{ requestId: 'r9' }]);
    assert.deepStrictEqual(chatCodeBlocksOf(session).map((b) => [b.requestId, b.sessionId, b.prompt]), [['r1', 'sess-1', 'multiply']]);
    assert.deepStrictEqual(chatRequestsOf({ requests: 'not a list' }), []);
  });

  it('gives the edits a request made to files (textEditGroup parts, as VS Code 1.139 stores them), one per part', () => {
    const uri = (path: string) => ({ $mid: 1, fsPath: path, external: `file://${path}`, path, scheme: 'file' });
    const edit = (text: string) => ({ text, range: { startLineNumber: 1, startColumn: 1, endLineNumber: 1, endColumn: 1 } });
    const r = request('r1', '');
    r.response = [
      { value: 'Editing the file.\n' },
      { kind: 'textEditGroup', uri: uri('/w/a.js'), edits: [[edit('const a = 1;\n'), edit('const b = 2;\n')], []], done: true },
      { kind: 'textEditGroup', uri: 'file:///w/dir%20x/b.js', edits: [[edit('let c;\n')]], done: true },
      { kind: 'textEditGroup', uri: uri('/w/c.js'), edits: [[{ text: '', range: {} }]] },
      { kind: 'textEditGroup', edits: [[edit('no uri')]] },
      { kind: 'markdownContent', content: { value: 'not an edit' } },
    ];
    assert.deepStrictEqual(chatRequestsOf({ sessionId: 's', requests: [r] }), [
      { requestId: 'r1', sessionId: 's', model: 'ai-fixture/fixture-model', edits: [{ path: '/w/a.js', text: 'const a = 1;\n\nconst b = 2;\n' }, { path: '/w/dir x/b.js', text: 'let c;\n' }] },
    ]);
  });

  it('joins markdown streamed in several parts before finding code blocks', () => {
    const r = request('r1', '');
    r.response = [{ value: 'Text\n```ts\nconst a = 1;\n' }, { value: 'const b = 2;\n```\n' }];
    assert.deepStrictEqual(chatCodeBlocksOf({ requests: [r] }).map((b) => b.text), ['const a = 1;\nconst b = 2;']);
  });

  it('ignores requests without an answer and sessions of an unknown shape', () => {
    assert.deepStrictEqual(chatCodeBlocksOf({ requests: [{ requestId: 'x' }, 7, null] }), []);
    assert.deepStrictEqual(chatCodeBlocksOf({ requests: 'nope' }), []);
  });
});

describe('fenced code blocks', () => {
  it('finds backtick and tilde fences, with info strings, longer closing fences and indentation', () => {
    const md = 'a\n```js\nx();\n````\nb\n~~~\ny();\n~~~\n  ```\n  z();\n    w();\n  ```\n';
    assert.deepStrictEqual(fencedCodeBlocks(md), ['x();', 'y();', 'z();\n  w();']);
  });
  it('does not close a fence with the other character or a shorter fence; an open block runs to the end', () => {
    assert.deepStrictEqual(fencedCodeBlocks('````\na\n```\n~~~~\nb'), ['a\n```\n~~~~\nb']);
  });
  it('ignores inline code and text without fences', () => {
    assert.deepStrictEqual(fencedCodeBlocks('use `x` and ``y``\n``not a fence``'), []);
  });
});
