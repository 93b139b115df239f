import * as fs from 'fs';
import * as path from 'path';
import { AiRange } from '../core/contribution/mapRanges';
import { ManifestLocation, PolicySource } from '../core/manifest/schema';
import { Policy, parsePolicy } from '../core/policy/policy';
import { PromptMode, isPromptMode } from '../core/manifest/conversations';
import { OriginKind, isAiKind, isOriginKind } from '../core/provenance/origin';
import { writeFileAtomicSync } from '../core/persistence/atomicWrite';
import { repoStateDir } from '../core/persistence/repo';

/**
 * The "staged summary" snapshot: what the editor knows about the AI text of the files of a
 * repository, placed in the exact contents git may commit, so that a `prepare-commit-msg` hook
 * (a plain node process without the editor's state) can compute the same contribution as the
 * extension. Written by the extension at `<git dir>/ai-provenance/staged.json` on every staging
 * or provenance change; read by {@link prepareCommitMessage}. No `vscode` import.
 *
 * Each file lists one or more versions keyed by git blob id: the staged (index) content, and the
 * saved working-copy content when it differs (what `git commit -a` / `git commit <path>`
 * commits). A hook uses a version only when its blob id equals the blob being committed, so a
 * stale snapshot can never attribute text it did not see.
 */

export const SNAPSHOT_SCHEMA = 'ai-provenance/staged';
export const SNAPSHOT_VERSION = 1;
export const SNAPSHOT_FILE = 'staged.json';

export interface SnapshotRange {
  readonly start: number;
  readonly end: number;
  readonly kind: OriginKind;
  readonly tool: string;
  readonly model?: string;
  readonly requestId?: string;
  /** The redacted prompt and the agent transcript path of the conversation, when recorded. */
  readonly prompt?: string;
  readonly transcript?: string;
  readonly text: string;
}

export interface SnapshotVersion {
  /** Blob id of the content the ranges are placed in. */
  readonly blob: string;
  readonly ranges: readonly SnapshotRange[];
}

export interface SnapshotFile {
  /** Repo-relative path, `/`-separated. */
  readonly path: string;
  readonly versions: readonly SnapshotVersion[];
}

export interface HookSnapshot {
  readonly schema: typeof SNAPSHOT_SCHEMA;
  readonly version: typeof SNAPSHOT_VERSION;
  readonly writtenAt: string;
  readonly generator: { readonly name: string; readonly version: string };
  /** HEAD when written (null: unborn branch). */
  readonly head: string | null;
  /** The effective policy (settings and repository file) and where it came from. */
  readonly policy: { readonly source: PolicySource; readonly value: Policy };
  readonly manifestLocation: ManifestLocation;
  /** `aiProvenance.manifest.prompts` (absent: the default, `hash`). */
  readonly prompts?: PromptMode;
  readonly maxFileBytes: number;
  /** `suppressed` when the user removed our trailers from the commit message box. */
  readonly trailers: 'auto' | 'suppressed' | 'off';
  /** Id of the manifest prepared for the staged change (staged file or pending note). */
  readonly pendingManifestId?: string;
  /** Set when the pending manifest was staged as `.ai-provenance/<id>.json` (repo location). */
  readonly stagedManifestId?: string;
  /** Set when the user unstaged that manifest: it is kept as a pending git note instead. */
  readonly declinedManifestId?: string;
  /** `Assisted-by` values the extension wrote into the message box (ours to replace). */
  readonly assistedBy?: readonly string[];
  readonly files: readonly SnapshotFile[];
}

/** Path of the snapshot for a git dir. */
export function snapshotPath(gitDir: string): string {
  return path.join(repoStateDir({ gitDir }), SNAPSHOT_FILE);
}

/** Converts editor ranges (already in the version's text) to snapshot ranges (AI kinds only). */
export function toSnapshotRanges(ranges: readonly AiRange[]): SnapshotRange[] {
  return ranges
    .filter((r) => isAiKind(r.origin.kind))
    .map((r) => ({
      start: r.start,
      end: r.end,
      kind: r.origin.kind,
      tool: r.origin.tool,
      ...(r.origin.model !== undefined ? { model: r.origin.model } : {}),
      ...(r.origin.requestId !== undefined ? { requestId: r.origin.requestId } : {}),
      ...(r.origin.prompt !== undefined ? { prompt: r.origin.prompt } : {}),
      ...(r.origin.transcript !== undefined ? { transcript: r.origin.transcript } : {}),
      text: r.text,
    }));
}

/** AI ranges of `path` for the content with blob id `blob`, or [] when the snapshot did not see it. */
export function rangesForBlob(snapshot: HookSnapshot, path: string, blob: string): AiRange[] {
  const f = snapshot.files.find((x) => x.path === path);
  const v = f?.versions.find((x) => x.blob === blob);
  if (!v) return [];
  return v.ranges.map((r) => ({
    start: r.start,
    end: r.end,
    text: r.text,
    origin: {
      kind: r.kind,
      tool: r.tool,
      timestamp: 0,
      ...(r.model !== undefined ? { model: r.model } : {}),
      ...(r.requestId !== undefined ? { requestId: r.requestId } : {}),
      ...(typeof r.prompt === 'string' ? { prompt: r.prompt } : {}),
      ...(typeof r.transcript === 'string' ? { transcript: r.transcript } : {}),
    },
  }));
}

/** Validates a parsed snapshot; returns a message for the first problem, or the snapshot. */
export function parseSnapshot(text: string): { ok: true; value: HookSnapshot } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not valid JSON: ${(e as Error).message}` };
  }
  const s = v as Partial<HookSnapshot> | null;
  if (!s || typeof s !== 'object') return { ok: false, error: 'expected an object' };
  if (s.schema !== SNAPSHOT_SCHEMA || s.version !== SNAPSHOT_VERSION) return { ok: false, error: `unknown snapshot format ${String(s.schema)} v${String(s.version)}` };
  if (!s.policy || typeof s.policy !== 'object') return { ok: false, error: 'policy missing' };
  const p = parsePolicy(s.policy.value, { partial: false });
  if (!p.ok) return { ok: false, error: `policy: ${p.errors.map((e) => `${e.path} ${e.message}`).join('; ')}` };
  if (s.manifestLocation !== 'repo' && s.manifestLocation !== 'notes') return { ok: false, error: 'manifestLocation must be repo or notes' };
  if (s.prompts !== undefined && !isPromptMode(s.prompts)) return { ok: false, error: 'prompts must be none, hash or text' };
  if (typeof s.maxFileBytes !== 'number' || !(s.maxFileBytes > 0)) return { ok: false, error: 'maxFileBytes must be a positive number' };
  if (!Array.isArray(s.files)) return { ok: false, error: 'files must be an array' };
  for (const f of s.files) {
    if (!f || typeof f.path !== 'string' || !Array.isArray(f.versions)) return { ok: false, error: 'a file entry is malformed' };
    for (const ver of f.versions) {
      if (!ver || typeof ver.blob !== 'string' || !Array.isArray(ver.ranges)) return { ok: false, error: `${f.path}: a version is malformed` };
      for (const r of ver.ranges) {
        const ok =
          r && Number.isInteger(r.start) && Number.isInteger(r.end) && r.end > r.start && isOriginKind(r.kind) && typeof r.tool === 'string' && typeof r.text === 'string' && r.text.length === r.end - r.start;
        if (!ok) return { ok: false, error: `${f.path}: a range is malformed` };
      }
    }
  }
  return { ok: true, value: s as HookSnapshot };
}

/** Reads the snapshot of a git dir; undefined when absent, an error string when unreadable. */
export function readSnapshot(gitDir: string): HookSnapshot | undefined | { error: string } {
  let text: string;
  try {
    text = fs.readFileSync(snapshotPath(gitDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { error: (e as Error).message };
  }
  const r = parseSnapshot(text);
  return r.ok ? r.value : { error: r.error };
}

/** Writes `content` to `file` atomically: a temporary file in the same folder, then a rename. */
export function writeSnapshot(gitDir: string, snapshot: HookSnapshot): void {
  writeFileAtomicSync(snapshotPath(gitDir), JSON.stringify(snapshot) + '\n');
}
