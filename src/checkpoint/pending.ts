import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomicSync } from '../core/persistence/atomicWrite';
import { acquireLockSync } from '../core/persistence/lock';

/**
 * The pending snapshot of an agent checkpoint: what `--before` saw, waiting for its `--after`.
 * Every read-modify-write of the file happens under the state lock (`state.lock`, the lock the
 * extension and the state writes take), so two hooks running at once never lose a snapshot.
 *
 * Each file's snapshot carries the time it was taken. A newer `--before` of the same file
 * replaces it (the earlier one belonged to a tool call that never ran, e.g. one the person
 * denied), and a snapshot older than the bound is dropped at the next read: an `--after` never
 * stretches a snapshot over edits a person made in between.
 *
 * `<git dir>/ai-provenance/checkpoints/pending-<agent>.json`:
 *   { schema: "ai-provenance/checkpoint", version: 1, agent, createdAt,
 *     files: { "<repo path>": ({ sha256, text } | { absent: true } | { skipped: "<why>" }) & { at? } },
 *     index?: { "<repo path>": "<blob id>" }, indexAt? }   // tracked files that were clean (text = the blob)
 */

export const CHECKPOINT_SCHEMA = 'ai-provenance/checkpoint';

export type FileSnapshot = ({ readonly sha256: string; readonly text: string } | { readonly absent: true } | { readonly skipped: string }) & {
  /** When the snapshot was taken (ms); the pending file's `createdAt` when absent. */
  readonly at?: number;
};

export interface PendingCheckpoint {
  readonly schema: typeof CHECKPOINT_SCHEMA;
  readonly version: 1;
  readonly agent: string;
  readonly createdAt: number;
  readonly files: Record<string, FileSnapshot>;
  readonly index?: Record<string, string>;
  /** When `index` was taken (ms); `createdAt` when absent. */
  readonly indexAt?: number;
}

/** A pending snapshot older than this is dropped (hooks: one tool call; a run by hand may be long). */
export const HOOK_PENDING_MAX_AGE_MS = 10 * 60_000;
export const PENDING_MAX_AGE_MS = 12 * 60 * 60_000;

export class PendingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PendingError';
  }
}

/**
 * True for a path that names a file inside the repository: relative, `/`-separated, normalised
 * (no `.` or `..` segment), no NUL. Pending files are read back from disk, so their paths are
 * checked before any file is read or recorded by them.
 */
export function isRepoPath(rel: string): boolean {
  if (!rel || rel.includes('\0') || rel.includes('\\') || rel.startsWith('/') || /^[A-Za-z]:/.test(rel)) return false;
  return rel.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

function isSnapshot(v: unknown): v is FileSnapshot {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const s = v as Record<string, unknown>;
  if (s.at !== undefined && typeof s.at !== 'number') return false;
  return (typeof s.sha256 === 'string' && typeof s.text === 'string') || s.absent === true || typeof s.skipped === 'string';
}

/**
 * Reads a pending file: undefined when there is none. A file that is not a checkpoint is moved
 * aside (`<file>.corrupt-<time>`, nothing is lost) and reported through `warn`; entries whose
 * path does not lie inside the repository are dropped, also reported.
 */
export function readPending(file: string, warn: (m: string) => void): PendingCheckpoint | undefined {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new PendingError(`cannot read ${file} (${code ?? (e as Error).message})`);
  }
  let p: Record<string, unknown> | undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) p = v as Record<string, unknown>;
  } catch {
    /* judged below */
  }
  if (!p || p.schema !== CHECKPOINT_SCHEMA || p.version !== 1 || typeof p.files !== 'object' || p.files === null || Array.isArray(p.files)) {
    const aside = `${file}.corrupt-${Date.now()}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      /* leave it; a later write replaces it */
    }
    warn(`${file} is not a usable checkpoint; moved to ${path.basename(aside)} and ignored`);
    return undefined;
  }
  const files: Record<string, FileSnapshot> = {};
  const dropped: string[] = [];
  for (const [rel, snap] of Object.entries(p.files as Record<string, unknown>)) {
    if (isRepoPath(rel) && isSnapshot(snap)) files[rel] = snap;
    else dropped.push(rel);
  }
  let index: Record<string, string> | undefined;
  if (typeof p.index === 'object' && p.index !== null && !Array.isArray(p.index)) {
    index = {};
    for (const [rel, blob] of Object.entries(p.index as Record<string, unknown>)) {
      if (isRepoPath(rel) && typeof blob === 'string' && /^[0-9a-f]{40,64}$/.test(blob)) index[rel] = blob;
      else dropped.push(rel);
    }
  }
  if (dropped.length) warn(`${file}: ${dropped.length} entr${dropped.length === 1 ? 'y' : 'ies'} ignored (not a file inside the repository, or malformed)`);
  const createdAt = typeof p.createdAt === 'number' ? p.createdAt : 0;
  return {
    schema: CHECKPOINT_SCHEMA,
    version: 1,
    agent: typeof p.agent === 'string' ? p.agent : '',
    createdAt,
    files,
    ...(index ? { index, indexAt: typeof p.indexAt === 'number' ? p.indexAt : createdAt } : {}),
  };
}

/** Snapshots of `pending` no older than `maxAgeMs` at `now`, and the paths of those dropped. */
export function freshPart(pending: PendingCheckpoint, now: number, maxAgeMs: number): { pending: PendingCheckpoint; stale: string[] } {
  const stale: string[] = [];
  const files: Record<string, FileSnapshot> = {};
  for (const [rel, snap] of Object.entries(pending.files)) {
    if (now - (snap.at ?? pending.createdAt) > maxAgeMs) stale.push(rel);
    else files[rel] = snap;
  }
  const indexFresh = pending.index && now - (pending.indexAt ?? pending.createdAt) <= maxAgeMs;
  // A stale index is dropped whole; its files are then simply not snapshotted (no line per clean file).
  const { index: _i, indexAt: _a, ...rest } = pending;
  void _i;
  void _a;
  return { pending: { ...rest, files, ...(indexFresh ? { index: pending.index, indexAt: pending.indexAt } : {}) }, stale };
}

/** True when the checkpoint holds no snapshot. */
export function isEmpty(p: PendingCheckpoint): boolean {
  return Object.keys(p.files).length === 0 && Object.keys(p.index ?? {}).length === 0;
}

/**
 * Read-modify-write of the pending file under the state lock. `fn` gets the current checkpoint
 * (undefined when there is none) and returns the next one (`null`: remove the file; undefined:
 * leave it as it is) with a result.
 */
export function withPending<T>(
  stateDir: string,
  file: string,
  warn: (m: string) => void,
  fn: (current: PendingCheckpoint | undefined) => { next: PendingCheckpoint | null | undefined; result: T },
): T {
  fs.mkdirSync(stateDir, { recursive: true });
  const release = acquireLockSync(stateDir);
  try {
    const { next, result } = fn(readPending(file, warn));
    if (next === null || (next && isEmpty(next))) fs.rmSync(file, { force: true });
    else if (next) writeFileAtomicSync(file, JSON.stringify(next));
    return result;
  } finally {
    release();
  }
}
