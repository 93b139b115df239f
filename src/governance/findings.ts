import type { RiskHit } from '../core/policy/riskRules';

/** What `verify` reports: one finding per problem, tied to a commit and, when known, a file and line. */

export type Severity = 'error' | 'warning' | 'note';

export const RULES = {
  'declaration-missing': 'Commit does not declare AI-Assisted although the policy requires a declaration',
  'trailer-malformed': 'A provenance trailer cannot be read',
  'manifest-missing': 'Commit declares AI assistance but its provenance manifest cannot be found',
  'manifest-invalid': 'Provenance manifest is not valid',
  'manifest-mismatch': 'Provenance manifest does not belong to this commit',
  'file-missing': 'A file listed in the manifest is not in the commit',
  'file-hash-mismatch': 'The committed content of a file differs from the hash in the manifest',
  'range-invalid': 'An AI line range of the manifest is outside the committed file',
  'range-hash-mismatch': 'The committed text of an AI line range differs from the hash in the manifest',
  'totals-mismatch': 'Manifest totals do not add up from its files and ranges',
  'counts-mismatch': "Added lines or characters in the manifest differ from git's diff of the commit",
  'skip-mismatch': 'A file the manifest says was not analysed (binary, too large, symlink, submodule, not UTF-8) is not what it says',
  'trivial-mismatch': 'AI lines are marked trivial although the policy does not let edits of their kind be trivial',
  'file-unlisted': 'A file the commit changes is not listed in its manifest',
  'manifest-conflict': 'Several manifests of the commit (committed files, note) disagree',
  'trailer-mismatch': 'Commit trailers disagree with the provenance manifest',
  'review-missing': 'Flagged change lacks the review the policy requires',
  'risk-undeclared': 'A risk rule of the policy fires on the commit but its record does not declare it (or declares a lower review level)',
  'policy-invalid': 'The provenance policy cannot be read',
} as const;

export type RuleId = keyof typeof RULES;

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  /** Full commit id. */
  readonly commit: string;
  readonly message: string;
  /** Repository-relative path, when the finding is about a file. */
  readonly file?: string;
  /** 1-based line. */
  readonly line?: number;
  readonly endLine?: number;
  /**
   * For a finding about the whole commit (no `file`): a file of the commit to attach it to where
   * a location is mandatory (SARIF for GitHub code scanning): the file with the most AI lines,
   * else the committed manifest, else the first file the commit changes.
   */
  readonly anchor?: string;
}

export type CommitStatus = 'pass' | 'fail' | 'skip';

export interface CommitReport {
  readonly sha: string;
  readonly subject: string;
  readonly author: string;
  readonly authorEmail: string;
  readonly date: string;
  /** pass: all checks met; fail: an error finding; skip: nothing to check (e.g. undeclared and not required). */
  readonly status: CommitStatus;
  /** `yes`, `no`, or undefined when the commit declares nothing. */
  readonly aiAssisted?: string;
  /** Raw AI-Contribution trailer value. */
  readonly contribution?: string;
  /** Where the manifest came from: `file:<path>`, `note:<ref>`, or undefined. */
  readonly manifestSource?: string;
  readonly reviewRequired?: string;
  /** The review level the policy in force requires of this commit (recomputed, risk rules included), if any. */
  readonly requiredLevel?: string;
  /** The risk rules of the policy in force that fire on this commit (recomputed). */
  readonly risk?: readonly RiskHit[];
  readonly findings: Finding[];
}

export interface VerifyReport {
  readonly range: string;
  readonly policySource: string;
  readonly commits: CommitReport[];
  readonly summary: { commits: number; passed: number; failed: number; skipped: number; errors: number; warnings: number };
}

export function summarize(commits: CommitReport[]): VerifyReport['summary'] {
  let errors = 0;
  let warnings = 0;
  for (const c of commits) {
    for (const f of c.findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
    }
  }
  return {
    commits: commits.length,
    passed: commits.filter((c) => c.status === 'pass').length,
    failed: commits.filter((c) => c.status === 'fail').length,
    skipped: commits.filter((c) => c.status === 'skip').length,
    errors,
    warnings,
  };
}
