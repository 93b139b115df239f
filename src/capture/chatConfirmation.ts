import * as vscode from 'vscode';
import { chatBlockOrigin } from '../core/classification/classifier';
import { findChatCodeBlock } from '../core/classification/chatCodeBlockMatch';
import { PendingChatInsertions } from '../core/classification/pendingChatInsertions';
import { TextChange } from '../core/provenance/provenanceStore';
import { Services, openDocument, storeKey } from '../services';
import { ChatHistory } from './chatHistory';
import { copiedFromOpenText } from './openText';
import { documentLength } from './trackable';

/** While insertions wait, the chat sessions folder is also read this often (a watcher may be slow). */
const POLL_MS = 1500;

/**
 * Attributes to chat, after the fact, a block inserted before VS Code stored the answer it came
 * from (see `PendingChatInsertions`). When the answer appears, the insertion becomes chat only if
 * the document still holds exactly the inserted text at its (followed) place.
 */
export class ChatConfirmation implements vscode.Disposable {
  private readonly pending = new PendingChatInsertions();
  private poll: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services, private readonly history: ChatHistory) {
    this.disposables.push(
      history.onDidChange(() => this.confirm()),
      vscode.workspace.onDidCloseTextDocument((d) => this.pending.forget(storeKey(d.uri))),
    );
  }

  /** A person's insertion that may be a chat block not stored yet. */
  consider(documentKey: string, changes: readonly TextChange[], at: number): void {
    if (!this.history.folder) return;
    this.pending.add(documentKey, changes, at);
    if (this.pending.size > 0 && !this.poll) this.poll = setInterval(() => this.tick(), POLL_MS);
  }

  /** Every change of a document: waiting insertions follow it (cheap when nothing waits). */
  follow(documentKey: string, changes: readonly TextChange[]): void {
    if (this.pending.size > 0) this.pending.applyChanges(documentKey, changes);
  }

  private tick(): void {
    if (this.pending.current(Date.now()).length === 0) return this.stop();
    void this.history.refresh();
  }

  private stop(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  private confirm(): void {
    const blocks = this.history.codeBlocks();
    for (const p of this.pending.current(Date.now())) {
      const block = findChatCodeBlock(p.text, blocks, p.at);
      if (!block) continue;
      this.pending.remove(p);
      const document = openDocument(p.documentKey);
      const doc = this.services.store.get(p.documentKey);
      if (!document || !doc) continue;
      const start = document.positionAt(p.offset);
      const end = document.positionAt(p.offset + p.text.length);
      if (document.getText(new vscode.Range(start, end)) !== p.text || doc.rope.length !== documentLength(document)) continue;
      if (copiedFromOpenText(document)(p.text)) continue;
      const o = chatBlockOrigin(block);
      doc.setOrigin(p.offset, p.text, { ...o, timestamp: p.at });
      this.services.log.info(`chat by ${o.tool}${o.model ? ` (${o.model})` : ''}: ${p.text.length} chars in ${document.uri.fsPath || p.documentKey} [chatCodeBlock, confirmed when the answer was stored]`);
    }
    if (this.pending.size === 0) this.stop();
  }

  dispose(): void {
    this.stop();
    for (const d of this.disposables) d.dispose();
  }
}
