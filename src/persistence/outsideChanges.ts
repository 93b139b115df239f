import * as vscode from 'vscode';
import { readFileChecked, readFileText } from '../core/persistence/diskText';
import { entryFromRuns, restoreEntry, runsFromEntry, withFiles } from '../core/persistence/entries';
import { sha256 } from '../core/persistence/schema';
import { NO_ORIGIN, OriginTable } from '../core/provenance/originTable';
import { unknownOrigin } from '../core/reanchor/external';
import { KeyedDebouncer } from '../core/scheduling/scheduling';
import { AnchoredRun } from '../core/reanchor/reanchor';
import { closedChange } from '../core/persistence/closedChange';
import { openDocument, storeKey } from '../services';
import type { Persistence } from './persistence';
import { SavedBaseline, baselineRuns } from './savedBaselines';
import { Location, Resolved } from './stateLocations';

/**
 * Outside changes (see persistence.ts): a closed file changed on disk is re-anchored at once (new
 * text `unknown`, except text that was AI in an earlier version on disk: `ReloadRecall`); a state.json written by someone else (the `ai-provenance checkpoint` command) is
 * merged into open documents whose text it describes, its agent ranges winning over `unknown`
 * marks; after unsaved changes were discarded, the saved entry follows the disk text.
 */

const DISK_CHANGE_DELAY_MS = 750;
/** How long a save holds back for a document the editor has not reloaded yet. */
export const RELOAD_WAIT_MS = 30_000;

type Needs = Pick<
  Persistence,
  'store' | 'log' | 'writer' | 'locations' | 'saver' | 'disposed' | 'guard' | 'maxFileSizeMB' | 'apply' | 'putRestored' | 'isUnknown' | 'markDirty' | 'renames' | 'recall'
>;

export class OutsideChanges {
  /** Open documents waiting for their text to match a state entry written by someone else. */
  private readonly pendingIngest = new Map<string, { r: Resolved; since: number }>();
  private readonly diskTimers = new KeyedDebouncer<string>(DISK_CHANGE_DELAY_MS);
  /** Files whose pending disk change began with their creation (a rename outside the editor may have made them). */
  private readonly created = new Set<string>();
  private readonly stateTimers = new KeyedDebouncer<Location>(200);

  constructor(private readonly p: Needs) {}

  /**
   * Whether someone else's provenance for the text on disk of `key` waits for the editor to reload
   * it: `waiting` for up to RELOAD_WAIT_MS; `overdue` after that without the reload, when the
   * editor's own provenance is saved over it after all; undefined when nothing waits.
   */
  reloadWait(key: string): 'waiting' | 'overdue' | undefined {
    const pending = this.pendingIngest.get(key);
    if (!pending) return undefined;
    return Date.now() - pending.since < RELOAD_WAIT_MS ? 'waiting' : 'overdue';
  }

  /** The document closed: nothing waits for it any more. */
  close(key: string): void {
    this.pendingIngest.delete(key);
  }

  /**
   * The store recorded a text change of `key` (capture has seen it): a document waiting for its
   * reload takes in the entry once its text matches.
   */
  onTextChange(key: string): void {
    const pending = this.pendingIngest.get(key);
    const document = pending && openDocument(key);
    if (!pending || !document) return;
    void this.p.guard('merge checkpoint', async () => this.ingest(document, pending.r));
  }

  /** A file changed or appeared (`created`) on disk. */
  onDiskChange(uri: vscode.Uri, created = false): void {
    if (uri.scheme !== 'file' || this.p.disposed) return;
    if (uri.fsPath.split(/[\\/]/).includes('.git')) return;
    const key = storeKey(uri);
    if (openDocument(key)) return; // open: capture sees the reload
    if (created) this.created.add(key);
    this.diskTimers.schedule(key, () => {
      const isNew = this.created.delete(key);
      void this.p.guard(`re-anchor ${uri.fsPath}`, () => this.onClosedFileChanged(uri, isNew));
    });
  }

  /**
   * A closed file with saved provenance (or with earlier versions in this session: see
   * `ReloadRecall`) changed on disk: re-anchor now, new text `unknown`, except text that was AI in
   * an earlier version of the file on disk (`git stash` and `stash pop`), which gets its marks back.
   */
  async onClosedFileChanged(uri: vscode.Uri, created = false): Promise<void> {
    const key = storeKey(uri);
    if (openDocument(key)) return;
    const locations = this.p.locations;
    // Not cached per file: a build can change thousands of files we know nothing about.
    const r = locations.resolved.get(key) ?? (await locations.resolveUncached(uri));
    if (!r) return;
    const recall = this.p.recall;
    if (!locations.stateOf(r.loc).files[r.rel] && !recall.lastOnDisk(key)) {
      // A new file may be a vanished one renamed in a terminal: its entry then moves here and is
      // re-anchored below. Only on creation (a change to a file never saved has nothing to adopt).
      const renames = this.p.renames;
      if (!created || !renames.hasVanished) return;
      const text = readFileText(uri.fsPath, this.p.maxFileSizeMB());
      if (text === undefined || !(await renames.adopt(uri, r, text, (file) => renames.isVanished(file)))) return;
    }
    const read = readFileChecked(uri.fsPath, this.p.maxFileSizeMB());
    if (read.absent) return; // deleted: the entry stays in case it comes back (branch switch)
    const origins = this.p.store.origins;
    let message = '';
    let newRuns: AnchoredRun[] | undefined;
    const state = await r.loc.dir.update((current) => {
      const entry = current.files[r.rel];
      if (read.skipped) {
        recall.forget(key);
        if (!entry) return undefined;
        message = `${uri.fsPath} is no longer tracked (${read.skipped}); its saved provenance was dropped`;
        return { state: withFiles(current, { [r.rel]: undefined }) };
      }
      const text = read.text!;
      const hash = sha256(text);
      const changed = closedChange(entry, current.origins, recall.lastOnDisk(key), text, hash, (o) => origins.intern(o), (h) => r.loc.dir.readText(h), origins.intern(unknownOrigin()));
      if (!changed) return undefined; // unchanged, or a checkpoint recorded it already
      const s = changed.stats;
      // Text that was AI in an earlier version on disk gets its marks back (stash and pop).
      const recalled = recall.closedFileChanged(key, text, changed.runs, changed.previous);
      newRuns = recalled ? recalled.runs : changed.runs;
      message =
        `${uri.fsPath} changed on disk while closed; re-anchored: ${s.kept} characters kept, ${s.moved} moved, ${s.lost} lost, ${s.inserted} new characters marked unknown` +
        (recalled ? `; ${recalled.recalled} characters it had as AI in an earlier version got their marks back` : '');
      const table = OriginTable.fromJSON(current.origins);
      return { state: withFiles(current, { [r.rel]: entryFromRuns(text, newRuns, (id) => origins.get(id), table) }, table.toJSON()), texts: new Map([[hash, text]]) };
    });
    locations.remember(r.loc, state);
    if (message) this.p.log.info(message);
    if (newRuns && this.p.store.get(key) && read.text !== undefined) {
      this.p.putRestored(key, newRuns, read.text.length);
    }
  }

  /**
   * After unsaved changes were discarded: the saved entry follows the disk text. With the
   * baseline of that very text its provenance comes back exactly; otherwise the entry is
   * re-anchored, nothing new is `unknown`.
   */
  async rebaseOnDisk(uri: vscode.Uri, baseline?: SavedBaseline): Promise<void> {
    const key = storeKey(uri);
    if (this.p.disposed || openDocument(key)) return;
    this.p.saver.dirty.delete(key);
    const locations = this.p.locations;
    const r = await locations.resolve(uri);
    if (!r) return;
    const read = readFileChecked(uri.fsPath, this.p.maxFileSizeMB());
    if (read.text === undefined) return;
    const text = read.text;
    const hash = sha256(text);
    const exact = baseline && baseline.hash === hash ? baselineRuns(baseline) : undefined;
    if (!exact && !locations.stateOf(r.loc).files[r.rel]) return;
    const origins = this.p.store.origins;
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
      const table = OriginTable.fromJSON(current.origins);
      return { state: withFiles(current, { [r.rel]: entryFromRuns(text, runs!, (id) => origins.get(id), table) }, table.toJSON()), texts: new Map([[hash, text]]) };
    });
    locations.remember(r.loc, state);
    if (runs && this.p.store.get(key)) {
      this.p.putRestored(key, runs, text.length);
    }
  }

  /** Watches a repository's state.json for writes by someone else. */
  watchState(loc: Location): void {
    if (loc.watcher || loc.kind !== 'repo') return;
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(loc.dir.dir), 'state.json'));
    const fire = () => this.stateTimers.schedule(loc, () => void this.p.guard('read state written elsewhere', () => this.onStateFileChanged(loc)));
    loc.watcher = vscode.Disposable.from(w, w.onDidChange(fire), w.onDidCreate(fire));
  }

  /** state.json changed: when someone else wrote it, merge what is new into open documents. */
  async onStateFileChanged(loc: Location): Promise<void> {
    const previous = loc.seen;
    const state = loc.dir.read();
    if (state.writer === this.p.writer && previous && state.writtenAt === previous.writtenAt) return;
    this.p.locations.remember(loc, state);
    for (const document of vscode.workspace.textDocuments) {
      const r = this.p.locations.resolved.get(storeKey(document.uri));
      if (!r || r.loc !== loc) continue;
      const entry = state.files[r.rel];
      const before = previous?.files[r.rel];
      if (!entry || (before && before.sha256 === entry.sha256 && before.updatedAt === entry.updatedAt)) continue;
      await this.ingest(document, r);
    }
  }

  /**
   * Merges the saved entry of an open document when it describes the document's text; else it
   * waits for the reload that brings that text (also when a save kept the entry: `stateToSave`).
   */
  async ingest(document: vscode.TextDocument, r: Resolved): Promise<void> {
    const key = storeKey(document.uri);
    const state = this.p.locations.stateOf(r.loc);
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
    const runs = runsFromEntry(entry, state.origins, (o) => this.p.store.origins.intern(o));
    this.p.apply(document, runs, text, document.version, (b) => b === NO_ORIGIN || this.p.isUnknown(b));
    this.p.log.info(`merged provenance recorded by ${state.writer ?? 'another writer'} into ${document.uri.fsPath}`);
    this.p.markDirty(key);
  }

  dispose(): void {
    this.diskTimers.dispose();
    this.stateTimers.dispose();
    this.created.clear();
  }
}
