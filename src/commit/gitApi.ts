import * as vscode from 'vscode';

/**
 * The part of the built-in Git extension's API (`vscode.git`, `getAPI(1)`) the commit flow uses.
 * Declared here (the extension ships no typings package); names and shapes as in VS Code's
 * `extensions/git/src/api/git.d.ts`.
 */

export interface GitInputBox {
  value: string;
}

export interface GitBranch {
  readonly commit?: string;
  readonly name?: string;
}

export interface GitChange {
  readonly uri: vscode.Uri;
}

export interface GitRepositoryState {
  readonly HEAD: GitBranch | undefined;
  readonly indexChanges: readonly GitChange[];
  readonly onDidChange: vscode.Event<void>;
}

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: GitInputBox;
  readonly state: GitRepositoryState;
  /** Fires after a commit made by the Git extension (not for terminal commits). */
  readonly onDidCommit?: vscode.Event<void>;
  add(paths: string[]): Promise<void>;
  commit(message: string, opts?: { all?: boolean | 'tracked'; amend?: boolean; noVerify?: boolean }): Promise<void>;
}

export interface GitAPI {
  readonly state: 'uninitialized' | 'initialized';
  readonly onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  readonly repositories: readonly GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
  readonly onDidCloseRepository: vscode.Event<GitRepository>;
  getRepository(uri: vscode.Uri): GitRepository | null;
}

export interface GitExtension {
  readonly enabled: boolean;
  readonly onDidChangeEnablement: vscode.Event<boolean>;
  getAPI(version: 1): GitAPI;
}
