import { CarryMatch, lineOccurrences } from './carryMatch';

/**
 * The guard that keeps a person's own code theirs when it equals AI text that was cut or copied:
 * a match found later than in its own event is not carried when the same lines are found in an
 * open document (outside the insertion itself) with less AI text in them than is carried. Then
 * the person has that text as their own, and a paste of it is theirs.
 */

/** An open document as the guard reads it. */
export interface OpenText {
  readonly key: string;
  readonly text: string;
  /** Non-blank AI characters of `text` in `[start, end)`. */
  aiVisibleIn(start: number, end: number): number;
}

export function isOwnTextElsewhere(m: CarryMatch, destination: string, documents: Iterable<OpenText>): boolean {
  if (m.sameEvent) return false;
  for (const d of documents) {
    for (const occ of lineOccurrences(d.text, m.lines, m.suffixFirst, m.prefixLast)) {
      if (d.key === destination && occ.start < m.insertion.end && m.insertion.start < occ.end) continue;
      if (d.aiVisibleIn(occ.start, occ.end) < m.aiChars) return true;
    }
  }
  return false;
}
