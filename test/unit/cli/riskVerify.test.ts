import * as assert from 'assert';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { PartialPolicy } from '../../../src/core/policy/policy';
import { RISK_POLICY, TempRepo, commitPolicy, commitWithProvenance, lines } from './fixture';

async function verifyJson(repo: TempRepo, ...args: string[]): Promise<{ code: number; findings: Array<{ rule: string; message: string; file?: string; line?: number }> }> {
  const io = memoryIo(repo.dir);
  const code = await runCli(['verify', ...args, '--json'], io);
  const report = JSON.parse(io.stdout) as { commits: Array<{ findings: Array<{ rule: string; message: string; file?: string; line?: number }> }> };
  return { code, findings: report.commits.flatMap((c) => c.findings) };
}

describe('cli verify: risk rules', function () {
  this.timeout(30000);
  let repo: TempRepo;
  beforeEach(() => {
    repo = TempRepo.create();
    commitPolicy(repo, RISK_POLICY);
  });
  afterEach(() => repo.cleanup());

  const code = ['import x;', 'const lock = new Mutex();', 'function go() {}', ''].join('\n');

  it('a commit that declares the rules that fire (AI-Risk, manifest, principal review) passes', async () => {
    const c = commitWithProvenance(repo, {
      subject: 'Locking',
      files: { 'src/lock.ts': code },
      ai: { 'src/lock.ts': [{ start: 1, end: 3 }] },
      policy: RISK_POLICY,
      extraTrailers: ['Reviewed-by: Pat Principal <pat.principal@example.com>'],
    });
    assert.deepStrictEqual(c.manifest.risk?.map((h) => [h.id, h.files]), [['concurrency', [{ path: 'src/lock.ts', lines: [[2, 2]] }]]]);
    assert.strictEqual(c.manifest.reviewRequired, 'principal');
    assert.match(repo.git(['log', '-1', '--format=%B']), /Review-Required: principal\nAI-Risk: concurrency\n/);
    const r = await verifyJson(repo, 'HEAD^..HEAD', '--policy-rev', 'HEAD^');
    assert.deepStrictEqual(r.findings, []);
    assert.strictEqual(r.code, 0);
  });

  it('a senior review does not meet a principal rule', async () => {
    commitWithProvenance(repo, {
      subject: 'Locking',
      files: { 'src/lock.ts': code },
      ai: { 'src/lock.ts': [{ start: 1, end: 3 }] },
      policy: RISK_POLICY,
      extraTrailers: ['Reviewed-by: Sam Senior <sam.senior@example.com>'],
    });
    const r = await verifyJson(repo, 'HEAD^..HEAD', '--policy-rev', 'HEAD^');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(r.findings.map((f) => f.rule), ['review-missing']);
    assert.match(r.findings[0].message, /risk rule concurrency \(principal\).*'principal' reviewer/);
  });

  it('fails a record that under-declares: the rule, its lines and the level are recomputed from the commit', async () => {
    commitWithProvenance(repo, {
      subject: 'Deploy script',
      files: { 'infra/deploy.sh': lines(4) },
      ai: { 'infra/deploy.sh': [{ start: 2, end: 3 }] },
      // Written under a policy without the rules (e.g. the branch weakened its own policy).
      policy: { ...RISK_POLICY, risk: { rules: [] } } as PartialPolicy,
      extraTrailers: ['Reviewed-by: Sam Senior <sam.senior@example.com>'],
    });
    const r = await verifyJson(repo, 'HEAD^..HEAD', '--policy-rev', 'HEAD^');
    assert.strictEqual(r.code, 1);
    const risk = r.findings.filter((f) => f.rule === 'risk-undeclared');
    assert.strictEqual(risk.length, 2, JSON.stringify(r.findings));
    assert.match(risk[0].message, /risk rule 'infra' \(principal\) fires on infra\/deploy\.sh:2-3 but the commit does not declare it \(AI-Risk\); reason: deploy scripts took S3 down/);
    assert.strictEqual(risk[0].file, 'infra/deploy.sh');
    assert.strictEqual(risk[0].line, 2);
    assert.match(risk[1].message, /require 'principal' review but the commit declares no Review-Required/);
  });

  it('a human line that matches a pattern does not fire (only AI lines are read)', async () => {
    commitWithProvenance(repo, {
      subject: 'Locking by hand',
      files: { 'src/lock.ts': code },
      ai: { 'src/lock.ts': [{ start: 3, end: 3 }] },
      policy: RISK_POLICY,
    });
    const r = await verifyJson(repo, 'HEAD^..HEAD', '--policy-rev', 'HEAD^');
    assert.deepStrictEqual(r.findings, []);
  });
});
