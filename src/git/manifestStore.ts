import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_NOTES_REF, Manifest, manifestRepoPath, parseManifest, serializeManifest } from '../core/manifest/schema';
import { noteManifestTexts } from '../core/manifest/noteText';
import { GitError, gitText, resolveCommit, runGit } from './git';
import { indexBlob, readBlob } from './blobs';
import { writeFileAtomicSync } from '../core/persistence/atomicWrite';
import { repoStateDir } from '../core/persistence/repo';
import { manifestIdsOf } from '../core/trailers/trailers';

/**
 * Storing manifests where `aiProvenance.manifest.location` says:
 * - `repo`: `.ai-provenance/<id>.json` in the working tree, written atomically and staged, so it is
 *   part of the commit it describes;
 * - `notes`: a pending file in the git dir until the commit exists, then the commit's note on
 *   `refs/notes/ai-provenance` ({@link attachPendingNote}).
 */

/** Pending manifest waiting for its commit (notes location, or a hook's fallback), kept by the editor's commit flow. */
export const PENDING_NOTE_FILE = 'pending-note.json';
/**
 * The manifest a commit hook named in the message being committed, waiting for `post-commit` (or
 * `post-rewrite`) to make it the new commit's note. A file of the hooks alone: the editor's
 * refresh rewrites or clears {@link PENDING_NOTE_FILE} whenever the index or HEAD moves (a rebase
 * moves both between a pick's `prepare-commit-msg` and its `post-commit`), and must never take
 * away the record a hook has promised in a message.
 */
export const HOOK_NOTE_FILE = 'hook-note.json';

/** Whose pending manifest: the editor's commit flow, or the commit hooks'. */
export type PendingOwner = 'editor' | 'hook';

/**
 * Runs a git command that writes the index, retrying a few times while another git process (the
 * Git extension refreshing or committing, a terminal) holds `index.lock`.
 */
async function writeIndex(args: string[], root: string, env?: NodeJS.ProcessEnv): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await runGit(args, { cwd: root, env });
      return;
    } catch (e) {
      if (attempt >= 8 || !(e instanceof GitError) || !/index\.lock/.test(e.stderr)) throw e;
      await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
    }
  }
}

/** Writes the manifest into the working tree and stages it. Returns the repo-relative path. */
export async function stageManifest(root: string, m: Manifest, env?: NodeJS.ProcessEnv): Promise<string> {
  const rel = manifestRepoPath(m.id);
  writeFileAtomicSync(path.join(root, rel), serializeManifest(m));
  await writeIndex(['add', '--', rel], root, env);
  return rel;
}

/** The manifest staged in the index under `.ai-provenance/<id>.json`, if any and valid. */
export async function readStagedManifest(root: string, id: string, env?: NodeJS.ProcessEnv): Promise<Manifest | undefined> {
  const blob = await indexBlob(root, manifestRepoPath(id), env);
  if (!blob) return undefined;
  const r = parseManifest((await readBlob(root, blob)).toString('utf8'));
  return r.ok ? r.value : undefined;
}

/** True when `.ai-provenance/<id>.json` exists in commit `rev`. */
export async function committedManifestExists(root: string, rev: string, id: string): Promise<boolean> {
  const r = await runGit(['cat-file', '-e', `${rev}:${manifestRepoPath(id)}`], { cwd: root, okCodes: [1, 128] });
  return r.code === 0;
}

/**
 * Removes a manifest we staged earlier that is no longer wanted (from the index and the working
 * tree), but only while it is not part of HEAD: a committed manifest is never removed.
 */
export async function unstageManifest(root: string, id: string, env?: NodeJS.ProcessEnv): Promise<boolean> {
  const rel = manifestRepoPath(id);
  const head = await resolveCommit(root, 'HEAD');
  if (head && (await committedManifestExists(root, head, id))) return false;
  if (!(await indexBlob(root, rel, env))) {
    // Not staged (nothing to touch in the index): only a leftover file of ours may remain.
    fs.rmSync(path.join(root, rel), { force: true });
    return false;
  }
  await writeIndex(['rm', '--cached', '--quiet', '--ignore-unmatch', '--', rel], root, env);
  fs.rmSync(path.join(root, rel), { force: true });
  return true;
}

/** The manifest stored as the note of `commit`, if any and valid. */
export async function readNote(root: string, commit: string, ref = MANIFEST_NOTES_REF): Promise<Manifest | undefined> {
  const r = await runGit(['notes', '--ref', ref, 'show', commit], { cwd: root, okCodes: [1, 128] });
  if (r.code !== 0) return undefined;
  // Several manifests after a union merge of notes refs: the last valid one (the newest kept).
  const valid = noteManifestTexts(r.stdout.toString('utf8'))
    .map((t) => parseManifest(t))
    .filter((m) => m.ok);
  const m = valid[valid.length - 1];
  return m?.ok ? m.value : undefined;
}

/** Stores `m` as the note of `commit` (replacing an earlier note of ours). */
export async function writeNote(root: string, commit: string, m: Manifest, ref = MANIFEST_NOTES_REF): Promise<void> {
  await runGit(['notes', '--ref', ref, 'add', '--force', '--file', '-', commit], { cwd: root, input: serializeManifest(m) });
}

export function pendingNotePath(gitDir: string, owner: PendingOwner = 'editor'): string {
  return path.join(repoStateDir({ gitDir }), owner === 'hook' ? HOOK_NOTE_FILE : PENDING_NOTE_FILE);
}

export function writePendingNote(gitDir: string, m: Manifest, owner: PendingOwner = 'editor'): void {
  writeFileAtomicSync(pendingNotePath(gitDir, owner), serializeManifest(m));
}

export function readPendingNote(gitDir: string, owner: PendingOwner = 'editor'): Manifest | undefined {
  try {
    const r = parseManifest(fs.readFileSync(pendingNotePath(gitDir, owner), 'utf8'));
    return r.ok ? r.value : undefined;
  } catch {
    return undefined;
  }
}

export function clearPendingNote(gitDir: string, owner: PendingOwner = 'editor'): void {
  fs.rmSync(pendingNotePath(gitDir, owner), { force: true });
}

/**
 * After a commit: when HEAD's message names a pending manifest (`AI-Provenance: <id>`), the
 * hooks' one first, then the editor's, stores it as HEAD's note and clears that file. Returns the
 * id attached, or undefined.
 */
export async function attachPendingNote(root: string, gitDir: string, trailersOfHead: (message: string) => Promise<Array<{ key: string; value: string }>>): Promise<string | undefined> {
  const pending = (['hook', 'editor'] as const).map((owner) => ({ owner, m: readPendingNote(gitDir, owner) })).filter((p): p is { owner: PendingOwner; m: Manifest } => !!p.m);
  if (!pending.length) return undefined;
  const head = await resolveCommit(root, 'HEAD');
  if (!head) return undefined;
  const message = await gitText(['log', '-1', '--format=%B', head], { cwd: root });
  const ids = manifestIdsOf(await trailersOfHead(message));
  const named = pending.find((p) => p.m.id === ids[ids.length - 1]);
  if (!named) return undefined;
  const existing = await readNote(root, head);
  if (!existing || existing.id !== named.m.id) await writeNote(root, head, named.m);
  // Both files name it when the hook took the editor's manifest over: neither is pending any more.
  for (const p of pending) if (p.m.id === named.m.id) clearPendingNote(gitDir, p.owner);
  return named.m.id;
}
