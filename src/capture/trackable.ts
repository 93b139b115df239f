import * as vscode from 'vscode';
import { shouldTrack } from '../core/persistence/tracking';

/** Why a document is not tracked, or undefined when it is. Reads at most the first 8,000 characters. */
export function whyNotTracked(document: vscode.TextDocument): string | undefined {
  if (document.uri.scheme === 'vscode-userdata') return 'a settings file';
  const decision = shouldTrack({
    scheme: document.uri.scheme,
    size: documentLength(document),
    head: document.getText(new vscode.Range(new vscode.Position(0, 0), document.positionAt(8000))),
    maxFileSizeMB: vscode.workspace.getConfiguration('aiProvenance').get<number>('maxFileSizeMB', 10),
  });
  return decision.track ? undefined : decision.reason;
}

/** The document's length in characters without copying its text. */
export function documentLength(document: vscode.TextDocument): number {
  return document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
}
