/**
 * Turns recorded character ranges into the lines people see marked. Pure: the caller passes
 * `lineOf(offset)` (VS Code's `document.positionAt(offset).line`, or a binary search over line
 * starts in tests), so the cost is one lookup per range plus a walk over the AI characters only,
 * never over the whole document.
 */
import { Origin, isAiKind } from '../provenance/origin';

export interface RangeLike {
  /** Offset of the first character, in the document's current text. */
  readonly start: number;
  /** Offset after the last character. */
  readonly end: number;
  readonly origin: Origin;
  /** The characters of the range (what the document holds at `[start, end)`). */
  readonly text: string;
}

/** Consecutive 0-based lines, `startLine..endLine` inclusive. */
export interface LineSpan {
  readonly startLine: number;
  readonly endLine: number;
}

/** One AI range with the lines that carry its visible (non-whitespace) characters. */
export interface PlacedAiRange extends LineSpan {
  readonly start: number;
  readonly end: number;
  readonly origin: Origin;
  /** Non-whitespace characters of the range. */
  readonly visibleChars: number;
}

function isWhitespaceCode(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 10 || code === 11 || code === 12 || code === 0xa0 || code === 0xfeff;
}

/**
 * Calls `onLine` with each line (relative to the range's first line) on which `text` has a
 * non-whitespace character, in increasing order; returns how many such characters there are.
 */
function visibleLines(text: string, onLine: (relativeLine: number) => void): number {
  let line = 0;
  let visible = 0;
  let marked = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) {
      line++;
      marked = false;
      continue;
    }
    if (isWhitespaceCode(code)) continue;
    visible++;
    if (!marked) {
      onLine(line);
      marked = true;
    }
  }
  return visible;
}

/**
 * Calls `onLine` with each line (relative to the range's first line) on which `text` has a
 * non-whitespace character, in increasing order, like {@link visibleLines} without counting: each
 * line is read only up to its first non-whitespace character.
 */
function markVisibleLines(text: string, onLine: (relativeLine: number) => void): void {
  let line = 0;
  let from = 0;
  for (;;) {
    const nl = text.indexOf('\n', from);
    const to = nl === -1 ? text.length : nl;
    for (let i = from; i < to; i++) {
      if (!isWhitespaceCode(text.charCodeAt(i))) {
        onLine(line);
        break;
      }
    }
    if (nl === -1) return;
    from = nl + 1;
    line++;
  }
}

/**
 * The AI ranges (every kind but `unknown`) that hold at least one non-whitespace character, each
 * with the first and last line that carries one. Input order is kept (the store yields document
 * order).
 */
export function placeAiRanges(ranges: readonly RangeLike[], lineOf: (offset: number) => number): PlacedAiRange[] {
  const out: PlacedAiRange[] = [];
  let firstRel = -1;
  let lastRel = -1;
  const note = (l: number): void => {
    if (firstRel < 0) firstRel = l;
    lastRel = l;
  };
  for (const r of ranges) {
    if (!isAiKind(r.origin.kind) || r.end <= r.start) continue;
    firstRel = -1;
    const visible = visibleLines(r.text, note);
    if (visible === 0) continue;
    const first = lineOf(r.start);
    out.push({
      start: r.start,
      end: r.end,
      origin: r.origin,
      visibleChars: visible,
      startLine: first + firstRel,
      endLine: first + lastRel,
    });
  }
  return out;
}

/**
 * The lines that carry at least one non-whitespace AI character, merged into maximal runs of
 * consecutive lines: what the gutter and the overview ruler mark. Sorted by line.
 */
export function aiLineSpans(ranges: readonly RangeLike[], lineOf: (offset: number) => number): LineSpan[] {
  const lines: number[] = [];
  let sorted = true;
  let base = 0;
  const push = (rel: number): void => {
    const l = base + rel;
    if (lines.length > 0 && l < lines[lines.length - 1]) sorted = false;
    lines.push(l);
  };
  for (const r of ranges) {
    if (!isAiKind(r.origin.kind) || r.end <= r.start) continue;
    base = lineOf(r.start);
    markVisibleLines(r.text, push);
  }
  // The store yields ranges in document order, so the lines normally arrive sorted.
  if (!sorted) lines.sort((a, b) => a - b);
  const spans: LineSpan[] = [];
  let start = -1;
  let end = -1;
  for (const l of lines) {
    if (start >= 0 && l <= end + 1) {
      if (l > end) end = l;
      continue;
    }
    if (start >= 0) spans.push({ startLine: start, endLine: end });
    start = l;
    end = l;
  }
  if (start >= 0) spans.push({ startLine: start, endLine: end });
  return spans;
}

/** A `lineOf` for tests and the command line: binary search over the starts of `text`'s lines. */
export function lineOfFromText(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}
