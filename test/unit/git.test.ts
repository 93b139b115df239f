import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AiRange, mapRanges } from '../../src/core/contribution/mapRanges';
import { rangeText, sha256Hex } from '../../src/core/manifest/schema';
import { DEFAULT_POLICY } from '../../src/core/policy/policy';
import { Origin } from '../../src/core/provenance/origin';
import { GitError, findRepoRoot, gitPath, indexBlob, readBlobs, resolveCommit, runGit, stagedEntries } from '../../src/git/git';
import { StagedChangeOptions, clearStagedCountCache, computeStagedChange } from '../../src/git/stagedChange';

const agent: Origin = { kind: 'agent', tool: 'claude-code', model: 'opus', timestamp: 1 };

export function makeRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-git-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  git(dir, 'config', 'core.autocrlf', 'false');
  return dir;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

function write(dir: string, file: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

function rangeOf(text: string, piece: string, origin: Origin = agent): AiRange {
  const start = text.indexOf(piece);
  assert.ok(start >= 0);
  return { start, end: start + piece.length, origin, text: piece };
}

describe('git adapter (temporary repositories)', () => {
  it('lists added, modified, renamed, deleted and binary staged files with blob ids', async () => {
    const dir = makeRepo();
    const long = Array.from({ length: 20 }, (_, i) => `line ${i} of a file that will be renamed`).join('\n') + '\n';
    write(dir, 'keep.txt', 'one\n');
    write(dir, 'old/name.txt', long);
    write(dir, 'gone.txt', 'bye\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    write(dir, 'keep.txt', 'one\ntwo\n');
    fs.mkdirSync(path.join(dir, 'new'));
    fs.renameSync(path.join(dir, 'old/name.txt'), path.join(dir, 'new/näme.txt'));
    write(dir, 'new/näme.txt', long + 'extra\n');
    fs.rmSync(path.join(dir, 'gone.txt'));
    write(dir, 'img.bin', Buffer.from([0, 1, 2, 0, 255]));
    git(dir, 'add', '-A');
    const head = await resolveCommit(dir, 'HEAD');
    const entries = await stagedEntries(dir, head);
    const by = new Map(entries.map((e) => [e.path, e]));
    assert.strictEqual(by.get('keep.txt')?.status, 'modified');
    assert.strictEqual(by.get('new/näme.txt')?.status, 'renamed');
    assert.strictEqual(by.get('new/näme.txt')?.oldPath, 'old/name.txt');
    assert.strictEqual(by.get('gone.txt')?.status, 'deleted');
    assert.strictEqual(by.get('gone.txt')?.newBlob, undefined);
    assert.strictEqual(by.get('img.bin')?.binary, true);
    assert.strictEqual(by.get('keep.txt')?.binary, false);
    assert.strictEqual(by.get('keep.txt')?.newBlob, await indexBlob(dir, 'keep.txt'));
  });

  it('counts a partially staged file from working-copy provenance mapped onto the index', async () => {
    const dir = makeRepo();
    write(dir, 'a.ts', 'header\nfooter\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    const aiA = 'function alpha() {\n  return 1;\n}\n';
    const aiB = 'function beta() {\n  return 2;\n}\n';
    // Stage only aiA, then add aiB in the working copy.
    write(dir, 'a.ts', 'header\n' + aiA + 'footer\n');
    git(dir, 'add', 'a.ts');
    const working = 'header\n' + aiA + 'human();\n' + aiB + 'footer\n';
    write(dir, 'a.ts', working);
    const workingRanges = [rangeOf(working, aiA), rangeOf(working, aiB, { ...agent, kind: 'chat', tool: 'copilot' })];
    const change = await computeStagedChange({
      root: dir,
      maxFileBytes: 1e6,
      trivial: DEFAULT_POLICY.trivial,
      rangesFor: (f) => mapRanges(working, f.text, workingRanges),
    });
    assert.strictEqual(change.files.length, 1);
    const f = change.files[0];
    assert.deepStrictEqual([f.path, f.status, f.addedLines, f.aiLines, f.nonTrivialAiLines], ['a.ts', 'modified', 3, 3, 3]);
    assert.deepStrictEqual(f.ranges.map((r) => [r.startLine, r.endLine, r.tool]), [[2, 4, 'claude-code']]);
    const committed = git(dir, 'show', ':a.ts');
    assert.strictEqual(f.sha256, sha256Hex(committed));
    assert.strictEqual(f.ranges[0].sha256, sha256Hex(rangeText(committed, 2, 4)));
    assert.strictEqual(change.base, (await resolveCommit(dir, 'HEAD'))!);
  });

  it('unborn branch: every staged line is added; CRLF and binary and large files handled', async () => {
    const dir = makeRepo();
    const crlf = 'first\r\nai made this line\r\n';
    write(dir, 'win.txt', crlf);
    write(dir, 'blob.bin', Buffer.from([0, 0, 0, 1]));
    write(dir, 'big.txt', 'x'.repeat(2000) + '\n');
    write(dir, 'latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    write(dir, '.ai-provenance/old.json', '{}\n');
    git(dir, 'add', '.');
    const change = await computeStagedChange({
      root: dir,
      maxFileBytes: 1000,
      trivial: DEFAULT_POLICY.trivial,
      rangesFor: (f) => (f.path === 'win.txt' ? [rangeOf(f.text, 'ai made this line\r\n')] : []),
    });
    assert.strictEqual(change.base, null);
    const by = new Map(change.files.map((f) => [f.path, f]));
    assert.ok(!by.has('.ai-provenance/old.json'), 'manifests are never counted');
    assert.deepStrictEqual([by.get('win.txt')?.addedLines, by.get('win.txt')?.aiLines], [2, 1]);
    assert.strictEqual(by.get('win.txt')?.ranges[0].sha256, sha256Hex('ai made this line\r'));
    assert.strictEqual(by.get('blob.bin')?.skipped, 'binary');
    assert.strictEqual(by.get('big.txt')?.skipped, 'too-large');
    assert.strictEqual(by.get('latin1.txt')?.skipped, 'not-utf8');
    assert.strictEqual(by.get('big.txt')?.sha256, sha256Hex('x'.repeat(2000) + '\n'));
    assert.strictEqual(change.notes.length, 3);
  });

  it('deleted files add nothing, even when they were AI', async () => {
    const dir = makeRepo();
    write(dir, 'ai.txt', 'all of this was AI\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    git(dir, 'rm', '-q', 'ai.txt');
    const change = await computeStagedChange({ root: dir, maxFileBytes: 1e6, trivial: DEFAULT_POLICY.trivial, rangesFor: () => { throw new Error('not asked for deleted files'); } });
    assert.deepStrictEqual(change.files.map((f) => [f.path, f.status, f.addedLines, f.aiLines, f.sha256]), [['ai.txt', 'deleted', 0, 0, undefined]]);
  });

  it('reports a folder outside any repository and a missing git clearly', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-nogit-'));
    assert.strictEqual(await findRepoRoot(outside), undefined);
    await assert.rejects(runGit(['status'], { cwd: outside }), (e: unknown) => e instanceof GitError && e.kind === 'not-a-repository');
    const saved = process.env.AI_PROVENANCE_GIT;
    process.env.AI_PROVENANCE_GIT = path.join(outside, 'no-such-git');
    try {
      await assert.rejects(runGit(['--version'], { cwd: outside }), (e: unknown) => e instanceof GitError && e.kind === 'git-missing' && /git was not found/.test(e.message));
    } finally {
      if (saved === undefined) delete process.env.AI_PROVENANCE_GIT;
      else process.env.AI_PROVENANCE_GIT = saved;
    }
  });

  it('runs git with the caller\'s extra environment over process.env, and with process.env changes', async () => {
    const dir = makeRepo();
    const ident = async (env?: NodeJS.ProcessEnv) => (await runGit(['var', 'GIT_AUTHOR_IDENT'], { cwd: dir, env })).stdout.toString('utf8');
    const settle = () => new Promise((r) => setTimeout(r, 300)); // the copy of process.env is at most 250 ms old
    const saved = process.env.GIT_AUTHOR_NAME;
    delete process.env.GIT_AUTHOR_NAME;
    try {
      await settle();
      assert.match(await ident({ GIT_AUTHOR_NAME: 'Extra Name' }), /^Extra Name </);
      assert.match(await ident(), /^Dev </);
      process.env.GIT_AUTHOR_NAME = 'Process Name';
      await settle();
      assert.match(await ident(), /^Process Name </);
      assert.match(await ident({ GIT_AUTHOR_NAME: 'Extra Name' }), /^Extra Name </);
    } finally {
      if (saved === undefined) delete process.env.GIT_AUTHOR_NAME;
      else process.env.GIT_AUTHOR_NAME = saved;
    }
  });

  it('resolves the hooks folder, honouring core.hooksPath', async () => {
    const dir = makeRepo();
    assert.strictEqual(await gitPath(dir, 'hooks'), path.join(fs.realpathSync(dir), '.git', 'hooks'));
    git(dir, 'config', 'core.hooksPath', '.githooks');
    assert.strictEqual(await gitPath(dir, 'hooks'), path.join(fs.realpathSync(dir), '.githooks'));
  });
});

/** Runs `fn` and returns how many git processes it started (child_process.execFile calls). */
async function countingProcesses<T>(fn: () => Promise<T>): Promise<{ result: T; processes: string[] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cp = require('child_process') as { execFile: (...args: unknown[]) => unknown };
  const original = cp.execFile;
  const processes: string[] = [];
  cp.execFile = function (this: unknown, ...args: unknown[]) {
    processes.push(((args[1] as string[]) ?? []).filter((a) => a !== '-c' && a !== 'core.quotepath=false').slice(0, 2).join(' '));
    return original.apply(this, args);
  };
  try {
    return { result: await fn(), processes };
  } finally {
    cp.execFile = original;
  }
}

describe('git adapter: batched blob reads and counts kept between summaries', () => {
  beforeEach(() => clearStagedCountCache());

  it('reads many blobs with one git process, byte for byte, and rejects an id that is no blob', async () => {
    const dir = makeRepo();
    const contents = [Buffer.from('one\ntwo\n'), Buffer.alloc(0), Buffer.from([0, 10, 255, 10]), Buffer.from('no newline at end'), Buffer.from('x\n'.repeat(5000))];
    const ids = contents.map((c, i) => {
      write(dir, `f${i}`, c);
      return git(dir, 'hash-object', '-w', `f${i}`).trim();
    });
    const { result, processes } = await countingProcesses(() => readBlobs(dir, [...ids, ids[0]]));
    assert.deepStrictEqual(processes, ['cat-file --batch-check=%(objectname) %(objectsize)', 'cat-file --batch']);
    assert.strictEqual(result.size, ids.length);
    ids.forEach((id, i) => assert.ok(result.get(id)!.equals(contents[i]), `blob ${i}`));
    // Read again: from the cache, no process.
    const again = await countingProcesses(() => readBlobs(dir, ids));
    assert.deepStrictEqual(again.processes, []);
    assert.ok(again.result.get(ids[2])!.equals(contents[2]));
    const missing = 'f'.repeat(ids[0].length);
    await assert.rejects(readBlobs(dir, [missing]), (e: unknown) => e instanceof GitError && e.message.includes(missing));
  });

  it('lists each file\'s properties in the order manifests have always had, counted or kept', async () => {
    const dir = makeRepo();
    const long = Array.from({ length: 20 }, (_, i) => `line ${i} of a file that will be renamed`).join('\n') + '\n';
    write(dir, 'old.txt', long);
    write(dir, 'gone.txt', 'bye\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    fs.renameSync(path.join(dir, 'old.txt'), path.join(dir, 'new.txt'));
    write(dir, 'new.txt', long + 'extra\n');
    fs.rmSync(path.join(dir, 'gone.txt'));
    write(dir, 'img.bin', Buffer.from([0, 1, 2, 0, 255]));
    git(dir, 'add', '-A');
    const counts = ['addedLines', 'aiLines', 'nonTrivialAiLines', 'addedCharacters', 'aiCharacters', 'ranges'];
    const expected = {
      'gone.txt': ['path', 'status', ...counts],
      'img.bin': ['path', 'status', 'sha256', ...counts, 'skipped'],
      'new.txt': ['path', 'oldPath', 'status', 'sha256', ...counts],
    };
    for (const rangesKey of [undefined, () => 'k', () => 'k']) {
      const change = await computeStagedChange({ root: dir, maxFileBytes: 1e6, trivial: DEFAULT_POLICY.trivial, rangesFor: () => [], rangesKey });
      assert.deepStrictEqual(Object.fromEntries(change.files.map((f) => [f.path, Object.keys(f)])), expected);
    }
  });

  it('reads the staged and base versions of every file with one cat-file process, whatever the number of files', async () => {
    const dir = makeRepo();
    for (let i = 0; i < 30; i++) write(dir, `src/f${i}.ts`, `base ${i}\nkeep\n`);
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    for (let i = 0; i < 30; i++) write(dir, `src/f${i}.ts`, `base ${i}\nkeep\nadded ${i}\n`);
    git(dir, 'add', '.');
    const { result, processes } = await countingProcesses(() => computeStagedChange({ root: dir, maxFileBytes: 1e6, trivial: DEFAULT_POLICY.trivial, rangesFor: () => [] }));
    assert.strictEqual(result.files.length, 30);
    assert.ok(result.files.every((f) => f.addedLines === 1 && f.addedCharacters === `added ${f.path.slice(5, -3)}`.length), JSON.stringify(result.files[0]));
    assert.deepStrictEqual(processes.filter((p) => p.startsWith('cat-file')), ['cat-file --batch-check=%(objectname) %(objectsize)', 'cat-file --batch']);
  });

  it('keeps a file\'s count while its blobs and ranges key are unchanged, and counts it again when either changes', async () => {
    const dir = makeRepo();
    write(dir, 'a.ts', 'header\nfooter\n');
    write(dir, 'b.ts', 'other\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    const ai = 'function alpha() {\n  return 1;\n}\n';
    let text = 'header\n' + ai + 'footer\n';
    write(dir, 'a.ts', text);
    write(dir, 'b.ts', 'other\nhuman();\n');
    git(dir, 'add', '.');
    let ranges: AiRange[] = [rangeOf(text, ai)];
    let key = 'v1';
    const asked: string[] = [];
    const options: StagedChangeOptions = {
      root: dir,
      maxFileBytes: 1e6,
      trivial: DEFAULT_POLICY.trivial,
      rangesFor: (f) => {
        asked.push(f.path);
        return f.path === 'a.ts' ? mapRanges(text, f.text, ranges) : [];
      },
      rangesKey: (p) => (p === 'a.ts' ? key : ''),
    };
    const summary = (c: Awaited<ReturnType<typeof computeStagedChange>>) => c.files.map((f) => [f.path, f.sha256, f.addedLines, f.aiLines, f.ranges.length]);

    const first = await computeStagedChange(options);
    assert.deepStrictEqual(asked.sort(), ['a.ts', 'b.ts']);
    assert.deepStrictEqual(summary(first), [['a.ts', sha256Hex(text), 3, 3, 1], ['b.ts', sha256Hex('other\nhuman();\n'), 1, 0, 0]]);

    // Same staged state, same keys: nothing read, nothing counted again, the same entries.
    asked.length = 0;
    const kept = await countingProcesses(() => computeStagedChange(options));
    assert.deepStrictEqual(asked, []);
    assert.ok(!kept.processes.some((p) => p.startsWith('cat-file')), kept.processes.join(', '));
    assert.deepStrictEqual(kept.result.files, first.files);
    assert.deepStrictEqual(kept.result.notes, first.notes);

    // The provenance changed (a new key): a.ts is counted again, b.ts is not.
    ranges = [];
    key = 'v2';
    asked.length = 0;
    const noAi = await computeStagedChange(options);
    assert.deepStrictEqual(asked, ['a.ts']);
    assert.deepStrictEqual(summary(noAi)[0], ['a.ts', sha256Hex(text), 3, 0, 0]);

    // Staged again with other content (a new blob), same key: counted again.
    ranges = [rangeOf(text, ai)];
    text = 'header\n' + ai + 'more();\nfooter\n';
    ranges = [rangeOf(text, ai)];
    write(dir, 'a.ts', text);
    git(dir, 'add', 'a.ts');
    asked.length = 0;
    const restaged = await computeStagedChange(options);
    assert.deepStrictEqual(asked, ['a.ts']);
    assert.deepStrictEqual(summary(restaged)[0], ['a.ts', sha256Hex(text), 4, 3, 1]);

    // Other rules (the size limit): counted again, and now skipped.
    asked.length = 0;
    const small = await computeStagedChange({ ...options, maxFileBytes: 20 });
    assert.deepStrictEqual(small.files.map((f) => f.skipped), ['too-large', undefined]);
    assert.deepStrictEqual(asked, ['b.ts']);

    // No key for the file (undefined), or no rangesKey at all: counted every time.
    asked.length = 0;
    await computeStagedChange({ ...options, rangesKey: () => undefined });
    await computeStagedChange({ ...options, rangesKey: undefined });
    assert.deepStrictEqual(asked.sort(), ['a.ts', 'a.ts', 'b.ts', 'b.ts']);
  });
});
