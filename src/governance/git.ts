/**
 * Read-only git access for the governance command-line tool, on top of the git runner
 * (`git/git.ts`: git is spawned directly, no shell, arguments as an array). A problem with the
 * repository, a revision or git itself is a {@link GitError} (reported with exit code 2).
 */
import * as fs from 'fs';
import { GitError, runGitSync } from '../git/git';
import { FileDiff, parsePatch } from '../git/patch';
import { CatFileBatch, CatFileObject, parseBatchAnswers } from './catFileBatch';
import { CommitStream, StreamDiff, StreamedCommit } from './commitStream';
import { ChangedPath, CommitChange, hasRenames, mergesWithOwnLines, parseRawChanges } from './commitChanges';
import { AddedLines, COMMIT_FORMAT, CommitInfo, commitFromFields, commitLogArgs, parseCommitLog, parseNumstat } from './commitLog';

export { AddedLines, CommitInfo } from './commitLog';
export { ChangedPath, CommitChange, diffKey, hasRenames } from './commitChanges';
export { GitError } from '../git/git';

export interface GitResult {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export class GitRepo {
  private constructor(
    /** Absolute path of the work tree (or of the git directory for a bare repository). */
    readonly root: string,
    private readonly gitBin: string,
  ) {}

  /** Opens the repository containing `cwd`; throws GitError if git is missing or `cwd` is not in a repository. */
  static open(cwd: string, gitBin = 'git'): GitRepo {
    if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) throw new GitError('failed', `no such directory: ${cwd}`);
    const probe = runGit(gitBin, cwd, ['rev-parse', '--is-bare-repository', '--show-toplevel']);
    if (probe.status !== 0) {
      const msg = probe.stderr.trim();
      if (/not a git repository/i.test(msg)) throw new GitError('not-a-repository', `not a git repository: ${cwd}`);
      throw new GitError('failed', `git failed in ${cwd}: ${msg || `exit ${probe.status}`}`);
    }
    const [bare, top] = probe.stdout.toString('utf8').split('\n');
    return new GitRepo(bare === 'true' || !top ? cwd : top, gitBin);
  }

  /*
   * Caches filled by the prefetch methods, so that checking a range costs a few git processes in
   * all rather than several per commit. Keys use full commit ids. `null` records an absent object.
   */
  private readonly blobCache = new Map<string, Buffer | null>();
  private readonly commitCache = new Map<string, CommitInfo>();
  private readonly notesMaps = new Map<string, Map<string, string>>();
  private readonly addedCache = new Map<string, AddedLines[]>();

  /** Drops everything prefetched (call between chunks of a long range). */
  clearCache(): void {
    this.blobCache.clear();
    this.commitCache.clear();
    this.addedCache.clear();
    this.changeCache.clear();
    this.mergeOwnCache.clear();
  }

  /** Reads many `<rev>:<path>` (or object id) specs with one `git cat-file --batch`. */
  prefetchBlobs(specs: Iterable<string>): void {
    const todo = [...new Set(specs)].filter((s) => !this.blobCache.has(s) && !/[\r\n]/.test(s));
    if (todo.length === 0) return;
    const r = this.run(['cat-file', '--batch'], todo.join('\n') + '\n');
    if (r.status !== 0) return; // single reads will follow
    this.storeBlobs(todo, parseBatchAnswers(r.stdout, todo.length).answers);
  }

  /** Keeps the answers of `git cat-file --batch` (`null`: missing, or not a blob); specs without an answer are read alone later. */
  private storeBlobs(specs: readonly string[], answers: ReadonlyArray<CatFileObject | null>): void {
    answers.forEach((a, i) => this.blobCache.set(specs[i], a?.type === 'blob' ? a.body : null));
  }

  /**
   * Commit details and trailers of many commits with one `git log --no-walk --stdin`. With
   * `numstat`, the same process also gives the lines each commit adds and deletes per file against
   * its first parent (as {@link addedLines}; merges, which `git log` shows no diff for, are read
   * with one `git diff-tree --stdin` more when there are any).
   */
  prefetchCommits(shas: readonly string[], options: { numstat?: boolean } = {}): void {
    const todo = shas.filter((s) => !this.commitCache.has(s) || (options.numstat && !this.addedCache.has(addedKey(s, this.commitCache.get(s)!.parents[0]))));
    if (todo.length === 0) return;
    const r = this.run(commitLogArgs(!!options.numstat), todo.join('\n') + '\n');
    if (r.status === 0) this.storeStreamed(parseCommitLog(r.stdout.toString('utf8'), !!options.numstat));
  }

  /**
   * Starts reading the commits of a whole range with one `git log` (see {@link CommitStream});
   * {@link storeStreamed} keeps what it hands out for the reads that follow.
   */
  streamCommits(shas: readonly string[], diff: StreamDiff, highWater: number): CommitStream {
    return new CommitStream(this.root, this.gitBin, shas, diff, highWater);
  }

  storeStreamed(commits: readonly StreamedCommit[]): void {
    const merges: CommitInfo[] = [];
    const diffs = new Map<string, FileDiff>();
    for (const c of commits) {
      this.commitCache.set(c.info.sha, c.info);
      const key = addedKey(c.info.sha, c.info.parents[0]);
      if (c.info.parents.length > 1) {
        if (c.added) merges.push(c.info);
      } else if (c.added) this.addedCache.set(key, c.added);
      else if (c.paths && c.diffs) {
        for (const [k, d] of c.diffs) diffs.set(k, d);
        this.changeCache.set(key, { paths: c.paths, diffs });
      }
    }
    if (merges.length) this.prefetchAddedLines(merges.map((m) => ({ sha: m.sha, firstParent: m.parents[0] })));
  }

  /**
   * {@link prefetchBlobs} through one `git cat-file --batch` kept running until {@link dispose}
   * (no process per batch).
   */
  async fetchBlobs(specs: Iterable<string>, known?: ReadonlyMap<string, string | null>): Promise<void> {
    let todo = [...new Set(specs)].filter((s) => !this.blobCache.has(s) && !/[\r\n]/.test(s));
    // Specs whose object is known already (see `pathObjects`): read by id, or known to be absent.
    // git then looks no path up in a tree (a folder of many manifests makes that the costly part).
    if (known) {
      for (const s of todo) if (known.get(s) === null) this.blobCache.set(s, null);
      todo = todo.filter((s) => known.get(s) !== null);
    }
    if (todo.length === 0) return;
    const names = known ? todo.map((s) => known.get(s) ?? s) : todo;
    this.batch ??= new CatFileBatch(this.root, this.gitBin);
    const answers = await this.batch.read(names);
    if (!answers) return this.prefetchBlobs(todo);
    this.storeBlobs(todo, answers);
  }

  /** What a non-merge commit changes, when it is read already (no git process). */
  readChanges(sha: string, firstParent: string | undefined): CommitChange | undefined {
    return this.changeCache.get(addedKey(sha, firstParent));
  }

  private batch: CatFileBatch | undefined;

  /** Ends the processes {@link fetchBlobs} left running. */
  dispose(): void {
    this.batch?.close();
    this.batch = undefined;
  }

  /** Loads which commits have a note under `notesRef` (one `git notes list`), and the notes themselves. */
  prefetchNotes(notesRef: string, shas: readonly string[]): void {
    this.prefetchBlobs(this.noteObjects(notesRef, shas));
  }

  /** The object ids of the notes of `shas` under `notesRef` (the list is read once, with `git notes list`). */
  noteObjects(notesRef: string, shas: readonly string[]): string[] {
    let map = this.notesMaps.get(notesRef);
    if (!map) {
      map = new Map();
      const r = this.run(['notes', `--ref=${notesRef}`, 'list']);
      if (r.status === 0) {
        for (const line of r.stdout.toString('utf8').split('\n')) {
          const [note, commit] = line.split(' ');
          if (note && commit) map.set(commit, note);
        }
      }
      this.notesMaps.set(notesRef, map);
    }
    return shas.map((s) => map!.get(s)).filter((x): x is string => !!x);
  }

  /** Added lines of many commits against their first parents with one `git diff-tree --stdin`. */
  prefetchAddedLines(commits: ReadonlyArray<{ sha: string; firstParent: string | undefined }>): void {
    const todo = commits.filter((c) => !this.addedCache.has(addedKey(c.sha, c.firstParent)));
    if (todo.length === 0) return;
    const input = todo.map((c) => (c.firstParent ? `${c.sha} ${c.firstParent}` : c.sha)).join('\n') + '\n';
    // --always: a header even for a commit without changes, so every commit is accounted for.
    const r = this.run(['diff-tree', '--stdin', '--always', '-r', '--numstat', '-z', '--no-renames', '--root'], input);
    if (r.status !== 0) return;
    const bySha = new Map(todo.map((c) => [c.sha, c]));
    let current: AddedLines[] | undefined;
    for (const rec of r.stdout.toString('utf8').split('\0')) {
      const c = /^[0-9a-f]{40,64}$/.test(rec) ? bySha.get(rec) : undefined;
      if (c) {
        current = [];
        this.addedCache.set(addedKey(c.sha, c.firstParent), current);
        continue;
      }
      const e = parseNumstat(rec);
      if (e && current) current.push(e);
    }
  }

  /**
   * The paths {@link addedLines} lists for a commit, in its order, from what is already read: its
   * line counts, or its changes when they hold no rename or copy (the listing is then the same).
   */
  changedPaths(sha: string, firstParent: string | undefined): string[] {
    const key = addedKey(sha, firstParent);
    const change = this.addedCache.has(key) ? undefined : this.changeCache.get(key);
    if (change && !hasRenames(change)) return change.paths.map((c) => c.path);
    return this.addedLines(sha, firstParent).map((c) => c.path);
  }

  private readonly changeCache = new Map<string, CommitChange>();
  private readonly mergeOwnCache = new Map<string, boolean>();

  /**
   * What many commits change against their first parents, with two `git diff-tree --stdin` in
   * all: each changed path with its modes, blob ids and status (renames found as the commit flow
   * finds them, `-M`), and the lines git shows as added (the flow's diff options: Myers with the
   * indent heuristic, whatever the configuration says).
   */
  prefetchChanges(commits: ReadonlyArray<{ sha: string; firstParent: string | undefined }>): void {
    const todo = commits.filter((c) => !this.changeCache.has(addedKey(c.sha, c.firstParent)));
    if (todo.length === 0) return;
    const input = todo.map((c) => (c.firstParent ? `${c.sha} ${c.firstParent}` : c.sha)).join('\n') + '\n';
    const raw = this.mustSucceed(this.run(['diff-tree', '--stdin', '--always', '-r', '-M', '--raw', '-z', '--no-abbrev', '--root'], input), 'diff-tree');
    const entries = parseRawChanges(raw.stdout.toString('utf8'), new Set(todo.map((c) => c.sha)));
    const patch = ['diff-tree', '--stdin', '-r', '-M', '-p', '-U0', '--inter-hunk-context=0', '--full-index', '--diff-algorithm=myers', '--indent-heuristic', '--no-color', '--no-ext-diff', '--no-textconv', '--root'];
    const diffs = parsePatch(this.mustSucceed(this.run(patch, input), 'diff-tree').stdout);
    for (const c of todo) this.changeCache.set(addedKey(c.sha, c.firstParent), { paths: entries.get(c.sha) ?? [], diffs });
  }

  /** See {@link prefetchChanges}; runs it for this one commit when it was not prefetched. */
  changes(sha: string, firstParent: string | undefined): CommitChange {
    const key = addedKey(sha, firstParent);
    if (!this.changeCache.has(key)) this.prefetchChanges([{ sha, firstParent }]);
    return this.changeCache.get(key)!;
  }

  /**
   * For many merge commits with one `git diff-tree --stdin --cc`: true for each one whose tree has
   * lines that none of its parents has (an edit made in the merge itself, or a conflict resolved
   * by writing something new).
   */
  prefetchMergeOwnLines(shas: readonly string[]): void {
    const todo = shas.filter((s) => !this.mergeOwnCache.has(s));
    if (todo.length === 0) return;
    const r = this.mustSucceed(this.run(['diff-tree', '--stdin', '--cc', '-p', '--no-color', '--no-ext-diff', '--no-textconv'], todo.join('\n') + '\n'), 'diff-tree --cc');
    const own = mergesWithOwnLines(r.stdout.toString('latin1'), new Set(todo));
    for (const s of todo) this.mergeOwnCache.set(s, own.has(s));
  }

  /** See {@link prefetchMergeOwnLines}. */
  mergeHasOwnLines(sha: string): boolean {
    if (!this.mergeOwnCache.has(sha)) this.prefetchMergeOwnLines([sha]);
    return this.mergeOwnCache.get(sha)!;
  }

  private shallow: boolean | undefined;

  /** True in a shallow clone (history cut off; ranges and parents may be missing). */
  isShallow(): boolean {
    if (this.shallow === undefined) {
      const r = this.run(['rev-parse', '--is-shallow-repository']);
      this.shallow = r.status === 0 && r.stdout.toString('utf8').trim() === 'true';
    }
    return this.shallow;
  }

  /** A hint to add to errors that a shallow clone explains. */
  private shallowHint(): string {
    return this.isShallow() ? ' (this is a shallow clone: fetch the full history, e.g. actions/checkout with fetch-depth: 0)' : '';
  }

  /** True when `ref` (e.g. refs/notes/ai-provenance) exists. */
  refExists(ref: string): boolean {
    return this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', ref]).status === 0;
  }

  run(args: string[], input?: string | Buffer): GitResult {
    return runGit(this.gitBin, this.root, args, input);
  }

  /** Runs git and returns stdout as text; throws GitError on failure. */
  text(args: string[], input?: string | Buffer): string {
    return this.mustSucceed(this.run(args, input), args[0]).stdout.toString('utf8');
  }

  private mustSucceed(r: GitResult, what: string): GitResult {
    if (r.status !== 0) throw new GitError('failed', `git ${what} failed: ${r.stderr.trim() || `exit ${r.status}`}${this.shallowHint()}`);
    return r;
  }

  /**
   * Commits selected by a revision range, oldest first, in git rev-list syntax
   * (`A..B`, `A...B`, a single revision meaning it and its ancestors, or several arguments).
   */
  revList(range: string[], filter: { since?: string; until?: string } = {}): string[] {
    if (range.length === 0) throw new GitError('failed', 'no revision range given');
    for (const r of range) {
      if (r.startsWith('-')) throw new GitError('failed', `bad revision range '${r}'`);
    }
    const dates = [...(filter.since ? [`--since=${filter.since}`] : []), ...(filter.until ? [`--until=${filter.until}`] : [])];
    const r = this.run(['rev-list', '--reverse', '--topo-order', ...dates, '--end-of-options', ...range, '--']);
    if (r.status !== 0) {
      const msg = r.stderr.trim().split('\n')[0] || `exit ${r.status}`;
      throw new GitError('failed', `bad revision range '${range.join(' ')}': ${msg}${this.shallowHint()}`);
    }
    return r.stdout.toString('utf8').split('\n').filter((l) => l.length > 0);
  }

  /**
   * True when git reads `text` as a date. git reads what it does not understand as "now", so a
   * value that comes out as "now" (same process) is no date, unless it says so ("0 days ago").
   */
  isDate(text: string): boolean {
    if (!text.trim() || /[\r\n\0]/.test(text)) return false;
    if (/^\s*(now|0+[\s.]*[a-z]+[\s.]+ago)\s*$/i.test(text)) return true;
    const r = this.run(['rev-parse', `--since=${text}`, '--since=now']);
    if (r.status !== 0) return false;
    const [given, now] = r.stdout.toString('utf8').split('\n');
    return given !== now;
  }

  /** Full id of the commit `rev` names; throws GitError when it names none. */
  resolveCommit(rev: string): string {
    if (rev.startsWith('-')) throw new GitError('failed', `bad revision '${rev}'`);
    const r = this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
    if (r.status !== 0) throw new GitError('failed', `bad revision '${rev}': no such commit`);
    return r.stdout.toString('utf8').trim();
  }

  commitInfo(rev: string): CommitInfo {
    const cached = this.commitCache.get(rev);
    if (cached) return cached;
    const out = this.text(['log', '-1', '--no-show-signature', `--format=${COMMIT_FORMAT}`, rev, '--']);
    const info = commitFromFields(out.split('\0'), true);
    this.commitCache.set(info.sha, info);
    return info;
  }

  /** Content of `path` at `rev` as raw bytes, or undefined when it does not exist there. */
  blob(rev: string, path: string): Buffer | undefined {
    return this.object(`${rev}:${path}`);
  }

  /** An object's content by `<rev>:<path>` or object id (a blob), or undefined when there is none. */
  object(spec: string): Buffer | undefined {
    const cached = this.blobCache.get(spec);
    if (cached !== undefined) return cached ?? undefined;
    const r = this.run(['cat-file', 'blob', spec]);
    const value = r.status === 0 ? r.stdout : undefined;
    this.blobCache.set(spec, value ?? null);
    return value;
  }

  /** Note attached to `rev` under `notesRef`, or undefined when there is none. */
  note(notesRef: string, rev: string): string | undefined {
    const map = this.notesMaps.get(notesRef);
    if (map && /^[0-9a-f]{40,64}$/.test(rev)) {
      const oid = map.get(rev);
      return oid ? this.object(oid)?.toString('utf8') : undefined;
    }
    const r = this.run(['notes', `--ref=${notesRef}`, 'show', rev]);
    return r.status === 0 ? r.stdout.toString('utf8') : undefined;
  }

  /**
   * Lines added per file by a commit, compared with its first parent (or the empty tree for a
   * root commit). Binary files are reported with `binary: true` and 0 lines.
   */
  addedLines(sha: string, firstParent: string | undefined): AddedLines[] {
    const cached = this.addedCache.get(addedKey(sha, firstParent));
    if (cached) return cached;
    const args = firstParent
      ? ['diff-tree', '-r', '--numstat', '-z', '--no-renames', firstParent, sha]
      : ['diff-tree', '-r', '--numstat', '-z', '--no-renames', '--root', sha];
    const out = this.text(args);
    const result: AddedLines[] = [];
    for (const rec of out.split('\0')) {
      const e = parseNumstat(rec.replace(/^[0-9a-f]{40,64}\n/, ''));
      if (e) result.push(e);
    }
    this.addedCache.set(addedKey(sha, firstParent), result);
    return result;
  }

}

function addedKey(sha: string, firstParent: string | undefined): string {
  return `${sha} ${firstParent ?? ''}`;
}

function runGit(gitBin: string, cwd: string, args: string[], input?: string | Buffer): GitResult {
  try {
    const r = runGitSync(args, { cwd, input, git: gitBin, env: { GIT_OPTIONAL_LOCKS: '0' } });
    return { status: r.code, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    // The command line's wording for a missing git.
    if (e instanceof GitError && e.kind === 'git-missing') throw new GitError('git-missing', `git not found (tried '${gitBin}'); install git or put it on PATH`, args);
    throw e;
  }
}
