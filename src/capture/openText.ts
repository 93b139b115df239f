import * as vscode from 'vscode';
import { codeOccurrences } from '../core/classification/chatCodeBlockMatch';

/**
 * Whether text just inserted into `document` was copied from text the user already has open: it
 * occurs again in the same document (besides the insertion itself) or in another open text
 * document. Reads whole documents, so it is asked only when a chat block matched.
 */
export function copiedFromOpenText(document: vscode.TextDocument): (inserted: string) => boolean {
  return (inserted) => {
    if (codeOccurrences(document.getText(), inserted) > 1) return true;
    return vscode.workspace.textDocuments.some(
      (d) => d !== document && (d.uri.scheme === 'file' || d.uri.scheme === 'untitled') && codeOccurrences(d.getText(), inserted) > 0,
    );
  };
}
