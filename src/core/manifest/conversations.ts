import { createHash } from 'crypto';
import { Origin, OriginKind } from '../provenance/origin';
import { hasSecrets } from '../prompts/redaction';
import { isObject, show } from '../json/jsonValue';

/**
 * Reasoning trails in the manifest: the conversations (chat requests, agent sessions) that AI
 * ranges came from, with their prompt as `aiProvenance.manifest.prompts` allows. Pure.
 *
 * A file entry lists the conversations its ranges name (`ranges[].conversation` is a
 * conversation's `id`, the request or session id the capture recorded). The manifest's `prompts`
 * field says which format and mode they are written in:
 * - `none`: the conversation (id, tool, model) only, no trace of the prompt;
 * - `hash`: plus `promptSha256`, the SHA-256 of the (redacted) prompt, which matches the local
 *   record without disclosing it;
 * - `text`: plus `prompt`, the prompt with secrets redacted, and the agent's transcript path.
 * Prompts are redacted when they are captured, before they are kept anywhere, so none of these
 * ever holds a secret the redaction list recognises; a verifier checks that again.
 */

export const PROMPT_MODES = ['none', 'hash', 'text'] as const;
export type PromptMode = (typeof PROMPT_MODES)[number];
export const DEFAULT_PROMPT_MODE: PromptMode = 'hash';
/** Version of the conversation entries' format (the manifest's `prompts.version`). */
export const CONVERSATIONS_VERSION = 1;
/** Origin kinds whose request id names a conversation (inline completions have none). */
const CONVERSATION_KINDS: readonly OriginKind[] = ['chat', 'inlineChat', 'agent'];

export interface ManifestPrompts {
  readonly version: typeof CONVERSATIONS_VERSION;
  readonly mode: PromptMode;
}

export interface ManifestConversation {
  /** The request or session id (what `ranges[].conversation` names). */
  readonly id: string;
  readonly kind: OriginKind;
  readonly tool: string;
  readonly model?: string;
  /** SHA-256 (hex) of the redacted prompt (`hash` and `text`). */
  readonly promptSha256?: string;
  /** The redacted prompt (`text` only). */
  readonly prompt?: string;
  /** Path of the agent's transcript on the machine that recorded it (`text` only). */
  readonly transcript?: string;
}

export function isPromptMode(v: unknown): v is PromptMode {
  return typeof v === 'string' && (PROMPT_MODES as readonly string[]).includes(v);
}

/** The conversation an origin came from (everything recorded; {@link withPromptMode} trims it), if any. */
export function conversationOf(origin: Origin): ManifestConversation | undefined {
  if (!origin.requestId || !CONVERSATION_KINDS.includes(origin.kind)) return undefined;
  return {
    id: origin.requestId,
    kind: origin.kind,
    tool: origin.tool,
    ...(origin.model !== undefined ? { model: origin.model } : {}),
    ...(origin.prompt !== undefined ? { prompt: origin.prompt } : {}),
    ...(origin.transcript !== undefined ? { transcript: origin.transcript } : {}),
    ...(origin.prompt === undefined && origin.promptSha256 !== undefined ? { promptSha256: origin.promptSha256 } : {}),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A conversation as the manifest stores it in `mode`. */
export function withPromptMode(c: ManifestConversation, mode: PromptMode): ManifestConversation {
  const out: { -readonly [K in keyof ManifestConversation]?: ManifestConversation[K] } = { id: c.id, kind: c.kind, tool: c.tool };
  if (c.model !== undefined) out.model = c.model;
  // A conversation carried from a manifest in `hash` mode has the hash without the prompt.
  if (mode !== 'none' && c.prompt !== undefined) out.promptSha256 = sha256(c.prompt);
  else if (mode !== 'none' && c.promptSha256 !== undefined) out.promptSha256 = c.promptSha256;
  if (mode === 'text' && c.prompt !== undefined) out.prompt = c.prompt;
  if (mode === 'text' && c.transcript !== undefined) out.transcript = c.transcript;
  return out as ManifestConversation;
}

/** The mode that discloses least of `modes` (none before hash before text), or undefined when none is given. */
export function strictestPromptMode(modes: ReadonlyArray<PromptMode | undefined>): PromptMode | undefined {
  let out: PromptMode | undefined;
  for (const m of modes) if (m !== undefined && (out === undefined || PROMPT_MODES.indexOf(m) < PROMPT_MODES.indexOf(out))) out = m;
  return out;
}

/** Checks the manifest's `prompts` field; returns the mode, or undefined when absent or invalid. */
export function checkPrompts(v: unknown, err: (path: string, message: string) => void): PromptMode | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    err('prompts', 'expected {version, mode}');
    return undefined;
  }
  if (v.version !== CONVERSATIONS_VERSION) {
    err('prompts.version', typeof v.version === 'number' && v.version > CONVERSATIONS_VERSION ? `version ${v.version} of the conversations is newer than this tool understands (${CONVERSATIONS_VERSION}); update AI Provenance` : `expected ${CONVERSATIONS_VERSION}, got ${show(v.version)}`);
    return undefined;
  }
  if (!isPromptMode(v.mode)) {
    err('prompts.mode', `expected one of ${PROMPT_MODES.join(', ')}, got ${show(v.mode)}`);
    return undefined;
  }
  return v.mode;
}

const SHA256_RE = /^[0-9a-f]{64}$/;
const FIELDS = new Set(['id', 'kind', 'tool', 'model', 'promptSha256', 'prompt', 'transcript']);

/**
 * Checks a file's `conversations` against its ranges and the manifest's prompt mode (`mode`
 * undefined: the manifest has no valid `prompts` field). Strict: unknown fields, duplicate ids, a
 * range naming a conversation that is not listed, a prompt the mode does not allow, a hash that
 * does not match the prompt, or a secret left in a prompt are errors.
 */
export function checkConversations(
  conversations: unknown,
  ranges: readonly unknown[],
  at: string,
  mode: PromptMode | undefined,
  hasPromptsField: boolean,
  e: (path: string, message: string) => void,
): void {
  const ids = new Set<string>();
  if (conversations !== undefined) {
    if (!hasPromptsField) e('conversations', 'present but the manifest has no "prompts" field');
    if (!Array.isArray(conversations)) return e('conversations', 'expected an array');
    conversations.forEach((c, i) => {
      const cp = `conversations[${i}]`;
      if (!isObject(c)) return e(cp, 'expected an object');
      for (const k of Object.keys(c)) if (!FIELDS.has(k)) e(`${cp}.${k}`, 'unknown field');
      if (typeof c.id !== 'string' || !c.id) e(`${cp}.id`, 'expected a non-empty string');
      else if (ids.has(c.id)) e(`${cp}.id`, `duplicate conversation ${c.id}`);
      else ids.add(c.id);
      if (typeof c.kind !== 'string' || !CONVERSATION_KINDS.includes(c.kind as OriginKind)) e(`${cp}.kind`, `expected one of ${CONVERSATION_KINDS.join(', ')}, got ${show(c.kind)}`);
      if (typeof c.tool !== 'string' || !c.tool) e(`${cp}.tool`, 'expected a non-empty string');
      if (c.model !== undefined && typeof c.model !== 'string') e(`${cp}.model`, 'expected a string');
      if (c.promptSha256 !== undefined && (typeof c.promptSha256 !== 'string' || !SHA256_RE.test(c.promptSha256))) e(`${cp}.promptSha256`, 'expected 64 lowercase hex digits');
      if (c.prompt !== undefined && typeof c.prompt !== 'string') e(`${cp}.prompt`, 'expected a string');
      if (c.transcript !== undefined && typeof c.transcript !== 'string') e(`${cp}.transcript`, 'expected a string');
      if (mode === 'none' && c.promptSha256 !== undefined) e(`${cp}.promptSha256`, 'present although prompts are "none"');
      if (mode !== 'text' && c.prompt !== undefined) e(`${cp}.prompt`, `prompt text present although prompts are ${show(mode ?? 'absent')}`);
      if (mode !== 'text' && c.transcript !== undefined) e(`${cp}.transcript`, `transcript present although prompts are ${show(mode ?? 'absent')}`);
      if (typeof c.prompt === 'string') {
        if (c.promptSha256 === undefined) e(`${cp}.promptSha256`, 'required with a prompt');
        else if (c.promptSha256 !== sha256(c.prompt)) e(`${cp}.promptSha256`, 'does not match the prompt');
        if (hasSecrets(c.prompt)) e(`${cp}.prompt`, 'holds a secret that was not redacted');
      }
    });
  }
  ranges.forEach((r, j) => {
    if (!isObject(r) || r.conversation === undefined) return;
    if (typeof r.conversation !== 'string' || !ids.has(r.conversation)) e(`ranges[${j}].conversation`, `names ${show(r.conversation)}, which ${at} does not list in its conversations`);
  });
}
