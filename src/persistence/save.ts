import * as vscode from 'vscode';
import { readFileText } from '../core/persistence/diskText';
import { PersistedState } from '../core/persistence/schema';
import { Deferred, FileToSave, MergedFile, stateToSave } from '../core/persistence/saveMerge';
import { Debouncer } from '../core/scheduling/scheduling';
import { openDocument } from '../services';
import { RELOAD_WAIT_MS } from './outsideChanges';
import type { Persistence } from './persistence';
import { Location, Resolved } from './stateLocations';

/** A dirty file and where its provenance is saved (undefined: not placed). */
interface Placed {
  readonly key: string;
  readonly r: Resolved | undefined;
}

/**
 * Saving provenance (see persistence.ts): 1 s after the last change (debounced, at most 10 s
 * late under continuous typing), when a document closes, and synchronously on deactivation.
 */

const FLUSH_DELAY_MS = 1000;
const FLUSH_MAX_WAIT_MS = 10_000;

type Needs = Pick<Persistence, 'store' | 'log' | 'locations' | 'baselines' | 'outside' | 'restored' | 'disposed' | 'guard' | 'whyNotTracked' | 'apply'>;

export class StateSaver {
  /** Store keys whose provenance changed since it was last saved. */
  readonly dirty = new Set<string>();
  /** Entries to delete (renamed or deleted files): state dir -> relative paths. */
  private readonly removals = new Map<Location, Set<string>>();
  /** Debounced, but continuous typing does not postpone a save for more than FLUSH_MAX_WAIT_MS. */
  private readonly flushTimer = new Debouncer(() => void this.p.guard('save provenance', () => this.flush()), FLUSH_DELAY_MS, { maxWaitMs: FLUSH_MAX_WAIT_MS });
  private flushing: Promise<void> | undefined;
  /** Saves again once a reload that was waited for is given up on (see OutsideChanges). */
  private readonly retryTimer = new Debouncer(() => this.scheduleFlush(0), RELOAD_WAIT_MS + 1000);

  constructor(private readonly p: Needs) {}

  /** Saves `key` soon. */
  markDirty(key: string): void {
    if (!key.startsWith('file:')) return;
    this.dirty.add(key);
    void this.p.locations.resolve(vscode.Uri.parse(key)); // so that a synchronous flush can place it
    this.scheduleFlush();
  }

  /** Deletes these entries of `loc` at the next save. */
  remove(loc: Location, rels: readonly string[]): void {
    const set = this.removals.get(loc) ?? new Set<string>();
    for (const rel of rels) set.add(rel);
    this.removals.set(loc, set);
  }

  get hasRemovals(): boolean {
    return this.removals.size > 0;
  }

  scheduleFlush(delay = FLUSH_DELAY_MS): void {
    if (this.p.disposed) return;
    this.flushTimer.schedule(delay);
  }

  /** Stops the pending timers (shutdown). */
  cancelTimer(): void {
    this.flushTimer.cancel();
    this.retryTimer.cancel();
  }

  /** Writes every changed document's provenance now. */
  async flush(): Promise<void> {
    this.p.baselines.runDiscardChecks();
    while (this.flushing) await this.flushing;
    if (this.dirty.size === 0 && this.removals.size === 0) return;
    this.flushing = this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    const placed: Placed[] = [];
    for (const key of keys) placed.push({ key, r: await this.p.locations.resolve(vscode.Uri.parse(key)) });
    for (const [loc, items] of this.byLocation(placed)) {
      try {
        await this.writeLocation(loc, items, false);
      } catch (e) {
        for (const it of items) this.dirty.add(it.key);
        this.p.log.error(`could not save provenance to ${loc.dir.statePath}: ${(e as Error).message}; will retry`);
        this.scheduleFlush(5000);
      }
    }
  }

  /** Synchronous best effort (deactivation): writes what can be placed without waiting. */
  flushSync(): void {
    this.p.baselines.runDiscardChecks();
    const placed = [...this.dirty].map((key): Placed => ({ key, r: this.p.locations.resolved.get(key) }));
    for (const [loc, items] of this.byLocation(placed)) {
      try {
        this.writeLocation(loc, items, true);
        for (const it of items) this.dirty.delete(it.key);
      } catch (e) {
        this.p.log.error(`could not save provenance to ${loc.dir.statePath} on shutdown: ${(e as Error).message}`);
      }
    }
  }

  /**
   * The dirty files by the location their provenance is saved in (files with none are left out),
   * and every location with entries to remove, with no files if it has none.
   */
  private byLocation(placed: readonly Placed[]): Map<Location, { key: string; rel: string }[]> {
    const byLoc = new Map<Location, { key: string; rel: string }[]>();
    for (const { key, r } of placed) {
      if (!r) continue;
      const list = byLoc.get(r.loc) ?? [];
      list.push({ key, rel: r.rel });
      byLoc.set(r.loc, list);
    }
    for (const loc of this.removals.keys()) if (!byLoc.has(loc)) byLoc.set(loc, []);
    return byLoc;
  }

  private writeLocation(loc: Location, items: { key: string; rel: string }[], sync: boolean): Promise<void> | void {
    const removals = this.removals.get(loc);
    this.removals.delete(loc);
    const ready = this.filesToSave(items);
    let merges: MergedFile[] = [];
    let deferred: Deferred[] = [];
    const update = (current: PersistedState) => {
      const result = stateToSave({ current, seen: loc.seen, files: ready, removals, origins: this.p.store.origins });
      merges = result.merges;
      deferred = result.deferred;
      return result.update;
    };
    const done = (state: PersistedState) => {
      this.p.locations.remember(loc, state);
      for (const m of merges) {
        const document = openDocument(m.key);
        if (document && m.version !== undefined) this.p.apply(document, m.runs, m.text, m.version, () => true);
      }
      for (const { key, rel } of deferred) {
        // Someone else's entry for the text on disk stays; it is merged when the editor reloads.
        this.dirty.add(key);
        const document = openDocument(key);
        if (document) void this.p.guard('merge checkpoint', () => this.p.outside.ingest(document, { loc, rel }));
      }
      if (deferred.length) this.retryTimer.schedule();
    };
    if (sync) done(loc.dir.updateSync(update));
    else return loc.dir.update(update).then(done);
  }

  /** The text and runs of each item that can be saved now (others wait, or keep what is saved). */
  private filesToSave(items: { key: string; rel: string }[]): FileToSave[] {
    const ready: FileToSave[] = [];
    for (const { key, rel } of items) {
      const doc = this.p.store.get(key);
      if (!doc) continue; // dropped from memory: keep what is saved
      const document = openDocument(key);
      let text: string | undefined;
      let reloadExpected = false;
      if (document) {
        if (!this.p.restored.has(key)) {
          this.dirty.add(key); // its saved provenance is still being restored: save it after
          continue;
        }
        const reloadWait = this.p.outside.reloadWait(key);
        if (reloadWait === 'waiting') {
          // Someone else saved provenance for the text on disk, which the editor has not loaded
          // yet: do not overwrite it; merge when the reload arrives.
          this.dirty.add(key);
          this.retryTimer.schedule();
          continue;
        }
        if (this.p.whyNotTracked(document)) continue;
        text = document.getText();
        reloadExpected = !document.isDirty && reloadWait === undefined;
      } else {
        text = readFileText(vscode.Uri.parse(key).fsPath, undefined);
      }
      if (text === undefined) continue;
      const runs = doc.rope.taggedRuns();
      if (doc.rope.length !== text.length || runs.some((r) => !text!.startsWith(r.text, r.start))) {
        this.p.log.warn(`provenance of ${key} does not match its text; not saved`);
        continue;
      }
      ready.push({ key, rel, text, runs, version: document?.version, reloadExpected });
    }
    return ready;
  }
}
