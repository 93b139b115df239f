import { CarrySource, SourceLine, aiVisibleLength, visibleLength } from './carrySource';

/**
 * Decides which characters of inserted text are AI text that moved or was copied: the rules
 * (README, "How capture works"):
 *
 * - Lines are compared by their content without surrounding whitespace (a move may re-indent),
 *   character for character; blank lines are skipped. A window of consecutive lines of the
 *   insertion must equal consecutive lines of a source; only its first line may be the end of a
 *   longer line, and its last the start of one, where the source does not know what surrounded
 *   them (the person's text a completion was typed after) and the window has another line.
 * - Same event (a line move with Alt+Up/Down, drag and drop, a refactoring that moves code):
 *   text removed by the event that comes back in it keeps its attribution. A window under
 *   `MIN_CARRY_CHARS` non-blank characters (a lone `}`) counts only when it is the whole
 *   insertion and the whole removed stretch: exactly those lines moved.
 * - Later (cut then paste, copy then paste, a reload that brings back what an earlier one
 *   removed): the insertion must hold a line break (whole lines; typing never does) and the window
 *   at least `MIN_CARRY_CHARS` non-blank characters; the most recent source wins, and a selection
 *   of the same text without AI in it (the person's own code) keeps it human. The adapter then
 *   also checks that the text is not found as the person's own text in open documents.
 */

/** Windows matched later than in the same event need this many non-blank characters. */
export const MIN_CARRY_CHARS = 16;
/** Above this many line comparisons an insertion is not matched against a source (huge pastes). */
const MAX_COMPARISONS = 2_000_000;

/** Inserted text: where it starts in the document after the event, and its characters. */
export interface Insertion {
  readonly start: number;
  readonly text: string;
  /** Inserted without deleting anything (not a replacement). */
  readonly pure?: boolean;
}

interface InsertedLine {
  readonly content: string;
  /** Offset of the content in the document after the event. */
  readonly start: number;
  /** The whitespace before the content, back to the previous line's content or the insertion's start. */
  readonly gapBefore: string;
}

/** AI characters to mark: `length` characters at `start` (document after the event). */
export interface CarriedMark {
  readonly start: number;
  readonly length: number;
  readonly origin: number;
}

export interface CarryMatch {
  readonly source: CarrySource;
  readonly sameEvent: boolean;
  readonly marks: readonly CarriedMark[];
  /** The source lines matched, with whether the first/last matched only part of an inserted line. */
  readonly lines: readonly string[];
  readonly suffixFirst: boolean;
  readonly prefixLast: boolean;
  /** The inserted span the match lies in (document after the event). */
  readonly insertion: { readonly start: number; readonly end: number };
  /** Non-blank AI characters carried. */
  readonly aiChars: number;
}

function insertedLines(ins: Insertion): InsertedLine[] {
  const out: InsertedLine[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  let previousEnd = 0;
  const push = (end: number) => {
    const raw = ins.text.slice(start, end);
    const content = raw.trim();
    if (content.length === 0) return;
    const at = start + (raw.length - raw.trimStart().length);
    out.push({ content, start: ins.start + at, gapBefore: ins.text.slice(previousEnd, at) });
    previousEnd = at + content.length;
  };
  for (let m = re.exec(ins.text); m; m = re.exec(ins.text)) {
    push(m.index);
    start = m.index + m[0].length;
  }
  push(ins.text.length);
  return out;
}

interface Window {
  readonly source: CarrySource;
  readonly sameEvent: boolean;
  readonly pure: boolean;
  readonly stretch: readonly SourceLine[];
  readonly i: number;
  readonly j: number;
  readonly length: number;
  readonly suffixFirst: boolean;
  readonly prefixLast: boolean;
  readonly rank: number;
}

/** Maximal windows of `lines` equal to lines of `stretch` (see the rules above). */
function windows(lines: readonly InsertedLine[], stretch: readonly SourceLine[], source: CarrySource, sameEvent: boolean, rank: number): Window[] {
  const pure = source.pure === true;
  const out: Window[] = [];
  if (lines.length * stretch.length > MAX_COMPARISONS) return out;
  for (let j = 0; j < stretch.length; j++) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].content !== stretch[j].content) continue;
      if (i > 0 && j > 0 && lines[i - 1].content === stretch[j - 1].content) continue; // not maximal
      let k = 1;
      while (i + k < lines.length && j + k < stretch.length && lines[i + k].content === stretch[j + k].content) k++;
      let start = i;
      let sj = j;
      let length = k;
      let suffixFirst = false;
      let prefixLast = false;
      // The first line of a stretch may be the end of an inserted line, the last its start.
      if (j === 1 && i > 0 && stretch[0].partialStart && lines[i - 1].content.endsWith(stretch[0].content)) {
        start = i - 1;
        sj = 0;
        length++;
        suffixFirst = true;
      }
      const last = sj + length;
      if (last === stretch.length - 1 && start + length < lines.length && stretch[last].partialEnd && lines[start + length].content.startsWith(stretch[last].content)) {
        length++;
        prefixLast = true;
      }
      out.push({ source, sameEvent, pure, stretch, i: start, j: sj, length, suffixFirst, prefixLast, rank });
    }
  }
  return out;
}

/**
 * Matches each insertion of an event against the sources removed by the same event and the
 * recent sources (most recent first wins). Returns the accepted matches; the caller marks them,
 * after its own checks for matches that are not `sameEvent`.
 */
export function matchCarried(insertions: readonly Insertion[], sameEvent: readonly CarrySource[], recent: readonly CarrySource[]): CarryMatch[] {
  const out: CarryMatch[] = [];
  if (sameEvent.length === 0 && recent.length === 0) return out;
  const byRecency = [...recent].sort((a, b) => b.at - a.at);
  for (const ins of insertions) {
    const lines = insertedLines(ins);
    if (lines.length === 0) continue;
    const hasLineBreak = /[\r\n]/.test(ins.text);
    const all: Window[] = [];
    sameEvent.forEach((s) => s.stretches.forEach((st) => all.push(...windows(lines, st, s, true, 0))));
    if (hasLineBreak) byRecency.forEach((s, n) => s.stretches.forEach((st) => all.push(...windows(lines, st, s, false, n + 1))));
    all.sort((a, b) => a.rank - b.rank || b.length - a.length || a.i - b.i);
    const claimed = new Array<boolean>(lines.length).fill(false);
    for (const w of all) {
      let free = true;
      for (let m = 0; m < w.length; m++) if (claimed[w.i + m]) free = false;
      if (!free) continue;
      const matched = w.stretch.slice(w.j, w.j + w.length);
      const chars = matched.reduce((n, l) => n + visibleLength(l.content), 0);
      const aiChars = matched.reduce((n, l) => n + aiVisibleLength(l), 0);
      if (w.sameEvent) {
        // Without a line break, only text deleted by one change and inserted by another (drag and
        // drop), never a replacement (typing over a selection).
        if (!hasLineBreak && !(w.pure && ins.pure)) continue;
        const exactMove = w.length === lines.length && w.length === w.stretch.length;
        if (aiChars === 0 || (chars < MIN_CARRY_CHARS && !exactMove)) continue;
      } else if (chars < MIN_CARRY_CHARS) continue;
      for (let m = 0; m < w.length; m++) claimed[w.i + m] = true;
      if (aiChars === 0) continue; // the person's own text, selected more recently: stays theirs
      const marks: CarriedMark[] = [];
      matched.forEach((src, m) => {
        const line = lines[w.i + m];
        const shift = m === 0 && w.suffixFirst ? line.content.length - src.content.length : 0;
        for (const r of src.ai) marks.push({ start: line.start + shift + r.start, length: r.length, origin: r.origin });
        // The whitespace before it, where it is the same AI whitespace (indentation, line breaks).
        const gap = src.gapBefore;
        if (gap && shift === 0 && line.gapBefore.endsWith(gap.text) && (m > 0 || !w.suffixFirst)) {
          marks.push({ start: line.start - gap.text.length, length: gap.text.length, origin: gap.origin });
        }
      });
      out.push({
        source: w.source,
        sameEvent: w.sameEvent,
        marks,
        lines: matched.map((l) => l.content),
        suffixFirst: w.suffixFirst,
        prefixLast: w.prefixLast,
        insertion: { start: ins.start, end: ins.start + ins.text.length },
        aiChars,
      });
    }
  }
  return out;
}

/**
 * Where the lines `lines` (contents without surrounding whitespace, blank lines skipped) occur in
 * `text` as consecutive non-blank lines; the first may be the end of a line and the last its start
 * when so flagged. Returns each occurrence's span, from the first line's start to the last line's
 * end. Used to tell whether text is also the person's own elsewhere.
 */
export function lineOccurrences(text: string, lines: readonly string[], suffixFirst = false, prefixLast = false): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  if (lines.length === 0) return out;
  const all = insertedLines({ start: 0, text });
  const eq = (a: string, b: string, n: number) =>
    n === 0 && suffixFirst ? a.endsWith(b) : n === lines.length - 1 && prefixLast ? a.startsWith(b) : a === b;
  for (let i = 0; i + lines.length <= all.length; i++) {
    let ok = true;
    for (let n = 0; n < lines.length && ok; n++) ok = eq(all[i + n].content, lines[n], n);
    if (ok) {
      const lastLine = all[i + lines.length - 1];
      out.push({ start: all[i].start, end: lastLine.start + lastLine.content.length });
    }
  }
  return out;
}
