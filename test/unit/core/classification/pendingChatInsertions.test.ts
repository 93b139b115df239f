import * as assert from 'assert';
import { PENDING_CHAT_TTL_MS, PendingChatInsertions } from '../../../../src/core/classification/pendingChatInsertions';

const BLOCK = 'function fixtureMultiply(a, b) {\n  return a * b;\n}\n';
const KEY = 'file:///w/a.js';

function offsets(p: PendingChatInsertions, now = 0): number[] {
  return p.current(now).map((x) => x.offset);
}

describe('insertions waiting for their chat answer', () => {
  it('keeps only insertions long enough to match, at their offsets after the event', () => {
    const p = new PendingChatInsertions();
    // Two changes of one event (offsets refer to the text before it): a short one first.
    p.add(KEY, [{ offset: 0, deleteLength: 2, text: 'x' }, { offset: 10, deleteLength: 0, text: BLOCK }], 0);
    assert.deepStrictEqual(offsets(p), [9]);
  });

  it('moves with edits before it and ignores edits after it', () => {
    const p = new PendingChatInsertions();
    p.add(KEY, [{ offset: 20, deleteLength: 0, text: BLOCK }], 0);
    p.applyChanges(KEY, [{ offset: 0, deleteLength: 0, text: 'abc' }]);
    p.applyChanges(KEY, [{ offset: 23 + BLOCK.length, deleteLength: 0, text: 'tail' }]);
    p.applyChanges(KEY, [{ offset: 5, deleteLength: 5, text: '' }]);
    // Insertions right at its start or its end do not touch it.
    p.applyChanges(KEY, [{ offset: 18, deleteLength: 0, text: 'zz' }]);
    p.applyChanges(KEY, [{ offset: 20 + BLOCK.length, deleteLength: 0, text: '!' }]);
    assert.deepStrictEqual(offsets(p), [20]);
  });

  it('drops an insertion an edit touches, and one of another document is unaffected', () => {
    const p = new PendingChatInsertions();
    p.add(KEY, [{ offset: 0, deleteLength: 0, text: BLOCK }], 0);
    p.add('file:///w/b.js', [{ offset: 0, deleteLength: 0, text: BLOCK }], 0);
    p.applyChanges(KEY, [{ offset: 5, deleteLength: 0, text: 'x' }]);
    assert.deepStrictEqual(p.current(0).map((x) => x.documentKey), ['file:///w/b.js']);
    p.applyChanges('file:///w/b.js', [{ offset: BLOCK.length - 1, deleteLength: 3, text: '' }]);
    assert.strictEqual(p.size, 0);
  });

  it('expires, and can be removed or forgotten', () => {
    const p = new PendingChatInsertions();
    p.add(KEY, [{ offset: 0, deleteLength: 0, text: BLOCK }], 1000);
    p.add(KEY, [{ offset: 100, deleteLength: 0, text: BLOCK }], 5000);
    assert.deepStrictEqual(offsets(p, 1000 + PENDING_CHAT_TTL_MS + 1), [100]);
    const [left] = p.current(0);
    p.remove(left);
    assert.strictEqual(p.size, 0);
    p.add(KEY, [{ offset: 0, deleteLength: 0, text: BLOCK }], 0);
    p.forget(KEY);
    assert.strictEqual(p.size, 0);
  });
});
