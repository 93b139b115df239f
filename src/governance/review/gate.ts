import type { CommitReport } from '../findings';
import type { Manifest } from '../../core/manifest/schema';
import { highestLevel, levelsMeeting, orderedLevels, reviewersOf, satisfiesLevel } from '../../core/policy/levels';
import { Policy, isReviewer } from '../../core/policy/policy';
import { decideReview } from '../../core/policy/reviewDecision';
import { RiskHit } from '../../core/policy/riskRules';
import { ApprovalVerdict } from './approvals';

/**
 * The pull-request gate (`ai-provenance review`): from `verify`'s report of the range, the
 * commits' manifests, the policy and the platform's approvals, decides whether the pull request
 * has the review its AI changes need. Pure; no `vscode` import.
 *
 * - The required level is the highest level any commit of the range needs (threshold and risk
 *   rules, recomputed by `verify` under the policy in force).
 * - A commit's review is met by its own `Reviewed-by:` trailers (what `verify` checks) or by a
 *   counted platform approval from a reviewer of its level or a higher one (logins in the
 *   policy's `reviewers.<level>.logins`, or members of its `teams`/`groups` through the groups
 *   file).
 * - Any other error `verify` reports (a tampered manifest, an under-declared risk rule) blocks.
 */

export interface GateInput {
  readonly commits: readonly CommitReport[];
  readonly manifests: ReadonlyMap<string, Manifest>;
  readonly policy: Policy;
  readonly approvals: readonly ApprovalVerdict[];
  /** Group or team name → members (logins or e-mails). */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /** The pull request's author, left out of the reviewers to request. */
  readonly author?: string;
}

export interface FlaggedCommit {
  readonly sha: string;
  readonly subject: string;
  readonly level?: string;
  readonly reasons: readonly string[];
  readonly risk: readonly RiskHit[];
  /** How its review is met, or undefined when it is not. */
  readonly metBy?: string;
}

export interface GateResult {
  readonly verdict: 'ok' | 'blocked';
  /** Highest level the range needs (undefined: no review needed). */
  readonly requiredLevel?: string;
  readonly flagged: readonly FlaggedCommit[];
  /** Counted approvals with the highest level each reviewer holds (undefined: none of the policy's). */
  readonly approvers: readonly { readonly login: string; readonly level?: string }[];
  readonly ignored: readonly { readonly login: string; readonly why: string }[];
  readonly missing: readonly string[];
  /** Whom to ask: the required level's users and teams (or the next level up that lists any). */
  readonly request: { readonly users: readonly string[]; readonly teams: readonly string[] };
}

export function decideGate(input: GateInput): GateResult {
  const { policy } = input;
  const levels = orderedLevels(policy.review);
  const groupsOf = (login: string): string[] =>
    Object.entries(input.groups ?? {})
      .filter(([, members]) => members.some((m) => m.toLowerCase() === login.toLowerCase()))
      .map(([g]) => g);
  const counted = input.approvals.filter((a) => a.counted).map((a) => a.login);
  const levelOf = (login: string): string | undefined => {
    const held = [...levels, ...Object.keys(policy.review.reviewers).filter((l) => !levels.includes(l))].filter((l) =>
      isReviewer(policy, l, { login, groups: groupsOf(login) }),
    );
    return highestLevel(levels, held);
  };
  const approvers = counted.map((login) => ({ login, level: levelOf(login) }));
  const meets = (need: string): string | undefined => approvers.find((a) => a.level && satisfiesLevel(levels, a.level, need))?.login;

  const missing: string[] = [];
  const flagged: FlaggedCommit[] = [];
  for (const c of input.commits) {
    const m = input.manifests.get(c.sha);
    const risk = c.risk ?? [];
    const level = c.requiredLevel;
    const reviewMissing = c.findings.filter((f) => f.rule === 'review-missing' && f.severity === 'error');
    for (const f of c.findings) {
      if (f.severity === 'error' && f.rule !== 'review-missing') missing.push(`${c.sha.slice(0, 12)} ${c.subject}: [${f.rule}] ${f.message}`);
    }
    if (!level && !(m && m.flagged)) continue;
    const reasons = m ? decideReview(policy, m.totals, risk).reasons : [];
    let metBy: string | undefined;
    if (level) {
      if (!reviewMissing.length) metBy = 'Reviewed-by trailer';
      else {
        const login = meets(level);
        if (login) metBy = `approval by @${login}`;
        else missing.push(`${c.sha.slice(0, 12)} ${c.subject}: needs an approval from a '${level}' reviewer (or a higher level)`);
      }
    }
    flagged.push({ sha: c.sha, subject: c.subject, ...(level ? { level } : {}), reasons, risk, ...(metBy ? { metBy } : {}) });
  }
  const requiredLevel = highestLevel(levels, input.commits.map((c) => c.requiredLevel));
  const ignored = input.approvals.filter((a): a is Extract<ApprovalVerdict, { counted: false }> => !a.counted).map((a) => ({ login: a.login, why: a.why }));
  for (const a of approvers) if (!a.level) ignored.push({ login: a.login, why: 'not a reviewer of any level in the policy' });
  return {
    verdict: missing.length ? 'blocked' : 'ok',
    ...(requiredLevel ? { requiredLevel } : {}),
    flagged,
    approvers: approvers.filter((a) => a.level),
    ignored,
    missing,
    request: requiredLevel ? reviewersToRequest(policy, requiredLevel, input.author) : { users: [], teams: [] },
  };
}

/** The users and teams listed for `level`, or for the lowest higher level that lists any; never the author. */
export function reviewersToRequest(policy: Policy, level: string, author?: string): { users: string[]; teams: string[] } {
  for (const l of levelsMeeting(policy.review, level)) {
    const set = reviewersOf(policy.review, l);
    const users = (set?.logins ?? []).filter((u) => u.toLowerCase() !== author?.toLowerCase());
    const teams = [...(set?.teams ?? [])];
    if (users.length || teams.length) return { users, teams };
  }
  return { users: [], teams: [] };
}
