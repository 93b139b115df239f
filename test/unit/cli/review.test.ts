import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { sha256Hex } from '../../../src/core/manifest/schema';
import { RISK_POLICY, TempRepo, commitPolicy, commitWithProvenance } from './fixture';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/review');

async function review(repo: TempRepo, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(repo.dir);
  const code = await runCli(['review', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

/** The recorded `gh pr view` sample with its two commit ids replaced by this repository's. */
function ghJson(repo: TempRepo, first: string, head: string): string {
  const file = path.join(repo.dir, 'pr.json');
  const text = fs.readFileSync(path.join(FIXTURES, 'gh-pr-view.json'), 'utf8').split('1'.repeat(40)).join(first).split('2'.repeat(40)).join(head);
  fs.writeFileSync(file, text);
  return 'pr.json';
}

describe('cli review: the pull-request gate over a real repository', function () {
  this.timeout(30000);
  let repo: TempRepo;
  let base: string;
  let first: string;
  let head: string;
  beforeEach(() => {
    repo = TempRepo.create();
    base = commitPolicy(repo, RISK_POLICY);
    first = commitWithProvenance(repo, {
      subject: 'Add the lock',
      files: { 'src/lock.ts': 'import x;\nconst lock = new Mutex();\nexport { lock };\n' },
      ai: { 'src/lock.ts': [{ start: 2, end: 3 }] },
      policy: RISK_POLICY,
    }).sha;
    head = commitWithProvenance(repo, {
      subject: 'Document the lock',
      files: { 'README.md': 'The lock.\n' },
      policy: RISK_POLICY,
    }).sha;
  });
  afterEach(() => repo.cleanup());

  it('is blocked until a principal approves the head, and says why, whom to ask and what is missing', async () => {
    const blocked = await review(repo, `${base}..HEAD`, '--reviewers-out', 'reviewers.txt');
    assert.strictEqual(blocked.code, 1, blocked.err);
    assert.match(blocked.out, /## AI Provenance review: blocked/);
    assert.match(blocked.out, /\*\*Required review: principal\*\*/);
    assert.match(blocked.out, /### Risk rules that fired\n\n- \*\*concurrency\*\* \(principal\): retry storm after a lock timeout \(incident 2025-09\) \(\[link\]\(https:\/\/wiki.example.com\/inc\/2025-09\)\)/);
    assert.match(blocked.out, new RegExp(`\`${first.slice(0, 12)}: src/lock.ts:2\``));
    assert.match(blocked.out, /### What is missing\n\n- [0-9a-f]{12} Add the lock: needs an approval from a 'principal' reviewer/);
    assert.match(blocked.out, /Reviewers for this level: @pat-principal, @acme\/principals/);
    assert.match(blocked.out, /\| `src\/lock.ts` \| 2 \| 3 \| 66% \| github.copilot:gpt-4o \|/);
    assert.strictEqual(fs.readFileSync(path.join(repo.dir, 'reviewers.txt'), 'utf8'), 'pat-principal,acme/principals\n');

    // The recorded gh sample: sam (senior) approved the first commit only, pat (principal) the head.
    const file = ghJson(repo, first, head);
    const ok = await review(repo, `${base}..HEAD`, '--approvals', file);
    assert.strictEqual(ok.code, 0, ok.out);
    assert.match(ok.out, /## AI Provenance review: ready/);
    assert.match(ok.out, /Approved by: @pat-principal \(principal\)/);
    assert.match(ok.out, /Not counted: @bob-dev \(changes requested\), @sam-senior \(stale: approved [0-9a-f]{12}, the head is [0-9a-f]{12}\)/);
    assert.match(ok.out, /\| [0-9a-f]{12} \| Add the lock \| principal \| .*risk rule concurrency.* \| approval by @pat-principal \|/);
  });

  it('links each flagged file to the conversations behind its AI lines, with the prompt as the manifest keeps it', async () => {
    const prompt = 'ask @pat-principal: add a `Mutex` around the cache';
    const trailed = commitWithProvenance(repo, {
      subject: 'Guard the cache',
      files: { 'src/cache.ts': 'import y;\nconst m = new Mutex();\nexport { m };\n' },
      ai: { 'src/cache.ts': [{ start: 2, end: 3 }] },
      policy: RISK_POLICY,
      mutate: (m) => ({
        ...m,
        prompts: { version: 1, mode: 'text' },
        files: m.files.map((f) =>
          f.path === 'src/cache.ts'
            ? { ...f, ranges: f.ranges.map((r) => ({ ...r, conversation: 'request_42' })), conversations: [{ id: 'request_42', kind: 'chat', tool: 'github.copilot', model: 'gpt-4o', promptSha256: sha256Hex(prompt), prompt }] }
            : f,
        ),
      }),
    });
    const r = await review(repo, `${base}..HEAD`);
    assert.strictEqual(r.code, 1, r.err);
    assert.match(r.out, /### Conversations behind the flagged files\n\n- `src\/cache.ts`\n  - `request_42` in [0-9a-f]{12}, lines 2-3 \(chat, github.copilot:gpt-4o\): `ask @pat-principal: add a 'Mutex' around the cache`/);
    assert.ok(r.out.includes(trailed.sha.slice(0, 12)));
    assert.doesNotMatch(r.out, /src\/lock.ts`\n  - /, 'a file without recorded conversations lists none');
  });

  it('a senior approval on the head does not meet a principal rule; a stale principal approval does not count', async () => {
    const sample = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'gh-pr-view.json'), 'utf8'));
    sample.reviews = sample.reviews.map((r: { commit: { oid: string } }) => ({ ...r, commit: { oid: head } }));
    sample.reviews = sample.reviews.filter((r: { author: { login: string } }) => r.author.login !== 'pat-principal');
    sample.latestReviews = [];
    fs.writeFileSync(path.join(repo.dir, 'senior.json'), JSON.stringify(sample));
    const senior = await review(repo, `${base}..HEAD`, '--approvals', 'senior.json', '--json');
    assert.strictEqual(senior.code, 1);
    const j = JSON.parse(senior.out);
    assert.strictEqual(j.verdict, 'blocked');
    assert.strictEqual(j.requiredLevel, 'principal');
    assert.deepStrictEqual(j.approvers, [{ login: 'sam-senior', level: 'senior' }]);

    const stale = ghJson(repo, head, first); // pat approved what is now the older commit
    const r = await review(repo, `${base}..HEAD`, '--approvals', stale, '--json');
    assert.strictEqual(r.code, 1);
    assert.ok(JSON.parse(r.out).ignored.some((i: { login: string; why: string }) => i.login === 'pat-principal' && /^stale/.test(i.why)));
  });

  it("GitLab: the approvals API JSON counts a principal's approval given after the last commit, not the author's", async () => {
    const sample = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'gitlab-approvals.json'), 'utf8'));
    sample.approved_by[0].approved_at = '2030-01-01T00:00:00.000Z';
    fs.writeFileSync(path.join(repo.dir, 'mr.json'), JSON.stringify(sample));
    const ok = await review(repo, `${base}..HEAD`, '--approvals', 'mr.json', '--author', 'ada-author');
    assert.strictEqual(ok.code, 0, ok.out);
    assert.match(ok.out, /Not counted: @ada-author \(the author\), @sam-senior \(stale/);
    sample.approved_by[0].approved_at = '2020-01-01T00:00:00.000Z';
    fs.writeFileSync(path.join(repo.dir, 'mr.json'), JSON.stringify(sample));
    assert.strictEqual((await review(repo, `${base}..HEAD`, '--approvals', 'mr.json', '--author', 'ada-author')).code, 1);
  });

  it('a Reviewed-by trailer from a principal meets the commit without a platform approval; a range with no AI needs nothing', async () => {
    commitWithProvenance(repo, {
      subject: 'Retry',
      files: { 'src/retry.ts': 'export function again() { retry(); }\n' },
      ai: { 'src/retry.ts': [{ start: 1, end: 1 }] },
      policy: RISK_POLICY,
      extraTrailers: ['Reviewed-by: Pat Principal <pat.principal@example.com>'],
    });
    const r = await review(repo, `${head}..HEAD`, '--json');
    assert.strictEqual(r.code, 0, r.out);
    assert.strictEqual(JSON.parse(r.out).flagged[0].metBy, 'Reviewed-by trailer');
    const none = await review(repo, `${first}..${head}`);
    assert.strictEqual(none.code, 0);
    assert.match(none.out, /No review required/);
  });

  it("judges by the base's policy: a pull request that drops the risk rules and under-declares stays blocked, even when approved", async () => {
    repo.write('.ai-provenance.json', JSON.stringify({ version: 1, ...RISK_POLICY, risk: { rules: [] } }));
    repo.git(['add', '.ai-provenance.json']);
    repo.commit('Relax the policy\n\nAI-Assisted: no\n');
    commitWithProvenance(repo, {
      subject: 'Retry quietly',
      files: { 'src/retry.ts': 'export function again() { retry(); }\n' },
      ai: { 'src/retry.ts': [{ start: 1, end: 1 }] },
      policy: { ...RISK_POLICY, risk: { rules: [] } } as typeof RISK_POLICY,
    });
    const sample = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'gh-pr-view.json'), 'utf8'));
    for (const r of [...sample.reviews, ...sample.latestReviews]) r.commit.oid = repo.head();
    fs.writeFileSync(path.join(repo.dir, 'pr.json'), JSON.stringify(sample));
    const r = await review(repo, `${base}..HEAD`, '--approvals', 'pr.json');
    assert.strictEqual(r.code, 1, r.out);
    assert.match(r.out, /### What is missing\n\n- [0-9a-f]{12} Retry quietly: \[risk-undeclared\] risk rule 'concurrency' \(principal\) fires on src\/retry.ts:1/);
    assert.match(r.out, /Approved by: @pat-principal \(principal\)/);
  });

  it('a login counts for a level through a team the groups file lists; unknown logins do not count', async () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'gh-pr-view.json'), 'utf8').split('2'.repeat(40)).join(head).split('pat-principal').join('carol');
    fs.writeFileSync(path.join(repo.dir, 'pr.json'), text);
    const unknown = await review(repo, `${base}..HEAD`, '--approvals', 'pr.json', '--json');
    assert.strictEqual(unknown.code, 1);
    assert.ok(JSON.parse(unknown.out).ignored.some((i: { login: string; why: string }) => i.login === 'carol' && /not a reviewer/.test(i.why)));
    fs.writeFileSync(path.join(repo.dir, 'groups.json'), JSON.stringify({ 'acme/principals': ['Carol'] }));
    const team = await review(repo, `${base}..HEAD`, '--approvals', 'pr.json', '--groups', 'groups.json', '--json');
    assert.strictEqual(team.code, 0, team.out);
    assert.deepStrictEqual(JSON.parse(team.out).approvers, [{ login: 'carol', level: 'principal' }]);
  });

  it('bad input is a usage error', async () => {
    assert.strictEqual((await review(repo, 'HEAD')).code, 2);
    fs.writeFileSync(path.join(repo.dir, 'x.json'), '{"number": 7}');
    const r = await review(repo, `${base}..HEAD`, '--approvals', 'x.json');
    assert.strictEqual(r.code, 2);
    assert.match(r.err, /neither GitHub reviews/);
  });
});
