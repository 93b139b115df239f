import { highestLevel, orderedLevels } from './levels';
import { Policy, PolicyDecision, evaluatePolicy } from './policy';
import { RiskHit } from './riskRules';

/**
 * The verdict with risk rules: flagged by the threshold or by any rule that fired; the level is
 * the highest of `review.required` and the levels of the rules that fired.
 */
export function decideReview(policy: Policy, counts: { addedLines: number; nonTrivialAiLines: number }, hits: readonly RiskHit[]): PolicyDecision {
  const base = evaluatePolicy(policy, counts);
  if (!hits.length) return base;
  const reasons = [...base.reasons, ...hits.map((h) => `risk rule ${h.id} (${h.level}): ${h.reason}`)];
  const level = highestLevel(orderedLevels(policy.review), [policy.review.required, ...hits.map((h) => h.level)]);
  return { flagged: true, reasons, ...(level ? { reviewRequired: level } : {}), risk: hits };
}
