/**
 * Every manifest a commit adds, combined. A hosting platform's squash merge makes one commit of a
 * pull request: its tree adds each reviewed commit's `.ai-provenance/<id>.json`, while its message
 * (the messages concatenated) has the trailers of the last one only. `stats` counts the AI lines
 * of all of them, and `verify` reads them all (each file a manifest lists is accounted for). A
 * manifest that names others in `carriedFrom` (a rewrite, or `ai-provenance reattach`) replaces
 * them: they are not counted twice.
 */
import { MANIFEST_DIR, Manifest, ManifestFile } from '../core/manifest/schema';
import { parseManifest } from '../core/manifest/schema';
import type { CommitProvenance } from './commitProvenance';
import { GitRepo } from './git';

export interface AddedManifest {
  /** `file:<path>`. */
  readonly source: string;
  readonly manifest: Manifest;
}

/** Paths of manifest files the commit changes, other than the one already read. */
function candidatePaths(repo: GitRepo, p: CommitProvenance): string[] {
  const primary = p.raw?.source.startsWith('file:') ? p.raw.source.slice('file:'.length) : undefined;
  return repo
    .changedPaths(p.info.sha, p.info.parents[0])
    .filter((path) => path.startsWith(`${MANIFEST_DIR}/`) && path.endsWith('.json') && path !== primary);
}

/** `<rev>:<path>` specs {@link withAddedManifests} reads (to prefetch them in one batch). */
export function addedManifestSpecs(repo: GitRepo, p: CommitProvenance): string[] {
  const parent = p.info.parents[0];
  return candidatePaths(repo, p).flatMap((path) => [`${p.info.sha}:${path}`, ...(parent ? [`${parent}:${path}`] : [])]);
}

/** `p` with {@link CommitProvenance.added}: the valid manifests the commit adds besides its own, not replaced by it. */
export function withAddedManifests(repo: GitRepo, p: CommitProvenance): CommitProvenance {
  const parent = p.info.parents[0];
  const replaced = new Set((p.manifest?.carriedFrom ?? []).map((c) => c.id));
  const added: AddedManifest[] = [];
  for (const path of candidatePaths(repo, p)) {
    if (parent && repo.blob(parent, path)) continue; // changed, not added
    const blob = repo.blob(p.info.sha, path);
    if (!blob) continue;
    const parsed = parseManifest(blob.toString('utf8'));
    if (!parsed.ok || parsed.value.id === p.manifest?.id || replaced.has(parsed.value.id)) continue;
    added.push({ source: `file:${path}`, manifest: parsed.value });
  }
  return added.length ? { ...p, added } : p;
}

/** The manifests whose claims count for the commit: its own and the others it adds. */
export function commitManifests(p: CommitProvenance): Manifest[] {
  return [...(p.manifest ? [p.manifest] : []), ...(p.added ?? []).map((a) => a.manifest)];
}

/** Per path, the AI and unknown lines all of `manifests` claim (summed). */
export function combinedFileClaims(manifests: readonly Manifest[]): Map<string, { ai: number; unknown: number; added: number; files: ManifestFile[] }> {
  const out = new Map<string, { ai: number; unknown: number; added: number; files: ManifestFile[] }>();
  for (const m of manifests) {
    for (const f of m.files) {
      const e = out.get(f.path) ?? { ai: 0, unknown: 0, added: 0, files: [] };
      e.ai += f.aiLines;
      e.unknown += f.unknownLines ?? 0;
      e.added += f.addedLines;
      e.files.push(f);
      out.set(f.path, e);
    }
  }
  return out;
}
