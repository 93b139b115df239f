/**
 * Reads what one commit claims about its provenance: its trailers (via
 * `git interpret-trailers --parse`) and its manifest (a committed `.ai-provenance/<id>.json`
 * or the commit's note under `refs/notes/ai-provenance`).
 */
import { MANIFEST_NOTES_REF, Manifest, ManifestError, manifestRepoPath, parseManifest } from '../manifest/schema';
import { Trailer, TRAILER_PROVENANCE } from '../trailers/trailers';
import { parseTrailers } from '../../git/trailers';
import { CommitInfo, GitRepo } from './git';

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
}

/** Values of trailers named `key` (case-insensitive, as git treats trailer keys). */
export function trailerValues(trailers: readonly Trailer[], key: string): string[] {
  const k = key.toLowerCase();
  return trailers.filter((t) => t.key.toLowerCase() === k).map((t) => t.value);
}

export async function loadCommitProvenance(repo: GitRepo, sha: string, notesRef: string = MANIFEST_NOTES_REF): Promise<CommitProvenance> {
  const info = repo.commitInfo(sha);
  const trailers = await parseTrailers(info.message, repo.root);
  const ids = trailerValues(trailers, TRAILER_PROVENANCE);
  const manifestId = ids.length > 0 ? ids[ids.length - 1] : undefined;

  let raw: ManifestSource | undefined;
  let shadowedNote = false;
  if (manifestId && /^[0-9A-Za-z-]+$/.test(manifestId)) {
    const path = manifestRepoPath(manifestId);
    const blob = repo.blob(info.sha, path);
    if (blob) raw = { source: `file:${path}`, text: blob.toString('utf8') };
  }
  const note = repo.note(notesRef, info.sha);
  if (note !== undefined) {
    if (raw) shadowedNote = true;
    else raw = { source: `note:${notesRef}`, text: note };
  }
  if (!raw) return { info, trailers, manifestId };
  const parsed = parseManifest(raw.text);
  return parsed.ok
    ? { info, trailers, manifestId, raw, shadowedNote, manifest: parsed.value }
    : { info, trailers, manifestId, raw, shadowedNote, manifestErrors: parsed.errors };
}
