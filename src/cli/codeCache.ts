import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';

/**
 * Loads a bundled CommonJS file with a V8 code cache: the bytecode V8 compiled for it in an earlier
 * run, kept on disk. The git hooks start a new process for every commit, and in a new process V8
 * compiles each function the first time it runs; the cache is written after a run, so it holds the
 * functions that run used, not only the top level that Node's own compile cache keeps. (VS Code
 * loads its own code the same way.)
 *
 * Safe by construction: the cache lives only in a folder that belongs to the user and that no one
 * else can write; its name carries the V8 version, the architecture and the file's size and
 * modification time, so a new build or another runtime never meets an old cache; V8 itself rejects
 * a cache made with other flags or for another source. A missing, unreadable or rejected cache
 * only means the file is compiled as usual. Nothing here ever stops the file from loading.
 */

/** What happened to the cache on load. */
export type CodeCacheState =
  /** Loaded from the cache. */
  | 'used'
  /** A cache was there but V8 refused it (other flags, a damaged file); compiled as usual. */
  | 'rejected'
  /** No cache yet for this build, runtime and variant; compiled as usual. */
  | 'absent'
  /** No usable cache folder (none given, not ours, writable by others, not creatable). */
  | 'off';

export interface CachedLoad {
  /** `module.exports` of the loaded file. */
  readonly exports: unknown;
  readonly state: CodeCacheState;
  /** The cache file for this build, runtime and variant (undefined when `off`). */
  readonly cacheFile: string | undefined;
  /**
   * When the load found no cache or one V8 refused: writes one with every function compiled so
   * far (call it when the run is over), replacing the caches of older builds of the same file.
   * Returns true when it wrote one. Never throws.
   */
  save(): boolean;
}

/**
 * The folder for code caches: `AI_PROVENANCE_CODE_CACHE` when set (`off` turns caching off), else
 * the user's cache folder (XDG_CACHE_HOME or ~/.cache, ~/Library/Caches, %LOCALAPPDATA%).
 */
export function codeCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string | undefined {
  const chosen = env.AI_PROVENANCE_CODE_CACHE;
  if (chosen === 'off') return undefined;
  if (chosen) return chosen;
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || (home ? path.join(home, 'AppData', 'Local') : '');
    return local ? path.join(local, 'ai-provenance', 'code-cache') : undefined;
  }
  if (!home && !env.XDG_CACHE_HOME) return undefined;
  const base = platform === 'darwin' ? path.join(home, 'Library', 'Caches') : env.XDG_CACHE_HOME || path.join(home, '.cache');
  return path.join(base, 'ai-provenance', 'code-cache');
}

/**
 * Creates `dir` when missing (readable by its owner only) and tells whether a cache in it can be
 * trusted: on POSIX systems it must belong to this user and be writable by no one else.
 */
function privateDir(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    if (!st.isDirectory()) return false;
    if (process.platform === 'win32' || typeof process.getuid !== 'function') return true;
    return st.uid === process.getuid() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * Loads `file` (a CommonJS bundle with no dependencies outside Node's own modules) as a module,
 * with the code cache for `variant` (a short name for what the run will do, since the cache holds
 * the functions that run used) from `cacheDir` when there is one.
 */
export function loadWithCodeCache(file: string, cacheDir: string | undefined, variant: string): CachedLoad {
  const source = fs.readFileSync(file, 'utf8');
  let cacheFile: string | undefined;
  let prefix = '';
  let cached: Buffer | undefined;
  if (cacheDir !== undefined && privateDir(cacheDir)) {
    const st = fs.statSync(file);
    prefix = `${path.basename(file, '.js')}-${variant.replace(/[^A-Za-z0-9-]/g, '_')}-${process.versions.v8}-${process.arch}-`;
    cacheFile = path.join(cacheDir, `${prefix}${st.size}-${Math.floor(st.mtimeMs)}.code`);
    try {
      cached = fs.readFileSync(cacheFile);
    } catch {
      cached = undefined;
    }
    // V8 ignores empty cached data instead of refusing it: an empty file is no cache.
    if (cached?.length === 0) cached = undefined;
  }
  // The wrapper Node puts around a CommonJS module, on the same line as its first line; a leading
  // `#!` line is kept as a comment so that line numbers stay those of the file.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source.startsWith('#!') ? '//' : ''}${source}\n})`;
  const script = new vm.Script(wrapped, { filename: file, cachedData: cached });
  const state: CodeCacheState = cacheFile === undefined ? 'off' : cached === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  const mod = { exports: {} as unknown, filename: file, id: file, loaded: false };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  run.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  let saved = false;
  return {
    exports: mod.exports,
    state,
    cacheFile,
    save(): boolean {
      if (saved || cacheFile === undefined || state === 'used') return false;
      saved = true;
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, cacheFile);
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // Nothing more to do: the cache is only an aid.
        }
        return false;
      }
      // Caches of other builds of the same file, for the same variant and runtime, are stale.
      const name = path.basename(cacheFile);
      try {
        for (const other of fs.readdirSync(path.dirname(cacheFile))) {
          if (other !== name && other.startsWith(prefix) && other.endsWith('.code')) fs.rmSync(path.join(path.dirname(cacheFile), other), { force: true });
        }
      } catch {
        // Left for the next save.
      }
      return true;
    },
  };
}
