/**
 * Benchmark probe: the refresh after one edit (status bar counts and decoration ranges), the way
 * the views compute it now (`LineAttributionIndex`: changed lines, visible lines) against the old
 * full recount (`fileShare` over the whole text, `aiLineSpans` over every range, the document's
 * length read for the in-step check) measured after the same edits of the same session, in the
 * same process, each in its own replay of the session. After every edit the two must give the same counts, the same
 * gutter lines (the full recount's cut to the drawn lines) and the same overview ruler marks;
 * any difference is reported and makes the benchmark fail.
 *
 *   node out/bench/refreshProbe.js <ranges> <events>
 *
 * Prints `BENCH_RESULT <json>`.
 */
import { LineAttributionIndex, RULER_BUCKETS, rulerSpans } from '../../src/core/presentation/lineIndex';
import { aiLineSpans, LineSpan } from '../../src/core/presentation/lineSpans';
import { AttributionRope } from '../../src/core/provenance/attributionRope';
import { fileShare, FileShareSummary } from '../../src/core/provenance/fileShare';
import { DocumentProvenance } from '../../src/core/provenance/provenanceStore';
import { MockClasses, MockTextDocument } from './mockDocument';
import { makeDocument, makeSession, makeText, originTableFor, SessionEvent } from './session';
import { nowNs, Rng, summarizeNs } from './stats';
import { Position, Range } from './vscodeMock';

/** Lines on screen, and the margin the decorations draw beyond them (as `views/decorations.ts`). */
const SCREEN_LINES = 40;
const WINDOW_MARGIN_LINES = 200;

interface Drawn {
  readonly share: FileShareSummary;
  readonly gutter: LineSpan[];
  readonly ruler: LineSpan[];
  readonly ranges: number;
}

type Doc = MockTextDocument;

/** Now: the index brought up to date, its counts, the gutter lines of the drawn window, the ruler. */
let lastRuler: LineSpan[] | undefined;

function refreshNow(doc: DocumentProvenance, document: Doc, from: number, to: number): Drawn | undefined {
  const index = LineAttributionIndex.settled(doc, document);
  if (!index) return undefined;
  const share = index.summary();
  const gutter = index.spansIn(from, to);
  const ruler = index.rulerSpans();
  // What the views hand to VS Code: one Range per span (the ruler's only when its marks changed).
  let ranges = gutter.map((s) => new Range(s.startLine, 0, s.endLine, 0)).length;
  if (ruler !== lastRuler) ranges += ruler.map((s) => new Range(s.startLine, 0, s.endLine, 0)).length;
  lastRuler = ruler;
  return { share, gutter, ruler, ranges };
}

/** Before: the full recount the status bar and the decorations ran after every edit. */
function refreshBefore(doc: DocumentProvenance, document: Doc): Drawn | undefined {
  const last = document.lineAt(document.lineCount - 1);
  if (doc.rope.length !== document.offsetAt(last.rangeIncludingLineBreak.end)) return undefined;
  const share = fileShare(doc, document.getText());
  const gutter = aiLineSpans(doc.ranges(), (o) => document.positionAt(o).line);
  const ranges = gutter.map((s) => new Range(s.startLine, 0, s.endLine, 0)).length;
  return { share, gutter, ruler: gutter, ranges };
}

/** The drawn window and ruler marks the full recount gives, for the comparison (not timed). */
function expected(before: Drawn, lineCount: number, from: number, to: number): { gutter: LineSpan[]; ruler: LineSpan[] } {
  const spans = before.gutter;
  const gutter = spans
    .filter((s) => s.endLine >= from && s.startLine <= to)
    .map((s) => ({ startLine: Math.max(s.startLine, from), endLine: Math.min(s.endLine, to) }));
  // Marked lines from the spans, found by binary search over the spans.
  const firstFrom = (line: number): number => {
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid].endLine < line) lo = mid + 1;
      else hi = mid;
    }
    return lo < spans.length ? Math.max(spans[lo].startLine, line) : -1;
  };
  const lastUpTo = (line: number): number => {
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid].startLine <= line) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? Math.min(spans[lo - 1].endLine, line) : -1;
  };
  return { gutter, ruler: rulerSpans(lineCount, RULER_BUCKETS, firstFrom, lastUpTo) };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface Run {
  readonly nowNs: number[];
  readonly beforeNs: number[];
  readonly editNs: number[];
  readonly engineNs: number[];
  readonly firstBuildMs: number;
  readonly lines: number;
  readonly mismatch?: string;
  readonly checked: number;
}

function run(ranges: number, eventCount: number): Run {
  const generated = makeDocument(ranges, 1000 + ranges);
  const textRng = new Rng(31337);
  const text = generated.runs.map((r) => r.text ?? makeText(textRng, r.length)).join('');
  const events: SessionEvent[] = makeSession(generated.length, eventCount, 2000 + ranges);
  const fresh = () => ({
    doc: new DocumentProvenance(originTableFor(generated), AttributionRope.fromRuns(generated.runs)),
    document: new MockTextDocument({ scheme: 'file', path: '/bench/a.ts', fsPath: '/bench/a.ts', toString: () => 'file:///bench/a.ts' }, text, { Position, Range } as unknown as MockClasses),
  });
  /** The lines drawn after each edit: a screen of lines around the edit, and the margin. */
  const windowAfter = (document: Doc, e: SessionEvent): { from: number; to: number } => {
    const at = document.positionAt(Math.min(e.changes[e.changes.length - 1].offset, document.length)).line;
    const first = Math.max(0, at - SCREEN_LINES / 2);
    const last = Math.min(document.lineCount - 1, first + SCREEN_LINES - 1);
    const margin = Math.max(WINDOW_MARGIN_LINES, last - first + 1);
    return { from: Math.max(0, first - margin), to: Math.min(document.lineCount - 1, last + margin) };
  };

  // Pass 1, now: the session replayed with the refresh after each edit. The full recount reads the
  // whole document, so it runs in its own replay of the same session (pass 2): run in between, it
  // would leave the caches cold for the refresh measured here, which between keystrokes in the
  // editor sees the handler and VS Code's own work, not a sweep over the document.
  const a = fresh();
  const t0 = nowNs();
  LineAttributionIndex.settled(a.doc, a.document);
  const firstBuildMs = Number(nowNs() - t0) / 1e6;
  // The same edits on a provenance nobody indexes: what the index adds to each change.
  const alone = new DocumentProvenance(originTableFor(generated), AttributionRope.fromRuns(generated.runs));
  const out: Run = { nowNs: [], beforeNs: [], editNs: [], engineNs: [], firstBuildMs, lines: a.document.lineCount, checked: 0 };
  const drawn: { from: number; to: number; now: Drawn | undefined }[] = [];
  for (const e of events) {
    a.document.apply(e.changes);
    // The keystroke path with and without the index, in alternating order (the first to run after
    // the document changed pays for cold caches).
    const timed = (p: DocumentProvenance, into: number[]): void => {
      const t = nowNs();
      p.applyChanges(e.changes, e.attribution);
      into.push(Number(nowNs() - t));
    };
    if (out.editNs.length % 2) {
      timed(a.doc, out.editNs);
      timed(alone, out.engineNs);
    } else {
      timed(alone, out.engineNs);
      timed(a.doc, out.editNs);
    }
    const { from, to } = windowAfter(a.document, e);
    const n0 = nowNs();
    const now = refreshNow(a.doc, a.document, from, to);
    out.nowNs.push(Number(nowNs() - n0));
    drawn.push({ from, to, now });
  }

  // Pass 2, before: the same session with the full recount after each edit, compared with pass 1.
  const b = fresh();
  let checked = 0;
  for (const [i, e] of events.entries()) {
    b.document.apply(e.changes);
    b.doc.applyChanges(e.changes, e.attribution);
    const n0 = nowNs();
    const before = refreshBefore(b.doc, b.document);
    out.beforeNs.push(Number(nowNs() - n0));
    const { from, to, now } = drawn[i];
    if (!now || !before) return { ...out, checked, mismatch: `after event ${i + 1}: ${now ? 'the full recount' : 'the index'} found the text out of step` };
    const want = expected(before, b.document.lineCount, from, to);
    if (!same(now.share, before.share)) return { ...out, checked, mismatch: `after event ${i + 1}: counts ${JSON.stringify(now.share)} against ${JSON.stringify(before.share)}` };
    if (!same(now.gutter, want.gutter)) return { ...out, checked, mismatch: `after event ${i + 1}: gutter lines of ${from}..${to} differ` };
    if (!same(now.ruler, want.ruler)) return { ...out, checked, mismatch: `after event ${i + 1}: ruler marks differ` };
    checked++;
  }
  return { ...out, checked };
}

function main(): void {
  const ranges = Number(process.argv[2]);
  const events = Number(process.argv[3]);
  run(500, 100); // warm-up: compiles both paths; not recorded
  const r = run(ranges, events);
  process.stdout.write(
    `BENCH_RESULT ${JSON.stringify({
      ranges,
      events,
      lines: r.lines,
      checked: r.checked,
      mismatch: r.mismatch,
      firstBuildMs: r.firstBuildMs,
      now: summarizeNs(r.nowNs),
      before: summarizeNs(r.beforeNs),
      applyChangesWithIndex: summarizeNs(r.editNs),
      applyChangesAlone: summarizeNs(r.engineNs),
    })}\n`,
  );
}

try {
  main();
} catch (e) {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ error: e instanceof Error ? e.stack ?? e.message : String(e) })}\n`);
}
