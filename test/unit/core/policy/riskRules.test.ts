import * as assert from 'assert';
import { parsePolicy, parseRepositoryPolicy, policyFromSettings, resolvePolicy, formatPolicyErrors, Policy, isReviewer } from '../../../../src/core/policy/policy';
import { RiskChange, evaluateRiskRules } from '../../../../src/core/policy/riskRules';
import { decideReview } from '../../../../src/core/policy/reviewDecision';
import { checkPattern, compilePattern, matchLines } from '../../../../src/core/policy/boundedPattern';
import { globToRegExp } from '../../../../src/core/policy/pathGlob';
import { reviewersOf } from '../../../../src/core/policy/levels';

function policy(json: unknown): Policy {
  const r = parseRepositoryPolicy(JSON.stringify(json));
  if (!r.ok) throw new Error(formatPolicyErrors('policy', r.errors));
  return resolvePolicy(r.value);
}

function errorsOf(json: unknown): string {
  const r = parseRepositoryPolicy(JSON.stringify(json));
  return r.ok ? '' : formatPolicyErrors('.ai-provenance.json', r.errors);
}

const LEVELS = { required: 'senior', levels: ['senior', 'principal'] };

function withRules(rules: unknown[]): Policy {
  return policy({ version: 1, review: LEVELS, risk: { rules } });
}

/** A change: each file's text, and its AI lines (1-based) as `[start, end, trivial?]`. */
function change(files: Record<string, { text?: string; ai?: Array<[number, number, boolean?]> }>): RiskChange {
  return {
    files: Object.entries(files).map(([path, f]) => ({ path, ranges: (f.ai ?? []).map(([s, e, t]) => ({ startLine: s, endLine: e, trivial: !!t })) })),
    texts: new Map(Object.entries(files).filter(([, f]) => f.text !== undefined).map(([p, f]) => [p, f.text!])),
  };
}

describe('risk rules', () => {
  describe('paths', () => {
    const p = withRules([{ id: 'infra', paths: ['infra/**', '**/auth/**'], level: 'principal', reason: 'deploy scripts took S3 down in incident 2025-14', links: ['https://wiki.example.com/inc/2025-14'] }]);

    it('fires on the AI lines of matching files, with its level, reason and links', () => {
      const hits = evaluateRiskRules(p.risk, change({ 'infra/deploy.sh': { ai: [[3, 5]] }, 'src/auth/login.ts': { ai: [[10, 10]] }, 'src/app.ts': { ai: [[1, 2]] } }));
      assert.deepStrictEqual(hits, [
        {
          id: 'infra',
          level: 'principal',
          reason: 'deploy scripts took S3 down in incident 2025-14',
          links: ['https://wiki.example.com/inc/2025-14'],
          files: [
            { path: 'infra/deploy.sh', lines: [[3, 5]] },
            { path: 'src/auth/login.ts', lines: [[10, 10]] },
          ],
        },
      ]);
    });

    it('does not fire on AI lines elsewhere, nor on human changes to matching files', () => {
      assert.deepStrictEqual(evaluateRiskRules(p.risk, change({ 'src/app.ts': { ai: [[1, 2]] }, 'infra/deploy.sh': {} , 'infrastructure/x.sh': { ai: [[1, 1]] } })), []);
    });

    it('ignores trivial AI lines unless the rule includes them', () => {
      assert.deepStrictEqual(evaluateRiskRules(p.risk, change({ 'infra/a.sh': { ai: [[1, 1, true]] } })), []);
      const q = withRules([{ id: 'infra', paths: ['infra/**'], level: 'principal', reason: 'r', includeTrivial: true }]);
      assert.strictEqual(evaluateRiskRules(q.risk, change({ 'infra/a.sh': { ai: [[1, 1, true]] } })).length, 1);
    });
  });

  describe('patterns', () => {
    const p = withRules([{ id: 'concurrency', patterns: ['\\bMutex\\b', '\\bretry\\b'], level: 'principal', reason: 'a retry storm after a lock timeout (incident 2025-09)' }]);
    const text = ['import x;', 'const m = new Mutex();', 'function retry() {}', 'let retryCount = 0;', 'const n = new Mutex();', ''].join('\n');

    it('fires only on AI lines that match, naming them', () => {
      const hits = evaluateRiskRules(p.risk, change({ 'src/q.ts': { text, ai: [[1, 4]] } }));
      assert.strictEqual(hits.length, 1);
      assert.deepStrictEqual(hits[0].files, [{ path: 'src/q.ts', lines: [[2, 3]] }]);
    });

    it('does not fire when the matching line is human (line 5 is not AI)', () => {
      assert.deepStrictEqual(evaluateRiskRules(p.risk, change({ 'src/q.ts': { text, ai: [[1, 1], [4, 4]] } })), []);
    });

    it('ignoreCase, and a match deep inside a very long line', () => {
      const q = withRules([{ id: 'sql', patterns: ['\\bselect\\b.*\\bfrom\\b'], ignoreCase: true, level: 'senior', reason: 'r' }]);
      assert.strictEqual(evaluateRiskRules(q.risk, change({ 'a.ts': { text: 'q = "SELECT id FROM t"', ai: [[1, 1]] } })).length, 1);
      const long = 'x'.repeat(20_000) + ' new Mutex() ' + 'y'.repeat(20_000);
      assert.strictEqual(evaluateRiskRules(p.risk, change({ 'min.js': { text: long, ai: [[1, 1]] } })).length, 1);
    });

    it('refuses nested quantifiers, back-references and invalid patterns as clear policy errors', () => {
      assert.match(errorsOf({ review: LEVELS, risk: { rules: [{ id: 'x', patterns: ['(a+)+b'], level: 'senior', reason: 'r' }] } }), /risk\.rules\[0\]\.patterns\[0\]: "\(a\+\)\+b": nested quantifier/);
      assert.match(errorsOf({ review: LEVELS, risk: { rules: [{ id: 'x', patterns: ['(\\w+\\s?)*$'], level: 'senior', reason: 'r' }] } }), /nested quantifier/);
      assert.match(errorsOf({ review: LEVELS, risk: { rules: [{ id: 'x', patterns: ['(a)\\1'], level: 'senior', reason: 'r' }] } }), /back-reference/);
      assert.match(errorsOf({ review: LEVELS, risk: { rules: [{ id: 'x', patterns: ['retry('], level: 'senior', reason: 'r' }] } }), /patterns\[0\]: "retry\(": not a valid regular expression/);
      assert.strictEqual(checkPattern('\\bretry\\b'), undefined);
      assert.strictEqual(checkPattern('(?:foo|bar)+\\s*\\('), undefined);
      assert.strictEqual(checkPattern('[(a+)+]'), undefined, 'inside a character class these are plain characters');
    });

    it('an evil pattern that slips past the static check is stopped by the time bound and counts as firing', () => {
      const evil = '^(a|a)*$';
      assert.ok(compilePattern(evil, false) instanceof RegExp, 'no nested quantifier: accepted when read');
      assert.deepStrictEqual(matchLines([new RegExp(evil)], ['a'.repeat(40) + 'b'], 50), { timedOut: true });
      const q = withRules([{ id: 'evil', patterns: [evil], level: 'principal', reason: 'r' }]);
      const hits = evaluateRiskRules(q.risk, change({ 'a.ts': { text: 'a'.repeat(40) + 'b\nok', ai: [[1, 2]] } }));
      assert.strictEqual(hits.length, 1);
      assert.deepStrictEqual(hits[0].files, [{ path: 'a.ts', lines: [[1, 2]] }]);
      assert.match(hits[0].note ?? '', /did not finish in time/);
    });
  });

  describe('dependencies', () => {
    const p = withRules([{ id: 'deps', dependencies: true, level: 'principal', reason: 'a typo-squatted package shipped to prod (incident 2025-03)' }]);

    it('fires when a change with AI lines changes a manifest or lockfile', () => {
      const hits = evaluateRiskRules(p.risk, change({ 'src/a.ts': { ai: [[1, 3]] }, 'web/package-lock.json': {}, 'web/package.json': { ai: [[7, 7]] } }));
      assert.strictEqual(hits.length, 1);
      assert.deepStrictEqual(hits[0].dependencyFiles, ['web/package-lock.json', 'web/package.json']);
      assert.deepStrictEqual(hits[0].files.map((f) => f.path), ['src/a.ts', 'web/package.json']);
    });

    it('does not fire without a dependency file, nor without AI lines', () => {
      assert.deepStrictEqual(evaluateRiskRules(p.risk, change({ 'src/a.ts': { ai: [[1, 3]] }, 'docs/package.md': {} })), []);
      assert.deepStrictEqual(evaluateRiskRules(p.risk, change({ 'src/a.ts': {}, 'go.sum': {} })), []);
    });

    it('takes its own globs', () => {
      const q = withRules([{ id: 'deps', dependencies: ['vendor/**'], level: 'senior', reason: 'r' }]);
      assert.strictEqual(evaluateRiskRules(q.risk, change({ 'a.ts': { ai: [[1, 1]] }, 'vendor/x/y.c': {} })).length, 1);
      assert.strictEqual(evaluateRiskRules(q.risk, change({ 'a.ts': { ai: [[1, 1]] }, 'package.json': {} })).length, 0);
    });
  });

  describe('untested', () => {
    const p = withRules([{ id: 'untested', untested: true, paths: ['src/**'], level: 'senior', reason: 'untested AI code caused the 2025-11 billing outage' }]);

    it('fires on AI lines when no test file is changed', () => {
      const hits = evaluateRiskRules(p.risk, change({ 'src/bill.ts': { ai: [[4, 9]] }, 'README.md': {} }));
      assert.strictEqual(hits.length, 1);
      assert.strictEqual(hits[0].untested, true);
      assert.deepStrictEqual(hits[0].files, [{ path: 'src/bill.ts', lines: [[4, 9]] }]);
    });

    it('does not fire when the change touches a test file', () => {
      for (const test of ['src/bill.test.ts', 'test/unit/bill.ts', 'pkg/bill_test.go', 'tests/test_bill.py', 'src/__tests__/b.js']) {
        assert.deepStrictEqual(evaluateRiskRules(p.risk, change({ 'src/bill.ts': { ai: [[4, 9]] }, [test]: {} })), [], test);
      }
    });
  });

  it('is deterministic: rules in the policy order, files by path, the same result twice', () => {
    const p = withRules([
      { id: 'b-rule', paths: ['**'], level: 'senior', reason: 'r' },
      { id: 'a-rule', patterns: ['x'], level: 'principal', reason: 'r' },
    ]);
    const c = change({ 'z.ts': { text: 'x\ny', ai: [[1, 2]] }, 'a.ts': { text: 'y\nx', ai: [[1, 2]] } });
    const one = evaluateRiskRules(p.risk, c);
    assert.deepStrictEqual(one.map((h) => h.id), ['b-rule', 'a-rule']);
    assert.deepStrictEqual(one[1].files, [{ path: 'a.ts', lines: [[2, 2]] }, { path: 'z.ts', lines: [[1, 1]] }]);
    assert.deepStrictEqual(evaluateRiskRules(p.risk, c), one);
  });

  it('raises the review: flagged by a rule alone, at the highest level that fired', () => {
    const p = withRules([
      { id: 'infra', paths: ['infra/**'], level: 'principal', reason: 'r1' },
      { id: 'sh', paths: ['**/*.sh'], level: 'senior', reason: 'r2' },
    ]);
    const hits = evaluateRiskRules(p.risk, change({ 'infra/a.sh': { ai: [[1, 1]] } }));
    const d = decideReview(p, { addedLines: 100, nonTrivialAiLines: 1 }, hits);
    assert.strictEqual(d.flagged, true);
    assert.strictEqual(d.reviewRequired, 'principal');
    assert.deepStrictEqual(d.reasons, ['risk rule infra (principal): r1', 'risk rule sh (senior): r2']);
    const none = decideReview(p, { addedLines: 100, nonTrivialAiLines: 1 }, []);
    assert.strictEqual(none.flagged, false);
  });

  it('validates rules: levels, ids, fields, kinds', () => {
    const text = errorsOf({
      review: LEVELS,
      risk: {
        rules: [
          { id: 'a', paths: ['x/**'], level: 'staff', reason: 'r' },
          { id: 'a', paths: ['y'], level: 'senior', reason: 'r' },
          { id: 'b, c', level: 'senior', reason: '' , severity: 1 },
          { id: 'd', paths: ['a/**b'], level: 'senior', reason: 'r' },
        ],
      },
    });
    assert.match(text, /risk\.rules\[0\]\.level: expected one of the review levels \(senior, principal\), got "staff"/);
    assert.match(text, /risk\.rules\[1\]\.id: duplicate rule id "a"/);
    assert.match(text, /risk\.rules\[2\]\.id: expected a name/);
    assert.match(text, /risk\.rules\[2\]\.severity: unknown field/);
    assert.match(text, /risk\.rules\[2\]\.reason: expected a short text/);
    assert.match(text, /risk\.rules\[2\]: a rule needs at least one of paths, patterns, dependencies, untested/);
    assert.match(text, /risk\.rules\[3\]\.paths: invalid glob "a\/\*\*b"/);
    // Without review.levels there is one level: review.required (or the default, senior).
    assert.match(errorsOf({ risk: { rules: [{ id: 'x', paths: ['a'], level: 'principal', reason: 'r' }] } }), /expected one of the review levels \(senior\)/);
    assert.strictEqual(errorsOf({ risk: { rules: [{ id: 'x', paths: ['a'], level: 'senior', reason: 'r' }] } }), '');
  });
});

describe('review levels', () => {
  const p = policy({
    version: 1,
    review: {
      required: 'senior',
      levels: ['senior', 'principal'],
      reviewers: { senior: { emails: ['s@example.com'], logins: ['sen'] }, principal: { emails: ['p@example.com'], groups: ['@org/principals'], logins: ['prin'], teams: ['org/principals'] } },
    },
  });

  it('a higher level satisfies a lower one, never the reverse', () => {
    assert.strictEqual(isReviewer(p, 'senior', { email: 'p@example.com' }), true);
    assert.strictEqual(isReviewer(p, 'senior', { login: 'PRIN' }), true);
    assert.strictEqual(isReviewer(p, 'principal', { email: 's@example.com' }), false);
    assert.strictEqual(isReviewer(p, 'principal', { login: 'sen' }), false);
    assert.strictEqual(isReviewer(p, 'principal', { groups: ['org/principals'] }), true);
    assert.strictEqual(isReviewer(p, 'principal', { email: 'x@example.com', groups: ['@org/principals'] }), true);
  });

  it('a policy without levels keeps working: one level', () => {
    const q = policy({ review: { required: 'senior', reviewers: { senior: { emails: ['s@example.com'] } } } });
    assert.strictEqual(isReviewer(q, 'senior', { email: 's@example.com' }), true);
    assert.strictEqual(isReviewer(q, 'senior', { email: 'p@example.com' }), false);
  });

  it('levels are plain names: toString and __proto__ mean nothing special', () => {
    const q = policy({ review: { required: 'senior', reviewers: { senior: { emails: ['s@example.com'] } } } });
    assert.strictEqual(isReviewer(q, 'toString', { email: 's@example.com' }), false);
    assert.strictEqual(isReviewer(q, '__proto__', { email: 's@example.com' }), false);
    assert.strictEqual(isReviewer(q, 'constructor', { email: 's@example.com' }), false);
    assert.strictEqual(reviewersOf(q.review, 'toString'), undefined);
    assert.strictEqual(reviewersOf(q.review, '__proto__'), undefined);
    assert.deepStrictEqual(reviewersOf(q.review, 'senior')?.emails, ['s@example.com']);
  });

  it("a resolved policy (as a manifest stores it) may combine the settings' level with a repository's levels", () => {
    const settings = policyFromSettings({ reviewRequired: 'lead' });
    const repo = parseRepositoryPolicy(JSON.stringify({ review: { levels: ['senior', 'principal'] }, risk: { rules: [{ id: 'x', paths: ['a/**'], level: 'principal', reason: 'r' }] } }));
    assert.ok(settings.ok && repo.ok, JSON.stringify([settings, repo]));
    const resolved = resolvePolicy(settings.value, repo.value);
    assert.strictEqual(resolved.review.required, 'lead');
    const again = parsePolicy(JSON.parse(JSON.stringify(resolved)), { partial: false });
    assert.ok(again.ok, JSON.stringify(!again.ok && again.errors));
  });

  it('rejects a required level or reviewer level outside review.levels, and duplicate levels', () => {
    assert.match(errorsOf({ review: { required: 'staff', levels: ['senior', 'principal'] } }), /review\.required: 'staff' is not one of review\.levels/);
    assert.match(errorsOf({ review: { levels: ['senior', 'principal'], reviewers: { staff: { emails: ['a@b.c'] } } } }), /review\.reviewers\.staff: 'staff' is not one of review\.levels/);
    assert.match(errorsOf({ review: { levels: ['senior', 'senior'] } }), /review\.levels: names a level twice/);
  });
});

describe('path globs', () => {
  it('match as documented', () => {
    const t = (g: string, p: string): boolean => globToRegExp(g).test(p);
    assert.ok(t('infra/**', 'infra/a/b.sh'));
    assert.ok(!t('infra/**', 'src/infra/a.sh'));
    assert.ok(t('**/auth/**', 'auth/x.ts') && t('**/auth/**', 'src/auth/x.ts'));
    assert.ok(t('*.lock', 'a/b/yarn.lock') && !t('*.lock', 'a/lock'));
    assert.ok(t('src/*.{ts,js}', 'src/a.js') && !t('src/*.ts', 'src/a/b.ts'));
    assert.ok(t('requirements*.txt', 'requirements-dev.txt'));
  });
});
