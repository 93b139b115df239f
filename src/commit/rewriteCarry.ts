import * as fs from 'fs';
import * as path from 'path';
import { AiRange } from '../core/contribution/mapRanges';
import { carryRanges, manifestRangesInText } from '../core/manifest/carry';
import { PromptMode, strictestPromptMode } from '../core/manifest/conversations';
import { CarriedFrom, Manifest, ManifestFile, manifestRepoPath, parseManifest } from '../core/manifest/schema';
import { TRAILER_AI_ASSISTED, TRAILER_CONTRIBUTION, TRAILER_PROVENANCE, TRAILER_REVIEW_REQUIRED, Trailer, contributionAiLines } from '../core/trailers/trailers';
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

/**
 * An original that declared AI lines (`AI-Assisted: yes`, an `AI-Contribution`) but whose manifest
 * cannot be read (no note here, or it was lost): none of its lines can be placed, so as many lines
 * of the new commit count as `unknown`, never as human, and its flag stays.
 */
export interface UnrecordedOriginal {
  readonly commit: string;
  /** AI lines its `AI-Contribution` trailer states (0 when it states none). */
  readonly aiLines: number;
  readonly flagged: boolean;
  readonly reviewRequired?: string;
}

/** The manifest a commit carries (its note, or the committed file its `AI-Provenance` trailer names), if valid. */
export async function manifestOfCommit(root: string, commit: string): Promise<Manifest | undefined> {
  const message = await gitText(['log', '-1', '--format=%B', commit], { cwd: root });
  return manifestNamed(root, commit, await parseTrailers(message, root));
}

async function manifestNamed(root: string, commit: string, trailers: readonly Trailer[]): Promise<Manifest | undefined> {
  const ids = trailers.filter((t) => t.key.toLowerCase() === TRAILER_PROVENANCE.toLowerCase()).map((t) => t.value);
  const id = ids[ids.length - 1];
  const note = await readNote(root, commit);
  if (note && (!id || note.id === id)) return note;
  if (!id || !/^[0-9A-Za-z-]+$/.test(id)) return note;
  const r = await runGit(['show', `${commit}:${manifestRepoPath(id)}`], { cwd: root, okCodes: [128] });
  if (r.code !== 0) return note;
  const p = parseManifest(r.stdout.toString('utf8'));
  return p.ok ? p.value : note;
}

/** What a commit's trailers declare about AI lines, when they declare any. */
function declaredAi(commit: string, trailers: readonly Trailer[]): UnrecordedOriginal | undefined {
  const last = (key: string): string | undefined => trailers.filter((t) => t.key.toLowerCase() === key.toLowerCase()).map((t) => t.value.trim()).pop();
  const flagged = last(TRAILER_AI_ASSISTED)?.toLowerCase() === 'yes';
  const contribution = last(TRAILER_CONTRIBUTION);
  const aiLines = (contribution !== undefined ? contributionAiLines(contribution) : undefined) ?? 0;
  if (!flagged && aiLines === 0) return undefined;
  const review = last(TRAILER_REVIEW_REQUIRED);
  return { commit, aiLines, flagged, ...(flagged && review ? { reviewRequired: review } : {}) };
}

/** AI ranges of the originals, carried onto the texts being committed. */
export class CarriedProvenance {
  private readonly lost = new Map<string, number>();
  private readonly kept = new Map<string, number>();

  private constructor(
    readonly records: readonly OriginalRecord[],
    /** Original text and ranges per path, one entry per original that has AI lines there. */
    private readonly sources: ReadonlyMap<string, ReadonlyArray<{ text: string; ranges: AiRange[] }>>,
    /** Originals that declared AI lines but whose record cannot be read. */
    readonly unrecorded: readonly UnrecordedOriginal[] = [],
  ) {}

  static async load(root: string, originals: readonly string[]): Promise<CarriedProvenance> {
    const records: OriginalRecord[] = [];
    const unrecorded: UnrecordedOriginal[] = [];
    const sources = new Map<string, Array<{ text: string; ranges: AiRange[] }>>();
    for (const commit of originals) {
      const message = await gitText(['log', '-1', '--format=%B', commit], { cwd: root }).catch(() => undefined);
      const trailers = message === undefined ? [] : await parseTrailers(message, root).catch(() => [] as Trailer[]);
      const manifest = await manifestNamed(root, commit, trailers).catch(() => undefined);
      if (!manifest) {
        const declared = declaredAi(commit, trailers);
        if (declared) unrecorded.push(declared);
        continue;
      }
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
    return new CarriedProvenance(records, sources, unrecorded);
  }

  /** Manifests carried (for `carriedFrom`). */
  get carriedFrom(): CarriedFrom[] {
    return this.records.map((r) => ({ commit: r.commit, id: r.manifest.id }));
  }

  /**
   * What of the prompts a manifest built from these records may hold: the mode that discloses
   * least among theirs (a carried conversation never shows more than its original did).
   */
  get promptMode(): PromptMode | undefined {
    return strictestPromptMode(this.records.map((r) => r.manifest.prompts?.mode));
  }

  /** True when an original says anything about AI lines (a record, or trailers without one). */
  get declaresAi(): boolean {
    return this.records.length > 0 || this.unrecorded.length > 0;
  }

  /** The flag of an original flagged by its policy (its manifest, or its trailers when it has none), if any. */
  get anyFlagged(): { readonly reviewRequired?: string } | undefined {
    return this.records.find((r) => r.manifest.flagged)?.manifest ?? this.unrecorded.find((u) => u.flagged);
  }

  /** The originals' AI ranges moved onto `text` (the content committed at `path`). */
  rangesFor(path: string, text: string): AiRange[] {
    const out: AiRange[] = [];
    let lost = 0;
    let kept = 0;
    for (const s of this.sources.get(path) ?? []) {
      const c = carryRanges(s.text, s.ranges, text);
      out.push(...c.ranges);
      lost += c.lostLines;
      kept += c.keptLines;
    }
    this.lost.set(path, lost);
    this.kept.set(path, kept);
    return out;
  }

  /** AI lines of the originals at `path` that did not survive unchanged (after {@link rangesFor}). */
  lostLines(path: string): number {
    return this.lost.get(path) ?? 0;
  }

  /** AI lines of the records that were placed in the new texts (after {@link rangesFor}). */
  get keptLines(): number {
    let n = 0;
    for (const k of this.kept.values()) n += k;
    return n;
  }

  /** Paths with original AI lines. */
  paths(): string[] {
    return [...this.sources.keys()];
  }
}

/**
 * Files with `unknownLines`: where AI lines of the rewritten commits did not survive unchanged,
 * as many of the file's added lines that are not AI (at most) cannot be attributed. The AI lines
 * of originals without a record (see {@link UnrecordedOriginal}) that the new commit's measured AI
 * lines do not account for are spread the same way over the files, in path order.
 */
export function withUnknownLines(files: readonly ManifestFile[], carried: CarriedProvenance): ManifestFile[] {
  const out = files.map((f) => {
    const unknown = Math.min(carried.lostLines(f.path), f.addedLines - f.aiLines);
    return unknown > 0 ? { ...f, unknownLines: unknown } : f;
  });
  const declared = carried.unrecorded.reduce((n, u) => n + u.aiLines, 0);
  if (!declared) return out;
  // AI lines found besides those carried from records may be the unrecorded originals' lines.
  const measured = out.reduce((n, f) => n + f.aiLines, 0);
  let unplaced = Math.max(0, declared - Math.max(0, measured - carried.keptLines));
  const order = out.map((f, i) => ({ f, i })).sort((a, b) => (a.f.path < b.f.path ? -1 : a.f.path > b.f.path ? 1 : 0));
  for (const { f, i } of order) {
    if (unplaced <= 0) break;
    const room = f.addedLines - f.aiLines - (f.unknownLines ?? 0);
    const n = Math.min(room, unplaced);
    if (n <= 0) continue;
    out[i] = { ...f, unknownLines: (f.unknownLines ?? 0) + n };
    unplaced -= n;
  }
  return out;
}

/** A manifest of a rewritten commit: names the manifests it replaces; stays flagged when lines became unknown. */
export function carriedManifest(m: Manifest, carried: CarriedProvenance, unknown: number, originals: readonly string[]): Manifest {
  const flaggedBefore = carried.anyFlagged;
  const keepFlag = !m.flagged && unknown > 0 && flaggedBefore;
  const reasons: string[] = [];
  if (unknown > 0) {
    reasons.push(`${unknown} added line(s) replace AI lines of ${originals.map((c) => c.slice(0, 12)).join(', ')} that changed during the rewrite or whose record could not be read; they cannot be attributed`);
  }
  for (const u of carried.unrecorded) {
    reasons.push(`${u.commit.slice(0, 12)} declares ${u.aiLines ? `${u.aiLines} AI line(s)` : 'AI-Assisted: yes'} but has no readable manifest here (a note not fetched or lost)`);
  }
  return {
    ...m,
    ...(keepFlag ? { flagged: true, ...(flaggedBefore.reviewRequired ? { reviewRequired: flaggedBefore.reviewRequired } : {}) } : {}),
    ...(carried.records.length ? { carriedFrom: carried.carriedFrom } : {}),
    ...(reasons.length && unknown > 0 ? { unknownReason: reasons.join('; ') } : {}),
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
