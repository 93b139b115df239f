import * as vscode from 'vscode';
import { normaliseCode } from '../core/classification/chatCodeBlockMatch';

/** How many times `needle` occurs in `hay` by whole lines (both normalised, see `normaliseCode`). */
function occurrences(hay: string, needle: string): number {
  const h = `\n${normaliseCode(hay)}\n`;
  const n = `\n${normaliseCode(needle)}\n`;
  let count = 0;
  for (let i = h.indexOf(n); i !== -1; i = h.indexOf(n, i + 1)) count++;
  return count;
}

/**
 * Whether text just inserted into `document` was copied from text the user already has open: it
 * occurs again in the same document (besides the insertion itself) or in another open text
 * document. Reads whole documents, so it is asked only when a chat block matched.
 */
export function copiedFromOpenText(document: vscode.TextDocument): (inserted: string) => boolean {
  return (inserted) => {
    if (occurrences(document.getText(), inserted) > 1) return true;
    return vscode.workspace.textDocuments.some(
      (d) => d !== document && (d.uri.scheme === 'file' || d.uri.scheme === 'untitled') && occurrences(d.getText(), inserted) > 0,
    );
  };
}
