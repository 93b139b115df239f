import * as vscode from 'vscode';

/** Schemes whose documents are user files we track (never the chat input box, output, git...). */
const TRACKED_SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-userdata']);

/** Largest document tracked, from `aiProvenance.maxFileSizeMB`. */
export function maxTrackedChars(): number {
  const mb = vscode.workspace.getConfiguration('aiProvenance').get<number>('maxFileSizeMB', 10);
  return Math.max(0.1, mb) * 1024 * 1024;
}

/** Why a document is not tracked, or undefined when it is. Cheap: no full-text read. */
export function whyNotTracked(document: vscode.TextDocument): string | undefined {
  if (!TRACKED_SCHEMES.has(document.uri.scheme)) return `not a file (${document.uri.scheme})`;
  if (document.uri.scheme === 'vscode-userdata') return 'a settings file';
  const last = document.lineAt(document.lineCount - 1).range.end;
  if (document.offsetAt(last) > maxTrackedChars()) return 'larger than aiProvenance.maxFileSizeMB';
  return undefined;
}

/** The document's length in characters without copying its text. */
export function documentLength(document: vscode.TextDocument): number {
  return document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
}
