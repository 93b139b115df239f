import * as vscode from 'vscode';
import { DiscardCandidate, isDiscard, isDiscardCandidate } from '../core/persistence/discardCheck';
import { sha256 } from '../core/persistence/schema';
import { DocumentProvenance } from '../core/provenance/provenanceStore';
import { AnchoredRun } from '../core/reanchor/reanchor';
import { KeyedDebouncer } from '../core/scheduling/scheduling';
import { storeKey } from '../services';
import type { Persistence } from './persistence';

/**
 * Discarded changes (see persistence.ts): for every open document the provenance of its text as
 * last saved or loaded is kept; when unsaved changes are thrown away (Revert File, or closing with
 * "Don't Save", which reverts first) and the document is back to exactly that text, exactly that
 * provenance comes back, in memory and in state.json, instead of marking the reloaded text
 * `unknown`. When a change is a discard is the pure rule of `core/persistence/discardCheck.ts`,
 * fed in two steps: the store's change event (capture recorded a text change) makes a candidate,
 * and the dirty flag VS Code reports after the change decides it.
 */

/** After a change leaves a document clean (a reload from disk), its provenance is the new saved state. */
const CLEAN_SETTLE_MS = 300;

/** The provenance of an open document's text as last saved to or loaded from disk. */
export interface SavedBaseline {
  readonly document: vscode.TextDocument;
  /** Document version it was taken at. */
  version: number;
  readonly length: number;
  readonly hash: string;
  /** The text on disk (for giving its marks back after a reload: see `ReloadRecall`). */
  readonly text: string;
  /** The provenance of the text on disk; read it with `baselineRuns`, which copies it from `live` first. */
  runs: AnchoredRun[];
  /**
   * While set, the provenance of the text on disk is what this document provenance holds now: it
   * is copied into `runs` only before a change that would no longer be the text on disk's (see
   * `follow`), so marks made on a clean document cost no copy each.
   */
  live?: { readonly doc: DocumentProvenance; readonly hook: () => void };
}

/** The runs of a baseline, copied from the provenance it follows if it still does (it no longer does after). */
export function baselineRuns(b: SavedBaseline): AnchoredRun[] {
  const live = b.live;
  if (live) {
    b.runs = live.doc.rope.length === b.length ? live.doc.rope.taggedRuns() : [];
    unfollow(b);
  }
  return b.runs;
}

/** Stops a baseline following a document provenance, without copying it (it is not needed any more). */
function unfollow(b: SavedBaseline): void {
  const live = b.live;
  if (!live) return;
  b.live = undefined;
  if (live.doc.beforeChange === live.hook) live.doc.beforeChange = undefined;
}

type Needs = Pick<Persistence, 'store' | 'log' | 'disposed' | 'guard' | 'whyNotTracked' | 'putRestored' | 'markDirty' | 'recall'>;

export class SavedBaselines {
  /** Open documents: the provenance of their text on disk. */
  private readonly baselines = new Map<string, SavedBaseline>();
  /** The baseline following each document provenance, if any (see `follow`). */
  private readonly followers = new WeakMap<DocumentProvenance, SavedBaseline>();
  /** Text changes that may be discards, waiting for the dirty flag after them (see `onTextChange`). */
  private readonly discardChecks = new Map<string, { readonly document: vscode.TextDocument; readonly candidate: DiscardCandidate }>();
  private readonly cleanTimers = new KeyedDebouncer<string>(CLEAN_SETTLE_MS);

  constructor(private readonly p: Needs) {}

  get(key: string): SavedBaseline | undefined {
    return this.baselines.get(key);
  }

  has(key: string): boolean {
    return this.baselines.has(key);
  }

  /** Records the document's current provenance as that of its text on disk (it is clean). */
  take(document: vscode.TextDocument): void {
    const key = storeKey(document.uri);
    if (document.uri.scheme !== 'file' || this.p.disposed) return;
    if (document.isDirty || this.p.whyNotTracked(document)) {
      this.baselines.delete(key);
      return;
    }
    this.set(document, document.version, document.getText());
  }

  set(document: vscode.TextDocument, version: number, text: string): void {
    const key = storeKey(document.uri);
    const old = this.baselines.get(key);
    if (old && old.text !== text) this.p.recall.superseded(key, { text: old.text, runs: baselineRuns(old) });
    if (old) unfollow(old); // replaced: nobody reads it any more
    // Copied now (on open and save, not while typing).
    const doc = this.p.store.get(key);
    const runs = doc && doc.rope.length === text.length ? doc.rope.taggedRuns() : [];
    this.baselines.set(key, { document, version, length: text.length, hash: sha256(text), text, runs });
  }

  /** The store changed `key`'s marks: on a clean document they are still the text on disk's. */
  onStoreChange(key: string): void {
    const b = this.baselines.get(key);
    // Marks changed on a clean document without a text change (a manual mark, a merged checkpoint):
    // still the provenance of the text on disk.
    if (b && !b.document.isDirty && b.document.version === b.version) {
      const doc = this.p.store.get(key);
      if (doc && doc.rope.length === b.length) this.follow(key, b, doc);
    }
  }

  /**
   * Makes `doc`'s provenance, as it is now and as marks change it while the document stays clean,
   * the provenance of the text on disk, without copying it at each mark: it is copied once the
   * marks of this turn of the event loop are made (a timer), or, if a change comes first, just
   * before the first change that is no longer the text on disk's (a text change, a mark after the
   * document changed, a baseline that is no longer current). Marking N ranges one by one on a
   * saved document is then O(N), not N copies of O(N) runs, and the copy is not made on a keystroke.
   */
  private follow(key: string, b: SavedBaseline, doc: DocumentProvenance): void {
    if (b.live?.doc === doc) return;
    if (b.live) baselineRuns(b);
    const hook = (): void => {
      const current = this.baselines.get(key) === b && !b.document.isDirty && b.document.version === b.version && this.p.store.get(key) === doc;
      if (!current) baselineRuns(b);
    };
    // Another baseline following this provenance (a renamed document's) takes its copy first.
    const other = this.followers.get(doc);
    if (other && other !== b) baselineRuns(other);
    doc.beforeChange = hook;
    const live = { doc, hook };
    b.live = live;
    this.followers.set(doc, b);
    setTimeout(() => {
      if (b.live === live) baselineRuns(b);
    }, 0);
  }

  /**
   * The store recorded a text change of `key` (capture has seen it): a discard or a reload from
   * disk is checked for. Step 1 of the discard rule: a candidate, decided once the dirty flag after
   * the change is known (`onDirtyReport`, else when the document settles, saves or closes).
   */
  onTextChange(key: string, undoRedo: boolean): void {
    const b = this.baselines.get(key);
    if (!b) return;
    const document = b.document;
    // VS Code's flag is still the one from before the change (a revert clears it first).
    const reportedDirty = document.isDirty;
    if (isDiscardCandidate({ undoRedo, hasBaseline: true, reportedDirty })) {
      this.discardChecks.set(key, { document, candidate: { documentVersion: document.version, provenanceVersion: this.p.store.get(key)?.version } });
    } else this.discardChecks.delete(key);
    // Clean before the change: possibly a reload from disk.
    if (!reportedDirty) this.scheduleCleanCheck(document);
  }

  /**
   * VS Code reported a document's dirty flag after a change (a change event without content
   * changes): step 2 of the discard rule for a candidate waiting.
   */
  onDirtyReport(document: vscode.TextDocument): void {
    const key = storeKey(document.uri);
    if (this.discardChecks.get(key)?.document === document) void this.p.guard('discarded changes', () => this.checkDiscarded(key));
  }

  /**
   * Decides the candidate of `key` (`isDiscard`): when the change left the document clean with
   * exactly the text of its baseline, the unsaved changes were discarded (a revert reloads the
   * file from disk); the baseline's provenance replaces what capture made of the reload.
   */
  private checkDiscarded(key: string): void {
    const check = this.discardChecks.get(key);
    if (!check) return;
    this.discardChecks.delete(key);
    const { document, candidate } = check;
    const b = this.baselines.get(key);
    if (this.p.disposed) return;
    const text = document.getText();
    const discarded = isDiscard({
      candidate,
      baseline: b,
      documentVersion: document.version,
      provenanceVersion: this.p.store.get(key)?.version,
      isDirty: document.isDirty,
      textLength: text.length,
      textHash: () => sha256(text),
    });
    if (!discarded || !b) return;
    b.version = document.version;
    // Replaced even when the runs look the same: the reload detector then leaves the text alone.
    const runs = baselineRuns(b);
    this.p.putRestored(key, runs, text.length);
    this.p.log.info(`unsaved changes to ${document.uri.fsPath} were discarded; its provenance is that of the saved text again (${runs.length} range(s))`);
    this.p.markDirty(key);
  }

  /** Decides the discard candidates still waiting, from the dirty flags as they are now (before a save). */
  runDiscardChecks(): void {
    for (const key of [...this.discardChecks.keys()]) this.checkDiscarded(key);
  }

  /** A change left a clean document: once settled, that is its text on disk (a reload). */
  private scheduleCleanCheck(document: vscode.TextDocument): void {
    const key = storeKey(document.uri);
    const version = document.version;
    this.cleanTimers.schedule(key, () => {
      // Settled: a candidate no dirty report decided (the document stayed clean) is decided first.
      if (this.discardChecks.get(key)?.document === document) this.checkDiscarded(key);
      const b = this.baselines.get(key);
      if (document.isClosed || document.isDirty || document.version !== version || (b && b.version === version)) return;
      this.recallAfterReload(document, b);
      this.take(document);
    });
  }

  /**
   * A reload from disk settled: text it brought in that was AI in the text on disk before it, or
   * in an earlier text on disk of this document, gets its marks back (stash and pop, a checkout
   * away and back, `git restore`); the rest stays `unknown`.
   */
  private recallAfterReload(document: vscode.TextDocument, before: SavedBaseline | undefined): void {
    const key = storeKey(document.uri);
    const doc = this.p.store.get(key);
    const text = document.getText();
    if (!doc || doc.rope.length !== text.length) return;
    const previous = before ? { text: before.text, runs: baselineRuns(before) } : undefined;
    const result = this.p.recall.recall(key, text, doc.rope.taggedRuns(), previous);
    if (!result) return;
    this.p.putRestored(key, result.runs, text.length);
    this.p.log.info(`${document.uri.fsPath} was reloaded from disk; ${result.recalled} characters it had as AI in an earlier version got their marks back`);
    this.p.markDirty(key);
  }

  /**
   * The document closes: a discard still waiting is checked first (reverted and closed at once);
   * returns its baseline (copied), now dropped.
   */
  close(document: vscode.TextDocument): SavedBaseline | undefined {
    const key = storeKey(document.uri);
    if (this.discardChecks.get(key)?.document === document) this.checkDiscarded(key); // reverted and closed at once
    this.discardChecks.delete(key);
    const baseline = this.baselines.get(key);
    this.baselines.delete(key);
    // Its earlier versions stay, with the text on disk now, for a change to the closed file.
    this.p.recall.closed(key, baseline ? { text: baseline.text, runs: baselineRuns(baseline) } : undefined);
    this.cleanTimers.cancel(key);
    return baseline;
  }

  dispose(): void {
    this.cleanTimers.dispose();
  }
}
