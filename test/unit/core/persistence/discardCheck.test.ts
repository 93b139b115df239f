import * as assert from 'assert';
import { DiscardFacts, isDiscard, isDiscardCandidate } from '../../../../src/core/persistence/discardCheck';

describe('discard check (unsaved changes thrown away)', () => {
  const facts = (over: Partial<DiscardFacts> = {}): DiscardFacts => ({
    candidate: { documentVersion: 7, provenanceVersion: 40 },
    baseline: { version: 3, length: 5, hash: 'h-saved' },
    documentVersion: 7,
    provenanceVersion: 40,
    isDirty: false,
    textLength: 5,
    textHash: () => 'h-saved',
    ...over,
  });

  it('step 1: only a change that is no undo or redo, of a document with a baseline, reported clean, is a candidate', () => {
    assert.strictEqual(isDiscardCandidate({ undoRedo: false, hasBaseline: true, reportedDirty: false }), true);
    assert.strictEqual(isDiscardCandidate({ undoRedo: true, hasBaseline: true, reportedDirty: false }), false);
    assert.strictEqual(isDiscardCandidate({ undoRedo: false, hasBaseline: false, reportedDirty: false }), false);
    // A change to a dirty document leaves it dirty: never a discard.
    assert.strictEqual(isDiscardCandidate({ undoRedo: false, hasBaseline: true, reportedDirty: true }), false);
  });

  it('step 2: clean, back to the baseline text at a later version, nothing changed since: discarded', () => {
    assert.strictEqual(isDiscard(facts()), true);
  });

  it('step 2: not a discard when the document is dirty after the change, or still at the baseline version', () => {
    assert.strictEqual(isDiscard(facts({ isDirty: true })), false);
    assert.strictEqual(isDiscard(facts({ documentVersion: 3, candidate: { documentVersion: 3, provenanceVersion: 40 } })), false);
    assert.strictEqual(isDiscard(facts({ baseline: undefined })), false);
  });

  it('step 2: not a discard when the text is not the baseline text (length or hash)', () => {
    assert.strictEqual(isDiscard(facts({ textLength: 6 })), false);
    assert.strictEqual(isDiscard(facts({ textHash: () => 'h-other' })), false);
  });

  it('step 2: not a discard when the text or the provenance changed since the candidate (a mark made since is kept)', () => {
    assert.strictEqual(isDiscard(facts({ documentVersion: 8 })), false);
    assert.strictEqual(isDiscard(facts({ provenanceVersion: 41 })), false);
  });

  it('step 2: hashes the text only when everything else says discard', () => {
    let hashed = 0;
    const textHash = () => (hashed++, 'h-saved');
    isDiscard(facts({ isDirty: true, textHash }));
    isDiscard(facts({ textLength: 9, textHash }));
    assert.strictEqual(hashed, 0);
    isDiscard(facts({ textHash }));
    assert.strictEqual(hashed, 1);
  });
});
