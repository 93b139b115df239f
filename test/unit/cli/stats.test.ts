import * as assert from 'assert';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { periodKey } from '../../../src/governance/stats';
import { SENIOR, TempRepo, commitPolicy, commitWithProvenance, lines } from './fixture';

const BOB = { name: 'Bob Builder', email: 'bob@example.com' };

async function stats(repo: TempRepo, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(repo.dir);
  const code = await runCli(['stats', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('cli stats', function () {
  this.timeout(30000);
  let repo: TempRepo;
  let policyLines: number;
  beforeEach(() => {
    repo = TempRepo.create();
    commitPolicy(repo); // declared AI-Assisted: no -> human
    policyLines = repo.read('.ai-provenance.json').split('\n').length - 1;
    commitWithProvenance(repo, {
      subject: 'Add parser',
      files: { 'src/parser.ts': lines(10), 'README.md': 'hello\n' },
      ai: { 'src/parser.ts': [{ start: 2, end: 5, kind: 'chat' }, { start: 8, end: 8, kind: 'inline', trivial: true }] },
      extraTrailers: [`Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`],
    });
    commitWithProvenance(repo, {
      subject: 'Tweak parser',
      files: { 'src/parser.ts': lines(12) },
      ai: { 'src/parser.ts': [{ start: 12, end: 12, kind: 'agent', tool: 'claude-code', model: null }] },
      location: 'notes',
      author: BOB,
    });
    repo.write('notes.txt', lines(3));
    repo.git(['add', 'notes.txt']);
    repo.commit('Undeclared commit');
    // A merge commit (not counted).
    repo.git(['checkout', '-q', '-b', 'side', 'HEAD~1']);
    repo.write('side.txt', lines(2));
    repo.git(['add', 'side.txt']);
    repo.commit('Side work\n\nAI-Assisted: no\n');
    repo.git(['checkout', '-q', 'main']);
    repo.git(['merge', '-q', '--no-ff', '-m', 'Merge side', 'side'], undefined, { GIT_AUTHOR_DATE: '2026-11-20T12:00:00Z', GIT_COMMITTER_DATE: '2026-11-20T12:00:00Z' });
  });
  afterEach(() => repo.cleanup());

  it('totals human, AI and unknown additions with a tool/model breakdown like git ai stats --json', async () => {
    const r = await stats(repo, 'HEAD', '--json');
    assert.strictEqual(r.code, 0, r.err);
    const s = JSON.parse(r.out);
    // human: policy file + parser commit (11 added - 5 AI) + tweak (2 - 1) + side (2)
    assert.strictEqual(s.human_additions, policyLines + 6 + 1 + 2);
    assert.strictEqual(s.ai_additions, 6);
    assert.strictEqual(s.unknown_additions, 3);
    assert.strictEqual(s.total_additions, s.human_additions + s.ai_additions + s.unknown_additions);
    assert.deepStrictEqual(s.tool_model_breakdown, { 'github.copilot::gpt-4o': { ai_additions: 5, ai_accepted: 5 }, 'claude-code': { ai_additions: 1, ai_accepted: 1 } });
    // Today's git-ai field names: ai_accepted (equal to ai_additions, as in git-ai) and git's own
    // added/deleted line counts (manifest files left out); the fields git-ai dropped are gone.
    assert.strictEqual(s.ai_accepted, 6);
    assert.strictEqual(s.git_diff_added_lines, s.total_additions);
    for (const gone of ['mixed_additions', 'total_ai_additions', 'total_ai_deletions', 'time_waiting_for_ai']) assert.ok(!(gone in s), gone);
    assert.deepStrictEqual(s.kind_breakdown, { chat: 4, agent: 1, inline: 1 });
    assert.strictEqual(s.merges_skipped, 1);
    assert.strictEqual(s.commits_counted, 5);
    const bySubject = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    assert.deepStrictEqual(
      s.commits.map((c: { subject: string; basis: string; ai_additions: number }) => [c.subject, c.basis, c.ai_additions]).sort(bySubject),
      [
        ['Add provenance policy', 'declared-no-ai', 0],
        ['Add parser', 'manifest', 5],
        ['Tweak parser', 'manifest', 1],
        ['Side work', 'declared-no-ai', 0],
        ['Undeclared commit', 'undeclared', 0],
        ['Merge side', 'merge', 0],
      ].sort(bySubject),
    );
    const bob = s.authors.find((a: { key: string }) => a.key === `${BOB.name} <${BOB.email}>`);
    assert.deepStrictEqual([bob.commits, bob.ai_additions, bob.human_additions, bob.ai_share], [1, 1, 1, 0.5]);
    const parser = s.files.find((f: { key: string }) => f.key === 'src/parser.ts');
    assert.deepStrictEqual([parser.commits, parser.total_additions, parser.ai_additions], [2, 12, 6]);
    assert.ok(!s.files.some((f: { key: string }) => f.key.startsWith('.ai-provenance/')), 'manifest files are not counted');
    // One commit a day from 2026-11-02; the side commit is the fifth.
    assert.deepStrictEqual(
      s.periods.map((p: { key: string; total_additions: number }) => p.key),
      ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06'],
    );
  });

  it('groups by ISO week and prints readable tables', async () => {
    const r = await stats(repo, 'HEAD', '--json', '--by', 'week');
    const s = JSON.parse(r.out);
    assert.deepStrictEqual(s.periods.map((p: { key: string; commits: number }) => [p.key, p.commits]), [['2026-W45', 5]]);
    const t = await stats(repo, 'HEAD~1..HEAD');
    assert.strictEqual(t.code, 0);
    assert.match(t.out, /^AI share of added lines in HEAD~1\.\.HEAD: /);
    const all = await stats(repo, 'HEAD');
    const human = policyLines + 9;
    assert.ok(all.out.startsWith(`AI share of added lines in HEAD: ${Math.round((600 / (6 + human)))}% (6 AI, ${human} human, 3 unknown of ${human + 9} added; 5 commit(s), 1 merge(s) not counted)\n`), all.out);
    assert.match(all.out, /By commit\n.*\n.*\n[0-9a-f]{12}  2026-11-02  Ada Author   declared-no-ai +\d+ +0 +0%  Add provenance policy\n/);
    assert.match(all.out, /By tool\/model\nTOOL::MODEL +AI LINES +OF AI\n[- ]+\ngithub\.copilot::gpt-4o +5 +83%\nclaude-code +1 +17%/);
  });

  it('limits commits by date with --since / --until', async () => {
    const s = JSON.parse((await stats(repo, 'HEAD', '--json', '--since', '2026-11-03T00:00:00Z', '--until', '2026-11-04T23:00:00Z')).out);
    assert.deepStrictEqual(s.commits.map((c: { subject: string }) => c.subject), ['Add parser', 'Tweak parser']);
    assert.strictEqual(s.ai_additions, 6);
  });

  it('computes ISO weeks across a year boundary', () => {
    assert.strictEqual(periodKey('2027-01-01T10:00:00Z', 'week'), '2026-W53');
    assert.strictEqual(periodKey('2026-12-28T10:00:00Z', 'week'), '2026-W53');
    assert.strictEqual(periodKey('2025-12-29T00:00:00Z', 'week'), '2026-W01');
    assert.strictEqual(periodKey('2026-11-24T23:30:00-02:00', 'day'), '2026-11-25');
  });

  it('counts a commit with an invalid manifest as unknown, without the manifest file', async () => {
    commitWithProvenance(repo, {
      subject: 'Broken manifest',
      files: { 'b.ts': lines(4) },
      ai: { 'b.ts': [{ start: 1, end: 4 }] },
      mutate: (m) => ({ ...m, totals: { ...m.totals, aiLines: 1 } }),
    });
    const s = JSON.parse((await stats(repo, 'HEAD^..HEAD', '--json')).out);
    assert.deepStrictEqual(
      [s.commits[0].basis, s.ai_additions, s.human_additions, s.unknown_additions, s.files.map((f: { key: string }) => f.key)],
      ['invalid-manifest', 0, 0, 4, ['b.ts']],
    );
  });

  it('reports git\'s added and deleted line counts per commit, file and in total', async () => {
    repo.write('src/parser.ts', lines(11).replace('line 3\n', 'line three\n'));
    repo.git(['rm', '-q', 'notes.txt']);
    repo.git(['add', 'src/parser.ts']);
    repo.commit('Edit and delete\n\nAI-Assisted: no\n');
    const s = JSON.parse((await stats(repo, 'HEAD~2..HEAD', '--json')).out);
    const bySubject = new Map(s.commits.map((c: { subject: string }) => [c.subject, c]));
    const edit = bySubject.get('Edit and delete') as Record<string, number>;
    // parser.ts: line 3 rewritten, line 12 removed; notes.txt: 3 lines removed.
    assert.deepStrictEqual([edit.git_diff_added_lines, edit.git_diff_deleted_lines, edit.human_additions, edit.ai_accepted], [1, 5, 1, 0]);
    const merge = bySubject.get('Merge side') as Record<string, number>;
    assert.deepStrictEqual([merge.git_diff_added_lines, merge.git_diff_deleted_lines], [0, 0]);
    assert.deepStrictEqual([s.git_diff_added_lines, s.git_diff_deleted_lines], [1 + 2, 5]);
    const notes = s.files.find((f: { key: string }) => f.key === 'notes.txt');
    assert.deepStrictEqual([notes.total_additions, notes.git_diff_deleted_lines], [0, 3]);
  });

  it('exits 2 on a bad range or option', async () => {
    assert.strictEqual((await stats(repo, 'HEAD', '--by', 'month')).code, 2);
    assert.strictEqual((await stats(repo, 'HEAD', '--top', '0')).code, 2);
    const r = await stats(repo, 'nosuchref');
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /bad revision range 'nosuchref'/);
  });
});
