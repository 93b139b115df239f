/**
 * Read-only git access for the governance command-line tool. Git is always spawned
 * directly (no shell), with arguments passed as an array.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';

/** A problem with the repository, a revision or git itself (reported with exit code 2). */
export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitResult {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

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
}

const MAX_BUFFER = 512 * 1024 * 1024;

export class GitRepo {
  private constructor(
    /** Absolute path of the work tree (or of the git directory for a bare repository). */
    readonly root: string,
    private readonly gitBin: string,
  ) {}

  /** Opens the repository containing `cwd`; throws GitError if git is missing or `cwd` is not in a repository. */
  static open(cwd: string, gitBin = 'git'): GitRepo {
    if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) throw new GitError(`no such directory: ${cwd}`);
    const probe = runGit(gitBin, cwd, ['rev-parse', '--is-bare-repository', '--show-toplevel']);
    if (probe.status !== 0) {
      const msg = probe.stderr.trim();
      if (/not a git repository/i.test(msg)) throw new GitError(`not a git repository: ${cwd}`);
      throw new GitError(`git failed in ${cwd}: ${msg || `exit ${probe.status}`}`);
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
  }

  /** Reads many `<rev>:<path>` (or object id) specs with one `git cat-file --batch`. */
  prefetchBlobs(specs: Iterable<string>): void {
    const todo = [...new Set(specs)].filter((s) => !this.blobCache.has(s) && !/[\r\n]/.test(s));
    if (todo.length === 0) return;
    const r = this.run(['cat-file', '--batch'], todo.join('\n') + '\n');
    if (r.status !== 0) return; // single reads will follow
    const out = r.stdout;
    let pos = 0;
    for (const spec of todo) {
      const nl = out.indexOf(0x0a, pos);
      if (nl < 0) break;
      const header = out.subarray(pos, nl).toString('utf8');
      const m = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
      if (!m) {
        // "<spec> missing" / "<spec> ambiguous"
        this.blobCache.set(spec, null);
        pos = nl + 1;
        continue;
      }
      const size = Number(m[3]);
      const body = out.subarray(nl + 1, nl + 1 + size);
      this.blobCache.set(spec, m[2] === 'blob' ? Buffer.from(body) : null);
      pos = nl + 1 + size + 1;
    }
  }

  /** Commit details of many commits with one `git log --no-walk --stdin`. */
  prefetchCommits(shas: readonly string[]): void {
    const todo = shas.filter((s) => !this.commitCache.has(s));
    if (todo.length === 0) return;
    const r = this.run(['log', '--no-walk=unsorted', '--no-show-signature', '-z', `--format=${COMMIT_FORMAT}`, '--stdin'], todo.join('\n') + '\n');
    if (r.status !== 0) return;
    const fields = r.stdout.toString('utf8').split('\0');
    for (let i = 0; i + COMMIT_FIELDS <= fields.length; i += COMMIT_FIELDS) {
      const info = commitFromFields(fields.slice(i, i + COMMIT_FIELDS), false);
      this.commitCache.set(info.sha, info);
    }
  }

  /** Loads which commits have a note under `notesRef` (one `git notes list`), and the notes themselves. */
  prefetchNotes(notesRef: string, shas: readonly string[]): void {
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
    this.prefetchBlobs(shas.map((s) => map!.get(s)).filter((x): x is string => !!x));
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
    const r = this.run(args, input);
    if (r.status !== 0) throw new GitError(`git ${args[0]} failed: ${r.stderr.trim() || `exit ${r.status}`}${this.shallowHint()}`);
    return r.stdout.toString('utf8');
  }

  /**
   * Commits selected by a revision range, oldest first, in git rev-list syntax
   * (`A..B`, `A...B`, a single revision meaning it and its ancestors, or several arguments).
   */
  revList(range: string[], filter: { since?: string; until?: string } = {}): string[] {
    if (range.length === 0) throw new GitError('no revision range given');
    for (const r of range) {
      if (r.startsWith('-')) throw new GitError(`bad revision range '${r}'`);
    }
    const dates = [...(filter.since ? [`--since=${filter.since}`] : []), ...(filter.until ? [`--until=${filter.until}`] : [])];
    const r = this.run(['rev-list', '--reverse', '--topo-order', ...dates, '--end-of-options', ...range, '--']);
    if (r.status !== 0) {
      const msg = r.stderr.trim().split('\n')[0] || `exit ${r.status}`;
      throw new GitError(`bad revision range '${range.join(' ')}': ${msg}${this.shallowHint()}`);
    }
    return r.stdout.toString('utf8').split('\n').filter((l) => l.length > 0);
  }

  /** Full id of the commit `rev` names; throws GitError when it names none. */
  resolveCommit(rev: string): string {
    if (rev.startsWith('-')) throw new GitError(`bad revision '${rev}'`);
    const r = this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
    if (r.status !== 0) throw new GitError(`bad revision '${rev}': no such commit`);
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

  private object(spec: string): Buffer | undefined {
    const cached = this.blobCache.get(spec);
    if (cached !== undefined) return cached ?? undefined;
    const r = this.run(['cat-file', 'blob', spec]);
    const value = r.status === 0 ? r.stdout : undefined;
    this.blobCache.set(spec, value ?? null);
    return value;
  }

  /** The tree entry of `path` at `rev` (mode, type and object id), or undefined when absent. */
  treeEntry(rev: string, path: string): { mode: string; type: string; oid: string } | undefined {
    const r = this.run(['ls-tree', '-z', '--full-tree', rev, '--', path]);
    if (r.status !== 0) return undefined;
    for (const rec of r.stdout.toString('utf8').split('\0')) {
      const tab = rec.indexOf('\t');
      if (tab < 0 || rec.slice(tab + 1) !== path) continue;
      const [mode, type, oid] = rec.slice(0, tab).split(' ');
      return { mode, type, oid };
    }
    return undefined;
  }

  /** Paths of the files below `dir` in the tree of `rev` (recursive); [] when absent. */
  listTree(rev: string, dir: string): string[] {
    const r = this.run(['ls-tree', '-r', '-z', '--name-only', '--full-tree', rev, '--', dir]);
    if (r.status !== 0) return [];
    return r.stdout.toString('utf8').split('\0').filter((p) => p.length > 0);
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

export interface AddedLines {
  readonly path: string;
  readonly added: number;
  readonly deleted: number;
  readonly binary: boolean;
}

const COMMIT_FORMAT = '%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%s%x00%B';
const COMMIT_FIELDS = 8;

function commitFromFields(f: string[], trailingNewline: boolean): CommitInfo {
  const [sha, parents, authorName, authorEmail, authorDate, committerDate, subject, ...rest] = f;
  let message = rest.join('\0');
  // Without -z, `git log` ends the format with a newline of its own.
  if (trailingNewline && message.endsWith('\n')) message = message.slice(0, -1);
  return { sha, parents: parents ? parents.split(' ') : [], authorName, authorEmail, authorDate, committerDate, subject, message };
}

function addedKey(sha: string, firstParent: string | undefined): string {
  return `${sha} ${firstParent ?? ''}`;
}

/** One `added<TAB>deleted<TAB>path` record of `--numstat -z` (binary files show `-`). */
function parseNumstat(rec: string): AddedLines | undefined {
  const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(rec);
  if (!m) return undefined;
  const binary = m[1] === '-';
  return { path: m[3], added: binary ? 0 : Number(m[1]), deleted: binary ? 0 : Number(m[2]), binary };
}

function runGit(gitBin: string, cwd: string, args: string[], input?: string | Buffer): GitResult {
  const r = spawnSync(gitBin, args, {
    cwd,
    input,
    maxBuffer: MAX_BUFFER,
    shell: false,
    windowsHide: true,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new GitError(`git not found (tried '${gitBin}'); install git or put it on PATH`);
    throw new GitError(`cannot run git in ${cwd}: ${r.error.message}`);
  }
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr ? r.stderr.toString('utf8') : '' };
}
