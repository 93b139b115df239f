import * as vscode from 'vscode';
import { ChangeFacts, classifyChange } from '../core/classification/classifier';
import { MIN_MATCH_CHARS } from '../core/classification/chatCodeBlockMatch';
import { DocumentProvenance, TextChange } from '../core/provenance/provenanceStore';
import { Services, openDocument, storeKey } from '../services';
import { AcceptInterception } from './acceptInterception';
import { CarriedText } from './carriedText';
import { ChatConfirmation } from './chatConfirmation';
import { ChatContext } from './chatContext';
import { ChatEditPrompts } from './chatEditPrompts';
import { ChatHistory } from './chatHistory';
import { copiedFromOpenText } from './openText';
import { ReloadDetector } from './reloadDetector';
import { inlineToolName } from './inlineTool';
import { documentLength, whyNotTracked } from './trackable';

/**
 * VS Code events -> classification -> provenance store. Per keystroke this does: map the content
 * changes, classify (constant work for typing), update the rope (O(log n)), fire the store event
 * (listeners only schedule work). Nothing reads the whole document on a keystroke.
 */
/** How long after the last change the rope's length is compared with the document's. */
const LENGTH_CHECK_MS = 500;
/** Facts of a change that inserts nothing long enough to be a chat block. */
const NO_BLOCKS: ChangeFacts['chatCodeBlocks'] = [];
/** Sources whose insertions are never moved or copied text (they write their own text). */
const NO_CARRY_RULES = new Set(['editSource:snippet', 'editSource:suggest']);

export class ChangeCapture implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly untracked = new Map<string, string>();
  private isEnabled = true;
  private readonly lengthChecks = new Set<string>();
  private lengthTimer: NodeJS.Timeout | undefined;
  private readonly reloads: ReloadDetector;
  private readonly carried: CarriedText;
  private readonly chatPrompts: ChatEditPrompts;

  constructor(
    private readonly services: Services,
    private readonly accepts: AcceptInterception,
    private readonly chat: ChatContext,
    private readonly chatHistory: ChatHistory,
    private readonly chatConfirmation: ChatConfirmation,
  ) {
    this.reloads = new ReloadDetector(services);
    this.carried = new CarriedText(services);
    this.chatPrompts = new ChatEditPrompts(services, chatHistory);
    this.disposables.push(
      this.reloads,
      this.carried,
      this.chatPrompts,
      vscode.workspace.onDidOpenTextDocument((d) => this.track(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.untracked.delete(storeKey(d.uri))),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('aiProvenance')) this.readSettings();
      }),
    );
    this.readSettings();
    for (const d of vscode.workspace.textDocuments) this.track(d);
  }

  /** Why the document is not tracked, if it is not. */
  reasonNotTracked(document: vscode.TextDocument): string | undefined {
    return this.untracked.get(storeKey(document.uri)) ?? whyNotTracked(document);
  }

  /** Starts tracking an open document (no-op when tracked already or not trackable). */
  track(document: vscode.TextDocument): boolean {
    const key = storeKey(document.uri);
    const why = whyNotTracked(document);
    if (why) {
      if (!this.untracked.has(key) && document.uri.scheme === 'file') this.services.log.info(`not tracking ${document.uri.fsPath}: ${why}`);
      this.untracked.set(key, why);
      return false;
    }
    this.untracked.delete(key);
    if (!this.services.store.get(key)) this.services.store.getOrCreate(key, documentLength(document));
    return true;
  }

  private readSettings(): void {
    this.isEnabled = vscode.workspace.getConfiguration('aiProvenance').get<boolean>('enabled', true);
  }

  private onChange(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return;
    const document = event.document;
    const key = storeKey(document.uri);
    let doc = this.services.store.get(key);
    if (!doc) {
      if (this.untracked.has(key) || whyNotTracked(document)) return;
      // Opened before we were listening: it starts from here with nothing attributed.
      const changesLength = event.contentChanges.reduce((n, c) => n + c.text.length - c.rangeLength, 0);
      doc = this.services.store.getOrCreate(key, documentLength(document) - changesLength);
    }
    // One editor event is one change of the store: its event fires once, after all of it.
    this.services.store.batch(() => this.record(event, key, doc!), { undoRedo: event.reason !== undefined });
  }

  /** Records one text change event in the document's provenance `doc`. */
  private record(event: vscode.TextDocumentChangeEvent, key: string, doc: DocumentProvenance): void {
    const document = event.document;
    try {
      const changes: TextChange[] = event.contentChanges.map((c) => ({ offset: c.rangeOffset, deleteLength: c.rangeLength, text: c.text }));
      const pending = this.accepts.pending;
      if (!this.isEnabled) {
        doc.applyChanges(changes, { type: 'human' });
      } else {
        this.chatConfirmation.follow(key, changes);
        const facts = this.facts(event, key, changes, pending);
        const result = classifyChange(facts);
        const removed = this.carried.beforeChange(key, doc, changes, facts.now, result.attribution.type === 'restore');
        doc.applyChanges(result.changes, result.attribution);
        // A chat edit whose request VS Code has not stored yet gets its prompt when it is stored.
        if (result.awaitingPrompt) this.chatPrompts.await(result.awaitingPrompt.requestId, result.awaitingPrompt.sessionId, facts.now);
        // Text recorded by the chat-editing-session rule: its request is looked for once stored.
        if (result.awaitingEditingRequest) this.chatPrompts.awaitEditing(key, facts.now);
        // Moved or copied AI text gets its origin back (a person's change, or a reload from disk).
        const a = result.attribution;
        const carry = (a.type === 'human' && !NO_CARRY_RULES.has(result.rule)) || (a.type === 'origin' && a.origin.kind === 'unknown');
        const carried = this.carried.afterChange(document, doc, result.changes, removed, carry, facts.now);
        if (carried > 0) this.services.log.info(`${carried} chars of moved or copied AI text keep their origin in ${document.uri.fsPath || key} [carried]`);
        // A block inserted before VS Code stored the chat answer it came from is matched later.
        if (result.attribution.type === 'human' && result.rule !== 'editSource:typing' && facts.chatCodeBlocks !== NO_BLOCKS) {
          this.chatConfirmation.consider(key, result.changes, facts.now);
        }
        // The dirty flag lags the event: here it still tells whether the document was clean before
        // the change, which a reload from disk requires. Typing into a dirty file costs nothing.
        if (result.attribution.type === 'human' && facts.detailedReason === undefined && !document.isDirty) this.reloads.note(document, result.changes);
        if (result.attribution.type === 'origin') {
          const o = result.attribution.origin;
          this.services.log.info(
            `${o.kind} by ${o.tool}${o.model ? ` (${o.model})` : ''}: ${result.changes.reduce((n, c) => n + c.text.length, 0)} chars in ${document.uri.fsPath || key} [${result.rule}]`,
          );
        } else if (result.rule !== 'default' && result.rule !== 'editSource:typing') {
          this.services.log.trace(`${result.attribution.type} change in ${key} [${result.rule}]`);
        }
      }
      if (pending?.documentKey === key) this.accepts.clear(key);
      this.scheduleLengthCheck(key);
    } catch (err) {
      this.services.log.error(`could not record a change in ${key}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      this.services.store.getOrCreate(key, 0).verifyAgainst(document.getText());
    }
  }

  private facts(event: vscode.TextDocumentChangeEvent, key: string, changes: TextChange[], pending: ChangeFacts['pending']): ChangeFacts {
    const document = event.document;
    const bigInsert = changes.some((c) => c.text.length >= MIN_MATCH_CHARS);
    const session = bigInsert && this.chat.hasEditingSession(document.uri);
    return {
      documentKey: key,
      version: document.version,
      reason:
        event.reason === vscode.TextDocumentChangeReason.Undo ? 'undo' : event.reason === vscode.TextDocumentChangeReason.Redo ? 'redo' : undefined,
      detailedReason: (event as { detailedReason?: unknown }).detailedReason,
      changes,
      pending,
      chatCodeBlocks: bigInsert ? this.chatHistory.codeBlocks() : NO_BLOCKS,
      chatRequest: (id) => this.chatHistory.request(id),
      copiedFromOpenText: copiedFromOpenText(document),
      chatEditingSession: session,
      chatEditingSessions: session ? this.chat.editingSessions(document.uri) : undefined,
      cursorOffsets: session ? this.cursorOffsets(document) : [],
      soleChatModel: this.chat.soleChatModel(),
      inlineTool: pending?.tool ?? inlineToolName(this.services.context.extension.id),
      now: Date.now(),
    };
  }

  private cursorOffsets(document: vscode.TextDocument): number[] {
    return vscode.window.visibleTextEditors
      .filter((e) => e.document === document)
      .flatMap((e) => e.selections.map((s) => document.offsetAt(s.active)));
  }

  /**
   * A safety net: the document's length costs O(lines) to read, so it is compared with the rope's
   * once typing pauses, not on every keystroke. A rope out of step is checked against the text.
   */
  private scheduleLengthCheck(key: string): void {
    this.lengthChecks.add(key);
    if (!this.lengthTimer) this.lengthTimer = setTimeout(() => this.checkLengths(), LENGTH_CHECK_MS);
  }

  private checkLengths(): void {
    this.lengthTimer = undefined;
    const keys = [...this.lengthChecks];
    this.lengthChecks.clear();
    for (const key of keys) {
      const document = openDocument(key);
      const doc = this.services.store.get(key);
      if (!document || !doc || doc.rope.length === documentLength(document)) continue;
      const dropped = doc.verifyAgainst(document.getText());
      this.services.log.warn(`provenance of ${key} was out of step with the text; resynchronised (${dropped} characters unmarked)`);
    }
  }

  dispose(): void {
    if (this.lengthTimer) clearTimeout(this.lengthTimer);
    for (const d of this.disposables) d.dispose();
  }
}
