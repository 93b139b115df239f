import { CarryMatch, lineOccurrences } from './carryMatch';

/**
 * The guard that keeps a person's own code theirs when it equals AI text that was cut or copied:
 * a match found later than in its own event is not carried when the same lines are found in an
 * open document (outside the insertion itself) with less AI text in them than is carried. Then
 * the person has that text as their own, and a paste of it is theirs.
 *
 * Only documents a person can have copied from count: those with an editor tab, and the
 * destination. VS Code disposes of a document a person closed; one that an extension opened (or
 * that the editor keeps loaded after its tab closed) stays listed with no tab for minutes, and
 * nobody copied from it since. Counting it would turn moved AI text human because of a file no
 * one is looking at.
 */

/** An open document as the guard reads it. */
export interface OpenText {
  readonly key: string;
  readonly text: string;
  /** The document has an editor tab (a person can have copied from it). */
  readonly shown: boolean;
  /** Non-blank AI characters of `text` in `[start, end)`. */
  aiVisibleIn(start: number, end: number): number;
}

export function isOwnTextElsewhere(m: CarryMatch, destination: string, documents: Iterable<OpenText>): boolean {
  if (m.sameEvent) return false;
  for (const d of documents) {
    if (!d.shown && d.key !== destination) continue;
    for (const occ of lineOccurrences(d.text, m.lines, m.suffixFirst, m.prefixLast)) {
      if (d.key === destination && occ.start < m.insertion.end && m.insertion.start < occ.end) continue;
      if (d.aiVisibleIn(occ.start, occ.end) < m.aiChars) return true;
    }
  }
  return false;
}
