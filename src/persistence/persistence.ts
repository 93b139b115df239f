import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { NO_ORIGIN, OriginTable } from '../core/provenance/originTable';
import { entryFromRuns, restoreEntry, runsFromEntry, withFiles } from '../core/persistence/entries';
import { RepoLocator, repoRelative, repoStateDir } from '../core/persistence/repo';
import { gitText } from '../git/git';
import { PersistedFile, PersistedState, sha256 } from '../core/persistence/schema';
import { StateDir } from '../core/persistence/stateDir';
import { looksBinary, maxTrackedBytes, shouldTrack } from '../core/persistence/tracking';
import { unknownOrigin } from '../core/reanchor/external';
import { overlayRuns, ropeFromAnchored } from '../core/reanchor/merge';
import { AnchoredRun, reanchor } from '../core/reanchor/reanchor';
import { DocumentProvenance } from '../core/provenance/provenanceStore';
import { Services, openDocument, storeKey } from '../services';

/**
 * Keeps provenance across reloads, renames and outside changes (the VS Code side of
 * src/core/persistence). Where state lives:
 * - a file in a git repository: `<git dir>/ai-provenance/state.json` of that repository (per
 *   working tree; several repositories in one workspace each have their own), keyed by the
 *   repository-relative path;
 * - any other file: `<workspace storage>/provenance/state.json` (global storage without a
 *   workspace), keyed by absolute path.
 * When: 1 s after the last provenance change (debounced), when a document closes, and
 * synchronously on deactivation. Restored when a document opens: exactly when its text is the one
 * saved (same SHA-256), else re-anchored, text new since then marked `unknown`.
 * Outside changes: a closed file changed on disk is re-anchored at once (new text `unknown`); a
 * state.json written by someone else (the `ai-provenance checkpoint` command) is merged into open
 * documents whose text it describes, its agent ranges winning over `unknown` marks.
 * Discarded changes: for every open document the provenance of its text as last saved or loaded
 * is kept; when unsaved changes are thrown away (Revert File, or closing with "Don't Save", which
 * reverts first) and the document is back to exactly that text, exactly that provenance comes
 * back, in memory and in state.json, instead of marking the reloaded text `unknown`.
 */

const FLUSH_DELAY_MS = 1000;
const FLUSH_MAX_WAIT_MS = 10_000;
const DISK_CHANGE_DELAY_MS = 750;
/** After a change leaves a document clean (a reload from disk), its provenance is the new saved state. */
const CLEAN_SETTLE_MS = 300;

/** The provenance of an open document's text as last saved to or loaded from disk. */
interface SavedBaseline {
  readonly document: vscode.TextDocument;
  /** Document version it was taken at. */
  version: number;
  readonly length: number;
  readonly hash: string;
  /** The provenance of the text on disk; read it with `baselineRuns`, which copies it from `live` first. */
  runs: AnchoredRun[];
  /**
   * While set, the provenance of the text on disk is what this document provenance holds now: it
   * is copied into `runs` only before a change that would no longer be the text on disk's (see
   * `followBaseline`), so marks made on a clean document cost no copy each.
   */
  live?: { readonly doc: DocumentProvenance; readonly hook: () => void };
}

/** The runs of a baseline, copied from the provenance it follows if it still does (it no longer does after). */
function baselineRuns(b: SavedBaseline): AnchoredRun[] {
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

interface Location {
  readonly dir: StateDir;
  readonly kind: 'repo' | 'storage';
  /** Last state read or written, to tell what someone else changed. */
  cache?: PersistedState;
  /** mtime of state.json when `cache` was read. */
  mtime?: number;
  /**
   * The state as of our last write or last merge of others' writes: what differs from it on disk
   * was written by someone else since (an agent checkpoint) and must be merged, not overwritten.
   */
  seen?: PersistedState;
  watcher?: vscode.Disposable;
}

interface Resolved {
  readonly loc: Location;
  readonly rel: string;
}

type Log = Services['log'];

export class Persistence implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly locations = new Map<string, Location>();
  private readonly resolving = new Map<string, Promise<Resolved | undefined>>();
  private readonly resolved = new Map<string, Resolved | undefined>();
  private readonly dirty = new Set<string>();
  /** Entries to delete (renamed or deleted files): state dir -> relative paths. */
  private readonly removals = new Map<Location, Set<string>>();
  /** Keys whose store change events are our own restores. */
  private readonly restoring = new Set<string>();
  /** Open documents waiting for their text to match a state entry written by someone else. */
  private readonly pendingIngest = new Map<string, { r: Resolved; since: number }>();
  private readonly diskTimers = new Map<string, NodeJS.Timeout>();
  private readonly stateTimers = new Map<Location, NodeJS.Timeout>();
  private readonly notTrackedLogged = new Set<string>();
  /** Open documents whose saved provenance has been looked at (only those are saved back). */
  private readonly restored = new Set<string>();
  /** Open documents: the provenance of their text on disk (see "Discarded changes" above). */
  private readonly baselines = new Map<string, SavedBaseline>();
  /** The baseline following each document provenance, if any (see `followBaseline`). */
  private readonly followers = new WeakMap<DocumentProvenance, SavedBaseline>();
  /** Documents changed while they had a baseline: checked for a discard once listeners have run. */
  private readonly discardChecks = new Map<string, vscode.TextDocument>();
  private readonly cleanTimers = new Map<string, NodeJS.Timeout>();
  /** Restores of the documents open at start. */
  readonly initial: Promise<void>;
  private flushTimer: NodeJS.Timeout | undefined;
  private firstScheduledAt = 0;
  private flushing: Promise<void> | undefined;
  private disposed = false;
  readonly writer = `extension:${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  private readonly locator: RepoLocator;

  private readonly log: Log;

  constructor(private readonly services: Services) {
    this.log = safeLog(services.log);
    const log = this.log;
    this.locator = new RepoLocator(vscode.workspace.isTrusted ? (args, cwd) => gitText(args, { cwd, timeout: 15_000 }) : undefined, log);
    if (!vscode.workspace.isTrusted) log.info('workspace not trusted: git is not run; repositories are located by reading .git');

    this.disposables.push(
      services.store.onDidChange((key) => this.onStoreChange(key)),
      vscode.workspace.onDidOpenTextDocument((d) => void this.guard(`restore ${d.uri.fsPath}`, () => this.restore(d))),
      vscode.workspace.onDidCloseTextDocument((d) => this.onClose(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onDocumentChange(e)),
      vscode.workspace.onDidSaveTextDocument((d) => this.takeBaseline(d)),
      vscode.workspace.onDidRenameFiles((e) => void this.guard('rename', () => this.onRename(e.files))),
      vscode.workspace.onDidDeleteFiles((e) => void this.guard('delete', () => this.onDelete(e.files))),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.locator.clear()),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*', false, false, true);
    this.disposables.push(watcher, watcher.onDidChange((u) => this.onDiskChange(u)), watcher.onDidCreate((u) => this.onDiskChange(u)));
    this.initial = Promise.all(vscode.workspace.textDocuments.map((d) => this.guard(`restore ${d.uri.fsPath}`, () => this.restore(d)))).then(() => undefined);
  }

  // ---- restore -------------------------------------------------------------------------------

  /** Restores the saved provenance of an open document (no-op when there is none). */
  async restore(document: vscode.TextDocument): Promise<void> {
    if (document.uri.scheme !== 'file' || this.disposed) return;
    const key = storeKey(document.uri);
    try {
      await this.restoreUnguarded(document, key);
    } finally {
      this.restored.add(key);
      if (!document.isClosed && !document.isDirty) this.takeBaseline(document);
    }
  }

  private async restoreUnguarded(document: vscode.TextDocument, key: string): Promise<void> {
    const why = this.whyNotTracked(document);
    // The text as opened: the saved provenance is placed in it (and carried onto edits made while
    // it is read); when it is the text on disk it is the baseline for discarded changes.
    const version = document.version;
    const text = why ? '' : document.getText();
    if (!why && !document.isDirty) this.setBaseline(document, version, text);
    const r = await this.resolve(document.uri);
    if (!r) return;
    const state = this.stateOf(r.loc);
    const entry = state.files[r.rel];
    if (!entry) return;
    if (why) {
      if (!this.notTrackedLogged.has(key)) this.log.info(`saved provenance of ${document.uri.fsPath} not restored: ${why}`);
      this.notTrackedLogged.add(key);
      return;
    }
    const origins = this.services.store.origins;
    const restored = restoreEntry({
      entry,
      stateOrigins: state.origins,
      text,
      intern: (o) => origins.intern(o),
      oldText: (h) => r.loc.dir.readText(h),
      insertedOrigin: origins.intern(unknownOrigin()),
    });
    const b = this.baselines.get(key);
    if (b && b.version === version) {
      const runs = baselineRuns(b);
      b.runs = runs.length ? overlayRuns(runs, restored.runs, text.length, (_i, base) => base === NO_ORIGIN) : restored.runs;
    }
    this.apply(document, restored.runs, text, version, (base) => base === NO_ORIGIN);
    if (restored.how === 'exact') {
      this.log.info(`restored ${restored.runs.length} range(s) of ${document.uri.fsPath}${restored.lost ? ` (${restored.lost} characters no longer matched)` : ''}`);
    } else {
      const s = restored.stats!;
      this.log.info(
        `${document.uri.fsPath} changed since its provenance was saved; re-anchored (${restored.how === 'reanchored' ? 'diff' : 'search, old text not kept'}): ` +
          `${s.kept} characters kept, ${s.moved} moved, ${s.lost} lost, ${s.inserted} new characters marked unknown`,
      );
      this.markDirty(key);
    }
  }

  /**
   * Lays `runs` (computed for `text` at `version`) over the document's current provenance: where
   * `wins(baseOrigin)` says so the saved run takes the character.
   */
  private apply(document: vscode.TextDocument, runs: AnchoredRun[], text: string, version: number, wins: (base: number) => boolean): void {
    const key = storeKey(document.uri);
    const current = document.version === version ? text : document.getText();
    const carried = current === text ? runs : reanchor(text, runs, current).runs;
    const existing = this.services.store.get(key);
    const base = existing && existing.rope.length === current.length ? existing.rope.taggedRuns() : [];
    const merged = base.length ? overlayRuns(base, carried, current.length, (_i, b) => wins(b)) : carried;
    this.putRestored(key, merged, current.length);
  }

  /** Puts restored runs in the store; the store event it fires is not a change to save. */
  private putRestored(key: string, runs: readonly AnchoredRun[], length: number): void {
    this.restoring.add(key);
    try {
      this.services.store.set(key, ropeFromAnchored(runs, length));
    } finally {
      this.restoring.delete(key);
    }
  }

  private isUnknown(id: number): boolean {
    return this.services.store.origins.get(id)?.kind === 'unknown';
  }

  // ---- changes -------------------------------------------------------------------------------

  private onStoreChange(key: string): void {
    const b = this.baselines.get(key);
    // Marks changed on a clean document without a text change (a manual mark, a merged checkpoint):
    // still the provenance of the text on disk.
    if (b && !b.document.isDirty && b.document.version === b.version) {
      const doc = this.services.store.get(key);
      if (doc && doc.rope.length === b.length) this.followBaseline(key, b, doc);
    }
    if (this.restoring.has(key) || this.disposed) return;
    this.markDirty(key);
  }

  // ---- discarded changes ---------------------------------------------------------------------

  /** Records the document's current provenance as that of its text on disk (it is clean). */
  private takeBaseline(document: vscode.TextDocument): void {
    const key = storeKey(document.uri);
    if (document.uri.scheme !== 'file' || this.disposed) return;
    if (document.isDirty || this.whyNotTracked(document)) {
      this.baselines.delete(key);
      return;
    }
    this.setBaseline(document, document.version, document.getText());
  }

  private setBaseline(document: vscode.TextDocument, version: number, text: string): void {
    const key = storeKey(document.uri);
    const old = this.baselines.get(key);
    if (old) unfollow(old); // replaced: nobody reads it any more
    // Copied now (on open and save, not while typing).
    const doc = this.services.store.get(key);
    const runs = doc && doc.rope.length === text.length ? doc.rope.taggedRuns() : [];
    this.baselines.set(key, { document, version, length: text.length, hash: sha256(text), runs });
  }

  /**
   * Makes `doc`'s provenance, as it is now and as marks change it while the document stays clean,
   * the provenance of the text on disk, without copying it at each mark: it is copied once the
   * marks of this turn of the event loop are made (a timer), or, if a change comes first, just
   * before the first change that is no longer the text on disk's (a text change, a mark after the
   * document changed, a baseline that is no longer current). Marking N ranges one by one on a
   * saved document is then O(N), not N copies of O(N) runs, and the copy is not made on a keystroke.
   */
  private followBaseline(key: string, b: SavedBaseline, doc: DocumentProvenance): void {
    if (b.live?.doc === doc) return;
    if (b.live) baselineRuns(b);
    const hook = (): void => {
      const current = this.baselines.get(key) === b && !b.document.isDirty && b.document.version === b.version && this.services.store.get(key) === doc;
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
   * After a change: when it left the document clean with exactly the text of its baseline, the
   * unsaved changes were discarded (a revert reloads the file from disk); the baseline's
   * provenance replaces what capture made of the reload.
   */
  private checkDiscarded(document: vscode.TextDocument): void {
    const key = storeKey(document.uri);
    this.discardChecks.delete(key);
    const b = this.baselines.get(key);
    if (!b || this.disposed || document.isDirty || document.version === b.version) return;
    const text = document.getText();
    if (text.length !== b.length || sha256(text) !== b.hash) return;
    b.version = document.version;
    // Replaced even when the runs look the same: the reload detector then leaves the text alone.
    const runs = baselineRuns(b);
    this.putRestored(key, runs, text.length);
    this.log.info(`unsaved changes to ${document.uri.fsPath} were discarded; its provenance is that of the saved text again (${runs.length} range(s))`);
    this.markDirty(key);
  }

  /** Runs the discard checks still waiting (every listener has seen their change by now). */
  private runDiscardChecks(): void {
    for (const document of [...this.discardChecks.values()]) this.checkDiscarded(document);
  }

  /** A change left a clean document: once settled, that is its text on disk (a reload). */
  private scheduleCleanCheck(document: vscode.TextDocument): void {
    const key = storeKey(document.uri);
    const old = this.cleanTimers.get(key);
    if (old) clearTimeout(old);
    const version = document.version;
    this.cleanTimers.set(
      key,
      setTimeout(() => {
        this.cleanTimers.delete(key);
        const b = this.baselines.get(key);
        if (document.isClosed || document.isDirty || document.version !== version || (b && b.version === version)) return;
        this.takeBaseline(document);
      }, CLEAN_SETTLE_MS),
    );
  }

  private markDirty(key: string): void {
    if (!key.startsWith('file:')) return;
    this.dirty.add(key);
    void this.resolve(vscode.Uri.parse(key)); // so that a synchronous flush can place it
    this.scheduleFlush();
  }

  private scheduleFlush(delay = FLUSH_DELAY_MS): void {
    if (this.disposed) return;
    const now = Date.now();
    if (this.flushTimer) {
      // Debounced, but continuous typing does not postpone a save for more than FLUSH_MAX_WAIT_MS.
      if (now - this.firstScheduledAt >= FLUSH_MAX_WAIT_MS - delay) return;
      clearTimeout(this.flushTimer);
    } else this.firstScheduledAt = now;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.guard('save provenance', () => this.flush());
    }, delay);
  }

  private onClose(document: vscode.TextDocument): void {
    const key = storeKey(document.uri);
    this.pendingIngest.delete(key);
    this.notTrackedLogged.delete(key);
    if (this.discardChecks.has(key)) this.checkDiscarded(document); // reverted and closed at once
    const baseline = this.baselines.get(key);
    if (baseline) baselineRuns(baseline);
    this.baselines.delete(key);
    const timer = this.cleanTimers.get(key);
    if (timer) clearTimeout(timer), this.cleanTimers.delete(key);
    if (document.isDirty && document.uri.scheme === 'file') {
      // Closed with unsaved changes: discarded, unless it reopens at once (language change).
      // The saved provenance may describe the discarded text; go back to the disk text's.
      this.dirty.delete(key);
      const uri = document.uri;
      setTimeout(() => void this.guard(`after discarding ${uri.fsPath}`, () => this.rebaseOnDisk(uri, baseline)), 1500);
      return;
    }
    // Closed documents keep their place in `restored` while the store still holds them.
    if (this.dirty.has(key)) this.scheduleFlush(0);
  }

  private onDocumentChange(e: vscode.TextDocumentChangeEvent): void {
    const key = storeKey(e.document.uri);
    if (e.contentChanges.length && this.baselines.has(key)) {
      if (e.reason === undefined && !this.discardChecks.has(key)) {
        this.discardChecks.set(key, e.document);
        // After every listener (capture included) has seen this change.
        setTimeout(() => {
          if (this.discardChecks.get(key) === e.document) void this.guard('discarded changes', () => this.checkDiscarded(e.document));
        }, 0);
      }
      // Clean before the change (the dirty flag lags the event): possibly a reload from disk.
      if (!e.document.isDirty) this.scheduleCleanCheck(e.document);
    }
    const pending = this.pendingIngest.get(key);
    if (!pending || e.contentChanges.length === 0) return;
    // After every listener (capture included) has seen this change.
    setTimeout(() => void this.guard('merge checkpoint', async () => this.ingest(e.document, pending.r)), 0);
  }

  // ---- flush ---------------------------------------------------------------------------------

  /** Writes every changed document's provenance now. */
  async flush(): Promise<void> {
    this.runDiscardChecks();
    while (this.flushing) await this.flushing;
    if (this.dirty.size === 0 && this.removals.size === 0) return;
    this.flushing = this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    const byLoc = new Map<Location, { key: string; rel: string }[]>();
    for (const key of keys) {
      const r = await this.resolve(vscode.Uri.parse(key));
      if (!r) continue;
      const list = byLoc.get(r.loc) ?? [];
      list.push({ key, rel: r.rel });
      byLoc.set(r.loc, list);
    }
    for (const loc of this.removals.keys()) if (!byLoc.has(loc)) byLoc.set(loc, []);
    for (const [loc, items] of byLoc) {
      try {
        await this.writeLocation(loc, items, false);
      } catch (e) {
        for (const it of items) this.dirty.add(it.key);
        this.log.error(`could not save provenance to ${loc.dir.statePath}: ${(e as Error).message}; will retry`);
        this.scheduleFlush(5000);
      }
    }
  }

  /** Synchronous best effort (deactivation): writes what can be placed without waiting. */
  flushSync(): void {
    this.runDiscardChecks();
    const byLoc = new Map<Location, { key: string; rel: string }[]>();
    for (const key of this.dirty) {
      const r = this.resolved.get(key);
      if (!r) continue;
      const list = byLoc.get(r.loc) ?? [];
      list.push({ key, rel: r.rel });
      byLoc.set(r.loc, list);
    }
    for (const loc of this.removals.keys()) if (!byLoc.has(loc)) byLoc.set(loc, []);
    for (const [loc, items] of byLoc) {
      try {
        this.writeLocation(loc, items, true);
        for (const it of items) this.dirty.delete(it.key);
      } catch (e) {
        this.log.error(`could not save provenance to ${loc.dir.statePath} on shutdown: ${(e as Error).message}`);
      }
    }
  }

  private writeLocation(loc: Location, items: { key: string; rel: string }[], sync: boolean): Promise<void> | void {
    const origins = this.services.store.origins;
    const removals = this.removals.get(loc);
    this.removals.delete(loc);
    interface Item {
      key: string;
      rel: string;
      text: string;
      runs: AnchoredRun[];
      /** Version of the open document `text` was read from. */
      version?: number;
    }
    const ready: Item[] = [];
    for (const { key, rel } of items) {
      const doc = this.services.store.get(key);
      if (!doc) continue; // dropped from memory: keep what is saved
      const document = openDocument(key);
      let text: string | undefined;
      if (document) {
        if (!this.restored.has(key)) {
          this.dirty.add(key); // its saved provenance is still being restored: save it after
          continue;
        }
        const pending = this.pendingIngest.get(key);
        if (pending && Date.now() - pending.since < 30_000) {
          // Someone else saved provenance for the text on disk, which the editor has not loaded
          // yet: do not overwrite it; merge when the reload arrives.
          this.dirty.add(key);
          continue;
        }
        if (this.whyNotTracked(document)) continue;
        text = document.getText();
      } else {
        text = readFileText(vscode.Uri.parse(key).fsPath, undefined);
      }
      if (text === undefined) continue;
      const runs = doc.rope.taggedRuns();
      if (doc.rope.length !== text.length || runs.some((r) => !text!.startsWith(r.text, r.start))) {
        this.log.warn(`provenance of ${key} does not match its text; not saved`);
        continue;
      }
      ready.push({ key, rel, text, runs, version: document?.version });
    }
    const merges: { key: string; runs: AnchoredRun[]; text: string; version?: number }[] = [];
    const update = (current: PersistedState) => {
      const table = OriginTableFrom(current);
      const changes: Record<string, PersistedFile | undefined> = {};
      const texts = new Map<string, string>();
      for (const rel of removals ?? []) changes[rel] = undefined;
      for (const it of ready) {
        let runs = it.runs;
        const disk = current.files[it.rel];
        const seen = loc.seen?.files[it.rel];
        const hash = sha256(it.text);
        if (disk && (!seen || seen.updatedAt !== disk.updatedAt || seen.sha256 !== disk.sha256) && disk.sha256 === hash) {
          // Someone else (an agent checkpoint) wrote this text's provenance meanwhile: merge it.
          const incoming = runsFromEntry(disk, current.origins, (o) => origins.intern(o));
          runs = overlayRuns(runs, incoming, it.text.length, (_i, b) => b === NO_ORIGIN || this.isUnknown(b));
          merges.push({ key: it.key, runs, text: it.text, version: it.version });
        }
        changes[it.rel] = entryFromRuns(it.text, runs, (id) => origins.get(id), table);
        if (runs.length) texts.set(hash, it.text);
      }
      if (Object.keys(changes).length === 0) return undefined;
      return { state: withFiles(current, changes, table.toJSON()), texts };
    };
    const done = (state: PersistedState) => {
      this.remember(loc, state);
      for (const m of merges) {
        const document = openDocument(m.key);
        if (document && m.version !== undefined) this.apply(document, m.runs, m.text, m.version, () => true);
      }
    };
    if (sync) done(loc.dir.updateSync(update));
    else return loc.dir.update(update).then(done);
  }

  // ---- outside changes -----------------------------------------------------------------------

  private onDiskChange(uri: vscode.Uri): void {
    if (uri.scheme !== 'file' || this.disposed) return;
    if (uri.fsPath.split(/[\\/]/).includes('.git')) return;
    const key = storeKey(uri);
    if (openDocument(key)) return; // open: capture sees the reload
    const old = this.diskTimers.get(key);
    if (old) clearTimeout(old);
    this.diskTimers.set(
      key,
      setTimeout(() => {
        this.diskTimers.delete(key);
        void this.guard(`re-anchor ${uri.fsPath}`, () => this.onClosedFileChanged(uri));
      }, DISK_CHANGE_DELAY_MS),
    );
  }

  /** A closed file with saved provenance changed on disk: re-anchor now, new text `unknown`. */
  async onClosedFileChanged(uri: vscode.Uri): Promise<void> {
    const key = storeKey(uri);
    if (openDocument(key)) return;
    // Not cached per file: a build can change thousands of files we know nothing about.
    const r = this.resolved.get(key) ?? (await this.resolveUncached(uri));
    if (!r || !this.stateOf(r.loc).files[r.rel]) return;
    const read = readFileChecked(uri.fsPath, this.maxFileSizeMB());
    if (read.absent) return; // deleted: the entry stays in case it comes back (branch switch)
    const origins = this.services.store.origins;
    let message = '';
    let newRuns: AnchoredRun[] | undefined;
    const state = await r.loc.dir.update((current) => {
      const entry = current.files[r.rel];
      if (!entry) return undefined;
      if (read.skipped) {
        message = `${uri.fsPath} is no longer tracked (${read.skipped}); its saved provenance was dropped`;
        return { state: withFiles(current, { [r.rel]: undefined }) };
      }
      const text = read.text!;
      const hash = sha256(text);
      if (entry.sha256 === hash) return undefined; // unchanged, or a checkpoint recorded it already
      const restored = restoreEntry({
        entry,
        stateOrigins: current.origins,
        text,
        textHash: hash,
        intern: (o) => origins.intern(o),
        oldText: (h) => r.loc.dir.readText(h),
        insertedOrigin: origins.intern(unknownOrigin()),
      });
      const s = restored.stats!;
      message = `${uri.fsPath} changed on disk while closed; re-anchored: ${s.kept} characters kept, ${s.moved} moved, ${s.lost} lost, ${s.inserted} new characters marked unknown`;
      newRuns = restored.runs;
      const table = OriginTableFrom(current);
      return { state: withFiles(current, { [r.rel]: entryFromRuns(text, restored.runs, (id) => origins.get(id), table) }, table.toJSON()), texts: new Map([[hash, text]]) };
    });
    this.remember(r.loc, state);
    if (message) this.log.info(message);
    if (newRuns && this.services.store.get(key) && read.text !== undefined) {
      this.putRestored(key, newRuns, read.text.length);
    }
  }

  /**
   * After unsaved changes were discarded: the saved entry follows the disk text. With the
   * baseline of that very text its provenance comes back exactly; otherwise the entry is
   * re-anchored, nothing new is `unknown`.
   */
  async rebaseOnDisk(uri: vscode.Uri, baseline?: SavedBaseline): Promise<void> {
    const key = storeKey(uri);
    if (this.disposed || openDocument(key)) return;
    this.dirty.delete(key);
    const r = await this.resolve(uri);
    if (!r) return;
    const read = readFileChecked(uri.fsPath, this.maxFileSizeMB());
    if (read.text === undefined) return;
    const text = read.text;
    const hash = sha256(text);
    const exact = baseline && baseline.hash === hash ? baselineRuns(baseline) : undefined;
    if (!exact && !this.stateOf(r.loc).files[r.rel]) return;
    const origins = this.services.store.origins;
    let runs: AnchoredRun[] | undefined;
    const state = await r.loc.dir.update((current) => {
      const entry = current.files[r.rel];
      if (exact) {
        if (!entry && exact.length === 0) return undefined;
        runs = exact;
      } else {
        if (!entry || entry.sha256 === hash) return undefined;
        runs = restoreEntry({ entry, stateOrigins: current.origins, text, textHash: hash, intern: (o) => origins.intern(o), oldText: (h) => r.loc.dir.readText(h) }).runs;
      }
      const table = OriginTableFrom(current);
      return { state: withFiles(current, { [r.rel]: entryFromRuns(text, runs!, (id) => origins.get(id), table) }, table.toJSON()), texts: new Map([[hash, text]]) };
    });
    this.remember(r.loc, state);
    if (runs && this.services.store.get(key)) {
      this.putRestored(key, runs, text.length);
    }
  }

  private watchState(loc: Location): void {
    if (loc.watcher || loc.kind !== 'repo') return;
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(loc.dir.dir), 'state.json'));
    const fire = () => {
      const old = this.stateTimers.get(loc);
      if (old) clearTimeout(old);
      this.stateTimers.set(
        loc,
        setTimeout(() => {
          this.stateTimers.delete(loc);
          void this.guard('read state written elsewhere', () => this.onStateFileChanged(loc));
        }, 200),
      );
    };
    loc.watcher = vscode.Disposable.from(w, w.onDidChange(fire), w.onDidCreate(fire));
  }

  /** state.json changed: when someone else wrote it, merge what is new into open documents. */
  async onStateFileChanged(loc: Location): Promise<void> {
    const previous = loc.seen;
    const state = loc.dir.read();
    if (state.writer === this.writer && previous && state.writtenAt === previous.writtenAt) return;
    this.remember(loc, state);
    for (const document of vscode.workspace.textDocuments) {
      const r = this.resolved.get(storeKey(document.uri));
      if (!r || r.loc !== loc) continue;
      const entry = state.files[r.rel];
      const before = previous?.files[r.rel];
      if (!entry || (before && before.sha256 === entry.sha256 && before.updatedAt === entry.updatedAt)) continue;
      await this.ingest(document, r);
    }
  }

  /** Merges the saved entry of an open document when it describes the document's text. */
  private async ingest(document: vscode.TextDocument, r: Resolved): Promise<void> {
    const key = storeKey(document.uri);
    const state = this.stateOf(r.loc);
    const entry = state.files[r.rel];
    if (!entry) {
      this.pendingIngest.delete(key);
      return;
    }
    const text = document.getText();
    if (sha256(text) !== entry.sha256) {
      if (!this.pendingIngest.has(key)) this.pendingIngest.set(key, { r, since: Date.now() }); // the editor has not reloaded the file yet
      return;
    }
    this.pendingIngest.delete(key);
    const runs = runsFromEntry(entry, state.origins, (o) => this.services.store.origins.intern(o));
    this.apply(document, runs, text, document.version, (b) => b === NO_ORIGIN || this.isUnknown(b));
    this.log.info(`merged provenance recorded by ${state.writer ?? 'another writer'} into ${document.uri.fsPath}`);
    this.markDirty(key);
  }

  // ---- renames and deletions -----------------------------------------------------------------

  private async onRename(files: readonly { oldUri: vscode.Uri; newUri: vscode.Uri }[]): Promise<void> {
    for (const { oldUri, newUri } of files) {
      const oldKey = storeKey(oldUri);
      const newKey = storeKey(newUri);
      for (const key of this.services.store.keys()) {
        if (key === oldKey) this.services.store.rename(key, newKey);
        else if (key.startsWith(`${oldKey}/`)) this.services.store.rename(key, newKey + key.slice(oldKey.length));
      }
      for (const key of [...this.resolved.keys()]) if (key === oldKey || key.startsWith(`${oldKey}/`)) this.resolved.delete(key), this.resolving.delete(key);
      await this.moveEntries(oldUri, newUri);
      this.log.info(`provenance follows ${oldUri.fsPath} -> ${newUri.fsPath}`);
    }
    await this.flush();
  }

  /** Moves saved entries of a renamed file or folder (possibly into another repository). */
  private async moveEntries(oldUri: vscode.Uri, newUri: vscode.Uri): Promise<void> {
    if (oldUri.scheme !== 'file' || newUri.scheme !== 'file') return;
    const from = await this.resolve(oldUri);
    const to = await this.resolve(newUri);
    if (!from) return;
    const fromState = from.loc.dir.read();
    const moved: { rel: string; entry: PersistedFile; text?: string }[] = [];
    for (const [rel, entry] of Object.entries(fromState.files)) {
      if (rel === from.rel || rel.startsWith(`${from.rel}/`)) {
        const target = to ? to.rel + rel.slice(from.rel.length) : undefined;
        if (target) moved.push({ rel: target, entry, text: from.loc.dir.readText(entry.sha256) });
      }
    }
    const oldRels = Object.keys(fromState.files).filter((rel) => rel === from.rel || rel.startsWith(`${from.rel}/`));
    if (oldRels.length === 0) return;
    if (to && moved.length) {
      const written = await to.loc.dir.update((current) => {
        const table = OriginTableFrom(current);
        const changes: Record<string, PersistedFile | undefined> = {};
        const texts = new Map<string, string>();
        for (const m of moved) {
          changes[m.rel] = { ...m.entry, runs: m.entry.runs.map((run) => ({ ...run, origin: table.intern(fromState.origins[run.origin - 1]) })) };
          if (m.text !== undefined) texts.set(m.entry.sha256, m.text);
        }
        if (to.loc === from.loc) for (const rel of oldRels) if (!(rel in changes)) changes[rel] = undefined;
        return { state: withFiles(current, changes, table.toJSON()), texts };
      });
      this.remember(to.loc, written);
    }
    if (!to || to.loc !== from.loc) {
      const written = await from.loc.dir.update((current) => {
        const changes: Record<string, PersistedFile | undefined> = {};
        for (const rel of oldRels) changes[rel] = undefined;
        return { state: withFiles(current, changes) };
      });
      this.remember(from.loc, written);
    }
  }

  private async onDelete(files: readonly vscode.Uri[]): Promise<void> {
    for (const uri of files) {
      const r = await this.resolve(uri);
      if (!r) continue;
      const rels = Object.keys(this.stateOf(r.loc).files).filter((rel) => rel === r.rel || rel.startsWith(`${r.rel}/`));
      if (rels.length === 0) continue;
      const set = this.removals.get(r.loc) ?? new Set<string>();
      for (const rel of rels) set.add(rel);
      this.removals.set(r.loc, set);
    }
    if (this.removals.size) this.scheduleFlush(0);
  }

  // ---- places --------------------------------------------------------------------------------

  /** Where the provenance of `uri` is saved; undefined for files we do not persist. */
  resolve(uri: vscode.Uri): Promise<Resolved | undefined> {
    const key = storeKey(uri);
    let p = this.resolving.get(key);
    if (!p) {
      p = this.resolveUncached(uri).then(
        (r) => {
          this.resolved.set(key, r);
          return r;
        },
        (e) => {
          this.log.warn(`cannot place provenance of ${uri.fsPath}: ${(e as Error).message}`);
          this.resolving.delete(key);
          return undefined;
        },
      );
      this.resolving.set(key, p);
    }
    return p;
  }

  private async resolveUncached(uri: vscode.Uri): Promise<Resolved | undefined> {
    if (uri.scheme !== 'file') return undefined;
    const file = uri.fsPath;
    const repo = await this.locator.locate(file);
    if (repo) {
      const rel = repoRelative(repo.root, file);
      if (!rel || rel === '.git' || rel.startsWith('.git/')) return undefined;
      return { loc: this.location(repoStateDir(repo), 'repo'), rel };
    }
    const base = this.services.context.storageUri ?? this.services.context.globalStorageUri;
    if (!base || base.scheme !== 'file') return undefined;
    return { loc: this.location(path.join(base.fsPath, 'provenance'), 'storage'), rel: file.split(path.sep).join('/') };
  }

  private location(dir: string, kind: Location['kind']): Location {
    let loc = this.locations.get(dir);
    if (!loc) {
      loc = { dir: new StateDir(dir, this.log, this.writer), kind };
      this.locations.set(dir, loc);
      this.watchState(loc);
    }
    return loc;
  }

  /** The location's state, read again when state.json changed on disk since it was last read. */
  private stateOf(loc: Location): PersistedState {
    let mtime = 0;
    try {
      mtime = fs.statSync(loc.dir.statePath).mtimeMs;
    } catch {
      /* none yet */
    }
    if (!loc.cache || mtime !== loc.mtime) {
      loc.cache = loc.dir.read();
      loc.mtime = mtime;
      if (!loc.seen) loc.seen = loc.cache;
    }
    return loc.cache;
  }

  /** `state` is what we wrote, or have merged: the base for telling others' writes apart. */
  private remember(loc: Location, state: PersistedState): void {
    loc.cache = state;
    loc.seen = state;
    try {
      loc.mtime = fs.statSync(loc.dir.statePath).mtimeMs;
    } catch {
      loc.mtime = 0;
    }
  }

  private maxFileSizeMB(): number | undefined {
    return vscode.workspace.getConfiguration('aiProvenance').get<number>('maxFileSizeMB');
  }

  private whyNotTracked(document: vscode.TextDocument): string | undefined {
    const last = document.lineAt(document.lineCount - 1).range.end;
    const size = document.offsetAt(last);
    const head = document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(Math.min(size, 8000))));
    return shouldTrack({ scheme: document.uri.scheme, size, head, maxFileSizeMB: this.maxFileSizeMB() }).reason;
  }

  /** Runs `fn`; errors are logged, never thrown into VS Code. */
  private async guard(what: string, fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.log.error(`persistence (${what}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const t of this.diskTimers.values()) clearTimeout(t);
    for (const t of this.stateTimers.values()) clearTimeout(t);
    for (const t of this.cleanTimers.values()) clearTimeout(t);
    try {
      this.flushSync();
    } catch (e) {
      this.log.error(`persistence (shutdown): ${(e as Error).message}`);
    }
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    for (const loc of this.locations.values()) loc.watcher?.dispose();
  }
}

function OriginTableFrom(state: PersistedState): OriginTable {
  return OriginTable.fromJSON(state.origins);
}

/** The log, made safe to call after the channel is disposed (deactivation order is not ours). */
function safeLog(log: Log): Log {
  const wrap =
    (fn: (m: string) => void) =>
    (m: string): void => {
      try {
        fn.call(log, m);
      } catch {
        /* channel closed */
      }
    };
  return { ...log, info: wrap(log.info), warn: wrap(log.warn), error: wrap(log.error), trace: wrap(log.trace) } as Log;
}

/** A file's text for persistence: undefined when absent, unreadable, binary or too large. */
function readFileText(file: string, maxFileSizeMB: number | undefined): string | undefined {
  return readFileChecked(file, maxFileSizeMB).text;
}

function readFileChecked(file: string, maxFileSizeMB: number | undefined): { text?: string; skipped?: string; absent?: boolean } {
  let buf: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { skipped: 'not a regular file' };
    if (st.size > maxTrackedBytes(maxFileSizeMB)) return { skipped: 'larger than aiProvenance.maxFileSizeMB' };
    buf = fs.readFileSync(file);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { absent: true } : { skipped: `unreadable (${(e as Error).message})` };
  }
  if (looksBinary(buf)) return { skipped: 'a binary file' };
  let text = buf.toString('utf8');
  if (text.includes('\ufffd')) return { skipped: 'not valid UTF-8' };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

/**
 * Starts persistence for the extension. Also registers the internal commands the in-host tests
 * use: `aiProvenance.internal.flushProvenance` (write now),
 * `aiProvenance.internal.provenanceLocation` (where a file's provenance is saved) and
 * `aiProvenance.internal.reloadPersistence` (simulates a window reload: saves synchronously as on
 * deactivation, forgets the provenance of open documents, and restores it from disk).
 */
export function registerPersistence(services: Services): vscode.Disposable {
  let current: Persistence | undefined;
  const start = () => {
    try {
      current = new Persistence(services);
    } catch (e) {
      current = undefined;
      services.log.error(`persistence could not start: ${(e as Error).message}; provenance will not be saved this session`);
    }
  };
  start();
  const commands = [
    vscode.commands.registerCommand('aiProvenance.internal.flushProvenance', async () => {
      await current?.flush();
      return true;
    }),
    vscode.commands.registerCommand('aiProvenance.internal.provenanceLocation', async (uri: vscode.Uri) => {
      const r = await current?.resolve(uri);
      return r ? { statePath: r.loc.dir.statePath, key: r.rel, kind: r.loc.kind } : undefined;
    }),
    vscode.commands.registerCommand('aiProvenance.internal.reloadPersistence', async () => {
      current?.dispose();
      for (const d of vscode.workspace.textDocuments) {
        const key = storeKey(d.uri);
        // Only files are saved; other documents keep their marks.
        if (d.uri.scheme === 'file' && services.store.get(key)) services.store.set(key, ropeFromAnchored([], d.getText().length));
      }
      start();
      await current?.initial;
      return true;
    }),
  ];
  return new vscode.Disposable(() => {
    for (const c of commands) c.dispose();
    current?.dispose();
  });
}
