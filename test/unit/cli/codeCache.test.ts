import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CodeCacheState, codeCacheDir, loadWithCodeCache } from '../../../src/cli/codeCache';
import { cacheVariant } from '../../../src/cli/cacheVariant';

const repoRoot = path.resolve(__dirname, '../../../..');

/**
 * Each load runs in a new process, as the launcher does: inside one process V8 finds a source it
 * compiled before in its own memory and never looks at the cached data (it neither uses nor
 * refuses it), so only a new process shows what the cache on disk does.
 */
function buildLoader(dir: string): string {
  const entry = path.join(dir, 'loader.ts');
  const out = path.join(dir, 'loader.js');
  fs.writeFileSync(
    entry,
    `import { loadWithCodeCache } from ${JSON.stringify(path.join(repoRoot, 'src/cli/codeCache'))};\n` +
      `const [file, cacheDir, variant, callBig] = process.argv.slice(2);\n` +
      `const l = loadWithCodeCache(file, cacheDir === '-' ? undefined : cacheDir, variant);\n` +
      `const m = l.exports as any;\n` +
      `const big = callBig === '1' ? m.big(3) : undefined;\n` +
      `const saved = l.save();\n` +
      `process.stdout.write(JSON.stringify({ state: l.state, cacheFile: l.cacheFile, saved, savedAgain: l.save(), dir: m.dir, file: m.file, isModule: m.isModule, join: m.join, version: m.version, big }));\n`,
  );
  execFileSync(path.join(repoRoot, 'node_modules/esbuild/bin/esbuild'), [entry, '--bundle', '--platform=node', '--format=cjs', `--outfile=${out}`, '--log-level=warning'], { cwd: repoRoot });
  return out;
}

interface ChildLoad {
  readonly state: CodeCacheState;
  readonly cacheFile?: string;
  /** What save() returned after the load (and after big() when it was called), then a second time. */
  readonly saved: boolean;
  readonly savedAgain: boolean;
  readonly dir: string;
  readonly file: string;
  readonly isModule: boolean;
  readonly join: string;
  readonly version?: number;
  readonly big?: number;
}

/** A module file whose `big` function runs only when called (so V8 compiles it lazily). */
function moduleSource(extra = ''): string {
  const body = Array.from({ length: 200 }, (_, i) => `  total += (x + ${i}) * ${i % 7} - Math.floor(x / ${i + 1});`).join('\n');
  return [
    '#!/usr/bin/env node',
    "const path = require('path');",
    'exports.dir = __dirname;',
    'exports.file = __filename;',
    'exports.isModule = module.exports === exports;',
    "exports.join = path.join('a', 'b');",
    `exports.big = function big(x) {\n  let total = 0;\n${body}\n  return total;\n};`,
    extra,
  ].join('\n');
}

describe('code cache (the command-line launcher)', function () {
  this.timeout(60000);
  let loader: string;
  let loaderDir: string;
  let dir: string;
  let file: string;
  let cache: string;
  before(() => {
    loaderDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-codecache-loader-'));
    loader = buildLoader(loaderDir);
  });
  after(() => fs.rmSync(loaderDir, { recursive: true, force: true }));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-codecache-'));
    file = path.join(dir, 'program.js');
    fs.writeFileSync(file, moduleSource());
    cache = path.join(dir, 'cache');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Loads the program in a new process with the cache folder (or none), then calls save(). */
  const load = (cacheDir: string | undefined, variant: string, callBig = false): ChildLoad =>
    JSON.parse(execFileSync(process.execPath, [loader, file, cacheDir ?? '-', variant, callBig ? '1' : '0'], { encoding: 'utf8' })) as ChildLoad;
  const cacheFiles = (): string[] => (fs.existsSync(cache) ? fs.readdirSync(cache).sort() : []);
  const checkModule = (m: ChildLoad): void => {
    assert.strictEqual(m.dir, dir);
    assert.strictEqual(m.file, file);
    assert.strictEqual(m.isModule, true);
    assert.strictEqual(m.join, path.join('a', 'b'));
  };

  it('loads the file as a CommonJS module, writes a cache after the run and uses it on the next load', () => {
    const first = load(cache, 'hook-prepare-commit-msg');
    assert.strictEqual(first.state, 'absent');
    checkModule(first);
    assert.strictEqual(first.saved, true);
    assert.strictEqual(first.savedAgain, false, 'written once');
    const [name] = cacheFiles();
    assert.strictEqual(path.join(cache, name), first.cacheFile);
    assert.match(name, new RegExp(`^program-hook-prepare-commit-msg-${process.versions.v8.replace(/\./g, '\\.')}-${process.arch}-\\d+-\\d+\\.code$`));
    if (process.platform !== 'win32') {
      assert.strictEqual(fs.statSync(cache).mode & 0o777, 0o700);
      assert.strictEqual(fs.statSync(path.join(cache, name)).mode & 0o777, 0o600);
    }

    const second = load(cache, 'hook-prepare-commit-msg');
    assert.strictEqual(second.state, 'used');
    checkModule(second);
    assert.strictEqual(second.saved, false, 'a cache that was used is not written again');
    assert.deepStrictEqual(cacheFiles(), [name]);
    // Another variant has its own cache.
    assert.strictEqual(load(cache, 'verify').state, 'absent');
    assert.strictEqual(cacheFiles().length, 2);
  });

  it('keeps the functions the run compiled, not only the top level', () => {
    const cacheA = path.join(dir, 'a');
    const cacheB = path.join(dir, 'b');
    assert.strictEqual(load(cacheA, 'x').saved, true);
    assert.strictEqual(typeof load(cacheB, 'x', true).big, 'number');
    const size = (d: string): number => fs.statSync(path.join(d, fs.readdirSync(d)[0])).size;
    assert.ok(size(cacheB) > size(cacheA) + 500, `a cache written after big() ran (${size(cacheB)} bytes) holds its bytecode, one written before (${size(cacheA)}) does not`);
  });

  it('a damaged cache is refused by V8, the file still loads, and the cache is written again', () => {
    const target = load(cache, 'x').cacheFile!;
    const good = fs.readFileSync(target);
    for (const [damaged, state] of [
      [Buffer.from('not a code cache'), 'rejected'],
      [good.subarray(0, Math.floor(good.length / 2)), 'rejected'],
      [Buffer.alloc(0), 'absent'],
    ] as const) {
      fs.writeFileSync(target, damaged);
      const l = load(cache, 'x');
      assert.strictEqual(l.state, state, `${damaged.length} bytes`);
      checkModule(l);
      assert.strictEqual(l.saved, true);
      assert.strictEqual(load(cache, 'x').state, 'used');
    }
  });

  it("a new build of the file gets a new cache, and the old build's cache is removed when it is written", () => {
    load(cache, 'x');
    load(cache, 'y');
    const [oldX, y] = cacheFiles();
    fs.writeFileSync(file, moduleSource('exports.version = 2;'));
    const next = load(cache, 'x');
    assert.strictEqual(next.state, 'absent');
    assert.strictEqual(next.version, 2);
    assert.strictEqual(next.saved, true);
    const files = cacheFiles();
    assert.ok(!files.includes(oldX), `the old build's cache is gone: ${files.join(', ')}`);
    assert.ok(files.includes(y), 'the cache of another variant stays until that variant writes again');
    assert.strictEqual(files.length, 2);
  });

  it('runs without a cache when there is no folder, or the folder cannot be trusted or created', function () {
    const none = load(undefined, 'x');
    assert.strictEqual(none.state, 'off');
    checkModule(none);
    assert.strictEqual(none.saved, false);

    const notADir = path.join(dir, 'plain-file');
    fs.writeFileSync(notADir, '');
    const blocked = load(path.join(notADir, 'cache'), 'x');
    assert.strictEqual(blocked.state, 'off');
    checkModule(blocked);

    if (process.platform === 'win32') return;
    fs.mkdirSync(cache, { mode: 0o700 });
    fs.chmodSync(cache, 0o777);
    const open = load(cache, 'x');
    assert.strictEqual(open.state, 'off', 'a folder others can write to is not used');
    checkModule(open);
    assert.strictEqual(open.saved, false);
    assert.deepStrictEqual(cacheFiles(), []);
  });

  it('an error in the loaded file reaches the caller unchanged', () => {
    fs.writeFileSync(file, "throw new Error('boom from the program');\n");
    assert.throws(() => loadWithCodeCache(file, cache, 'x'), /boom from the program/);
  });

  it('the cache folder: the override, off, and each platform\'s user cache folder', () => {
    assert.strictEqual(codeCacheDir({ AI_PROVENANCE_CODE_CACHE: '/c' }, 'linux', '/home/u'), '/c');
    assert.strictEqual(codeCacheDir({ AI_PROVENANCE_CODE_CACHE: 'off' }, 'linux', '/home/u'), undefined);
    assert.strictEqual(codeCacheDir({}, 'linux', '/home/u'), path.join('/home/u', '.cache', 'ai-provenance', 'code-cache'));
    assert.strictEqual(codeCacheDir({ XDG_CACHE_HOME: '/x' }, 'linux', '/home/u'), path.join('/x', 'ai-provenance', 'code-cache'));
    assert.strictEqual(codeCacheDir({}, 'darwin', '/Users/u'), path.join('/Users/u', 'Library', 'Caches', 'ai-provenance', 'code-cache'));
    assert.strictEqual(codeCacheDir({ LOCALAPPDATA: 'C:\\L' }, 'win32', 'C:\\Users\\u'), path.join('C:\\L', 'ai-provenance', 'code-cache'));
    assert.strictEqual(codeCacheDir({}, 'linux', ''), undefined);
  });

  it('the variant of a command line: the command, and for hook the hook\'s name', () => {
    assert.strictEqual(cacheVariant(['hook', 'prepare-commit-msg', '/tmp/MSG', 'message']), 'hook-prepare-commit-msg');
    assert.strictEqual(cacheVariant(['hook', 'post-commit']), 'hook-post-commit');
    assert.strictEqual(cacheVariant(['verify', 'main..HEAD']), 'verify');
    assert.strictEqual(cacheVariant(['--version']), 'other');
    assert.strictEqual(cacheVariant(['../../etc/passwd']), 'other');
    assert.strictEqual(cacheVariant(['hook', 'A/B']), 'hook-other');
    assert.strictEqual(cacheVariant([]), 'other');
  });
});
