import { TextChange } from '../provenance/provenanceStore';
import { insertedSpans } from './changeSpans';
import { isMatchable } from './chatCodeBlockMatch';

/**
 * Insertions that may have come from a chat answer VS Code has not stored yet. VS Code writes a
 * chat session a few seconds after the answer completes, so a block inserted at once ("Insert at
 * Cursor" right after the answer) cannot be matched when it arrives. It is recorded as a person's
 * text and kept here, its offset following later edits, until the answer is known or it expires;
 * an edit that touches it drops it (nothing is attributed that is no longer exactly there).
 */
export interface PendingInsertion {
  readonly documentKey: string;
  readonly offset: number;
  readonly text: string;
  /** When it was inserted (ms since the epoch). */
  readonly at: number;
}

/** How long an insertion waits for its chat answer to be stored. */
export const PENDING_CHAT_TTL_MS = 120_000;

export class PendingChatInsertions {
  private readonly byDocument = new Map<string, PendingInsertion[]>();

  get size(): number {
    let n = 0;
    for (const list of this.byDocument.values()) n += list.length;
    return n;
  }

  /** Keeps the insertions of `changes` (already applied, offsets in the new text) worth matching. */
  add(documentKey: string, inserted: readonly TextChange[], at: number): void {
    for (const span of insertedSpans(inserted)) {
      if (!isMatchable(span.text)) continue;
      const list = this.byDocument.get(documentKey) ?? [];
      list.push({ documentKey, offset: span.start, text: span.text, at });
      this.byDocument.set(documentKey, list);
    }
  }

  /** Follows a later change of the document: insertions move, or are dropped when touched. */
  applyChanges(documentKey: string, changes: readonly TextChange[]): void {
    const list = this.byDocument.get(documentKey);
    if (!list) return;
    const kept: PendingInsertion[] = [];
    for (const p of list) {
      const end = p.offset + p.text.length;
      let delta = 0;
      let touched = false;
      for (const c of changes) {
        // Offsets of one event all refer to the text before it.
        if (c.offset + c.deleteLength <= p.offset) delta += c.text.length - c.deleteLength;
        else if (c.offset < end) touched = true;
      }
      if (!touched) kept.push({ ...p, offset: p.offset + delta });
    }
    if (kept.length > 0) this.byDocument.set(documentKey, kept);
    else this.byDocument.delete(documentKey);
  }

  /** Forgets a document (closed, renamed). */
  forget(documentKey: string): void {
    this.byDocument.delete(documentKey);
  }

  /** Drops what waited too long; returns what is left. */
  current(now: number): PendingInsertion[] {
    const out: PendingInsertion[] = [];
    for (const [key, list] of this.byDocument) {
      const kept = list.filter((p) => now - p.at <= PENDING_CHAT_TTL_MS);
      if (kept.length > 0) this.byDocument.set(key, kept);
      else this.byDocument.delete(key);
      out.push(...kept);
    }
    return out;
  }

  /** Removes one insertion (matched or found changed). */
  remove(p: PendingInsertion): void {
    const list = this.byDocument.get(p.documentKey);
    if (!list) return;
    const kept = list.filter((q) => q !== p && !(q.offset === p.offset && q.text === p.text && q.at === p.at));
    if (kept.length > 0) this.byDocument.set(p.documentKey, kept);
    else this.byDocument.delete(p.documentKey);
  }
}
