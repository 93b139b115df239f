/**
 * Memory probe, run by run.ts in a fresh process per reading, with --expose-gc:
 * `node --expose-gc out/bench/memoryProbe.js <mode> <ranges>`. Prints the heap growth (after full
 * garbage collections) caused by one thing, as `BENCH_RESULT <json>`. Modes:
 *  - ropeWithText: the provenance of a document with that many attributed ranges, i.e. the rope
 *    plus the attributed text it keeps;
 *  - ropeStructure: the rope's nodes alone (the text stays shared with the generator);
 *  - session: growth over 2,000 edits of the generated session (split text, undo slices);
 *  - baseline: the array-scan baseline's array of ranges, for comparison.
 * One reading per process: readings taken after dropping data in the same process proved
 * unreliable (V8 may keep a just-dropped temporary alive until a later collection).
 */
import { AttributionRope } from '../../src/core/provenance/attributionRope';
import { DocumentProvenance } from '../../src/core/provenance/provenanceStore';
import { ArrayScanBaseline } from './arrayScanBaseline';
import { GeneratedDocument, SessionEvent, baselineRangesOf, makeDocument, makeSession, originTableFor } from './session';

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) g();
}

function heap(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

const mode = process.argv[2] ?? 'ropeWithText';
const ranges = Number(process.argv[3] ?? 10000);
/** Everything measured stays reachable from here. */
const keep: Record<string, unknown> = {};
(globalThis as { __benchKeep?: unknown }).__benchKeep = keep;

// Compile the code paths first, so one-time code and feedback memory is not counted as data.
{
  const warm = makeDocument(2000, 1);
  const d = new DocumentProvenance(originTableFor(warm), AttributionRope.fromRuns(warm.runs));
  for (const e of makeSession(warm.length, 500, 2)) d.applyChanges(e.changes, e.attribution);
  new ArrayScanBaseline(originTableFor(warm), baselineRangesOf(warm));
}

/** The provenance of a generated document; the generator's data dies with this call. */
/** Attributed runs; in a function so the temporary list cannot stay referenced from the caller. */
function countTagged(p: DocumentProvenance): number {
  return p.rope.taggedRuns().length;
}

function buildProvenance(n: number): DocumentProvenance {
  const doc = makeDocument(n, 4242);
  return new DocumentProvenance(originTableFor(doc), AttributionRope.fromRuns(doc.runs));
}

/** Heap growth caused by `step` (after full collections), with `setup` done before the first reading. */
function measure(setup: () => void, step: () => void): number {
  setup();
  const before = heap();
  step();
  return heap() - before;
}

let bytes: number;
const extra: Record<string, unknown> = {};
switch (mode) {
  case 'ropeWithText':
    // The rope and the attributed text only it holds.
    bytes = measure(() => undefined, () => (keep.p = buildProvenance(ranges)));
    break;
  case 'ropeStructure':
    // The rope's nodes alone: the text stays shared with the generator's runs, which are live before.
    bytes = measure(
      () => (keep.doc = makeDocument(ranges, 4242)),
      () => {
        const doc = keep.doc as GeneratedDocument;
        keep.p = new DocumentProvenance(originTableFor(doc), AttributionRope.fromRuns(doc.runs));
      },
    );
    break;
  case 'baseline':
    bytes = measure(
      () => (keep.doc = makeDocument(ranges, 4242)),
      () => (keep.base = new ArrayScanBaseline(originTableFor(keep.doc as GeneratedDocument), baselineRangesOf(keep.doc as GeneratedDocument))),
    );
    break;
  case 'session':
    // Growth over an editing session: split text, new ranges, slices kept for undo.
    bytes = measure(
      () => {
        const p = buildProvenance(ranges);
        keep.p = p;
        keep.events = makeSession(p.rope.length, 2000, 77);
      },
      () => {
        const p = keep.p as DocumentProvenance;
        for (const e of keep.events as SessionEvent[]) p.applyChanges(e.changes, e.attribution);
      },
    );
    extra.events = 2000;
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}
const p = keep.p as DocumentProvenance | undefined;
process.stdout.write(`BENCH_RESULT ${JSON.stringify({ mode, ranges, bytes, runs: p?.rope.runCount, taggedRuns: p ? countTagged(p) : undefined, ...extra })}\n`);
