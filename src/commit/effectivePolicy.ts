import { PolicySource } from '../core/manifest/schema';
import { POLICY_FILE, PartialPolicy, Policy, formatPolicyErrors, parseRepositoryPolicy, policyFromSettings, resolvePolicy } from '../core/policy/policy';
import { GitResult, runGit } from '../git/git';

/** Values of `aiProvenance.policy.*` the user set explicitly (undefined when not set). */
export interface PolicySettings {
  readonly nonTrivialLines?: unknown;
  readonly percentOfAddedLines?: unknown;
  readonly trivialKinds?: unknown;
  readonly trivialMaxCharacters?: unknown;
  readonly reviewRequired?: unknown;
}

export interface EffectivePolicy {
  readonly source: PolicySource;
  readonly value: Policy;
  /** Problems found (invalid settings, invalid repository file), one message per line. */
  readonly problems: readonly string[];
  /** The repository file's text when it was present but invalid (to warn once per content). */
  readonly invalidRepositoryText?: string;
}

/**
 * The policy the commit flow applies in a repository: defaults, under the user's explicit
 * settings, under the `.ai-provenance.json` committed at HEAD (committed, so that what a change
 * is measured by is what the team agreed on, not an uncommitted edit). A bad repository file is
 * reported and the settings apply instead; bad settings values are reported and ignored.
 */
/** The `.ai-provenance.json` committed at HEAD (`git show`; exit code 128 when there is none). */
export function readCommittedPolicy(root: string): Promise<GitResult> {
  return runGit(['show', `HEAD:${POLICY_FILE}`], { cwd: root, okCodes: [128] });
}

/** `committed`: {@link readCommittedPolicy} of the repository, when the caller started it already. */
export async function effectivePolicy(root: string, settings: PolicySettings, committed?: Promise<GitResult>): Promise<EffectivePolicy> {
  const problems: string[] = [];
  const s = policyFromSettings(settings);
  let settingsLayer: PartialPolicy | undefined;
  if (s.ok) settingsLayer = s.value;
  else problems.push(formatPolicyErrors('settings aiProvenance.policy', s.errors));
  const hasSettings = !!settingsLayer && Object.keys(settingsLayer).length > 0;

  const r = await (committed ?? readCommittedPolicy(root));
  if (r.code === 0) {
    const text = r.stdout.toString('utf8');
    const parsed = parseRepositoryPolicy(text);
    if (parsed.ok) return { source: 'repository', value: resolvePolicy(settingsLayer, parsed.value), problems };
    problems.push(`${formatPolicyErrors(POLICY_FILE, parsed.errors)}\n${POLICY_FILE} is ignored; ${hasSettings ? 'your settings apply' : 'the default policy applies'}`);
    return { source: hasSettings ? 'settings' : 'default', value: resolvePolicy(settingsLayer), problems, invalidRepositoryText: text };
  }
  return { source: hasSettings ? 'settings' : 'default', value: resolvePolicy(settingsLayer), problems };
}
