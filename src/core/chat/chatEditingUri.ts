import { isObject } from '../json/jsonValue';

/**
 * Which chat session a chat editing session's document belongs to, read from the document's URI.
 * Pure. For each file a chat editing session edits, VS Code opens a document with the text before
 * the session's edits, `chat-editing-text-model:<file path>?<JSON>`; extensions see it among the
 * open text documents. Its JSON names the chat session: in VS Code 1.139 as `chatSessionResource`,
 * the session's URI (`vscode-chat-session://local/<the session id in base64>`), in earlier versions
 * as `chatSessionId`. Snapshot documents (`chat-editing-snapshot-text-model:`) name it as `session`
 * (a URI) or `sessionId`. Only local sessions (whose id is the name of their file in the chat
 * session store) are read; anything else gives undefined.
 */

const SESSION_SCHEME = 'vscode-chat-session';
/** A session id as VS Code makes them (a UUID), and nothing that merely decodes. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{7,99}$/;

function fromBase64(s: string): string | undefined {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(s)) return undefined;
  const decoded = Buffer.from(s, 'base64').toString('utf8');
  return SESSION_ID.test(decoded) ? decoded : undefined;
}

/** The local session id of a chat session URI, given as `{scheme, authority, path}` or as a string. */
function localSessionId(resource: unknown): string | undefined {
  let scheme: unknown;
  let authority: unknown;
  let path: unknown;
  if (isObject(resource)) ({ scheme, authority, path } = resource);
  else if (typeof resource === 'string') {
    const m = /^([a-z-]+):\/\/([^/]*)(\/.*)$/.exec(resource);
    if (!m) return undefined;
    [, scheme, authority, path] = m;
  }
  if (scheme !== SESSION_SCHEME || authority !== 'local' || typeof path !== 'string') return undefined;
  return fromBase64(path.replace(/^\//, ''));
}

function parseQuery(query: string): Record<string, unknown> | undefined {
  for (const text of [query, safeDecode(query)]) {
    try {
      const v: unknown = JSON.parse(text);
      if (isObject(v)) return v;
    } catch {
      // not JSON: try the decoded form, then give up
    }
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The chat session named by a chat editing document's URI query; undefined when it names none we can read. */
export function chatEditingSessionId(query: string): string | undefined {
  const q = parseQuery(query);
  if (!q) return undefined;
  for (const id of [q.chatSessionId, q.sessionId]) if (typeof id === 'string' && SESSION_ID.test(id)) return id;
  return localSessionId(q.chatSessionResource) ?? localSessionId(q.session);
}

/** True when a chat editing document's URI query names the file at `path` (encoded or not). */
export function chatEditingQueryNames(query: string, path: string): boolean {
  return safeDecode(query).includes(path);
}
