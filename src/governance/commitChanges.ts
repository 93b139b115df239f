/**
 * What a commit changes, as `git diff-tree` reports it: the changed paths (`--raw -M`), and the
 * diff of each blob pair (`-p`, read by the commit flow's patch reader). Parsing only; the git
 * processes are `GitRepo`'s.
 */
import { FileDiff } from '../git/patch';

/** One path a commit changes (`git diff-tree --raw -M`). */
export interface ChangedPath {
  readonly path: string;
  /** For renames and copies: the path in the parent. */
  readonly oldPath?: string;
  /** git's status letter: A, M, D, R, C, T. */
  readonly status: string;
  readonly oldMode: string;
  readonly newMode: string;
  readonly oldBlob?: string;
  readonly newBlob?: string;
}

/** What a commit changes: its paths, and the diff of each blob pair (key `<old id>..<new id>`, see `parsePatch`). */
export interface CommitChange {
  readonly paths: readonly ChangedPath[];
  readonly diffs: ReadonlyMap<string, FileDiff>;
}

/** The key of a changed path's diff in {@link CommitChange.diffs}. */
export function diffKey(c: ChangedPath): string {
  const zeros = '0'.repeat((c.newBlob ?? c.oldBlob ?? '').length);
  return `${c.oldBlob ?? zeros}..${c.newBlob ?? zeros}`;
}

/** True when a commit's changes hold a rename or a copy (`-M`). */
export function hasRenames(change: CommitChange): boolean {
  return change.paths.some((c) => c.status === 'R' || c.status === 'C');
}

/**
 * What a commit's changes (against its first parent, `-M`, no copies or breaks) show of `path`:
 * the object it names at the commit and at the parent, null where there is no such path, and
 * undefined where the changes do not tell (a path they do not list is the same in both).
 */
export function pathObjects(change: CommitChange, path: string): { atCommit?: string | null; atParent?: string | null } {
  let atCommit: string | null | undefined;
  let atParent: string | null | undefined;
  for (const c of change.paths) {
    if (c.path === path) {
      if (c.status === 'D') atCommit ??= null;
      else if (c.newBlob) atCommit = c.newBlob;
      if (c.status === 'M' || c.status === 'T' || c.status === 'D') atParent = c.oldBlob ?? atParent;
      else if (c.status === 'A' || c.status === 'R') atParent ??= null;
    } else if (c.oldPath === path && c.oldBlob) atParent = c.oldBlob;
  }
  return { atCommit, atParent };
}

/**
 * The `git diff-tree --stdin --raw -z` output of many commits, by commit: each commit's id record
 * starts its list of ":<old mode> <new mode> <old id> <new id> <status>" records, each followed
 * by one path (two for renames and copies).
 */
export function parseRawChanges(out: string, shas: ReadonlySet<string>): Map<string, ChangedPath[]> {
  const entries = new Map<string, ChangedPath[]>();
  let current: ChangedPath[] | undefined;
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; ) {
    const rec = parts[i];
    if (shas.has(rec)) {
      current = [];
      entries.set(rec, current);
      i++;
      continue;
    }
    if (!rec.startsWith(':')) {
      i++;
      continue;
    }
    const [oldMode, newMode, oldId, newId, statusField] = rec.slice(1).split(' ');
    const letter = statusField?.[0] ?? '';
    const two = letter === 'R' || letter === 'C';
    const p1 = parts[i + 1] ?? '';
    const p2 = two ? (parts[i + 2] ?? '') : undefined;
    i += two ? 3 : 2;
    current?.push({
      path: p2 ?? p1,
      ...(two ? { oldPath: p1 } : {}),
      status: letter,
      oldMode,
      newMode,
      ...(/^0+$/.test(oldId) ? {} : { oldBlob: oldId }),
      ...(/^0+$/.test(newId) ? {} : { newBlob: newId }),
    });
  }
  return entries;
}

/**
 * The merges of a `git diff-tree --stdin --cc -p` output that have a combined diff: each merge's
 * id line is followed by a `diff --cc <path>` section per path whose merged text none of the
 * parents has.
 */
export function mergesWithOwnLines(out: string, shas: ReadonlySet<string>): Set<string> {
  const own = new Set<string>();
  let current: string | undefined;
  for (const line of out.split('\n')) {
    if (shas.has(line)) current = line;
    else if (current && (line.startsWith('diff --cc ') || line.startsWith('diff --combined '))) own.add(current);
  }
  return own;
}
