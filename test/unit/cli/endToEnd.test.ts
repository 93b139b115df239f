import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { refreshStagedState, WorkingProvenance } from '../../../src/commit/stagedState';
import { readSnapshot } from '../../../src/commit/snapshot';
import { AiRange } from '../../../src/core/contribution/mapRanges';
import { resolvePolicy } from '../../../src/core/policy/policy';
import { Origin } from '../../../src/core/provenance/origin';
import { gitDir } from '../../../src/git/git';
import { installHooks } from '../../../src/git/hooks';
import { SENIOR, TEST_POLICY, TempRepo, commitPolicy } from './fixture';

/**
 * The whole chain with the bundled command: the extension's staged state, `git commit` through
 * the installed hooks (dist/cli.js hook ...), then `dist/cli.js verify` on the result.
 */
const CLI = path.resolve(__dirname, '../../../../dist/cli.js');
const agent: Origin = { kind: 'agent', tool: 'claude-code', model: 'claude-sonnet-4', timestamp: 1 };
const aiCode = 'export function sum(values: number[]): number {\n  return values.reduce((a, b) => a + b, 0);\n}\n';

function cli(repo: TempRepo, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: repo.dir, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function stageAiAndCommit(repo: TempRepo, location: 'repo' | 'notes', message: string[]): Promise<void> {
  const text = 'export const a = 1;\n' + aiCode;
  repo.write('app.ts', text);
  repo.git(['add', 'app.ts']);
  const start = text.indexOf(aiCode);
  const ranges: AiRange[] = [{ start, end: start + aiCode.length, origin: agent, text: aiCode }];
  const working = new Map<string, WorkingProvenance>([['app.ts', { text, ranges }]]);
  const gd = await gitDir(repo.dir);
  const previous = readSnapshot(gd);
  await refreshStagedState({
    root: repo.dir,
    gitDir: gd,
    policy: { source: 'repository', value: resolvePolicy(TEST_POLICY) },
    manifestLocation: location,
    maxFileBytes: 1e6,
    generator: { name: 'ai-provenance', version: '0.1.0' },
    trailers: 'auto',
    assistedBy: [],
    working,
    previous: previous && !('error' in previous) ? previous : undefined,
  });
  const args = ['commit', '-q', ...message.flatMap((m) => ['-m', m])];
  const r = spawnSync('git', args, { cwd: repo.dir, encoding: 'utf8', env: { ...process.env, GIT_EDITOR: 'true' } });
  assert.strictEqual(r.status, 0, r.stderr);
}

describe('end to end: commit through the hooks, verify with the bundled command', function () {
  this.timeout(60000);
  let repo: TempRepo;
  beforeEach(async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built`);
    repo = TempRepo.create();
    commitPolicy(repo);
    const installed = await installHooks({ root: repo.dir, cliPath: CLI, nodePath: process.execPath });
    assert.deepStrictEqual(installed.installed, ['prepare-commit-msg', 'commit-msg', 'post-commit', 'post-rewrite']);
  });
  afterEach(() => repo.cleanup());

  for (const location of ['repo', 'notes'] as const) {
    it(`a reviewed AI commit (manifest in ${location}) passes; the same without review fails`, async () => {
      await stageAiAndCommit(repo, location, ['Add sum', `Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`]);
      const msg = repo.git(['log', '-1', '--format=%B']);
      assert.match(msg, /AI-Assisted: yes\nAI-Contribution: 75% \(3 of 4 added lines; agent 3\)\nAssisted-by: claude-code:claude-sonnet-4\nAI-Provenance: [0-9a-f-]{36}\nReview-Required: senior/);
      let r = cli(repo, 'verify', 'HEAD^..HEAD', '--json');
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout);
      assert.strictEqual(report.commits[0].manifestSource, location === 'repo' ? `file:.ai-provenance/${msg.match(/AI-Provenance: (\S+)/)![1]}.json` : 'note:refs/notes/ai-provenance');

      // The same change, committed again without a review.
      repo.git(['reset', '-q', '--hard', 'HEAD^']);
      await stageAiAndCommit(repo, location, ['Add sum, unreviewed']);
      r = cli(repo, 'verify', 'HEAD^..HEAD');
      assert.strictEqual(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /\[review-missing\]: change is flagged \(3 non-trivial AI lines \(threshold 3\)\)/);

      // Stats and export read the same commit.
      const stats = JSON.parse(cli(repo, 'stats', 'HEAD^..HEAD', '--json').stdout);
      assert.deepStrictEqual([stats.ai_additions, stats.human_additions, stats.tool_model_breakdown], [3, 1, { 'claude-code::claude-sonnet-4': { ai_additions: 3, ai_accepted: 3 } }]);
      const ex = cli(repo, 'export', '--format', 'agent-trace', 'HEAD^..HEAD');
      assert.strictEqual(ex.status, 0, ex.stderr);
      const rec = JSON.parse(ex.stdout);
      assert.deepStrictEqual(rec.files[0].conversations[0].ranges.map((x: { start_line: number; end_line: number }) => [x.start_line, x.end_line]), [[2, 4]]);
    });
  }
});
