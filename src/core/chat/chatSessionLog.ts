/**
 * Reads a chat session as VS Code stores it in the workspace storage (`chatSessions/<id>.jsonl`,
 * or `<id>.json` from older versions). The `.jsonl` form is a log: the first line holds the whole
 * session (`kind` 0), later lines change it (`kind` 1 sets the value at a key path, `kind` 2
 * truncates the array at a key path to `i` items and appends `v`, `kind` 3 deletes the value).
 *
 * VS Code may be writing the file while we read it, so a line that does not parse ends the replay
 * and what was read before it is kept.
 */
import { isObject } from '../json/jsonValue';

export interface ChatSessionRead {
  /** The session object after every readable line; undefined when not even the first line was. */
  readonly session?: Record<string, unknown>;
  /** Why reading stopped early, if it did. */
  readonly problem?: string;
}

type Key = string | number;


function isKeyPath(v: unknown): v is Key[] {
  return Array.isArray(v) && v.every((k) => typeof k === 'string' || typeof k === 'number');
}

/** The container that holds the last key of `path`; undefined when the path does not exist. */
function parentOf(root: Record<string, unknown>, path: Key[]): Record<Key, unknown> | undefined {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<Key, unknown>)[key];
  }
  return typeof node === 'object' && node !== null ? (node as Record<Key, unknown>) : undefined;
}

function applyEntry(root: Record<string, unknown>, entry: Record<string, unknown>): string | undefined {
  const path = entry.k;
  if (!isKeyPath(path)) return 'an entry without a key path';
  if (path.length === 0) return undefined;
  const parent = parentOf(root, path);
  if (!parent) return `a key path that does not exist (${path.join('.')})`;
  const last = path[path.length - 1];
  switch (entry.kind) {
    case 1:
      parent[last] = entry.v;
      return undefined;
    case 3:
      delete parent[last];
      return undefined;
    case 2: {
      const current = parent[last];
      const items = Array.isArray(current) ? current : [];
      if (typeof entry.i === 'number') items.length = Math.max(0, Math.min(items.length, entry.i));
      if (Array.isArray(entry.v)) items.push(...entry.v);
      parent[last] = items;
      return undefined;
    }
    default:
      return `an entry of unknown kind ${JSON.stringify(entry.kind)}`;
  }
}

/** Replays a session file's text (either form). */
export function readChatSession(text: string): ChatSessionRead {
  const trimmed = text.trimStart();
  if (trimmed.length === 0) return { problem: 'the file is empty' };
  // The older form: one JSON object that is the session itself (it has no `kind` 0 wrapper).
  if (!trimmed.startsWith('{"kind"')) {
    try {
      const whole: unknown = JSON.parse(text);
      if (isObject(whole) && !('kind' in whole)) return { session: whole };
    } catch {
      // Not one JSON document: read it as a log below.
    }
  }
  let session: Record<string, unknown> | undefined;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line.length === 0) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      return { session, problem: `line ${n + 1} is not JSON (the file may be being written)` };
    }
    if (!isObject(entry)) return { session, problem: `line ${n + 1} is not an object` };
    if (entry.kind === 0) {
      if (!isObject(entry.v)) return { session, problem: `line ${n + 1} holds no session` };
      session = entry.v;
      continue;
    }
    if (!session) return { problem: `line ${n + 1} changes a session that was never written` };
    const problem = applyEntry(session, entry);
    if (problem) return { session, problem: `line ${n + 1}: ${problem}` };
  }
  return session ? { session } : { problem: 'no session in the file' };
}
