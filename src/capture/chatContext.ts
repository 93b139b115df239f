import * as vscode from 'vscode';
import { chatEditingQueryNames, chatEditingSessionId } from '../core/chat/chatEditingUri';

/**
 * What the window shows of chat, from stable APIs only: the documents of chat editing sessions, and
 * the chat models available (to name the model when exactly one exists). The code blocks of chat
 * answers come from `ChatHistory`.
 */
export class ChatContext implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private soleModel: string | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (d.uri.scheme.startsWith('chat-editing')) this.log.debug(`chat editing document opened: ${d.uri.toString()}`);
      }),
    );
    const lm = (vscode as { lm?: typeof vscode.lm }).lm;
    if (lm?.onDidChangeChatModels) this.disposables.push(lm.onDidChangeChatModels(() => void this.refreshModels()));
    void this.refreshModels();
  }

  /** True when a chat editing session has a document open for `uri`. */
  hasEditingSession(uri: vscode.Uri): boolean {
    return vscode.workspace.textDocuments.some((d) => isEditingDocumentOf(d.uri, uri.path));
  }

  /**
   * The chat sessions whose editing sessions have a document open for `uri` (read from those
   * documents' URIs); undefined when one of them names no session that can be read.
   */
  editingSessions(uri: vscode.Uri): string[] | undefined {
    const ids = new Set<string>();
    for (const d of vscode.workspace.textDocuments) {
      if (!isEditingDocumentOf(d.uri, uri.path)) continue;
      const id = chatEditingSessionId(d.uri.query);
      if (!id) return undefined;
      ids.add(id);
    }
    return [...ids];
  }

  /** The chat model (`vendor/id`) when exactly one is available. */
  soleChatModel(): string | undefined {
    return this.soleModel;
  }

  private async refreshModels(): Promise<void> {
    try {
      const models = await vscode.lm.selectChatModels();
      // Named `vendor/id`, as VS Code's edit source and its stored chat sessions name models.
      const ids = [...new Set(models.map((m) => `${m.vendor}/${m.id}`))];
      this.soleModel = ids.length === 1 ? ids[0] : undefined;
    } catch (err) {
      this.soleModel = undefined;
      this.log.debug(`chat models unavailable: ${String(err)}`);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** True for a chat editing session's document (`chat-editing-*` schemes) of the file at `path`. */
function isEditingDocumentOf(doc: vscode.Uri, path: string): boolean {
  return doc.scheme.startsWith('chat-editing') && (doc.path === path || chatEditingQueryNames(doc.query, path));
}
