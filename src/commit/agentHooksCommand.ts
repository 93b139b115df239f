import * as path from 'path';
import * as vscode from 'vscode';
import { AGENT_NAME, AgentHookInstall, installAgentHooks } from '../checkpoint/agentHooks';
import { gitText } from '../git/git';
import { Services } from '../services';

export const INSTALL_AGENT_HOOKS_COMMAND = 'aiProvenance.installAgentHooks';

/**
 * "AI Provenance: Install Agent Hooks": the checkpoint hooks for VS Code's agents (Copilot agent
 * mode and the other harnesses of VS Code's agent hooks) in the repository of a workspace folder
 * (see checkpoint/agentHooks.ts). Given a folder path (tests, other extensions) it installs
 * there without asking; it resolves with what it wrote, or undefined when nothing was written
 * (the message says why).
 */
export function registerAgentHooksCommand(services: Services): vscode.Disposable {
  return vscode.commands.registerCommand(INSTALL_AGENT_HOOKS_COMMAND, async (folderArg?: string): Promise<AgentHookInstall | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('AI Provenance: trust this workspace first; hooks are not installed in untrusted workspaces.');
      return undefined;
    }
    const folder = typeof folderArg === 'string' ? folderArg : await pickFolder();
    if (!folder) return undefined;
    try {
      const root = path.resolve(folder, (await gitText(['rev-parse', '--show-toplevel'], { cwd: folder })).trim());
      const r = await installAgentHooks({ root, cliPath: services.context.asAbsolutePath(path.join('dist', 'cli.js')), nodePath: process.execPath });
      services.log.info(`agent hooks: wrote ${r.hookFile} and ${r.launcher}`);
      void vscode.window.showInformationMessage(
        `AI Provenance: agent hooks installed in ${path.relative(root, r.hookFile)}. Edits by VS Code's agents (with agent hooks enabled) are recorded as ${AGENT_NAME}.`,
      );
      return r;
    } catch (e) {
      const message = (e as Error).message.split('\n')[0];
      services.log.warn(`agent hooks: not installed in ${folder}: ${message}`);
      void vscode.window.showErrorMessage(`AI Provenance: could not install the agent hooks: ${message}`);
      return undefined;
    }
  });
}

async function pickFolder(): Promise<string | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  if (folders.length === 0) {
    void vscode.window.showWarningMessage('AI Provenance: open a folder in a git repository to install the agent hooks.');
    return undefined;
  }
  if (folders.length === 1) return folders[0].uri.fsPath;
  const pick = await vscode.window.showQuickPick(
    folders.map((f) => ({ label: f.name, description: f.uri.fsPath })),
    { placeHolder: 'Workspace folder to install the agent hooks in' },
  );
  return pick?.description;
}
