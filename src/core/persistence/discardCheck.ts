/**
 * Whether a text change threw a document's unsaved changes away (Revert File, or closing with
 * "Don't Save", which reverts first): the rule behind `persistence/savedBaselines.ts`.
 *
 * The facts come in two steps, because VS Code reports them apart:
 * 1. The store's change event for the text change (capture has recorded it): a change that is not
 *    an undo or redo, of a document with a saved baseline, that VS Code reported clean at that
 *    moment, is a candidate ({@link isDiscardCandidate}). The flag VS Code gives with a change is
 *    the one from before it, except for a revert, which clears the flag before it reloads the
 *    text; a change to a document that was dirty leaves it dirty (undo and redo aside), so it
 *    cannot be a discard.
 * 2. The dirty flag after the change: VS Code reports it in a change event of its own, with no
 *    content changes, right after the change when the flag moves; when no report comes (a
 *    document that stays clean, as for a reload from disk), it is read when the document settles,
 *    saves or closes. Then {@link isDiscard} decides, from the state as it is.
 */

/** What the baseline says of the text on disk. */
export interface BaselineFacts {
  /** Document version the baseline was taken at. */
  readonly version: number;
  readonly length: number;
  readonly hash: string;
}

/** A text change that may have been a discard, as it was right after capture recorded it. */
export interface DiscardCandidate {
  /** Document version right after the change. */
  readonly documentVersion: number;
  /** Version of the document's provenance right after the change was recorded. */
  readonly provenanceVersion: number | undefined;
}

/** Step 1: the change may be a discard (see the module comment). */
export function isDiscardCandidate(facts: { readonly undoRedo: boolean; readonly hasBaseline: boolean; readonly reportedDirty: boolean }): boolean {
  return !facts.undoRedo && facts.hasBaseline && !facts.reportedDirty;
}

/** What is known when the candidate is checked. */
export interface DiscardFacts {
  readonly candidate: DiscardCandidate;
  readonly baseline: BaselineFacts | undefined;
  /** The document's version now. */
  readonly documentVersion: number;
  /** Its provenance's version now (undefined: none in the store). */
  readonly provenanceVersion: number | undefined;
  /** The dirty flag VS Code reports now, after the change. */
  readonly isDirty: boolean;
  readonly textLength: number;
  /** SHA-256 of the document's text (asked for only when everything else says discard). */
  readonly textHash: () => string;
}

/**
 * Step 2: the unsaved changes were discarded when, with nothing changed since the candidate (text
 * or provenance), the document is clean and back to exactly the baseline's text at a later version.
 */
export function isDiscard(f: DiscardFacts): boolean {
  const b = f.baseline;
  if (!b || f.isDirty || f.documentVersion === b.version) return false;
  if (f.documentVersion !== f.candidate.documentVersion || f.provenanceVersion !== f.candidate.provenanceVersion) return false;
  return f.textLength === b.length && f.textHash() === b.hash;
}
