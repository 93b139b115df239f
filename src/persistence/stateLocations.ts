import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { RepoLocator, repoRelative, repoStateDir } from '../core/persistence/repo';
import { PersistedState } from '../core/persistence/schema';
import { StateDir } from '../core/persistence/stateDir';
import { gitText } from '../git/git';
import { Services, storeKey } from '../services';

/**
 * Where provenance is saved (see persistence.ts): a file in a git repository under
 * `<git dir>/ai-provenance/state.json`, keyed by its repository-relative path; any other file under
 * `<workspace storage>/provenance/state.json`, keyed by its absolute path.
 */

export interface Location {
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

/** Where one file's provenance is saved: the location and the file's key in it. */
export interface Resolved {
  readonly loc: Location;
  readonly rel: string;
}

type Log = Services['log'];

export class StateLocations {
  private readonly locations = new Map<string, Location>();
  private readonly resolving = new Map<string, Promise<Resolved | undefined>>();
  /** Files placed so far (store key -> place); a synchronous flush can only write these. */
  readonly resolved = new Map<string, Resolved | undefined>();
  private readonly locator: RepoLocator;

  /**
   * @param onNewLocation called once for each location when it is first used (to watch it)
   */
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
    private readonly writer: string,
    private readonly onNewLocation: (loc: Location) => void,
  ) {
    this.locator = new RepoLocator(vscode.workspace.isTrusted ? (args, cwd) => gitText(args, { cwd, timeout: 15_000 }) : undefined, log);
    if (!vscode.workspace.isTrusted) log.info('workspace not trusted: git is not run; repositories are located by reading .git');
  }

  /** Forgets the repositories found (workspace trust granted: git may run now). */
  clearRepositories(): void {
    this.locator.clear();
  }

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

  /** Forgets where `key` and everything under it (a renamed folder) is saved. */
  forget(key: string): void {
    for (const k of [...this.resolved.keys()]) if (k === key || k.startsWith(`${key}/`)) this.resolved.delete(k), this.resolving.delete(k);
  }

  /** Where the provenance of `uri` is saved, found again (not cached). */
  async resolveUncached(uri: vscode.Uri): Promise<Resolved | undefined> {
    if (uri.scheme !== 'file') return undefined;
    const file = uri.fsPath;
    const repo = await this.locator.locate(file);
    if (repo) {
      const rel = repoRelative(repo.root, file);
      if (!rel || rel === '.git' || rel.startsWith('.git/')) return undefined;
      return { loc: this.location(repoStateDir(repo), 'repo'), rel };
    }
    const base = this.context.storageUri ?? this.context.globalStorageUri;
    if (!base || base.scheme !== 'file') return undefined;
    return { loc: this.location(path.join(base.fsPath, 'provenance'), 'storage'), rel: file.split(path.sep).join('/') };
  }

  private location(dir: string, kind: Location['kind']): Location {
    let loc = this.locations.get(dir);
    if (!loc) {
      loc = { dir: new StateDir(dir, this.log, this.writer), kind };
      this.locations.set(dir, loc);
      this.onNewLocation(loc);
    }
    return loc;
  }

  /** The location's state, read again when state.json changed on disk since it was last read. */
  stateOf(loc: Location): PersistedState {
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
  remember(loc: Location, state: PersistedState): void {
    loc.cache = state;
    loc.seen = state;
    try {
      loc.mtime = fs.statSync(loc.dir.statePath).mtimeMs;
    } catch {
      loc.mtime = 0;
    }
  }

  dispose(): void {
    for (const loc of this.locations.values()) loc.watcher?.dispose();
  }
}
