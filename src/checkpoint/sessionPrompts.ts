import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomicSync } from '../core/persistence/atomicWrite';
import { acquireLockSync } from '../core/persistence/lock';
import { redactPrompt } from '../core/prompts/redaction';

/**
 * The last prompt of each agent session, for the reasoning trail of what the agent then writes.
 * An agent's prompt hook (Claude Code's `UserPromptSubmit` sends `session_id`, `prompt` and
 * `transcript_path`) saves it; the `--after` checkpoint of the same session attaches it to the
 * agent's ranges. The prompt is redacted before it is written. Read-modify-write happens under
 * the state lock, as for the pending snapshots.
 *
 * `<git dir>/ai-provenance/checkpoints/prompts-<agent>.json`:
 *   { schema: "ai-provenance/prompts", version: 1, sessions: { "<id>": { prompt, at } } }
 */

export const PROMPTS_SCHEMA = 'ai-provenance/prompts';
/** A session's prompt older than this is dropped (a session idle for a day is over). */
export const SESSION_PROMPT_MAX_AGE_MS = 24 * 60 * 60_000;

interface SessionPrompts {
  readonly schema: typeof PROMPTS_SCHEMA;
  readonly version: 1;
  readonly sessions: Record<string, { readonly prompt: string; readonly at: number }>;
}

function read(file: string): SessionPrompts['sessions'] {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
  const s = v as Partial<SessionPrompts> | null;
  if (!s || s.schema !== PROMPTS_SCHEMA || s.version !== 1 || typeof s.sessions !== 'object' || s.sessions === null) return {};
  const out: Record<string, { prompt: string; at: number }> = {};
  for (const [id, e] of Object.entries(s.sessions)) {
    if (e && typeof e.prompt === 'string' && typeof e.at === 'number') out[id] = { prompt: e.prompt, at: e.at };
  }
  return out;
}

/** Saves `prompt` (redacted) as the last prompt of `session`; returns what was kept. */
export function saveSessionPrompt(stateDir: string, file: string, session: string, prompt: string, now: number): string | undefined {
  const kept = redactPrompt(prompt);
  if (!kept) return undefined;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const release = acquireLockSync(stateDir);
  try {
    const sessions = read(file);
    for (const [id, e] of Object.entries(sessions)) if (now - e.at > SESSION_PROMPT_MAX_AGE_MS) delete sessions[id];
    sessions[session] = { prompt: kept, at: now };
    const next: SessionPrompts = { schema: PROMPTS_SCHEMA, version: 1, sessions };
    writeFileAtomicSync(file, JSON.stringify(next));
  } finally {
    release();
  }
  return kept;
}

/** The last prompt saved for `session`, when recent enough. */
export function sessionPrompt(file: string, session: string, now: number): string | undefined {
  const e = read(file)[session];
  return e && now - e.at <= SESSION_PROMPT_MAX_AGE_MS ? e.prompt : undefined;
}
