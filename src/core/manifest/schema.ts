import { createHash } from 'crypto';
import { ORIGIN_KINDS, OriginKind, isOriginKind } from '../provenance/origin';
import { Policy, PolicyError, parsePolicy } from '../policy/policy';
import { isCount, isObject, show, withoutBom } from '../json/jsonValue';
import { RiskHit, checkRiskHits } from '../policy/riskRules';
import { ManifestConversation, ManifestPrompts, PromptMode, checkConversations, checkPrompts } from './conversations';

/**
 * The per-commit provenance manifest: which lines of the committed files an AI produced, with
 * hashes that let anyone (the CLI, a CI gate) check the claims against the commit itself.
 *
 * No `vscode` import: shared by the extension, the git hook and the command-line tool.
 *
 * Verifying a manifest against commit C (what `ai-provenance verify` does):
 * - for every file entry, `sha256` equals SHA-256 of the bytes of `git cat-file blob C:<path>`
 *   (see {@link sha256Hex});
 * - for every range, `sha256` equals SHA-256 (UTF-8) of {@link rangeText}`(committedText,
 *   startLine, endLine)` where `committedText` is that blob decoded as UTF-8;
 * - `totals` equals {@link computeTotals}`(files)`.
 *
 * Where it lives (`aiProvenance.manifest.location`): `repo` — a file `.ai-provenance/<id>.json`
 * committed in the same commit ({@link manifestRepoPath}); `notes` — the note of the commit on
 * {@link MANIFEST_NOTES_REF}. The commit message names it with the trailer `AI-Provenance: <id>`.
 */

/** Value of the `schema` field of every manifest. */
export const MANIFEST_SCHEMA = 'ai-provenance/manifest';
/** Current manifest format version. A reader rejects versions it does not know. */
export const MANIFEST_VERSION = 1;
/** Folder (repo-relative) that holds committed manifests when the location is `repo`. */
export const MANIFEST_DIR = '.ai-provenance';
/** Git notes ref that holds manifests when the location is `notes`. */
export const MANIFEST_NOTES_REF = 'refs/notes/ai-provenance';

export type ManifestLocation = 'repo' | 'notes';

/** Status of a file in the committed change, relative to the base commit. */
export type ManifestFileStatus = 'added' | 'modified' | 'renamed' | 'copied' | 'deleted';

/** Why a changed file was not analysed (it then has no `sha256` check of ranges and no ranges). */
export type ManifestSkipReason = 'binary' | 'too-large' | 'submodule' | 'symlink' | 'not-utf8';

/** Lines counted for one origin kind or one tool. */
export type LineCounts = Partial<Record<OriginKind, number>>;

/** A run of consecutive committed lines attributed to one origin. */
export interface ManifestRange {
  /** First line, 1-based, in the committed text. */
  readonly startLine: number;
  /** Last line, 1-based, inclusive. */
  readonly endLine: number;
  readonly kind: OriginKind;
  /** Provider extension id or agent name. */
  readonly tool: string;
  readonly model?: string;
  /** True when every line of the range is AI only through trivial completions (see policy). */
  readonly trivial: boolean;
  /** SHA-256 (hex) of {@link rangeText} of these lines in the committed text. */
  readonly sha256: string;
  /** Id of the conversation (in the file's `conversations`) the lines came from, when recorded. */
  readonly conversation?: string;
}

export interface ManifestFile {
  /** Repo-relative path in the commit, `/`-separated. */
  readonly path: string;
  /** For renames and copies: the path in the base commit. */
  readonly oldPath?: string;
  readonly status: ManifestFileStatus;
  /** SHA-256 (hex) of the committed blob's bytes; absent for deleted files. */
  readonly sha256?: string;
  /** Lines added by this commit (present in the committed text, not matched in the base). */
  readonly addedLines: number;
  /** Added lines that are AI (more than half of their non-whitespace characters). */
  readonly aiLines: number;
  /** AI lines that are not trivial. */
  readonly nonTrivialAiLines: number;
  /** Characters of added lines (line terminators excluded). */
  readonly addedCharacters: number;
  /** AI characters within added lines (line terminators excluded). */
  readonly aiCharacters: number;
  /** AI line ranges, sorted by `startLine`, non-overlapping. */
  readonly ranges: readonly ManifestRange[];
  /** Present when the file was not analysed. */
  readonly skipped?: ManifestSkipReason;
  /**
   * Added lines that cannot be proven either AI or human (a rewrite changed AI lines of the
   * original commit and the lines that replace them cannot be attributed); counted as neither.
   */
  readonly unknownLines?: number;
  /** The conversations `ranges` name, as the manifest's `prompts` mode allows (`conversations.ts`). */
  readonly conversations?: readonly ManifestConversation[];
}

/** A manifest of an earlier commit whose AI lines this manifest carries (amend, rebase, cherry-pick, squash). */
export interface CarriedFrom {
  readonly commit: string;
  readonly id: string;
}

export interface ToolCount {
  readonly tool: string;
  readonly model?: string;
  readonly lines: number;
}

export interface ManifestTotals {
  readonly addedLines: number;
  readonly aiLines: number;
  readonly nonTrivialAiLines: number;
  readonly addedCharacters: number;
  readonly aiCharacters: number;
  /** AI lines per origin kind. */
  readonly byKind: LineCounts;
  /** AI lines per tool and model, sorted by lines descending, then label. */
  readonly byTool: readonly ToolCount[];
}

export interface Manifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly version: typeof MANIFEST_VERSION;
  /** UUID v4; the `AI-Provenance` trailer carries it. */
  readonly id: string;
  /** ISO 8601 time the manifest was produced. */
  readonly createdAt: string;
  readonly generator: { readonly name: string; readonly version: string };
  /** The commit the change was measured against (the new commit's first parent); null for a root commit. */
  readonly base: string | null;
  /** True when the policy flags the change as AI-assisted. */
  readonly flagged: boolean;
  /** Review level the policy requires for this commit (only when flagged). */
  readonly reviewRequired?: string;
  /** The policy's risk rules that fired, with the lines they fired on (absent: none fired). */
  readonly risk?: readonly RiskHit[];
  /** The effective policy used, and where it came from. */
  readonly policy: { readonly source: PolicySource; readonly value: Policy };
  readonly totals: ManifestTotals;
  readonly files: readonly ManifestFile[];
  /** The manifests this one replaces (their commits were rewritten into this one). */
  readonly carriedFrom?: readonly CarriedFrom[];
  /** Why some lines are `unknown` (see {@link ManifestFile.unknownLines}). */
  readonly unknownReason?: string;
  /** Format and mode of the files' `conversations` (present when any file lists one). */
  readonly prompts?: ManifestPrompts;
}

/** Where the effective policy came from. */
export type PolicySource = 'default' | 'settings' | 'repository';

/** One problem found by {@link parseManifest}; `path` is a JSON path like `files[2].ranges[0].endLine`. */
export interface ManifestError {
  readonly path: string;
  readonly message: string;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly ManifestError[] };

/** SHA-256 of `data` (a string is hashed as UTF-8), as lowercase hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

let sha256Ready = false;

/**
 * Gets SHA-256 ready in this process, once: the first hash of a process looks the algorithm up
 * (0.3-0.5 ms); a caller about to wait on a git process pays it while it waits.
 */
export function prepareSha256(): void {
  if (sha256Ready) return;
  sha256Ready = true;
  createHash('sha256');
}

/**
 * The text of lines `startLine..endLine` (1-based, inclusive) of `text`: the file split at `\n`,
 * those lines joined with `\n`. A `\r` before a `\n` stays part of its line, so CRLF files hash
 * with their `\r`s. Throws when the lines are not in the text.
 */
export function rangeText(text: string, startLine: number, endLine: number): string {
  if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine < 1 || endLine < startLine) {
    throw new RangeError(`invalid line range ${startLine}-${endLine}`);
  }
  const lines = text.split('\n');
  if (endLine > lines.length) throw new RangeError(`line range ${startLine}-${endLine} is beyond the end of the text (${lines.length} lines)`);
  return lines.slice(startLine - 1, endLine).join('\n');
}

/** The repo-relative path of a manifest committed in the repository. */
export function manifestRepoPath(id: string): string {
  return `${MANIFEST_DIR}/${id}.json`;
}

/** Totals of frozen lists of files already summed (a summary of the same staged state is reused). */
const totalsOf = new WeakMap<readonly ManifestFile[], ManifestTotals>();

/** Totals as the sum of the file entries (what a verifier recomputes). */
export function computeTotals(files: readonly ManifestFile[]): ManifestTotals {
  const frozen = Object.isFrozen(files);
  const known = frozen ? totalsOf.get(files) : undefined;
  if (known) return known;
  const totals = sumFiles(files);
  if (frozen) totalsOf.set(files, totals);
  return totals;
}

function sumFiles(files: readonly ManifestFile[]): ManifestTotals {
  let addedLines = 0;
  let aiLines = 0;
  let nonTrivialAiLines = 0;
  let addedCharacters = 0;
  let aiCharacters = 0;
  const byKind: Record<string, number> = {};
  const byTool = new Map<string, { tool: string; model?: string; lines: number }>();
  for (const f of files) {
    addedLines += f.addedLines;
    aiLines += f.aiLines;
    nonTrivialAiLines += f.nonTrivialAiLines;
    addedCharacters += f.addedCharacters;
    aiCharacters += f.aiCharacters;
    for (const r of f.ranges) {
      const n = r.endLine - r.startLine + 1;
      byKind[r.kind] = (byKind[r.kind] ?? 0) + n;
      const key = `${r.tool}\u0000${r.model ?? ''}`;
      const t = byTool.get(key) ?? { tool: r.tool, ...(r.model !== undefined ? { model: r.model } : {}), lines: 0 };
      t.lines += n;
      byTool.set(key, t);
    }
  }
  const tools = [...byTool.values()].sort((a, b) => b.lines - a.lines || label(a).localeCompare(label(b)));
  const kinds: LineCounts = {};
  for (const k of ORIGIN_KINDS) if (byKind[k]) kinds[k] = byKind[k];
  return { addedLines, aiLines, nonTrivialAiLines, addedCharacters, aiCharacters, byKind: kinds, byTool: tools };
}

function label(t: { tool: string; model?: string }): string {
  return t.model ? `${t.tool}:${t.model}` : t.tool;
}

/** Serialises a manifest the way it is stored: 2-space JSON with a final newline. */
export function serializeManifest(m: Manifest): string {
  return JSON.stringify(m, null, 2) + '\n';
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256_RE = /^[0-9a-f]{64}$/;
const STATUSES: readonly ManifestFileStatus[] = ['added', 'modified', 'renamed', 'copied', 'deleted'];
const SKIPS: readonly ManifestSkipReason[] = ['binary', 'too-large', 'submodule', 'symlink', 'not-utf8'];
const SOURCES: readonly PolicySource[] = ['default', 'settings', 'repository'];

/**
 * Parses and validates a manifest (JSON text or an already parsed value). Never throws: returns
 * every problem found with its JSON path, e.g. `files[0].ranges[1].sha256: expected 64 hex digits`.
 * Checks structure and internal consistency (ranges sorted and inside the file's added lines,
 * counts coherent, totals equal to the sum of files); checks against a commit are the CLI's.
 */
export function parseManifest(input: string | unknown): ParseResult<Manifest> {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(withoutBom(input));
    } catch (e) {
      return { ok: false, errors: [{ path: '', message: `not valid JSON: ${(e as Error).message}` }] };
    }
  }
  const errors: ManifestError[] = [];
  const err = (path: string, message: string): void => void errors.push({ path, message });
  if (!isObject(value)) return { ok: false, errors: [{ path: '', message: 'expected a JSON object' }] };
  const m = value;

  if (m.schema !== MANIFEST_SCHEMA) err('schema', `expected "${MANIFEST_SCHEMA}", got ${show(m.schema)}`);
  if (m.version !== MANIFEST_VERSION) {
    err('version', typeof m.version === 'number' && m.version > MANIFEST_VERSION ? `version ${m.version} is newer than this tool understands (${MANIFEST_VERSION}); update AI Provenance` : `expected ${MANIFEST_VERSION}, got ${show(m.version)}`);
    return { ok: false, errors };
  }
  if (typeof m.id !== 'string' || !UUID_RE.test(m.id)) err('id', `expected a UUID, got ${show(m.id)}`);
  if (typeof m.createdAt !== 'string' || Number.isNaN(Date.parse(m.createdAt))) err('createdAt', `expected an ISO 8601 date, got ${show(m.createdAt)}`);
  if (!isObject(m.generator) || typeof m.generator.name !== 'string' || typeof m.generator.version !== 'string') err('generator', 'expected {name: string, version: string}');
  if (!(m.base === null || (typeof m.base === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(m.base)))) err('base', `expected a full commit id or null, got ${show(m.base)}`);
  if (typeof m.flagged !== 'boolean') err('flagged', 'expected a boolean');
  if (m.reviewRequired !== undefined && (typeof m.reviewRequired !== 'string' || !m.reviewRequired)) err('reviewRequired', 'expected a non-empty string');
  if (m.flagged === false && m.reviewRequired !== undefined) err('reviewRequired', 'present on a change that is not flagged');

  if (m.risk !== undefined) {
    checkRiskHits(m.risk, 'risk', err);
    if (m.flagged === false) err('risk', 'present on a change that is not flagged');
  }
  if (!isObject(m.policy)) err('policy', 'expected {source, value}');
  else {
    if (!SOURCES.includes(m.policy.source as PolicySource)) err('policy.source', `expected one of ${SOURCES.join(', ')}, got ${show(m.policy.source)}`);
    const p = parsePolicy(m.policy.value, { partial: false });
    if (!p.ok) for (const e of p.errors as PolicyError[]) err(`policy.value${e.path ? '.' + e.path : ''}`, e.message);
  }

  const files: ManifestFile[] = [];
  const prompts = { mode: checkPrompts(m.prompts, err), present: m.prompts !== undefined };
  if (!Array.isArray(m.files)) err('files', 'expected an array');
  else {
    const seen = new Set<string>();
    m.files.forEach((f, i) => {
      const file = checkFile(f, `files[${i}]`, err, prompts);
      if (!file) return;
      if (seen.has(file.path)) err(`files[${i}].path`, `duplicate path ${file.path}`);
      seen.add(file.path);
      files.push(file);
    });
  }

  if (!isObject(m.totals)) err('totals', 'expected an object');
  else if (errors.length === 0) {
    const expected = computeTotals(files);
    for (const k of ['addedLines', 'aiLines', 'nonTrivialAiLines', 'addedCharacters', 'aiCharacters'] as const) {
      if (m.totals[k] !== expected[k]) err(`totals.${k}`, `is ${show(m.totals[k])} but the files add up to ${expected[k]}`);
    }
    if (JSON.stringify(normKinds(m.totals.byKind)) !== JSON.stringify(expected.byKind)) err('totals.byKind', `does not match the ranges (${JSON.stringify(expected.byKind)})`);
    if (JSON.stringify(m.totals.byTool) !== JSON.stringify(expected.byTool)) err('totals.byTool', `does not match the ranges (${JSON.stringify(expected.byTool)})`);
  }

  if (m.carriedFrom !== undefined) {
    if (!Array.isArray(m.carriedFrom)) err('carriedFrom', 'expected an array');
    else
      m.carriedFrom.forEach((c, i) => {
        if (!isObject(c) || typeof c.commit !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(c.commit) || typeof c.id !== 'string' || !UUID_RE.test(c.id)) {
          err(`carriedFrom[${i}]`, 'expected {commit: full commit id, id: UUID}');
        }
      });
  }
  if (m.unknownReason !== undefined && typeof m.unknownReason !== 'string') err('unknownReason', 'expected a string');

  if (errors.length) return { ok: false, errors };
  return { ok: true, value: m as unknown as Manifest };
}

function normKinds(v: unknown): unknown {
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of ORIGIN_KINDS) if (v[k] !== undefined) out[k] = v[k];
  return Object.keys(v).length === Object.keys(out).length ? out : v;
}

function checkFile(f: unknown, at: string, err: (path: string, message: string) => void, prompts: { mode?: PromptMode; present: boolean }): ManifestFile | undefined {
  if (!isObject(f)) {
    err(at, 'expected an object');
    return undefined;
  }
  let bad = false;
  const e = (p: string, msg: string): void => {
    bad = true;
    err(`${at}.${p}`, msg);
  };
  if (typeof f.path !== 'string' || !f.path || f.path.startsWith('/') || f.path.includes('\\')) e('path', `expected a repo-relative path with / separators, got ${show(f.path)}`);
  if (f.oldPath !== undefined && (typeof f.oldPath !== 'string' || !f.oldPath)) e('oldPath', 'expected a non-empty string');
  if (!STATUSES.includes(f.status as ManifestFileStatus)) e('status', `expected one of ${STATUSES.join(', ')}, got ${show(f.status)}`);
  if ((f.status === 'renamed' || f.status === 'copied') && f.oldPath === undefined) e('oldPath', `required for a ${String(f.status)} file`);
  if (f.status === 'deleted') {
    if (f.sha256 !== undefined) e('sha256', 'present on a deleted file');
  } else if (typeof f.sha256 !== 'string' || !SHA256_RE.test(f.sha256)) e('sha256', 'expected 64 lowercase hex digits');
  if (f.skipped !== undefined && !SKIPS.includes(f.skipped as ManifestSkipReason)) e('skipped', `expected one of ${SKIPS.join(', ')}, got ${show(f.skipped)}`);
  for (const k of ['addedLines', 'aiLines', 'nonTrivialAiLines', 'addedCharacters', 'aiCharacters'] as const) {
    if (!isCount(f[k])) e(k, `expected a non-negative integer, got ${show(f[k])}`);
  }
  if (f.unknownLines !== undefined && !isCount(f.unknownLines)) e('unknownLines', `expected a non-negative integer, got ${show(f.unknownLines)}`);
  if (!bad) {
    if ((f.aiLines as number) > (f.addedLines as number)) e('aiLines', 'is larger than addedLines');
    if (f.unknownLines !== undefined && (f.unknownLines as number) + (f.aiLines as number) > (f.addedLines as number)) e('unknownLines', 'with aiLines is larger than addedLines');
    if ((f.nonTrivialAiLines as number) > (f.aiLines as number)) e('nonTrivialAiLines', 'is larger than aiLines');
    if ((f.aiCharacters as number) > (f.addedCharacters as number)) e('aiCharacters', 'is larger than addedCharacters');
  }
  if (!Array.isArray(f.ranges)) {
    e('ranges', 'expected an array');
    return undefined;
  }
  let prevEnd = 0;
  let lines = 0;
  let nonTrivial = 0;
  f.ranges.forEach((r, j) => {
    const rp = `ranges[${j}]`;
    if (!isObject(r)) return e(rp, 'expected an object');
    if (!isCount(r.startLine) || (r.startLine as number) < 1) return e(`${rp}.startLine`, `expected a line number >= 1, got ${show(r.startLine)}`);
    if (!isCount(r.endLine) || (r.endLine as number) < (r.startLine as number)) return e(`${rp}.endLine`, `expected a line number >= startLine, got ${show(r.endLine)}`);
    if ((r.startLine as number) <= prevEnd) e(`${rp}.startLine`, 'ranges must be sorted and must not overlap');
    prevEnd = r.endLine as number;
    if (!isOriginKind(r.kind) || r.kind === 'manual' || r.kind === 'unknown') e(`${rp}.kind`, `expected an AI origin kind, got ${show(r.kind)}`);
    if (typeof r.tool !== 'string' || !r.tool) e(`${rp}.tool`, 'expected a non-empty string');
    if (r.model !== undefined && typeof r.model !== 'string') e(`${rp}.model`, 'expected a string');
    if (typeof r.trivial !== 'boolean') e(`${rp}.trivial`, 'expected a boolean');
    if (typeof r.sha256 !== 'string' || !SHA256_RE.test(r.sha256)) e(`${rp}.sha256`, 'expected 64 lowercase hex digits');
    const n = (r.endLine as number) - (r.startLine as number) + 1;
    lines += n;
    if (r.trivial === false) nonTrivial += n;
  });
  checkConversations(f.conversations, f.ranges as unknown[], at, prompts.mode, prompts.present, e);
  if (bad) return undefined;
  if (lines !== f.aiLines) e('aiLines', `is ${show(f.aiLines)} but the ranges cover ${lines} lines`);
  if (nonTrivial !== f.nonTrivialAiLines) e('nonTrivialAiLines', `is ${show(f.nonTrivialAiLines)} but the non-trivial ranges cover ${nonTrivial} lines`);
  if (f.skipped !== undefined && (f.ranges as unknown[]).length) e('ranges', 'a skipped file has no ranges');
  if (f.status === 'deleted' && ((f.addedLines as number) > 0 || (f.ranges as unknown[]).length)) e('addedLines', 'a deleted file adds no lines');
  return bad ? undefined : (f as unknown as ManifestFile);
}
