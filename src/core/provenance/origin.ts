/**
 * Who produced a piece of text. Pure data: no `vscode` import.
 *
 * `unknown` is text that arrived from outside the editor with no checkpoint telling who wrote it
 * (a file changed on disk). It is neither human nor AI and counts as neither.
 */
export const ORIGIN_KINDS = [
  'inline',
  'inlinePartial',
  'nextEdit',
  'chat',
  'inlineChat',
  'agent',
  'paste-from-ai',
  'manual',
  'unknown',
] as const;

export type OriginKind = (typeof ORIGIN_KINDS)[number];

export interface Origin {
  readonly kind: OriginKind;
  /** Provider extension id (e.g. `github.copilot`), agent name, or a generic label. */
  readonly tool: string;
  /** Model id when known. */
  readonly model?: string;
  /** Request or session id when known; accepts of one suggestion share it. */
  readonly requestId?: string;
  /**
   * Set on AI text copied from elsewhere (a selection pasted, text moved in from another file):
   * where it was copied from (a workspace-relative path). The rest of the origin is the source's.
   */
  readonly copiedFrom?: string;
  /** The prompt of the chat request or agent session, secrets already redacted (`redactPrompt`). */
  readonly prompt?: string;
  /** Path of the agent's transcript, when its hook reported one. */
  readonly transcript?: string;
  /**
   * SHA-256 of the (redacted) prompt when only that is known: lines carried from a manifest
   * written with prompts `hash` (an amend, rebase, cherry-pick or squash of its commit).
   */
  readonly promptSha256?: string;
  /** Milliseconds since the epoch when this origin was first recorded. */
  readonly timestamp: number;
}

export function isOriginKind(value: unknown): value is OriginKind {
  return typeof value === 'string' && (ORIGIN_KINDS as readonly string[]).includes(value);
}

/** True for every kind that declares AI-produced text. */
export function isAiKind(kind: OriginKind): boolean {
  return kind !== 'unknown';
}

/**
 * Two origins with the same key describe the same source; adjacent text from them merges. Whether
 * the prompt is known is part of the key: text recorded before its request's prompt was found
 * (a chat edit that arrives before VS Code stores the request) is a different entry from text
 * recorded with it, so the prompt found later is given to that text by marking it again with the
 * fuller origin, in the live table and in the saved one alike.
 */
export function originKey(origin: Origin): string {
  return [origin.kind, origin.tool, origin.model ?? '', origin.requestId ?? '', origin.copiedFrom ?? '', origin.prompt === undefined ? '' : 'prompt'].join('\u0000');
}

/** A short human label, e.g. `github.copilot:gpt-4o` or `claude-code`. */
export function toolLabel(origin: Pick<Origin, 'tool' | 'model'>): string {
  return origin.model ? `${origin.tool}:${origin.model}` : origin.tool;
}
