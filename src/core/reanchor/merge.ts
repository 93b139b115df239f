import { AttributionRope, Run } from '../provenance/attributionRope';
import { NO_ORIGIN } from '../provenance/originTable';
import { AnchoredRun } from './reanchor';

/**
 * Helpers that combine attributions of one and the same text. Pure.
 */

/** A rope of `length` characters carrying `runs` (sorted, non-overlapping, within the length). */
export function ropeFromAnchored(runs: readonly AnchoredRun[], length: number): AttributionRope {
  const out: Run[] = [];
  let pos = 0;
  for (const r of [...runs].sort((a, b) => a.start - b.start)) {
    if (r.start < pos || r.start + r.length > length || r.length <= 0) continue;
    if (r.start > pos) out.push({ length: r.start - pos, origin: NO_ORIGIN });
    out.push({ length: r.length, origin: r.origin, text: r.text });
    pos = r.start + r.length;
  }
  if (length > pos) out.push({ length: length - pos, origin: NO_ORIGIN });
  return AttributionRope.fromRuns(out);
}

/** Runs of `runs` whose text is not found at their place in `text` are dropped. */
export function runsMatching(text: string, runs: readonly AnchoredRun[]): AnchoredRun[] {
  return runs.filter((r) => r.length > 0 && r.start + r.length <= text.length && text.startsWith(r.text, r.start));
}

/**
 * Lays `incoming` over `base` (both describe the same text of `length` characters): each character
 * of an incoming run takes the incoming origin when `wins(incomingOrigin, baseOrigin)` says so
 * (baseOrigin is NO_ORIGIN where base has no mark). Returns the combined runs.
 */
export function overlayRuns(
  base: readonly AnchoredRun[],
  incoming: readonly AnchoredRun[],
  length: number,
  wins: (incomingOrigin: number, baseOrigin: number) => boolean,
): AnchoredRun[] {
  const rope = ropeFromAnchored(base, length);
  for (const r of incoming) {
    if (r.start < 0 || r.start + r.length > length) continue;
    let pos = r.start;
    for (const piece of rope.slice(r.start, r.start + r.length)) {
      if (piece.origin !== r.origin && wins(r.origin, piece.origin)) {
        rope.replace(pos, piece.length, r.text.slice(pos - r.start, pos - r.start + piece.length), r.origin);
      }
      pos += piece.length;
    }
  }
  return rope.taggedRuns();
}
