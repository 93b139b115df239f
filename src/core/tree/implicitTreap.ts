/**
 * The balanced tree both the attribution rope (runs of characters) and the views' line tree (lines
 * of a document) are made of: a treap keyed implicitly by position. A node knows, for its
 * subtree, its characters (`size`) and its nodes (`count`); no position is stored, so inserting
 * before a node shifts it for free. Each tree keeps its own aggregates up to date with its
 * `update` (called on a node whose children changed, children first).
 *
 * Priorities are random integers below 2^30: V8 keeps them in the node as small integers, where a
 * fractional `Math.random()` took a separately allocated 16-byte number per node.
 */

export interface TreapNode<N> {
  /** Random heap priority (see {@link priority}). */
  pri: number;
  left: N | null;
  right: N | null;
  /** This node's own characters. */
  len: number;
  /** Characters in this subtree. */
  size: number;
  /** Nodes in this subtree. */
  count: number;
}

/** Recomputes a node's subtree aggregates from its own fields and its children's. */
export type Update<N> = (t: N) => void;

export function priority(): number {
  return (Math.random() * 0x40000000) | 0;
}

/** Concatenates two treaps (all of `a` before all of `b`). */
export function merge<N extends TreapNode<N>>(a: N | null, b: N | null, update: Update<N>): N | null {
  if (!a) return b;
  if (!b) return a;
  if (a.pri > b.pri) {
    a.right = merge(a.right, b, update);
    update(a);
    return a;
  }
  b.left = merge(a, b.left, update);
  update(b);
  return b;
}

/** Splits into the first `n` nodes and the rest. */
export function splitNodes<N extends TreapNode<N>>(t: N | null, n: number, update: Update<N>): [N | null, N | null] {
  if (!t) return [null, null];
  const leftCount = t.left ? t.left.count : 0;
  if (n <= leftCount) {
    const [a, b] = splitNodes(t.left, n, update);
    t.left = b;
    update(t);
    return [a, t];
  }
  const [a, b] = splitNodes(t.right, n - leftCount - 1, update);
  t.right = a;
  update(t);
  return [t, b];
}

/**
 * Splits into the first `pos` characters and the rest. A node straddling `pos` is cut in two by
 * `cut(t, at)`: `t` keeps its first `at` characters (its aggregates are then updated here), and
 * the node returned holds the rest.
 */
export function splitChars<N extends TreapNode<N>>(t: N | null, pos: number, update: Update<N>, cut: (t: N, at: number) => N): [N | null, N | null] {
  if (!t) return [null, null];
  const leftSize = t.left ? t.left.size : 0;
  if (pos <= leftSize) {
    const [a, b] = splitChars(t.left, pos, update, cut);
    t.left = b;
    update(t);
    return [a, t];
  }
  if (pos >= leftSize + t.len) {
    const [a, b] = splitChars(t.right, pos - leftSize - t.len, update, cut);
    t.right = a;
    update(t);
    return [t, b];
  }
  const tail = merge(cut(t, pos - leftSize), t.right, update);
  t.right = null;
  update(t);
  return [t, tail];
}

/** A treap of `nodes` in their order, in O(n) (right-spine construction). Each node's own aggregates must be set. */
export function fromSequence<N extends TreapNode<N>>(nodes: readonly N[], update: Update<N>): N | null {
  const spine: N[] = [];
  for (const n of nodes) {
    let lastPopped: N | null = null;
    while (spine.length && spine[spine.length - 1].pri < n.pri) {
      lastPopped = spine.pop()!;
      update(lastPopped);
    }
    n.left = lastPopped;
    if (spine.length) spine[spine.length - 1].right = n;
    spine.push(n);
  }
  for (let i = spine.length - 1; i >= 0; i--) update(spine[i]);
  return spine.length ? spine[0] : null;
}

export function first<N extends TreapNode<N>>(t: N): N {
  while (t.left) t = t.left;
  return t;
}

export function last<N extends TreapNode<N>>(t: N): N {
  while (t.right) t = t.right;
  return t;
}
