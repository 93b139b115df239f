/**
 * `verify`'s risk check: recomputes which risk rules of the policy in force fire on a commit, from
 * its committed text and the AI lines its manifest lists (whose hashes the content check has
 * verified), and reports a commit whose record declares less: a rule that fires but is in neither
 * its manifest nor its `AI-Risk` trailer, or a `Review-Required` below what the rules require.
 */
import { MANIFEST_DIR, Manifest } from '../core/manifest/schema';
import { highestLevel, orderedLevels, satisfiesLevel } from '../core/policy/levels';
import { Policy } from '../core/policy/policy';
import { RiskHit, evaluateRiskRules, formatHitLines } from '../core/policy/riskRules';
import { TRAILER_AI_RISK, TRAILER_REVIEW_REQUIRED } from '../core/trailers/trailers';
import { CommitProvenance, trailerValues } from './commitProvenance';
import { RuleId, Severity } from './findings';
import { GitRepo } from './git';

type Add = (rule: RuleId, message: string, extra?: { severity?: Severity; file?: string; line?: number; endLine?: number }) => void;

/** The rules that fire on the commit; under-declarations are reported through `add`. */
export function checkRisk(repo: GitRepo, p: CommitProvenance, m: Manifest, policy: Policy, add: Add): RiskHit[] {
  if (!policy.risk?.rules.length) return [];
  const sha = p.info.sha;
  const texts = new Map<string, string>();
  for (const f of m.files) {
    if (!f.ranges.length) continue;
    const blob = repo.blob(sha, f.path);
    if (blob) texts.set(f.path, blob.toString('utf8'));
  }
  const otherPaths = repo
    .changedPaths(sha, p.info.parents[0])
    .filter((path) => !path.startsWith(`${MANIFEST_DIR}/`));
  const hits = evaluateRiskRules(policy.risk, { files: m.files, otherPaths, texts });

  const declared = new Set<string>([
    ...(m.risk ?? []).map((h) => h.id),
    ...trailerValues(p.trailers, TRAILER_AI_RISK).flatMap((v) => v.split(',').map((s) => s.trim())),
  ]);
  for (const h of hits) {
    if (declared.has(h.id)) continue;
    const first = h.files[0];
    add(
      'risk-undeclared',
      `risk rule '${h.id}' (${h.level}) fires on ${formatHitLines(h) || h.dependencyFiles?.join(', ')} but the commit does not declare it (${TRAILER_AI_RISK}); reason: ${h.reason}`,
      first ? { file: first.path, line: first.lines[0][0], endLine: first.lines[0][1] } : {},
    );
  }
  if (hits.length) {
    const levels = orderedLevels(policy.review);
    const need = highestLevel(levels, hits.map((h) => h.level));
    const said = trailerValues(p.trailers, TRAILER_REVIEW_REQUIRED);
    const have = said[said.length - 1] ?? m.reviewRequired;
    if (need && (!have || !satisfiesLevel(levels, have, need))) {
      const by = hits.filter((h) => h.level === need).map((h) => h.id).join(', ');
      add('risk-undeclared', `risk rules (${by}) require '${need}' review but the commit declares ${have ? `${TRAILER_REVIEW_REQUIRED}: ${have}` : `no ${TRAILER_REVIEW_REQUIRED}`}`);
    }
  }
  return hits;
}
