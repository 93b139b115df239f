import { AnchoredRun, isWs, nonWsCount, reanchor, runsFromOrigins } from './reanchor';

/**
 * Recall: an open document reloaded from disk (git stash / stash pop, a checkout of another branch
 * and back, `git restore`) gets back the marks its text had in an earlier version of the same file
 * in this session, instead of the `unknown` that text from disk gets otherwise.
 *
 * Rules (precision first):
 * - only characters the reload brought in with no author (`claimable`: marked `unknown`) can take
 *   a mark back; human, AI or other marks are never changed;
 * - each earlier version's runs are carried onto the new text as the closed-file path does (a diff
 *   against that version's text, moved blocks found by their exact text); newer versions first;
 * - a carried piece is kept only when it is the earlier run's text itself: either whole lines of
 *   the new text that are a stretch of one earlier run of at least `minLength` non-whitespace
 *   characters (a piece that starts or ends inside a line is cut back to whole lines: a person's
 *   line that starts like an AI line is not the AI's), or a whole earlier run found with the same
 *   text around it (`contextLength` characters on each side, cut at the text's ends).
 *   Characters the diff only lined up with look-alike text (`return `, `}`) never pass;
 * - text that was a person's (no mark) in a version newer than the one a mark would come from
 *   never takes that mark back: each version's unmarked text is carried onto the new text with its
 *   marks, and the non-blank characters it lands on are closed (a line the person marked as theirs
 *   with *Clear Marks*, or typed again, stays theirs);
 * - what cannot be found this way stays `unknown`.
 *
 * Pure: no I/O, no `vscode`.
 */

/**
 * A text the file had earlier, with all its marked runs (AI and `unknown`); what no run covers was
 * the person's.
 */
export interface EarlierVersion {
  readonly text: string;
  readonly runs: readonly AnchoredRun[];
}

/** Origin id standing for a person's (unmarked) text while a version is carried; never a real id. */
const PERSON = 0xffffffff;

/** The runs of `version` whose origin may come back, plus its unmarked stretches as `PERSON` runs. */
function withPersonRuns(version: EarlierVersion, recallable: (origin: number) => boolean): AnchoredRun[] {
  const out: AnchoredRun[] = [];
  const sorted = [...version.runs].filter((r) => r.length > 0 && r.start >= 0 && r.start + r.length <= version.text.length).sort((a, b) => a.start - b.start);
  let at = 0;
  const person = (end: number): void => {
    if (end > at) out.push({ start: at, length: end - at, origin: PERSON, text: version.text.slice(at, end) });
  };
  for (const r of sorted) {
    if (r.start < at) continue; // overlapping: ignored
    person(r.start);
    if (recallable(r.origin)) out.push(r);
    at = r.start + r.length;
  }
  person(version.text.length);
  return out;
}

export interface RecallOptions {
  /** Shortest stretch of whole lines of an earlier run (non-whitespace characters) taken on its own. Default 16, as for carried text. */
  readonly minLength?: number;
  /** Characters on each side a whole short run must share with its earlier place. Default 16. */
  readonly contextLength?: number;
}

export interface RecallResult {
  /** The runs of the new text: `current` with the recalled pieces laid over claimable characters. */
  readonly runs: AnchoredRun[];
  /** Characters that took a mark back. */
  readonly recalled: number;
}

/** True when `piece` at `at` in `text` has around it what `run` had around it in `old`. */
function sameContext(text: string, at: number, piece: string, old: string, run: AnchoredRun, context: number): boolean {
  const before = Math.min(context, at, run.start);
  // Fewer than `context` characters on one side only at a text's start, and then at both texts'.
  if (before < context && (at !== before || run.start !== before)) return false;
  if (text.slice(at - before, at) !== old.slice(run.start - before, run.start)) return false;
  const end = at + piece.length;
  const oldEnd = run.start + run.length;
  const after = Math.min(context, text.length - end, old.length - oldEnd);
  if (after < context && (text.length - end !== after || old.length - oldEnd !== after)) return false;
  return text.slice(end, end + after) === old.slice(oldEnd, oldEnd + after);
}

/** Whether `piece` is a stretch of `minLength`+ non-whitespace characters of one earlier run of `origin`. */
function isStretchOfRun(piece: string, origin: number, earlier: EarlierVersion, minLength: number): boolean {
  if (nonWsCount(piece) < minLength) return false;
  return earlier.runs.some((r) => r.origin === origin && r.text.includes(piece));
}

/** Whether `piece` (at `at` in `text`) is a whole earlier run of `origin` with the same text around it. */
function isWholeRunInPlace(text: string, at: number, piece: string, origin: number, earlier: EarlierVersion, context: number): boolean {
  return earlier.runs.some((r) => r.origin === origin && r.text === piece && sameContext(text, at, piece, earlier.text, r, context));
}

/**
 * The part of `text[start, end)` made of whole lines of `text`: it starts where only whitespace
 * stands before it on its line and ends where only whitespace follows it on its line. A stretch
 * that begins or ends inside a line is cut back to the line breaks within it (a diff lines up the
 * start of a person's line with an AI line that starts the same way; such a piece is no proof).
 */
function wholeLines(text: string, start: number, end: number): [number, number] {
  let from = start;
  for (let i = start - 1; i >= 0 && text.charCodeAt(i) !== 10; i--) {
    if (!isWs(text.charCodeAt(i))) {
      const nl = text.indexOf('\n', start);
      from = nl < 0 || nl >= end ? end : nl + 1;
      break;
    }
  }
  let to = end;
  if (end > 0 && text.charCodeAt(end - 1) !== 10) {
    for (let i = end; i < text.length && text.charCodeAt(i) !== 10; i++) {
      if (!isWs(text.charCodeAt(i))) {
        const nl = text.lastIndexOf('\n', end - 1);
        to = nl < from ? from : nl + 1;
        break;
      }
    }
  }
  return [from, Math.max(from, to)];
}

/**
 * The runs of `text` (now carrying `current`) with the marks of `earlier` versions (newest first)
 * given back to claimable characters, per the rules above. `recallable(origin)` says which earlier
 * marks may come back (AI marks; not `unknown`).
 */
export function recallEarlierMarks(
  text: string,
  current: readonly AnchoredRun[],
  earlier: readonly EarlierVersion[],
  claimable: (origin: number) => boolean,
  recallable: (origin: number) => boolean,
  options: RecallOptions = {},
): RecallResult {
  const minLength = options.minLength ?? 16;
  const context = options.contextLength ?? 16;
  // Per character: its current origin (0 none) and whether it may still take a mark back.
  const origins = new Uint32Array(text.length);
  const open = new Uint8Array(text.length);
  let openCount = 0;
  for (const r of current) {
    if (r.start < 0 || r.start + r.length > text.length) continue;
    origins.fill(r.origin, r.start, r.start + r.length);
    if (claimable(r.origin)) {
      open.fill(1, r.start, r.start + r.length);
      openCount += r.length;
    }
  }
  let recalled = 0;
  for (const version of earlier) {
    if (openCount === 0) break;
    const runs = withPersonRuns(version, recallable);
    const carried = reanchor(version.text, runs, text).runs;
    const kept = { ...version, runs: runs.filter((r) => r.origin !== PERSON) };
    // The person's text of this version closes what it lands on (its non-blank characters), for
    // this version and every older one; newer versions had their say already.
    for (const c of carried) {
      if (c.origin !== PERSON) continue;
      for (let p = c.start; p < c.start + c.length; p++) {
        if (open[p] && !isWs(text.charCodeAt(p))) {
          open[p] = 0;
          openCount--;
        }
      }
    }
    if (kept.runs.length === 0) continue;
    for (const c of carried) {
      if (c.origin === PERSON) continue;
      // The open stretches of this carried run, each judged on its own.
      let p = c.start;
      const end = c.start + c.length;
      while (p < end) {
        if (!open[p]) {
          p++;
          continue;
        }
        let q = p;
        while (q < end && open[q]) q++;
        const piece = text.slice(p, q);
        // A whole earlier run in its place is taken as it is; otherwise only the stretch's whole lines.
        let from = p;
        let to = q;
        if (!isWholeRunInPlace(text, p, piece, c.origin, kept, context)) {
          [from, to] = wholeLines(text, p, q);
          if (from >= to || !isStretchOfRun(text.slice(from, to), c.origin, kept, minLength)) to = from;
        }
        if (from < to) {
          origins.fill(c.origin, from, to);
          open.fill(0, from, to);
          openCount -= to - from;
          recalled += to - from;
        }
        p = q;
      }
    }
  }
  if (recalled === 0) return { runs: [...current], recalled: 0 };
  return { runs: runsFromOrigins(text, origins), recalled };
}
