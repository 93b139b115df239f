import { NO_ORIGIN } from './originTable';
import { TreapNode, first, last, merge as mergeTrees, priority, splitChars } from '../tree/implicitTreap';

/**
 * The attribution of every character of one document, as runs of equal origin id.
 *
 * Stored as the implicit treap of `core/tree`, one node per run (each node knows the total length
 * of its subtree), so a change costs O(log n) in the number of runs: no positions are stored, so
 * text inserted before a run shifts it for free. Invariants: no run is empty, and no two
 * neighbouring runs share an origin id (they are merged). Id 0 (`NO_ORIGIN`) is text with no recorded origin.
 *
 * Edit semantics (what keeps provenance exact):
 * - an insertion adds a run of the given origin; inside a run of another origin it splits that run,
 *   so human text never becomes AI and AI runs never grow over human text;
 * - a deletion removes exactly the deleted characters from whatever runs held them.
 */

export interface Run {
  readonly length: number;
  readonly origin: number;
  /**
   * The characters of an attributed run (origin other than NO_ORIGIN); absent for unattributed
   * runs. Attributed text is never modified in place (an edit inside it splits the run), so the
   * rope can always say exactly which characters an origin produced.
   */
  readonly text?: string;
}

export interface PlacedRun extends Run {
  readonly start: number;
}

/** An attributed run at its place; `text` is always present. */
export interface PlacedTaggedRun extends PlacedRun {
  readonly text: string;
}

/** A run: `len` its characters, `count` the runs of its subtree. */
interface Node extends TreapNode<Node> {
  origin: number;
  /** Characters of an attributed run; null for NO_ORIGIN. */
  text: string | null;
  /** Characters in this subtree with an origin other than NO_ORIGIN. */
  tagged: number;
}

function node(len: number, origin: number, text: string | null): Node {
  if (origin !== NO_ORIGIN && (text === null || text.length !== len)) throw new Error('attributed run without its text');
  return { len, origin, text: origin === NO_ORIGIN ? null : text, pri: priority(), left: null, right: null, size: len, tagged: origin === NO_ORIGIN ? 0 : len, count: 1 };
}

function update(t: Node): void {
  const l = t.left;
  const r = t.right;
  t.size = t.len + (l ? l.size : 0) + (r ? r.size : 0);
  t.tagged = (t.origin === NO_ORIGIN ? 0 : t.len) + (l ? l.tagged : 0) + (r ? r.tagged : 0);
  t.count = 1 + (l ? l.count : 0) + (r ? r.count : 0);
}

/** Cuts a run after `at` characters: it keeps them, the run returned holds the rest. */
function cutRun(t: Node, at: number): Node {
  const rest = node(t.len - at, t.origin, t.text === null ? null : t.text.slice(at));
  t.len = at;
  if (t.text !== null) t.text = t.text.slice(0, at);
  return rest;
}

/** Concatenates two treaps (all of `a` before all of `b`), without coalescing. */
const merge = (a: Node | null, b: Node | null): Node | null => mergeTrees(a, b, update);

/** Splits into the first `pos` characters and the rest; a run straddling `pos` is cut in two. */
const split = (t: Node | null, pos: number): [Node | null, Node | null] => splitChars(t, pos, update, cutRun);

/** Concatenates and merges the two runs that meet at the seam when they share an origin. */
function join(a: Node | null, b: Node | null): Node | null {
  if (!a) return b;
  if (!b) return a;
  const tailOfA = last(a);
  const headOfB = first(b);
  if (tailOfA.origin !== headOfB.origin) return merge(a, b);
  const [restOfA] = split(a, a.size - tailOfA.len);
  const [, restOfB] = split(b, headOfB.len);
  const text = tailOfA.text === null ? null : tailOfA.text + headOfB.text;
  return merge(merge(restOfA, node(tailOfA.len + headOfB.len, tailOfA.origin, text)), restOfB);
}

function fromRuns(runs: readonly Run[]): Node | null {
  let t: Node | null = null;
  for (const run of runs) {
    if (run.length > 0) t = join(t, node(run.length, run.origin, run.origin === NO_ORIGIN ? null : run.text ?? null));
  }
  return t;
}

export class AttributionRope {
  private root: Node | null = null;

  /** A rope for a document of `length` characters, none of them attributed. */
  constructor(length = 0) {
    if (length > 0) this.root = node(length, NO_ORIGIN, null);
  }

  static fromRuns(runs: readonly Run[]): AttributionRope {
    const rope = new AttributionRope();
    rope.root = fromRuns(runs);
    return rope;
  }

  /** Characters covered (the document's length when kept in step with it). */
  get length(): number {
    return this.root ? this.root.size : 0;
  }

  /** Characters with any recorded origin. */
  get taggedLength(): number {
    return this.root ? this.root.tagged : 0;
  }

  /** Number of runs, attributed or not. */
  get runCount(): number {
    return this.root ? this.root.count : 0;
  }

  /**
   * Applies one text change: `deleteLength` characters at `offset` are replaced by `text` of
   * origin `origin` (NO_ORIGIN for a person's edit). Offsets past the end are treated as
   * unattributed padding. Returns the runs that were deleted.
   */
  replace(offset: number, deleteLength: number, text: string, origin: number): Run[] {
    return this.replaceWithRuns(offset, deleteLength, text.length > 0 ? [{ length: text.length, origin, text }] : []);
  }

  /** Like `replace`, but the inserted text carries the given runs (restoring a known attribution). */
  replaceWithRuns(offset: number, deleteLength: number, inserted: readonly Run[]): Run[] {
    if (offset < 0 || deleteLength < 0) throw new RangeError(`invalid change at ${offset} (-${deleteLength})`);
    if (offset > this.length) this.root = join(this.root, node(offset - this.length, NO_ORIGIN, null));
    const [before, rest] = split(this.root, offset);
    const [removed, after] = split(rest, deleteLength);
    this.root = join(join(before, fromRuns(inserted)), after);
    const out: Run[] = [];
    collect(removed, (len, origin, text) => out.push(text === null ? { length: len, origin } : { length: len, origin, text }));
    return out;
  }

  /**
   * Gives `[start, end)` the origin `origin` without changing the text (manual marking);
   * `text` is the document's text of that span. Returns the runs it replaced.
   */
  setOrigin(start: number, text: string, origin: number): Run[] {
    if (start < 0 || start + text.length > this.length) throw new RangeError('setOrigin outside the document');
    return text.length > 0 ? this.replace(start, text.length, text, origin) : [];
  }

  /** The runs covering `[start, end)`, cut to it. */
  slice(start: number, end: number): Run[] {
    const out: Run[] = [];
    this.visit(start, end, (runStart, len, origin, text) => {
      const s = Math.max(runStart, start);
      const e = Math.min(runStart + len, end);
      if (e > s) out.push(text === null ? { length: e - s, origin } : { length: e - s, origin, text: text.slice(s - runStart, e - runStart) });
    });
    return out;
  }

  /** Attributed runs (origin other than NO_ORIGIN) that intersect `[start, end)`, in order. */
  taggedRunsIn(start: number, end: number): PlacedTaggedRun[] {
    const out: PlacedTaggedRun[] = [];
    this.visit(start, end, (runStart, len, origin, text) => {
      if (origin !== NO_ORIGIN) out.push({ start: runStart, length: len, origin, text: text! });
    });
    return out;
  }

  /** Every attributed run in document order. */
  taggedRuns(): PlacedTaggedRun[] {
    return this.taggedRunsIn(0, this.length);
  }

  /** Every run (attributed or not) in document order. */
  runs(): Run[] {
    const out: Run[] = [];
    collect(this.root, (len, origin, text) => out.push(text === null ? { length: len, origin } : { length: len, origin, text }));
    return out;
  }

  /** Origin of the character at `offset` (NO_ORIGIN past the end). */
  originAt(offset: number): number {
    let t = this.root;
    let pos = offset;
    while (t) {
      const leftSize = t.left ? t.left.size : 0;
      if (pos < leftSize) t = t.left;
      else if (pos < leftSize + t.len) return t.origin;
      else {
        pos -= leftSize + t.len;
        t = t.right;
      }
    }
    return NO_ORIGIN;
  }

  /** In-order visit of the runs that intersect `[start, end)`; O(log n + k). */
  private visit(start: number, end: number, fn: (runStart: number, len: number, origin: number, text: string | null) => void): void {
    if (end <= start) return;
    const walk = (t: Node | null, base: number): void => {
      if (!t || base >= end || base + t.size <= start) return;
      const leftSize = t.left ? t.left.size : 0;
      walk(t.left, base);
      const runStart = base + leftSize;
      if (runStart < end && runStart + t.len > start) fn(runStart, t.len, t.origin, t.text);
      walk(t.right, runStart + t.len);
    };
    walk(this.root, 0);
  }
}

function collect(t: Node | null, fn: (len: number, origin: number, text: string | null) => void): void {
  // Iterative in-order walk: ropes of many runs must not overflow the stack.
  const stack: Node[] = [];
  let cur = t;
  while (cur || stack.length) {
    while (cur) {
      stack.push(cur);
      cur = cur.left;
    }
    const n = stack.pop()!;
    fn(n.len, n.origin, n.text);
    cur = n.right;
  }
}
