/**
 * Reading commits from `git log`: the format (commit details and trailers, with git's own trailer
 * parser), and the parsing of its `-z` output, with the numstat records that follow each commit
 * when they are asked for.
 */
import { Trailer } from '../core/trailers/trailers';

export interface CommitInfo {
  readonly sha: string;
  readonly parents: string[];
  readonly authorName: string;
  readonly authorEmail: string;
  /** Author date, strict ISO 8601. */
  readonly authorDate: string;
  readonly committerDate: string;
  readonly subject: string;
  /** Full raw message. */
  readonly message: string;
  /**
   * Its trailers as git parses them (`%(trailers:only,unfold)`, the parser `git interpret-trailers
   * --parse` runs), when read with the commit.
   */
  readonly trailers?: Trailer[];
}

export interface AddedLines {
  readonly path: string;
  readonly added: number;
  readonly deleted: number;
  readonly binary: boolean;
}

/**
 * One commit's fields, NUL-separated: a marker and the id (a numstat record never starts with the
 * marker), parents, author, dates, subject, trailers, message. Only the message can hold a line
 * break, and none of them a NUL.
 */
const COMMIT_START = '\u0001';
export const COMMIT_FORMAT = '%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%s%x00%(trailers:only,unfold)%x00%B';
export const COMMIT_FIELDS = 9;

/** `git log` of commits given on stdin; with `numstat`, fixed against the porcelain settings `git diff-tree` does not read (file order, ignored submodules). */
export function commitLogArgs(numstat: boolean): string[] {
  const diff = numstat ? ['--numstat', '--no-renames', '--root', '--no-ext-diff', '--no-textconv', '--ignore-submodules=none', '-O/dev/null'] : [];
  return ['log', '--no-walk=unsorted', '--no-show-signature', '-z', ...diff, `--format=${COMMIT_FORMAT}`, '--stdin'];
}

function isCommitStart(field: string): boolean {
  return field.startsWith(COMMIT_START) || field.startsWith(`\n${COMMIT_START}`);
}

export function commitFromFields(f: string[], trailingNewline: boolean): CommitInfo {
  const [marked, parents, authorName, authorEmail, authorDate, committerDate, subject, trailerText, ...rest] = f;
  const sha = marked.replace(/^\n?\u0001/, '');
  let message = rest.join('\0');
  // Without -z, `git log` ends the format with a newline of its own.
  if (trailingNewline && message.endsWith('\n')) message = message.slice(0, -1);
  const trailers: Trailer[] = [];
  for (const line of trailerText.split('\n')) {
    const c = line.indexOf(':');
    if (c > 0) trailers.push({ key: line.slice(0, c), value: line.slice(c + 1).trim() });
  }
  return { sha, parents: parents ? parents.split(' ') : [], authorName, authorEmail, authorDate, committerDate, subject, message, trailers };
}

/** One `added<TAB>deleted<TAB>path` record of `--numstat -z` (binary files show `-`). */
export function parseNumstat(rec: string): AddedLines | undefined {
  const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(rec);
  if (!m) return undefined;
  const binary = m[1] === '-';
  return { path: m[3], added: binary ? 0 : Number(m[1]), deleted: binary ? 0 : Number(m[2]), binary };
}

/**
 * The commits of `-z` output of {@link commitLogArgs}, in order; with `numstat`, each with the
 * lines it adds and deletes per file (records that follow its message, up to the next commit).
 */
export function parseCommitLog(text: string, numstat: boolean): Array<{ info: CommitInfo; added?: AddedLines[] }> {
  const fields = text.split('\0');
  const out: Array<{ info: CommitInfo; added?: AddedLines[] }> = [];
  let i = 0;
  while (i + COMMIT_FIELDS <= fields.length && isCommitStart(fields[i])) {
    const info = commitFromFields(fields.slice(i, i + COMMIT_FIELDS), false);
    i += COMMIT_FIELDS;
    if (!numstat) {
      out.push({ info });
      continue;
    }
    // The first record comes after a line break.
    const added: AddedLines[] = [];
    for (; i < fields.length && !isCommitStart(fields[i]); i++) {
      const e = parseNumstat(fields[i].replace(/^\n/, ''));
      if (e) added.push(e);
    }
    out.push({ info, added });
  }
  return out;
}
