import * as assert from 'assert';
import {
  DEFAULT_POLICY,
  evaluatePolicy,
  formatPolicyErrors,
  isReviewer,
  isTrivialEdit,
  parsePolicy,
  parseRepositoryPolicy,
  policyFromSettings,
  resolvePolicy,
} from '../../../../src/core/policy/policy';

describe('policy', () => {
  it('defaults: flag at 3 non-trivial AI lines or 10% of added lines', () => {
    const p = resolvePolicy();
    assert.deepStrictEqual(evaluatePolicy(p, { addedLines: 100, nonTrivialAiLines: 2 }).flagged, false);
    const three = evaluatePolicy(p, { addedLines: 100, nonTrivialAiLines: 3 });
    assert.strictEqual(three.flagged, true);
    assert.strictEqual(three.reviewRequired, 'senior');
    assert.strictEqual(evaluatePolicy(p, { addedLines: 10, nonTrivialAiLines: 1 }).flagged, true, '10% of 10');
    assert.strictEqual(evaluatePolicy(p, { addedLines: 11, nonTrivialAiLines: 1 }).flagged, false, '9% of 11');
    assert.strictEqual(evaluatePolicy(p, { addedLines: 50, nonTrivialAiLines: 0 }).flagged, false);
  });

  it('trivial: single-line inline completions under 40 characters', () => {
    const r = DEFAULT_POLICY.trivial;
    assert.strictEqual(isTrivialEdit(r, 'inline', 'x'.repeat(39)), true);
    assert.strictEqual(isTrivialEdit(r, 'inline', 'x'.repeat(40)), false);
    assert.strictEqual(isTrivialEdit(r, 'inlinePartial', 'foo('), true);
    assert.strictEqual(isTrivialEdit(r, 'inline', 'a\nb'), false);
    assert.strictEqual(isTrivialEdit(r, 'chat', 'a'), false);
  });

  it('layers: repository over settings over defaults, field by field', () => {
    const settings = policyFromSettings({ nonTrivialLines: 5, reviewRequired: 'lead' });
    assert.ok(settings.ok);
    const repo = parseRepositoryPolicy('{"version":1,"threshold":{"percentOfAddedLines":25},"review":{"reviewers":{"senior":{"emails":["a@b.c"],"groups":["core"]}}}}');
    assert.ok(repo.ok);
    const p = resolvePolicy(settings.ok ? settings.value : undefined, repo.ok ? repo.value : undefined);
    assert.deepStrictEqual(p.threshold, { nonTrivialLines: 5, percentOfAddedLines: 25 });
    assert.strictEqual(p.review.required, 'lead');
    assert.strictEqual(p.trivial.maxCharacters, 40);
    assert.strictEqual(isReviewer(p, 'senior', { email: 'A@B.C' }), true);
    assert.strictEqual(isReviewer(p, 'senior', { email: 'x@b.c', groups: ['core'] }), true);
    assert.strictEqual(isReviewer(p, 'senior', { email: 'x@b.c' }), false);
    assert.strictEqual(isReviewer(p, 'lead', { email: 'a@b.c' }), false);
  });

  it('rejects bad repository files with clear errors', () => {
    const bad = parseRepositoryPolicy('{"threshold":{"nonTrivialLines":"3","percent":1},"trivial":{"kinds":["inline","human"]}}');
    assert.strictEqual(bad.ok, false);
    const text = formatPolicyErrors('.ai-provenance.json', bad.ok ? [] : bad.errors);
    assert.match(text, /\.ai-provenance\.json: threshold\.nonTrivialLines: expected a non-negative integer, got "3"/);
    assert.match(text, /threshold\.percent: unknown field/);
    assert.match(text, /trivial\.kinds: unknown or non-AI kinds "human"/);
    const json = parseRepositoryPolicy('{ nope');
    assert.strictEqual(json.ok, false);
    assert.match(json.ok ? '' : json.errors[0].message, /not valid JSON/);
    const email = parseRepositoryPolicy('{"review":{"reviewers":{"senior":{"emails":["nobody"]}}}}');
    assert.match(email.ok ? '' : email.errors[0].path, /review\.reviewers\.senior\.emails/);
  });

  it('a full policy requires every field', () => {
    assert.strictEqual(parsePolicy(resolvePolicy(), { partial: false }).ok, true);
    const r = parsePolicy({ threshold: { nonTrivialLines: 3 } }, { partial: false });
    assert.strictEqual(r.ok, false);
    assert.ok(!r.ok && r.errors.some((e) => e.path === 'threshold.percentOfAddedLines'));
    assert.ok(!r.ok && r.errors.some((e) => e.path === 'review'));
  });

  it('declaration.required: off by default, set by a layer, checked, and optional in a full policy (manifests written before it)', () => {
    assert.deepStrictEqual(resolvePolicy().declaration, { required: false });
    const repo = parseRepositoryPolicy('{"version":1,"declaration":{"required":true}}');
    assert.ok(repo.ok);
    assert.deepStrictEqual(resolvePolicy(repo.ok ? repo.value : undefined).declaration, { required: true });
    assert.deepStrictEqual(resolvePolicy({ declaration: { required: true } }, { declaration: {} }).declaration, { required: true }, 'a later layer without the field keeps it');
    assert.deepStrictEqual(resolvePolicy({ declaration: { required: true } }, { declaration: { required: false } }).declaration, { required: false });

    const bad = parseRepositoryPolicy('{"declaration":{"required":"yes","strict":true}}');
    const text = formatPolicyErrors('.ai-provenance.json', bad.ok ? [] : bad.errors);
    assert.match(text, /declaration\.required: expected true or false, got "yes"/);
    assert.match(text, /declaration\.strict: unknown field/);
    const notObject = parseRepositoryPolicy('{"declaration":true}');
    assert.match(formatPolicyErrors('p', notObject.ok ? [] : notObject.errors), /declaration: expected an object/);

    const { declaration: _omitted, ...older } = resolvePolicy();
    const full = parsePolicy(older, { partial: false });
    assert.ok(full.ok, 'a full policy without declaration is valid');
    assert.deepStrictEqual(full.ok && full.value.declaration, { required: false });
    const noField = parsePolicy({ ...older, declaration: {} }, { partial: false });
    assert.ok(!noField.ok && noField.errors.some((e) => e.path === 'declaration.required'), 'a declaration section in a full policy must say whether it is required');
  });

  it('review.required null means flagged changes need no review trailer', () => {
    const p = resolvePolicy({ review: { required: null } });
    const d = evaluatePolicy(p, { addedLines: 3, nonTrivialAiLines: 3 });
    assert.strictEqual(d.flagged, true);
    assert.strictEqual(d.reviewRequired, undefined);
  });
});
