import { Origin } from '../provenance/origin';
import { ChangeAttribution, TextChange } from '../provenance/provenanceStore';
import { ChatCodeBlock, ChatRequestRecord, normaliseModelId } from '../chat/chatAnswers';
import { findChatCodeBlock, isMatchable } from './chatCodeBlockMatch';
import { chatEditConversation } from './chatEditConversation';
import { EditSource, readEditSource } from './editSource';
import { normaliseToolId } from './toolId';
import { PENDING_ACCEPT_TTL_MS, PendingAccept, isAtCursor, narrowToNewText } from './pendingAccept';

/**
 * Classifies one `onDidChangeTextDocument` event. Pure: the adapter gathers the facts.
 *
 * Order of evidence (first that applies wins):
 * 1. undo/redo: text that comes back regains its earlier attribution, nothing else;
 * 2. VS Code's edit source (`detailedReason`, only where proposed APIs are on);
 * 3. an intercepted inline-suggestion accept (our keybindings) tied to this very change;
 * 4. (a reload from disk on Stable is recognised after the fact by the adapter: see
 *    `ReloadDetector`; it cannot be decided from the event alone);
 * 5. inserted (or pasted) text found in a code block of a recorded chat answer: chat;
 * 6. an edit to a file under a chat editing session, away from every cursor: chat; at a cursor,
 *    with no edit source to tell, lines of text (a line break and 16+ non-blank characters, which
 *    typing never inserts at once) could be the agent's or a paste: `unknown`, never human;
 * 7. everything else is a person's edit.
 */
export interface ChangeFacts {
  readonly documentKey: string;
  /** Document version after the change. */
  readonly version: number;
  readonly reason?: 'undo' | 'redo';
  /** `TextDocumentChangeEvent.detailedReason` when the host provides it. */
  readonly detailedReason?: unknown;
  readonly changes: readonly TextChange[];
  /** The latest intercepted accept, if any. */
  readonly pending?: PendingAccept;
  /** Code blocks of the chat answers known now (from VS Code's stored chat sessions). */
  readonly chatCodeBlocks: readonly ChatCodeBlock[];
  /** The stored chat request with this id, when known (for the prompt of a chat edit that names it). */
  readonly chatRequest?: (requestId: string) => ChatRequestRecord | undefined;
  /**
   * True when the inserted text is also found (by whole lines) in open text outside this insertion:
   * then it was copied from the user's files, even if a chat answer quotes it. Asked only when a
   * chat block matched.
   */
  readonly copiedFromOpenText?: (inserted: string) => boolean;
  /** A chat editing session currently edits this file. */
  readonly chatEditingSession: boolean;
  /** The chat sessions whose editing sessions edit this file, when VS Code names them (see `chatEditingSessionId`). */
  readonly chatEditingSessions?: readonly string[];
  /** Cursor offsets of the document's editors before the change (empty when it has none). */
  readonly cursorOffsets: readonly number[];
  /** The chat model to name when the edit source does not: set only when exactly one is available. */
  readonly soleChatModel?: string;
  /** The inline-completion tool to name when nothing better is known. */
  readonly inlineTool: string;
  readonly now: number;
}

export interface Classification {
  readonly attribution: ChangeAttribution;
  /** The changes to apply: identical to the event's, or narrowed to what really changed. */
  readonly changes: readonly TextChange[];
  /** True when the pending accept was used up by this change. */
  readonly consumedPending: boolean;
  /** Which rule decided, for the log. */
  readonly rule: string;
  /**
   * Set when the change is a chat edit naming a request VS Code has not stored yet: the prompt of
   * that request is to be given to its text once the request is stored.
   */
  readonly awaitingPrompt?: { readonly requestId: string; readonly sessionId?: string };
  /**
   * Set when the change was recorded by the chat-editing-session rule: its request (and prompt) is
   * looked for in the stored chat sessions once its answer is stored (`chatEditingRequest`).
   */
  readonly awaitingEditingRequest?: boolean;
}

export const UNKNOWN_DISK_TOOL = 'disk';
export const CHAT_TOOL = 'chat';
export const CHAT_EDITING_TOOL = 'chat editing session';

function human(facts: ChangeFacts, rule: string): Classification {
  return { attribution: { type: 'human' }, changes: facts.changes, consumedPending: false, rule };
}

function origin(facts: ChangeFacts, o: Omit<Origin, 'timestamp'>, rule: string, extra?: Partial<Classification>): Classification {
  const clean: Origin = { ...o, timestamp: facts.now };
  if (clean.model === undefined) delete (clean as { model?: string }).model;
  if (clean.requestId === undefined) delete (clean as { requestId?: string }).requestId;
  if (clean.prompt === undefined) delete (clean as { prompt?: string }).prompt;
  return { attribution: { type: 'origin', origin: clean }, changes: facts.changes, consumedPending: false, rule, ...extra };
}

function inserts(facts: ChangeFacts): boolean {
  return facts.changes.some((c) => c.text.length > 0);
}

/** The pending accept when it belongs to this change (same document, next version, in time). */
export function matchingPending(facts: ChangeFacts): PendingAccept | undefined {
  const p = facts.pending;
  if (!p || p.documentKey !== facts.documentKey) return undefined;
  if (facts.version !== p.version + 1) return undefined;
  if (facts.now - p.at > PENDING_ACCEPT_TTL_MS || facts.now < p.at) return undefined;
  if (!inserts(facts)) return undefined;
  // Word and line accepts extend the suggestion at the cursor; a Tab accept may also take a
  // next-edit suggestion shown elsewhere in the file.
  if (p.kind === 'inlinePartial' && !facts.changes.some((c) => isAtCursor(c, p.cursors))) return undefined;
  return p;
}

function fromInlineSource(facts: ChangeFacts, source: Extract<EditSource, { type: 'inline' }>, pending: PendingAccept | undefined): Classification {
  // A word or line accept (our keybinding) that takes the last piece of a suggestion completes
  // it, and the edit source then reports a whole accept; on VS Code Stable only the keybinding is
  // known. The person accepted piece by piece: the same kind on both.
  const kind = source.nextEdit ? 'nextEdit' : source.partial || pending?.kind === 'inlinePartial' ? 'inlinePartial' : 'inline';
  const changes = pending ? facts.changes.map((c) => narrowToNewText(c, pending.cursors)) : facts.changes;
  return origin(
    facts,
    { kind, tool: source.extensionId ? normaliseToolId(source.extensionId) : pending?.tool ?? facts.inlineTool, requestId: source.requestId },
    'editSource:inline',
    { changes, consumedPending: !!pending },
  );
}

/** The request and prompt behind a chat edit (see `chatEditConversation`). */
function conversation(facts: ChangeFacts, names: { requestId?: string; sessionId?: string }) {
  const inserted = facts.changes.map((c) => c.text);
  return chatEditConversation(names, inserted, { request: facts.chatRequest ?? (() => undefined), blocks: facts.chatCodeBlocks }, facts.now);
}

function fromChatSource(facts: ChangeFacts, source: Extract<EditSource, { type: 'chat' }>): Classification {
  const kind = source.inline ? 'inlineChat' : source.mode === 'agent' ? 'agent' : 'chat';
  const found = conversation(facts, { requestId: source.requestId, sessionId: source.sessionId });
  return origin(
    facts,
    {
      kind,
      tool: source.extensionId ? normaliseToolId(source.extensionId) : CHAT_TOOL,
      model: normaliseModelId(source.model) ?? facts.soleChatModel,
      requestId: found.type === 'found' ? found.requestId : source.requestId ?? source.sessionId,
      prompt: found.type === 'found' ? found.prompt : undefined,
    },
    'editSource:chat',
    found.type === 'wait' ? { awaitingPrompt: { requestId: found.requestId, ...(source.sessionId ? { sessionId: source.sessionId } : {}) } } : undefined,
  );
}

/** The origin of text taken from a chat answer's code block. */
export function chatBlockOrigin(block: ChatCodeBlock): Omit<Origin, 'timestamp'> {
  return { kind: 'chat', tool: block.participant ? normaliseToolId(block.participant) : CHAT_TOOL, model: block.model, requestId: block.requestId, prompt: block.prompt };
}

/**
 * `sourceKnown`: the host named the edit's source (a paste, an unnamed edit), so a change at the
 * cursor is not an agent's edit of a chat editing session (those come as `Chat.applyEdits`).
 */
function chatRules(facts: ChangeFacts, sourceKnown = false): Classification | undefined {
  const insertions = facts.changes.filter((c) => c.text.length > 0);
  if (insertions.length === 0) return undefined;
  if (facts.chatCodeBlocks.length > 0) {
    const blocks = insertions.map((c) => findChatCodeBlock(c.text, facts.chatCodeBlocks, facts.now));
    if (blocks.every((b) => b !== undefined)) {
      if (facts.copiedFromOpenText && insertions.some((c) => facts.copiedFromOpenText!(c.text))) return human(facts, 'chatCodeBlock:copiedFromOpenText');
      return origin(facts, chatBlockOrigin(blocks[0]!), 'chatCodeBlock');
    }
  }
  if (facts.chatEditingSession) {
    // The chat session, when exactly one editing session edits the file: the conversation until
    // the request itself is found in the stored sessions.
    const sessions = facts.chatEditingSessions ?? [];
    const requestId = sessions.length === 1 ? sessions[0] : undefined;
    const awayFromCursors = insertions.every((c) => !facts.cursorOffsets.some((o) => c.offset <= o && o <= c.offset + c.deleteLength));
    if (awayFromCursors) {
      return origin(facts, { kind: 'chat', tool: CHAT_EDITING_TOOL, model: facts.soleChatModel, requestId }, 'chatEditingSession', { awaitingEditingRequest: true });
    }
    // An agent also writes where the cursor rests (a file just opened has it at the start). On
    // Stable nothing tells that from a paste: lines of text there are unknown, typing stays human
    // (until the stored request shows it wrote exactly that text into this file).
    if (!sourceKnown && insertions.some((c) => /[\r\n]/.test(c.text) && isMatchable(c.text))) {
      return origin(facts, { kind: 'unknown', tool: CHAT_EDITING_TOOL, requestId }, 'chatEditingSession:atCursor', { awaitingEditingRequest: true });
    }
  }
  return undefined;
}

export function classifyChange(facts: ChangeFacts): Classification {
  if (facts.reason === 'undo' || facts.reason === 'redo') {
    return { attribution: { type: 'restore' }, changes: facts.changes, consumedPending: false, rule: facts.reason };
  }
  const pending = matchingPending(facts);
  const source = readEditSource(facts.detailedReason);
  if (source) {
    switch (source.type) {
      case 'inline':
        return fromInlineSource(facts, source, pending);
      case 'chat':
        return fromChatSource(facts, source);
      case 'chatUndo':
        return { attribution: { type: 'restore' }, changes: facts.changes, consumedPending: false, rule: 'editSource:chatUndo' };
      case 'reloadFromDisk':
        return origin(facts, { kind: 'unknown', tool: UNKNOWN_DISK_TOOL }, 'editSource:reloadFromDisk');
      case 'unnamed':
        return chatRules(facts, true) ?? human(facts, 'editSource:unknown');
      case 'typing':
        return human(facts, 'editSource:typing');
      case 'paste':
        return chatRules(facts, true) ?? human(facts, 'editSource:paste');
      case 'other':
        return human(facts, `editSource:${source.source}`);
    }
  }
  if (pending) {
    const changes = facts.changes.map((c) => narrowToNewText(c, pending.cursors));
    const atCursor = facts.changes.some((c) => isAtCursor(c, pending.cursors));
    const kind = pending.kind === 'inline' && !atCursor ? 'nextEdit' : pending.kind;
    return origin(facts, { kind, tool: pending.tool }, 'keybinding', { changes, consumedPending: true });
  }
  return chatRules(facts) ?? human(facts, 'default');
}
