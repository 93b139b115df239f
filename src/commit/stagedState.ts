import { v4 as uuidv4 } from 'uuid';
import { PromptMode } from '../core/manifest/conversations';
import { AiRange, mapRanges } from '../core/contribution/mapRanges';
import { buildManifest, sameClaims } from '../core/manifest/build';
import { Manifest, ManifestLocation, PolicySource, sha256Hex } from '../core/manifest/schema';
import { Policy, PolicyDecision } from '../core/policy/policy';
import { decideReview } from '../core/policy/reviewDecision';
import { riskTexts } from './riskTexts';
import { Trailer, buildTrailers } from '../core/trailers/trailers';
import { decodeUtf8 } from '../git/git';
import { hashBlob, indexBlobs, readBlobs } from '../git/blobs';
import {
  clearPendingNote,
  committedManifestExists,
  readNote,
  readPendingNote,
  readStagedManifest,
  stageManifest,
  unstageManifest,
  writePendingNote,
} from '../git/manifestStore';
import { StagedContribution, computeStagedChange } from '../governance/stagedContribution';
import { SnapshotFile, HookSnapshot, SNAPSHOT_SCHEMA, SNAPSHOT_VERSION, toSnapshotRanges, writeSnapshot } from './snapshot';

/**
 * One refresh of the commit flow's state for a repository, run by the extension whenever the
 * index or the provenance changes (vscode-free, so it is tested on real temporary repositories):
 *
 * 1. the contribution of the staged change (index vs HEAD), from the working-copy AI ranges
 *    mapped onto the staged texts;
 * 2. the manifest for it, when any added line is AI: in `repo` location written to
 *    `.ai-provenance/<id>.json` and staged (only when its claims changed, so refreshing is
 *    idempotent and does not loop); in `notes` location kept as a pending note until the commit.
 *    The id stays the same until a commit carries it, so re-staging, an aborted commit or a
 *    second attempt never produce a second manifest; a manifest no longer needed is unstaged
 *    (never one that HEAD already contains). If the user unstages our manifest and keeps the rest
 *    staged, it is not staged again: that change's manifest becomes a git note instead;
 * 3. the trailers for the message box;
 * 4. the snapshot (`staged.json`) the git hooks read.
 */

export interface WorkingProvenance {
  /** The file's current text in the editor (or on disk). */
  readonly text: string;
  /** AI ranges in `text`. */
  readonly ranges: readonly AiRange[];
  /**
   * Optional: changes whenever `text` or `ranges` may have changed (e.g. the document's version
   * and its provenance's). With it, a file staged as before is not counted again.
   */
  readonly version?: string;
}

export interface RefreshInput {
  readonly root: string;
  readonly gitDir: string;
  readonly policy: { readonly source: PolicySource; readonly value: Policy };
  readonly manifestLocation: ManifestLocation;
  /** `aiProvenance.manifest.prompts`: what of the prompts the manifest holds (default `hash`). */
  readonly prompts?: PromptMode;
  readonly maxFileBytes: number;
  readonly generator: { readonly name: string; readonly version: string };
  readonly trailers: HookSnapshot['trailers'];
  /** `Assisted-by` values the extension has written into the message box. */
  readonly assistedBy: readonly string[];
  /** Working-copy provenance by repo-relative path (files with AI ranges). */
  readonly working: ReadonlyMap<string, WorkingProvenance>;
  /** The previous snapshot (for the pending manifest id). */
  readonly previous?: HookSnapshot;
  readonly now?: () => Date;
}

export interface RefreshResult {
  readonly change: StagedContribution;
  readonly decision: PolicyDecision;
  readonly manifest?: Manifest;
  readonly trailers: Trailer[];
  readonly snapshot: HookSnapshot;
  /** True when the staged change is empty (nothing to commit). */
  readonly empty: boolean;
}

export async function refreshStagedState(input: RefreshInput): Promise<RefreshResult> {
  const { root } = input;
  const now = (input.now ?? (() => new Date()))().toISOString();
  const change = await computeStagedChange({
    root,
    maxFileBytes: input.maxFileBytes,
    trivial: input.policy.value.trivial,
    rangesFor: (f) => {
      const w = input.working.get(f.path);
      return w ? mapRanges(w.text, f.text, w.ranges) : [];
    },
    // No working provenance: no ranges, whatever the blob. Otherwise its version, when known.
    rangesKey: (path) => {
      const w = input.working.get(path);
      if (!w) return '';
      return w.version === undefined ? undefined : `v:${w.version}`;
    },
  });
  // The summary was measured against HEAD: its base is HEAD's commit (null on an unborn branch).
  const head = change.base ?? undefined;
  const files = change.files;
  const empty = files.length === 0;
  const aiLines = files.reduce((n, f) => n + f.aiLines, 0);

  // The pending id: kept until a commit carries it.
  let pendingId = input.previous?.pendingManifestId;
  if (pendingId && head && (await isCommitted(root, head, pendingId))) pendingId = undefined;

  let manifest: Manifest | undefined;
  const texts = await riskTexts(root, input.policy.value, files, change.blobs);
  const draft = (id: string): Manifest =>
    buildManifest({ id, createdAt: now, generator: input.generator, base: change.base, policy: input.policy.value, policySource: input.policy.source, files, texts, prompts: input.prompts });
  let declinedId: string | undefined;
  if (aiLines > 0) {
    const id = pendingId ?? uuidv4();
    // The user unstaged the manifest we staged (and kept the rest staged): do not stage it again;
    // this change's manifest goes to a git note instead.
    const prev = input.previous;
    const declined =
      input.manifestLocation === 'repo' &&
      (prev?.declinedManifestId === id || (prev?.stagedManifestId === id && !(await readStagedManifest(root, id))));
    if (input.manifestLocation === 'repo' && !declined) {
      const staged = await readStagedManifest(root, id);
      const fresh = draft(id);
      if (staged && sameClaims(staged, fresh)) manifest = staged;
      else {
        manifest = fresh;
        await stageManifest(root, fresh);
      }
      clearPendingNote(input.gitDir);
    } else {
      const pending = readPendingNote(input.gitDir);
      const fresh = draft(id);
      if (pending && pending.id === id && sameClaims(pending, fresh)) manifest = pending;
      else {
        manifest = fresh;
        writePendingNote(input.gitDir, fresh);
      }
      if (declined) declinedId = id;
      else await unstageManifest(root, id);
    }
    pendingId = id;
  } else if (pendingId) {
    await unstageManifest(root, pendingId);
    clearPendingNote(input.gitDir);
    pendingId = undefined;
  }

  const summary = manifest ?? draft('00000000-0000-4000-8000-000000000000');
  const decision = decideReview(input.policy.value, summary.totals, summary.risk ?? []);
  const trailers = empty
    ? []
    : buildTrailers({ totals: summary.totals, flagged: decision.flagged, reviewRequired: decision.reviewRequired, manifestId: manifest?.id, risk: summary.risk?.map((h) => h.id) });

  const snapshot: HookSnapshot = {
    schema: SNAPSHOT_SCHEMA,
    version: SNAPSHOT_VERSION,
    writtenAt: now,
    generator: input.generator,
    head: head ?? null,
    policy: input.policy,
    manifestLocation: input.manifestLocation,
    ...(input.prompts ? { prompts: input.prompts } : {}),
    maxFileBytes: input.maxFileBytes,
    trailers: input.trailers,
    ...(pendingId ? { pendingManifestId: pendingId } : {}),
    ...(pendingId && manifest && input.manifestLocation === 'repo' && !declinedId ? { stagedManifestId: pendingId } : {}),
    ...(declinedId ? { declinedManifestId: declinedId } : {}),
    assistedBy: [...input.assistedBy],
    files: await snapshotFiles(root, input.working),
  };
  writeSnapshot(input.gitDir, snapshot);
  return { change, decision, manifest, trailers, snapshot, empty };
}

async function isCommitted(root: string, head: string, id: string): Promise<boolean> {
  if (await committedManifestExists(root, head, id)) return true;
  return (await readNote(root, head))?.id === id;
}

/**
 * Snapshot versions of every file with working-copy AI ranges: its index content and, when it
 * differs, its working-copy content (what `git commit -a` would commit when no filter applies).
 */
async function snapshotFiles(root: string, working: ReadonlyMap<string, WorkingProvenance>): Promise<SnapshotFile[]> {
  const out: SnapshotFile[] = [];
  const paths = [...working].filter(([, w]) => w.ranges.length).map(([p]) => p);
  const blobs = await indexBlobs(root, paths);
  const contents = await readBlobs(root, blobs.values());
  for (const path of paths) {
    const w = working.get(path)!;
    const versions: SnapshotFile['versions'][number][] = [];
    const blob = blobs.get(path);
    let indexText: string | undefined;
    if (blob) {
      indexText = decodeUtf8(contents.get(blob)!);
      if (indexText !== undefined) versions.push({ blob, ranges: toSnapshotRanges(mapRanges(w.text, indexText, w.ranges)) });
    }
    if (indexText !== w.text) {
      const workBlob = await workingBlob(root, w.text);
      if (workBlob !== blob) versions.push({ blob: workBlob, ranges: toSnapshotRanges(mapRanges(w.text, w.text, w.ranges)) });
    }
    if (versions.length) out.push({ path, versions });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const workingBlobs = new Map<string, string>();

/** The blob id git gives `text` (asked once per distinct text; a few hundred remembered). */
async function workingBlob(root: string, text: string): Promise<string> {
  const key = `${root}\u0000${sha256Hex(text)}`;
  const hit = workingBlobs.get(key);
  if (hit) return hit;
  const blob = await hashBlob(root, Buffer.from(text, 'utf8'));
  workingBlobs.set(key, blob);
  if (workingBlobs.size > 500) workingBlobs.delete(workingBlobs.keys().next().value as string);
  return blob;
}
