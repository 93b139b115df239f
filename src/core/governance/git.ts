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
    const out = this.text(['log', '-1', '--no-show-signature', '--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%cI%x00%s%x00%B', rev, '--']);
    const [sha, parents, authorName, authorEmail, authorDate, committerDate, subject, ...rest] = out.split('\0');
    let message = rest.join('\0');
    // `git log` ends the format with a newline of its own.
    if (message.endsWith('\n')) message = message.slice(0, -1);
    return {
      sha,
      parents: parents ? parents.split(' ') : [],
      authorName,
      authorEmail,
      authorDate,
      committerDate,
      subject,
      message,
    };
  }

  /** Content of `path` at `rev` as raw bytes, or undefined when it does not exist there. */
  blob(rev: string, path: string): Buffer | undefined {
    const r = this.run(['cat-file', 'blob', `${rev}:${path}`]);
    return r.status === 0 ? r.stdout : undefined;
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
    const r = this.run(['notes', `--ref=${notesRef}`, 'show', rev]);
    return r.status === 0 ? r.stdout.toString('utf8') : undefined;
  }

  /**
   * Lines added per file by a commit, compared with its first parent (or the empty tree for a
   * root commit). Binary files are reported with `binary: true` and 0 lines.
   */
  addedLines(sha: string, firstParent: string | undefined): Array<{ path: string; added: number; deleted: number; binary: boolean }> {
    const args = firstParent
      ? ['diff-tree', '-r', '--numstat', '-z', '--no-renames', firstParent, sha]
      : ['diff-tree', '-r', '--numstat', '-z', '--no-renames', '--root', sha];
    const out = this.text(args);
    const result: Array<{ path: string; added: number; deleted: number; binary: boolean }> = [];
    // With -z each record is "added\tdeleted\tpath\0" (a root commit output starts with the sha).
    for (const rec of out.split('\0')) {
      const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(rec.replace(/^[0-9a-f]{40,64}\n/, ''));
      if (!m) continue;
      const binary = m[1] === '-';
      result.push({ path: m[3], added: binary ? 0 : Number(m[1]), deleted: binary ? 0 : Number(m[2]), binary });
    }
    return result;
  }
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
