import * as vscode from 'vscode';
import { CHAT_EDITING_TOOL } from '../core/classification/classifier';
import { chatEditConversation } from '../core/classification/chatEditConversation';
import { chatEditingRequest } from '../core/classification/chatEditingRequest';
import { OriginKind } from '../core/provenance/origin';
import { Services } from '../services';
import { ChatHistory } from './chatHistory';

/** How long a chat edit waits for VS Code to store its request (an agent's request can run long). */
const WAIT_MS = 30 * 60_000;
/** While edits wait, the chat sessions folder is also read this often (a watcher may be slow). */
const POLL_MS = 3000;
/** The kinds whose request id is a chat request's (inline completions have their own ids). */
const CHAT_KINDS: readonly OriginKind[] = ['chat', 'inlineChat', 'agent'];
/**
 * Text of the chat-editing-session rule that no stored request's edits hold this long after the
 * document's last such edit is also looked for in the stored answers' code blocks (a code block's
 * Apply, whose own request VS Code never stores). Until then the request of an agent's edit, which
 * VS Code stores within seconds, can name it.
 */
const BLOCKS_AFTER_MS = 30_000;
/** The kinds the chat-editing-session rule records (`unknown` where the cursor rested). */
const EDITING_KINDS: readonly OriginKind[] = ['chat', 'unknown'];

interface Waiting {
  readonly sessionId?: string;
  readonly since: number;
}

/**
 * Gives chat edits the prompt of their request once VS Code has stored it.
 *
 * - A chat edit that names its request (edit source `Chat.applyEdits`, where the host reports one)
 *   usually arrives before VS Code writes the request to the chat session store: it is recorded
 *   with the request id and no prompt, and waits here. When the request appears,
 *   `chatEditConversation` decides again (same request id, same session); the text recorded with
 *   that request and no prompt, in every tracked document, is marked again with the prompt.
 * - Text recorded by the chat-editing-session rule (VS Code Stable: nothing names the request)
 *   waits per document. Whenever the stored sessions change, each such range of the document is
 *   looked for in the edits the stored requests made to that file (`chatEditingRequest`: exactly
 *   one request, of the range's chat session when known); found, it is marked again with that
 *   request, its prompt and its model, and text recorded `unknown` where the cursor rested
 *   becomes `chat`. Text no request's edits hold is, 30 s after the document's last such edit,
 *   also looked for in the stored answers' code blocks (a code block's Apply).
 *   A document waits until none of its ranges can still be found, at most 30 minutes.
 * The marks reach the saved provenance as any change does, also for a document closed meanwhile
 * (its provenance stays in memory while the window is open).
 */
export class ChatEditPrompts implements vscode.Disposable {
  private readonly waiting = new Map<string, Waiting>();
  /** Documents with text of the chat-editing-session rule whose request is not found yet: key -> last such edit. */
  private readonly editing = new Map<string, number>();
  private poll: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services, private readonly history: ChatHistory) {
    this.disposables.push(history.onDidChange(() => this.attach()));
  }

  /** A chat edit of `requestId` (in `sessionId`, when named) that VS Code has not stored yet. */
  await(requestId: string, sessionId: string | undefined, at: number): void {
    if (!this.history.folder || this.waiting.has(requestId)) return;
    this.waiting.set(requestId, { ...(sessionId ? { sessionId } : {}), since: at });
    this.startPolling();
  }

  /** Text of the chat-editing-session rule was recorded in document `key`. */
  awaitEditing(key: string, at: number): void {
    if (!this.history.folder) return;
    this.editing.set(key, at);
    this.startPolling();
  }

  private startPolling(): void {
    if (!this.poll) this.poll = setInterval(() => this.tick(), POLL_MS);
  }

  private tick(): void {
    const now = Date.now();
    for (const [id, w] of this.waiting) if (now - w.since > WAIT_MS) this.waiting.delete(id);
    for (const [key, since] of this.editing) if (now - since > WAIT_MS) this.editing.delete(key);
    if (this.waiting.size === 0 && this.editing.size === 0) return this.stop();
    void this.history.refresh();
    // Code blocks count only after a while, which no change of the stored sessions may mark.
    this.attachEditing();
  }

  private stop(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  private attach(): void {
    this.attachNamed();
    this.attachEditing();
    if (this.waiting.size === 0 && this.editing.size === 0) this.stop();
  }

  private attachNamed(): void {
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
  }

  private attachEditing(): void {
    if (this.editing.size === 0) return;
    const requests = this.history.editingRequests();
    const now = Date.now();
    this.services.store.batch(() => {
      for (const [key, last] of [...this.editing]) {
        const doc = this.services.store.get(key);
        if (!doc) {
          this.editing.delete(key);
          continue;
        }
        const path = vscode.Uri.parse(key).path;
        let open = 0;
        for (const r of doc.ranges()) {
          const o = r.origin;
          if (o.tool !== CHAT_EDITING_TOOL || o.prompt !== undefined || !EDITING_KINDS.includes(o.kind)) continue;
          // Until its request is found, such text's request id is its chat session's (when known).
          const blocks = now - last >= BLOCKS_AFTER_MS ? { blocks: this.history.codeBlocks(), at: o.timestamp } : undefined;
          const found = chatEditingRequest({ path, text: r.text, sessionId: o.requestId }, requests, blocks);
          if (found.type === 'none') {
            if (found.later) open++;
            continue;
          }
          doc.setOrigin(r.start, r.text, { ...o, kind: 'chat', model: found.model ?? o.model, requestId: found.requestId, prompt: found.prompt });
          this.services.log.info(`chat request ${found.requestId}: its prompt was given to ${r.text.length} chars in ${key} (found in ${blocks ? 'its edits of the file or its answer' : 'the edits it made to the file'})`);
        }
        if (open === 0) this.editing.delete(key);
      }
    });
  }

  dispose(): void {
    this.stop();
    for (const d of this.disposables) d.dispose();
  }
}
