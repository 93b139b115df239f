import * as vscode from 'vscode';
import { CarryMatch, matchCarried } from '../core/carry/carryMatch';
import { insertedSpans } from '../core/classification/changeSpans';
import { CarrySource, removedSource, selectedSource, visibleLength } from '../core/carry/carrySource';
import { OpenText, isOwnTextElsewhere } from '../core/carry/ownText';
import { RecentSources } from '../core/carry/recentSources';
import { keptForLater, removalCause } from '../core/carry/removalRule';
import { Origin, isAiKind } from '../core/provenance/origin';
import { DocumentProvenance, TextChange } from '../core/provenance/provenanceStore';
import { Services, storeKey } from '../services';
import { Removed, RemovalWatch } from './removalWatch';

/**
 * AI text keeps its origin when people move or copy it (the VS Code side of `core/carry`). Gathers
 * the facts: the AI text each change removes (read from the rope before the change is applied),
 * what the user selects (what a copy takes), and, after a change, asks the pure rules which inserted
 * characters are that text again; those are marked with its origin. A copy (from a selection, or
 * from another file) notes where it came from (`copiedFrom`). Work per keystroke: a look at the
 * rope for deletions only; selections are read when they are left, never while typing.
 */

/** Selections longer than this are not kept (a copy of more is not carried). */
const MAX_SELECTION_CHARS = 256 * 1024;
/** A selection shown for less than this is a step of one being made (dragging, Shift+arrows); one shown this long is kept. */
const SETTLED_SELECTION_MS = 100;

interface PendingSelection {
  readonly document: vscode.TextDocument;
  readonly version: number;
  readonly ranges: readonly vscode.Range[];
  readonly at: number;
}

export class CarriedText implements vscode.Disposable {
  private readonly recent = new RecentSources();
  private readonly removals = new RemovalWatch((key, removed, cause) => {
    this.recent.remove(removed.sources);
    this.services.log.trace(`removed AI text in ${key} not kept for later: ${cause}`);
  });
  private readonly pending = new Map<string, PendingSelection>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    this.disposables.push(this.removals, vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)));
  }

  /**
   * Before a change is applied to `doc`: the AI text each change removes (sources of this event),
   * with what is known then of why. Selections of other documents still showing their text are
   * kept first. Text removed by undo or redo is never a source (removalRule.ts).
   */
  beforeChange(key: string, doc: DocumentProvenance, changes: readonly TextChange[], now: number, undoRedo: boolean): Removed {
    this.settlePending(key);
    const removed: Removed = { sources: [], undoRedo, dirtyBefore: this.removals.dirtyBefore(key) };
    if (!keptForLater(removalCause({ undoRedo, dirtyBefore: removed.dirtyBefore, cleanAfter: false }))) return removed;
    if (doc.rope.taggedLength === 0) return removed;
    for (const c of changes) {
      if (c.deleteLength === 0 || doc.rope.taggedRunsIn(c.offset, c.offset + c.deleteLength).length === 0) continue;
      const source = removedSource(key, doc.rope.slice(c.offset, c.offset + c.deleteLength), (id) => doc.isAi(id), now, c.text.length === 0);
      if (source) removed.sources.push(source);
    }
    return removed;
  }

  /**
   * After the change was applied (as a person's, or `unknown` from disk): marks the inserted text
   * that is moved or copied AI text, then keeps this event's removed text for later (taken back
   * out if the change turns out to be a revert once the dirty flag has settled). Returns the
   * number of characters marked.
   */
  afterChange(document: vscode.TextDocument, doc: DocumentProvenance, changes: readonly TextChange[], removed: Removed, carry: boolean, now: number): number {
    const key = storeKey(document.uri);
    let marked = 0;
    if (carry && changes.some((c) => c.text.length > 0)) {
      const matches = matchCarried(insertedSpans(changes), removed.sources, this.recent.current(now));
      let open: OpenText[] | undefined;
      for (const m of matches) {
        if (isOwnTextElsewhere(m, key, (open ??= this.openTexts()))) {
          this.services.log.trace(`carried text in ${key} not marked: the same lines are someone's own text in an open document`);
          continue;
        }
        marked += this.mark(document, doc, key, m);
      }
    }
    for (const source of removed.sources) this.recent.add(source);
    this.removals.noteChange(document, removed);
    return marked;
  }

  private mark(document: vscode.TextDocument, doc: DocumentProvenance, key: string, m: CarryMatch): number {
    const origins = this.services.store.origins;
    const copied = m.source.kind === 'selected' || m.source.documentKey !== key;
    let n = 0;
    for (const mark of m.marks) {
      const base = origins.get(mark.origin);
      if (!base || !isAiKind(base.kind)) continue;
      const origin: Origin = copied ? { ...base, copiedFrom: base.copiedFrom ?? displayPath(m.source.documentKey) } : base;
      const text = document.getText(new vscode.Range(document.positionAt(mark.start), document.positionAt(mark.start + mark.length)));
      doc.setOrigin(mark.start, text, origin);
      n += mark.length;
    }
    return n;
  }

  /** The open documents as the own-text guard reads them (their AI text from the store). */
  private openTexts(): OpenText[] {
    const out: OpenText[] = [];
    const tabbed = keysWithTabs();
    for (const d of vscode.workspace.textDocuments) {
      if (d.uri.scheme !== 'file' && d.uri.scheme !== 'untitled') continue;
      const key = storeKey(d.uri);
      const text = d.getText();
      const doc = this.services.store.get(key);
      out.push({
        key,
        text,
        shown: tabbed.has(key),
        aiVisibleIn: (start, end) => {
          let ai = 0;
          if (!doc || doc.rope.length !== text.length) return 0;
          for (const r of doc.rangesIn(start, end)) {
            if (!isAiKind(r.origin.kind)) continue;
            const s = Math.max(r.start, start);
            const e = Math.min(r.end, end);
            ai += visibleLength(r.text.slice(s - r.start, e - r.start));
          }
          return ai;
        },
      });
    }
    return out;
  }

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    const document = e.textEditor.document;
    if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return;
    const key = storeKey(document.uri);
    const now = Date.now();
    const previous = this.pending.get(key);
    if (previous && now - previous.at >= SETTLED_SELECTION_MS) this.keep(key, previous);
    const ranges = e.selections.filter((s) => !s.isEmpty);
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    if (ranges.length === 0) {
      this.pending.delete(key);
      return;
    }
    const p: PendingSelection = { document, version: document.version, ranges, at: now };
    this.pending.set(key, p);
    // Kept once it has settled, so that it counts even if its editor is closed before a paste.
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (this.pending.get(key) !== p) return;
        this.pending.delete(key);
        this.keep(key, p);
      }, SETTLED_SELECTION_MS),
    );
  }

  /** Keeps the pending selections whose documents still show the text selected (not `except`'s). */
  private settlePending(except: string): void {
    for (const [key, p] of [...this.pending]) {
      if (key === except) {
        if (p.document.version !== p.version) this.pending.delete(key);
        continue;
      }
      this.keep(key, p);
      this.pending.delete(key);
    }
  }

  private keep(key: string, p: PendingSelection): void {
    if (p.document.isClosed || p.document.version !== p.version) return;
    const doc = this.services.store.get(key);
    for (const range of p.ranges) {
      const start = p.document.offsetAt(range.start);
      const end = p.document.offsetAt(range.end);
      if (end - start > MAX_SELECTION_CHARS) continue;
      const text = p.document.getText(range);
      const ai: { start: number; length: number; origin: number }[] = [];
      if (doc && doc.rope.length >= end) {
        for (const r of doc.rope.taggedRunsIn(start, end)) {
          if (!doc.isAi(r.origin)) continue;
          const s = Math.max(r.start, start);
          const e = Math.min(r.start + r.length, end);
          ai.push({ start: s - start, length: e - s, origin: r.origin });
        }
      }
      const source = selectedSource(key, text, ai, p.at);
      if (source) this.recent.add(source);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}

/** Store keys of the documents shown in an editor tab or a visible editor. */
function keysWithTabs(): Set<string> {
  const keys = new Set<string>();
  for (const e of vscode.window.visibleTextEditors) keys.add(storeKey(e.document.uri));
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const input = tab.input;
      if (input instanceof vscode.TabInputText) keys.add(storeKey(input.uri));
      else if (input instanceof vscode.TabInputTextDiff) {
        keys.add(storeKey(input.original));
        keys.add(storeKey(input.modified));
      }
    }
  }
  return keys;
}

/** How a copy's source is named in the record: its path in the workspace. */
function displayPath(key: string): string {
  try {
    const uri = vscode.Uri.parse(key);
    return uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri, false) : key;
  } catch {
    return key;
  }
}
