/**
 * Which removed AI text is kept for a later insertion to get its origin back (README, capture
 * table). Decided from facts the adapter gathers about the change that removed it:
 *
 * - removed by undo or redo: never kept. The person took the text back (rejected it); undo and redo
 *   restore their own marks, character for character, without this rule.
 * - removed by a revert of the file (*File: Revert*, discarding unsaved changes: the document was
 *   dirty before the change and is clean once it has settled): not kept, for the same reason.
 * - removed by a person's edit (cut, delete, a line move, drag and drop) or by a reload of a clean
 *   document from disk (`git stash`, a checkout): kept, for `REMOVED_TTL_MS` (recentSources.ts).
 *
 * A revert is only known once the dirty flag has settled, a moment after the change: the adapter
 * keeps the text at once and takes it back out when the settled facts say `revert`.
 */
export type RemovalCause = 'edit' | 'undoRedo' | 'revert' | 'reload';

export interface RemovalFacts {
  /** The change is an undo or a redo. */
  readonly undoRedo: boolean;
  /** The document had unsaved changes before the change. */
  readonly dirtyBefore: boolean;
  /** The document is clean (or gone) once the change has settled, with no edit after it. */
  readonly cleanAfter: boolean;
}

export function removalCause(f: RemovalFacts): RemovalCause {
  if (f.undoRedo) return 'undoRedo';
  if (f.cleanAfter) return f.dirtyBefore ? 'revert' : 'reload';
  return 'edit';
}

/** True when text removed for `cause` may be given back to a later insertion of the same text. */
export function keptForLater(cause: RemovalCause): boolean {
  return cause === 'edit' || cause === 'reload';
}
