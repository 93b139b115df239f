import type { ChatCodeBlock, ChatRequestRecord } from '../chat/chatAnswers';
import { chatCodeBlocksContaining } from './chatCodeBlockMatch';

/**
 * Which chat request an edit made by chat or an agent came from, for its prompt (the reasoning
 * trail). Pure: the adapter gives the requests and code blocks of VS Code's stored chat sessions.
 *
 * - The edit names its request (`Chat.applyEdits` and `inlineChat.applyEdits` carry `requestId`
 *   and `sessionId` where the host reports an edit source): the stored request with that id, and
 *   only in the session the edit names. Not stored yet (VS Code writes a session a few seconds after
 *   an answer, and an agent's edits arrive while its request runs): wait for it.
 * - It names none: the rule of inserted chat blocks. Every inserted text must be, by whole lines,
 *   part of a code block of a stored answer, of the named session when the edit names one; all the
 *   blocks found must belong to one request. Blocks of two requests (or of two sessions) that hold
 *   the text are a guess: no prompt, as no prompt is better than a wrong one.
 */

/** What a chat edit names about where it came from (from its edit source; both may be absent). */
export interface ChatEditNames {
  readonly requestId?: string;
  readonly sessionId?: string;
}

export interface ChatConversationFacts {
  /** The stored request with this id, when VS Code stored it. */
  readonly request: (requestId: string) => ChatRequestRecord | undefined;
  /** Code blocks of the stored answers. */
  readonly blocks: readonly ChatCodeBlock[];
}

export type ChatEditConversation =
  /** The request found, with its (redacted) prompt. */
  | { readonly type: 'found'; readonly requestId: string; readonly prompt: string }
  /** The edit names a request that is not stored yet: its prompt may come later. */
  | { readonly type: 'wait'; readonly requestId: string }
  | { readonly type: 'none'; readonly why: string };

export function chatEditConversation(edit: ChatEditNames, inserted: readonly string[], facts: ChatConversationFacts, at?: number): ChatEditConversation {
  if (edit.requestId) {
    const request = facts.request(edit.requestId);
    if (!request) return { type: 'wait', requestId: edit.requestId };
    if (edit.sessionId && request.sessionId && request.sessionId !== edit.sessionId) return { type: 'none', why: 'the request is stored in another session than the edit names' };
    return request.prompt !== undefined ? { type: 'found', requestId: request.requestId, prompt: request.prompt } : { type: 'none', why: 'the request has no prompt' };
  }
  const texts = inserted.filter((t) => t.length > 0);
  if (texts.length === 0) return { type: 'none', why: 'nothing inserted' };
  const requests = new Map<string, ChatCodeBlock>();
  for (const text of texts) {
    const blocks = chatCodeBlocksContaining(text, facts.blocks, at).filter((b) => !edit.sessionId || b.sessionId === edit.sessionId);
    if (blocks.length === 0) return { type: 'none', why: 'an inserted text is in no stored answer' };
    for (const b of blocks) requests.set(`${b.sessionId ?? ''}\u0000${b.requestId ?? ''}`, b);
  }
  if (requests.size > 1) return { type: 'none', why: 'the inserted text is in the answers of more than one request' };
  const [block] = requests.values();
  if (!block.requestId || block.prompt === undefined) return { type: 'none', why: 'the answer has no request id or prompt' };
  return { type: 'found', requestId: block.requestId, prompt: block.prompt };
}
