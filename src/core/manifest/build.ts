import { Policy } from '../policy/policy';
import { decideReview } from '../policy/reviewDecision';
import { evaluateRiskRules } from '../policy/riskRules';
import { CONVERSATIONS_VERSION, DEFAULT_PROMPT_MODE, PromptMode, withPromptMode } from './conversations';
import { MANIFEST_SCHEMA, MANIFEST_VERSION, Manifest, ManifestFile, PolicySource, computeTotals } from './schema';

export interface BuildManifestInput {
  /** UUID v4 (reuse the id of an equal pending manifest, see {@link sameClaims}). */
  readonly id: string;
  readonly createdAt: string;
  readonly generator: { readonly name: string; readonly version: string };
  readonly base: string | null;
  readonly policy: Policy;
  readonly policySource: PolicySource;
  readonly files: readonly ManifestFile[];
  /** Committed text of the files with AI ranges, for risk rules with patterns (see `riskRules.ts`). */
  readonly texts?: ReadonlyMap<string, string>;
  /** What of the prompts goes into the manifest (`aiProvenance.manifest.prompts`; default `hash`). */
  readonly prompts?: PromptMode;
}

/** Assembles a manifest: files sorted by path, totals summed, the policy's verdict (risk rules included) applied. */
export function buildManifest(input: BuildManifestInput): Manifest {
  const mode = input.prompts ?? DEFAULT_PROMPT_MODE;
  const files = [...input.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => (f.conversations ? { ...f, conversations: f.conversations.map((c) => withPromptMode(c, mode)) } : f));
  const withConversations = files.some((f) => f.conversations?.length);
  const totals = computeTotals(files);
  const risk = evaluateRiskRules(input.policy.risk, { files, texts: input.texts ?? new Map() });
  const decision = decideReview(input.policy, totals, risk);
  return {
    schema: MANIFEST_SCHEMA,
    version: MANIFEST_VERSION,
    id: input.id,
    createdAt: input.createdAt,
    generator: { name: input.generator.name, version: input.generator.version },
    base: input.base,
    flagged: decision.flagged,
    ...(decision.reviewRequired ? { reviewRequired: decision.reviewRequired } : {}),
    ...(risk.length ? { risk } : {}),
    policy: { source: input.policySource, value: input.policy },
    totals,
    files,
    ...(withConversations ? { prompts: { version: CONVERSATIONS_VERSION, mode } } : {}),
  };
}

/**
 * True when two manifests make the same claims (everything but `id` and `createdAt`): a pending
 * manifest that is still accurate keeps its id, so recomputing never creates a second one.
 */
export function sameClaims(a: Manifest, b: Manifest): boolean {
  const strip = (m: Manifest): string => JSON.stringify({ ...m, id: '', createdAt: '' });
  return strip(a) === strip(b);
}
