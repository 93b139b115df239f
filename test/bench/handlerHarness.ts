/**
 * MEASUREMENT HARNESS, not a test: the whole change handler as VS Code calls it. Loads the
 * production bundle (dist/extension.js) in Node with the `vscode` stand-in (vscodeMock.ts), runs
 * `activate()`, opens a generated document in an active, visible editor, gives it N AI ranges
 * through the public API (`recordAiEdit`), then replays a generated editing session: for each
 * event the document is updated and `workspace.onDidChangeTextDocument` fires, which runs every
 * listener the extension registered (classification, rope update, store event, status bar and
 * decoration scheduling). Only `fire()` is timed. Timers are virtual: what the handler schedules
 * (the debounced status bar and decoration refresh) runs after the timed call, as if the person
 * paused longer than the debounce, and is timed separately as "deferred refresh".
 *
 *   node out/bench/handlerHarness.js <bundle> <extensionRoot> <ranges> <events> <repetitions> [paced|burst|burst-warm-lines]
 *
 * Prints `BENCH_RESULT <json>`. Inline accepts and agent edits carry the `detailedReason` VS Code
 * gives where the edit-source API is available; typing carries none, as on VS Code Stable.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AttributionRope } from '../../src/core/provenance/attributionRope';
import { DocumentProvenance } from '../../src/core/provenance/provenanceStore';
import { makeDocument, makeSession, makeText, originTableFor, SessionEvent } from './session';
import { nowNs, Rng, summarizeNs } from './stats';
import { MockClasses, MockTextDocument } from './mockDocument';
import { Position, Range, createExtensionContext, createVscodeMock, mockControl } from './vscodeMock';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('module') as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };

// ---- Virtual timers: scheduled callbacks run only when runTimers() is called.
interface Scheduled {
  readonly cb: (...a: unknown[]) => void;
  readonly args: unknown[];
}
const timers = new Map<number, Scheduled>();
let nextTimer = 1;
class VirtualTimeout {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return false;
  }
  refresh(): this {
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}
const g = globalThis as unknown as Record<string, unknown>;
g.setTimeout = (cb: (...a: unknown[]) => void, _ms?: number, ...args: unknown[]) => {
  const id = nextTimer++;
  timers.set(id, { cb, args });
  return new VirtualTimeout(id);
};
g.clearTimeout = (h: unknown) => {
  if (h !== undefined && h !== null) timers.delete(h instanceof VirtualTimeout ? h.id : Number(h));
};
g.setInterval = (_cb: unknown) => new VirtualTimeout(nextTimer++);
g.clearInterval = () => undefined;

/** Lets pending promise jobs and I/O callbacks run (setImmediate is not virtualised). */
function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs every scheduled callback (and those they schedule); returns how many ran. */
function runTimers(): number {
  let n = 0;
  while (timers.size > 0 && n < 10_000) {
    const [id, t] = timers.entries().next().value as [number, Scheduled];
    timers.delete(id);
    t.cb(...t.args);
    n++;
  }
  return n;
}

function detailedReason(e: SessionEvent): unknown {
  if (e.attribution.type !== 'origin') return undefined;
  const o = e.attribution.origin;
  if (e.kind === 'agentEdit') return { source: 'Chat.applyEdits', metadata: { mode: 'agent', modelId: 'claude-sonnet', requestId: o.requestId, extensionId: 'anthropic.claude-code' } };
  return { source: 'inlineCompletionAccept', metadata: { extensionId: 'GitHub.copilot', requestUuid: o.requestId } };
}

interface Api {
  recordAiEdit(uri: unknown, range: unknown, origin: { tool: string; model?: string; kind?: string; requestId?: string }): boolean;
  getRanges(uri: unknown): { range: { start: Position; end: Position } }[];
}

async function main(): Promise<void> {
  const [bundleArg, rootArg, rangesArg, eventsArg, repsArg, modeArg] = process.argv.slice(2);
  const bundle = path.resolve(bundleArg ?? 'dist/extension.js');
  const root = path.resolve(rootArg ?? '.');
  const ranges = Number(rangesArg ?? 1000);
  const eventCount = Number(eventsArg ?? 500);
  const reps = Number(repsArg ?? 2);
  // "paced": the debounced refresh runs between events (typing slower than the debounce);
  // "burst": it never gets to run during the session (typing faster than the debounce).
  // "burst-warm-lines": burst, with the document's line offsets already up to date when the
  // handler runs (isolates what the handler's own document-length query costs).
  const mode = modeArg ?? 'paced';
  const deferred = mode === 'paced';
  const eagerLineOffsets = mode === 'burst-warm-lines';

  const vscode = createVscodeMock(root);
  const originalLoad = Module._load;
  Module._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === 'vscode') return vscode;
    return originalLoad.call(this, request, parent, isMain);
  };
  const control = mockControl!;
  const Uri = vscode.Uri as { file(p: string): MockTextDocument['uri'] };
  const context = createExtensionContext(vscode, root);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(bundle) as { activate(ctx: unknown): unknown };
  const api = (await ext.activate(context)) as Api;
  runTimers();

  const handlerNs: number[] = [];
  const engineNs: number[] = [];
  const deferredNs: number[] = [];
  let seedMs = 0;
  let rangesAfter = -1;
  let agree = true;
  let detail: string | undefined;
  let fileNo = 0;

  /** One repetition: fresh document with `n` ranges, seeded, then the session replayed. */
  const repetition = async (n: number, events: readonly SessionEvent[], initialText: string, generated: ReturnType<typeof makeDocument>, record: boolean): Promise<void> => {
    // The engine alone on the same session, for the handler's overhead over it.
    const engine = new DocumentProvenance(originTableFor(generated), AttributionRope.fromRuns(generated.runs));
    for (const e of events) {
      const t0 = nowNs();
      engine.applyChanges(e.changes, e.attribution);
      if (record) engineNs.push(Number(nowNs() - t0));
    }

    const document = new MockTextDocument(Uri.file(`/bench/workspace/file-${n}-${++fileNo}.ts`), initialText, { Position, Range } as unknown as MockClasses);
    document.eagerLineOffsets = eagerLineOffsets;
    const editor = { document, selections: [], visibleRanges: [], options: {}, viewColumn: 1, setDecorations: () => undefined, revealRange: () => undefined, edit: () => Promise.resolve(true) };
    control.workspace.textDocuments = [document];
    control.onDidOpenTextDocument.fire(document);
    control.window.activeTextEditor = editor;
    control.window.visibleTextEditors = [editor];
    control.onDidChangeActiveTextEditor.fire(editor);
    control.onDidChangeVisibleTextEditors.fire([editor]);
    runTimers();

    // Give the document its AI ranges through the public API.
    const s0 = nowNs();
    let pos = 0;
    // The document is clean (saved) while it is seeded: each mark is also the provenance of the
    // text on disk, which persistence follows without copying the runs at each mark.
    for (const run of generated.runs) {
      if (run.origin !== 0) {
        const o = generated.origins[run.origin - 1];
        const ok = api.recordAiEdit(document.uri, new Range(document.positionAt(pos) as Position, document.positionAt(pos + run.length) as Position), {
          tool: o.tool,
          model: o.model,
          kind: o.kind,
          requestId: o.requestId,
        });
        if (!ok) throw new Error('recordAiEdit refused the generated document');
      }
      pos += run.length;
    }
    runTimers();
    if (record) seedMs += Number(nowNs() - s0) / 1e6;
    const seeded = api.getRanges(document.uri).length;
    if (seeded !== n) throw new Error(`the extension holds ${seeded} ranges after seeding ${n}`);

    for (const e of events) {
      const contentChanges = document.apply(e.changes);
      const event = { document, contentChanges, reason: undefined, detailedReason: detailedReason(e) };
      const t0 = nowNs();
      control.onDidChangeTextDocument.fire(event);
      const t1 = nowNs();
      // Let the promise jobs the handler started run, as the event loop would before the next event.
      await drain();
      const t2 = nowNs();
      const ran = deferred ? runTimers() : 0;
      await drain();
      const t3 = nowNs();
      if (record) {
        handlerNs.push(Number(t1 - t0));
        if (ran > 0) deferredNs.push(Number(t3 - t2));
      }
    }

    // The handler must have recorded what the engine alone records.
    const got = api.getRanges(document.uri).map((r) => [document.offsetAt(r.range.start), document.offsetAt(r.range.end)]);
    const want = engine.rope.taggedRuns().map((r) => [r.start, r.start + r.length]);
    if (record) rangesAfter = got.length;
    if (got.length !== want.length) {
      agree = false;
      detail = `extension ${got.length} ranges, engine ${want.length}`;
    } else {
      const i = got.findIndex((r, k) => r[0] !== want[k][0] || r[1] !== want[k][1]);
      if (i >= 0) {
        agree = false;
        detail = `range ${i}: extension [${got[i].join(', ')}), engine [${want[i].join(', ')})`;
      }
    }
    control.workspace.textDocuments = [];
    control.window.activeTextEditor = undefined;
    control.window.visibleTextEditors = [];
    control.onDidCloseTextDocument.fire(document);
    runTimers();
    await drain();
  };

  const textRng = new Rng(31337);
  const prepare = (n: number, count: number) => {
    const generated = makeDocument(n, 1000 + n);
    const parts: string[] = [];
    for (const run of generated.runs) parts.push(run.text ?? makeText(textRng, run.length));
    return { generated, initialText: parts.join(''), events: makeSession(generated.length, count, 2000 + n) };
  };

  // Warm-up (not recorded): compiles the extension's and the engine's code paths.
  {
    const w = prepare(500, 1500);
    await repetition(500, w.events, w.initialText, w.generated, false);
    await repetition(500, w.events, w.initialText, w.generated, false);
  }
  const { generated, initialText, events } = prepare(ranges, eventCount);
  for (let rep = 0; rep < reps; rep++) await repetition(ranges, events, initialText, generated, true);

  fs.rmSync(context._storageDir as string, { recursive: true, force: true });
  process.stdout.write(
    `BENCH_RESULT ${JSON.stringify({
      ranges,
      mode,
      documentChars: initialText.length,
      events: events.length,
      repetitions: reps,
      rangesAfterSession: rangesAfter,
      handler: summarizeNs(handlerNs),
      engineAlone: summarizeNs(engineNs),
      deferredRefresh: summarizeNs(deferredNs),
      deferredRefreshRuns: deferredNs.length,
      seedMsPerRepetition: seedMs / reps,
      sameRangesAsEngine: agree,
      mismatch: detail,
    })}\n`,
  );
  process.exit(0);
}

main().catch((e) => {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ error: e instanceof Error ? e.stack ?? e.message : String(e) })}\n`);
  process.exit(0);
});
