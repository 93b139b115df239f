import { isUtf8 } from 'buffer';
import { execFile, spawn } from 'child_process';
import { FileDiff, PatchReader } from './patch';

/**
 * Runs git (never through a shell) and reads what the commit flow needs from it. No `vscode`
 * import: used by the extension and by the `prepare-commit-msg` hook (through the CLI).
 *
 * Every failure is a {@link GitError} with a `kind` and a message fit to show a user:
 * `git-missing` (no git executable), `not-a-repository`, `failed` (git said no; its stderr is in
 * the message), `timeout`.
 */

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
}

export interface GitResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number;
}

/** The git executable; `AI_PROVENANCE_GIT` overrides (tests, unusual installs). */
export function gitExecutable(): string {
  return process.env.AI_PROVENANCE_GIT || 'git';
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
  const now = performance.now();
  if (!envCopy || now - envCopy.at > ENV_COPY_MS) envCopy = { env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, at: now };
  return extra ? { ...envCopy.env, ...extra, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } : envCopy.env;
}

/** Runs `git <args>` in `options.cwd`. Rejects with a {@link GitError}. */
export function runGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  const git = gitExecutable();
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
function gitFailure(git: string, args: readonly string[], options: GitRunOptions, how: { errno?: string; code: number; stopped: boolean }, stderr: string): GitError {
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
  const git = gitExecutable();
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

/** `git <args>` stdout as UTF-8 text. */
export async function gitText(args: readonly string[], options: GitRunOptions): Promise<string> {
  return (await runGit(args, options)).stdout.toString('utf8');
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

export type ChangeStatus = 'added' | 'modified' | 'renamed' | 'copied' | 'deleted' | 'type-changed';

/** One entry of the staged change (index vs a base commit). */
export interface StagedEntry {
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
export async function stagedEntries(root: string, base: string | undefined, env?: NodeJS.ProcessEnv): Promise<readonly StagedEntry[]> {
  const against = base ?? (await emptyTree(root));
  const bytes = (await runGit(['diff', '--cached', '--raw', '-z', '-M', '--no-abbrev', against, '--'], { cwd: root, env })).stdout;
  // The same output as last time for this repository and base: the same (frozen) entries.
  const memoKey = `${root}\u0000${against}`;
  const last = lastEntries.get(memoKey);
  if (last && last.out.equals(bytes)) return last.entries;
  const parts = splitNul(bytes.toString('utf8'));
  // Built property by property (object spreads cost more than the parsing) in the order of StagedEntry.
  const raw: Array<{ -readonly [K in keyof StagedEntry]?: StagedEntry[K] }> = [];
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
  const entries = Object.freeze(raw as StagedEntry[]);
  lastEntries.delete(memoKey);
  lastEntries.set(memoKey, { out: bytes, entries });
  if (lastEntries.size > 8) lastEntries.delete(lastEntries.keys().next().value as string);
  return entries;
}

/** The last output of {@link stagedEntries} per repository and base, and its entries. */
const lastEntries = new Map<string, { readonly out: Buffer; readonly entries: readonly StagedEntry[] }>();

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
  entries: readonly StagedEntry[],
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
export function blobPair(e: StagedEntry): string {
  const zeros = '0'.repeat((e.newBlob ?? e.oldBlob ?? '').length);
  return `${e.oldBlob ?? zeros}..${e.newBlob ?? zeros}`;
}

/** Sizes in bytes of blobs (`git cat-file --batch-check`). */
export async function blobSizes(root: string, blobs: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (!blobs.length) return sizes;
  const out = await gitText(['cat-file', '--batch-check=%(objectname) %(objectsize)'], { cwd: root, input: blobs.join('\n') + '\n' });
  for (const line of out.split('\n')) {
    const [name, size] = line.split(' ');
    if (name && size && /^\d+$/.test(size)) sizes.set(name, Number(size));
  }
  return sizes;
}

const BLOB_CACHE_BYTES = 64 * 1024 * 1024;
const blobCache = new Map<string, Buffer>();
let blobCacheBytes = 0;

function cachedBlob(root: string, blob: string): Buffer | undefined {
  const key = `${root}\u0000${blob}`;
  const hit = blobCache.get(key);
  if (hit) {
    blobCache.delete(key);
    blobCache.set(key, hit);
  }
  return hit;
}

function cacheBlob(root: string, blob: string, bytes: Buffer): void {
  if (bytes.length > BLOB_CACHE_BYTES / 4) return;
  const key = `${root}\u0000${blob}`;
  const old = blobCache.get(key);
  if (old) blobCacheBytes -= old.length;
  blobCache.set(key, bytes);
  blobCacheBytes += bytes.length;
  for (const [k, v] of blobCache) {
    if (blobCacheBytes <= BLOB_CACHE_BYTES) break;
    blobCache.delete(k);
    blobCacheBytes -= v.length;
  }
}

/**
 * The bytes of a blob. Blobs are immutable, so recently read ones are kept (up to 64 MB, least
 * recently used dropped first): refreshing the staged state on every staging change re-reads
 * the same few blobs.
 */
export async function readBlob(root: string, blob: string): Promise<Buffer> {
  const hit = cachedBlob(root, blob);
  if (hit) return hit;
  const bytes = (await runGit(['cat-file', 'blob', blob], { cwd: root })).stdout;
  cacheBlob(root, blob, bytes);
  return bytes;
}

/**
 * The bytes of many blobs, by blob id: cached ones as {@link readBlob} keeps them, the others with
 * one `git cat-file --batch` instead of one git process per blob. Rejects with a {@link GitError}
 * when an id is not a blob of the repository.
 */
export async function readBlobs(root: string, blobs: Iterable<string>): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  await streamBlobs(root, blobs, (id, bytes) => out.set(id, bytes));
  return out;
}

/**
 * {@link readBlobs}, handing each blob to `onBlob` as soon as git has written it (cached ones
 * first, at once), so that it can be used while git is still reading the next ones. One
 * `git cat-file --batch` for the blobs not cached; each is called for once, in the order asked.
 */
export async function streamBlobs(root: string, blobs: Iterable<string>, onBlob: (id: string, bytes: Buffer) => void): Promise<void> {
  const missing: string[] = [];
  for (const blob of new Set(blobs)) {
    const hit = cachedBlob(root, blob);
    if (hit) onBlob(blob, hit);
    else missing.push(blob);
  }
  if (!missing.length) return;
  const args = ['cat-file', '--batch'];
  // Records are "<id> blob <size>\n<bytes>\n". Pieces are kept until a record is complete and
  // joined once, so a large blob arriving in many pieces is copied once.
  const pieces: Buffer[] = [];
  let have = 0;
  /** Bytes the record being read needs (from its start), once its header is known; 0 before. */
  let need = 0;
  let next = 0;
  await streamGit(args, { cwd: root, input: missing.join('\n') + '\n', timeout: 120_000 }, (chunk) => {
    pieces.push(chunk);
    have += chunk.length;
    if (need > 0 && have < need) return;
    const buf = pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, have);
    pieces.length = 0;
    let pos = 0;
    need = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl === -1) break;
      const header = buf.toString('latin1', pos, nl);
      // "<id> blob <size>", or "<id> missing" / "<id> ambiguous".
      const m = /^\S+ (\S+) (\d+)$/.exec(header);
      const id = missing[next];
      if (!m || m[1] !== 'blob' || id === undefined) {
        throw new GitError('failed', `git cat-file --batch: ${id ?? 'an extra object'} is not a blob of this repository (${header})`, args);
      }
      const end = nl + 1 + Number(m[2]) + 1;
      if (end > buf.length) {
        need = end - pos;
        break;
      }
      // A view, not a copy (copying every blob costs more than reading it): a cached blob keeps
      // the piece it came in alive until the rest of that piece has left the cache too.
      const bytes = buf.subarray(nl + 1, end - 1);
      next++;
      cacheBlob(root, id, bytes);
      onBlob(id, bytes);
      pos = end;
    }
    if (pos < buf.length) pieces.push(buf.subarray(pos));
    have = buf.length - pos;
  });
  if (next < missing.length) throw new GitError('failed', `git cat-file --batch: ${missing[next]} was not read (${next} of ${missing.length} blobs)`, args);
}

/** Blob ids of `paths` in the index (stage 0), in one git call; paths not staged are absent. */
export async function indexBlobs(root: string, paths: readonly string[], env?: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!paths.length) return out;
  const text = await gitText(['ls-files', '-s', '-z', '--', ...paths.map((p) => `:(literal)${p}`)], { cwd: root, env });
  for (const entry of splitNul(text)) {
    const m = /^(\d+) ([0-9a-f]+) (\d)\t(.*)$/s.exec(entry);
    if (m && m[3] === '0') out.set(m[4], m[2]);
  }
  return out;
}

/** The blob id git would store for `content` (no write). */
export async function hashBlob(root: string, content: string | Buffer): Promise<string> {
  return (await gitText(['hash-object', '--stdin'], { cwd: root, input: content })).trim();
}

/** Blob id of `path` in the index (stage 0), or undefined when not staged. */
export async function indexBlob(root: string, path: string, env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  const out = await gitText(['ls-files', '-s', '-z', '--', `:(literal)${path}`], { cwd: root, env });
  for (const entry of splitNul(out)) {
    const m = /^(\d+) ([0-9a-f]+) (\d)\t(.*)$/s.exec(entry);
    if (m && m[3] === '0' && m[4] === path) return m[2];
  }
  return undefined;
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
