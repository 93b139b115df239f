import * as vscode from 'vscode';
import { ProvenanceStore } from './core/provenance/provenanceStore';

/**
 * What the extension's parts share. Created once in `activate`; every feature module receives it
 * and returns its disposables. Flow is one way: capture writes the store; views and the commit
 * flow read it and listen to `store.onDidChange`.
 */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly store: ProvenanceStore;
  readonly log: vscode.LogOutputChannel;
}

/** The store key of a document or file. */
export function storeKey(uri: vscode.Uri): string {
  return uri.toString();
}

/** The open document with store key `key`, if it is open. */
export function openDocument(key: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => storeKey(d.uri) === key);
}
