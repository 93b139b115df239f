import * as fs from 'fs';
import * as path from 'path';
import DiffMatchPatch from 'diff-match-patch';
import { Origin } from '../core/provenance/origin';
import { NO_ORIGIN, OriginTable } from '../core/provenance/originTable';
import { entryFromRuns, runsFromEntry, withFiles } from '../core/persistence/entries';
import { repoRelative, repoStateDir } from '../core/persistence/repo';
import { PersistedFile, sha256 } from '../core/persistence/schema';
import { StateDir } from '../core/persistence/stateDir';
import { looksBinary, maxTrackedBytes } from '../core/persistence/tracking';
import { unknownOrigin } from '../core/reanchor/external';
import { overlayRuns } from '../core/reanchor/merge';
import { AnchoredRun, reanchor } from '../core/reanchor/reanchor';
import { gitTextSync } from '../git/git';
import { FileSnapshot, PENDING_MAX_AGE_MS, PendingCheckpoint, CHECKPOINT_SCHEMA, freshPart, withPending } from './pending';
import { Span, splitByWritten } from './writtenText';

/**
 * Agent checkpoints: provenance for agents that write files outside the editor (Claude Code, Codex,
 * scripts). `before` snapshots the files an agent may touch; `after` diffs each changed file
 * against its snapshot and records the inserted text as origin `{kind: 'agent', tool: <agent>}` in
 * the repository's state (`<git dir>/ai-provenance/state.json`), the same file the extension
 * reads. Existing ranges of those files are re-anchored; the write is atomic and under the state
 * lock shared with the extension. Agent ranges win over `unknown` marks the extension may have put
 * on the same text when it saw the file change first.
 *
 * Pending snapshots: `<git dir>/ai-provenance/checkpoints/pending-<agent>.json` (see `pending.ts`:
 * written under the state lock; superseded and stale snapshots are dropped).
 */

export { CHECKPOINT_SCHEMA, FileSnapshot, PendingCheckpoint } from './pending';

export interface RepoPaths {
  readonly root: string;
  readonly gitDir: string;
}

export interface CheckpointOptions {
  readonly repo: RepoPaths;
  readonly agent: string;
  readonly model?: string;
  readonly session?: string;
  /** The prompt behind the edits (already redacted) and the agent's transcript path, when known. */
  readonly prompt?: string;
  readonly transcript?: string;
  /** Paths (absolute, or relative to `cwd`) to snapshot / record; all changed files when empty. */
  readonly paths?: readonly string[];
  readonly cwd?: string;
  readonly git?: string;
  readonly maxFileSizeMB?: number;
  readonly now?: number;
  /** What the tool call says it wrote: inserted text outside every occurrence is `unknown` (writtenText.ts). */
  readonly writtenTexts?: readonly string[];
  /** A pending snapshot older than this is dropped, never used (default {@link PENDING_MAX_AGE_MS}). */
  readonly maxPendingAgeMs?: number;
  readonly log?: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

export interface FileRecord {
  readonly path: string;
  /** Characters attributed to the agent. */
  readonly inserted: number;
  readonly status: 'changed' | 'created' | 'deleted';
}

export interface AfterResult {
  readonly files: FileRecord[];
  /** Files looked at and found unchanged. */
  readonly unchanged: number;
  readonly skipped: { path: string; reason: string }[];
}

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const DIFF_INSERT = 1;
const DIFF_DELETE = -1;

/** The spans of `after` that are new compared with `before` (diff-match-patch, semantic cleanup). */
export function insertedSpans(before: string, after: string): { start: number; length: number }[] {
  const dmp = new DiffMatchPatch();
  dmp.Diff_Timeout = 5;
  const diffs = dmp.diff_main(before, after, true);
  dmp.diff_cleanupSemantic(diffs);
  const out: { start: number; length: number }[] = [];
  let j = 0;
  for (const [op, s] of diffs) {
    if (op === DIFF_DELETE) continue;
    if (op === DIFF_INSERT && s.length > 0) {
      const last = out[out.length - 1];
      if (last && last.start + last.length === j) out[out.length - 1] = { start: last.start, length: last.length + s.length };
      else out.push({ start: j, length: s.length });
    }
    j += s.length;
  }
  return out;
}

/** A safe file name part for an agent name. */
export function agentFileName(agent: string): string {
  return agent.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'agent';
}

export function checkpointsDir(stateDir: string): string {
  return path.join(stateDir, 'checkpoints');
}

export function promptsPath(stateDir: string, agent: string): string {
  return path.join(checkpointsDir(stateDir), `prompts-${agentFileName(agent)}.json`);
}

export function pendingPath(stateDir: string, agent: string): string {
  return path.join(checkpointsDir(stateDir), `pending-${agentFileName(agent)}.json`);
}

function stateDirOf(repo: RepoPaths): string {
  return repoStateDir(repo);
}

function git(opts: CheckpointOptions, args: string[], input?: string): string {
  return gitTextSync(args, { cwd: opts.repo.root, input, git: opts.git });
}

/** Files git reports as modified, added or untracked (repo-relative). */
function changedFiles(opts: CheckpointOptions): string[] {
  const out = git(opts, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames']);
  const files: string[] = [];
  for (const item of out.split('\0')) {
    if (item.length > 3) files.push(item.slice(3));
  }
  return files;
}

/** Tracked files at stage 0 with their blob ids. */
function indexBlobs(opts: CheckpointOptions): Record<string, string> {
  const out = git(opts, ['ls-files', '-s', '-z']);
  const blobs: Record<string, string> = {};
  for (const item of out.split('\0')) {
    const m = /^\d+ ([0-9a-f]+) 0\t(.*)$/s.exec(item);
    if (m) blobs[m[2]] = m[1];
  }
  return blobs;
}

function relPaths(opts: CheckpointOptions): string[] | undefined {
  if (!opts.paths || opts.paths.length === 0) return undefined;
  const cwd = opts.cwd ?? opts.repo.root;
  const rootReal = fs.realpathSync(opts.repo.root);
  return opts.paths.map((p) => {
    const abs = path.resolve(cwd, p);
    let real = abs;
    try {
      real = path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      /* directory missing: keep as is */
    }
    const rel = repoRelative(rootReal, real) ?? repoRelative(opts.repo.root, abs);
    if (!rel) throw new CheckpointError(`${p} is not inside the repository ${opts.repo.root}`);
    return rel;
  });
}

/** Reads a file as text when it is trackable; undefined when absent. */
function readText(file: string, maxFileSizeMB: number | undefined): { text: string } | { skipped: string } | undefined {
  let buf: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { skipped: 'not a regular file' };
    if (st.size > maxTrackedBytes(maxFileSizeMB)) return { skipped: 'larger than the size limit' };
    buf = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (looksBinary(buf)) return { skipped: 'binary' };
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

function snapshot(opts: CheckpointOptions, rel: string): FileSnapshot {
  const r = readText(path.join(opts.repo.root, rel), opts.maxFileSizeMB);
  if (!r) return { absent: true };
  if ('skipped' in r) return r;
  return { sha256: sha256(r.text), text: r.text };
}

/**
 * Snapshots the files the agent may change. With paths: exactly those. Without: every file git
 * reports as modified or untracked (their text), plus the blob ids of all tracked files (their text
 * is recoverable from git, so clean files cost nothing). A second `before` for the same agent before
 * its `after` adds to the pending snapshot, keeping the earliest text of each file.
 */
export function checkpointBefore(opts: CheckpointOptions): { pendingFile: string; files: number } {
  const dir = stateDirOf(opts.repo);
  const file = pendingPath(dir, opts.agent);
  const now = opts.now ?? Date.now();
  const rels = relPaths(opts);
  const files: Record<string, FileSnapshot> = {};
  let index: Record<string, string> | undefined;
  if (rels) {
    for (const rel of rels) files[rel] = { ...snapshot(opts, rel), at: now };
  } else {
    for (const rel of changedFiles(opts)) files[rel] = { ...snapshot(opts, rel), at: now };
    index = indexBlobs(opts);
    for (const rel of Object.keys(files)) delete index[rel];
  }
  const warn = (m: string): void => opts.log?.warn(m);
  return withPending(dir, file, warn, (current) => {
    // What is still pending and fresh stays; what this run snapshotted again replaces it (an
    // earlier --before whose --after never came belonged to a tool call that did not run).
    const previous = current ? freshPart(current, now, opts.maxPendingAgeMs ?? PENDING_MAX_AGE_MS).pending : undefined;
    const merged: Record<string, FileSnapshot> = { ...(previous?.files ?? {}) };
    if (index) for (const rel of Object.keys(index)) delete merged[rel];
    Object.assign(merged, files);
    const mergedIndex = index ?? (previous?.index ? { ...previous.index } : undefined);
    if (mergedIndex) for (const rel of Object.keys(merged)) delete mergedIndex[rel];
    const next: PendingCheckpoint = {
      schema: CHECKPOINT_SCHEMA,
      version: 1,
      agent: opts.agent,
      createdAt: previous?.createdAt ?? now,
      files: merged,
      ...(mergedIndex ? { index: mergedIndex, indexAt: index ? now : (previous?.indexAt ?? previous?.createdAt ?? now) } : {}),
    };
    return { next, result: { pendingFile: file, files: Object.keys(merged).length + Object.keys(mergedIndex ?? {}).length } };
  });
}

/** The text of `rel` when the pending snapshot was taken; undefined when it did not exist. */
function beforeText(opts: CheckpointOptions, pending: PendingCheckpoint, rel: string): { text?: string; skipped?: string } {
  const snap = pending.files[rel];
  if (snap) {
    if ('absent' in snap) return {};
    if ('skipped' in snap) return { skipped: snap.skipped };
    return { text: snap.text };
  }
  const blob = pending.index?.[rel];
  if (blob) {
    // The blob as it is checked out (smudge filters, line endings), like the working file.
    let text = git(opts, ['cat-file', '--filters', `--path=${rel}`, blob]);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  }
  return {};
}

/**
 * Records what the agent changed since `before`: every inserted character of every changed file
 * becomes `{kind: 'agent', tool: agent, model, requestId: session}`; ranges already recorded for
 * those files are re-anchored and kept. With paths, only those are recorded (and dropped from the
 * pending snapshot); without, all files the snapshot or git status name, and the snapshot is removed.
 */
export async function checkpointAfter(opts: CheckpointOptions): Promise<AfterResult> {
  const dir = stateDirOf(opts.repo);
  const file = pendingPath(dir, opts.agent);
  const rels = relPaths(opts);
  const now = opts.now ?? Date.now();
  const maxAge = opts.maxPendingAgeMs ?? PENDING_MAX_AGE_MS;
  // Claims the snapshots of these files (all of them without paths) under the lock: they leave
  // the pending file at once, so a second --after running at the same time cannot use them too.
  const claim = withPending(dir, file, (m) => opts.log?.warn(m), (current) => {
    if (!current) return { next: undefined, result: undefined };
    const { pending: fresh, stale } = freshPart(current, now, maxAge);
    if (!rels) return { next: null, result: { pending: fresh, stale } };
    const keep = { ...fresh.files };
    const keepIndex = fresh.index ? { ...fresh.index } : undefined;
    const taken: PendingCheckpoint['files'] = {};
    for (const rel of rels) {
      if (rel in keep) taken[rel] = keep[rel];
      delete keep[rel];
      if (keepIndex) delete keepIndex[rel];
    }
    return { next: { ...fresh, files: keep, ...(keepIndex ? { index: keepIndex } : {}) }, result: { pending: { ...fresh, files: taken }, stale } };
  });
  if (!claim) throw new CheckpointError(`no pending checkpoint for agent '${opts.agent}' (run 'ai-provenance checkpoint --agent ${opts.agent} --before' first)`);
  const { pending, stale } = claim;
  const staleNow = new Set(stale);
  const candidates = (rels ?? [...new Set([...Object.keys(pending.files), ...changedFiles(opts)])].sort()).filter((rel) => !staleNow.has(rel) || rel in pending.files);

  const live = new OriginTable();
  const agentOrigin: Origin = { kind: 'agent', tool: opts.agent, timestamp: now, ...(opts.model ? { model: opts.model } : {}), ...(opts.session ? { requestId: opts.session } : {}), ...(opts.prompt ? { prompt: opts.prompt } : {}), ...(opts.transcript ? { transcript: opts.transcript } : {}) };
  const agentId = live.intern(agentOrigin);
  const unknownId = live.intern(unknownOrigin(now));

  interface Change {
    rel: string;
    before: string;
    after?: string;
    spans: { start: number; length: number }[];
    status: FileRecord['status'];
  }
  const changes: Change[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const minutes = Math.round(maxAge / 60_000);
  for (const rel of stale) {
    if (!rels || rels.includes(rel)) skipped.push({ path: rel, reason: `its --before snapshot is older than ${minutes} minute(s) (a tool call that never ran?); dropped, nothing attributed` });
  }
  let unchanged = 0;
  for (const rel of candidates) {
    if (!(rel in pending.files) && !pending.index) {
      // Snapshotted by path, but not this path: its earlier text is unknown, so nothing is claimed.
      skipped.push({ path: rel, reason: 'no --before snapshot of this file' });
      continue;
    }
    const b = beforeText(opts, pending, rel);
    if (b.skipped) {
      skipped.push({ path: rel, reason: b.skipped });
      continue;
    }
    const a = readText(path.join(opts.repo.root, rel), opts.maxFileSizeMB);
    if (a && 'skipped' in a) {
      skipped.push({ path: rel, reason: a.skipped });
      continue;
    }
    const before = b.text ?? '';
    if (!a) {
      if (b.text !== undefined) changes.push({ rel, before, spans: [], status: 'deleted' });
      else unchanged++;
      continue;
    }
    if (b.text !== undefined && sha256(before) === sha256(a.text)) {
      unchanged++;
      continue;
    }
    changes.push({ rel, before, after: a.text, spans: insertedSpans(before, a.text), status: b.text === undefined ? 'created' : 'changed' });
  }

  const state = new StateDir(dir, opts.log ?? silentLog, `cli:${opts.agent}`);
  const records: FileRecord[] = [];
  if (changes.length > 0) {
    await state.update((current) => {
      const table = OriginTable.fromJSON(current.origins);
      const updates: Record<string, PersistedFile | undefined> = {};
      const texts = new Map<string, string>();
      records.length = 0;
      for (const c of changes) {
        if (c.after === undefined) {
          updates[c.rel] = undefined;
          records.push({ path: c.rel, inserted: 0, status: c.status });
          continue;
        }
        const existing = current.files[c.rel];
        const base = existing ? carryOver(existing, current.origins, c.before, c.after, (o) => live.intern(o), (h) => state.readText(h), unknownId) : [];
        const split = opts.writtenTexts ? splitByWritten(c.after, c.spans, opts.writtenTexts) : { agent: c.spans, unproven: [] };
        const run = (s: Span, origin: number): AnchoredRun => ({ start: s.start, length: s.length, origin, text: c.after!.slice(s.start, s.start + s.length) });
        const agentRuns = split.agent.map((s) => run(s, agentId));
        const inserted = [...agentRuns, ...split.unproven.map((s) => run(s, unknownId))].sort((a, b) => a.start - b.start);
        const runs = overlayRuns(base, inserted, c.after.length, (_incoming, baseOrigin) => baseOrigin === NO_ORIGIN || live.get(baseOrigin)?.kind === 'unknown');
        updates[c.rel] = entryFromRuns(c.after, runs, (id) => live.get(id), table, now);
        texts.set(sha256(c.after), c.after);
        records.push({ path: c.rel, inserted: agentRuns.reduce((n, r) => n + r.length, 0), status: c.status });
      }
      return { state: withFiles(current, updates, table.toJSON()), texts };
    });
  }

  return { files: records, unchanged, skipped };
}

/**
 * The existing ranges of a file, carried onto the agent's `after` text. The entry may describe the
 * `after` text already (the extension saw the change first), the `before` text, or an older text
 * (changed outside since; what changed then is `unknown`).
 */
function carryOver(
  entry: PersistedFile,
  stateOrigins: readonly Origin[],
  before: string,
  after: string,
  intern: (o: Origin) => number,
  oldText: (hash: string) => string | undefined,
  unknownId: number,
): AnchoredRun[] {
  const runs = runsFromEntry(entry, stateOrigins, intern);
  if (entry.sha256 === sha256(after)) return runs;
  let atBefore: AnchoredRun[];
  if (entry.sha256 === sha256(before)) atBefore = runs;
  else {
    const old = oldText(entry.sha256);
    atBefore = reanchor(old, runs, before, old !== undefined ? { insertedOrigin: unknownId } : {}).runs;
  }
  return reanchor(before, atBefore, after).runs;
}

const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
