import { AttributionRope } from '../../src/core/provenance/attributionRope';
import { DocumentProvenance } from '../../src/core/provenance/provenanceStore';
import { ArrayScanBaseline } from './arrayScanBaseline';
import { EventKind, GeneratedDocument, SessionEvent, baselineRangesOf, contentChangeCount, makeDocument, makeSession, originTableFor } from './session';
import { Summary, nowNs, summarizeNs } from './stats';

/**
 * Part 1: cost per change event of the provenance engine (`DocumentProvenance.applyChanges` on the
 * attribution rope), replaying a generated session, against the array-scan baseline replaying the
 * same session in the same run.
 */

export interface EngineScaleResult {
  readonly ranges: number;
  readonly documentChars: number;
  readonly events: number;
  readonly contentChanges: number;
  readonly repetitions: number;
  /** Events replayed on each fresh copy of the document. */
  readonly eventsPerDocument: number;
  /** Most attributed ranges at the end of a piece (accepts add ranges, deletions remove some). */
  readonly rangesAfterSession: number;
  readonly rope: Summary;
  readonly baseline: Summary;
  /** baseline median / rope median. */
  readonly speedupMedian: number;
  /** baseline mean / rope mean (total session time). */
  readonly speedupMean: number;
  /** Rope median per event kind, µs. */
  readonly ropeMedianByKindUs: Partial<Record<EventKind, number>>;
}

export interface AgreementCheck {
  readonly ranges: number;
  readonly events: number;
  readonly comparisons: number;
  readonly agree: boolean;
  readonly detail?: string;
}

interface Engine {
  applyChanges: DocumentProvenance['applyChanges'];
}

function ropeDoc(doc: GeneratedDocument): DocumentProvenance {
  return new DocumentProvenance(originTableFor(doc), AttributionRope.fromRuns(doc.runs));
}

function baselineDoc(doc: GeneratedDocument): ArrayScanBaseline {
  return new ArrayScanBaseline(originTableFor(doc), baselineRangesOf(doc));
}

/** Null when the rope's attributed runs equal the baseline's ranges, else a description. */
export function compareRanges(rope: DocumentProvenance, baseline: ArrayScanBaseline): string | null {
  const a = rope.rope.taggedRuns();
  const b = baseline.ranges;
  if (a.length !== b.length) return `rope has ${a.length} ranges, baseline ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i].start !== b[i].start || a[i].start + a[i].length !== b[i].end || a[i].origin !== b[i].origin) {
      return `range ${i}: rope [${a[i].start}, ${a[i].start + a[i].length}) origin ${a[i].origin}, baseline [${b[i].start}, ${b[i].end}) origin ${b[i].origin}`;
    }
  }
  return null;
}

/** Replays a short session on both and compares the ranges after every event. */
export function checkAgreement(ranges = 300, eventCount = 4000, seed = 7): AgreementCheck {
  const doc = makeDocument(ranges, seed);
  const events = makeSession(doc.length, eventCount, seed + 1);
  const rope = ropeDoc(doc);
  const base = baselineDoc(doc);
  let comparisons = 0;
  const initial = compareRanges(rope, base);
  if (initial) return { ranges, events: 0, comparisons: 1, agree: false, detail: `before the session: ${initial}` };
  for (let i = 0; i < events.length; i++) {
    rope.applyChanges(events[i].changes, events[i].attribution);
    base.applyChanges(events[i].changes, events[i].attribution);
    comparisons++;
    const diff = compareRanges(rope, base);
    if (diff) return { ranges, events: i + 1, comparisons, agree: false, detail: `after event ${i} (${events[i].kind}): ${diff}` };
  }
  return { ranges, events: events.length, comparisons, agree: true };
}

/** Replays `events` on `engine`, writing each event's time (ns) into `out` from `at`. */
function replay(engine: Engine, events: readonly SessionEvent[], out: Float64Array, at: number): void {
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const t0 = nowNs();
    engine.applyChanges(e.changes, e.attribution);
    out[at + i] = Number(nowNs() - t0);
  }
}

export interface EngineBenchOptions {
  readonly scales: readonly number[];
  readonly events: number;
  /** Events replayed on one fresh copy of the document before the next piece starts afresh. */
  readonly eventsPerDocument: number;
  readonly repetitions: number;
  readonly onProgress?: (message: string) => void;
}

export function runEngineBench(options: EngineBenchOptions): { agreement: AgreementCheck; scales: EngineScaleResult[] } {
  const log = options.onProgress ?? (() => undefined);
  const agreement = checkAgreement();
  log(`baseline vs rope on a ${agreement.ranges}-range session of ${agreement.events} events: ${agreement.agree ? 'same ranges after every event' : `DIFFERENT (${agreement.detail})`}`);
  if (!agreement.agree) throw new Error(`the array-scan baseline and the rope disagree: ${agreement.detail}`);

  // Warm-up: both engines and the timing loop, untimed, so the first scale is not paying for JIT.
  {
    const doc = makeDocument(1000, 99);
    const events = makeSession(doc.length, options.events, 100);
    const scratch = new Float64Array(events.length);
    for (let k = 0; k < 3; k++) {
      replay(ropeDoc(doc), events, scratch, 0);
      replay(baselineDoc(doc), events, scratch, 0);
    }
  }

  const results: EngineScaleResult[] = [];
  for (const ranges of options.scales) {
    const doc = makeDocument(ranges, 1000 + ranges);
    // The session is cut into pieces replayed on a fresh copy of the document, so the file keeps
    // about the number of ranges it is measured at (accepts and splits add ranges as it runs).
    const chunk = Math.min(options.eventsPerDocument, options.events);
    const pieces = Array.from({ length: Math.ceil(options.events / chunk) }, (_, k) => makeSession(doc.length, chunk, 2000 + ranges + 7919 * k));
    const events = pieces.flat();
    const reps = options.repetitions;
    const ropeNs = new Float64Array(events.length * reps);
    const baseNs = new Float64Array(events.length * reps);
    let rangesAfter = 0;
    for (let rep = 0; rep < reps; rep++) {
      pieces.forEach((piece, k) => {
        const rope = ropeDoc(doc);
        const base = baselineDoc(doc);
        const at = rep * events.length + k * chunk;
        // Alternate which engine goes first, so drifting machine load hits both alike.
        if ((rep + k) % 2 === 0) {
          replay(rope, piece, ropeNs, at);
          replay(base, piece, baseNs, at);
        } else {
          replay(base, piece, baseNs, at);
          replay(rope, piece, ropeNs, at);
        }
        const diff = compareRanges(rope, base);
        if (diff) throw new Error(`at ${ranges} ranges the baseline and the rope ended differently: ${diff}`);
        rangesAfter = Math.max(rangesAfter, base.rangeCount);
      });
    }
    const byKind = new Map<EventKind, number[]>();
    for (let rep = 0; rep < reps; rep++) {
      events.forEach((e, i) => {
        let list = byKind.get(e.kind);
        if (!list) byKind.set(e.kind, (list = []));
        list.push(ropeNs[rep * events.length + i]);
      });
    }
    const ropeMedianByKindUs: Partial<Record<EventKind, number>> = {};
    for (const [kind, list] of byKind) ropeMedianByKindUs[kind] = summarizeNs(list).medianUs;
    const rope = summarizeNs(ropeNs);
    const baseline = summarizeNs(baseNs);
    results.push({
      ranges,
      documentChars: doc.length,
      events: events.length,
      contentChanges: contentChangeCount(events),
      repetitions: reps,
      eventsPerDocument: chunk,
      rangesAfterSession: rangesAfter,
      rope,
      baseline,
      speedupMedian: baseline.medianUs / rope.medianUs,
      speedupMean: baseline.meanUs / rope.meanUs,
      ropeMedianByKindUs,
    });
    log(`engine, ${ranges} ranges: rope median ${rope.medianUs.toFixed(2)} µs, baseline median ${baseline.medianUs.toFixed(2)} µs`);
  }
  return { agreement, scales: results };
}
