import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { removeStaleTempFiles, writeFileAtomic, writeFileAtomicSync } from '../../../../src/core/persistence/atomicWrite';
import { entryFromRuns, restoreEntry, withFiles } from '../../../../src/core/persistence/entries';
import { LOCK_NAME, LockTimeoutError, acquireLock, acquireLockSync } from '../../../../src/core/persistence/lock';
import { RepoLocator, repoRelative, repoStateDir } from '../../../../src/core/persistence/repo';
import { STATE_VERSION, StateFileError, emptyState, parseState, serializeState, sha256 } from '../../../../src/core/persistence/schema';
import { StateDir } from '../../../../src/core/persistence/stateDir';
import { looksBinary, maxTrackedBytes, shouldTrack } from '../../../../src/core/persistence/tracking';
import { Origin } from '../../../../src/core/provenance/origin';
import { OriginTable } from '../../../../src/core/provenance/originTable';
import { AnchoredRun } from '../../../../src/core/reanchor/reanchor';

const COPILOT: Origin = { kind: 'inline', tool: 'github.copilot', model: 'gpt-x', timestamp: 1000 };
const CHAT: Origin = { kind: 'chat', tool: 'chat', timestamp: 2000 };

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'aip-persist-'));
}

class MemoryLog {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(`info ${m}`);
  }
  warn(m: string): void {
    this.lines.push(`warn ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error ${m}`);
  }
  has(level: string, pattern: RegExp): boolean {
    return this.lines.some((l) => l.startsWith(level) && pattern.test(l));
  }
}

/** A state with one file `src/a.ts` whose runs are given by the substrings of `text`. */
function stateFor(text: string, pieces: [string, Origin][]): { state: ReturnType<typeof emptyState>; live: OriginTable; runs: AnchoredRun[] } {
  const live = new OriginTable();
  const runs = pieces.map(([p, o]) => ({ start: text.indexOf(p), length: p.length, origin: live.intern(o), text: p }));
  const table = new OriginTable();
  const entry = entryFromRuns(text, runs, (id) => live.get(id), table, 5);
  return { state: withFiles(emptyState(), { 'src/a.ts': entry }, table.toJSON()), live, runs };
}

describe('persistence: state schema', () => {
  it('round-trips ranges and origins through JSON and restores them exactly when the hash matches', () => {
    const text = 'const a = 1;\nconst b = compute();\n';
    const { state, live, runs } = stateFor(text, [
      ['const a = 1;', COPILOT],
      ['compute()', CHAT],
    ]);
    const parsed = parseState(serializeState(state));
    assert.deepStrictEqual(parsed.warnings, []);
    assert.strictEqual(parsed.state.version, STATE_VERSION);
    assert.strictEqual(parsed.state.files['src/a.ts'].sha256, sha256(text));
    const fresh = new OriginTable();
    const restored = restoreEntry({ entry: parsed.state.files['src/a.ts'], stateOrigins: parsed.state.origins, text, intern: (o) => fresh.intern(o), oldText: () => undefined });
    assert.strictEqual(restored.how, 'exact');
    assert.deepStrictEqual(
      restored.runs.map((r) => [r.start, r.length, r.text, fresh.get(r.origin)]),
      runs.map((r) => [r.start, r.length, r.text, live.get(r.origin)]),
    );
  });

  it('rejects non-JSON, wrong schema and bad origin tables as corrupt', () => {
    for (const bad of ['', '{"schema":"ai-provenance/state","version":1,"origins":[],"files":{', '[]', '{"schema":"other","version":1,"origins":[],"files":{}}', '{"schema":"ai-provenance/state","version":1,"origins":[{"kind":"nope","tool":"x","timestamp":1}],"files":{}}']) {
      assert.throws(
        () => parseState(bad),
        (e: unknown) => e instanceof StateFileError && e.reason === 'corrupt',
        bad,
      );
    }
  });

  it('recognises a state written by a newer version', () => {
    assert.throws(
      () => parseState(JSON.stringify({ schema: 'ai-provenance/state', version: STATE_VERSION + 1, origins: [], files: {} })),
      (e: unknown) => e instanceof StateFileError && e.reason === 'future-version' && /newer version/.test(e.message),
    );
  });

  it('drops only a malformed file entry and keeps the rest', () => {
    const { state } = stateFor('hello world', [['world', CHAT]]);
    const raw = JSON.parse(serializeState(state));
    raw.files['bad.ts'] = { sha256: sha256('x'), length: 1, runs: [{ offset: 0, length: 1, origin: 7, text: 'x' }] };
    raw.files['bad2.ts'] = { sha256: sha256('xy'), length: 2, runs: [{ offset: 0, length: 2, origin: 1, text: 'x' }] };
    const parsed = parseState(JSON.stringify(raw));
    assert.deepStrictEqual(Object.keys(parsed.state.files), ['src/a.ts']);
    assert.strictEqual(parsed.warnings.length, 2);
  });
});

describe('persistence: restoring after the text changed', () => {
  it('re-anchors with the kept old text and marks text that came from disk as unknown', () => {
    const oldText = 'function a() {}\nconst generated = makeThing(1, 2);\n';
    const newText = 'function a() {}\n// added by someone outside\nconst generated = makeThing(1, 2);\n';
    const { state } = stateFor(oldText, [['const generated = makeThing(1, 2);', CHAT]]);
    const live = new OriginTable();
    const unknown = live.intern({ kind: 'unknown', tool: 'disk', timestamp: 1 });
    const restored = restoreEntry({
      entry: state.files['src/a.ts'],
      stateOrigins: state.origins,
      text: newText,
      intern: (o) => live.intern(o),
      oldText: (h) => (h === sha256(oldText) ? oldText : undefined),
      insertedOrigin: unknown,
    });
    assert.strictEqual(restored.how, 'reanchored');
    assert.deepStrictEqual(
      restored.runs.map((r) => [r.text, live.get(r.origin)!.kind]),
      [
        ['// added by someone outside\n', 'unknown'],
        ['const generated = makeThing(1, 2);', 'chat'],
      ],
    );
  });

  it('without the old text, finds runs by their text and marks nothing as unknown', () => {
    const oldText = 'x\nconst generated = makeThing(1, 2);\n';
    const { state } = stateFor(oldText, [['const generated = makeThing(1, 2);', CHAT]]);
    const live = new OriginTable();
    const restored = restoreEntry({ entry: state.files['src/a.ts'], stateOrigins: state.origins, text: 'y\ny\n' + oldText, intern: (o) => live.intern(o), oldText: () => undefined, insertedOrigin: 99 });
    assert.strictEqual(restored.how, 'searched');
    assert.deepStrictEqual(
      restored.runs.map((r) => r.text),
      ['const generated = makeThing(1, 2);'],
    );
  });
});

describe('persistence: atomic write', () => {
  it('a write interrupted before the rename leaves the previous state readable', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    writeFileAtomicSync(file, 'version one');
    assert.throws(() =>
      writeFileAtomicSync(file, 'version two', {
        beforeRename: () => {
          throw new Error('simulated crash');
        },
      }),
    );
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'version one');
    assert.deepStrictEqual(
      fs.readdirSync(dir).filter((n) => n.includes('.tmp-')),
      [],
      'the temporary file is cleaned up',
    );
  });

  it('async write: same guarantee', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'state.json');
    await writeFileAtomic(file, 'one');
    await assert.rejects(
      writeFileAtomic(file, 'two', {
        beforeRename: () => {
          throw new Error('simulated crash');
        },
      }),
    );
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'one');
    await writeFileAtomic(file, 'three');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'three');
  });

  it('a truncated temp file left by a crashed process is ignored by readers and cleaned up later', () => {
    const dir = tmpDir();
    const log = new MemoryLog();
    const sd = new StateDir(dir, log, 'test');
    const { state } = stateFor('hello world', [['world', CHAT]]);
    sd.updateSync(() => ({ state }));
    const full = serializeState(sd.read());
    const torn = path.join(dir, 'state.json.tmp-99999-abc-1');
    fs.writeFileSync(torn, full.slice(0, full.length / 2));
    const again = new StateDir(dir, log, 'test').read();
    assert.deepStrictEqual(Object.keys(again.files), ['src/a.ts']);
    assert.ok(!log.has('warn', /unusable/));
    assert.deepStrictEqual(removeStaleTempFiles(path.join(dir, 'state.json'), 60_000, Date.now()), [], 'a fresh temp file might still be in use');
    assert.deepStrictEqual(removeStaleTempFiles(path.join(dir, 'state.json'), 60_000, Date.now() + 120_000), ['state.json.tmp-99999-abc-1']);
    assert.ok(!fs.existsSync(torn));
  });

  it('a crash in the middle of StateDir.update keeps the previous state', async () => {
    const dir = tmpDir();
    const sd = new StateDir(dir, new MemoryLog(), 'test');
    const first = stateFor('hello world', [['world', CHAT]]).state;
    await sd.update(() => ({ state: first }));
    await assert.rejects(
      sd.update(() => {
        throw new Error('crash while building the new state');
      }),
    );
    assert.deepStrictEqual(Object.keys(sd.read().files), ['src/a.ts']);
    assert.ok(!fs.existsSync(path.join(dir, LOCK_NAME)), 'the lock is released');
  });
});

describe('persistence: bad state files', () => {
  it('a corrupt state.json is kept aside, reported, and tracking continues', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'state.json'), '{"schema":"ai-provenance/state", trunc');
    const log = new MemoryLog();
    const sd = new StateDir(dir, log, 'test');
    const state = sd.read();
    assert.deepStrictEqual(state.files, {});
    const aside = fs.readdirSync(dir).filter((n) => n.startsWith('state.json.corrupt-'));
    assert.strictEqual(aside.length, 1);
    assert.strictEqual(fs.readFileSync(path.join(dir, aside[0]), 'utf8'), '{"schema":"ai-provenance/state", trunc');
    assert.ok(log.has('warn', /unusable: not valid JSON.*kept as .*state\.json\.corrupt-.*Tracking continues/));
    const next = stateFor('abc def', [['def', CHAT]]).state;
    await sd.update(() => ({ state: next }));
    assert.deepStrictEqual(Object.keys(sd.read().files), ['src/a.ts']);
  });

  it('a state.json from a newer version is kept aside with a clear message', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ schema: 'ai-provenance/state', version: 99, origins: [], files: {} }));
    const log = new MemoryLog();
    assert.deepStrictEqual(new StateDir(dir, log, 'test').read().files, {});
    assert.ok(log.has('warn', /newer version of AI Provenance \(state version 99/));
    assert.strictEqual(fs.readdirSync(dir).filter((n) => n.startsWith('state.json.corrupt-')).length, 1);
    assert.ok(!fs.existsSync(path.join(dir, 'state.json')));
  });

  it('keeps the text an entry describes and removes texts no entry uses', async () => {
    const dir = tmpDir();
    const sd = new StateDir(dir, new MemoryLog(), 'test');
    const one = stateFor('hello world', [['world', CHAT]]).state;
    await sd.update(() => ({ state: one, texts: new Map([[sha256('hello world'), 'hello world']]) }));
    assert.strictEqual(sd.readText(sha256('hello world')), 'hello world');
    const two = stateFor('hello there world', [['world', CHAT]]).state;
    await sd.update(() => ({ state: two, texts: new Map([[sha256('hello there world'), 'hello there world']]) }));
    assert.strictEqual(sd.readText(sha256('hello world')), undefined);
    assert.strictEqual(sd.readText(sha256('hello there world')), 'hello there world');
  });
});

describe('persistence: lock', () => {
  it('excludes a second writer until released', async () => {
    const dir = tmpDir();
    const release = await acquireLock(dir);
    await assert.rejects(acquireLock(dir, { timeoutMs: 100 }), LockTimeoutError);
    assert.throws(() => acquireLockSync(dir, { timeoutMs: 50 }), LockTimeoutError);
    release();
    const again = acquireLockSync(dir, { timeoutMs: 50 });
    again();
  });

  it('breaks a lock left by a dead process or too old', async () => {
    const dir = tmpDir();
    const child = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(path.join(dir, LOCK_NAME), JSON.stringify({ pid: Number(child), host: os.hostname(), time: 1, token: 'dead' }));
    (await acquireLock(dir, { timeoutMs: 200 }))();
    fs.writeFileSync(path.join(dir, LOCK_NAME), JSON.stringify({ pid: process.pid, host: 'elsewhere', time: 1, token: 'old' }));
    const old = Date.now() / 1000 - 3600;
    fs.utimesSync(path.join(dir, LOCK_NAME), old, old);
    (await acquireLock(dir, { timeoutMs: 200 }))();
  });

  it('concurrent writers (extension and CLI) lose no update', async () => {
    const dir = tmpDir();
    const a = new StateDir(dir, new MemoryLog(), 'extension');
    const b = new StateDir(dir, new MemoryLog(), 'cli');
    const add = (sd: StateDir, name: string) =>
      sd.update((current) => {
        const table = OriginTable.fromJSON(current.origins);
        const live = new OriginTable();
        const id = live.intern(CHAT);
        const text = `text of ${name}`;
        const entry = entryFromRuns(text, [{ start: 0, length: 4, origin: id, text: 'text' }], (i) => live.get(i), table);
        return { state: withFiles(current, { [name]: entry }, table.toJSON()) };
      });
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 15; i++) jobs.push(add(a, `a${i}`), add(b, `b${i}`));
    await Promise.all(jobs);
    assert.strictEqual(Object.keys(a.read().files).length, 30);
  });
});

describe('persistence: which documents are tracked', () => {
  it('tracks ordinary files', () => {
    assert.deepStrictEqual(shouldTrack({ scheme: 'file', size: 1000, head: 'const a = 1;\n' }), { track: true });
    assert.deepStrictEqual(shouldTrack({ scheme: 'untitled', size: 0 }), { track: true });
  });

  it('does not track files above aiProvenance.maxFileSizeMB (default 10)', () => {
    const d = shouldTrack({ scheme: 'file', size: 11 * 1024 * 1024 });
    assert.strictEqual(d.track, false);
    assert.match(d.reason!, /larger than aiProvenance\.maxFileSizeMB \(11\.0 MB > 10\.0 MB\)/);
    assert.strictEqual(shouldTrack({ scheme: 'file', size: 11 * 1024 * 1024, maxFileSizeMB: 20 }).track, true);
    assert.strictEqual(shouldTrack({ scheme: 'file', size: 2 * 1024 * 1024, maxFileSizeMB: 1 }).track, false);
    assert.strictEqual(maxTrackedBytes(Number.NaN), 10 * 1024 * 1024, 'an invalid setting falls back to the default');
    assert.strictEqual(maxTrackedBytes(0.001), Math.round(0.1 * 1024 * 1024), 'the minimum is 0.1 MB');
  });

  it('does not track binary files (NUL in the first 8 KB)', () => {
    const bytes = new Uint8Array(9000).fill(65);
    bytes[7999] = 0;
    assert.deepStrictEqual(shouldTrack({ scheme: 'file', size: 9000, head: bytes }), { track: false, reason: 'a binary file (NUL byte in its first 8 KB)' });
    bytes[7999] = 65;
    bytes[8500] = 0;
    assert.strictEqual(looksBinary(bytes), false, 'a NUL after 8 000 bytes is not looked at');
    assert.strictEqual(shouldTrack({ scheme: 'file', size: 5, head: 'ab\u0000cd' }).track, false);
  });

  it('does not track output, git or other non-file documents', () => {
    for (const scheme of ['output', 'git', 'vscode-scm', 'vscode-chat-code-block', 'debug']) {
      const d = shouldTrack({ scheme, size: 10 });
      assert.strictEqual(d.track, false, scheme);
      assert.strictEqual(d.reason, `not a file (${scheme})`);
    }
  });
});

describe('persistence: locating repositories', () => {
  function gitInit(dir: string): void {
    execFileSync('git', ['init', '-q', dir]);
  }

  it('finds the repository and its git directory with git, once per repository', async () => {
    const ws = tmpDir();
    gitInit(path.join(ws, 'one'));
    gitInit(path.join(ws, 'two'));
    fs.mkdirSync(path.join(ws, 'one', 'src'), { recursive: true });
    let calls = 0;
    const log = new MemoryLog();
    const locator = new RepoLocator((args, cwd) => {
      calls++;
      return Promise.resolve(execFileSync('git', args, { cwd, encoding: 'utf8' }));
    }, log);
    const a = await locator.locate(path.join(ws, 'one', 'src', 'a.ts'));
    const b = await locator.locate(path.join(ws, 'one', 'b.ts'));
    const c = await locator.locate(path.join(ws, 'two', 'c.ts'));
    assert.strictEqual(a!.via, 'git');
    assert.strictEqual(fs.realpathSync(a!.gitDir), fs.realpathSync(path.join(ws, 'one', '.git')));
    assert.strictEqual(b!.gitDir, a!.gitDir);
    assert.notStrictEqual(c!.gitDir, a!.gitDir, 'several repositories in one workspace each get their own');
    assert.strictEqual(calls, 2, 'git rev-parse runs once per repository');
    assert.strictEqual(repoRelative(a!.root, path.join(ws, 'one', 'src', 'a.ts')), 'src/a.ts');
    assert.strictEqual(repoStateDir(a!), path.join(a!.gitDir, 'ai-provenance'));
  });

  it('a folder outside any repository has no repository (state goes to extension storage)', async () => {
    const ws = tmpDir();
    const locator = new RepoLocator(() => Promise.reject(new Error('should not run')), new MemoryLog());
    // The temp dir may itself sit inside a repository on some machines; only assert when it does not.
    if (!locator.findRoot(path.join(ws, 'x.ts'))) assert.strictEqual(await locator.locate(path.join(ws, 'x.ts')), undefined);
  });

  it('git missing (spawn ENOENT): reads .git directly and says so once', async () => {
    const ws = tmpDir();
    gitInit(ws);
    const log = new MemoryLog();
    const locator = new RepoLocator(() => Promise.reject(Object.assign(new Error('spawn git ENOENT'), { code: 'ENOENT' })), log);
    const info = await locator.locate(path.join(ws, 'a.ts'));
    assert.strictEqual(info!.via, 'dotgit');
    assert.strictEqual(info!.gitDir, path.join(ws, '.git'));
    const real = new RepoLocator(
      (args, cwd) => {
        // A real spawn of a missing executable.
        return new Promise((resolve, reject) => {
          require('child_process').execFile('/nonexistent/git-missing', args, { cwd }, (e: Error | null, out: string) => (e ? reject(e) : resolve(out)));
        });
      },
      log,
    );
    assert.strictEqual((await real.locate(path.join(ws, 'a.ts')))!.via, 'dotgit');
    assert.strictEqual(log.lines.filter((l) => /ENOENT/.test(l)).length, 2, 'one message per locator');
    assert.ok(log.has('warn', /git was not found \(spawn git ENOENT\)/));
  });

  it('untrusted workspace (no git runs) and linked worktrees: reads the gitdir file', async () => {
    const ws = tmpDir();
    gitInit(path.join(ws, 'main'));
    execFileSync('git', ['-C', path.join(ws, 'main'), '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '-m', 'init']);
    execFileSync('git', ['-C', path.join(ws, 'main'), 'worktree', 'add', '-q', path.join(ws, 'wt')]);
    const locator = new RepoLocator(undefined, new MemoryLog());
    const info = await locator.locate(path.join(ws, 'wt', 'f.ts'));
    assert.strictEqual(info!.via, 'dotgit');
    assert.strictEqual(fs.realpathSync(info!.commonDir), fs.realpathSync(path.join(ws, 'main', '.git')));
    assert.notStrictEqual(fs.realpathSync(info!.gitDir), fs.realpathSync(info!.commonDir), 'each worktree has its own state');
  });
});
