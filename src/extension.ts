import * as vscode from 'vscode';
import { AiProvenanceApi } from './api';
import { AcceptInterception } from './capture/acceptInterception';
import { ChangeCapture } from './capture/changeCapture';
import { ChatConfirmation } from './capture/chatConfirmation';
import { ChatContext } from './capture/chatContext';
import { ChatHistory } from './capture/chatHistory';
import { registerManualMarks } from './commands/manualMarks';
import { ProvenanceStore } from './core/provenance/provenanceStore';
import { createApi } from './publicApi';
import { registerPersistence } from './persistence/persistence';
import { Services } from './services';
import { StatusBar } from './views/statusBar';
import { registerDecorations } from './views/decorations';
import { registerCommitBlame } from './views/commitBlame';
import { registerReport } from './views/report/reportPanel';
import { startCommitFlow } from './commit/commitFlow';
import { registerAgentHooksCommand } from './commit/agentHooksCommand';
import { useGitExecutable } from './git/git';

export function activate(context: vscode.ExtensionContext): AiProvenanceApi {
  // One git for everything the extension runs: the one VS Code's git uses.
  useGitExecutable(gitPathSetting());
  const log = vscode.window.createOutputChannel('AI Provenance', { log: true });
  context.subscriptions.push(log);
  const services: Services = { context, store: new ProvenanceStore(), log };

  const accepts = new AcceptInterception(context.extension.id, log);
  const chat = new ChatContext(log);
  const chatHistory = new ChatHistory(context, log);
  const chatConfirmation = new ChatConfirmation(services, chatHistory);
  const capture = new ChangeCapture(services, accepts, chat, chatHistory, chatConfirmation);
  context.subscriptions.push(registerPersistence(services));
  const track = (d: vscode.TextDocument) => capture.track(d);
  const statusBar = new StatusBar(services, (d) => capture.reasonNotTracked(d));
  const api = createApi(services, track);
  context.subscriptions.push(
    accepts,
    chat,
    chatHistory,
    chatConfirmation,
    capture,
    statusBar,
    api,
    registerManualMarks(services, track),
    registerDecorations(services),
    registerCommitBlame(services),
  );
  const commitFlow = startCommitFlow(services);
  context.subscriptions.push(
    registerReport(services, commitFlow),
    commitFlow,
    registerAgentHooksCommand(services),
    vscode.commands.registerCommand('aiProvenance.showLog', () => log.show()),
  );
  // The staged change's share joins the status bar tooltip.
  context.subscriptions.push(statusBar.addSection(commitFlow));
  log.info(`AI Provenance ${context.extension.packageJSON.version} active`);
  return api;
}

export function deactivate(): void {}

/** The `git.path` setting (its first entry when a list); undefined when unset. */
function gitPathSetting(): string | undefined {
  const p = vscode.workspace.getConfiguration('git').get<string | string[]>('path');
  if (typeof p === 'string' && p) return p;
  if (Array.isArray(p) && typeof p[0] === 'string' && p[0]) return p[0];
  return undefined;
}
