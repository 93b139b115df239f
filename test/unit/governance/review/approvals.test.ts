import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { judgeApprovals, parsePlatformReviews, PlatformReviews } from '../../../../src/governance/review/approvals';

const FIXTURES = path.resolve(__dirname, '../../../../../test/fixtures/review');
const load = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const ONE = '1'.repeat(40);
const TWO = '2'.repeat(40);

function parsed(name: string): PlatformReviews {
  const r = parsePlatformReviews(load(name));
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe('platform approvals', () => {
  it('reads `gh pr view --json reviews,latestReviews,author,commits`: the latest decisive review per reviewer', () => {
    const r = parsed('gh-pr-view.json');
    assert.strictEqual(r.platform, 'github');
    assert.strictEqual(r.author, 'ada-author');
    assert.strictEqual(r.headCommit, TWO);
    assert.deepStrictEqual(r.reviews, [
      // bob approved, then asked for changes: the later review stands.
      { login: 'bob-dev', state: 'CHANGES_REQUESTED', commit: TWO, at: '2026-11-03T14:00:00Z' },
      // pat commented after nothing and approved later; comments decide nothing.
      { login: 'pat-principal', state: 'APPROVED', commit: TWO, at: '2026-11-03T15:00:00Z' },
      { login: 'sam-senior', state: 'APPROVED', commit: ONE, at: '2026-11-02T13:00:00Z' },
    ]);
  });

  it('counts approvals on the head only, never the author', () => {
    const v = judgeApprovals(parsed('gh-pr-view.json'), TWO, '2026-11-03T12:00:00Z', undefined);
    assert.deepStrictEqual(v, [
      { login: 'bob-dev', counted: false, why: 'changes requested' },
      { login: 'pat-principal', counted: true },
      { login: 'sam-senior', counted: false, why: `stale: approved ${ONE.slice(0, 12)}, the head is ${TWO.slice(0, 12)}` },
    ]);
    const asAuthor = judgeApprovals(parsed('gh-pr-view.json'), TWO, '2026-11-03T12:00:00Z', 'Pat-Principal');
    assert.deepStrictEqual(asAuthor[1], { login: 'pat-principal', counted: false, why: 'the author' });
  });

  it("reads GitLab's approvals API JSON; approvals older than the last commit are stale; the author never counts", () => {
    const r = parsed('gitlab-approvals.json');
    assert.strictEqual(r.platform, 'gitlab');
    assert.strictEqual(r.author, undefined, 'the approvals API does not name the author');
    assert.deepStrictEqual(r.reviews.map((x) => [x.login, x.state, x.at]), [
      ['ada-author', 'APPROVED', undefined],
      ['pat-principal', 'APPROVED', '2026-11-03T15:00:00.000Z'],
      ['sam-senior', 'APPROVED', '2026-11-02T13:00:00.000Z'],
    ]);
    const v = judgeApprovals(r, TWO, '2026-11-03T12:00:00Z', 'ada-author');
    assert.deepStrictEqual(v, [
      { login: 'ada-author', counted: false, why: 'the author' },
      { login: 'pat-principal', counted: true },
      { login: 'sam-senior', counted: false, why: 'stale: approved at 2026-11-02T13:00:00.000Z, before the last commit (2026-11-03T12:00:00Z)' },
    ]);
  });

  it('refuses other JSON with a one-line error', () => {
    assert.match((parsePlatformReviews([]) as { error: string }).error, /expected the JSON object/);
    assert.match((parsePlatformReviews({ number: 7 }) as { error: string }).error, /neither GitHub reviews/);
    assert.match((parsePlatformReviews({ reviews: [{ state: 'APPROVED' }] }) as { error: string }).error, /not \{author: \{login\}/);
  });
});
