/**
 * Secret redaction for prompt text, applied before a prompt is kept anywhere (the provenance
 * state, the staged snapshot, a manifest, a note). Pure: no `vscode` import.
 *
 * Each rule is a bounded pattern (every repetition has an upper bound or is a single character
 * class that cannot overlap the next part), so a long line costs linear time. What a rule matches
 * is replaced by `[REDACTED:<rule>]`; for assignments and connection strings only the value goes,
 * the name stays, so the prompt still reads. A false redaction of ordinary text costs
 * readability only; a secret left in place is the failure this guards against.
 */

export interface Redaction {
  /** The text with every secret replaced. */
  readonly text: string;
  /** Number of secrets replaced, per rule id. */
  readonly counts: Readonly<Record<string, number>>;
  readonly total: number;
}

/** The marker that replaces a secret. */
export function redactionMarker(rule: string): string {
  return `[REDACTED:${rule}]`;
}

interface Rule {
  readonly id: string;
  readonly pattern: RegExp;
  /** Rebuilds the match with the secret part replaced by `marker`; default: the whole match. */
  readonly replace?: (marker: string, groups: string[]) => string;
}

/** A value that is already a marker is not redacted again. */
const NOT_MARKER = '(?!\\[REDACTED)';
/** Names whose value is a secret: `password`, `DB_PASSWORD`, `api_key`, `clientSecret`, `auth-token`. */
const SECRET_NAME = '[A-Za-z0-9_.-]{0,40}?(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth)';
/** Type names that follow `password:` in code and are not values. */
const TYPE_WORDS = '(?:string|number|boolean|bool|str|int|any|null|undefined|none|true|false|object|optional|bytes)\\b';

/** `process.env.API_KEY`, `settings.db.password`: a reference to a secret, not one. */
const IDENTIFIER_PATH = '[A-Za-z_$][\\w$]{0,64}(?:\\.[A-Za-z_$][\\w$]{0,64}){1,8}(?:[\\s;,)\\]}]|$)';

const RULES: readonly Rule[] = [
  {
    id: 'private-key',
    pattern: /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  { id: 'aws-access-key', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { id: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { id: 'gitlab-token', pattern: /\bgl(?:pat|dt|rt|cbt)-[A-Za-z0-9_-]{20,255}/g },
  { id: 'slack-token', pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,255}|https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]{10,255}/g },
  { id: 'stripe-key', pattern: /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,255}\b/g },
  { id: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { id: 'api-key', pattern: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,255}/g },
  { id: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { id: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{8,4096}/g },
  {
    id: 'connection-string',
    // scheme://user:password@host: the password goes, scheme, user and host stay.
    pattern: new RegExp(`\\b([a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\\s:/@'"\`]{1,256}:)${NOT_MARKER}([^\\s@/'"\`]{1,256})@`, 'g'),
    replace: (marker, g) => `${g[1]}${marker}@`,
  },
  {
    id: 'authorization',
    pattern: new RegExp(`\\b((?:Bearer|Basic|Token)\\s{1,5})${NOT_MARKER}([A-Za-z0-9._~+/=-]{16,4096})`, 'g'),
    replace: (marker, g) => `${g[1]}${marker}`,
  },
  {
    id: 'secret-assignment',
    // password = "…", "apiKey": '…', token: `…` (quoted values of any content on the line).
    pattern: new RegExp(`(${SECRET_NAME}["'\`]?\\s{0,5}(?:[:=]|:=|=>)\\s{0,5})(["'\`])${NOT_MARKER}([^"'\`\\r\\n]{4,1024})\\2`, 'gi'),
    replace: (marker, g) => `${g[1]}${g[2]}${marker}${g[2]}`,
  },
  {
    id: 'secret-assignment',
    // PASSWORD=hunter22, Password=…; (connection strings), token: abcdef123 (unquoted values).
    // Not a call (`getToken()`), a property (`cfg.token`), or a type (`password: string`).
    pattern: new RegExp(`(${SECRET_NAME}\\s{0,5}(?:[:=]|:=)\\s{0,5})${NOT_MARKER}(?!${TYPE_WORDS})(?!${IDENTIFIER_PATH})([^\\s"'\`,;(){}\\[\\]<>]{4,1024})(?![\\w(.])`, 'gi'),
    replace: (marker, g) => `${g[1]}${marker}`,
  },
  {
    id: 'password',
    // Prose: "the password is hunter2", "passphrase: correct horse".
    pattern: new RegExp(`\\b(pass(?:word|phrase)\\s{1,5}(?:is|was)\\s{1,5})(["'\`]?)${NOT_MARKER}([^\\s"'\`]{4,256})\\2`, 'gi'),
    replace: (marker, g) => `${g[1]}${g[2]}${marker}${g[2]}`,
  },
  {
    id: 'high-entropy',
    // Long runs of token characters with lower case, upper case and digits (not hex hashes).
    pattern: /(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_=-]{0,1024}[a-z])(?=[A-Za-z0-9+/_=-]{0,1024}[A-Z])(?=[A-Za-z0-9+/_=-]{0,1024}[0-9])[A-Za-z0-9+/_-]{40,4096}={0,2}(?![A-Za-z0-9+/_=-])/g,
  },
];

/** Replaces every secret in `text` that a rule recognises. Idempotent: redacting again changes nothing. */
export function redactSecrets(text: string): Redaction {
  const counts: Record<string, number> = {};
  let total = 0;
  let out = text;
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      if (match.startsWith('[REDACTED')) return match;
      const groups = args.slice(0, -2).map((a) => (typeof a === 'string' ? a : ''));
      counts[rule.id] = (counts[rule.id] ?? 0) + 1;
      total++;
      const marker = redactionMarker(rule.id);
      return rule.replace ? rule.replace(marker, groups) : marker;
    });
  }
  return { text: out, counts, total };
}

/** True when `text` holds something a rule would redact (a verifier's check of stored prompts). */
export function hasSecrets(text: string): boolean {
  return redactSecrets(text).total > 0;
}

/** Prompts longer than this are kept cut (after redaction, so a cut never splits a secret). */
export const MAX_PROMPT_CHARS = 4000;

/** A prompt as it may be kept: secrets redacted, then cut to {@link MAX_PROMPT_CHARS}; undefined when empty. */
export function redactPrompt(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  const r = redactSecrets(t).text;
  return r.length > MAX_PROMPT_CHARS ? `${r.slice(0, MAX_PROMPT_CHARS - 1)}\u2026` : r;
}
