import { AttributionRope, PlacedTaggedRun, Run } from './attributionRope';
import { inDocumentOrder } from './changeOrder';
import { Origin, isAiKind } from './origin';
import { NO_ORIGIN, OriginTable } from './originTable';

/** One text change in offsets of the text before the change (as VS Code reports them). */
export interface TextChange {
  readonly offset: number;
  readonly deleteLength: number;
  readonly text: string;
}

/** How a change's text is attributed. */
export type ChangeAttribution =
  /** Typed or otherwise produced by a person (or a tool acting for one: formatter, snippet...). */
  | { readonly type: 'human' }
  /** Produced by the given origin. */
  | { readonly type: 'origin'; readonly origin: Origin }
  /** Undo or redo: text that comes back regains the attribution it had when it went away. */
  | { readonly type: 'restore' };

/** A recorded range with its origin resolved. */
export interface ProvenanceRange {
  readonly start: number;
  readonly end: number;
  readonly origin: Origin;
  /** The exact characters the origin produced. */
  readonly text: string;
}

/**
 * One change of a document's rope, as its listeners see it (after it is made). `removed` and
 * `inserted` are the runs that left and entered the rope, unattributed ones included.
 * - `text`: `deleteLength` characters at `offset` were replaced by `text` (offsets of the text
 *   before this change; the changes of one event are reported last first, as they are applied);
 * - `attribution`: the origins of `[start, end)` changed, the text did not;
 * - `reset`: the rope was replaced or checked against a text that may have changed unseen
 *   (`verifyAgainst`): anything kept per line must be worked out again from the whole text.
 */
export type ProvenanceEdit =
  | { readonly type: 'text'; readonly offset: number; readonly deleteLength: number; readonly text: string; readonly removed: readonly Run[]; readonly inserted: readonly Run[] }
  | { readonly type: 'attribution'; readonly start: number; readonly end: number; readonly removed: readonly Run[]; readonly inserted: readonly Run[] }
  | { readonly type: 'reset' };

/** Attributed text removed from a document, remembered so that undo/redo can bring it back. */
interface RemovedSlice {
  readonly offset: number;
  readonly runs: Run[];
  readonly length: number;
}

const REMOVED_SLICES_KEPT = 64;

let nextVersion = 1;

/** Provenance of one document: its rope plus what undo/redo needs. */
export class DocumentProvenance {
  private removed: RemovedSlice[] = [];
  private versionNumber = nextVersion++;
  private readonly editListeners = new Set<(edit: ProvenanceEdit) => void>();

  /**
   * Changes whenever this provenance may have changed (every change through its methods), and is
   * never the same for two provenances of the process: a key for what was computed from it.
   */
  get version(): number {
    return this.versionNumber;
  }

  /**
   * Called before every change made through this provenance's methods (text changes, marks,
   * dropped marks), while it still describes the state before the change. One listener at a time;
   * it may clear itself. Used to copy the runs only when a change is about to make them differ
   * from a state someone keeps (persistence's provenance of the text on disk).
   */
  beforeChange: (() => void) | undefined;

  /**
   * Called after every change made through this provenance's methods (`text`: the text changed,
   * not only its marks). Set by the store that holds it, which fires its own change event.
   */
  afterChange: ((text: boolean) => void) | undefined;

  constructor(
    readonly origins: OriginTable,
    public rope: AttributionRope,
  ) {}

  /**
   * Tells `listener` of every change of the rope made through this provenance's methods, once it
   * is made: what views keep up to date per changed line listen here.
   */
  onEdit(listener: (edit: ProvenanceEdit) => void): { dispose(): void } {
    this.editListeners.add(listener);
    return { dispose: () => this.editListeners.delete(listener) };
  }

  private emit(edit: ProvenanceEdit): void {
    for (const l of this.editListeners) l(edit);
  }

  /**
   * Applies the content changes of one event. `changes` are in the coordinates of the text before
   * the event, as VS Code delivers them (non-overlapping); they are applied from the last to the
   * first so that earlier offsets stay valid.
   */
  applyChanges(changes: readonly TextChange[], attribution: ChangeAttribution): void {
    this.beforeChange?.();
    // Last offset first, so that each change's offset still holds (see changeOrder.ts).
    const ordered = changes.length > 1 ? inDocumentOrder(changes).reverse() : changes;
    const originId = attribution.type === 'origin' ? this.origins.intern(attribution.origin) : NO_ORIGIN;
    this.versionNumber = nextVersion++;
    for (const change of ordered) {
      const restored = attribution.type === 'restore' ? this.takeRemoved(change) : undefined;
      const removedRuns = restored
        ? this.rope.replaceWithRuns(change.offset, change.deleteLength, restored)
        : this.rope.replace(change.offset, change.deleteLength, change.text, originId);
      if (removedRuns.some((r) => r.origin !== NO_ORIGIN)) this.remember(change.offset, removedRuns);
      if (this.editListeners.size > 0) {
        const inserted = restored ?? (change.text.length > 0 ? [{ length: change.text.length, origin: originId }] : []);
        this.emit({ type: 'text', offset: change.offset, deleteLength: change.deleteLength, text: change.text, removed: removedRuns, inserted });
      }
    }
    this.afterChange?.(true);
  }

  /** Marks `text`, found at `start`, with `origin`, or clears marks there when `origin` is undefined. */
  setOrigin(start: number, text: string, origin: Origin | undefined): void {
    this.beforeChange?.();
    this.versionNumber = nextVersion++;
    const id = origin ? this.origins.intern(origin) : NO_ORIGIN;
    const removed = this.rope.setOrigin(start, text, id);
    if (text.length > 0) this.emit({ type: 'attribution', start, end: start + text.length, removed, inserted: [{ length: text.length, origin: id }] });
    this.afterChange?.(false);
  }

  /** Recorded ranges (any origin, including `unknown`) intersecting `[start, end)`. */
  rangesIn(start: number, end: number): ProvenanceRange[] {
    return this.rope.taggedRunsIn(start, end).map((r) => this.resolve(r));
  }

  /** All recorded ranges in document order. */
  ranges(): ProvenanceRange[] {
    return this.rangesIn(0, this.rope.length);
  }

  /** AI-produced characters (every kind but `unknown`). */
  aiCharacters(): number {
    let n = 0;
    for (const r of this.rope.taggedRuns()) if (this.isAi(r.origin)) n += r.length;
    return n;
  }

  /** True when origin id `id` is an AI origin. */
  isAi(id: number): boolean {
    const o = this.origins.get(id);
    return !!o && isAiKind(o.kind);
  }

  /**
   * Drops every mark whose recorded text no longer matches `text` (the document's current text):
   * a safety net that keeps a rope that fell out of step from claiming text it did not produce.
   * Returns the number of characters unmarked.
   */
  verifyAgainst(text: string): number {
    this.beforeChange?.();
    let dropped = 0;
    if (this.rope.length !== text.length) {
      this.versionNumber = nextVersion++;
      const rope = new AttributionRope(text.length);
      for (const r of this.rope.taggedRuns()) {
        if (r.start + r.length <= text.length && text.startsWith(r.text, r.start)) rope.setOrigin(r.start, r.text, r.origin);
        else dropped += r.length;
      }
      this.rope = rope;
      this.emit({ type: 'reset' });
      this.afterChange?.(false);
      return dropped;
    }
    for (const r of this.rope.taggedRuns()) {
      if (!text.startsWith(r.text, r.start)) {
        this.versionNumber = nextVersion++;
        this.rope.replace(r.start, r.length, text.slice(r.start, r.start + r.length), NO_ORIGIN);
        dropped += r.length;
      }
    }
    // The text itself may have changed unseen: whoever keeps counts per line counts again.
    this.emit({ type: 'reset' });
    this.afterChange?.(false);
    return dropped;
  }

  private resolve(r: PlacedTaggedRun): ProvenanceRange {
    return { start: r.start, end: r.start + r.length, origin: this.origins.get(r.origin)!, text: r.text };
  }

  private remember(offset: number, runs: Run[]): void {
    const length = runs.reduce((n, r) => n + r.length, 0);
    this.removed.push({ offset, runs, length });
    if (this.removed.length > REMOVED_SLICES_KEPT) this.removed.shift();
  }

  /**
   * The attribution of the most recently removed slice that `change` brings back: same place,
   * same length, and every attributed character equal to what was removed. Consumed when found.
   */
  private takeRemoved(change: TextChange): Run[] | undefined {
    const text = change.text;
    for (let i = this.removed.length - 1; i >= 0; i--) {
      const slice = this.removed[i];
      if (slice.offset !== change.offset || slice.length !== text.length) continue;
      let pos = 0;
      let same = true;
      for (const run of slice.runs) {
        if (run.text !== undefined && !text.startsWith(run.text, pos)) {
          same = false;
          break;
        }
        pos += run.length;
      }
      if (!same) continue;
      this.removed.splice(i, 1);
      return slice.runs;
    }
    return undefined;
  }
}

/** What a store change event says besides the key. */
export interface StoreChange {
  /** The document's text changed (its provenance took text changes), not only its marks. */
  readonly text: boolean;
  /** The text changes were an undo or redo in the editor (as the {@link ProvenanceStore.batch} that made them says). */
  readonly undoRedo: boolean;
}

const MARKS_ONLY: StoreChange = Object.freeze({ text: false, undoRedo: false });

/**
 * Provenance of every tracked document of a workspace, keyed by a stable document key (the URI
 * string). Shares one origin table so ids are comparable across files.
 *
 * The store fires its change event itself, after every change: a change through a document's
 * methods, a document set, renamed or deleted. Inside {@link batch} the events wait for the end
 * of the batch and come once per changed key (capture records one editor event as one change).
 */
export class ProvenanceStore {
  readonly origins: OriginTable;
  private readonly docs = new Map<string, DocumentProvenance>();
  /** The key each held document is under (documents replaced or deleted are not held). */
  private readonly keyOf = new Map<DocumentProvenance, string>();
  private readonly listeners = new Set<(key: string, change: StoreChange) => void>();
  private batchDepth = 0;
  private batchUndoRedo = false;
  /** Keys changed in the running batch, with whether their text changed. */
  private readonly batched = new Map<string, boolean>();

  constructor(origins = new OriginTable()) {
    this.origins = origins;
  }

  get(key: string): DocumentProvenance | undefined {
    return this.docs.get(key);
  }

  /** The provenance of `key`, created for a document of `length` unattributed characters if new (no event: nothing changed). */
  getOrCreate(key: string, length: number): DocumentProvenance {
    let doc = this.docs.get(key);
    if (!doc) {
      doc = this.hold(key, new DocumentProvenance(this.origins, new AttributionRope(length)));
    }
    return doc;
  }

  /** Replaces the provenance of `key` (e.g. after loading or re-anchoring). */
  set(key: string, rope: AttributionRope): DocumentProvenance {
    const doc = this.hold(key, new DocumentProvenance(this.origins, rope));
    this.changed(key, false);
    return doc;
  }

  /** Moves provenance when a file is renamed or moved. */
  rename(oldKey: string, newKey: string): void {
    const doc = this.docs.get(oldKey);
    if (!doc) return;
    this.release(oldKey);
    this.hold(newKey, doc);
    this.changed(oldKey, false);
    this.changed(newKey, false);
  }

  delete(key: string): void {
    if (this.release(key)) this.changed(key, false);
  }

  keys(): string[] {
    return [...this.docs.keys()];
  }

  /**
   * Runs `fn`, holding back the change events of what it changes until it returns: then one event
   * per changed key. `undoRedo` says the text changes made in it are an editor undo or redo.
   * Batches nest (the outermost one fires).
   */
  batch<T>(fn: () => T, options?: { readonly undoRedo?: boolean }): T {
    if (this.batchDepth++ === 0) this.batchUndoRedo = !!options?.undoRedo;
    try {
      return fn();
    } finally {
      if (--this.batchDepth === 0) {
        const changes = [...this.batched];
        const undoRedo = this.batchUndoRedo;
        this.batched.clear();
        this.batchUndoRedo = false;
        for (const [key, text] of changes) this.fire(key, text ? { text, undoRedo } : MARKS_ONLY);
      }
    }
  }

  onDidChange(listener: (key: string, change: StoreChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private hold(key: string, doc: DocumentProvenance): DocumentProvenance {
    this.release(key);
    this.docs.set(key, doc);
    this.keyOf.set(doc, key);
    doc.afterChange = (text) => {
      const at = this.keyOf.get(doc);
      if (at !== undefined) this.changed(at, text);
    };
    return doc;
  }

  /** Stops holding `key`'s document (its changes no longer fire); true when there was one. */
  private release(key: string): boolean {
    const doc = this.docs.get(key);
    if (!doc) return false;
    this.docs.delete(key);
    this.keyOf.delete(doc);
    return true;
  }

  private changed(key: string, text: boolean): void {
    if (this.batchDepth > 0) this.batched.set(key, text || (this.batched.get(key) ?? false));
    else this.fire(key, text ? { text, undoRedo: false } : MARKS_ONLY);
  }

  private fire(key: string, change: StoreChange): void {
    for (const l of this.listeners) l(key, change);
  }
}
