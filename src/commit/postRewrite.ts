import { Manifest, manifestRepoPath, sha256Hex } from '../core/manifest/schema';
import { TRAILER_PROVENANCE } from '../core/trailers/trailers';
import { readBlobs } from '../git/blobs';
import { gitDir as getGitDir, findRepoRoot, gitText, runGit, splitNul } from '../git/git';
import { clearPendingNote, readPendingNote, writeNote } from '../git/manifestStore';
import { parseTrailers } from '../git/trailers';
import { rebuildRecord } from './rebuildRecord';
import { manifestOfCommit } from './rewriteCarry';

/**
 * The `post-rewrite` hook (vscode-free): git runs it after `git commit --amend` and after a
 * rebase, with one `<old> <new>` line per commit rewritten. The other hooks carry the record of a
 * rewritten commit while the new one is made (`prepare-commit-msg`: amend, and the picks of the
 * merge backend); the apply backend (`git rebase --apply`) runs none of them. So for each pair the
 * new commit must end up with a record that describes its content:
 * - it has one already (its note, or the committed manifest its trailer names, measured against
 *   its parent and matching its files): left as it is;
 * - otherwise the old commit's AI lines are carried onto it (measured against its new parent,
 *   mapped by content, lines that cannot be proven `unknown`; rebuildRecord.ts) and stored as its
 *   git note. A hook after the fact cannot change the commit (that would rewrite it again): where
 *   the manifest is kept in the repository, the committed file still describes the old commit and
 *   the note, which names it in `carriedFrom`, is what `verify` and `stats` read.
 */

export interface RewritePair {
  readonly old: string;
  readonly new: string;
}

/** The pairs of git's input to `post-rewrite` (`<old> <new> [extra]` per line). */
export function parseRewritePairs(input: string): RewritePair[] {
  const out: RewritePair[] = [];
  for (const line of input.split('\n')) {
    const m = /^([0-9a-f]{40}(?:[0-9a-f]{24})?) ([0-9a-f]{40}(?:[0-9a-f]{24})?)(?: |$)/.exec(line.trim());
    if (m) out.push({ old: m[1], new: m[2] });
  }
  return out;
}

export interface PostRewriteResult {
  /** Messages for the user (stderr), one line each. */
  readonly notes: readonly string[];
  /** New commits that got a note here. */
  readonly written: readonly string[];
}

/** Makes sure each rewritten commit has a record that describes it (see the module comment). */
export async function postRewrite(repoRoot: string, pairs: readonly RewritePair[]): Promise<PostRewriteResult> {
  const root = (await findRepoRoot(repoRoot)) ?? repoRoot;
  const dir = await getGitDir(root);
  const notes: string[] = [];
  const written: string[] = [];
  // Commits combined by a squash/fixup appear once per old commit with the same new one.
  const byNew = new Map<string, string[]>();
  for (const p of pairs) {
    if (p.old === p.new) continue;
    const list = byNew.get(p.new) ?? [];
    if (!list.includes(p.old)) list.push(p.old);
    byNew.set(p.new, list);
  }
  for (const [commit, olds] of byNew) {
    try {
      const r = await ensureRecord(root, dir, commit, olds);
      if (r) {
        notes.push(r);
        written.push(commit);
      }
    } catch (e) {
      notes.push(`${commit.slice(0, 12)}: the record could not be carried (${(e as Error).message})`);
    }
  }
  return { notes, written };
}

/** Writes the record of `commit` when it lacks one that describes it; returns what was done, or undefined. */
async function ensureRecord(root: string, gitDirPath: string, commit: string, olds: readonly string[]): Promise<string | undefined> {
  const message = await gitText(['log', '-1', '--format=%B', commit], { cwd: root });
  const ids = (await parseTrailers(message, root)).filter((t) => t.key.toLowerCase() === TRAILER_PROVENANCE.toLowerCase()).map((t) => t.value);
  const named = ids[ids.length - 1];
  // The manifest a hook named in this message and has not attached yet (its post-commit did not run).
  const pending = readPendingNote(gitDirPath, 'hook');
  if (named && pending?.id === named && (await describes(root, commit, pending))) {
    await writeNote(root, commit, pending);
    clearPendingNote(gitDirPath, 'hook');
    return undefined;
  }
  const own = await manifestOfCommit(root, commit).catch(() => undefined);
  if (own && (await describes(root, commit, own))) return undefined;

  const carriedIds = new Set<string>();
  for (const o of olds) {
    const m = await manifestOfCommit(root, o).catch(() => undefined);
    if (m) carriedIds.add(m.id);
  }
  // A message naming a manifest that is not one of the originals' was written for this very
  // commit by a hook (its note went missing): the record takes that id, so the trailers name it.
  const id = named && !carriedIds.has(named) && /^[0-9a-f-]{36}$/.test(named) ? named : undefined;
  const m = await rebuildRecord(root, commit, olds, { id });
  if (!m) return undefined;
  await writeNote(root, commit, m);
  const unknown = m.files.reduce((n, f) => n + (f.unknownLines ?? 0), 0);
  const inRepo = named && (await runGit(['cat-file', '-e', `${commit}:${manifestRepoPath(named)}`], { cwd: root, okCodes: [1, 128] })).code === 0;
  return (
    `${commit.slice(0, 12)} (rewritten from ${olds.map((o) => o.slice(0, 12)).join(', ')}): ${m.totals.aiLines} AI line(s)${unknown ? `, ${unknown} unknown` : ''} carried; stored as its git note ${m.id}` +
    (inRepo ? `; the manifest committed in the repository (${manifestRepoPath(named!)}) still describes the old commit (a post-rewrite hook cannot change the commit without rewriting it again), and the note replaces it` : '')
  );
}

/** True when `m` was measured against the commit's first parent and every file it lists has the committed content. */
async function describes(root: string, commit: string, m: Manifest): Promise<boolean> {
  const parent = (await runGit(['rev-parse', '--verify', '--quiet', `${commit}^1`], { cwd: root, okCodes: [1, 128] })).stdout.toString('utf8').trim() || null;
  if (m.base !== parent) return false;
  const files = m.files.filter((f) => f.status !== 'deleted' && f.sha256 !== undefined && f.skipped !== 'submodule');
  if (!files.length) return true;
  // The committed blobs of those paths: one ls-tree, one cat-file for all of them.
  const listed = await gitText(['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...files.map((f) => `:(literal)${f.path}`)], { cwd: root });
  const blobs = new Map<string, string>();
  for (const entry of splitNul(listed)) {
    const e = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (e) blobs.set(e[2], e[1]);
  }
  if (files.some((f) => !blobs.has(f.path))) return false;
  const contents = await readBlobs(root, new Set(blobs.values()));
  return files.every((f) => {
    const bytes = contents.get(blobs.get(f.path)!);
    return bytes !== undefined && sha256Hex(bytes) === f.sha256;
  });
}
