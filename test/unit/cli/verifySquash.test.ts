/**
 * verify on a commit that adds the committed manifests of several other commits (a pull request
 * squashed on merge): they are read as one claim for the commit, found in its text by their
 * hashes; what they cannot prove is unknown, a part that lies about the text fails, the review the
 * combined change needs is required, and a manifest of the commit's own cannot call their AI
 * lines human.
 */
import * as assert from 'assert';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { manifestRepoPath } from '../../../src/core/manifest/schema';
import { SENIOR, TempRepo, commitPolicy, commitWithProvenance, lines, trailerBlock } from './fixture';

interface Finding {
  rule: string;
  severity: string;
  message: string;
  file?: string;
}
interface Report {
  commits: Array<{ status: string; manifestSource?: string; reviewRequired?: string; findings: Finding[] }>;
}

async function report(repo: TempRepo, range = 'HEAD^..HEAD'): Promise<{ code: number; commit: Report['commits'][0] }> {
  const io = memoryIo(repo.dir, process.env);
  const code = await runCli(['verify', range, '--json'], io);
  return { code, commit: (JSON.parse(io.stdout) as Report).commits[0] };
}

async function stats(repo: TempRepo): Promise<{ ai_additions: number; human_additions: number; unknown_additions: number }> {
  const io = memoryIo(repo.dir, process.env);
  assert.strictEqual(await runCli(['stats', 'HEAD^..HEAD', '--json'], io), 0, io.stderr);
  return JSON.parse(io.stdout);
}

const errors = (c: Report['commits'][0]): string[] => [...new Set(c.findings.filter((f) => f.severity === 'error').map((f) => f.rule))].sort();

/** `git merge --squash feature` onto main, committed with `message` (no hooks of ours). */
function squash(repo: TempRepo, message = 'Feature (#1)'): void {
  repo.git(['checkout', '-q', 'main']);
  repo.git(['merge', '-q', '--squash', 'feature']);
  repo.commit(message);
}

const agent = (start: number, end: number) => [{ start, end, kind: 'agent' as const, tool: 'claude-code' }];

describe('cli verify: a squash merge of committed manifests, read as one claim', function () {
  this.timeout(30000);
  let repo: TempRepo;
  beforeEach(() => {
    repo = TempRepo.create();
    commitPolicy(repo);
    repo.git(['checkout', '-q', '-b', 'feature']);
  });
  afterEach(() => repo.cleanup());

  it('passes the squash of two small AI commits, flags the change they make together, and requires its review', async () => {
    // 2 + 2 agent lines: neither commit reaches the policy's 3 lines, the squash does.
    commitWithProvenance(repo, { subject: 'two', files: { 'a.ts': lines(2, 'alpha') }, ai: { 'a.ts': agent(1, 2) } });
    commitWithProvenance(repo, { subject: 'two more', files: { 'b.ts': lines(3, 'beta') }, ai: { 'b.ts': agent(2, 3) } });
    squash(repo);
    let r = await report(repo);
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(errors(r.commit), ['review-missing']);
    assert.strictEqual(r.commit.reviewRequired, 'senior');
    assert.match(r.commit.manifestSource ?? '', /^file:\.ai-provenance\/.*\.json \+ file:\.ai-provenance\/.*\.json$/);
    repo.git(['commit', '-q', '--amend', '-m', `Feature (#1)\n\nReviewed-by: ${SENIOR.name} <${SENIOR.email}>`]);
    r = await report(repo);
    assert.strictEqual(r.code, 0, JSON.stringify(r.commit.findings));
    assert.deepStrictEqual(r.commit.findings, []);
    const s = await stats(repo);
    assert.deepStrictEqual([s.ai_additions, s.human_additions, s.unknown_additions], [4, 1, 0]);
  });

  it('fails a part that describes the committed file exactly but puts its AI lines on other text', async () => {
    commitWithProvenance(repo, { subject: 'one', files: { 'a.ts': lines(4, 'alpha') }, ai: { 'a.ts': agent(1, 2) } });
    // The second part lists b.ts with its true hash, and ranges whose hashes are those of other lines of it.
    commitWithProvenance(repo, {
      subject: 'two',
      files: { 'b.ts': lines(6, 'beta') },
      ai: { 'b.ts': agent(1, 2) },
      mutate: (m) => ({ ...m, files: m.files.map((f) => ({ ...f, ranges: f.ranges.map((x) => ({ ...x, startLine: 4, endLine: 5 })) })) }),
    });
    squash(repo, `Feature\n\nReviewed-by: ${SENIOR.name} <${SENIOR.email}>`);
    const r = await report(repo);
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(errors(r.commit), ['range-hash-mismatch']);
    assert.match(r.commit.findings.find((f) => f.rule === 'range-hash-mismatch')!.message, /b\.ts: file:\.ai-provenance\/.*describes this very file \(same SHA-256\) but its AI lines 4-5 are not that text/);
  });

  it('a changed file no part lists counts as unknown, with a warning (never as human)', async () => {
    commitWithProvenance(repo, { subject: 'one', files: { 'a.ts': lines(2, 'alpha') }, ai: { 'a.ts': agent(1, 1) } });
    commitWithProvenance(repo, { subject: 'two', files: { 'b.ts': lines(2, 'beta') }, ai: { 'b.ts': agent(1, 1) } });
    // A third commit without any record.
    repo.write('c.ts', lines(3, 'gamma'));
    repo.git(['add', 'c.ts']);
    repo.commit('no record');
    squash(repo);
    const r = await report(repo);
    assert.strictEqual(r.code, 0, JSON.stringify(r.commit.findings));
    assert.deepStrictEqual(
      r.commit.findings.map((f) => [f.rule, f.severity, f.file]),
      [['file-unlisted', 'warning', 'c.ts']],
    );
    assert.match(r.commit.findings[0].message, /listed by none of the 2 manifests it adds: its 3 added line\(s\) count as unknown/);
    const s = await stats(repo);
    assert.deepStrictEqual([s.ai_additions, s.human_additions, s.unknown_additions], [2, 2, 3]);
  });

  it("fails a commit whose own manifest counts as human the AI lines of the manifests it adds", async () => {
    commitWithProvenance(repo, { subject: 'one', files: { 'a.ts': lines(4, 'alpha') }, ai: { 'a.ts': agent(1, 4) } });
    commitWithProvenance(repo, { subject: 'two', files: { 'b.ts': lines(1, 'beta') } });
    repo.git(['checkout', '-q', 'main']);
    repo.git(['merge', '-q', '--squash', 'feature']);
    // A manifest of the squash's own, measured against main, that says no line is AI.
    const own = commitWithProvenance(repo, { subject: 'Feature (squash)', files: {} });
    assert.strictEqual(own.manifest.totals.aiLines, 0);
    let r = await report(repo);
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(errors(r.commit), ['manifest-conflict']);
    assert.match(
      r.commit.findings.find((f) => f.rule === 'manifest-conflict')!.message,
      /has lines 1-4 of a\.ts as AI, and that text is here unchanged, but the commit's manifest \(file:.*\) counts 4 of them as not AI/,
    );
    // The same squash with a manifest of its own that agrees passes.
    repo.git(['reset', '-q', '--hard', 'HEAD^']);
    repo.git(['merge', '-q', '--squash', 'feature']);
    const agreeing = commitWithProvenance(repo, { subject: 'Feature (squash)', files: {}, ai: { 'a.ts': agent(1, 4) }, extraTrailers: [`Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`] });
    assert.strictEqual(agreeing.manifest.totals.aiLines, 4);
    r = await report(repo);
    assert.deepStrictEqual(errors(r.commit), []);
    assert.strictEqual(r.code, 0);
  });

  it('a part named by the trailers of the squash message (the messages concatenated) is one of the parts, not the whole claim', async () => {
    const one = commitWithProvenance(repo, { subject: 'one', files: { 'a.ts': lines(4, 'alpha') }, ai: { 'a.ts': agent(1, 4) } });
    const two = commitWithProvenance(repo, { subject: 'two', files: { 'b.ts': lines(1, 'beta') }, ai: { 'b.ts': agent(1, 1) } });
    repo.git(['checkout', '-q', 'main']);
    repo.git(['merge', '-q', '--squash', 'feature']);
    // As a hosting platform writes it: the last commit's trailers end the message, a review added to them.
    repo.commit(`Feature (#3)\n\n* one\n\n${trailerBlock(one.manifest)}\n\n* two\n\n${trailerBlock(two.manifest, [`Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`])}\n`);
    const r = await report(repo);
    assert.strictEqual(r.code, 0, JSON.stringify(r.commit.findings));
    assert.deepStrictEqual(r.commit.findings, []);
    assert.ok(r.commit.manifestSource?.includes(manifestRepoPath(two.manifest.id)));
    const s = await stats(repo);
    assert.strictEqual(s.ai_additions, 5);
  });
});
