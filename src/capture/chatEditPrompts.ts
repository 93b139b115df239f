import * as vscode from 'vscode';
import { chatEditConversation } from '../core/classification/chatEditConversation';
import { OriginKind } from '../core/provenance/origin';
import { Services } from '../services';
import { ChatHistory } from './chatHistory';

/** How long a chat edit waits for VS Code to store its request (an agent's request can run long). */
const WAIT_MS = 30 * 60_000;
/** While edits wait, the chat sessions folder is also read this often (a watcher may be slow). */
const POLL_MS = 3000;
/** The kinds whose request id is a chat request's (inline completions have their own ids). */
const CHAT_KINDS: readonly OriginKind[] = ['chat', 'inlineChat', 'agent'];

interface Waiting {
  readonly sessionId?: string;
  readonly since: number;
}

/**
 * Gives chat edits the prompt of their request once VS Code has stored it. A chat edit that names
 * its request (edit source `Chat.applyEdits`, where the host reports one) usually arrives before
 * VS Code writes the request to the chat session store: it is recorded with the request id and no
 * prompt, and waits here. When the request appears, `chatEditConversation` decides again (same
 * request id, same session); the text recorded with that request and no prompt, in every tracked
 * document, is marked again with the prompt (the saved provenance follows).
 */
export class ChatEditPrompts implements vscode.Disposable {
  private readonly waiting = new Map<string, Waiting>();
  private poll: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services, private readonly history: ChatHistory) {
    this.disposables.push(history.onDidChange(() => this.attach()));
  }

  /** A chat edit of `requestId` (in `sessionId`, when named) that VS Code has not stored yet. */
  await(requestId: string, sessionId: string | undefined, at: number): void {
    if (!this.history.folder || this.waiting.has(requestId)) return;
    this.waiting.set(requestId, { ...(sessionId ? { sessionId } : {}), since: at });
    if (!this.poll) this.poll = setInterval(() => this.tick(), POLL_MS);
  }

  private tick(): void {
    const now = Date.now();
    for (const [id, w] of this.waiting) if (now - w.since > WAIT_MS) this.waiting.delete(id);
    if (this.waiting.size === 0) return this.stop();
    void this.history.refresh();
  }

  private stop(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  private attach(): void {
    for (const [requestId, w] of [...this.waiting]) {
      const found = chatEditConversation({ requestId, sessionId: w.sessionId }, [], { request: (id) => this.history.request(id), blocks: [] });
      if (found.type === 'wait') continue;
      this.waiting.delete(requestId);
      if (found.type === 'none') {
        this.services.log.info(`chat request ${requestId}: no prompt given to its edits (${found.why})`);
        continue;
      }
      let ranges = 0;
      const files = new Set<string>();
      // One change of the store per file, however many of its ranges get the prompt.
      this.services.store.batch(() => {
        for (const key of this.services.store.keys()) {
          const doc = this.services.store.get(key);
          if (!doc) continue;
          for (const r of doc.ranges()) {
            if (r.origin.requestId !== requestId || r.origin.prompt !== undefined || !CHAT_KINDS.includes(r.origin.kind)) continue;
            doc.setOrigin(r.start, r.text, { ...r.origin, prompt: found.prompt });
            ranges++;
            files.add(key);
          }
        }
      });
      this.services.log.info(`chat request ${requestId}: its prompt was given to ${ranges} range(s) in ${files.size} file(s) once the request was stored`);
    }
    if (this.waiting.size === 0) this.stop();
  }

  dispose(): void {
    this.stop();
    for (const d of this.disposables) d.dispose();
  }
}
