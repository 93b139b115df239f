import * as path from 'path';
import * as vscode from 'vscode';
import { noRepositoryMessage } from '../core/gitExtension/commitMode';
import { installHooks, uninstallHooks } from '../git/hooks';
import { Services } from '../services';
import { RepoFlow, cliPath, relativeTo } from './repoFlow';

/** What the hook commands need from the commit flow. */
export interface HookCommandsOwner {
  readonly services: Services;
  /** Starts the flow (finds the repositories) if it has not started. */
  start(): Promise<void>;
  repositories(): RepoFlow[];
  /** True when no git executable was found. */
  gitNotFound(): boolean;
  reportGitError(e: unknown, root: string): void;
}

/**
 * "AI Provenance: Install Commit Hook" and "Remove Commit Hook": in the one repository, or in the
 * one picked (a QuickPick, the active file's repository preselected).
 */
export function registerHookCommands(owner: HookCommandsOwner): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('aiProvenance.installCommitHook', () => installHookCommand(owner)),
    vscode.commands.registerCommand('aiProvenance.uninstallCommitHook', () => uninstallHookCommand(owner)),
  );
}

async function pickRepo(owner: HookCommandsOwner, action: string): Promise<RepoFlow | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('AI Provenance: trust this workspace first; hooks are not installed in untrusted workspaces.');
    return undefined;
  }
  await owner.start();
  const repos = owner.repositories();
  if (!repos.length) {
    void vscode.window.showWarningMessage(noRepositoryMessage(owner.gitNotFound()));
    return undefined;
  }
  if (repos.length === 1) return repos[0];
  const active = vscode.window.activeTextEditor?.document.uri;
  const pick = await vscode.window.showQuickPick(
    repos.map((r) => ({ label: path.basename(r.root), description: r.root, repo: r, picked: !!active && relativeTo(r.root, active) !== undefined })),
    { placeHolder: `Repository to ${action}` },
  );
  return pick?.repo;
}

async function installHookCommand(owner: HookCommandsOwner): Promise<void> {
  const repo = await pickRepo(owner, 'install the commit hook in');
  if (!repo) return;
  try {
    const r = await installHooks({ root: repo.root, cliPath: cliPath(owner.services), nodePath: process.execPath });
    const parts = [`installed ${r.installed.join(', ')} in ${r.hooksDir}`];
    if (r.chained.length) parts.push(`your existing ${r.chained.join(', ')} hook(s) still run first`);
    for (const s of r.skipped) parts.push(`${s.name} skipped: ${s.reason}`);
    owner.services.log.info(`commit hook: ${parts.join('; ')}`);
    const msg = `AI Provenance: commit hook ${parts.join('; ')}.`;
    if (r.skipped.length) void vscode.window.showWarningMessage(msg);
    else void vscode.window.showInformationMessage(msg);
    repo.schedule();
  } catch (e) {
    owner.reportGitError(e, repo.root);
    void vscode.window.showErrorMessage(`AI Provenance: could not install the commit hook: ${(e as Error).message}`);
  }
}

async function uninstallHookCommand(owner: HookCommandsOwner): Promise<void> {
  const repo = await pickRepo(owner, 'remove the commit hook from');
  if (!repo) return;
  try {
    const removed = await uninstallHooks(repo.root);
    void vscode.window.showInformationMessage(
      removed.length ? `AI Provenance: removed ${removed.join(', ')} (hooks that were there before are back).` : 'AI Provenance: no commit hook of ours was installed.',
    );
  } catch (e) {
    void vscode.window.showErrorMessage(`AI Provenance: could not remove the commit hook: ${(e as Error).message}`);
  }
}
