import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AiRange, mapRanges } from '../../../src/core/contribution/mapRanges';
import { computeTotals, rangeText, sha256Hex } from '../../../src/core/manifest/schema';
import { DEFAULT_POLICY } from '../../../src/core/policy/policy';
import { Origin } from '../../../src/core/provenance/origin';
import { GitError, findRepoRoot, gitPath, resolveCommit, runGit, runProgram } from '../../../src/git/git';
import { blobPair, stagedEntries, stagedPatch } from '../../../src/git/stagedDiff';
import { indexBlob, readBlobs } from '../../../src/git/blobs';
import { StagedChangeOptions, clearStagedCountCache, computeStagedChange } from '../../../src/governance/stagedContribution';

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

/** A repository whose first commit ('init') holds `files`. */
function committedRepo(files: Record<string, string | Buffer>): string {
  const dir = makeRepo();
  for (const [file, text] of Object.entries(files)) write(dir, file, text);
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  return dir;
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
    const diffs = await stagedPatch(dir, head, entries, entries.length, { maxFileBytes: 1e6 });
    assert.strictEqual(diffs.get(blobPair(by.get('img.bin')!))?.binary, true);
    assert.deepStrictEqual(diffs.get(blobPair(by.get('keep.txt')!)), { binary: false, added: [{ start: 1, count: 1 }] });
    assert.deepStrictEqual(diffs.get(blobPair(by.get('new/näme.txt')!)), { binary: false, added: [{ start: 20, count: 1 }] });
    assert.strictEqual(by.get('keep.txt')?.newBlob, await indexBlob(dir, 'keep.txt'));
  });

  it('counts a partially staged file from working-copy provenance mapped onto the index', async () => {
    const dir = committedRepo({ 'a.ts': 'header\nfooter\n' });
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
    const dir = committedRepo({ 'ai.txt': 'all of this was AI\n' });
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

/** Runs `fn` and returns the git processes it started (execFile and spawn calls) and what each was given on stdin. */
async function countingProcesses<T>(fn: () => Promise<T>): Promise<{ result: T; processes: string[]; inputs: Map<string, string> }> {
  type Child = { stdin?: { end: (input?: unknown) => void } };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cp = require('child_process') as { execFile: (...args: unknown[]) => Child; spawn: (...args: unknown[]) => Child };
  const originals = { execFile: cp.execFile, spawn: cp.spawn };
  const processes: string[] = [];
  const inputs = new Map<string, string>();
  const wrap = (original: (...args: unknown[]) => Child) =>
    function (this: unknown, ...args: unknown[]) {
      const name = ((args[1] as string[]) ?? []).filter((a) => a !== '-c' && !/^core\.\w+=/.test(a)).slice(0, 2).join(' ');
      processes.push(name);
      const child = original.apply(this, args);
      const stdin = child.stdin;
      if (stdin) {
        const end = stdin.end.bind(stdin);
        stdin.end = (input?: unknown) => {
          if (input !== undefined) inputs.set(name, (inputs.get(name) ?? '') + String(input));
          end(input);
        };
      }
      return child;
    };
  cp.execFile = wrap(originals.execFile);
  cp.spawn = wrap(originals.spawn);
  try {
    return { result: await fn(), processes, inputs };
  } finally {
    cp.execFile = originals.execFile;
    cp.spawn = originals.spawn;
  }
}

describe('git adapter: added lines come from git\'s diff', () => {
  beforeEach(() => clearStagedCountCache());

  /** A deterministic editing of `base`: lines replaced, deleted and inserted, some of them duplicates. */
  function edited(base: string[], seed: number): string[] {
    let s = seed;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 16) % n;
    };
    const out = [...base];
    for (let k = 0; k < 8; k++) {
      const at = rnd(out.length + 1);
      const op = rnd(3);
      if (op === 0 && at < out.length) out[at] = `changed ${seed}.${k}`;
      else if (op === 1 && at < out.length) out.splice(at, 1 + rnd(3));
      else out.splice(at, 0, ...['}', '', `inserted ${seed}.${k}`, '}'].slice(rnd(3)));
    }
    return out;
  }
  const vocabulary = ['{', '}', '', 'return x;', 'if (x) {', 'call();'];
  const baseLines = (seed: number): string[] => Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? `line ${seed}.${i}` : vocabulary[(i * 7 + seed) % vocabulary.length]));

  it('each file\'s added lines are what `git diff --numstat` counts, whatever the user\'s diff settings', async () => {
    const dir = makeRepo();
    const eol = (f: number): string => (f === 3 ? '\r\n' : '\n');
    // Two AI lines inserted where the diff can slide: with the indent heuristic (git's default)
    // git shows the line before them and the first of them as added, one AI line; without it,
    // the two inserted lines.
    const sliderBase = ['if (a) {', '', 'return;', '', '  y();', 'return;', '  y();', 'return;', 'return;', 'if (a) {', '{', '  y();'];
    const slider = [...sliderBase.slice(0, 5), '}', '  y();', ...sliderBase.slice(5)];
    const sliderAi = '}\n  y();\n';
    const sliderAt = slider.slice(0, 5).join('\n').length + 1;
    for (let f = 0; f < 12; f++) write(dir, `src/f${f}.txt`, baseLines(f).join(eol(f)) + (f === 5 ? '' : eol(f)));
    write(dir, 'src/slider.txt', sliderBase.join('\n') + '\n');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    for (let f = 0; f < 12; f++) write(dir, `src/f${f}.txt`, edited(baseLines(f), f + 1).join(eol(f)) + (f === 6 ? '' : eol(f)));
    // A rename with an edit, and an added file.
    fs.renameSync(path.join(dir, 'src/f7.txt'), path.join(dir, 'src/moved.txt'));
    fs.appendFileSync(path.join(dir, 'src/moved.txt'), 'one more\n');
    write(dir, 'src/new.txt', 'a\nb\n');
    write(dir, 'src/slider.txt', slider.join('\n') + '\n');
    // An AI block inserted at the top of f0.
    const ai = 'function generated() {\n  return 42;\n} // generated\n';
    write(dir, 'src/f0.txt', ai + fs.readFileSync(path.join(dir, 'src/f0.txt'), 'utf8'));
    git(dir, 'add', '-A');
    const options: StagedChangeOptions = {
      root: dir,
      maxFileBytes: 1e6,
      trivial: DEFAULT_POLICY.trivial,
      rangesFor: (f) =>
        f.path === 'src/f0.txt' ? [rangeOf(f.text, ai)] : f.path === 'src/slider.txt' ? [{ start: sliderAt, end: sliderAt + sliderAi.length, origin: agent, text: sliderAi }] : [],
    };
    const plain = await computeStagedChange(options);
    const sliderFile = plain.files.find((f) => f.path === 'src/slider.txt')!;
    assert.deepStrictEqual([sliderFile.addedLines, sliderFile.aiLines, sliderFile.ranges[0]?.startLine], [2, 1, 6]);

    const numstat = new Map(
      git(dir, 'diff', '--cached', '--numstat', '-M', 'HEAD')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t'))
        .map(([added, , p]) => [p.replace(/^src\/\{?f7\.txt => moved\.txt\}?$|^src\/\{f7\.txt => moved\.txt\}$/, 'src/moved.txt'), Number(added)]),
    );
    assert.strictEqual(plain.files.length, 14);
    for (const f of plain.files) assert.strictEqual(f.addedLines, numstat.get(f.path), `${f.path}: ${f.addedLines} added, git says ${numstat.get(f.path)}`);
    assert.ok(plain.files.filter((f) => f.addedLines > 0).length >= 10);
    const f0 = plain.files.find((f) => f.path === 'src/f0.txt')!;
    assert.deepStrictEqual([f0.aiLines, f0.ranges[0].startLine, f0.ranges[0].endLine], [3, 1, 3]);

    // Settings that change git's patch or the lines it calls added must not change the counts.
    for (const [k, v] of [
      ['diff.algorithm', 'histogram'],
      ['diff.indentHeuristic', 'false'],
      ['diff.context', '4'],
      ['diff.interHunkContext', '9'],
      ['diff.noprefix', 'true'],
      ['diff.mnemonicPrefix', 'true'],
      ['diff.suppressBlankEmpty', 'true'],
      ['color.ui', 'always'],
      ['color.diff', 'always'],
      ['diff.external', 'false'],
      ['core.bigFileThreshold', '10'],
    ]) {
      git(dir, 'config', k, v);
    }
    clearStagedCountCache();
    const configured = await computeStagedChange({ ...options, env: { GIT_DIFF_OPTS: '--unified=3' } });
    assert.deepStrictEqual(configured.files, plain.files);
    assert.deepStrictEqual(configured.notes, plain.notes);
  });

  it('diffs only the files still to count (renames with their old path), with the same result as diffing everything', async () => {
    const dir = makeRepo();
    const body = (i: number): string => Array.from({ length: 30 }, (_, k) => `file ${i} line ${k}`).join('\n') + '\n';
    for (let i = 0; i < 10; i++) write(dir, `f${i}.txt`, body(i));
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    for (let i = 0; i < 10; i++) write(dir, `f${i}.txt`, body(i) + `added ${i}\n`);
    git(dir, 'add', '.');
    const options: StagedChangeOptions = { root: dir, maxFileBytes: 1e6, trivial: DEFAULT_POLICY.trivial, rangesFor: () => [], rangesKey: () => 'same' };
    await computeStagedChange(options);
    // One file edited again, one renamed and edited: only those two are diffed and counted.
    write(dir, 'f1.txt', body(1) + 'added 1\nand more\n');
    fs.renameSync(path.join(dir, 'f2.txt'), path.join(dir, 'renamed.txt'));
    fs.appendFileSync(path.join(dir, 'renamed.txt'), 'after the rename\n');
    git(dir, 'add', '-A');
    const { result, inputs, processes } = await countingProcesses(() => computeStagedChange(options));
    assert.deepStrictEqual(inputs.get('cat-file --batch')?.trim().split('\n').length, 2);
    assert.ok(processes.includes('diff --cached'), processes.join(', '));
    clearStagedCountCache();
    const everything = await computeStagedChange(options);
    assert.deepStrictEqual(result.files, everything.files);
    const renamed = result.files.find((f) => f.path === 'renamed.txt')!;
    assert.deepStrictEqual([renamed.status, renamed.oldPath, renamed.addedLines], ['renamed', 'f2.txt', 2]);
    assert.strictEqual(result.files.find((f) => f.path === 'f1.txt')?.addedLines, 2);
  });

  it('a file whose previous version is over the size limit is skipped as too large, not as binary', async () => {
    const dir = committedRepo({ 'shrunk.txt': 'x\n'.repeat(600), 'img.bin': Buffer.from([0, 1, 2, 0]) });
    write(dir, 'shrunk.txt', 'x\n'.repeat(10));
    write(dir, 'img.bin', Buffer.from([0, 1, 2, 0, 3]));
    git(dir, 'add', '.');
    const change = await computeStagedChange({ root: dir, maxFileBytes: 1000, trivial: DEFAULT_POLICY.trivial, rangesFor: () => [] });
    const by = new Map(change.files.map((f) => [f.path, f]));
    assert.strictEqual(by.get('img.bin')?.skipped, 'binary');
    assert.strictEqual(by.get('shrunk.txt')?.skipped, 'too-large');
    assert.ok(change.notes.some((n) => n.startsWith('shrunk.txt: its previous version, 0.0 MB')), change.notes.join('\n'));
  });

  it('a symbolic link that became a file: every line of the file is added', async function () {
    if (process.platform === 'win32') this.skip();
    const dir = makeRepo();
    fs.symlinkSync('target', path.join(dir, 'entry'));
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    fs.rmSync(path.join(dir, 'entry'));
    write(dir, 'entry', 'one\ntwo\n');
    git(dir, 'add', '.');
    const change = await computeStagedChange({ root: dir, maxFileBytes: 1e6, trivial: DEFAULT_POLICY.trivial, rangesFor: () => [] });
    assert.deepStrictEqual(change.files.map((f) => [f.path, f.status, f.addedLines, f.skipped]), [['entry', 'modified', 2, undefined]]);
    assert.deepStrictEqual(change.notes, []);
  });
});

describe('git adapter: batched blob reads and counts kept between summaries', () => {
  beforeEach(() => clearStagedCountCache());

  it('reads many blobs with one git process, byte for byte, and rejects an id that is no blob', async () => {
    const dir = makeRepo();
    // Includes blobs larger than a pipe's pieces, one of them with its header split across pieces.
    const large = Buffer.alloc(3 * 1024 * 1024 + 17, 'abc\n');
    const contents = [Buffer.from('one\ntwo\n'), Buffer.alloc(0), Buffer.from([0, 10, 255, 10]), Buffer.from('no newline at end'), Buffer.from('x\n'.repeat(5000)), large, Buffer.alloc(65536 - 60, 'y'), large.subarray(5)];
    const ids = contents.map((c, i) => {
      write(dir, `f${i}`, c);
      return git(dir, 'hash-object', '-w', `f${i}`).trim();
    });
    const { result, processes } = await countingProcesses(() => readBlobs(dir, [...ids, ids[0]]));
    assert.deepStrictEqual(processes, ['cat-file --batch']);
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

  it('reads the staged version of every file with one cat-file process, whatever the number of files, and never the base version', async () => {
    const dir = makeRepo();
    for (let i = 0; i < 30; i++) write(dir, `src/f${i}.ts`, `base ${i}\nkeep\n`);
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'init');
    for (let i = 0; i < 30; i++) write(dir, `src/f${i}.ts`, `base ${i}\nkeep\nadded ${i}\n`);
    git(dir, 'add', '.');
    const { result, processes, inputs } = await countingProcesses(() => computeStagedChange({ root: dir, maxFileBytes: 1e6, trivial: DEFAULT_POLICY.trivial, rangesFor: () => [] }));
    assert.strictEqual(result.files.length, 30);
    const staged = git(dir, 'ls-files', '-s').split('\n').filter(Boolean).map((l) => l.split(' ')[1]);
    assert.deepStrictEqual(inputs.get('cat-file --batch')?.trim().split('\n').sort(), staged.sort());
    assert.ok(result.files.every((f) => f.addedLines === 1 && f.addedCharacters === `added ${f.path.slice(5, -3)}`.length), JSON.stringify(result.files[0]));
    assert.deepStrictEqual(processes.filter((p) => p.startsWith('cat-file')), ['cat-file --batch']);
  });

  it('gives the very same summary for the same staged state, rules and ranges keys, and a new one when any changes', async () => {
    const dir = committedRepo({ 'a.ts': 'one\n', 'b.ts': 'two\n' });
    write(dir, 'a.ts', 'one\nAI wrote this line\n');
    write(dir, 'b.ts', 'two\nhuman\n');
    git(dir, 'add', '.');
    let key: string | undefined = 'v1';
    const options: StagedChangeOptions = {
      root: dir,
      maxFileBytes: 1e6,
      trivial: DEFAULT_POLICY.trivial,
      rangesFor: (f) => (f.path === 'a.ts' ? [rangeOf(f.text, 'AI wrote this line')] : []),
      rangesKey: (p) => (p === 'a.ts' ? key : ''),
    };
    const first = await computeStagedChange(options);
    assert.ok(Object.isFrozen(first.files) && Object.isFrozen(first.notes));
    const again = await countingProcesses(() => computeStagedChange(options));
    assert.strictEqual(again.result, first);
    // Only what tells the staged state: the base commit and the list of staged entries.
    assert.deepStrictEqual(again.processes, ['rev-parse --verify', 'diff --cached']);
    key = 'v2';
    const rekeyed = await computeStagedChange(options);
    assert.notStrictEqual(rekeyed, first);
    assert.deepStrictEqual(rekeyed.files, first.files);
    assert.strictEqual(await computeStagedChange(options), rekeyed);
    assert.notStrictEqual(await computeStagedChange({ ...options, maxFileBytes: 2e6 }), rekeyed);
    // A file without a key is counted every time, so the summary is never reused.
    key = undefined;
    const unkeyed = await computeStagedChange(options);
    assert.notStrictEqual(await computeStagedChange(options), unkeyed);
    key = 'v2';
    write(dir, 'b.ts', 'two\nhuman\nmore\n');
    git(dir, 'add', '.');
    const restaged = await computeStagedChange(options);
    assert.notStrictEqual(restaged, rekeyed);
    assert.deepStrictEqual(restaged.files.map((f) => [f.path, f.addedLines, f.aiLines]), [['a.ts', 1, 1], ['b.ts', 2, 0]]);
    // Totals of a reused list are summed once; a list that is not frozen is summed every time.
    assert.strictEqual(computeTotals(restaged.files), computeTotals(restaged.files));
    assert.notStrictEqual(computeTotals([...restaged.files]), computeTotals([...restaged.files]));
    assert.deepStrictEqual(computeTotals([...restaged.files]), computeTotals(restaged.files));
  });

  it('keeps a file\'s count while its blobs and ranges key are unchanged, and counts it again when either changes', async () => {
    const dir = committedRepo({ 'a.ts': 'header\nfooter\n', 'b.ts': 'other\n' });
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

describe('git runner: another program (the editor blame starts the command line)', () => {
  const env = { ...process.env };
  it('gives its stdin to it and returns its exit code, stdout and stderr', async () => {
    const script = "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{process.stdout.write(s.toUpperCase());process.stderr.write('note');process.exit(3);})";
    const r = await runProgram(process.execPath, ['-e', script], { cwd: os.tmpdir(), env, input: 'abc', timeoutMs: 20_000 });
    assert.deepStrictEqual([r.code, r.stdout.toString('utf8'), r.stderr], [3, 'ABC', 'note']);
  });

  it('stops a program that takes too long (no exit code), and rejects one that cannot start', async () => {
    const r = await runProgram(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { cwd: os.tmpdir(), env, input: '', timeoutMs: 200 });
    assert.strictEqual(r.code, null);
    await assert.rejects(runProgram(path.join(os.tmpdir(), 'no-such-program-here'), [], { cwd: os.tmpdir(), env, input: '', timeoutMs: 1000 }), /ENOENT/);
  });
});
