import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { parseRepositoryPolicy, resolvePolicy } from '../../../src/core/policy/policy';
import { evaluateRiskRules } from '../../../src/core/policy/riskRules';
import { TempRepo, commitPolicy, commitWithProvenance, lines } from './fixture';

const ROOT = path.resolve(__dirname, '../../../..');
const WORKFLOW = path.join(ROOT, 'examples/github-actions/ai-provenance.yml');

/** The `npx ai-provenance ...` command lines of the example workflow, as argument lists. */
function workflowCommands(): string[][] {
  const text = fs.readFileSync(WORKFLOW, 'utf8');
  const cmds: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    // The CLI is pinned by version (`npx --yes ai-provenance@<version>`), never the PR's own install.
    const m = /npx (--yes )?ai-provenance(@[\w.-]+)? /.exec(line);
    if (!m) continue;
    assert.ok(m[1] && m[2], `the workflow runs a pinned CLI: ${line.trim()}`);
    const cmd = line.slice(m.index + m[0].length).replace(/\s*\|\|.*$/, '').trim();
    cmds.push(cmd.split(/\s+/));
  }
  return cmds;
}

describe('examples', function () {
  this.timeout(30000);

  it('the example policy and groups file are accepted', () => {
    const p = parseRepositoryPolicy(fs.readFileSync(path.join(ROOT, 'examples/ai-provenance.json'), 'utf8'));
    assert.ok(p.ok, JSON.stringify(p));
    const groups = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/groups.json'), 'utf8'));
    const seniors = p.ok ? p.value.review?.reviewers?.senior : undefined;
    assert.ok(seniors && seniors.groups.every((g) => Array.isArray(groups[g])), 'every policy group is defined in groups.json');
  });

  it('the starter risk rules are valid, have incident-style reasons, and fire where they should (and only there)', () => {
    const parsed = parseRepositoryPolicy(fs.readFileSync(path.join(ROOT, 'examples/ai-provenance.json'), 'utf8'));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    const p = resolvePolicy(parsed.value);
    const ids = p.risk!.rules.map((r) => r.id);
    assert.deepStrictEqual(ids, ['infra', 'auth', 'concurrency', 'sql', 'deserialisation', 'shell', 'crypto', 'dependencies', 'untested']);
    for (const r of p.risk!.rules) assert.match(r.reason, /^INC-\d{4}-\d+/, r.id);
    const fire = (files: Record<string, string>, tests = false): string[] => {
      const all = Object.entries(files);
      const change = {
        files: all.map(([p, t]) => ({ path: p, ranges: [{ startLine: 1, endLine: t.split('\n').length, trivial: false }] })),
        otherPaths: tests ? ['src/x.test.ts'] : [],
        texts: new Map(all),
      };
      return evaluateRiskRules(p.risk, change).map((h) => h.id);
    };
    assert.deepStrictEqual(fire({ 'infra/main.tf': 'resource "x" {}' }, true), ['infra']);
    assert.deepStrictEqual(fire({ 'src/queue.ts': 'await retry(() => send(), { backoff: 2 });' }, true), ['concurrency']);
    assert.deepStrictEqual(fire({ 'src/db.py': 'cur.execute("SELECT * FROM users WHERE id=" + uid)' }, true), ['sql']);
    assert.deepStrictEqual(fire({ 'src/load.py': 'data = yaml.load(body)' }, true), ['deserialisation']);
    assert.deepStrictEqual(fire({ 'src/token.ts': 'const t = Math.random().toString(36);' }, true), ['crypto']);
    assert.deepStrictEqual(fire({ 'package.json': '"left-pad": "1.0.0"' }, true), ['dependencies']);
    assert.deepStrictEqual(fire({ 'src/util.ts': 'export const add = (a: number, b: number) => a + b;' }), ['untested']);
    assert.deepStrictEqual(fire({ 'src/util.ts': 'export const add = (a: number, b: number) => a + b;' }, true), [], 'plain code with a test: nothing fires');
  });

  it('the workflow fetches full history and notes and runs commands the CLI accepts', async () => {
    const text = fs.readFileSync(WORKFLOW, 'utf8');
    assert.match(text, /fetch-depth: 0/);
    assert.match(text, /git fetch [^\n]*'\+refs\/notes\/ai-provenance:refs\/notes\/ai-provenance'/);
    const cmds = workflowCommands();
    assert.ok(cmds.some((c) => c.join(' ').startsWith('verify origin/main..HEAD --format github')), JSON.stringify(cmds));
    assert.strictEqual(cmds.length, 3);

    const repo = TempRepo.create();
    try {
      commitPolicy(repo);
      repo.git(['update-ref', 'refs/remotes/origin/main', 'HEAD']);
      commitWithProvenance(repo, { subject: 'AI change without review', files: { 'a.ts': lines(5) }, ai: { 'a.ts': [{ start: 1, end: 5 }] } });
      for (const args of cmds) {
        const io = memoryIo(repo.dir);
        const code = await runCli(args, io);
        assert.ok(!io.stderr.includes('unknown option') && code !== 2, `${args.join(' ')}: ${io.stderr}`);
        if (args[0] === 'verify') assert.strictEqual(code, 1, `${args.join(' ')} fails the unreviewed change`);
      }
      assert.ok(fs.existsSync(path.join(repo.dir, 'ai-provenance.sarif')));
    } finally {
      repo.cleanup();
    }
  });

  it('the review workflow reads the reviews with gh, runs a review the CLI accepts, posts the summary, requests reviewers and fails while blocked', async () => {
    const text = fs.readFileSync(path.join(ROOT, 'examples/github-actions/ai-provenance-review.yml'), 'utf8');
    assert.match(text, /pull_request_review:\n\s+types: \[submitted, dismissed\]/);
    assert.match(text, /gh pr view "\$PR" --json reviews,latestReviews,author,commits/);
    assert.match(text, /gh pr comment "\$PR"/);
    assert.match(text, /gh pr edit "\$PR" --add-reviewer "\$reviewers"/);
    assert.match(text, /run: exit "\$\{\{ steps.gate.outputs.code \}\}"/);
    const line = text.split('\n').find((l) => l.includes('npx ai-provenance review'))!;
    const repo = TempRepo.create();
    try {
      const base = commitPolicy(repo);
      commitWithProvenance(repo, { subject: 'AI change without review', files: { 'a.ts': lines(5) }, ai: { 'a.ts': [{ start: 1, end: 5 }] } });
      fs.copyFileSync(path.join(ROOT, 'test/fixtures/review/gh-pr-view.json'), path.join(repo.dir, 'pr.json'));
      const env: Record<string, string> = { BASE: base, HEAD: repo.head(), RUNNER_TEMP: repo.dir };
      const args = line
        .slice(line.indexOf('npx ai-provenance ') + 'npx ai-provenance '.length)
        .trim()
        .split(/\s+/)
        .map((a) => a.replace(/^"|"$/g, '').replace(/\$(\w+)/g, (_, v: string) => env[v]));
      const io = memoryIo(repo.dir);
      const code = await runCli(args, io);
      assert.strictEqual(code, 1, io.stderr);
      assert.match(fs.readFileSync(path.join(repo.dir, 'summary.md'), 'utf8'), /## AI Provenance review: blocked/);
      assert.ok(fs.existsSync(path.join(repo.dir, 'reviewers.txt')));
    } finally {
      repo.cleanup();
    }
  });
});
