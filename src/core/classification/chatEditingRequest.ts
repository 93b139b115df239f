import type { ChatCodeBlock, ChatRequestRecord } from '../chat/chatAnswers';
import { isMatchable, normaliseCode } from './chatCodeBlockMatch';
import { chatEditConversation } from './chatEditConversation';

/**
 * Which stored chat request wrote text that the chat-editing-session rule recorded (VS Code
 * Stable, where no edit source names the request), for its prompt. Pure.
 *
 * VS Code's chat session store keeps, with each request, the edits its answer made to files
 * (`textEditGroup` parts: the file and the text of each edit, what agent edit tools and a
 * participant's `textEdit` stream). Text recorded in a file while a chat editing session edited it
 * comes from the request whose edits of that very file hold it:
 * - the text has at least 16 non-blank characters (as for chat code blocks: shorter text, a `}`,
 *   is in too many edits to tell anything);
 * - the request's edits of the same file hold it (lines trimmed and blank lines dropped on both
 *   sides, as an editor may re-indent; part of a line at either end is allowed);
 * - when the chat session of the edit is known (VS Code's chat editing document names it), only
 *   that session's requests count;
 * - exactly one request holds it. Two requests (a later one that rewrote the same lines, or two
 *   sessions) are a guess: no prompt, as no prompt is better than a wrong one.
 * A code block's *Apply* runs in an editing session of its own, whose request VS Code never
 * stores: no request's edits hold its text. Only when the caller gives code blocks (once the text
 * has waited long enough for its own request to be stored) is that text looked for in the stored
 * answers' code blocks, by the rule of inserted blocks (`chatEditConversation`: by whole lines, in
 * the answers of exactly one request, of any session, as *Apply* is; answers completed by `at`).
 */

export interface ChatEditingText {
  /** The URI path of the file the text is in. */
  readonly path: string;
  readonly text: string;
  /** The chat session whose editing session made the edit, when known. */
  readonly sessionId?: string;
}

export type ChatEditingRequest =
  | { readonly type: 'found'; readonly requestId: string; readonly sessionId?: string; readonly prompt: string; readonly model?: string }
  /** `later`: a request stored later may still settle it (none holds the text yet). */
  | { readonly type: 'none'; readonly why: string; readonly later: boolean };

/** Windows paths (`/c:/...`) compare without case; others exactly. */
function samePath(a: string, b: string): boolean {
  return a === b || (/^\/[a-z]:\//i.test(a) && a.toLowerCase() === b.toLowerCase());
}

export function chatEditingRequest(edit: ChatEditingText, requests: readonly ChatRequestRecord[], blocks?: { readonly blocks: readonly ChatCodeBlock[]; readonly at: number }): ChatEditingRequest {
  if (!isMatchable(edit.text)) return { type: 'none', why: 'the text is too short to match', later: false };
  const needle = normaliseCode(edit.text);
  const holders = requests.filter((r) => {
    if (edit.sessionId && r.sessionId !== edit.sessionId) return false;
    const written = (r.edits ?? []).filter((e) => samePath(e.path, edit.path)).map((e) => e.text);
    return written.length > 0 && normaliseCode(written.join('\n')).includes(needle);
  });
  const ids = new Set(holders.map((r) => `${r.sessionId ?? ''}\u0000${r.requestId}`));
  if (ids.size === 0) {
    const inBlock = blocks && chatEditConversation({}, [edit.text], { request: () => undefined, blocks: blocks.blocks }, blocks.at);
    if (inBlock?.type === 'found') return { type: 'found', requestId: inBlock.requestId, prompt: inBlock.prompt };
    return { type: 'none', why: 'no stored request edited this file with this text', later: true };
  }
  if (ids.size > 1) return { type: 'none', why: 'the edits of more than one request hold the text', later: false };
  const [request] = holders;
  if (request.prompt === undefined) return { type: 'none', why: 'the request has no prompt', later: false };
  return {
    type: 'found',
    requestId: request.requestId,
    ...(request.sessionId ? { sessionId: request.sessionId } : {}),
    prompt: request.prompt,
    ...(request.model ? { model: request.model } : {}),
  };
}
