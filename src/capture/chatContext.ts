import * as vscode from 'vscode';

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
    const path = uri.path;
    return vscode.workspace.textDocuments.some(
      (d) => d.uri.scheme.startsWith('chat-editing') && (d.uri.path === path || safeDecode(d.uri.query).includes(path)),
    );
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

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
