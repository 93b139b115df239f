/**
 * The order of one editor event's changes in the document. VS Code gives an event's changes with
 * offsets in the text before the event, last offset first; two changes can start at the same
 * offset (VS Code 1.90 sends a line move that re-indents the line it passes as an insertion and a
 * replacement at one offset). Of changes at one offset, the one given later lies first in the text
 * after the event: the provenance store applies an event from its last offset to its first, in the
 * event's order at one offset, each landing before what was applied there already. Every reader of
 * where an event's text ends up must use this order, or it marks characters beside the right ones.
 * Pure: no I/O, no `vscode`.
 */
export function inDocumentOrder<T extends { readonly offset: number }>(changes: readonly T[]): T[] {
  return changes
    .map((change, index) => ({ change, index }))
    .sort((a, b) => a.change.offset - b.change.offset || b.index - a.index)
    .map((x) => x.change);
}
