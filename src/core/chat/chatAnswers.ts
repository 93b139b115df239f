import { fencedCodeBlocks } from './fencedCode';
import { isObject } from '../json/jsonValue';
import { redactPrompt } from '../prompts/redaction';

/** A code block of a chat answer, with what VS Code recorded about the request that produced it. */
export interface ChatCodeBlock {
  readonly text: string;
  /** The language model, as VS Code identifies it (`vendor/id`), when recorded. */
  readonly model?: string;
  readonly requestId?: string;
  /** The extension of the chat participant that answered, when recorded. */
  readonly participant?: string;
  /** When the answer completed (ms since the epoch), when recorded. */
  readonly completedAt?: number;
  /** The request's prompt as the user typed it, secrets redacted ({@link redactPrompt}). */
  readonly prompt?: string;
  /** The chat session the answer belongs to (VS Code's local session id), when recorded. */
  readonly sessionId?: string;
}

/** What a request's answer wrote into one file through the chat editing session (a `textEditGroup` part). */
export interface ChatFileEdit {
  /** The file's URI path (`/w/src/a.ts`), as VS Code recorded the edited file. */
  readonly path: string;
  /** The text of the group's edits, in order, joined by line breaks. */
  readonly text: string;
}

/** A request of a stored chat session: what a chat edit that names the request is matched with. */
export interface ChatRequestRecord {
  readonly requestId: string;
  readonly sessionId?: string;
  /** The prompt, secrets redacted ({@link redactPrompt}). */
  readonly prompt?: string;
  /** The language model that answered (`vendor/id`), when recorded. */
  readonly model?: string;
  /** The edits its answer made to files (agent and edit mode), when it made any. */
  readonly edits?: readonly ChatFileEdit[];
}


function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** VS Code writes model ids as `vendor/id`, and as `vendor|id` in edit sources: one form here. */
export function normaliseModelId(id: string | undefined): string | undefined {
  return id?.replace(/\|/g, '/');
}

/** The Markdown of a response: its text parts in order, other parts as paragraph breaks. */
function responseMarkdown(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  let out = '';
  for (const part of parts) {
    if (!isObject(part)) continue;
    const value = part.value;
    const isText = (part.kind === undefined || part.kind === 'markdownContent') && typeof value === 'string';
    if (isText) out += value;
    else if (isObject(value) && typeof value.value === 'string' && part.kind === 'markdownContent') out += value.value;
    else if (!out.endsWith('\n')) out += '\n';
  }
  return out;
}

/** The text of a request's message: VS Code stores it as `{text, parts}` (older sessions: a string). */
function promptOf(message: unknown): string | undefined {
  if (typeof message === 'string') return message;
  return isObject(message) ? str(message.text) : undefined;
}

/** The path of a URI as VS Code serialises it in a session (`{scheme, authority, path, ...}`, or a string). */
function uriPath(uri: unknown): string | undefined {
  if (isObject(uri)) return str(uri.path);
  const s = str(uri);
  const m = s && /^[a-z][\w+.-]*:\/\/[^/]*(\/[^?#]*)/i.exec(s);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/**
 * The edits a response made to files: its `textEditGroup` parts (`{kind, uri, edits: TextEdit[][]}`,
 * what a chat participant's `textEdit` and agent edit tools stream), one per part.
 */
function fileEditsOf(parts: unknown): ChatFileEdit[] {
  if (!Array.isArray(parts)) return [];
  const out: ChatFileEdit[] = [];
  for (const part of parts) {
    if (!isObject(part) || part.kind !== 'textEditGroup' || !Array.isArray(part.edits)) continue;
    const path = uriPath(part.uri);
    if (!path) continue;
    const texts: string[] = [];
    for (const group of part.edits) {
      if (!Array.isArray(group)) continue;
      for (const edit of group) if (isObject(edit) && typeof edit.text === 'string' && edit.text.length > 0) texts.push(edit.text);
    }
    if (texts.length > 0) out.push({ path, text: texts.join('\n') });
  }
  return out;
}

/**
 * Every request of a session read by `readChatSession` that has an id, answered or not (an agent's
 * edits arrive while its request runs), with its session, redacted prompt and the edits its answer
 * made to files.
 */
export function chatRequestsOf(session: Record<string, unknown>): ChatRequestRecord[] {
  const requests = session.requests;
  if (!Array.isArray(requests)) return [];
  const sessionId = str(session.sessionId);
  const out: ChatRequestRecord[] = [];
  for (const request of requests) {
    if (!isObject(request)) continue;
    const requestId = str(request.requestId);
    if (!requestId) continue;
    const prompt = redactPrompt(promptOf(request.message));
    const model = normaliseModelId(str(request.modelId));
    const edits = fileEditsOf(request.response);
    out.push({
      requestId,
      ...(sessionId ? { sessionId } : {}),
      ...(prompt !== undefined ? { prompt } : {}),
      ...(model ? { model } : {}),
      ...(edits.length > 0 ? { edits } : {}),
    });
  }
  return out;
}

/** Every code block of every answered request of a session read by `readChatSession`. */
export function chatCodeBlocksOf(session: Record<string, unknown>): ChatCodeBlock[] {
  const requests = session.requests;
  if (!Array.isArray(requests)) return [];
  const sessionId = str(session.sessionId);
  const blocks: ChatCodeBlock[] = [];
  for (const request of requests) {
    if (!isObject(request)) continue;
    const agent = isObject(request.agent) ? request.agent : undefined;
    const extensionId = agent && isObject(agent.extensionId) ? str(agent.extensionId.value) : undefined;
    const state = isObject(request.modelState) ? request.modelState : undefined;
    const base = {
      model: normaliseModelId(str(request.modelId)),
      requestId: str(request.requestId),
      participant: extensionId,
      completedAt: num(state?.completedAt) ?? num(request.responseTimestamp) ?? num(request.timestamp),
      prompt: redactPrompt(promptOf(request.message)),
      sessionId,
    };
    for (const text of fencedCodeBlocks(responseMarkdown(request.response))) {
      const block: Record<string, unknown> = { text };
      for (const [k, v] of Object.entries(base)) if (v !== undefined) block[k] = v;
      blocks.push(block as unknown as ChatCodeBlock);
    }
  }
  return blocks;
}
