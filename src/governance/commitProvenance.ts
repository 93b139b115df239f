/**
 * Reads what one commit claims about its provenance: its trailers (via
 * `git interpret-trailers --parse`) and its manifest (a committed `.ai-provenance/<id>.json`
 * or the commit's note under `refs/notes/ai-provenance`).
 */
import { MANIFEST_DIR, MANIFEST_NOTES_REF, Manifest, ManifestError, manifestRepoPath, parseManifest } from '../core/manifest/schema';
import { Trailer, TRAILER_PROVENANCE, manifestIdsOf } from '../core/trailers/trailers';
import { parseTrailers } from '../git/trailers';
import { CommitInfo, GitRepo, hasRenames } from './git';
import { pathObjects } from './commitChanges';
import { POLICY_FILE } from '../core/policy/policy';
import { noteManifestTexts } from '../core/manifest/noteText';
import { AddedManifest, addedManifestSpecs, withAddedManifests } from './addedManifests';

export interface ManifestSource {
  /** `file:<path>` or `note:<ref>`. */
  readonly source: string;
  readonly text: string;
}

export interface CommitProvenance {
  readonly info: CommitInfo;
  readonly trailers: Trailer[];
  /** Manifest id named by the AI-Provenance trailer. */
  readonly manifestId?: string;
  /** Raw manifest found for the commit, if any. */
  readonly raw?: ManifestSource;
  /** Also found, when the commit has both a committed manifest and a note (the file wins). */
  readonly shadowedNote?: boolean;
  readonly manifest?: Manifest;
  readonly manifestErrors?: readonly ManifestError[];
  /**
   * Other valid manifests the commit adds under `.ai-provenance/` (a squash merge carries those of
   * its pull request's commits), without those the manifest above replaces (`carriedFrom`).
   * Filled when the commit's added lines are read (see addedManifests.ts).
   */
  readonly added?: readonly AddedManifest[];
}

/** Values of trailers named `key` (case-insensitive, as git treats trailer keys). */
export function trailerValues(trailers: readonly Trailer[], key: string): string[] {
  const k = key.toLowerCase();
  return trailers.filter((t) => t.key.toLowerCase() === k).map((t) => t.value);
}

export async function loadCommitProvenance(
  repo: GitRepo,
  sha: string,
  notesRef: string = MANIFEST_NOTES_REF,
  parsedTrailers?: Trailer[],
): Promise<CommitProvenance> {
  const info = repo.commitInfo(sha);
  const trailers = parsedTrailers ?? info.trailers ?? (await parseTrailers(info.message, repo.root));
  const ids = manifestIdsOf(trailers);
  const manifestId = ids.length > 0 ? ids[ids.length - 1] : undefined;

  let raw: ManifestSource | undefined;
  let shadowedNote = false;
  if (manifestId && /^[0-9A-Za-z-]+$/.test(manifestId)) {
    const path = manifestRepoPath(manifestId);
    const blob = repo.blob(info.sha, path);
    if (blob) raw = { source: `file:${path}`, text: blob.toString('utf8') };
  }
  const fullNote = repo.note(notesRef, info.sha);
  // A note of several manifests (notes refs merged with the union strategy): the one the trailer
  // names, or the one that replaces it, is read here; verify reads the others too.
  const note = fullNote === undefined ? undefined : pickNoteManifest(fullNote, manifestId);
  if (note !== undefined) {
    if (raw && !replacesNamed(note, manifestId)) shadowedNote = true;
    else raw = { source: `note:${notesRef}`, text: note };
  }
  if (!raw) return { info, trailers, manifestId };
  const parsed = parseManifest(raw.text);
  return parsed.ok
    ? { info, trailers, manifestId, raw, shadowedNote, manifest: parsed.value }
    : { info, trailers, manifestId, raw, shadowedNote, manifestErrors: parsed.errors };
}

/** The manifest text of a note to read as the commit's (see {@link noteManifestTexts}). */
export function pickNoteManifest(note: string, manifestId: string | undefined): string {
  const texts = noteManifestTexts(note);
  if (texts.length === 1) return texts[0];
  const parsed = texts.map((t) => ({ t, m: parseManifest(t) }));
  const named = parsed.find((x) => x.m.ok && x.m.value.id === manifestId) ?? parsed.find((x) => replacesNamed(x.t, manifestId));
  return (named ?? parsed[parsed.length - 1]).t;
}

/**
 * True when a note is a manifest rebuilt for the commit from the manifest its trailer names
 * (`ai-provenance reattach` after a squash or rebase merge): the note then wins over that file.
 */
function replacesNamed(note: string, manifestId: string | undefined): boolean {
  if (!manifestId) return false;
  const parsed = parseManifest(note);
  return parsed.ok && !!parsed.value.carriedFrom?.some((c) => c.id === manifestId);
}

/** What {@link forEachCommitProvenance} reads ahead for each commit besides trailers and manifest. */
export interface Prefetch {
  /** The committed files a manifest lists, the parent's copy of the manifest file, the policy file. */
  readonly content?: boolean;
  /** Lines added per file (numstat against the first parent), read with the commits. */
  readonly addedLines?: boolean;
  /**
   * What each commit changes (paths, modes, blobs and git's diff, see `GitRepo.prefetchChanges`),
   * the previous version of each file a manifest says was not analysed, every other manifest
   * file the commit adds, and whether each merge has lines of its own. The changes are read with
   * the commits (then {@link addedLines} is not needed: `GitRepo.changedPaths` lists the paths).
   */
  readonly changes?: boolean;
}

/** A committed manifest's path (`.ai-provenance/<name>.json`). */
export function isManifestFile(path: string): boolean {
  return path.startsWith(`${MANIFEST_DIR}/`) && path.endsWith('.json') && !path.slice(MANIFEST_DIR.length + 1).includes('/');
}

const CHUNK = 500;
const PARALLEL_TRAILER_PARSES = 8;

/**
 * Loads the provenance of each commit of `shas` in order and calls `fn` with it, in chunks of
 * {@link CHUNK} commits, with two git processes for the whole range: one `git log` (details,
 * trailers with git's parser, line counts or changes), read as git writes it and paused while two
 * chunks wait, and one `git cat-file --batch` for the notes, the manifests and, for verify, the
 * files the manifests list. Merges, and for verify the commits with renames, take one more
 * batched `git diff-tree` per chunk that has them. Memory holds a bounded number of commits,
 * whatever the range's length.
 */
export async function forEachCommitProvenance(
  repo: GitRepo,
  shas: readonly string[],
  notesRef: string,
  prefetch: Prefetch,
  fn: (p: CommitProvenance) => void | Promise<void>,
): Promise<void> {
  const stream = shas.length ? repo.streamCommits(shas, prefetch.changes ? 'changes' : prefetch.addedLines ? 'numstat' : 'none', 2 * CHUNK) : undefined;
  try {
    for (let start = 0; start < shas.length; start += CHUNK) {
      const chunk = shas.slice(start, start + CHUNK);
      repo.clearCache();
      repo.storeStreamed(await stream!.take(chunk.length));
      await provenanceOfChunk(repo, chunk, notesRef, prefetch, fn);
    }
  } finally {
    stream?.close();
    repo.dispose();
  }
}

async function provenanceOfChunk(
  repo: GitRepo,
  chunk: readonly string[],
  notesRef: string,
  prefetch: Prefetch,
  fn: (p: CommitProvenance) => void | Promise<void>,
): Promise<void> {
  // What the stream did not give (git failed) is read here.
  repo.prefetchCommits(chunk, { numstat: !!prefetch.addedLines && !prefetch.changes });
  const infos = chunk.map((sha) => repo.commitInfo(sha));
  const trailers: Trailer[][] = new Array(chunk.length);
  for (let i = 0; i < infos.length; i += PARALLEL_TRAILER_PARSES) {
    const part = infos.slice(i, i + PARALLEL_TRAILER_PARSES);
    // A commit read without its trailers (never in practice) is parsed alone.
    const parsed = await Promise.all(part.map((info) => info.trailers ?? parseTrailers(info.message, repo.root)));
    parsed.forEach((t, j) => (trailers[i + j] = t));
  }
  // The notes and the committed manifests. Where a commit's changes are read already, they tell
  // the manifest file's object at the commit and at its parent (read by id, no path looked up).
  const specs: string[] = [...repo.noteObjects(notesRef, chunk)];
  const known = new Map<string, string | null>();
  infos.forEach((info, i) => {
    const ids = manifestIdsOf(trailers[i]);
    const id = ids[ids.length - 1];
    if (id && /^[0-9A-Za-z-]+$/.test(id)) {
      specs.push(`${info.sha}:${manifestRepoPath(id)}`);
      learn(known, repo, info, manifestRepoPath(id));
    }
    if (prefetch.content) specs.push(`${info.sha}:${POLICY_FILE}`);
  });
  await repo.fetchBlobs(specs, known);
  const loaded: CommitProvenance[] = [];
  for (let i = 0; i < chunk.length; i++) loaded.push(await loadCommitProvenance(repo, chunk[i], notesRef, trailers[i]));
  if (prefetch.changes) {
    const commits = loaded.map((p) => ({ sha: p.info.sha, firstParent: p.info.parents[0], merge: p.info.parents.length > 1 }));
    repo.prefetchChanges(commits.filter((c) => !c.merge));
    repo.prefetchMergeOwnLines(commits.filter((c) => c.merge).map((c) => c.sha));
    // The listing without renames (added manifests, risk rules) of merges, and of commits whose changes hold renames.
    repo.prefetchAddedLines(commits.filter((c) => c.merge || hasRenames(repo.changes(c.sha, c.firstParent))));
  }
  if (prefetch.content) {
    const more: string[] = [];
    for (const p of loaded) {
      const change = prefetch.changes && p.info.parents.length <= 1 ? repo.changes(p.info.sha, p.info.parents[0]) : undefined;
      if (change) for (const c of change.paths) if (isManifestFile(c.path) && c.newBlob) more.push(`${p.info.sha}:${c.path}`);
      if (!p.manifest) continue;
      const skipped = new Set<string>();
      for (const f of p.manifest.files) {
        if (f.skipped !== 'submodule') {
          more.push(`${p.info.sha}:${f.path}`);
          learn(known, repo, p.info, f.path);
        }
        if (f.skipped) skipped.add(f.path);
      }
      if (change) for (const c of change.paths) if (skipped.has(c.path) && c.oldBlob) more.push(c.oldBlob);
      if (p.raw?.source.startsWith('file:') && p.info.parents[0]) more.push(`${p.info.parents[0]}:${p.raw.source.slice('file:'.length)}`);
    }
    await repo.fetchBlobs(more, known);
  }
  if (prefetch.addedLines || prefetch.changes) {
    if (!prefetch.changes) repo.prefetchAddedLines(loaded.map((p) => ({ sha: p.info.sha, firstParent: p.info.parents[0] })));
    await repo.fetchBlobs(loaded.flatMap((p) => addedManifestSpecs(repo, p)));
    for (let i = 0; i < loaded.length; i++) loaded[i] = withAddedManifests(repo, loaded[i]);
  }
  for (const p of loaded) await fn(p);
}

/**
 * Adds to `known` what a commit's changes, when read already, tell of `path` (see `pathObjects`):
 * its object at the commit and at the parent, read then by id (git looks no path up in a tree).
 */
function learn(known: Map<string, string | null>, repo: GitRepo, info: CommitInfo, path: string): void {
  const change = info.parents.length <= 1 ? repo.readChanges(info.sha, info.parents[0]) : undefined;
  if (!change) return;
  const { atCommit, atParent } = pathObjects(change, path);
  if (atCommit !== undefined) known.set(`${info.sha}:${path}`, atCommit);
  if (atParent !== undefined && info.parents[0]) known.set(`${info.parents[0]}:${path}`, atParent);
}
