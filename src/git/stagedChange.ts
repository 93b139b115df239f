import { computeFileContribution } from '../core/contribution/contribution';
import { AiRange } from '../core/contribution/mapRanges';
import { MANIFEST_DIR, ManifestFile, ManifestFileStatus, ManifestSkipReason, sha256Hex } from '../core/manifest/schema';
import { TrivialRule } from '../core/policy/policy';
import { StagedEntry, blobSizes, decodeUtf8, readBlob, resolveCommit, stagedEntries } from './git';

/**
 * The contribution of the staged change: every file that differs between the index and a base
 * commit (HEAD by default), counted with `computeFileContribution`. git supplies the texts
 * (`git diff --cached --raw --numstat -M`, `git cat-file`); the caller supplies the AI ranges of
 * each staged text (from the editor's provenance, or from the snapshot the extension wrote).
 *
 * Skipped, with a note, and listed with zero counts: binary files (as git's diff sees them),
 * files over `maxFileBytes`, submodules, symlinks, text that is not UTF-8. Never counted: the
 * manifests under `.ai-provenance/` themselves.
 */

export interface StagedFile {
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
  readonly maxFileBytes: number;
  readonly trivial: TrivialRule;
  /** AI ranges of a staged file, in offsets of its staged text. */
  readonly rangesFor: (file: StagedFile) => readonly AiRange[] | Promise<readonly AiRange[]>;
  /** Environment for git (e.g. GIT_INDEX_FILE inside a hook). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface StagedChange {
  /** Full id of the base commit; null for an unborn branch or a root commit. */
  readonly base: string | null;
  /** One entry per staged file (manifests excluded), ready for a manifest. */
  readonly files: ManifestFile[];
  /** Index blob per staged path (not for deleted files). */
  readonly blobs: ReadonlyMap<string, string>;
  /** Human-readable notes about skipped files. */
  readonly notes: string[];
  /** Raw entries (including manifests under `.ai-provenance/`). */
  readonly entries: readonly StagedEntry[];
}

const STATUS: Record<string, ManifestFileStatus> = { added: 'added', modified: 'modified', renamed: 'renamed', copied: 'copied', deleted: 'deleted', 'type-changed': 'modified' };

/** True for paths that hold our manifests (never counted as a contribution). */
export function isManifestPath(path: string): boolean {
  return path === MANIFEST_DIR || path.startsWith(`${MANIFEST_DIR}/`);
}

export async function computeStagedChange(options: StagedChangeOptions): Promise<StagedChange> {
  const { root, env } = options;
  const baseRev = options.base === undefined ? 'HEAD' : options.base;
  const base = baseRev === null ? null : ((await resolveCommit(root, baseRev)) ?? null);
  if (baseRev !== null && baseRev !== 'HEAD' && base === null) throw new Error(`cannot resolve base commit ${baseRev}`);
  const entries = await stagedEntries(root, base ?? undefined, env);
  const counted = entries.filter((e) => !isManifestPath(e.path));
  const sizes = await blobSizes(root, counted.flatMap((e) => (e.newBlob ? [e.newBlob] : [])));
  const files: ManifestFile[] = [];
  const blobs = new Map<string, string>();
  const notes: string[] = [];
  const zero = { addedLines: 0, aiLines: 0, nonTrivialAiLines: 0, addedCharacters: 0, aiCharacters: 0, ranges: [] };

  for (const e of counted) {
    const status = STATUS[e.status];
    const head = { path: e.path, ...(e.oldPath !== undefined ? { oldPath: e.oldPath } : {}), status };
    if (e.status === 'deleted' || !e.newBlob) {
      files.push({ ...head, status: 'deleted', ...zero });
      continue;
    }
    blobs.set(e.path, e.newBlob);
    const skip = (reason: ManifestSkipReason, note: string, sha256: string): void => {
      notes.push(note);
      files.push({ ...head, sha256, ...zero, skipped: reason });
    };
    if (e.newMode === '160000') {
      // A submodule's "blob" is a commit id; hash the id as its content.
      skip('submodule', `${e.path}: submodule, not analysed`, sha256Hex(e.newBlob));
      continue;
    }
    const bytes = await readBlob(root, e.newBlob);
    const sha256 = sha256Hex(bytes);
    if (e.newMode === '120000') {
      skip('symlink', `${e.path}: symbolic link, not analysed`, sha256);
      continue;
    }
    if (e.binary) {
      skip('binary', `${e.path}: binary file, not analysed`, sha256);
      continue;
    }
    const size = sizes.get(e.newBlob) ?? bytes.length;
    if (size > options.maxFileBytes) {
      skip('too-large', `${e.path}: ${(size / 1048576).toFixed(1)} MB is above the ${(options.maxFileBytes / 1048576).toFixed(1)} MB limit, not analysed`, sha256);
      continue;
    }
    const text = decodeUtf8(bytes);
    if (text === undefined) {
      skip('not-utf8', `${e.path}: not UTF-8 text, not analysed`, sha256);
      continue;
    }
    let baseText: string | undefined;
    if (e.oldBlob && e.status !== 'added' && e.oldMode !== '160000' && e.oldMode !== '120000') {
      const old = decodeUtf8(await readBlob(root, e.oldBlob));
      // An old version that is not text: every line of the new one counts as added.
      baseText = old;
    }
    const ranges = await options.rangesFor({ path: e.path, blob: e.newBlob, text });
    const c = computeFileContribution({ baseText, text, ranges, trivial: options.trivial });
    if (c.ignoredRanges) notes.push(`${e.path}: ${c.ignoredRanges} recorded AI range(s) did not match the staged text and were not counted`);
    const { ignoredRanges: _ignored, ...counts } = c;
    void _ignored;
    files.push({ ...head, sha256, ...counts });
  }
  return { base, files, blobs, notes, entries };
}
