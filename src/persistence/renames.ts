import * as vscode from 'vscode';
import { withFiles } from '../core/persistence/entries';
import { PersistedFile } from '../core/persistence/schema';
import { OriginTable } from '../core/provenance/originTable';
import { storeKey } from '../services';
import type { Persistence } from './persistence';

/** Renamed and deleted files (see persistence.ts): provenance follows a rename, a deleted file's entry goes. */

type Needs = Pick<Persistence, 'store' | 'log' | 'locations' | 'saver' | 'flush'>;

export class Renames {
  constructor(private readonly p: Needs) {}

  async onRename(files: readonly { oldUri: vscode.Uri; newUri: vscode.Uri }[]): Promise<void> {
    const store = this.p.store;
    for (const { oldUri, newUri } of files) {
      const oldKey = storeKey(oldUri);
      const newKey = storeKey(newUri);
      for (const key of store.keys()) {
        if (key === oldKey) store.rename(key, newKey);
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
