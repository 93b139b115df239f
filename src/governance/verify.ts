/**
 * The checks behind `ai-provenance verify`: for each commit of a range, the manifest must
 * match the committed content, the trailers must match the manifest, and the policy's review
 * requirement must be met.
 */
import {
  MANIFEST_DIR,
  MANIFEST_NOTES_REF,
  Manifest,
  computeTotals,
  rangeText,
  sha256Hex,
} from '../core/manifest/schema';
import {
  DEFAULT_POLICY,
  POLICY_FILE,
  PartialPolicy,
  Policy,
  formatPolicyErrors,
  isReviewer,
  parseRepositoryPolicy,
  resolvePolicy,
} from '../core/policy/policy';
import { TRAILER_AI_ASSISTED, TRAILER_ASSISTED_BY, TRAILER_CONTRIBUTION, TRAILER_PROVENANCE, TRAILER_REVIEW_REQUIRED, Trailer } from '../core/trailers/trailers';
import { CommitProvenance, forEachCommitProvenance, loadCommitProvenance, trailerValues } from './commitProvenance';
import { CommitReport, Finding, RuleId, Severity, VerifyReport, summarize } from './findings';
import { GitRepo } from './git';
import { levelsMeeting, reviewersOf } from '../core/policy/levels';
import { decideReview } from '../core/policy/reviewDecision';
import { RiskHit } from '../core/policy/riskRules';
import { checkRisk } from './riskCheck';

/** Trailers a manifest implies (the commit flow's `trailersForManifest`). */
export type ExpectedTrailers = (manifest: Manifest) => Trailer[];

export interface VerifyOptions {
  readonly notesRef?: string;
  /** A fixed policy layer for every commit (from --policy or --policy-rev); otherwise each commit's own `.ai-provenance.json`. */
  readonly policy?: { readonly source: string; readonly layer: PartialPolicy };
  /** Every non-merge commit must carry an AI-Assisted trailer. */
  readonly requireDeclaration?: boolean;
  /** Trailer keys that record a review (default `Reviewed-by`). */
  readonly reviewTrailers?: readonly string[];
  /** Group name → member e-mails, to match reviewers against the policy's `groups`. */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /** Let the commit's author count as its own reviewer (off by default). */
  readonly allowSelfReview?: boolean;
  readonly expectedTrailers: ExpectedTrailers;
}

export async function verifyRange(repo: GitRepo, range: string[], options: VerifyOptions): Promise<VerifyReport> {
  const shas = repo.revList(range);
  const commits: CommitReport[] = [];
  await forEachCommitProvenance(repo, shas, options.notesRef ?? MANIFEST_NOTES_REF, { content: true, addedLines: true }, (p) => {
    commits.push(checkCommit(repo, p, options));
  });
  return {
    range: range.join(' '),
    policySource: options.policy?.source ?? `${POLICY_FILE} at each commit`,
    commits,
    summary: summarize(commits),
  };
}

export async function verifyCommit(repo: GitRepo, sha: string, options: VerifyOptions): Promise<CommitReport> {
  return checkCommit(repo, await loadCommitProvenance(repo, sha, options.notesRef ?? MANIFEST_NOTES_REF), options);
}

function checkCommit(repo: GitRepo, p: CommitProvenance, options: VerifyOptions): CommitReport {
  const notesRef = options.notesRef ?? MANIFEST_NOTES_REF;
  const findings: Finding[] = [];
  const add = (rule: RuleId, message: string, extra: { severity?: Severity; file?: string; line?: number; endLine?: number } = {}) =>
    findings.push({ rule, severity: extra.severity ?? 'error', commit: p.info.sha, message, file: extra.file, line: extra.line, endLine: extra.endLine });

  const assisted = trailerValues(p.trailers, TRAILER_AI_ASSISTED);
  const ids = trailerValues(p.trailers, TRAILER_PROVENANCE);
  const isMerge = p.info.parents.length > 1;
  let declared: string | undefined;
  if (assisted.length > 1) add('trailer-malformed', `${TRAILER_AI_ASSISTED} appears ${assisted.length} times`);
  if (assisted.length > 0) {
    declared = assisted[assisted.length - 1];
    if (declared !== 'yes' && declared !== 'no') add('trailer-malformed', `${TRAILER_AI_ASSISTED} is '${declared}', expected 'yes' or 'no'`);
  }
  if (ids.length > 1) add('trailer-malformed', `${TRAILER_PROVENANCE} appears ${ids.length} times`);

  // The policy in force for this commit, read once and only when a check needs it; a policy that
  // cannot be read is reported once.
  let policyResult: ReturnType<typeof loadPolicy> | undefined;
  const policy = (): Policy | undefined => {
    if (!policyResult) {
      policyResult = loadPolicy(repo, p.info.sha, options);
      if ('error' in policyResult) add('policy-invalid', policyResult.error, { file: POLICY_FILE });
    }
    return 'policy' in policyResult ? policyResult.policy : undefined;
  };

  // Declaration: required by --require-declaration, or by the policy (declaration.required).
  if (assisted.length === 0 && !p.raw && !isMerge) {
    const by = options.requireDeclaration ? '--require-declaration' : policy()?.declaration.required ? `declaration.required in ${policySource(p.info.sha, options)}` : undefined;
    if (by) add('declaration-missing', `commit declares no ${TRAILER_AI_ASSISTED} trailer (required by ${by})`);
  }

  // Manifest presence.
  // Figures or a review level without a manifest are claims nobody can check either.
  const needsManifest =
    declared === 'yes' || ids.length > 0 || trailerValues(p.trailers, TRAILER_CONTRIBUTION).length > 0 || trailerValues(p.trailers, TRAILER_REVIEW_REQUIRED).length > 0;
  if (!p.raw) {
    if (needsManifest) {
      let where = p.manifestId ? `neither ${MANIFEST_DIR}/${p.manifestId}.json in the commit nor a note under ${notesRef}` : `no note under ${notesRef}`;
      if (!repo.refExists(notesRef)) where += `; ${notesRef} does not exist in this clone: fetch it with git fetch origin '+${notesRef}:${notesRef}'`;
      const claim =
        declared === 'yes'
          ? `${TRAILER_AI_ASSISTED}: yes`
          : p.manifestId
            ? `${TRAILER_PROVENANCE}: ${p.manifestId}`
            : `${trailerValues(p.trailers, TRAILER_CONTRIBUTION).length ? TRAILER_CONTRIBUTION : TRAILER_REVIEW_REQUIRED} trailers`;
      add('manifest-missing', `commit declares ${claim} but has no provenance manifest (${where})`);
    }
  } else if (p.manifestErrors) {
    const shown = p.manifestErrors.slice(0, 5).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
    const more = p.manifestErrors.length > 5 ? ` (and ${p.manifestErrors.length - 5} more)` : '';
    add('manifest-invalid', `manifest (${p.raw.source}) is invalid: ${shown.join('; ')}${more}`, manifestLocation(p));
  }

  const m = p.manifest;
  if (m) {
    if (checkIdentity(repo, p, m, add)) {
      checkContent(repo, p, m, add);
      checkTrailers(p, m, options.expectedTrailers, add);
    }
    const inForce = policy();
    if (inForce) checkReview(p, m, inForce, checkRisk(repo, p, m, inForce, add), options, add);
  }

  if (findings.some((f) => !f.file)) {
    const anchor = anchorFile(repo, p);
    for (let i = 0; i < findings.length; i++) if (!findings[i].file) findings[i] = { ...findings[i], anchor };
  }

  const hasError = findings.some((f) => f.severity === 'error');
  const checked = !!p.raw || assisted.length > 0 || findings.length > 0;
  const contribution = trailerValues(p.trailers, TRAILER_CONTRIBUTION);
  const review = trailerValues(p.trailers, TRAILER_REVIEW_REQUIRED);
  return {
    sha: p.info.sha,
    subject: p.info.subject,
    author: p.info.authorName,
    authorEmail: p.info.authorEmail,
    date: p.info.authorDate,
    status: hasError ? 'fail' : checked ? 'pass' : 'skip',
    aiAssisted: declared,
    contribution: contribution[contribution.length - 1],
    manifestSource: p.raw?.source,
    reviewRequired: review[review.length - 1] ?? m?.reviewRequired,
    findings,
  };
}

/** See {@link Finding.anchor}. */
function anchorFile(repo: GitRepo, p: CommitProvenance): string {
  const files = p.manifest ? [...p.manifest.files].filter((f) => f.status !== 'deleted').sort((a, b) => b.aiLines - a.aiLines) : [];
  if (files.length && files[0].aiLines > 0) return files[0].path;
  if (p.raw?.source.startsWith('file:')) return p.raw.source.slice('file:'.length);
  const changed = repo.addedLines(p.info.sha, p.info.parents[0]).find((c) => !c.path.startsWith(`${MANIFEST_DIR}/`) && repo.blob(p.info.sha, c.path));
  return changed?.path ?? files[0]?.path ?? POLICY_FILE;
}

type Add = (rule: RuleId, message: string, extra?: { severity?: Severity; file?: string; line?: number; endLine?: number }) => void;

function manifestLocation(p: CommitProvenance): { file?: string } {
  return p.raw?.source.startsWith('file:') ? { file: p.raw.source.slice('file:'.length) } : {};
}

/** Where the policy of a commit comes from, for messages. */
function policySource(sha: string, options: VerifyOptions): string {
  return options.policy?.source ?? `${POLICY_FILE} at ${sha.slice(0, 12)}`;
}

function loadPolicy(repo: GitRepo, sha: string, options: VerifyOptions): { policy: Policy } | { error: string } {
  if (options.policy) return { policy: resolvePolicy(options.policy.layer) };
  const blob = repo.blob(sha, POLICY_FILE);
  if (!blob) return { policy: resolvePolicy(DEFAULT_POLICY) };
  const parsed = parseRepositoryPolicy(blob.toString('utf8'));
  if (!parsed.ok) return { error: `policy cannot be read: ${formatPolicyErrors(POLICY_FILE, parsed.errors).replace(/\n/g, '; ')}` };
  return { policy: resolvePolicy(parsed.value) };
}

/** Returns false when the manifest plainly belongs to another commit (further checks are moot). */
function checkIdentity(repo: GitRepo, p: CommitProvenance, m: Manifest, add: Add): boolean {
  if (p.manifestId === undefined) {
    add('trailer-mismatch', `a manifest (${p.raw?.source}) is attached but the commit has no ${TRAILER_PROVENANCE} trailer naming it`);
  } else if (p.manifestId !== m.id) {
    add('manifest-mismatch', `${TRAILER_PROVENANCE} names ${p.manifestId} but the manifest (${p.raw?.source}) has id ${m.id}`, manifestLocation(p));
  }
  const parent = p.info.parents[0] ?? null;
  if (parent && p.raw?.source.startsWith('file:')) {
    const file = p.raw.source.slice('file:'.length);
    if (repo.blob(parent, file)) {
      add('manifest-mismatch', `manifest ${file} was committed by an earlier commit; this commit does not add its own`, { file });
      return false;
    }
  }
  if (m.base !== parent) {
    add('manifest-mismatch', `manifest was measured against ${m.base ?? 'no parent'} but the commit's first parent is ${parent ?? 'none'} (rewritten commit?)`, {
      severity: 'warning',
    });
  }
  return true;
}

function checkContent(repo: GitRepo, p: CommitProvenance, m: Manifest, add: Add): void {
  const sha = p.info.sha;
  for (const f of m.files) {
    if (f.skipped === 'submodule') {
      // The commit flow hashes a submodule's commit id (its gitlink) as its content.
      const entry = repo.treeEntry(sha, f.path);
      if (!entry || entry.type !== 'commit') add('file-missing', `${f.path} is listed as a submodule but the commit has no submodule there`, { file: f.path });
      else if (sha256Hex(entry.oid) !== f.sha256) add('file-hash-mismatch', `${f.path}: submodule commit ${entry.oid.slice(0, 12)} does not match the manifest's hash`, { file: f.path });
      continue;
    }
    const blob = repo.blob(sha, f.path);
    if (f.status === 'deleted') {
      if (blob) add('file-hash-mismatch', `${f.path} is listed as deleted but exists in the commit`, { file: f.path });
      continue;
    }
    if (!blob) {
      add('file-missing', `${f.path} is listed in the manifest but is not in the commit`, { file: f.path });
      continue;
    }
    const actual = sha256Hex(blob);
    if (actual !== f.sha256) {
      add('file-hash-mismatch', `${f.path}: committed content has SHA-256 ${actual.slice(0, 12)}…, the manifest says ${f.sha256?.slice(0, 12)}…`, { file: f.path, line: 1 });
    }
    if (f.ranges.length === 0) continue;
    const text = blob.toString('utf8');
    for (const r of f.ranges) {
      let hash: string;
      try {
        hash = sha256Hex(rangeText(text, r.startLine, r.endLine));
      } catch (e) {
        add('range-invalid', `${f.path}: AI lines ${r.startLine}-${r.endLine}: ${(e as Error).message}`, { file: f.path, line: r.startLine });
        continue;
      }
      if (hash !== r.sha256) {
        add('range-hash-mismatch', `${f.path}: committed text of AI lines ${r.startLine}-${r.endLine} does not match the manifest's hash`, {
          file: f.path,
          line: r.startLine,
          endLine: r.endLine,
        });
      }
    }
  }
  const listed = new Set(m.files.map((f) => f.path));
  for (const c of repo.addedLines(sha, p.info.parents[0])) {
    if (c.path.startsWith(`${MANIFEST_DIR}/`) || listed.has(c.path)) continue;
    add('manifest-mismatch', `${c.path} is changed by the commit but not listed in the manifest`, { severity: 'warning', file: c.path });
  }
  // The parser already checks totals; keep the check here too in case a parser is lenient.
  const t = computeTotals(m.files);
  if (t.aiLines !== m.totals.aiLines || t.addedLines !== m.totals.addedLines) {
    add('totals-mismatch', `manifest totals (${m.totals.aiLines} of ${m.totals.addedLines}) differ from its files (${t.aiLines} of ${t.addedLines})`);
  }
}

function checkTrailers(p: CommitProvenance, m: Manifest, expected: ExpectedTrailers, add: Add): void {
  const want = new Map<string, { key: string; values: string[] }>();
  for (const t of expected(m)) {
    const k = t.key.toLowerCase();
    // The manifest id is checked by checkIdentity.
    if (k === TRAILER_PROVENANCE.toLowerCase()) continue;
    const e = want.get(k) ?? { key: t.key, values: [] };
    e.values.push(t.value);
    want.set(k, e);
  }
  for (const { key, values } of want.values()) {
    const actual = trailerValues(p.trailers, key);
    if (key.toLowerCase() === TRAILER_ASSISTED_BY.toLowerCase()) {
      // Shared with people and other tools: ours must be there, others may be too.
      const missing = values.filter((v) => !actual.includes(v));
      if (missing.length) add('trailer-mismatch', `${key}: ${missing.map((v) => `'${v}'`).join(', ')} missing; the manifest names ${values.map((v) => `'${v}'`).join(', ')}`);
      continue;
    }
    if (sameMultiset(actual, values)) continue;
    if (actual.length === 0) {
      add('trailer-mismatch', `${key} trailer is missing; the manifest implies '${values.join("', '")}'`);
    } else {
      add('trailer-mismatch', `${key} says '${actual.join("', '")}' but the manifest implies '${values.join("', '") || '(none)'}'`);
    }
  }
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

/** Parses `Name <email>` (or a bare e-mail) from a review trailer value. */
export function reviewerEmail(value: string): string | undefined {
  const lt = value.lastIndexOf('<');
  const gt = value.lastIndexOf('>');
  const email = lt >= 0 && gt > lt ? value.slice(lt + 1, gt) : value;
  const trimmed = email.trim();
  return /^[^\s@<>]+@[^\s@<>]+$/.test(trimmed) ? trimmed : undefined;
}

function checkReview(p: CommitProvenance, m: Manifest, policy: Policy, risk: readonly RiskHit[], options: VerifyOptions, add: Add): void {
  // The policy's own verdict on the manifest's counts decides; a change the committer's stricter
  // settings flagged (Review-Required on the commit) still needs that review, unless the policy
  // says that no review is required at all.
  const decision = decideReview(policy, m.totals, risk);
  const level = decision.reviewRequired ?? (m.flagged && policy.review.required !== null ? m.reviewRequired : undefined);
  if (!level) return;
  const why = decision.flagged ? decision.reasons.join(', ') : `the manifest flags the change and requires '${level}' review`;
  const keys = options.reviewTrailers?.length ? options.reviewTrailers : ['Reviewed-by'];
  const reviews = keys.flatMap((k) => trailerValues(p.trailers, k).map((v) => ({ key: k, value: v })));
  const sets = levelsMeeting(policy.review, level).map((l) => reviewersOf(policy.review, l));
  if (!sets.some((set) => set && (set.emails.length > 0 || set.groups.length > 0))) {
    add('review-missing', `change is flagged (${why}) and needs '${level}' review, but the policy lists nobody as '${level}' (review.reviewers.${level})`);
    return;
  }
  const author = p.info.authorEmail.toLowerCase();
  const rejected: string[] = [];
  for (const r of reviews) {
    const email = reviewerEmail(r.value);
    if (!email) {
      rejected.push(`'${r.value}' (no e-mail)`);
      continue;
    }
    if (!options.allowSelfReview && email.toLowerCase() === author) {
      rejected.push(`${email} (the author)`);
      continue;
    }
    const groups = Object.entries(options.groups ?? {})
      .filter(([, members]) => members.some((e) => e.toLowerCase() === email.toLowerCase()))
      .map(([g]) => g);
    if (isReviewer(policy, level, { email, groups })) return;
    rejected.push(`${email} (not '${level}')`);
  }
  const seen = reviews.length ? `; ${keys.join('/')} trailers found: ${rejected.join(', ')}` : `; no ${keys.join('/')} trailer`;
  add('review-missing', `change is flagged (${why}) and needs a ${keys[0]} trailer from a '${level}' reviewer${seen}`);
}
