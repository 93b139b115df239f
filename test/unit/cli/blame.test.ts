import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { PersistedState, STATE_SCHEMA, STATE_VERSION, serializeState, sha256 } from '../../../src/core/persistence/schema';
import { SENIOR, TempRepo, commitPolicy, commitWithProvenance, lines } from './fixture';

async function blame(repo: TempRepo, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(repo.dir, env);
  const code = await runCli(['blame', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

interface JsonLine {
  line: number;
  commit: string | null;
  orig_line: number;
  orig_path: string;
  status: string;
  basis: string;
  kind: string | null;
  tool: string | null;
  model: string | null;
  conversation: string | null;
}

/** `[commit name, status, tool, orig line, orig path]` per line. */
function origins(out: string, names: Record<string, string>): string[] {
  const j = JSON.parse(out) as { lines: JsonLine[] };
  return j.lines.map((l) => [l.commit ? names[l.commit] ?? l.commit : 'worktree', l.status, l.status === 'ai' ? `${l.kind}/${l.tool}${l.model ? ':' + l.model : ''}` : '-', l.orig_line, l.orig_path].join(' '));
}

const indent = (text: string): string => text.replace(/^(?=.)/gm, '    ');

describe('cli blame', function () {
  this.timeout(60000);
  let repo: TempRepo;
  const names: Record<string, string> = {};
  // Final text of src/b.ts: two agent lines on top, then the ten lines of the AI commit with line 8
  // changed by a person, then an undeclared line; finally everything re-indented.
  const base = lines(10).split('\n');
  base.pop();
  before(() => {
    repo = TempRepo.create();
    names[commitPolicy(repo)] = 'policy';
    names[
      commitWithProvenance(repo, {
        subject: 'Add a.ts with chat code',
        files: { 'src/a.ts': base.join('\n') + '\n' },
        ai: { 'src/a.ts': [{ start: 3, end: 5, kind: 'chat', tool: 'github.copilot', model: 'gpt-4o' }] },
        extraTrailers: [`Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`],
      }).sha
    ] = 'A';
    const b = [...base];
    b[7] = 'line 8 by hand';
    repo.write('src/a.ts', b.join('\n') + '\n');
    repo.git(['add', 'src/a.ts']);
    names[repo.commit('Fix line 8\n\nAI-Assisted: no\n')] = 'B';
    repo.write('src/a.ts', [...b, 'undeclared line'].join('\n') + '\n');
    repo.git(['add', 'src/a.ts']);
    names[repo.commit('Undeclared change')] = 'C';
    repo.git(['mv', 'src/a.ts', 'src/b.ts']);
    names[repo.commit('Rename a.ts to b.ts\n\nAI-Assisted: no\n')] = 'D';
    const withAgent = ['agent line 1', 'agent line 2', ...b, 'undeclared line'].join('\n') + '\n';
    names[
      commitWithProvenance(repo, {
        subject: 'Agent adds a header',
        files: { 'src/b.ts': withAgent },
        ai: { 'src/b.ts': [{ start: 1, end: 2, kind: 'agent', tool: 'claude-code', model: null }] },
        location: 'notes',
      }).sha
    ] = 'E';
    repo.write('src/b.ts', indent(withAgent));
    repo.git(['add', 'src/b.ts']);
    names[repo.commit('Re-indent\n\nAI-Assisted: no\n')] = 'F';
  });
  after(() => repo.cleanup());

  const expectedWithW = [
    'E ai agent/claude-code 1 src/b.ts',
    'E ai agent/claude-code 2 src/b.ts',
    'A human - 1 src/a.ts',
    'A human - 2 src/a.ts',
    'A ai chat/github.copilot:gpt-4o 3 src/a.ts',
    'A ai chat/github.copilot:gpt-4o 4 src/a.ts',
    'A ai chat/github.copilot:gpt-4o 5 src/a.ts',
    'A human - 6 src/a.ts',
    'A human - 7 src/a.ts',
    'B human - 8 src/a.ts',
    'A human - 9 src/a.ts',
    'A human - 10 src/a.ts',
    'C unknown - 11 src/a.ts',
  ];

  it('gives each line its commit and that commit\'s record, through a rename, with -w past a re-indent', async () => {
    const r = await blame(repo, ['src/b.ts', 'HEAD', '-w', '--json']);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(origins(r.out, names), expectedWithW);
    const j = JSON.parse(r.out);
    assert.deepStrictEqual(j.summary, { lines: 13, ai: 5, human: 7, unknown: 1 });
    const a = Object.entries(j.commits).find(([sha]) => names[sha] === 'A')![1] as Record<string, unknown>;
    assert.deepStrictEqual([a.review_required, a.reviewed_by, a.flagged], ['senior', [`${SENIOR.name} <${SENIOR.email}>`], true]);
    const c = Object.entries(j.commits).find(([sha]) => names[sha] === 'C')![1] as Record<string, unknown>;
    assert.deepStrictEqual([c.ai_assisted, c.manifest], [null, null]);
  });

  it('without -w gives every re-indented line to the reformatting commit (human, declared)', async () => {
    const r = await blame(repo, ['src/b.ts', '--json']);
    assert.strictEqual(r.code, 0, r.err);
    const got = origins(r.out, names);
    assert.strictEqual(got.length, 13);
    for (const [i, g] of got.entries()) assert.strictEqual(g, `F human - ${i + 1} src/b.ts`);
    assert.ok(JSON.parse(r.out).lines.every((l: JsonLine) => l.basis === 'declared-no-ai'));
  });

  it('honours --ignore-rev and --ignore-revs-file as git does', async () => {
    const f = repo.head();
    const r = await blame(repo, ['src/b.ts', '--ignore-rev', f, '--json']);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(origins(r.out, names), expectedWithW);
    const list = path.join(repo.dir, 'ignore-revs');
    fs.writeFileSync(list, `${f}\n`);
    const r2 = await blame(repo, ['src/b.ts', 'HEAD', `--ignore-revs-file=${list}`, '--json']);
    assert.strictEqual(r2.code, 0, r2.err);
    assert.deepStrictEqual(origins(r2.out, names), expectedWithW);
  });

  it('blames an older revision at its own line numbers', async () => {
    const c = Object.keys(names).find((s) => names[s] === 'C')!;
    const r = await blame(repo, ['src/a.ts', c, '--json']);
    assert.strictEqual(r.code, 0, r.err);
    assert.deepStrictEqual(origins(r.out, names), expectedWithW.slice(2));
  });

  it('prints a table and git-shaped porcelain', async () => {
    const t = await blame(repo, ['src/b.ts', '-w']);
    assert.strictEqual(t.code, 0, t.err);
    const rows = t.out.split('\n');
    assert.match(rows[0], /^src\/b\.ts: 38% AI \(5 AI, 7 human, 1 unknown of 13 lines\)$/);
    assert.match(rows[5], /^[0-9a-f]{8} AI +chat +github\.copilot:gpt-4o +senior by Sam Senior +2026-11-\d\d +5\)     line 3$/);
    assert.match(rows[13], /^[0-9a-f]{8} unknown .* 13\)     undeclared line$/);
    const p = await blame(repo, ['src/b.ts', '-w', '--porcelain']);
    assert.strictEqual(p.code, 0, p.err);
    const a = Object.keys(names).find((s) => names[s] === 'A')!;
    const pl = p.out.split('\n');
    // A's original lines 1-7 are one group (final lines 3-9).
    const at = pl.indexOf(`${a} 1 3 7`);
    assert.ok(at >= 0, p.out);
    assert.ok(pl.slice(at).includes('ai-review-required senior'));
    assert.ok(pl.slice(at).includes('filename src/a.ts'));
    const line5 = pl.indexOf(`${a} 3 5`);
    assert.deepStrictEqual(pl.slice(line5, line5 + 6), [`${a} 3 5`, 'ai ai', 'ai-basis manifest', 'ai-kind chat', 'ai-tool github.copilot', 'ai-model gpt-4o']);
    // git's own porcelain has the same headers in the same order.
    const own = repo.git(['blame', '--porcelain', '-w', '--', 'src/b.ts']).split('\n').filter((l) => /^[0-9a-f]{40} \d+ \d+/.test(l));
    assert.deepStrictEqual(pl.filter((l) => /^[0-9a-f]{40} \d+ \d+/.test(l)), own);
  });

  it('takes uncommitted lines from the live provenance state of the work tree', async () => {
    const committed = repo.read('src/b.ts');
    const text = committed + 'const ai = complete();\nconst mine = 1;\n';
    repo.write('src/b.ts', text);
    const offset = committed.length;
    const run = 'const ai = complete();';
    const stateDir = path.join(repo.dir, '.git', 'ai-provenance');
    fs.mkdirSync(stateDir, { recursive: true });
    const state: PersistedState = {
      schema: STATE_SCHEMA,
      version: STATE_VERSION,
      writtenAt: 1,
      origins: [{ kind: 'inline', tool: 'github.copilot', model: 'gpt-4o', requestId: 'req-7', timestamp: 1764000000000 }],
      files: { 'src/b.ts': { sha256: sha256(text), length: text.length, updatedAt: 1, runs: [{ offset, length: run.length, origin: 1, text: run }] } },
    };
    fs.writeFileSync(path.join(stateDir, 'state.json'), serializeState(state));
    try {
      const r = await blame(repo, ['src/b.ts', '-w', '--json']);
      assert.strictEqual(r.code, 0, r.err);
      const got = origins(r.out, names);
      assert.deepStrictEqual(got.slice(0, 13), expectedWithW);
      assert.deepStrictEqual(got.slice(13), ['worktree ai inline/github.copilot:gpt-4o 14 src/b.ts', 'worktree human - 15 src/b.ts']);
      assert.strictEqual(JSON.parse(r.out).lines[13].conversation, 'req-7');
      // The text changed since the state was written: the AI line is found again, the rest is unknown.
      repo.write('src/b.ts', text + 'typed later\n');
      const r2 = await blame(repo, ['src/b.ts', '-w', '--json']);
      assert.deepStrictEqual(origins(r2.out, names).slice(13), ['worktree ai inline/github.copilot:gpt-4o 14 src/b.ts', 'worktree unknown - 15 src/b.ts', 'worktree unknown - 16 src/b.ts']);
      // No state at all: uncommitted lines are unknown, never human.
      fs.rmSync(stateDir, { recursive: true, force: true });
      const r3 = await blame(repo, ['src/b.ts', '-w', '--json']);
      assert.deepStrictEqual(origins(r3.out, names).slice(13), ['worktree unknown - 14 src/b.ts', 'worktree unknown - 15 src/b.ts', 'worktree unknown - 16 src/b.ts']);
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
      repo.write('src/b.ts', committed);
    }
  });

  it('reads the records of all commits with a fixed number of git processes', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-gitlog-'));
    const log = path.join(bin, 'calls');
    const wrapper = path.join(bin, 'git');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    fs.writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    // Every git the command starts goes through the wrapper: the one it is told to use and any found on PATH.
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${oldPath}`;
    try {
      const r = await blame(repo, ['src/b.ts', '-w', '--json'], { ...process.env, AI_PROVENANCE_GIT: wrapper });
      assert.strictEqual(r.code, 0, r.err);
      const calls = fs.readFileSync(log, 'utf8').trim().split('\n');
      const words = calls.map((c) => c.split(' '));
      assert.strictEqual(words.filter((w) => w.includes('blame')).length, 1, calls.join('; '));
      assert.ok(!words.some((w) => w.includes('interpret-trailers')), calls.join('; '));
      assert.ok(calls.length <= 9, `${calls.length} git processes: ${calls.join('; ')}`);
    } finally {
      process.env.PATH = oldPath;
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('reports bad input in one line', async () => {
    const r = await blame(repo, ['nope.ts']);
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /no such file in the work tree: nope\.ts/);
    const r2 = await blame(repo, ['src/b.ts', 'no-such-rev']);
    assert.strictEqual(r2.code, 2);
    assert.match(r2.err, /^ai-provenance blame: git blame failed: .*\n$/);
  });
});
