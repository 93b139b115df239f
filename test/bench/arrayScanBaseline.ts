import { NO_ORIGIN, OriginTable } from '../../src/core/provenance/originTable';
import { ChangeAttribution, TextChange } from '../../src/core/provenance/provenanceStore';

/**
 * BASELINE for the benchmark only, not used by the extension: the straightforward way to keep
 * attributed ranges exact through edits. Ranges are a sorted array of `{ start, end, origin }`
 * (attributed text only; unattributed text has no entry). Every change scans all ranges, shifts
 * those after it, cuts the ones it overlaps and splices in the inserted range, so a change costs
 * O(number of ranges). It follows the same rules as the attribution rope (an insertion inside a
 * range of another origin splits it, a deletion removes exactly the deleted characters, touching
 * ranges of the same origin merge), so both must end with the same ranges after the same session;
 * the benchmark checks that before it trusts any ratio.
 */
export interface BaselineRange {
  start: number;
  end: number;
  origin: number;
}

export class ArrayScanBaseline {
  ranges: BaselineRange[];

  constructor(
    readonly origins: OriginTable,
    ranges: BaselineRange[] = [],
  ) {
    this.ranges = ranges;
  }

  /** Same contract as `DocumentProvenance.applyChanges` for human and origin attributions. */
  applyChanges(changes: readonly TextChange[], attribution: ChangeAttribution): void {
    if (attribution.type === 'restore') throw new Error('the baseline does not model undo/redo restore');
    const ordered = changes.length > 1 ? [...changes].sort((a, b) => b.offset - a.offset) : changes;
    const originId = attribution.type === 'origin' ? this.origins.intern(attribution.origin) : NO_ORIGIN;
    for (const change of ordered) this.replace(change.offset, change.deleteLength, change.text.length, originId);
  }

  /** Replaces `deleteLength` characters at `offset` by `insertLength` characters of `origin`. */
  replace(offset: number, deleteLength: number, insertLength: number, origin: number): void {
    const rs = this.ranges;
    const deleteEnd = offset + deleteLength;
    const delta = insertLength - deleteLength;
    let firstOverlap = -1;
    let overlapEnd = -1;
    let firstAfter = -1;
    let left: BaselineRange | undefined;
    let right: BaselineRange | undefined;
    // One pass over every range: ranges before the change stay, ranges after it shift, ranges
    // that overlap it are cut.
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      if (r.end <= offset) continue;
      if (r.start >= deleteEnd) {
        if (firstAfter < 0) firstAfter = i;
        r.start += delta;
        r.end += delta;
        continue;
      }
      if (firstOverlap < 0) firstOverlap = i;
      overlapEnd = i + 1;
      if (r.start < offset) left = { start: r.start, end: offset, origin: r.origin };
      if (r.end > deleteEnd) right = { start: offset + insertLength, end: r.end + delta, origin: r.origin };
    }
    const replacement: BaselineRange[] = [];
    if (left) replacement.push(left);
    if (insertLength > 0 && origin !== NO_ORIGIN) replacement.push({ start: offset, end: offset + insertLength, origin });
    if (right) replacement.push(right);
    let at: number;
    if (firstOverlap >= 0) {
      at = firstOverlap;
      rs.splice(firstOverlap, overlapEnd - firstOverlap, ...replacement);
    } else {
      at = firstAfter >= 0 ? firstAfter : rs.length;
      if (replacement.length) rs.splice(at, 0, ...replacement);
    }
    // Touching ranges of one origin become one range (the rope keeps the same invariant).
    const last = Math.min(rs.length - 1, at + replacement.length);
    for (let j = Math.max(1, at); j <= last && j < rs.length; ) {
      const a = rs[j - 1];
      const b = rs[j];
      if (a.origin === b.origin && a.end === b.start) {
        a.end = b.end;
        rs.splice(j, 1);
      } else {
        j++;
      }
    }
  }

  /** Number of attributed ranges. */
  get rangeCount(): number {
    return this.ranges.length;
  }
}
