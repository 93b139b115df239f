import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../../../src/cli/main';
import { memoryIo } from '../../../../src/cli/io';
import { BlameJson } from '../../../../src/core/blame/editorBlame';
import { HISTORY_MAX_COMMITS, buildHistorySection } from '../../../../src/core/presentation/historySection';
import { SENIOR, TempRepo, commitPolicy, commitWithProvenance, lines } from '../../cli/fixture';

/**
 * The report's History section: AI share of the current file's committed lines by commit and by
 * tool, and the flagged commits that still have lines in it. Over a real repository (the blame is
 * the command line's), and over hand-made blame output for the edges.
 */
async function blameJson(repo: TempRepo, file: string, text: string): Promise<BlameJson> {
  const io = memoryIo(repo.dir, process.env);
  // The editor's text, as the report passes it (there on standard input).
  const contents = path.join(repo.dir, '.git', 'editor-text');
  fs.writeFileSync(contents, text);
  const code = await runCli(['blame', file, '--json', '--contents', contents], io);
  assert.strictEqual(code, 0, io.stderr);
  return JSON.parse(io.stdout) as BlameJson;
}

describe('report History section', function () {
  this.timeout(60000);

  it('over a real repository: by commit, by tool, and the flagged commits still in the file with their review', async () => {
    const repo = TempRepo.create();
    try {
      commitPolicy(repo);
      // Flagged (4 agent lines, the policy flags at 3), reviewed by Sam.
      const a = commitWithProvenance(repo, {
        subject: 'Agent writes the parser',
        files: { 'p.ts': lines(6, 'parse') },
        ai: { 'p.ts': [{ start: 1, end: 4, kind: 'agent', tool: 'claude-code', model: 'opus' }] },
        extraTrailers: [`Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`],
      });
      // One inline line, not flagged.
      const b = commitWithProvenance(repo, {
        subject: 'A completion',
        files: { 'p.ts': lines(6, 'parse') + 'inline 1\n\nhand 1\n' },
        ai: { 'p.ts': [{ start: 7, end: 7, kind: 'inline', tool: 'github.copilot', model: null }] },
      });
      // A commit without any record: its lines are unknown.
      repo.write('p.ts', lines(6, 'parse') + 'inline 1\n\nhand 1\nundeclared 1\n');
      repo.git(['add', 'p.ts']);
      const c = repo.commit('No record');
      // Flagged and not reviewed; then its lines are all replaced: it no longer has lines in the file.
      const gone = commitWithProvenance(repo, { subject: 'Agent rewrites the end', files: { 'p.ts': lines(6, 'parse') + 'inline 1\n\nhand 1\nundeclared 1\n' + lines(3, 'tail') }, ai: { 'p.ts': [{ start: 11, end: 13, kind: 'agent', tool: 'codex' }] } });
      assert.ok(gone.manifest.flagged);
      repo.write('p.ts', lines(6, 'parse') + 'inline 1\n\nhand 1\nundeclared 1\n');
      repo.git(['add', 'p.ts']);
      repo.commit('Drop the tail\n\nAI-Assisted: no\n');
      // An uncommitted line in the editor.
      const text = repo.read('p.ts') + 'typing\n';
      const h = buildHistorySection('p.ts', await blameJson(repo, 'p.ts', text), text);
      assert.ok(h.state === 'available', JSON.stringify(h));
      if (h.state !== 'available') return;
      // 9 committed non-blank lines (the blank one is not counted): 5 AI, 1 unknown.
      assert.deepStrictEqual([h.share.value, h.share.total, h.unknownLines, h.uncommittedLines], [5, 9, 1, 1]);
      assert.deepStrictEqual(
        h.commits.map((x) => [x.sha, x.share.value, x.share.total, x.unknownLines, x.subject]),
        [
          [a.sha, 4, 6, 0, 'Agent writes the parser'],
          [b.sha, 1, 2, 0, 'A completion'],
          [c, 0, 1, 1, 'No record'],
        ],
      );
      assert.deepStrictEqual(
        h.tools.map((t) => [t.label, t.value, t.total]),
        [
          ['claude-code:opus', 4, 9],
          ['github.copilot', 1, 9],
        ],
      );
      assert.deepStrictEqual(h.flagged.map((f) => [f.sha, f.lines, f.aiLines, f.reviewRequired, f.reviewedBy]), [[a.sha, 6, 4, 'senior', [`${SENIOR.name} <${SENIOR.email}>`]]]);
    } finally {
      repo.cleanup();
    }
  });

  const json = (lines: BlameJson['lines'], commits: BlameJson['commits']): BlameJson => ({ lines, commits });
  const line = (n: number, commit: string | null, status: string, tool: string | null = null) => ({ line: n, commit, status, kind: status === 'ai' ? 'agent' : null, tool, model: null, conversation: null, orig_path: 'f', orig_line: n });
  const meta = (date: string, flagged = false) => ({ author: 'A', date, subject: `s ${date}`, review_required: flagged ? 'senior' : null, reviewed_by: [], flagged });

  it('a file without committed lines says so; an AI line without a recorded tool is still counted', () => {
    assert.deepStrictEqual(buildHistorySection('f', json([line(1, null, 'human')], {}), 'x\n'), { state: 'none', message: 'f has no committed lines yet.' });
    const h = buildHistorySection('f', json([line(1, 'c1', 'ai')], { c1: meta('2026-01-01') }), 'x\n');
    assert.ok(h.state === 'available' && h.tools[0].label === 'AI (tool not recorded)' && h.tools[0].value === 1);
  });

  it('lists the commits with the most lines first, at most HISTORY_MAX_COMMITS, and counts the rest; flagged newest first', () => {
    const ls = [];
    const commits: Record<string, ReturnType<typeof meta>> = {};
    const n = HISTORY_MAX_COMMITS + 5;
    for (let i = 0; i < n; i++) {
      const sha = `c${String(i).padStart(3, '0')}`;
      commits[sha] = meta(`2026-01-${String((i % 28) + 1).padStart(2, '0')}`, i < 2);
      // Commit i has i + 1 lines.
      for (let k = 0; k <= i; k++) ls.push(line(ls.length + 1, sha, 'human'));
    }
    const text = ls.map(() => 'x').join('\n') + '\n';
    const h = buildHistorySection('f', json(ls, commits), text);
    assert.ok(h.state === 'available');
    if (h.state !== 'available') return;
    assert.strictEqual(h.commits.length, HISTORY_MAX_COMMITS);
    assert.strictEqual(h.commitsOmitted, 5);
    assert.strictEqual(h.commits[0].sha, `c${String(n - 1).padStart(3, '0')}`);
    assert.deepStrictEqual(h.flagged.map((f) => f.sha), ['c001', 'c000']);
  });
});
