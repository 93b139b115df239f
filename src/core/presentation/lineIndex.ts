/**
 * What the status bar and the gutter show of one document, kept up to date per changed line
 * instead of recounted over the whole document after every edit. It follows its provenance's
 * rope edits (`DocumentProvenance.onEdit`): a text change replaces the lines it touches, a change
 * of origins marks its lines; those lines are worked out again, from the document's current line
 * text and the runs on them, when the views next ask (`settle`). The rules are the full recount's
 * (`lineShare.attributeLines` for the status bar's lines, `lineSpans.aiLineSpans` for the
 * gutter), and a unit test compares the two after every step of random edit sequences.
 */
import { Run } from '../provenance/attributionRope';
import { byCharactersThenLabel, FileShareSummary } from '../provenance/fileShare';
import { LineTally, nonWhitespace } from '../provenance/lineShare';
import { toolLabel } from '../provenance/origin';
import { NO_ORIGIN } from '../provenance/originTable';
import { DocumentProvenance, ProvenanceEdit } from '../provenance/provenanceStore';
import { LineSpan } from './lineSpans';
import { LineFlags, LineTree, MAJORITY_AI, MARKED, NON_BLANK } from './lineTree';

/** The document as the index reads it (VS Code's `TextDocument` fits). */
export interface LineSource {
  readonly lineCount: number;
  /** The line's text without its line break. */
  lineAt(line: number): { readonly text: string };
  getText(): string;
}

const BLANK: LineFlags = { nonBlank: false, majorityAi: false, marked: false };

/** Most overview ruler marks drawn for one document (see `rulerSpans`). */
export const RULER_BUCKETS = 1000;

/**
 * Edits kept for a document no view has asked about since (a hidden one an agent keeps editing);
 * beyond this the index counts again from the whole text when it is next shown.
 */
const MAX_QUEUED_EDITS = 5000;

export class LineAttributionIndex {
  private readonly tree: LineTree;
  /** AI characters per tool label (`tool` or `tool:model`). */
  private readonly perLabel = new Map<string, number>();
  /** The majority rule's tally, reused line after line. */
  private readonly tally = new LineTally();
  /** The label of each origin id met, null for origins that are not AI. */
  private readonly labels = new Map<number, string | null>();
  private stale = false;
  /** Rope edits not yet applied to the lines: applied when the views next ask, not on the keystroke. */
  private queued: ProvenanceEdit[] = [];
  /** The last ruler marks per number of buckets, and the layout they were worked out for. */
  private readonly rulers = new Map<number, { readonly layout: number; readonly spans: LineSpan[] }>();
  private readonly subscription: { dispose(): void };

  private static readonly kept = new WeakMap<DocumentProvenance, LineAttributionIndex>();

  /**
   * The index of `doc`, brought up to date with `source` (its lines worked out where they
   * changed), or undefined when `doc` and `source` are out of step (the store has not applied the
   * document's latest change). Built from the whole text the first time, and again only when
   * the rope was replaced or the text was found out of step.
   */
  static settled(doc: DocumentProvenance, source: LineSource): LineAttributionIndex | undefined {
    const kept = LineAttributionIndex.kept.get(doc);
    if (kept && kept.settle(source)) return kept;
    kept?.dispose();
    LineAttributionIndex.kept.delete(doc);
    const text = source.getText();
    if (doc.rope.length !== text.length) return undefined;
    const fresh = new LineAttributionIndex(doc, text);
    if (!fresh.settle(source)) {
      fresh.dispose();
      return undefined;
    }
    LineAttributionIndex.kept.set(doc, fresh);
    return fresh;
  }

  constructor(
    private readonly doc: DocumentProvenance,
    text: string,
  ) {
    const runs = doc.rope.taggedRuns();
    this.tree = new LineTree(text, wholeTextFlags(text, runs, (id) => doc.isAi(id)));
    for (const r of runs) this.count(r.origin, r.length);
    this.subscription = doc.onEdit((e) => this.onEdit(e));
  }

  dispose(): void {
    this.subscription.dispose();
    this.stale = true;
    this.queued = [];
  }

  get lineCount(): number {
    return this.tree.lineCount;
  }

  /** Lines whose flags wait to be worked out (edits still queued are applied first). */
  get pendingLines(): number {
    this.applyQueued();
    return this.tree.dirtyLines;
  }

  private count(origin: number, delta: number): void {
    if (origin === NO_ORIGIN) return;
    let label = this.labels.get(origin);
    if (label === undefined) {
      const o = this.doc.origins.get(origin);
      label = o && this.doc.isAi(origin) ? toolLabel(o) : null;
      this.labels.set(origin, label);
    }
    if (label === null) return;
    const n = (this.perLabel.get(label) ?? 0) + delta;
    if (n === 0) this.perLabel.delete(label);
    else this.perLabel.set(label, n);
  }

  private counts(runs: readonly Run[], sign: number): void {
    for (const r of runs) this.count(r.origin, sign * r.length);
  }

  private onEdit(e: ProvenanceEdit): void {
    if (this.stale) return;
    if (e.type === 'reset' || this.queued.length >= MAX_QUEUED_EDITS) {
      this.stale = true;
      this.queued = [];
      return;
    }
    this.queued.push(e);
  }

  private applyQueued(): void {
    if (this.queued.length === 0) return;
    const edits = this.queued;
    this.queued = [];
    for (const e of edits) if (!this.stale) this.apply(e);
  }

  private apply(e: ProvenanceEdit): void {
    if (e.type === 'reset') return;
    this.counts(e.removed, -1);
    this.counts(e.inserted, 1);
    if (e.type === 'text') {
      if (e.offset + e.deleteLength > this.tree.length) {
        this.stale = true; // the rope padded the document: rebuilt from the text when next asked
        return;
      }
      this.tree.replace(e.offset, e.deleteLength, e.text);
    } else if (e.end > e.start) {
      this.tree.markDirty(this.tree.locate(e.start).line, this.tree.locate(e.end - 1).line);
    }
  }

  /** Works out the changed lines from `source`; false when it is out of step with the rope. */
  private settle(source: LineSource): boolean {
    this.applyQueued();
    if (this.stale) return false;
    if (this.tree.length !== this.doc.rope.length || this.tree.lineCount !== source.lineCount) return false;
    if (this.tree.dirtyLines === 0) return true;
    return this.tree.settle((line, start, length) => {
      const text = source.lineAt(line).text;
      // A line ending in \r\n: VS Code's line text leaves the \r out (whitespace either way).
      if (text.length !== length && text.length !== length - 1) return undefined;
      return this.flags(text, start);
    });
  }

  /**
   * The rules of the full recount for one line: non-blank; AI by the majority rule (strictly more
   * than half of its non-whitespace characters carry one origin, the first met on a tie, and that
   * origin is AI); marked when any of its non-whitespace characters is AI.
   */
  private flags(text: string, start: number): LineFlags | undefined {
    const runs = this.doc.rope.taggedRunsIn(start, start + text.length);
    // Every recorded character must be the document's: otherwise the text is out of step.
    for (const r of runs) {
      const from = Math.max(r.start - start, 0);
      const to = Math.min(r.start + r.length - start, text.length);
      if (!text.startsWith(r.text.slice(from - (r.start - start), to - (r.start - start)), from)) return undefined;
    }
    const nonWs = nonWhitespace(text, 0, text.length);
    if (nonWs === 0) return BLANK;
    const tally = this.tally;
    tally.reset();
    let marked = false;
    for (const r of runs) {
      const n = nonWhitespace(text, Math.max(r.start - start, 0), Math.min(r.start + r.length - start, text.length));
      if (n === 0) continue;
      if (!marked && this.doc.isAi(r.origin)) marked = true;
      tally.add(r.origin, n);
    }
    const best = tally.majority(nonWs);
    return { nonBlank: true, majorityAi: best !== undefined && this.doc.isAi(best), marked };
  }

  /** The status bar's figures, as `fileShare` counts them over the whole text. O(tool labels). */
  summary(): FileShareSummary {
    let aiCharacters = 0;
    for (const n of this.perLabel.values()) aiCharacters += n;
    const tools = [...this.perLabel.entries()].sort(byCharactersThenLabel).map(([t]) => t);
    const aiLines = this.tree.majorityAiLines;
    const nonBlankLines = this.tree.nonBlankLines;
    const percent = nonBlankLines === 0 ? 0 : Math.round((100 * aiLines) / nonBlankLines);
    return { aiLines, nonBlankLines, aiCharacters, tools, percent };
  }

  /** The gutter's line spans within lines `from..to` (inclusive), cut to them. */
  spansIn(from: number, to: number): LineSpan[] {
    return this.tree.markedSpans(from, to);
  }

  /** The line holding `offset` and the column of `offset` in it. O(log lines). */
  positionAt(offset: number): { line: number; character: number } {
    const at = this.tree.locate(offset);
    return { line: at.line, character: offset - at.start };
  }

  /** Offset at which `line` starts. O(log lines). */
  lineStart(line: number): number {
    return this.tree.lineStart(line);
  }

  /**
   * Marks for the overview ruler: the ruler is a few hundred pixels tall for the whole file, so
   * the lines are cut into at most `buckets` equal buckets and each bucket that holds marked lines
   * gives one mark from its first to its last marked line (merged with the next when they touch).
   * A file of at most `buckets` lines gets exactly the gutter's spans. O(buckets x log lines)
   * when a line break or a marked line changed since the last call, else the same array again
   * (edits within lines cannot move marked lines).
   */
  rulerSpans(buckets = RULER_BUCKETS): LineSpan[] {
    const layout = this.tree.layoutVersion;
    const kept = this.rulers.get(buckets);
    if (kept && kept.layout === layout) return kept.spans;
    const spans = rulerSpans(this.tree.lineCount, buckets, (l) => this.tree.firstMarkedFrom(l), (l) => this.tree.lastMarkedUpTo(l));
    this.rulers.set(buckets, { layout, spans });
    return spans;
  }
}

/** The ruler marks of `rulerSpans` from any way of finding marked lines (the index's or a full list). */
export function rulerSpans(lineCount: number, buckets: number, firstFrom: (line: number) => number, lastUpTo: (line: number) => number): LineSpan[] {
  const size = Math.max(1, Math.ceil(lineCount / buckets));
  const out: LineSpan[] = [];
  for (let from = 0; from < lineCount; ) {
    const first = firstFrom(from);
    if (first < 0) break;
    const bucketEnd = Math.min((Math.floor(first / size) + 1) * size, lineCount) - 1;
    const last = lastUpTo(bucketEnd);
    const prev = out[out.length - 1];
    if (prev && prev.endLine + 1 >= first) out[out.length - 1] = { startLine: prev.startLine, endLine: last };
    else out.push({ startLine: first, endLine: last });
    from = bucketEnd + 1;
  }
  return out;
}

/**
 * The flags of every line of `text` in one pass over the text and its runs (sorted, as the rope
 * yields them): what a first build costs, instead of working the lines out one by one. The same
 * rules as `LineAttributionIndex.flags`. Undefined when a run's text is not the document's there
 * (out of step: the lines are then worked out one by one, which says so).
 */
function wholeTextFlags(text: string, runs: readonly { start: number; length: number; origin: number; text: string }[], isAi: (origin: number) => boolean): Uint8Array | undefined {
  for (const r of runs) if (!text.startsWith(r.text, r.start)) return undefined;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  const flags = new Uint8Array(lines);
  const tally = new LineTally();
  let k = 0;
  let from = 0;
  for (let line = 0; line < lines; line++) {
    const nl = text.indexOf('\n', from);
    const to = nl === -1 ? text.length : nl;
    while (k < runs.length && runs[k].start + runs[k].length <= from) k++;
    const nonWs = nonWhitespace(text, from, to);
    if (nonWs > 0) {
      let f = NON_BLANK;
      tally.reset();
      for (let j = k; j < runs.length && runs[j].start < to; j++) {
        const r = runs[j];
        const n = nonWhitespace(text, Math.max(r.start, from), Math.min(r.start + r.length, to));
        if (n === 0) continue;
        if (isAi(r.origin)) f |= MARKED;
        tally.add(r.origin, n);
      }
      const best = tally.majority(nonWs);
      if (best !== undefined && isAi(best)) f |= MAJORITY_AI;
      flags[line] = f;
    }
    from = to + 1;
  }
  return flags;
}
