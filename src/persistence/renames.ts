import * as path from 'path';
import * as vscode from 'vscode';
import { withFiles } from '../core/persistence/entries';
import { PersistedFile, PersistedState } from '../core/persistence/schema';
import { OriginTable } from '../core/provenance/originTable';
import { storeKey } from '../services';
import type { Persistence } from './persistence';
import { adoptVanishedEntry } from './renameAdoption';
import { Resolved } from './stateLocations';

/**
 * Renamed and deleted files (see persistence.ts): provenance follows a rename, a deleted file's
 * entry goes; a file that appears with no saved provenance takes over the entry of a vanished file
 * when git's rename detection pairs them (a rename outside the editor: see renameAdoption.ts).
 */

/** How long a file deleted on disk is a candidate for a rename (a file created meanwhile). */
const VANISHED_FOR_MS = 10 * 60_000;

type Needs = Pick<Persistence, 'store' | 'log' | 'locations' | 'saver' | 'flush' | 'recall' | 'disposed'>;

export class Renames {
  /** Files deleted on disk lately (path -> when): a file created soon after may be one renamed. */
  private readonly vanished = new Map<string, number>();

  constructor(private readonly p: Needs) {}

  /** A file deleted on disk: remembered for a while (see `vanished`). */
  noteVanished(uri: vscode.Uri): void {
    if (uri.scheme !== 'file' || this.p.disposed) return;
    const now = Date.now();
    // Oldest first (a path deleted again moves to the end): stop at the first one still recent.
    for (const [file, at] of this.vanished) {
      if (now - at <= VANISHED_FOR_MS && this.vanished.size < 10_000) break;
      this.vanished.delete(file);
    }
    this.vanished.delete(uri.fsPath);
    this.vanished.set(uri.fsPath, now);
  }

  /** Whether any file was deleted on disk lately. */
  get hasVanished(): boolean {
    return this.vanished.size > 0;
  }

  /** Whether `file`, or a folder holding it, was deleted on disk lately. */
  isVanished(file: string): boolean {
    for (let p = file; ; p = path.dirname(p)) {
      if (this.vanished.has(p)) return true;
      if (path.dirname(p) === p) return false;
    }
  }

  /**
   * `uri` (at `r`, with `text`) has no saved provenance: when git calls it a rename of a vanished
   * file whose provenance is saved in the same place, that entry moves to it (see renameAdoption).
   * Only files `eligible` says may be looked at are candidates (default all).
   */
  async adopt(uri: vscode.Uri, r: Resolved, text: string, eligible?: (file: string) => boolean): Promise<{ state: PersistedState; entry: PersistedFile } | undefined> {
    const state = this.p.locations.stateOf(r.loc);
    const file = uri.fsPath.split(path.sep).join('/');
    const root = r.loc.kind === 'repo' && file.endsWith(`/${r.rel}`) ? uri.fsPath.slice(0, uri.fsPath.length - r.rel.length) : undefined;
    if (r.loc.kind === 'repo' && root === undefined) return undefined;
    const absolute = (rel: string) => (root !== undefined ? path.join(root, ...rel.split('/')) : rel);
    const adopted = await adoptVanishedEntry(r.loc.dir, state, r.rel, text, absolute, vscode.workspace.isTrusted, eligible);
    if (!adopted) return undefined;
    this.p.locations.remember(r.loc, adopted.state);
    this.p.log.info(`${uri.fsPath} appeared as ${adopted.from} vanished and git pairs them as a rename: its provenance follows`);
    return adopted;
  }

  async onRename(files: readonly { oldUri: vscode.Uri; newUri: vscode.Uri }[]): Promise<void> {
    const store = this.p.store;
    for (const { oldUri, newUri } of files) {
      const oldKey = storeKey(oldUri);
      const newKey = storeKey(newUri);
      for (const key of store.keys()) {
        if (key === oldKey) store.rename(key, newKey), this.p.recall.rename(key, newKey);
        else if (key.startsWith(`${oldKey}/`)) store.rename(key, newKey + key.slice(oldKey.length));
      }
      this.p.locations.forget(oldKey);
      await this.moveEntries(oldUri, newUri);
      this.p.log.info(`provenance follows ${oldUri.fsPath} -> ${newUri.fsPath}`);
    }
    await this.p.flush();
  }

  /** Moves saved entries of a renamed file or folder (possibly into another repository). */
  private async moveEntries(oldUri: vscode.Uri, newUri: vscode.Uri): Promise<void> {
    if (oldUri.scheme !== 'file' || newUri.scheme !== 'file') return;
    const locations = this.p.locations;
    const from = await locations.resolve(oldUri);
    const to = await locations.resolve(newUri);
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
        const table = OriginTable.fromJSON(current.origins);
        const changes: Record<string, PersistedFile | undefined> = {};
        const texts = new Map<string, string>();
        for (const m of moved) {
          changes[m.rel] = { ...m.entry, runs: m.entry.runs.map((run) => ({ ...run, origin: table.intern(fromState.origins[run.origin - 1]) })) };
          if (m.text !== undefined) texts.set(m.entry.sha256, m.text);
        }
        if (to.loc === from.loc) for (const rel of oldRels) if (!(rel in changes)) changes[rel] = undefined;
        return { state: withFiles(current, changes, table.toJSON()), texts };
      });
      locations.remember(to.loc, written);
    }
    if (!to || to.loc !== from.loc) {
      const written = await from.loc.dir.update((current) => {
        const changes: Record<string, PersistedFile | undefined> = {};
        for (const rel of oldRels) changes[rel] = undefined;
        return { state: withFiles(current, changes) };
      });
      locations.remember(from.loc, written);
    }
  }

  async onDelete(files: readonly vscode.Uri[]): Promise<void> {
    const saver = this.p.saver;
    for (const uri of files) {
      const r = await this.p.locations.resolve(uri);
      if (!r) continue;
      const rels = Object.keys(this.p.locations.stateOf(r.loc).files).filter((rel) => rel === r.rel || rel.startsWith(`${r.rel}/`));
      if (rels.length === 0) continue;
      saver.remove(r.loc, rels);
    }
    if (saver.hasRemovals) saver.scheduleFlush(0);
  }
}
