import { computeFileContribution } from '../core/contribution/contribution';
import { AiRange } from '../core/contribution/mapRanges';
import { MANIFEST_DIR, ManifestFile, ManifestFileStatus, ManifestSkipReason, prepareSha256, sha256Hex } from '../core/manifest/schema';
import { TrivialRule } from '../core/policy/policy';
import { decodeUtf8, emptyTree, resolveCommit } from '../git/git';
import { StagedDiffEntry, stagedEntries } from '../git/stagedDiff';
import { StagedFileRead, readStagedFiles } from '../git/stagedFiles';

/**
 * The contribution of the staged change, counted under the policy: every file that differs
 * between the index and a base commit (HEAD by default), counted with `computeFileContribution`.
 * git only reads: it lists the staged files (`stagedEntries`) and gives the added lines and staged
 * text of each file to count (`readStagedFiles`); the counting, its rules and the counts kept
 * between summaries are here. The caller supplies the AI ranges of each staged text (from the
 * editor's provenance, or from the snapshot the extension wrote).
 *
 * Skipped, with a note, and listed with zero counts: binary files (as git's diff sees them),
 * files over `maxFileBytes`, submodules, symlinks, text that is not UTF-8. Never counted: the
 * manifests under `.ai-provenance/` themselves.
 */

export interface StagedBlob {
  /** Path in the index, `/`-separated. */
  readonly path: string;
  /** Blob id of the staged content. */
  readonly blob: string;
  /** The staged text. */
  readonly text: string;
}

export interface StagedChangeOptions {
  readonly root: string;
  /** Commit to measure against: a revision (default `HEAD`), or null for "no parent" (root commit). */
  readonly base?: string | null;
  /** The base's commit id when the caller resolved it already (null: none, diffed against the empty tree); no git process then. */
  readonly resolvedBase?: string | null;
  readonly maxFileBytes: number;
  readonly trivial: TrivialRule;
  /** AI ranges of a staged file, in offsets of its staged text. */
  readonly rangesFor: (file: StagedBlob) => readonly AiRange[];
  /**
   * Optional: a string that stands for the ranges `rangesFor` would give a path and staged blob,
   * got without computing them (e.g. a version of the file's provenance), or undefined when there
   * is none. With it, a file whose staged blob, base blob and key are those of a file counted
   * before (in this process, with the same rules) keeps that count: its blobs are not read and
   * `rangesFor` is not called. A key must change whenever those ranges may change.
   */
  readonly rangesKey?: (path: string, blob: string) => string | undefined;
  /** Environment for git (e.g. GIT_INDEX_FILE inside a hook). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface StagedContribution {
  /** Full id of the base commit; null for an unborn branch or a root commit. */
  readonly base: string | null;
  /** One entry per staged file (manifests excluded), ready for a manifest. */
  readonly files: readonly ManifestFile[];
  /** Index blob per staged path (not for deleted files). */
  readonly blobs: ReadonlyMap<string, string>;
  /** Human-readable notes about skipped files. */
  readonly notes: readonly string[];
  /** Raw entries (including manifests under `.ai-provenance/`). */
  readonly entries: readonly StagedDiffEntry[];
}

const STATUS: Record<string, ManifestFileStatus> = { added: 'added', modified: 'modified', renamed: 'renamed', copied: 'copied', deleted: 'deleted', 'type-changed': 'modified' };

/** True for paths that hold our manifests (never counted as a contribution). */
export function isManifestPath(path: string): boolean {
  return path === MANIFEST_DIR || path.startsWith(`${MANIFEST_DIR}/`);
}

type Counts = Pick<ManifestFile, 'addedLines' | 'aiLines' | 'nonTrivialAiLines' | 'addedCharacters' | 'aiCharacters' | 'ranges' | 'conversations'>;

/** A file's entry as counted once (everything but its path and status), kept for unchanged inputs. */
interface CountedFile {
  readonly sha256: string;
  readonly counts?: Counts;
  readonly skipped?: ManifestSkipReason;
  readonly note?: string;
}

const COUNT_CACHE_ENTRIES = 10_000;

/** A kept count and everything it was counted from, besides the staged blob it is kept under. */
interface KeptCount {
  readonly scope: string;
  readonly path: string;
  readonly status: StagedDiffEntry['status'];
  readonly newMode: string;
  readonly oldMode: string;
  readonly oldBlob: string | undefined;
  readonly rangesKey: string;
  readonly counted: CountedFile;
}

/** By staged blob id, least recently used first (one entry per blob: the same content staged at two paths is counted each time). */
const countCache = new Map<string, KeptCount>();

function cachedCount(e: StagedDiffEntry, scope: string, rangesKey: string): CountedFile | undefined {
  const hit = countCache.get(e.newBlob!);
  if (
    !hit ||
    hit.scope !== scope ||
    hit.path !== e.path ||
    hit.status !== e.status ||
    hit.newMode !== e.newMode ||
    hit.oldMode !== e.oldMode ||
    hit.oldBlob !== e.oldBlob ||
    hit.rangesKey !== rangesKey
  ) {
    return undefined;
  }
  countCache.delete(e.newBlob!);
  countCache.set(e.newBlob!, hit);
  return hit.counted;
}

function cacheCount(e: StagedDiffEntry, scope: string, rangesKey: string, counted: CountedFile): void {
  countCache.delete(e.newBlob!);
  countCache.set(e.newBlob!, { scope, path: e.path, status: e.status, newMode: e.newMode, oldMode: e.oldMode, oldBlob: e.oldBlob, rangesKey, counted });
  if (countCache.size > COUNT_CACHE_ENTRIES) countCache.delete(countCache.keys().next().value as string);
}

/**
 * The last summary per repository, rules and base, with the entries git listed (the very array
 * {@link stagedEntries} returns for the same output) and each file's ranges key.
 */
const lastSummaries = new Map<string, { readonly entries: readonly StagedDiffEntry[]; readonly keys: readonly (string | undefined)[]; readonly change: StagedContribution }>();
const LAST_SUMMARIES = 8;

/** Forgets every count and summary kept by {@link computeStagedChange} (tests). */
export function clearStagedCountCache(): void {
  countCache.clear();
  lastSummaries.clear();
}

/**
 * A file's manifest entry, with its properties in the order manifests list them (path, oldPath,
 * status, sha256, the counts, skipped). Built property by property: object spreads cost more than
 * everything else done for a file whose count is kept.
 */
function fileEntry(e: StagedDiffEntry, status: ManifestFileStatus, sha256: string | undefined, counts: Counts | undefined, skipped?: ManifestSkipReason): ManifestFile {
  const f: { -readonly [K in keyof ManifestFile]?: ManifestFile[K] } = { path: e.path };
  if (e.oldPath !== undefined) f.oldPath = e.oldPath;
  f.status = status;
  if (sha256 !== undefined) f.sha256 = sha256;
  f.addedLines = counts ? counts.addedLines : 0;
  f.aiLines = counts ? counts.aiLines : 0;
  f.nonTrivialAiLines = counts ? counts.nonTrivialAiLines : 0;
  f.addedCharacters = counts ? counts.addedCharacters : 0;
  f.aiCharacters = counts ? counts.aiCharacters : 0;
  f.ranges = counts ? counts.ranges : [];
  if (counts?.conversations) f.conversations = counts.conversations;
  if (skipped !== undefined) f.skipped = skipped;
  return f as ManifestFile;
}

export async function computeStagedChange(options: StagedChangeOptions): Promise<StagedContribution> {
  const { root, env } = options;
  const baseRev = options.base === undefined ? 'HEAD' : options.base;
  const resolving = baseRev === null ? undefined : options.resolvedBase !== undefined ? Promise.resolve(options.resolvedBase ?? undefined) : resolveCommit(root, baseRev);
  // Every staged text is hashed; the hash's first-use set-up runs while git resolves the base.
  prepareSha256();
  const base = resolving === undefined ? null : ((await resolving) ?? null);
  if (baseRev !== null && baseRev !== 'HEAD' && base === null) throw new Error(`cannot resolve base commit ${baseRev}`);
  // What git diffs against: the base commit, or the empty tree (asked once) when there is none.
  const against = base ?? (await emptyTree(root));
  const entries = await stagedEntries(root, against, env);
  const counted = entries.filter((e) => !isManifestPath(e.path));

  // Each file's ranges key, where the caller can name its ranges without computing them
  // (`rangesKey`); none for files without a staged text to count.
  const scope = `${root}\u0000${options.maxFileBytes}\u0000${JSON.stringify(options.trivial)}`;
  const countable = (e: StagedDiffEntry): boolean => e.status !== 'deleted' && !!e.newBlob && e.newMode !== '160000';
  const keyList = counted.map((e) => (countable(e) && options.rangesKey ? options.rangesKey(e.path, e.newBlob!) : undefined));
  // The same staged state as last time (git listed the very same entries), with the same rules
  // and the same ranges keys for every file it has to count: the same summary.
  const memoKey = `${scope}\u0000${base ?? ''}`;
  const last = lastSummaries.get(memoKey);
  const keyed = counted.every((e, i) => keyList[i] !== undefined || !countable(e));
  if (last && keyed && last.entries === entries && last.keys.every((k, i) => k === keyList[i])) return last.change;

  // Files counted before with the same blobs, modes, rules and ranges key are not read or counted again.
  const known = new Map<StagedDiffEntry, CountedFile>();
  counted.forEach((e, i) => {
    const rangesKey = keyList[i];
    if (rangesKey === undefined) return;
    const hit = cachedCount(e, scope, rangesKey);
    if (hit) known.set(e, hit);
  });

  // The files still to count, each counted as soon as git has given its diff and staged text.
  const reads = counted.filter((e) => countable(e) && !known.has(e));
  const done = new Map<StagedDiffEntry, CountedFile>();
  await readStagedFiles(root, against, reads, counted.length, { env, maxFileBytes: options.maxFileBytes }, (file) => done.set(file.entry, countFile(file, options)));

  const files: ManifestFile[] = [];
  const blobs = new Map<string, string>();
  const notes: string[] = [];

  for (let i = 0; i < counted.length; i++) {
    const e = counted[i];
    const status = STATUS[e.status];
    if (e.status === 'deleted' || !e.newBlob) {
      files.push(fileEntry(e, 'deleted', undefined, undefined));
      continue;
    }
    blobs.set(e.path, e.newBlob);
    if (e.newMode === '160000') {
      // A submodule's "blob" is a commit id; hash the id as its content.
      notes.push(`${e.path}: submodule, not analysed`);
      files.push(fileEntry(e, status, sha256Hex(e.newBlob), undefined, 'submodule'));
      continue;
    }
    let c = known.get(e);
    if (!c) {
      c = done.get(e)!;
      const rangesKey = keyList[i];
      if (rangesKey !== undefined) cacheCount(e, scope, rangesKey, c);
    }
    if (c.note) notes.push(c.note);
    files.push(fileEntry(e, status, c.sha256, c.counts, c.skipped));
  }
  const change: StagedContribution = { base, files: Object.freeze(files), blobs, notes: Object.freeze(notes), entries };
  if (keyed) {
    lastSummaries.delete(memoKey);
    lastSummaries.set(memoKey, { entries, keys: keyList, change });
    if (lastSummaries.size > LAST_SUMMARIES) lastSummaries.delete(lastSummaries.keys().next().value as string);
  } else lastSummaries.delete(memoKey);
  return change;
}

/** Counts one staged file (not deleted, not a submodule) from its diff and staged bytes. */
function countFile({ entry: e, diff, bytes, oldSize }: StagedFileRead, options: StagedChangeOptions): CountedFile {
  const sha256 = sha256Hex(bytes);
  if (e.newMode === '120000') return { sha256, skipped: 'symlink', note: `${e.path}: symbolic link, not analysed` };
  const mb = (n: number): string => (n / 1048576).toFixed(1);
  const limit = mb(options.maxFileBytes);
  if (bytes.length > options.maxFileBytes) return { sha256, skipped: 'too-large', note: `${e.path}: ${mb(bytes.length)} MB is above the ${limit} MB limit, not analysed` };
  if (diff?.binary) {
    // git calls a pair binary when either side is above the limit (core.bigFileThreshold).
    if (oldSize !== undefined && oldSize > options.maxFileBytes) {
      return { sha256, skipped: 'too-large', note: `${e.path}: its previous version, ${mb(oldSize)} MB, is above the ${limit} MB limit; not analysed` };
    }
    return { sha256, skipped: 'binary', note: `${e.path}: binary file, not analysed` };
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) return { sha256, skipped: 'not-utf8', note: `${e.path}: not UTF-8 text, not analysed` };
  const ranges = options.rangesFor({ path: e.path, blob: e.newBlob!, text });
  // git printed no diff for the file (not expected for a text file whose content changed): every
  // line counts as added, and the note says so.
  const added = diff ? diff.added : 'every-line';
  const { ignoredRanges, ...counts } = computeFileContribution({ text, added, ranges, trivial: options.trivial });
  const notes: string[] = [];
  if (ignoredRanges) notes.push(`${e.path}: ${ignoredRanges} recorded AI range(s) did not match the staged text and were not counted`);
  if (!diff && text !== '') notes.push(`${e.path}: git printed no diff for this file; every line was counted as added`);
  return { sha256, counts, ...(notes.length ? { note: notes.join('; ') } : {}) };
}
