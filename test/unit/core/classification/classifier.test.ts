import * as assert from 'assert';
import { ChangeFacts, classifyChange } from '../../../../src/core/classification/classifier';
import { ChatCodeBlock } from '../../../../src/core/chat/chatAnswers';
import { codeOccurrences, findChatCodeBlock, matchesChatCodeBlock } from '../../../../src/core/classification/chatCodeBlockMatch';
import { readEditSource } from '../../../../src/core/classification/editSource';
import { PendingAccept, narrowReplacement } from '../../../../src/core/classification/pendingAccept';

const NOW = 1_700_000_000_000;
const CODE = 'function greet(name) {\n  return `Hello, ${name}!`;\n}\n';
const CODE_BLOCK: ChatCodeBlock = { text: CODE, model: 'vendor/fixture-model', requestId: 'request_1', participant: 'Some.Chat-Extension', completedAt: NOW - 1000 };

function facts(over: Partial<ChangeFacts> = {}): ChangeFacts {
  return {
    documentKey: 'file:///w/a.ts',
    version: 8,
    changes: [{ offset: 10, deleteLength: 0, text: 'x' }],
    chatCodeBlocks: [],
    chatEditingSession: false,
    cursorOffsets: [10],
    inlineTool: 'inline completion',
    now: NOW,
    ...over,
  };
}

function pending(over: Partial<PendingAccept> = {}): PendingAccept {
  return {
    documentKey: 'file:///w/a.ts',
    kind: 'inline',
    version: 7,
    cursors: [{ offset: 10, lineStart: 4, lineText: 'let fu' }],
    at: NOW - 5,
    tool: 'github.copilot',
    ...over,
  };
}

function kindOf(f: ChangeFacts): string {
  const a = classifyChange(f).attribution;
  return a.type === 'origin' ? a.origin.kind : a.type;
}

describe('classifyChange with VS Code edit sources (detailedReason)', () => {
  const cases: [string, unknown, string][] = [
    ['typing', { source: 'cursor', metadata: { kind: 'type', detailedSource: 'keyboard' } }, 'human'],
    ['Tab indentation', { source: 'cursor', metadata: { kind: 'executeCommands', detailedSource: 'tab' } }, 'human'],
    ['paste', { source: 'cursor', metadata: { kind: 'paste' } }, 'human'],
    ['cut', { source: 'cursor', metadata: { kind: 'cut' } }, 'human'],
    ['IME composition', { source: 'cursor', metadata: { kind: 'compositionType' } }, 'human'],
    ['inline accept', { source: 'inlineCompletionAccept', metadata: { $nes: false, $extensionId: 'fixture.ai', $$requestUuid: 'u1', $$languageId: 'typescript' } }, 'inline'],
    ['next edit accept', { source: 'inlineCompletionAccept', metadata: { $nes: true, $extensionId: 'fixture.ai' } }, 'nextEdit'],
    ['partial accept (word)', { source: 'inlineCompletionPartialAccept', metadata: { type: 'word', $extensionId: 'fixture.ai' } }, 'inlinePartial'],
    ['partial accept reported as accept with languageId line', { source: 'inlineCompletionAccept', metadata: { $$languageId: 'line' } }, 'inlinePartial'],
    ['chat apply (edit mode)', { source: 'Chat.applyEdits', metadata: { $modelId: 'gpt-x', $$sessionId: 's', $$requestId: 'q', $$mode: 'edit' } }, 'chat'],
    ['chat apply (agent mode)', { source: 'Chat.applyEdits', metadata: { $modelId: 'gpt-x', $$mode: 'agent' } }, 'agent'],
    ['inline chat apply', { source: 'inlineChat.applyEdits', metadata: { $modelId: 'gpt-x' } }, 'inlineChat'],
    ['chat undo', { source: 'Chat.undoEdits' }, 'restore'],
    ['chat reset', { source: 'Chat.reset' }, 'restore'],
    ['reload from disk', { source: 'reloadFromDisk' }, 'unknown'],
    ['snippet', { source: 'snippet' }, 'human'],
    ['suggest widget', { source: 'suggest' }, 'human'],
    ['code action', { source: 'codeAction' }, 'human'],
    ['rename', { source: 'rename' }, 'human'],
    ['setValue', { source: 'setValue' }, 'human'],
    ['applyEdits (formatter, extension edit)', { source: 'applyEdits' }, 'human'],
    ['unknown source, ordinary text', { source: 'unknown', metadata: { name: 'x' } }, 'human'],
    ['malformed metadata', { source: 'inlineCompletionAccept', metadata: 'oops' }, 'inline'],
    ['not an object', 'inlineCompletionAccept', 'human'],
    ['no source', { metadata: {} }, 'human'],
  ];
  for (const [name, detailedReason, expected] of cases) {
    it(`${name} -> ${expected}`, () => assert.strictEqual(kindOf(facts({ detailedReason })), expected));
  }

  it('names the provider and the model from the edit source', () => {
    const a = classifyChange(facts({ detailedReason: { source: 'inlineCompletionAccept', metadata: { $extensionId: 'fixture.ai', $$requestUuid: 'u1' } } })).attribution;
    assert.ok(a.type === 'origin');
    assert.strictEqual(a.origin.tool, 'fixture.ai');
    assert.strictEqual(a.origin.requestId, 'u1');
    const c = classifyChange(facts({ detailedReason: { source: 'Chat.applyEdits', metadata: { $modelId: 'gpt-x', $$requestId: 'q' } } })).attribution;
    assert.ok(c.type === 'origin');
    assert.strictEqual(c.origin.model, 'gpt-x');
  });

  it('an edit source wins over a pending accept and consumes it (no double counting)', () => {
    const r = classifyChange(facts({ pending: pending(), detailedReason: { source: 'inlineCompletionAccept', metadata: { $extensionId: 'fixture.ai' } } }));
    assert.strictEqual(r.consumedPending, true);
    assert.ok(r.attribution.type === 'origin' && r.attribution.origin.tool === 'fixture.ai');
  });

  it('a word accept that takes the last piece (reported as a whole accept) stays a partial accept, as on Stable', () => {
    const lastPiece = { offset: 10, deleteLength: 0, text: '}' };
    const whole = { source: 'inlineCompletionAccept', metadata: { $extensionId: 'fixture.ai' } };
    assert.strictEqual(kindOf(facts({ pending: pending({ kind: 'inlinePartial' }), changes: [lastPiece], detailedReason: whole })), 'inlinePartial');
    assert.strictEqual(kindOf(facts({ pending: pending({ kind: 'inlinePartial' }), changes: [lastPiece] })), 'inlinePartial', 'Stable: the keybinding alone');
    assert.strictEqual(kindOf(facts({ pending: pending(), changes: [lastPiece], detailedReason: whole })), 'inline', 'a Tab accept stays whole');
    assert.strictEqual(kindOf(facts({ changes: [lastPiece], detailedReason: whole })), 'inline', 'no keybinding seen: what the edit source says');
  });

  it('typing right after an intercepted accept is human when the edit source says typing', () => {
    assert.strictEqual(kindOf(facts({ pending: pending(), detailedReason: { source: 'cursor', metadata: { kind: 'type' } } })), 'human');
  });

  it('undo and redo restore, whatever else is known', () => {
    assert.strictEqual(kindOf(facts({ reason: 'undo', pending: pending() })), 'restore');
    assert.strictEqual(kindOf(facts({ reason: 'redo', detailedReason: { source: 'inlineCompletionAccept' } })), 'restore');
  });
});

describe('classifyChange without detailedReason (VS Code Stable)', () => {
  it('an intercepted Tab accept makes the next change at the cursor an inline completion', () => {
    const r = classifyChange(facts({ pending: pending(), changes: [{ offset: 10, deleteLength: 0, text: 'nction add(a, b) {\n  return a + b;\n}' }] }));
    assert.ok(r.attribution.type === 'origin');
    assert.strictEqual(r.attribution.origin.kind, 'inline');
    assert.strictEqual(r.attribution.origin.tool, 'github.copilot');
    assert.strictEqual(r.consumedPending, true);
  });

  it('a word accept is an inline partial accept', () => {
    assert.strictEqual(kindOf(facts({ pending: pending({ kind: 'inlinePartial' }), changes: [{ offset: 10, deleteLength: 0, text: 'nction ' }] })), 'inlinePartial');
  });

  it('a Tab accept that lands away from the cursor is a next-edit suggestion', () => {
    assert.strictEqual(kindOf(facts({ pending: pending(), changes: [{ offset: 200, deleteLength: 3, text: 'renamed' }] })), 'nextEdit');
  });

  it('a word accept away from the cursor is not attributed', () => {
    assert.strictEqual(kindOf(facts({ pending: pending({ kind: 'inlinePartial' }), changes: [{ offset: 200, deleteLength: 0, text: 'abc' }] })), 'human');
  });

  it('an accept that inserted nothing marks nothing: a later change is not its change', () => {
    assert.strictEqual(kindOf(facts({ pending: pending(), version: 9 })), 'human'); // not the next version
    assert.strictEqual(kindOf(facts({ pending: pending({ at: NOW - 10_000 }) })), 'human'); // too late
    assert.strictEqual(kindOf(facts({ pending: pending({ documentKey: 'file:///w/other.ts' }) })), 'human');
    assert.strictEqual(kindOf(facts({ pending: pending(), changes: [{ offset: 10, deleteLength: 2, text: '' }] })), 'human');
  });

  it('keeps the characters the person typed before accepting', () => {
    // The line was "let fu" with the cursor after "fu"; the suggestion replaces "fu" with "function".
    const r = classifyChange(facts({ pending: pending(), changes: [{ offset: 8, deleteLength: 2, text: 'function' }] }));
    assert.deepStrictEqual(r.changes, [{ offset: 10, deleteLength: 0, text: 'nction' }]);
  });

  it('a large non-typed change is still human from the event alone (reloads are decided later)', () => {
    assert.strictEqual(kindOf(facts({ changes: [{ offset: 0, deleteLength: 5, text: 'agent wrote this' }] })), 'human');
  });

  it('text found in a chat answer\'s code block is chat, with the model, request and participant VS Code recorded', () => {
    const r = classifyChange(facts({ chatCodeBlocks: [CODE_BLOCK], soleChatModel: 'other-model', changes: [{ offset: 10, deleteLength: 0, text: CODE }] }));
    assert.ok(r.attribution.type === 'origin');
    assert.deepStrictEqual(r.attribution.origin, { kind: 'chat', tool: 'some.chat-extension', model: 'vendor/fixture-model', requestId: 'request_1', timestamp: NOW });
    assert.strictEqual(r.rule, 'chatCodeBlock');
  });

  it('the chat rule also applies to "Insert at Cursor" reported as source unknown, and to a paste of the block', () => {
    assert.strictEqual(kindOf(facts({ detailedReason: { source: 'unknown' }, chatCodeBlocks: [CODE_BLOCK], changes: [{ offset: 0, deleteLength: 0, text: CODE }] })), 'chat');
    const paste = { source: 'cursor', metadata: { kind: 'paste' } };
    assert.strictEqual(kindOf(facts({ detailedReason: paste, chatCodeBlocks: [CODE_BLOCK], changes: [{ offset: 0, deleteLength: 0, text: CODE }] })), 'chat');
    assert.strictEqual(kindOf(facts({ detailedReason: paste, chatCodeBlocks: [CODE_BLOCK], changes: [{ offset: 0, deleteLength: 0, text: 'const unrelated = pastedByHand(1);\n' }] })), 'human');
  });

  it('typed text is human even when it equals a chat block (only insertions and pastes are matched)', () => {
    const typing = { source: 'cursor', metadata: { kind: 'type' } };
    assert.strictEqual(kindOf(facts({ detailedReason: typing, chatCodeBlocks: [CODE_BLOCK], changes: [{ offset: 0, deleteLength: 0, text: CODE }] })), 'human');
  });

  it('a block the user already has open elsewhere is a copy of their text, not chat (answers quote code)', () => {
    const asked: string[] = [];
    const copied = (t: string) => (asked.push(t), true);
    assert.strictEqual(kindOf(facts({ chatCodeBlocks: [CODE_BLOCK], copiedFromOpenText: copied, changes: [{ offset: 0, deleteLength: 0, text: CODE }] })), 'human');
    assert.deepStrictEqual(asked, [CODE]);
    const never = (_t: string) => false;
    assert.strictEqual(kindOf(facts({ chatCodeBlocks: [CODE_BLOCK], copiedFromOpenText: never, changes: [{ offset: 0, deleteLength: 0, text: CODE }] })), 'chat');
  });

  it('a block of an answer that completed after the change does not count', () => {
    const later = { ...CODE_BLOCK, completedAt: NOW + 60_000 };
    assert.strictEqual(kindOf(facts({ chatCodeBlocks: [later], changes: [{ offset: 0, deleteLength: 0, text: CODE }] })), 'human');
  });

  it('a model id in VS Code\'s edit-source form (vendor|id) is recorded as vendor/id', () => {
    const r = classifyChange(facts({ detailedReason: { source: 'Chat.applyEdits', metadata: { $modelId: 'copilot|gpt-4o' } }, changes: [{ offset: 0, deleteLength: 0, text: 'x();' }] }));
    assert.ok(r.attribution.type === 'origin');
    assert.strictEqual(r.attribution.origin.model, 'copilot/gpt-4o');
  });

  it('an ordinary large paste is human', () => {
    const paste = 'export const table = [\n' + '  { id: 1, name: "a" },\n'.repeat(200) + '];\n';
    assert.strictEqual(kindOf(facts({ chatCodeBlocks: [CODE_BLOCK], changes: [{ offset: 0, deleteLength: 0, text: paste }] })), 'human');
  });

  it('formatting is human even while a chat answer is open', () => {
    const formatted = 'function greet(name) {\n    return `Hello, ${name}!`;\n}\n';
    const r = classifyChange(facts({ chatCodeBlocks: [], changes: [{ offset: 0, deleteLength: 60, text: formatted }] }));
    assert.strictEqual(r.attribution.type, 'human');
  });

  it('edits by a chat editing session away from the cursors are chat; lines at the cursor are unknown, typing there is human', () => {
    const text = 'const fromAgent = computeSomething(input);\n';
    assert.strictEqual(kindOf(facts({ chatEditingSession: true, cursorOffsets: [500], changes: [{ offset: 40, deleteLength: 0, text }] })), 'chat');
    // An agent writing where the cursor rests, or a paste: on Stable nothing tells them apart.
    const atCursor = classifyChange(facts({ chatEditingSession: true, cursorOffsets: [40], changes: [{ offset: 40, deleteLength: 0, text }] }));
    assert.strictEqual(atCursor.attribution.type === 'origin' && atCursor.attribution.origin.kind, 'unknown');
    assert.strictEqual(atCursor.rule, 'chatEditingSession:atCursor');
    // What typing inserts at once stays the person's: a character, a line break with indentation,
    // a line without a break, a short line.
    for (const typed of ['x', '\n    ', '()', 'const fromAgent = computeSomething(input);', 'x = 1;\n']) {
      assert.strictEqual(kindOf(facts({ chatEditingSession: true, cursorOffsets: [40], changes: [{ offset: 40, deleteLength: 0, text: typed }] })), 'human', JSON.stringify(typed));
    }
    // Where the host names the source (a paste, an unnamed edit), lines at the cursor are no agent's edit.
    for (const source of ['cursor', 'unknown']) {
      const detailedReason = { source, metadata: source === 'cursor' ? { kind: 'paste' } : {} };
      assert.strictEqual(kindOf(facts({ detailedReason, chatEditingSession: true, cursorOffsets: [40], changes: [{ offset: 40, deleteLength: 0, text }] })), 'human', source);
    }
    // Without a chat editing session, lines at the cursor are a paste: human.
    assert.strictEqual(kindOf(facts({ cursorOffsets: [40], changes: [{ offset: 40, deleteLength: 0, text }] })), 'human');
  });

  it('a chat editing session\'s text names its chat session when exactly one edits the file, and waits for its request', () => {
    const text = 'const fromAgent = computeSomething(input);\n';
    const change = { offset: 40, deleteLength: 0, text };
    const away = classifyChange(facts({ chatEditingSession: true, chatEditingSessions: ['session-1'], cursorOffsets: [500], changes: [change] }));
    assert.deepStrictEqual(away.attribution.type === 'origin' && [away.attribution.origin.kind, away.attribution.origin.requestId, away.attribution.origin.prompt], ['chat', 'session-1', undefined]);
    assert.strictEqual(away.awaitingEditingRequest, true);
    const atCursor = classifyChange(facts({ chatEditingSession: true, chatEditingSessions: ['session-1'], cursorOffsets: [40], changes: [change] }));
    assert.deepStrictEqual(atCursor.attribution.type === 'origin' && [atCursor.attribution.origin.kind, atCursor.attribution.origin.requestId], ['unknown', 'session-1']);
    assert.strictEqual(atCursor.awaitingEditingRequest, true);
    // Two sessions, or none readable: no session named.
    for (const chatEditingSessions of [['session-1', 'session-2'], [], undefined]) {
      const r = classifyChange(facts({ chatEditingSession: true, chatEditingSessions, cursorOffsets: [500], changes: [change] }));
      assert.strictEqual(r.attribution.type === 'origin' && r.attribution.origin.requestId, undefined, JSON.stringify(chatEditingSessions));
    }
    // Typing in that file waits for nothing.
    assert.strictEqual(classifyChange(facts({ chatEditingSession: true, chatEditingSessions: ['session-1'], cursorOffsets: [10] })).awaitingEditingRequest, undefined);
  });

  it('plain typing is human', () => {
    assert.strictEqual(kindOf(facts()), 'human');
  });
});

describe('chat code block matching', () => {
  it('matches re-indented text and whole-line parts of a block', () => {
    assert.ok(matchesChatCodeBlock('    function greet(name) {\n      return `Hello, ${name}!`;\n    }', [CODE_BLOCK]));
    assert.ok(matchesChatCodeBlock(CODE.replace(/\n/g, '\r\n'), [CODE_BLOCK]));
    assert.ok(matchesChatCodeBlock('  return `Hello, ${name}!`;\n}', [CODE_BLOCK]));
  });
  it('does not match short text or text that merely shares a fragment', () => {
    assert.ok(!matchesChatCodeBlock('}', [CODE_BLOCK]));
    assert.ok(!matchesChatCodeBlock('return `Hello', [CODE_BLOCK]));
    assert.ok(!matchesChatCodeBlock('function greet(name) { return 1; }', [CODE_BLOCK]));
    // A line of the block that is only part of an inserted line does not match.
    assert.ok(!matchesChatCodeBlock('// see: return `Hello, ${name}!`;', [CODE_BLOCK]));
  });
  it('counts whole-line occurrences of code in a text, whatever the indentation', () => {
    const file = `// one\n${CODE}\n  ${CODE.replace(/\n/g, '\n  ')}\nconst x = 1;\n`;
    assert.strictEqual(codeOccurrences(file, CODE), 2);
    assert.strictEqual(codeOccurrences(file, 'return `Hello, ${name}!`;'), 2);
    assert.strictEqual(codeOccurrences(`// note: ${CODE}`, CODE), 0);
    assert.strictEqual(codeOccurrences('const x = 1;\n', CODE), 0);
  });
  it('names the most recent answer when several blocks match', () => {
    const older = { ...CODE_BLOCK, requestId: 'old', completedAt: NOW - 50_000 };
    const newer = { ...CODE_BLOCK, requestId: 'new', completedAt: NOW - 10 };
    assert.strictEqual(findChatCodeBlock(CODE, [newer, older], NOW)?.requestId, 'new');
    assert.strictEqual(findChatCodeBlock(CODE, [older, newer], NOW)?.requestId, 'new');
    assert.strictEqual(findChatCodeBlock(CODE, [older, newer], NOW - 20)?.requestId, 'old');
  });
});

describe('narrowReplacement', () => {
  it('drops common prefix and suffix', () => {
    assert.deepStrictEqual(narrowReplacement({ offset: 5, deleteLength: 3, text: 'foobar' }, 'foo'), { offset: 8, deleteLength: 0, text: 'bar' });
    assert.deepStrictEqual(narrowReplacement({ offset: 0, deleteLength: 2, text: '(x)' }, '()'), { offset: 1, deleteLength: 0, text: 'x' });
  });
});

describe('readEditSource', () => {
  it('reads metadata with or without $ prefixes', () => {
    assert.deepStrictEqual(readEditSource({ source: 'inlineCompletionAccept', metadata: { extensionId: 'a.b', nes: true } }), {
      type: 'inline',
      partial: false,
      nextEdit: true,
      extensionId: 'a.b',
      requestId: undefined,
    });
  });
});

import { insertedSpans } from '../../../../src/core/classification/changeSpans';

describe('insertedSpans', () => {
  it('places the inserted text of multi-change events in post-change coordinates', () => {
    const before = 'aaaa\nbbbb\ncccc\n';
    const changes = [
      { offset: 10, deleteLength: 4, text: 'ZZ' },
      { offset: 0, deleteLength: 0, text: 'XYZ' },
      { offset: 5, deleteLength: 1, text: '' },
    ];
    let after = before;
    for (const c of [...changes].sort((a, b) => b.offset - a.offset)) after = after.slice(0, c.offset) + c.text + after.slice(c.offset + c.deleteLength);
    const spans = insertedSpans(changes);
    assert.deepStrictEqual(spans, [
      { start: 0, text: 'XYZ', pure: true },
      { start: 12, text: 'ZZ', pure: false },
    ]);
    for (const s of spans) assert.strictEqual(after.slice(s.start, s.start + s.text.length), s.text);
  });
});
