import { TextChange } from '../provenance/provenanceStore';

/**
 * An accept of an inline suggestion that we intercepted (our keybinding ran before VS Code's accept
 * command). On VS Code Stable this is the primary signal: the change it produces is the next change
 * of the same document, inserted where the suggestion was shown.
 */
export interface PendingAccept {
  readonly documentKey: string;
  readonly kind: 'inline' | 'inlinePartial' | 'nextEdit';
  /** Document version when the accept was requested (the change it produces has version + 1). */
  readonly version: number;
  /** Cursor offsets in the text before the accept. */
  readonly cursors: readonly CursorLine[];
  /** Milliseconds since the epoch when the accept was requested. */
  readonly at: number;
  /** Tool to record when the edit source does not name the provider. */
  readonly tool: string;
}

/** A cursor with the text of its line, both from before the accept. */
export interface CursorLine {
  readonly offset: number;
  readonly lineStart: number;
  readonly lineText: string;
}

/** How long after the request an accept's change may arrive. */
export const PENDING_ACCEPT_TTL_MS = 3000;

/** True when `change` can be the insertion of a suggestion shown at one of the cursors. */
export function isAtCursor(change: TextChange, cursors: readonly CursorLine[]): boolean {
  return cursors.some((c) => change.offset <= c.offset && c.offset <= change.offset + change.deleteLength);
}

/**
 * An inline completion usually replaces what was typed before the cursor with a longer text that
 * starts with it. When the replaced text is known (it lies on a cursor's line), returns the change
 * narrowed to the part that really differs, so the person's own characters keep their attribution.
 */
export function narrowToNewText(change: TextChange, cursors: readonly CursorLine[]): TextChange {
  if (change.deleteLength === 0) return change;
  const line = cursors.find((c) => change.offset >= c.lineStart && change.offset + change.deleteLength <= c.lineStart + c.lineText.length);
  if (!line) return change;
  const old = line.lineText.substr(change.offset - line.lineStart, change.deleteLength);
  return narrowReplacement(change, old);
}

/** Drops the common prefix and suffix of a replacement whose old text is `oldText`. */
export function narrowReplacement(change: TextChange, oldText: string): TextChange {
  const text = change.text;
  let prefix = 0;
  const maxPrefix = Math.min(oldText.length, text.length);
  while (prefix < maxPrefix && oldText.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  const maxSuffix = Math.min(oldText.length, text.length) - prefix;
  while (suffix < maxSuffix && oldText.charCodeAt(oldText.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  if (prefix === 0 && suffix === 0) return change;
  return {
    offset: change.offset + prefix,
    deleteLength: oldText.length - prefix - suffix,
    text: text.slice(prefix, text.length - suffix),
  };
}
