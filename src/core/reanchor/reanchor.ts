import DiffMatchPatch from 'diff-match-patch';

/**
 * Re-anchoring: carries attributed runs from an old text to a new one when the text changed while
 * it was not tracked (edited outside the editor, git checkout/stash/pull, a formatter on save...).
 *
 * Rules:
 * - characters that are unchanged keep their marks; changed or deleted characters lose them;
 * - nothing becomes attributed that was not (two narrow, documented exceptions below);
 * - a block moved elsewhere is found again when its exact text appears, as new text, in the new
 *   version (nearest occurrence to where it would have been);
 * - CRLF <-> LF conversions are invisible: a run whose text only changed line endings keeps its
 *   marks on the same characters (a CR added before an attributed LF joins the LF's run);
 * - whitespace inserted strictly inside one run (re-indentation of an attributed block) joins that
 *   run, so a reformatted block stays one range; whitespace at a run's edges never joins it.
 *
 * Pure: no I/O, no `vscode`.
 */

/** An attributed run placed in a text: `text` is exactly the characters at `[start, start+length)`. */
export interface AnchoredRun {
  readonly start: number;
  readonly length: number;
  readonly origin: number;
  readonly text: string;
}

export interface ReanchorOptions {
  /**
   * When set, characters of the new text that did not exist in the old one (and were not found to
   * be a moved block) get this origin id: used to mark text that arrived from disk with no
   * checkpoint as `unknown`. Needs the old text.
   */
  readonly insertedOrigin?: number;
  /** Shortest moved segment (non-whitespace characters) searched for elsewhere. Default 8. */
  readonly minMoveLength?: number;
  /** Seconds diff-match-patch may spend before settling for a coarser diff. Default 2. */
  readonly diffTimeout?: number;
}

export interface ReanchorStats {
  /** Attributed characters that kept their marks in place. */
  readonly kept: number;
  /** Attributed characters found again in a moved block. */
  readonly moved: number;
  /** Attributed characters that lost their marks (changed or deleted). */
  readonly lost: number;
  /** Characters given `insertedOrigin`. */
  readonly inserted: number;
}

export interface ReanchorResult {
  /** Runs over the new text, sorted, non-overlapping, neighbours of equal origin merged. */
  readonly runs: AnchoredRun[];
  readonly stats: ReanchorStats;
  /** True when the old text was available (a real diff); false for search-only re-anchoring. */
  readonly diffed: boolean;
}

/** Occurrences of a moved text examined at most (repetitive files stay linear). */
const MAX_CANDIDATES = 200;

const DIFF_DELETE = -1;
const DIFF_INSERT = 1;
const DIFF_EQUAL = 0;

/** Whitespace as the re-anchoring rules count it (also used by recall). */
export function isWs(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 11 || code === 12 || code === 0xa0 || code === 0xfeff;
}

/** Non-whitespace characters of `s`. */
export function nonWsCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (!isWs(s.charCodeAt(i))) n++;
  return n;
}

/** `text` with every CR that precedes an LF removed, and the map from each kept index back. */
interface Normalized {
  readonly s: string;
  /** Normalized index -> original index. */
  readonly toOrig: Int32Array;
  /** Original index -> normalized index; a removed CR maps to its LF's normalized index, negated minus one. */
  readonly fromOrig: Int32Array;
}

function normalizeEol(text: string): Normalized {
  const fromOrig = new Int32Array(text.length);
  if (text.indexOf('\r\n') < 0) {
    const toOrig = new Int32Array(text.length);
    for (let i = 0; i < text.length; i++) {
      toOrig[i] = i;
      fromOrig[i] = i;
    }
    return { s: text, toOrig, fromOrig };
  }
  const parts: string[] = [];
  const toOrigList: number[] = [];
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10) {
      parts.push(text.slice(last, i));
      last = i + 1;
      fromOrig[i] = -(toOrigList.length + 1); // the LF that follows will get index toOrigList.length
    } else {
      fromOrig[i] = toOrigList.length;
      toOrigList.push(i);
    }
  }
  parts.push(text.slice(last));
  return { s: parts.join(''), toOrig: Int32Array.from(toOrigList), fromOrig };
}

/** Sorted runs with any that do not match `text` or overlap a previous one removed. */
function validRuns(text: string, runs: readonly AnchoredRun[]): AnchoredRun[] {
  const sorted = [...runs].sort((a, b) => a.start - b.start);
  const out: AnchoredRun[] = [];
  let end = 0;
  for (const r of sorted) {
    if (r.length <= 0 || r.text.length !== r.length || r.start < end) continue;
    if (r.start + r.length > text.length || !text.startsWith(r.text, r.start)) continue;
    out.push(r);
    end = r.start + r.length;
  }
  return out;
}

/** Builds merged runs from a per-character origin array (0 = none). */
export function runsFromOrigins(text: string, origins: Uint32Array): AnchoredRun[] {
  const out: AnchoredRun[] = [];
  let i = 0;
  while (i < origins.length) {
    const o = origins[i];
    let j = i + 1;
    while (j < origins.length && origins[j] === o) j++;
    if (o !== 0) out.push({ start: i, length: j - i, origin: o, text: text.slice(i, j) });
    i = j;
  }
  return out;
}

/**
 * Maps `oldRuns` (placed in `oldText`) onto `newText`. When `oldText` is undefined (no snapshot of
 * the text the runs described), falls back to finding each run's exact text near its expected place.
 */
export function reanchor(oldText: string | undefined, oldRuns: readonly AnchoredRun[], newText: string, options: ReanchorOptions = {}): ReanchorResult {
  if (oldText === undefined) return reanchorBySearch(oldRuns, newText, options);
  const runs = validRuns(oldText, oldRuns);
  const minMove = options.minMoveLength ?? 8;
  const O = normalizeEol(oldText);
  const N = normalizeEol(newText);

  // Which old run (index) holds each normalized old character; -1 for none.
  const oldRun = new Int32Array(O.s.length).fill(-1);
  let total = 0;
  runs.forEach((r, k) => {
    for (let p = r.start; p < r.start + r.length; p++) {
      const n = O.fromOrig[p];
      if (n >= 0) {
        oldRun[n] = k;
        total++;
      }
    }
  });

  const dmp = new DiffMatchPatch();
  dmp.Diff_Timeout = options.diffTimeout ?? 2;
  const diffs = dmp.diff_main(O.s, N.s, true);
  dmp.diff_cleanupSemantic(diffs);

  const newRun = new Int32Array(N.s.length).fill(-1);
  const isNew = new Uint8Array(N.s.length);
  const mapped = new Uint8Array(O.s.length);
  /** First and last new index each run was mapped to by the diff (for undoing a relocation). */
  const spanFrom = new Int32Array(runs.length).fill(-1);
  const spanTo = new Int32Array(runs.length).fill(-1);
  let i = 0;
  let j = 0;
  let kept = 0;
  for (const [op, s] of diffs) {
    if (op === DIFF_EQUAL) {
      for (let t = 0; t < s.length; t++) {
        const k = oldRun[i + t];
        newRun[j + t] = k;
        mapped[i + t] = 1;
        if (k >= 0) {
          kept++;
          if (spanFrom[k] < 0) spanFrom[k] = j + t;
          spanTo[k] = j + t + 1;
        }
      }
      i += s.length;
      j += s.length;
    } else if (op === DIFF_DELETE) {
      i += s.length;
    } else if (op === DIFF_INSERT) {
      isNew.fill(1, j, j + s.length);
      j += s.length;
    }
  }

  // Moved blocks, whole runs first: a run that lost characters in place but whose whole text now
  // appears mostly as new text elsewhere was moved (the diff may have matched a few of its
  // characters with look-alike text, e.g. `function ` of another function).
  let moved = 0;
  const mappedOf = new Int32Array(runs.length);
  for (let n = 0; n < O.s.length; n++) if (oldRun[n] >= 0 && mapped[n]) mappedOf[oldRun[n]]++;
  runs.forEach((r, k) => {
    const first = O.fromOrig[r.start];
    const from = first >= 0 ? first : -first - 1;
    let to = from;
    while (to < O.s.length && oldRun[to] === k) to++;
    if (to - from === 0 || mappedOf[k] === to - from) return;
    const whole = O.s.slice(from, to);
    if (nonWsCount(whole) < minMove) return;
    const expected = dmp.diff_xIndex(diffs, from);
    let best = -1;
    let looked = 0;
    for (let at = N.s.indexOf(whole); at >= 0 && looked++ < MAX_CANDIDATES; at = N.s.indexOf(whole, at + 1)) {
      let fresh = 0;
      let ok = true;
      for (let q = at; q < at + whole.length; q++) {
        if (newRun[q] >= 0 && newRun[q] !== k) {
          ok = false;
          break;
        }
        if (isNew[q]) fresh++;
      }
      if (ok && fresh * 2 > whole.length && (best < 0 || Math.abs(at - expected) < Math.abs(best - expected))) best = at;
    }
    if (best < 0) return;
    for (let q = spanFrom[k]; q >= 0 && q < spanTo[k]; q++) if (newRun[q] === k) newRun[q] = -1;
    for (let n = from; n < to; n++) mapped[n] = 1;
    newRun.fill(k, best, best + whole.length);
    isNew.fill(0, best, best + whole.length);
    kept -= mappedOf[k];
    moved += whole.length;
  });

  // Then deleted segments (attributed or not) found verbatim among the inserted text: attributed
  // ones take their marks along; unattributed ones are at least not new text.
  let a = 0;
  while (a < O.s.length) {
    const k = oldRun[a];
    if (mapped[a]) {
      a++;
      continue;
    }
    let b = a + 1;
    while (b < O.s.length && oldRun[b] === k && !mapped[b]) b++;
    const segment = O.s.slice(a, b);
    if (nonWsCount(segment) >= minMove) {
      const expected = dmp.diff_xIndex(diffs, a);
      let best = -1;
      let looked = 0;
      for (let at = N.s.indexOf(segment); at >= 0 && looked++ < MAX_CANDIDATES; at = N.s.indexOf(segment, at + 1)) {
        let free = true;
        for (let q = at; q < at + segment.length; q++) {
          if (!isNew[q] || newRun[q] >= 0) {
            free = false;
            break;
          }
        }
        if (free && (best < 0 || Math.abs(at - expected) < Math.abs(best - expected))) best = at;
      }
      if (best >= 0) {
        if (k >= 0) {
          newRun.fill(k, best, best + segment.length);
          moved += segment.length;
        }
        isNew.fill(0, best, best + segment.length);
      }
    }
    a = b;
  }

  // Whitespace inserted strictly inside one run joins it.
  let g = 0;
  while (g < N.s.length) {
    if (newRun[g] >= 0 || !isNew[g]) {
      g++;
      continue;
    }
    let e = g;
    let allWs = true;
    while (e < N.s.length && newRun[e] < 0 && isNew[e]) {
      if (!isWs(N.s.charCodeAt(e))) allWs = false;
      e++;
    }
    if (allWs && g > 0 && e < N.s.length && newRun[g - 1] >= 0 && newRun[g - 1] === newRun[e]) {
      newRun.fill(newRun[g - 1], g, e);
      isNew.fill(0, g, e);
    }
    g = e;
  }

  // Back to the new text's own coordinates; a CR before an LF follows its LF.
  const origins = new Uint32Array(newText.length);
  const insertedOrigin = options.insertedOrigin;
  let inserted = 0;
  for (let p = 0; p < newText.length; p++) {
    const f = N.fromOrig[p];
    const n = f >= 0 ? f : -f - 1;
    const k = newRun[n];
    if (k >= 0) origins[p] = runs[k].origin;
    else if (insertedOrigin !== undefined && isNew[n]) {
      origins[p] = insertedOrigin;
      inserted++;
    }
  }
  return { runs: runsFromOrigins(newText, origins), stats: { kept, moved, lost: total - kept - moved, inserted }, diffed: true };
}

/** Without the old text: each run's exact text, at its expected place or the nearest occurrence. */
function reanchorBySearch(oldRuns: readonly AnchoredRun[], newText: string, options: ReanchorOptions): ReanchorResult {
  const minMove = options.minMoveLength ?? 8;
  const sorted = [...oldRuns].filter((r) => r.length > 0 && r.text.length === r.length).sort((x, y) => x.start - y.start);
  const origins = new Uint32Array(newText.length);
  const claimed = new Uint8Array(newText.length);
  let delta = 0;
  let kept = 0;
  let moved = 0;
  let lost = 0;
  const free = (at: number, len: number): boolean => {
    for (let q = at; q < at + len; q++) if (claimed[q]) return false;
    return true;
  };
  for (const r of sorted) {
    const variants = [r.text];
    if (r.text.includes('\r\n')) variants.push(r.text.replace(/\r\n/g, '\n'));
    else if (r.text.includes('\n')) variants.push(r.text.replace(/\n/g, '\r\n'));
    const expected = r.start + delta;
    let found = -1;
    let foundLen = 0;
    let inPlace = false;
    for (const v of variants) {
      if (newText.startsWith(v, expected) && free(expected, v.length)) {
        found = expected;
        foundLen = v.length;
        inPlace = true;
        break;
      }
    }
    if (found < 0 && nonWsCount(r.text) >= minMove) {
      for (const v of variants) {
        let looked = 0;
        for (let at = newText.indexOf(v); at >= 0 && looked++ < MAX_CANDIDATES; at = newText.indexOf(v, at + 1)) {
          if (free(at, v.length) && (found < 0 || Math.abs(at - expected) < Math.abs(found - expected))) {
            found = at;
            foundLen = v.length;
          }
        }
        if (found >= 0) break;
      }
    }
    if (found < 0) {
      lost += r.length;
      continue;
    }
    origins.fill(r.origin, found, found + foundLen);
    claimed.fill(1, found, found + foundLen);
    if (inPlace) kept += r.length;
    else moved += r.length;
    delta = found - r.start;
  }
  return { runs: runsFromOrigins(newText, origins), stats: { kept, moved, lost, inserted: 0 }, diffed: false };
}
