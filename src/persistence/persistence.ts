import * as vscode from 'vscode';
import { restoreEntry } from '../core/persistence/entries';
import { shouldTrack } from '../core/persistence/tracking';
import { NO_ORIGIN } from '../core/provenance/originTable';
import { ProvenanceStore, StoreChange } from '../core/provenance/provenanceStore';
import { unknownOrigin } from '../core/reanchor/external';
import { overlayRuns, ropeFromAnchored } from '../core/reanchor/merge';
import { AnchoredRun, reanchor } from '../core/reanchor/reanchor';
import { Services, storeKey } from '../services';
import { registerInternalCommands } from './internalCommands';
import { OutsideChanges } from './outsideChanges';
import { ReloadRecall } from './reloadRecall';
import { Renames } from './renames';
import { StateSaver } from './save';
import { SavedBaselines, baselineRuns } from './savedBaselines';
import { Resolved, StateLocations } from './stateLocations';

/**
 * Keeps provenance across reloads, renames and outside changes (the VS Code side of
 * src/core/persistence). This file restores and wires the parts: `stateLocations.ts` (where),
 * `save.ts` (when and what is written), `savedBaselines.ts` (discarded changes),
 * `reloadRecall.ts` (marks given back after a reload from disk), `outsideChanges.ts` and
 * `renames.ts` (changes made outside the editor), `internalCommands.ts`
 * (the commands the in-host tests use). Where state lives:
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
 * documents whose text it describes, its agent ranges winning over `unknown` marks; a save that
 * comes before the editor has reloaded the text such an entry describes leaves the entry alone.
 * Reloads of open files (git stash and pop, a checkout away and back, `git restore`): text the
 * reload brings in that was AI in an earlier text on disk of the document gets its marks back.
 * Renames outside the editor: a file that appears with no saved provenance takes over the entry of
 * a vanished file when git's rename detection pairs them.
 * Discarded changes: for every open document the provenance of its text as last saved or loaded
 * is kept; when unsaved changes are thrown away (Revert File, or closing with "Don't Save", which
 * reverts first) and the document is back to exactly that text, exactly that provenance comes
 * back, in memory and in state.json, instead of marking the reloaded text `unknown`.
 */

type Log = Services['log'];

export class Persistence implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Keys whose store change events are our own restores. */
  private readonly restoring = new Set<string>();
  private readonly notTrackedLogged = new Set<string>();
  /** Open documents whose saved provenance has been looked at (only those are saved back). */
  readonly restored = new Set<string>();
  /** Restores of the documents open at start. */
  readonly initial: Promise<void>;
  private isDisposed = false;
  readonly writer = `extension:${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  readonly log: Log;
  readonly store: ProvenanceStore;
  readonly locations: StateLocations;
  readonly baselines: SavedBaselines;
  readonly saver: StateSaver;
  readonly outside: OutsideChanges;
  readonly renames: Renames;
  /** Earlier texts on disk of open documents, whose marks a reload can give back. */
  readonly recall: ReloadRecall;

  constructor(services: Services) {
    this.log = safeLog(services.log);
    this.store = services.store;
    this.recall = new ReloadRecall(services.store.origins);
    this.outside = new OutsideChanges(this);
    this.locations = new StateLocations(services.context, this.log, this.writer, (loc) => this.outside.watchState(loc));
    this.baselines = new SavedBaselines(this);
    this.saver = new StateSaver(this);
    this.renames = new Renames(this);

    this.disposables.push(
      services.store.onDidChange((key, change) => this.onStoreChange(key, change)),
      vscode.workspace.onDidOpenTextDocument((d) => void this.guard(`restore ${d.uri.fsPath}`, () => this.restore(d))),
      vscode.workspace.onDidCloseTextDocument((d) => this.onClose(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onDirtyReport(e)),
      vscode.workspace.onDidSaveTextDocument((d) => this.onSave(d)),
      vscode.workspace.onDidRenameFiles((e) => void this.guard('rename', () => this.renames.onRename(e.files))),
      vscode.workspace.onDidDeleteFiles((e) => void this.guard('delete', () => this.renames.onDelete(e.files))),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.locations.clearRepositories()),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*', false, false, false);
    this.disposables.push(
      watcher,
      watcher.onDidChange((u) => this.outside.onDiskChange(u)),
      watcher.onDidCreate((u) => this.outside.onDiskChange(u, true)),
      watcher.onDidDelete((u) => this.renames.noteVanished(u)),
    );
    this.initial = Promise.all(vscode.workspace.textDocuments.map((d) => this.guard(`restore ${d.uri.fsPath}`, () => this.restore(d)))).then(() => undefined);
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  // ---- restore -------------------------------------------------------------------------------

  /** Restores the saved provenance of an open document (no-op when there is none). */
  async restore(document: vscode.TextDocument): Promise<void> {
    if (document.uri.scheme !== 'file' || this.isDisposed) return;
    const key = storeKey(document.uri);
    try {
      await this.restoreUnguarded(document, key);
    } finally {
      this.restored.add(key);
      if (!document.isClosed && !document.isDirty) this.baselines.take(document);
    }
  }

  private async restoreUnguarded(document: vscode.TextDocument, key: string): Promise<void> {
    const why = this.whyNotTracked(document);
    // The text as opened: the saved provenance is placed in it (and carried onto edits made while
    // it is read); when it is the text on disk it is the baseline for discarded changes.
    const version = document.version;
    const text = why ? '' : document.getText();
    if (!why && !document.isDirty) this.baselines.set(document, version, text);
    const r = await this.locations.resolve(document.uri);
    if (!r) return;
    let state = this.locations.stateOf(r.loc);
    let entry = state.files[r.rel];
    if (!entry && !why) {
      const adopted = await this.renames.adopt(document.uri, r, text);
      if (adopted) (state = adopted.state), (entry = adopted.entry);
    }
    if (!entry) return;
    if (why) {
      if (!this.notTrackedLogged.has(key)) this.log.info(`saved provenance of ${document.uri.fsPath} not restored: ${why}`);
      this.notTrackedLogged.add(key);
      return;
    }
    const origins = this.store.origins;
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
  apply(document: vscode.TextDocument, runs: AnchoredRun[], text: string, version: number, wins: (base: number) => boolean): void {
    const key = storeKey(document.uri);
    const current = document.version === version ? text : document.getText();
    const carried = current === text ? runs : reanchor(text, runs, current).runs;
    const existing = this.store.get(key);
    const base = existing && existing.rope.length === current.length ? existing.rope.taggedRuns() : [];
    const merged = base.length ? overlayRuns(base, carried, current.length, (_i, b) => wins(b)) : carried;
    this.putRestored(key, merged, current.length);
  }

  /** Puts restored runs in the store; the store event it fires is not a change to save. */
  putRestored(key: string, runs: readonly AnchoredRun[], length: number): void {
    this.restoring.add(key);
    try {
      this.store.set(key, ropeFromAnchored(runs, length));
    } finally {
      this.restoring.delete(key);
    }
  }

  isUnknown(id: number): boolean {
    return this.store.origins.get(id)?.kind === 'unknown';
  }

  // ---- changes -------------------------------------------------------------------------------

  /**
   * Persistence follows the store: every change of provenance is saved; a text change (capture
   * has recorded it by now) is looked at for a discard, a reload from disk or a merge waiting.
   */
  private onStoreChange(key: string, change: StoreChange): void {
    this.baselines.onStoreChange(key);
    if (this.restoring.has(key) || this.isDisposed) return;
    this.markDirty(key);
    if (!change.text) return;
    this.baselines.onTextChange(key, change.undoRedo);
    this.outside.onTextChange(key);
  }

  /** Saves `key`'s provenance soon. */
  markDirty(key: string): void {
    this.saver.markDirty(key);
  }

  private onClose(document: vscode.TextDocument): void {
    const key = storeKey(document.uri);
    this.outside.close(key);
    this.notTrackedLogged.delete(key);
    const baseline = this.baselines.close(document);
    if (document.isDirty && document.uri.scheme === 'file') {
      // Closed with unsaved changes: discarded, unless it reopens at once (language change).
      // The saved provenance may describe the discarded text; go back to the disk text's.
      this.saver.dirty.delete(key);
      const uri = document.uri;
      setTimeout(() => void this.guard(`after discarding ${uri.fsPath}`, () => this.outside.rebaseOnDisk(uri, baseline)), 1500);
      return;
    }
    // Closed documents keep their place in `restored` while the store still holds them.
    if (this.saver.dirty.has(key)) this.saver.scheduleFlush(0);
  }

  /**
   * Saved: the saved text becomes the baseline, and its provenance is written now rather than
   * after the debounce. A commit made in a terminal right after the save (before the editor has
   * described the staged change for the hooks) then finds the AI text in state.json.
   */
  private onSave(document: vscode.TextDocument): void {
    this.baselines.take(document);
    if (this.saver.dirty.has(storeKey(document.uri))) this.saver.scheduleFlush(0);
  }

  /**
   * VS Code reports a document's dirty flag in a change event of its own, without content changes
   * (text changes come through the store): the second step of the discard check reads it.
   */
  private onDirtyReport(e: vscode.TextDocumentChangeEvent): void {
    if (e.contentChanges.length === 0) this.baselines.onDirtyReport(e.document);
  }

  // ---- saving --------------------------------------------------------------------------------

  /** Writes every changed document's provenance now. */
  flush(): Promise<void> {
    return this.saver.flush();
  }

  /** Synchronous best effort (deactivation): writes what can be placed without waiting. */
  flushSync(): void {
    this.saver.flushSync();
  }

  /** Where the provenance of `uri` is saved; undefined for files we do not persist. */
  resolve(uri: vscode.Uri): Promise<Resolved | undefined> {
    return this.locations.resolve(uri);
  }

  maxFileSizeMB(): number | undefined {
    return vscode.workspace.getConfiguration('aiProvenance').get<number>('maxFileSizeMB');
  }

  whyNotTracked(document: vscode.TextDocument): string | undefined {
    const last = document.lineAt(document.lineCount - 1).range.end;
    const size = document.offsetAt(last);
    const head = document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(Math.min(size, 8000))));
    return shouldTrack({ scheme: document.uri.scheme, size, head, maxFileSizeMB: this.maxFileSizeMB() }).reason;
  }

  /** Runs `fn`; errors are logged, never thrown into VS Code. */
  async guard(what: string, fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.log.error(`persistence (${what}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.saver.cancelTimer();
    this.outside.dispose();
    this.baselines.dispose();
    try {
      this.flushSync();
    } catch (e) {
      this.log.error(`persistence (shutdown): ${(e as Error).message}`);
    }
    this.isDisposed = true;
    for (const d of this.disposables) d.dispose();
    this.locations.dispose();
  }
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

/** Starts persistence for the extension, with the internal commands the in-host tests use. */
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
  const commands = registerInternalCommands({
    current: () => current,
    restart: async () => {
      current?.dispose();
      for (const d of vscode.workspace.textDocuments) {
        const key = storeKey(d.uri);
        // Only files are saved; other documents keep their marks.
        if (d.uri.scheme === 'file' && services.store.get(key)) services.store.set(key, ropeFromAnchored([], d.getText().length));
      }
      start();
      await current?.initial;
    },
  });
  return new vscode.Disposable(() => {
    commands.dispose();
    current?.dispose();
  });
}
