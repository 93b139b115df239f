import * as vscode from 'vscode';
import { CarrySource } from '../core/carry/carrySource';
import { keptForLater, removalCause } from '../core/carry/removalRule';
import { storeKey } from '../services';

/**
 * Finds out why AI text was removed (the facts `core/carry/removalRule.ts` decides on), the VS Code
 * side: each document's dirty flag as last seen before a change, and, for a change that removed AI
 * text, whether the document turns clean at the same version without a save (a revert). The dirty
 * flag comes a moment after the change (later still on a busy machine), so the removal is checked
 * a moment later and again whenever the flag changes, until an edit or a save settles it.
 */

/** The dirty flag usually settles this long after a change (as in reloadDetector.ts). */
const SETTLE_MS = 40;

/** What a change removed, as `CarriedText` hands it on. */
export interface Removed {
  readonly sources: CarrySource[];
  readonly undoRedo: boolean;
  readonly dirtyBefore: boolean;
}

interface Watched {
  readonly removed: Removed;
  readonly version: number;
  readonly saves: number;
}

export class RemovalWatch implements vscode.Disposable {
  private readonly dirty = new Map<string, boolean>();
  private readonly saves = new Map<string, number>();
  private readonly watched = new Map<string, Watched[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  /** `rejected` is told of removed text that is not to be kept after all. */
  constructor(private readonly rejected: (key: string, removed: Removed, cause: string) => void) {
    const saved = (d: vscode.TextDocument) => {
      const key = storeKey(d.uri);
      this.saves.set(key, (this.saves.get(key) ?? 0) + 1);
      this.dirty.set(key, false);
    };
    this.disposables.push(
      // Changes of the dirty flag alone (content changes come through `noteChange`).
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) return;
        const key = storeKey(e.document.uri);
        this.dirty.set(key, e.document.isDirty);
        this.check(key, e.document);
      }),
      vscode.workspace.onWillSaveTextDocument((e) => saved(e.document)),
      vscode.workspace.onDidSaveTextDocument(saved),
      vscode.workspace.onDidCloseTextDocument((d) => {
        const key = storeKey(d.uri);
        this.check(key, d);
        this.watched.delete(key);
        this.dirty.delete(key);
        this.saves.delete(key);
      }),
    );
  }

  /** The document's dirty flag before the change being handled. */
  dirtyBefore(key: string): boolean {
    return this.dirty.get(key) ?? false;
  }

  /** After a content change of `document` (which removed `removed`). */
  noteChange(document: vscode.TextDocument, removed: Removed): void {
    const key = storeKey(document.uri);
    this.dirty.set(key, document.isDirty);
    // Earlier removals followed by this edit were a person's edits.
    const list = (this.watched.get(key) ?? []).filter((w) => w.version === document.version);
    if (removed.sources.length > 0 && keptForLater(removalCause({ ...removed, cleanAfter: false }))) {
      list.push({ removed, version: document.version, saves: this.saves.get(key) ?? 0 });
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.check(key, vscode.workspace.textDocuments.find((d) => storeKey(d.uri) === key));
      }, SETTLE_MS);
      this.timers.add(timer);
    }
    if (list.length > 0) this.watched.set(key, list);
    else this.watched.delete(key);
  }

  private check(key: string, document: vscode.TextDocument | undefined): void {
    const list = this.watched.get(key);
    if (!list) return;
    const open: Watched[] = [];
    for (const w of list) {
      // Edited or saved since: the removal was a person's edit.
      if ((document && document.version !== w.version) || (this.saves.get(key) ?? 0) !== w.saves) continue;
      const cleanAfter = !document || document.isClosed ? true : !document.isDirty;
      if (!cleanAfter) {
        open.push(w);
        continue;
      }
      const cause = removalCause({ ...w.removed, cleanAfter });
      if (!keptForLater(cause)) this.rejected(key, w.removed, cause);
    }
    if (open.length > 0) this.watched.set(key, open);
    else this.watched.delete(key);
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
