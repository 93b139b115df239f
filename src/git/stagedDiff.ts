import { FileDiff, PatchReader } from './patch';
import { emptyTree, runGit, splitNul, streamGit } from './git';

export type ChangeStatus = 'added' | 'modified' | 'renamed' | 'copied' | 'deleted' | 'type-changed';

/** One entry of the staged change (index vs a base commit). */
export interface StagedDiffEntry {
  readonly status: ChangeStatus;
  /** Path in the index (for deletions: the deleted path). */
  readonly path: string;
  /** Path in the base for renames and copies. */
  readonly oldPath?: string;
  readonly oldMode: string;
  readonly newMode: string;
  /** Blob id in the base; undefined for added files. */
  readonly oldBlob?: string;
  /** Blob id in the index; undefined for deleted files. */
  readonly newBlob?: string;
}

/** The object id git lists for "no file" (all zeros). */
const ZERO_ID = /^0+$/;

const STATUS: Record<string, ChangeStatus> = { A: 'added', M: 'modified', R: 'renamed', C: 'copied', D: 'deleted', T: 'type-changed' };

/**
 * The staged change: `git diff --cached --raw -z -M` against `base` (a commit id; the empty tree
 * when undefined, i.e. an unborn branch). Unmerged entries are skipped. No file is diffed (only
 * renames are looked for), so this is fast whatever the size of the change; the added lines come
 * from {@link stagedPatch}, for the files that need them.
 */
export async function stagedEntries(root: string, base: string | undefined, env?: NodeJS.ProcessEnv): Promise<readonly StagedDiffEntry[]> {
  const against = base ?? (await emptyTree(root));
  const bytes = (await runGit(['diff', '--cached', '--raw', '-z', '-M', '--no-abbrev', against, '--'], { cwd: root, env })).stdout;
  // The same output as last time for this repository and base: the same (frozen) entries.
  const memoKey = `${root}\u0000${against}`;
  const last = lastEntries.get(memoKey);
  if (last && last.out.equals(bytes)) return last.entries;
  const parts = splitNul(bytes.toString('utf8'));
  // Built property by property (object spreads cost more than the parsing) in the order of StagedDiffEntry.
  const raw: Array<{ -readonly [K in keyof StagedDiffEntry]?: StagedDiffEntry[K] }> = [];
  let i = 0;
  while (i < parts.length) {
    // ":<old mode> <new mode> <old sha> <new sha> <status>[score]" then one or two paths.
    const [oldMode, newMode, oldSha, newSha, statusField] = parts[i].slice(1).split(' ');
    const letter = statusField?.[0];
    const twoPaths = letter === 'R' || letter === 'C';
    const p1 = parts[i + 1];
    const p2 = twoPaths ? parts[i + 2] : undefined;
    i += twoPaths ? 3 : 2;
    const status = STATUS[letter];
    if (!status) continue; // U (unmerged), X, ...
    const e: (typeof raw)[number] = { status, path: p2 ?? p1 };
    if (twoPaths) e.oldPath = p1;
    e.oldMode = oldMode;
    e.newMode = newMode;
    if (!ZERO_ID.test(oldSha)) e.oldBlob = oldSha;
    if (!ZERO_ID.test(newSha)) e.newBlob = newSha;
    raw.push(e);
  }
  const entries = Object.freeze(raw as StagedDiffEntry[]);
  lastEntries.delete(memoKey);
  lastEntries.set(memoKey, { out: bytes, entries });
  if (lastEntries.size > 8) lastEntries.delete(lastEntries.keys().next().value as string);
  return entries;
}

/** The last output of {@link stagedEntries} per repository and base, and its entries. */
const lastEntries = new Map<string, { readonly out: Buffer; readonly entries: readonly StagedDiffEntry[] }>();

/** Longest pathspec list passed to git (in characters); past it the whole change is diffed. */
const MAX_PATHSPEC_CHARS = 8000;

/**
 * The diff of staged files against `base` (as for {@link stagedEntries}), by blob pair (see
 * {@link blobPair}): whether git calls the pair binary, and the lines it shows as added. One
 * `git diff --cached -p -U0` limited to `entries` (their paths and, for renames, old paths), or of
 * the whole change when they are most of it or too many to list on a command line.
 *
 * Files above `maxFileBytes` (in the base or the index) are not diffed: git calls them binary
 * (`core.bigFileThreshold`). The diff algorithm is pinned to git's default (Myers with the indent
 * heuristic), so that the counts do not depend on the user's `diff.algorithm` and the like.
 * The patch is read as git writes it: `onFile` gets each file's diff as soon as it is complete.
 */
export async function stagedPatch(
  root: string,
  base: string | undefined,
  entries: readonly StagedDiffEntry[],
  all: number,
  options: { readonly env?: NodeJS.ProcessEnv; readonly maxFileBytes: number },
  onFile?: (pair: string, diff: FileDiff) => void,
): Promise<Map<string, FileDiff>> {
  if (!entries.length) return new Map();
  const against = base ?? (await emptyTree(root));
  let paths: string[] = [];
  if (entries.length * 2 < all) {
    for (const e of entries) {
      paths.push(`:(literal)${e.path}`);
      if (e.oldPath !== undefined) paths.push(`:(literal)${e.oldPath}`);
    }
    if (paths.reduce((n, p) => n + p.length + 3, 0) > MAX_PATHSPEC_CHARS) paths = [];
  }
  const args = [
    '-c', `core.bigFileThreshold=${Math.max(1, Math.floor(options.maxFileBytes))}`,
    'diff', '--cached', '-M', '-p', '-U0', '--inter-hunk-context=0', '--full-index', '--diff-algorithm=myers', '--indent-heuristic',
    '--no-color', '--no-ext-diff', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/', against, '--', ...paths,
  ];
  const reader = new PatchReader(onFile);
  await streamGit(args, { cwd: root, env: options.env, timeout: 120_000 }, (chunk) => reader.push(chunk));
  return reader.end();
}

/** The key of a staged entry's diff in {@link stagedPatch}: "<old blob>..<new blob>", zeros for none. */
export function blobPair(e: StagedDiffEntry): string {
  const zeros = '0'.repeat((e.newBlob ?? e.oldBlob ?? '').length);
  return `${e.oldBlob ?? zeros}..${e.newBlob ?? zeros}`;
}
