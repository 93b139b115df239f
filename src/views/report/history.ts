import * as vscode from 'vscode';
import { HistorySection, buildHistorySection } from '../../core/presentation/historySection';
import { runBlame } from '../commitBlame';

/**
 * The History section of the report for `document`: its AI blame (the command line's
 * `blame --json`, run as a separate process with the editor's text) read by
 * `buildHistorySection`. A file outside a repository, untracked, or in an untrusted workspace
 * gets a one-line reason instead.
 */
export async function fileHistory(cliPath: string, document: vscode.TextDocument | undefined): Promise<HistorySection> {
  if (!document) return { state: 'none', message: 'Open a file to see its history.' };
  const path = vscode.workspace.asRelativePath(document.uri, false);
  if (document.uri.scheme !== 'file') return { state: 'none', message: `${path} is not a file on disk: it has no git history.` };
  if (!vscode.workspace.isTrusted) return { state: 'none', message: 'This workspace is not trusted: AI Provenance does not run git here.' };
  const text = document.getText();
  try {
    return buildHistorySection(path, await runBlame(process.execPath, cliPath, document.uri.fsPath, text), text);
  } catch (err) {
    return { state: 'none', message: `No history for ${path}: ${err instanceof Error ? err.message : String(err)}` };
  }
}
