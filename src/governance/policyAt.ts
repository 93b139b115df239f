/**
 * The policy in force for a commit that verify checks: the fixed layer given on the command line,
 * or the commit's own `.ai-provenance.json` over the defaults (the defaults when it has none).
 */
import { DEFAULT_POLICY, POLICY_FILE, Policy, formatPolicyErrors, parseRepositoryPolicy, resolvePolicy } from '../core/policy/policy';
import { GitRepo } from './git';
import type { VerifyOptions } from './verify';

export function loadPolicy(repo: GitRepo, sha: string, options: Pick<VerifyOptions, 'policy'>): { policy: Policy } | { error: string } {
  if (options.policy) return { policy: resolvePolicy(options.policy.layer) };
  const blob = repo.blob(sha, POLICY_FILE);
  if (!blob) return { policy: resolvePolicy(DEFAULT_POLICY) };
  const text = blob.toString('utf8');
  // A range's commits mostly share one policy file: each text is parsed once (a few are kept).
  const known = policyOfText.get(text);
  if (known) return known;
  const parsed = parseRepositoryPolicy(text);
  const result = parsed.ok ? { policy: resolvePolicy(parsed.value) } : { error: `policy cannot be read: ${formatPolicyErrors(POLICY_FILE, parsed.errors).replace(/\n/g, '; ')}` };
  if (policyOfText.size >= POLICY_TEXTS_KEPT) policyOfText.delete(policyOfText.keys().next().value as string);
  policyOfText.set(text, result);
  return result;
}

/** {@link loadPolicy} of the policy texts read last (the policy is read, never changed, by the checks). */
const policyOfText = new Map<string, { policy: Policy } | { error: string }>();
const POLICY_TEXTS_KEPT = 8;
