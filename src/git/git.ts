import { isUtf8 } from 'buffer';
import { ChildProcessWithoutNullStreams, execFile, spawn, spawnSync } from 'child_process';

/**
 * The one place that starts git (never through a shell): {@link runGit}, {@link streamGit} and, for
 * the command line's synchronous readers, {@link runGitSync}; plus the small `rev-parse` queries.
 * The one other process the extension starts (the command line, for the editor's blame) starts
 * here too ({@link runProgram}), so that no other file imports child_process.
 * No `vscode` import: used by the extension, the command line and the hooks.
 *
 * The executable is decided once per process ({@link useGitExecutable}: the extension passes the
 * `git.path` setting, the command line its `AI_PROVENANCE_GIT` environment variable) and can be
 * passed per call for a caller that holds its own.
 *
 * Every failure is a {@link GitError} whose `kind` is the git error code, with a message fit to
 * show a user: `git-missing` (no git executable), `not-a-repository`, `failed` (git said no; its
 * stderr is in the message), `timeout`.
 */

/** The git error code of a {@link GitError}. */
export type GitErrorKind = 'git-missing' | 'not-a-repository' | 'failed' | 'timeout';

export class GitError extends Error {
  constructor(
    readonly kind: GitErrorKind,
    message: string,
    readonly args: readonly string[] = [],
    readonly stderr = '',
    readonly exitCode?: number,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitRunOptions {
  readonly cwd: string;
  /** Written to git's stdin. */
  readonly input?: string | Buffer;
  /** Extra environment (merged over process.env; GIT_INDEX_FILE etc. pass through by default). */
  readonly env?: NodeJS.ProcessEnv;
  /** Milliseconds; default 30 s. */
  readonly timeout?: number;
  /** Exit codes that are not errors (default only 0). */
  readonly okCodes?: readonly number[];
  /** The git executable for this call; default {@link gitExecutable}. */
  readonly git?: string;
}

export interface GitResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number;
}

let chosenExecutable: string | undefined;

/**
 * Decides the git executable of this process, once, where it starts: the extension passes the
 * `git.path` setting, the command line `AI_PROVENANCE_GIT`. Undefined or empty: not decided.
 */
export function useGitExecutable(executable: string | undefined): void {
  chosenExecutable = executable || undefined;
}

/** The git executable: the one decided by {@link useGitExecutable}, else `AI_PROVENANCE_GIT`, else `git`. */
export function gitExecutable(): string {
  return chosenExecutable ?? (process.env.AI_PROVENANCE_GIT || 'git');
}

const MAX_BUFFER = 512 * 1024 * 1024;

/** How long a copy of process.env is used for git processes before it is taken again. */
const ENV_COPY_MS = 250;
let envCopy: { readonly env: NodeJS.ProcessEnv; readonly at: number } | undefined;

/**
 * The environment of a git process: process.env, then `extra`, then our two settings. The copy of
 * process.env is reused for 250 ms: copying it reads every variable through the process's
 * environment, which takes longer than everything else done before starting git, and a summary
 * starts several git processes within a few milliseconds.
 */
function gitEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  // Monotonic milliseconds (`performance.now()` would load the perf_hooks modules in every hook process).
  const now = Number(process.hrtime.bigint()) / 1e6;
  if (!envCopy || now - envCopy.at > ENV_COPY_MS) envCopy = { env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, at: now };
  return extra ? { ...envCopy.env, ...extra, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } : envCopy.env;
}

/** Runs `git <args>` in `options.cwd`. Rejects with a {@link GitError}. */
export function runGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  const git = options.git ?? gitExecutable();
  return new Promise((resolve, reject) => {
    const child = execFile(
      git,
      ['-c', 'core.quotepath=false', ...args],
      {
        cwd: options.cwd,
        env: gitEnv(options.env),
        encoding: 'buffer',
        maxBuffer: MAX_BUFFER,
        timeout: options.timeout ?? 30_000,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        const err = stderr.toString('utf8');
        if (error) {
          const e = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string };
          const code = typeof e.code === 'number' ? e.code : -1;
          if (typeof e.code === 'number' && options.okCodes?.includes(code)) return resolve({ stdout, stderr: err, code });
          return reject(gitFailure(git, args, options, { errno: typeof e.code === 'string' ? e.code : undefined, code, stopped: !!e.killed || e.signal === 'SIGTERM' }, err));
        }
        resolve({ stdout, stderr: err, code: 0 });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** The {@link GitError} for a git process that could not start, was stopped, or exited with `code`. */
function gitFailure(git: string, args: readonly string[], options: Pick<GitRunOptions, 'cwd'>, how: { errno?: string; code: number; stopped: boolean }, stderr: string): GitError {
  // ENOENT is also what a missing cwd gives.
  if (how.errno === 'ENOENT') return new GitError('git-missing', `git was not found (tried '${git}'); install git or put it on PATH`, args);
  if (how.stopped) return new GitError('timeout', `git ${args[0]} took too long and was stopped`, args, stderr);
  if (/not a git repository/i.test(stderr)) return new GitError('not-a-repository', `${options.cwd} is not in a git repository`, args, stderr, how.code);
  return new GitError('failed', `git ${args.join(' ')} failed: ${stderr.trim() || `exit code ${how.code}`}`, args, stderr, how.code);
}

/**
 * Runs `git <args>` and hands its output to `onData` piece by piece, as git writes it, so that it
 * is read while git is still working. Resolves when git exits with 0. Rejects with a
 * {@link GitError}, or with what `onData` threw (git is then stopped).
 */
export function streamGit(args: readonly string[], options: GitRunOptions, onData: (chunk: Buffer) => void): Promise<void> {
  const git = options.git ?? gitExecutable();
  return new Promise((resolve, reject) => {
    let failed: unknown;
    let stopped = false;
    const stderr: Buffer[] = [];
    const child = spawn(git, ['-c', 'core.quotepath=false', ...args], { cwd: options.cwd, env: gitEnv(options.env), windowsHide: true });
    const timer = setTimeout(() => {
      stopped = true;
      child.kill();
    }, options.timeout ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (failed !== undefined) return;
      try {
        onData(chunk);
      } catch (e) {
        failed = e;
        child.kill();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      failed ??= gitFailure(git, args, options, { errno: e.code, code: -1, stopped }, '');
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failed !== undefined) return reject(failed);
      if (code === 0) return resolve();
      reject(gitFailure(git, args, options, { code: code ?? -1, stopped }, Buffer.concat(stderr).toString('utf8')));
    });
    child.stdin.on('error', () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/**
 * Starts `git <args>` for a caller that talks to it while it runs (a long `git log` read as it is
 * written, with back-pressure; a `git cat-file --batch` asked many times): stdin, stdout and
 * stderr are pipes. `onExit` gets the exit code and stderr, or a {@link GitError} when git could
 * not start.
 */
export function startGit(args: readonly string[], options: Omit<GitRunOptions, 'okCodes' | 'timeout' | 'input'>, onExit: (code: number, stderr: string, error?: GitError) => void): ChildProcessWithoutNullStreams {
  const git = options.git ?? gitExecutable();
  const stderr: Buffer[] = [];
  const child = spawn(git, ['-c', 'core.quotepath=false', ...args], { cwd: options.cwd, env: gitEnv(options.env), windowsHide: true });
  let failed: GitError | undefined;
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.on('error', (e: NodeJS.ErrnoException) => (failed ??= gitFailure(git, args, options, { errno: e.code, code: -1, stopped: false }, '')));
  child.on('close', (code) => onExit(failed ? -1 : (code ?? 128), Buffer.concat(stderr).toString('utf8'), failed));
  child.stdin.on('error', () => undefined);
  return child;
}

/** Largest output a synchronous git call may return. */
const MAX_SYNC_BUFFER = 1 << 30;

/**
 * Runs `git <args>` synchronously (the command line's readers, which answer one question at a
 * time), with exactly the arguments given. Any exit code is returned, not thrown: the caller decides what it means. Throws a
 * {@link GitError} only when git could not be run (`git-missing`, or `failed` for another spawn
 * error).
 */
export function runGitSync(args: readonly string[], options: Omit<GitRunOptions, 'okCodes' | 'timeout'>): GitResult {
  const git = options.git ?? gitExecutable();
  const r = spawnSync(git, args, {
    cwd: options.cwd,
    input: options.input,
    env: gitEnv(options.env),
    maxBuffer: MAX_SYNC_BUFFER,
    shell: false,
    windowsHide: true,
  });
  if (r.error) {
    const errno = (r.error as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT') throw gitFailure(git, args, { cwd: options.cwd }, { errno, code: -1, stopped: false }, '');
    throw new GitError('failed', `cannot run git in ${options.cwd}: ${r.error.message}`, args);
  }
  return { stdout: r.stdout, stderr: r.stderr ? r.stderr.toString('utf8') : '', code: r.status ?? 128 };
}

/** {@link runGitSync}'s stdout as UTF-8 text; a non-zero exit is a {@link GitError}. */
export function gitTextSync(args: readonly string[], options: Omit<GitRunOptions, 'okCodes' | 'timeout'>): string {
  const r = runGitSync(args, options);
  if (r.code !== 0) throw gitFailure(options.git ?? gitExecutable(), args, { cwd: options.cwd }, { code: r.code, stopped: false }, r.stderr);
  return r.stdout.toString('utf8');
}

/** `git <args>` stdout as UTF-8 text. */
export async function gitText(args: readonly string[], options: GitRunOptions): Promise<string> {
  return (await runGit(args, options)).stdout.toString('utf8');
}

/** What {@link runProgram} gives back: the exit code (null when killed) and the output. */
export interface ProgramResult {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Runs a program other than git (the editor's blame runs the bundled command line under VS Code's
 * own Node) with `input` on stdin; killed after `timeoutMs`. Rejects only when it cannot start.
 * Here so that this file stays the one place that starts processes.
 */
export function runProgram(program: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; input: string; timeoutMs: number }): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: options.cwd, env: options.env, windowsHide: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill(), options.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
  });
}

/** Splits NUL-separated output, dropping the empty tail. */
export function splitNul(out: string): string[] {
  const parts = out.split('\0');
  if (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The repository's top-level folder containing `dir`; undefined when `dir` is not in a repository. */
export async function findRepoRoot(dir: string): Promise<string | undefined> {
  try {
    return (await gitText(['rev-parse', '--show-toplevel'], { cwd: dir })).trim() || undefined;
  } catch (e) {
    if (e instanceof GitError && (e.kind === 'not-a-repository' || e.kind === 'failed')) return undefined;
    throw e;
  }
}

/**
 * The work tree's root and its git dir (absolute, per worktree) with one `git rev-parse`, or
 * undefined outside a work tree (a bare repository, no repository).
 */
export async function workTreeDirs(dir: string): Promise<{ root: string; gitDir: string } | undefined> {
  const r = await runGit(['rev-parse', '--show-toplevel', '--absolute-git-dir'], { cwd: dir, okCodes: [128] });
  const [root, gitDir] = r.stdout.toString('utf8').split('\n');
  return r.code === 0 && root && gitDir ? { root, gitDir } : undefined;
}

/**
 * {@link workTreeDirs} and the commit HEAD names ({@link resolveCommit} of `HEAD`; undefined on an
 * unborn branch), from one git process: `--verify --quiet` prints the dirs, then the commit or
 * nothing with exit code 1.
 */
export async function workTreeDirsAndHead(dir: string): Promise<{ root: string; gitDir: string; head: string | undefined } | undefined> {
  const r = await runGit(['rev-parse', '--show-toplevel', '--absolute-git-dir', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: dir, okCodes: [1, 128] });
  const [root, gitDir, head] = r.stdout.toString('utf8').split('\n');
  if ((r.code !== 0 && r.code !== 1) || !root || !gitDir) return undefined;
  return { root, gitDir, head: r.code === 0 && head ? head : undefined };
}

/** Absolute path of the repository's git dir (per worktree). */
export async function gitDir(root: string): Promise<string> {
  return (await gitText(['rev-parse', '--absolute-git-dir'], { cwd: root })).trim();
}

/** Absolute path of a file inside the git dir, as git resolves it (`hooks` honours core.hooksPath). */
export async function gitPath(root: string, name: string): Promise<string> {
  const p = (await gitText(['rev-parse', '--path-format=absolute', '--git-path', name], { cwd: root })).trim();
  return p;
}

/** Full id of `rev`, or undefined when it does not resolve (e.g. HEAD of an unborn branch). */
export async function resolveCommit(root: string, rev: string): Promise<string | undefined> {
  const r = await runGit(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: root, okCodes: [1, 128] });
  const sha = r.stdout.toString('utf8').trim();
  return r.code === 0 && sha ? sha : undefined;
}

/** A git config value (undefined when unset). */
export async function configValue(root: string, key: string): Promise<string | undefined> {
  const r = await runGit(['config', '--get', key], { cwd: root, okCodes: [1] });
  return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/** The empty tree's id in a SHA-1 or SHA-256 repository. */
export async function emptyTree(root: string): Promise<string> {
  return (await gitText(['hash-object', '-t', 'tree', '--stdin'], { cwd: root, input: '' })).trim();
}

/** Decodes UTF-8 strictly; undefined when the bytes are not valid UTF-8. A leading BOM is kept. */
export function decodeUtf8(bytes: Buffer): string | undefined {
  // Validating first and then decoding is several times faster than a fatal TextDecoder.
  if (typeof isUtf8 === 'function') return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
