import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * A lock file (`state.lock`) shared by every writer of one state directory: the extension and the
 * `ai-provenance checkpoint` command. Created with O_EXCL; holds pid, host and time. A lock is stale
 * (and broken) when its process is gone (same host) or it is older than `staleMs`, so a crashed
 * writer never blocks the others for long.
 */

export const LOCK_NAME = 'state.lock';

export interface LockOptions {
  /** Give up after this long. Default 10 s (async), 2 s (sync). */
  readonly timeoutMs?: number;
  /** A lock older than this is stale. Default 30 s. */
  readonly staleMs?: number;
}

export class LockTimeoutError extends Error {
  constructor(lockPath: string, holder: string) {
    super(`could not lock ${lockPath} (held by ${holder})`);
    this.name = 'LockTimeoutError';
  }
}

interface LockInfo {
  pid: number;
  host: string;
  time: number;
  token: string;
}

export type Release = () => void;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryCreate(lockPath: string, info: LockInfo): boolean {
  try {
    fs.mkdirSync(path.dirname(lockPath), { recursive: true });
    fs.writeFileSync(lockPath, JSON.stringify(info), { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Breaks the lock if it is stale; returns a description of the holder otherwise. */
function checkStale(lockPath: string, staleMs: number): string | undefined {
  let raw: string;
  let mtime: number;
  try {
    raw = fs.readFileSync(lockPath, 'utf8');
    mtime = fs.statSync(lockPath).mtimeMs;
  } catch {
    return undefined; // gone meanwhile: retry at once
  }
  let holder: Partial<LockInfo> = {};
  try {
    holder = JSON.parse(raw) as Partial<LockInfo>;
  } catch {
    /* a torn lock file: judged by age only */
  }
  const dead = holder.host === os.hostname() && typeof holder.pid === 'number' && !pidAlive(holder.pid);
  if (dead || Date.now() - mtime > staleMs) {
    try {
      // Only break the lock we judged stale, not one that replaced it meanwhile.
      if (fs.readFileSync(lockPath, 'utf8') === raw) fs.unlinkSync(lockPath);
    } catch {
      /* someone else broke it */
    }
    return undefined;
  }
  return `pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}`;
}

function newInfo(): LockInfo {
  return { pid: process.pid, host: os.hostname(), time: Date.now(), token: `${process.pid}-${Math.random().toString(36).slice(2)}` };
}

function releaser(lockPath: string, info: LockInfo): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    try {
      const current = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
      if (current.token === info.token) fs.unlinkSync(lockPath);
    } catch {
      /* already broken or removed */
    }
  };
}

/**
 * The attempts to take the lock, shared by the two ways of waiting: each step either returns the
 * release function or how long to wait before the next try (0: try again at once, a stale lock
 * was just broken); it throws once the deadline has passed while someone holds the lock.
 */
function lockAttempts(dir: string, options: LockOptions, defaultTimeoutMs: number): () => Release | number {
  const lockPath = path.join(dir, LOCK_NAME);
  const deadline = Date.now() + (options.timeoutMs ?? defaultTimeoutMs);
  const info = newInfo();
  let attempt = 0;
  return () => {
    const n = attempt++;
    if (tryCreate(lockPath, info)) return releaser(lockPath, info);
    const holder = checkStale(lockPath, options.staleMs ?? 30_000);
    if (holder === undefined) return 0;
    if (Date.now() >= deadline) throw new LockTimeoutError(lockPath, holder);
    return Math.min(50, 5 + n * 5);
  };
}

export async function acquireLock(dir: string, options: LockOptions = {}): Promise<Release> {
  const next = lockAttempts(dir, options, 10_000);
  for (;;) {
    const r = next();
    if (typeof r === 'function') return r;
    if (r > 0) await new Promise((resolve) => setTimeout(resolve, r));
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function acquireLockSync(dir: string, options: LockOptions = {}): Release {
  const next = lockAttempts(dir, options, 2_000);
  for (;;) {
    const r = next();
    if (typeof r === 'function') return r;
    if (r > 0) Atomics.wait(sleeper, 0, 0, r);
  }
}
