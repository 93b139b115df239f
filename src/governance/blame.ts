/**
 * AI blame of one file: ONE `git blame --porcelain` (with git's own -w, -M, -C, --ignore-rev and
 * --ignore-revs-file), then the records of the distinct commits it names in a fixed number of git
 * processes whatever their count (one `git log` for the commits, one for their trailers as git
 * parses them, `git notes list`, and `git cat-file --batch` for notes and in-repo manifests), read
 * with the same reader as `verify` and `stats` (loadCommitProvenance). Uncommitted lines of a
 * work-tree blame come from the live provenance state (`<git dir>/ai-provenance/state.json`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { BlameResult, isUncommitted, parseBlamePorcelain } from '../core/blame/porcelain';
import { CommitRecord, LineOrigin, UncommittedLine, commitRecord, joinBlame } from '../core/blame/lineOrigins';
import { workTreeLines } from '../core/blame/workTree';
import { loadCommitProvenance } from './commitProvenance';
import { GitError, GitRepo } from './git';
import { MANIFEST_NOTES_REF, manifestRepoPath } from '../core/manifest/schema';
import { parseState } from '../core/persistence/schema';
import { STATE_FILE, StateDir } from '../core/persistence/stateDir';
import { Trailer, manifestIdsOf } from '../core/trailers/trailers';
import { repoStateDir } from '../core/persistence/repo';

export interface BlameOptions {
  /** Repository-relative path (`/`-separated). */
  readonly path: string;
  /** Revision to blame; undefined blames the work tree file (or `contents`). */
  readonly rev?: string;
  /** git blame's own options, passed through: `-w`, `-M[<n>]`, `-C[<n>]`, `--ignore-rev=<rev>`, `--ignore-revs-file=<file>`. */
  readonly gitOptions?: readonly string[];
  /** Blame this text instead of the work tree file (`git blame --contents -`), e.g. an editor's unsaved buffer. */
  readonly contents?: string;
  readonly notesRef?: string;
  /** Trailer keys that record a review (default `Reviewed-by`). */
  readonly reviewTrailers?: readonly string[];
  /** Read the live provenance state for uncommitted lines (default: when blaming the work tree). */
  readonly liveState?: boolean;
}

export interface FileBlame {
  readonly path: string;
  readonly rev?: string;
  readonly lines: LineOrigin[];
  readonly records: Map<string, CommitRecord>;
  readonly blame: BlameResult;
  /** Problems that did not stop the blame (an unreadable state file, ...). */
  readonly warnings: string[];
}

const PASS_THROUGH = /^(-w|-M\d*|-C\d*|--ignore-rev=.+|--ignore-revs-file=.+)$/;

/** True when `arg` is a git blame option this command passes through. */
export function isBlameOption(arg: string): boolean {
  return PASS_THROUGH.test(arg);
}

export async function blameFile(repo: GitRepo, options: BlameOptions): Promise<FileBlame> {
  for (const o of options.gitOptions ?? []) if (!isBlameOption(o)) throw new GitError('failed', `unsupported git blame option '${o}'`);
  if (options.rev !== undefined && options.rev.startsWith('-')) throw new GitError('failed', `bad revision '${options.rev}'`);
  const args = ['blame', '--porcelain', ...(options.gitOptions ?? [])];
  if (options.contents !== undefined) args.push('--contents', '-');
  if (options.rev !== undefined) args.push(options.rev);
  args.push('--', options.path);
  const r = repo.run(args, options.contents);
  if (r.status !== 0) throw new GitError('failed', `git blame failed: ${r.stderr.trim().split('\n')[0] || `exit ${r.status}`}`);
  const blame = parseBlamePorcelain(r.stdout.toString('utf8'));
  const shas = [...blame.commits.keys()].filter((s) => !isUncommitted(s));
  const records = await loadCommitRecords(repo, shas, options.notesRef ?? MANIFEST_NOTES_REF, options.reviewTrailers);
  const warnings: string[] = [];
  const boundaries = [...blame.commits.values()].filter((c) => c.boundary).map((c) => c.sha);
  const shallowBoundaries = boundaries.length > 0 && repo.isShallow() ? new Set(boundaries) : undefined;
  let uncommitted: Map<number, UncommittedLine> | undefined;
  const live = options.liveState ?? options.rev === undefined;
  if (live && blame.lines.some((l) => isUncommitted(l.sha))) {
    const text = options.contents ?? readWorkTree(repo, options.path);
    if (text !== undefined) uncommitted = liveLines(repo, options.path, text, warnings);
  }
  const lines = joinBlame({ blame, records, shallowBoundaries, uncommitted });
  return { path: options.path, rev: options.rev, lines, records, blame, warnings };
}

/**
 * The records of `shas` (full commit ids) with a fixed number of git processes. Trailers come
 * from `git log --format=%(trailers:only,unfold)`, git's own trailer parser (the one
 * `git interpret-trailers --parse` runs), in one process for all commits.
 */
export async function loadCommitRecords(repo: GitRepo, shas: readonly string[], notesRef: string, reviewTrailers?: readonly string[]): Promise<Map<string, CommitRecord>> {
  const out = new Map<string, CommitRecord>();
  if (shas.length === 0) return out;
  repo.prefetchCommits(shas);
  const trailers = batchTrailers(repo, shas);
  repo.prefetchNotes(notesRef, shas);
  const specs: string[] = [];
  for (const sha of shas) {
    const ids = manifestIdsOf(trailers.get(sha) ?? []);
    const id = ids.length ? ids[ids.length - 1] : undefined;
    if (id && /^[0-9A-Za-z-]+$/.test(id)) specs.push(`${sha}:${manifestRepoPath(id)}`);
  }
  repo.prefetchBlobs(specs);
  for (const sha of shas) {
    const p = await loadCommitProvenance(repo, sha, notesRef, trailers.get(sha));
    out.set(sha, commitRecord(p, reviewTrailers));
  }
  return out;
}

/** Trailers of many commits with one `git log --no-walk --stdin`; a commit missing here is parsed alone later. */
function batchTrailers(repo: GitRepo, shas: readonly string[]): Map<string, Trailer[]> {
  const map = new Map<string, Trailer[]>();
  const r = repo.run(['log', '--no-walk=unsorted', '--no-show-signature', '-z', '--format=%H%x00%(trailers:only,unfold)', '--stdin'], shas.join('\n') + '\n');
  if (r.status !== 0) return map;
  const fields = r.stdout.toString('utf8').split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const sha = fields[i].replace(/^\n/, '');
    const list: Trailer[] = [];
    for (const line of fields[i + 1].split('\n')) {
      const c = line.indexOf(':');
      if (c > 0) list.push({ key: line.slice(0, c), value: line.slice(c + 1).trim() });
    }
    map.set(sha, list);
  }
  return map;
}

function readWorkTree(repo: GitRepo, rel: string): string | undefined {
  try {
    return fs.readFileSync(path.join(repo.root, ...rel.split('/')), 'utf8');
  } catch {
    return undefined;
  }
}

/** Lines of `text` as the repository's live state describes them; undefined when it has no entry for the file. */
function liveLines(repo: GitRepo, rel: string, text: string, warnings: string[]): Map<number, UncommittedLine> | undefined {
  const g = repo.run(['rev-parse', '--absolute-git-dir']);
  if (g.status !== 0) return undefined;
  const dir = repoStateDir({ gitDir: g.stdout.toString('utf8').trim() });
  let raw: string;
  try {
    raw = fs.readFileSync(path.join(dir, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(`cannot read ${path.join(dir, STATE_FILE)}: ${(e as Error).message}`);
    return undefined;
  }
  try {
    const { state } = parseState(raw);
    const entry = state.files[rel];
    if (!entry) return undefined;
    const texts = new StateDir(dir, { info: () => {}, warn: () => {}, error: () => {} }, 'cli:blame');
    return workTreeLines({ text, entry, origins: state.origins, oldText: (h) => texts.readText(h) });
  } catch (e) {
    warnings.push(`${path.join(dir, STATE_FILE)} is unusable (${(e as Error).message}); uncommitted lines are unknown`);
    return undefined;
  }
}
