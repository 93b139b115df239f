import { TreapNode, fromSequence, last, merge as mergeTrees, priority, splitNodes } from '../tree/implicitTreap';

/**
 * The lines of one document as a balanced tree (the implicit treap of `core/tree`, one node per
 * line), each line with its length and three flags the views read: non-blank, counted as AI by the majority
 * rule, and carrying a visible AI character. Every subtree knows its characters, its lines and
 * how many of its lines have each flag, so a change of k lines costs O(k + log n), the totals are
 * read in O(1), and the lines of a window are listed in O(log n + window).
 *
 * A line's length includes its line break (`\n`); the last line has none. Lines whose flags are
 * not yet worked out for the current text are `dirty`.
 */

export interface LineFlags {
  /** At least one non-whitespace character. */
  readonly nonBlank: boolean;
  /** Most of its non-whitespace characters are AI-produced (the status bar's rule). */
  readonly majorityAi: boolean;
  /** At least one of its non-whitespace characters is AI-produced (what the gutter marks). */
  readonly marked: boolean;
}

/** A line: `len` its characters, `count` the lines of its subtree. */
interface Node extends TreapNode<Node> {
  nonBlank: number;
  majority: number;
  marked: number;
  dirty: number;
  /** Subtree aggregates: lines with each flag. */
  sumNonBlank: number;
  sumMajority: number;
  sumMarked: number;
  sumDirty: number;
}

function line(len: number): Node {
  return {
    len,
    nonBlank: 0,
    majority: 0,
    marked: 0,
    dirty: 1,
    pri: priority(),
    left: null,
    right: null,
    size: len,
    count: 1,
    sumNonBlank: 0,
    sumMajority: 0,
    sumMarked: 0,
    sumDirty: 1,
  };
}

function update(t: Node): void {
  const l = t.left;
  const r = t.right;
  t.size = t.len + (l ? l.size : 0) + (r ? r.size : 0);
  t.count = 1 + (l ? l.count : 0) + (r ? r.count : 0);
  t.sumNonBlank = t.nonBlank + (l ? l.sumNonBlank : 0) + (r ? r.sumNonBlank : 0);
  t.sumMajority = t.majority + (l ? l.sumMajority : 0) + (r ? r.sumMajority : 0);
  t.sumMarked = t.marked + (l ? l.sumMarked : 0) + (r ? r.sumMarked : 0);
  t.sumDirty = t.dirty + (l ? l.sumDirty : 0) + (r ? r.sumDirty : 0);
}

const merge = (a: Node | null, b: Node | null): Node | null => mergeTrees(a, b, update);
/** Splits into the first `lines` lines and the rest. */
const split = (t: Node | null, lines: number): [Node | null, Node | null] => splitNodes(t, lines, update);

/** Bits of a line's flags, as `LineTree`'s constructor takes them. */
export const NON_BLANK = 1;
export const MAJORITY_AI = 2;
export const MARKED = 4;

/**
 * A treap of the given lines in O(n) (right-spine construction); with `flags` (bits per line)
 * the lines are worked out already, else they are all dirty.
 */
function build(lengths: readonly number[], flags?: Uint8Array): Node | null {
  const nodes = new Array<Node>(lengths.length);
  for (let i = 0; i < lengths.length; i++) {
    const n = line(lengths[i]);
    if (flags) {
      const f = flags[i];
      n.nonBlank = f & NON_BLANK ? 1 : 0;
      n.majority = f & MAJORITY_AI ? 1 : 0;
      n.marked = f & MARKED ? 1 : 0;
      n.dirty = 0;
      update(n);
    }
    nodes[i] = n;
  }
  return fromSequence(nodes, update);
}

/** Lengths (line break included, none on the last) of the lines `text` would make. */
export function lineLengths(text: string): number[] {
  const out: number[] = [];
  let from = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
    out.push(nl + 1 - from);
    from = nl + 1;
  }
  out.push(text.length - from);
  return out;
}

export class LineTree {
  private root: Node | null;
  private layout = 0;

  /**
   * Changes whenever a line break is added or removed or a line's `marked` flag changes: while it
   * stays the same, the marked lines are the same line numbers (an edit within one line cannot
   * move them).
   */
  get layoutVersion(): number {
    return this.layout;
  }

  /** The lines of `text`: all dirty, or worked out already with `flags` (bits per line). */
  constructor(text: string, flags?: Uint8Array) {
    const lengths = lineLengths(text);
    this.root = build(lengths, flags && flags.length === lengths.length ? flags : undefined);
  }

  get length(): number {
    return this.root ? this.root.size : 0;
  }

  get lineCount(): number {
    return this.root ? this.root.count : 0;
  }

  get nonBlankLines(): number {
    return this.root ? this.root.sumNonBlank : 0;
  }

  get majorityAiLines(): number {
    return this.root ? this.root.sumMajority : 0;
  }

  get dirtyLines(): number {
    return this.root ? this.root.sumDirty : 0;
  }

  /** The line holding `offset` (the last line for the document's length), and where it starts. */
  locate(offset: number): { line: number; start: number } {
    let t = this.root;
    let line = 0;
    let start = 0;
    let pos = Math.max(0, Math.min(offset, this.length));
    while (t) {
      const leftSize = t.left ? t.left.size : 0;
      const leftCount = t.left ? t.left.count : 0;
      if (pos < leftSize) {
        t = t.left;
      } else if (pos < leftSize + t.len || !t.right) {
        return { line: line + leftCount, start: start + leftSize };
      } else {
        pos -= leftSize + t.len;
        start += leftSize + t.len;
        line += leftCount + 1;
        t = t.right;
      }
    }
    return { line: 0, start: 0 };
  }

  /** Offset at which `line` starts (the document's length past the last line). */
  lineStart(line: number): number {
    let t = this.root;
    let start = 0;
    let target = line;
    while (t) {
      const leftCount = t.left ? t.left.count : 0;
      const leftSize = t.left ? t.left.size : 0;
      if (target < leftCount) t = t.left;
      else if (target === leftCount) return start + leftSize;
      else {
        target -= leftCount + 1;
        start += leftSize + t.len;
        t = t.right;
      }
    }
    return start;
  }

  /**
   * Replaces `deleteLength` characters at `offset` by `text`: the lines the change touches are
   * replaced by the lines it leaves, all of them dirty. O(log n + lines touched).
   */
  replace(offset: number, deleteLength: number, text: string): void {
    const a = this.locate(offset);
    const b = this.locate(offset + deleteLength);
    const [before, rest] = split(this.root, a.line);
    const [old, after] = split(rest, b.line - a.line + 1);
    const lastLen = old ? this.lastLength(old) : 0;
    const prefix = offset - a.start;
    const suffix = b.start + lastLen - (offset + deleteLength);
    const pieces = lineLengths(text);
    pieces[0] += prefix;
    pieces[pieces.length - 1] += suffix;
    const lines = build(pieces);
    // One line left one line: it keeps its flag until worked out, so the layout changes only if
    // the flag does. Any line break added or removed changes it.
    if (pieces.length === 1 && a.line === b.line && old && lines) {
      lines.marked = old.marked;
      update(lines);
    } else this.layout++;
    this.root = merge(merge(before, lines), after);
  }

  private lastLength(t: Node): number {
    return last(t).len;
  }

  /** Marks lines `from..to` (inclusive) dirty: their flags must be worked out again. */
  markDirty(from: number, to: number): void {
    const [before, rest] = split(this.root, from);
    const [mid, after] = split(rest, to - from + 1);
    const mark = (t: Node | null): void => {
      if (!t) return;
      mark(t.left);
      mark(t.right);
      t.dirty = 1;
      update(t);
    };
    mark(mid);
    this.root = merge(merge(before, mid), after);
  }

  /** Marks every line dirty. */
  markAllDirty(): void {
    this.markDirty(0, this.lineCount - 1);
  }

  /**
   * Works out the flags of every dirty line with `flags(line, start, length)` (length without the
   * line break), in document order. Stops and returns false when `flags` returns undefined (the
   * text is out of step); the lines not reached stay dirty. O(dirty lines x log n).
   */
  settle(flags: (line: number, start: number, length: number) => LineFlags | undefined): boolean {
    let ok = true;
    const walk = (t: Node | null, line: number, start: number): void => {
      if (!t || !ok || t.sumDirty === 0) return;
      const leftCount = t.left ? t.left.count : 0;
      const leftSize = t.left ? t.left.size : 0;
      walk(t.left, line, start);
      if (ok && t.dirty) {
        const isLast = !t.right && line + leftCount === this.lineCount - 1;
        const f = flags(line + leftCount, start + leftSize, isLast ? t.len : t.len - 1);
        if (f) {
          if (t.marked !== (f.marked ? 1 : 0)) this.layout++;
          t.nonBlank = f.nonBlank ? 1 : 0;
          t.majority = f.majorityAi ? 1 : 0;
          t.marked = f.marked ? 1 : 0;
          t.dirty = 0;
        } else ok = false;
      }
      walk(t.right, line + leftCount + 1, start + leftSize + t.len);
      update(t);
    };
    walk(this.root, 0, 0);
    return ok;
  }

  /** The marked lines of `from..to` (inclusive) merged into runs of consecutive lines. */
  markedSpans(from: number, to: number): { startLine: number; endLine: number }[] {
    const spans: { startLine: number; endLine: number }[] = [];
    const last = Math.min(to, this.lineCount - 1);
    const walk = (t: Node | null, line: number): void => {
      if (!t || t.sumMarked === 0) return;
      const leftCount = t.left ? t.left.count : 0;
      if (line > last || line + t.count - 1 < from) return;
      walk(t.left, line);
      const l = line + leftCount;
      if (t.marked && l >= from && l <= last) {
        const prev = spans[spans.length - 1];
        if (prev && prev.endLine === l - 1) spans[spans.length - 1] = { startLine: prev.startLine, endLine: l };
        else spans.push({ startLine: l, endLine: l });
      }
      walk(t.right, l + 1);
    };
    walk(this.root, 0);
    return spans;
  }

  /** How many marked lines lie before `line`. O(log n), no allocation. */
  markedBefore(line: number): number {
    let t = this.root;
    let base = 0;
    let rank = 0;
    while (t) {
      const index = base + (t.left ? t.left.count : 0);
      if (line <= index) t = t.left;
      else {
        rank += (t.left ? t.left.sumMarked : 0) + t.marked;
        base = index + 1;
        t = t.right;
      }
    }
    return rank;
  }

  /** The `k`-th marked line (0-based), or -1. O(log n), no allocation. */
  markedLine(k: number): number {
    let t = this.root;
    let base = 0;
    let rest = k;
    if (rest < 0) return -1;
    while (t) {
      const leftMarked = t.left ? t.left.sumMarked : 0;
      if (rest < leftMarked) {
        t = t.left;
        continue;
      }
      rest -= leftMarked;
      const index = base + (t.left ? t.left.count : 0);
      if (t.marked) {
        if (rest === 0) return index;
        rest--;
      }
      base = index + 1;
      t = t.right;
    }
    return -1;
  }

  /** The first marked line at or after `line`, or -1. O(log n). */
  firstMarkedFrom(line: number): number {
    return this.markedLine(this.markedBefore(line));
  }

  /** The last marked line at or before `line`, or -1. O(log n). */
  lastMarkedUpTo(line: number): number {
    return this.markedLine(this.markedBefore(line + 1) - 1);
  }
}
