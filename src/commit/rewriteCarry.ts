import * as fs from 'fs';
import * as path from 'path';
import { AiRange } from '../core/contribution/mapRanges';
import { carryRanges, manifestRangesInText } from '../core/manifest/carry';
import { CarriedFrom, Manifest, ManifestFile, manifestRepoPath, parseManifest } from '../core/manifest/schema';
import { TRAILER_PROVENANCE } from '../core/trailers/trailers';
import { decodeUtf8, gitText, resolveCommit, runGit } from '../git/git';
import { readNote } from '../git/manifestStore';
import { parseTrailers } from '../git/trailers';

/**
 * The commits a commit being made rewrites, and their AI lines carried onto it (vscode-free; the
 * commit hooks use it):
 * - `git commit --amend`: HEAD;
 * - a pick of `git rebase` or `git cherry-pick` (git runs `prepare-commit-msg` with
 *   `CHERRY_PICK_HEAD` naming the commit picked; after a conflict, `git rebase --continue`
 *   commits with `REBASE_HEAD` naming it);
 * - a `squash`/`fixup` of an interactive rebase (`rebase-merge/current-fixups` lists the commits
 *   folded into HEAD, which is amended): HEAD and those commits;
 * - the commit after `git merge --squash` (`SQUASH_MSG` lists the commits squashed).
 * Each original's manifest (its note, or the committed `.ai-provenance/<id>.json` its trailer
 * names) says which lines of its text were AI; those lines are moved onto the blobs being
 * committed by content (see `core/manifest/carry.ts`).
 */

export interface RewriteInput {
  readonly root: string;
  readonly gitDir: string;
  /** True for `git commit --amend` (HEAD is replaced). */
  readonly amend: boolean;
  /** HEAD's commit id when the caller resolved it already (null: no HEAD); resolved here otherwise. */
  readonly head?: string | null;
}

export interface Rewrite {
  /** The commits replaced by the commit being made (oldest first). */
  readonly originals: readonly string[];
  /** True when the commit being made replaces HEAD (measured against HEAD's parent). */
  readonly replacesHead: boolean;
  /** True for the commit after `git merge --squash` (the commits squashed are its originals). */
  readonly squash?: boolean;
}

/** Which commits the commit being made rewrites, or undefined for an ordinary commit. */
export async function detectRewrite(input: RewriteInput): Promise<Rewrite | undefined> {
  const head = input.head !== undefined ? (input.head ?? undefined) : await resolveCommit(input.root, 'HEAD');
  const picked = readRef(input.gitDir, 'CHERRY_PICK_HEAD') ?? (rebaseInProgress(input.gitDir) ? readRef(input.gitDir, 'REBASE_HEAD') : undefined);
  const fixups = readFixups(input.gitDir);
  if (fixups.length && head) return { originals: unique([head, ...fixups, ...(picked ? [picked] : [])]), replacesHead: true };
  if (input.amend && head) return { originals: [head], replacesHead: true };
  if (picked) return { originals: [picked], replacesHead: false };
  const squashed = readSquashed(input.gitDir);
  if (squashed.length) return { originals: squashed, replacesHead: false, squash: true };
  return undefined;
}

export interface OriginalRecord {
  readonly commit: string;
  readonly manifest: Manifest;
}

/** The manifest a commit carries (its note, or the committed file its `AI-Provenance` trailer names), if valid. */
export async function manifestOfCommit(root: string, commit: string): Promise<Manifest | undefined> {
  const message = await gitText(['log', '-1', '--format=%B', commit], { cwd: root });
  const ids = (await parseTrailers(message, root)).filter((t) => t.key.toLowerCase() === TRAILER_PROVENANCE.toLowerCase()).map((t) => t.value);
  const id = ids[ids.length - 1];
  const note = await readNote(root, commit);
  if (note && (!id || note.id === id)) return note;
  if (!id || !/^[0-9A-Za-z-]+$/.test(id)) return note;
  const r = await runGit(['show', `${commit}:${manifestRepoPath(id)}`], { cwd: root, okCodes: [128] });
  if (r.code !== 0) return note;
  const p = parseManifest(r.stdout.toString('utf8'));
  return p.ok ? p.value : note;
}

/** AI ranges of the originals, carried onto the texts being committed. */
export class CarriedProvenance {
  private readonly lost = new Map<string, number>();

  private constructor(
    readonly records: readonly OriginalRecord[],
    /** Original text and ranges per path, one entry per original that has AI lines there. */
    private readonly sources: ReadonlyMap<string, ReadonlyArray<{ text: string; ranges: AiRange[] }>>,
  ) {}

  static async load(root: string, originals: readonly string[]): Promise<CarriedProvenance> {
    const records: OriginalRecord[] = [];
    const sources = new Map<string, Array<{ text: string; ranges: AiRange[] }>>();
    for (const commit of originals) {
      const manifest = await manifestOfCommit(root, commit).catch(() => undefined);
      if (!manifest) continue;
      records.push({ commit, manifest });
      for (const f of manifest.files) {
        if (!f.ranges.length) continue;
        const r = await runGit(['show', `${commit}:${f.path}`], { cwd: root, okCodes: [128] });
        const text = r.code === 0 ? decodeUtf8(r.stdout) : undefined;
        if (text === undefined) continue;
        const list = sources.get(f.path) ?? [];
        list.push({ text, ranges: manifestRangesInText(text, f) });
        sources.set(f.path, list);
      }
    }
    return new CarriedProvenance(records, sources);
  }

  /** Manifests carried (for `carriedFrom`). */
  get carriedFrom(): CarriedFrom[] {
    return this.records.map((r) => ({ commit: r.commit, id: r.manifest.id }));
  }

  /** True when an original was flagged by its policy. */
  get anyFlagged(): Manifest | undefined {
    return this.records.find((r) => r.manifest.flagged)?.manifest;
  }

  /** The originals' AI ranges moved onto `text` (the content committed at `path`). */
  rangesFor(path: string, text: string): AiRange[] {
    const out: AiRange[] = [];
    let lost = 0;
    for (const s of this.sources.get(path) ?? []) {
      const c = carryRanges(s.text, s.ranges, text);
      out.push(...c.ranges);
      lost += c.lostLines;
    }
    this.lost.set(path, lost);
    return out;
  }

  /** AI lines of the originals at `path` that did not survive unchanged (after {@link rangesFor}). */
  lostLines(path: string): number {
    return this.lost.get(path) ?? 0;
  }

  /** Paths with original AI lines. */
  paths(): string[] {
    return [...this.sources.keys()];
  }
}

/**
 * Files with `unknownLines`: where AI lines of the rewritten commits did not survive unchanged,
 * as many of the file's added lines that are not AI (at most) cannot be attributed.
 */
export function withUnknownLines(files: readonly ManifestFile[], carried: CarriedProvenance): ManifestFile[] {
  return files.map((f) => {
    const unknown = Math.min(carried.lostLines(f.path), f.addedLines - f.aiLines);
    return unknown > 0 ? { ...f, unknownLines: unknown } : f;
  });
}

/** A manifest of a rewritten commit: names the manifests it replaces; stays flagged when lines became unknown. */
export function carriedManifest(m: Manifest, carried: CarriedProvenance, unknown: number, originals: readonly string[]): Manifest {
  const flaggedBefore = carried.anyFlagged;
  const keepFlag = !m.flagged && unknown > 0 && flaggedBefore;
  return {
    ...m,
    ...(keepFlag ? { flagged: true, ...(flaggedBefore.reviewRequired ? { reviewRequired: flaggedBefore.reviewRequired } : {}) } : {}),
    carriedFrom: carried.carriedFrom,
    ...(unknown > 0
      ? {
          unknownReason: `${unknown} added line(s) replace AI lines of ${originals.map((c) => c.slice(0, 12)).join(', ')} that changed during the rewrite; they cannot be attributed`,
        }
      : {}),
  };
}

function readRef(gitDir: string, name: string): string | undefined {
  try {
    const v = fs.readFileSync(path.join(gitDir, name), 'utf8').trim();
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Commits folded into HEAD by the squash/fixup in progress (`rebase-merge/current-fixups`). */
function readFixups(gitDir: string): string[] {
  try {
    return fs
      .readFileSync(path.join(gitDir, 'rebase-merge', 'current-fixups'), 'utf8')
      .split('\n')
      .map((l) => /^(?:squash|fixup)\s+([0-9a-f]{40}(?:[0-9a-f]{24})?)/.exec(l.trim())?.[1])
      .filter((x): x is string => !!x);
  } catch {
    return [];
  }
}

/** The commits `git merge --squash` squashed, oldest first (`SQUASH_MSG` lists them newest first). */
function readSquashed(gitDir: string): string[] {
  try {
    const text = fs.readFileSync(path.join(gitDir, 'SQUASH_MSG'), 'utf8');
    const out: string[] = [];
    for (const m of text.matchAll(/^commit ([0-9a-f]{40}(?:[0-9a-f]{24})?)$/gm)) out.push(m[1]);
    return unique(out.reverse());
  } catch {
    return [];
  }
}

function rebaseInProgress(gitDir: string): boolean {
  return fs.existsSync(path.join(gitDir, 'rebase-merge')) || fs.existsSync(path.join(gitDir, 'rebase-apply'));
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
