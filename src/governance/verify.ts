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
  parseManifest,
  rangeText,
  sha256Hex,
} from '../core/manifest/schema';
import {
  DEFAULT_POLICY,
  POLICY_FILE,
  PartialPolicy,
  Policy,
  isReviewer,
  resolvePolicy,
} from '../core/policy/policy';
import { TRAILER_AI_ASSISTED, TRAILER_ASSISTED_BY, TRAILER_CONTRIBUTION, TRAILER_PROVENANCE, TRAILER_REVIEW_REQUIRED, Trailer, manifestIdsOf } from '../core/trailers/trailers';
import { CommitProvenance, forEachCommitProvenance, isManifestFile, loadCommitProvenance, trailerValues } from './commitProvenance';
import { CommitReport, Finding, RuleId, Severity, VerifyReport, summarize } from './findings';
import { checkContent } from './contentClaims';
import { GitRepo } from './git';
import { levelsMeeting, reviewersOf } from '../core/policy/levels';
import { decideReview } from '../core/policy/reviewDecision';
import { RiskHit } from '../core/policy/riskRules';
import { checkRisk } from './riskCheck';
import { FoundManifest, reconcileManifests } from './reconcile';
import { checkPartsAgree, combinedClaim, describesCommit, manifestParts } from './combinedClaim';
import { withAddedManifests } from './addedManifests';
import { loadPolicy } from './policyAt';
import { noteManifestTexts } from '../core/manifest/noteText';

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
  // Read newest first, as git walks history (git reads its objects faster in that order); each
  // commit is checked on its own, and the report lists them in the range's order.
  await forEachCommitProvenance(repo, [...shas].reverse(), options.notesRef ?? MANIFEST_NOTES_REF, { content: true, changes: true }, async (p) => {
    commits.push(await checkCommit(repo, p, options));
  });
  commits.reverse();
  return {
    range: range.join(' '),
    policySource: options.policy?.source ?? `${POLICY_FILE} at each commit`,
    commits,
    summary: summarize(commits),
  };
}

export async function verifyCommit(repo: GitRepo, sha: string, options: VerifyOptions): Promise<CommitReport> {
  return checkCommit(repo, withAddedManifests(repo, await loadCommitProvenance(repo, sha, options.notesRef ?? MANIFEST_NOTES_REF)), options);
}

async function checkCommit(repo: GitRepo, p: CommitProvenance, options: VerifyOptions): Promise<CommitReport> {
  const notesRef = options.notesRef ?? MANIFEST_NOTES_REF;
  const findings: Finding[] = [];
  const add = (rule: RuleId, message: string, extra: { severity?: Severity; file?: string; line?: number; endLine?: number } = {}) =>
    findings.push({ rule, severity: extra.severity ?? 'error', commit: p.info.sha, message, file: extra.file, line: extra.line, endLine: extra.endLine });

  const assisted = trailerValues(p.trailers, TRAILER_AI_ASSISTED);
  const ids = manifestIdsOf(p.trailers);
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

  // Several manifests of other commits that the commit adds (a squash merge of a pull request)
  // are one claim for it, unless a manifest of its own (measured against its parent) describes it.
  const m = p.manifest;
  const parent = p.info.parents[0];
  const parts = isMerge ? [] : manifestParts(repo, p, policy);
  const combined =
    parts.length >= 2 && (!m || parts.some((x) => x.manifest === m))
      ? (await combinedClaim(repo, p.info.sha, parent, parts, policy() ?? resolvePolicy(DEFAULT_POLICY), add)).manifest
      : undefined;

  // Declaration: required by --require-declaration, or by the policy (declaration.required). A
  // merge is exempt only while it brings nothing of its own: one with lines that none of its
  // parents has (an "evil merge", or a conflict resolved with new text) must declare too.
  if (assisted.length === 0 && !p.raw && !combined) {
    const by = options.requireDeclaration ? '--require-declaration' : policy()?.declaration.required ? `declaration.required in ${policySource(p.info.sha, options)}` : undefined;
    if (by && !isMerge) add('declaration-missing', `commit declares no ${TRAILER_AI_ASSISTED} trailer (required by ${by})`);
    else if (by && repo.mergeHasOwnLines(p.info.sha)) {
      add('declaration-missing', `merge commit adds lines that none of its parents has, and declares no ${TRAILER_AI_ASSISTED} trailer (required by ${by})`);
    }
  }

  // Manifest presence.
  // Figures or a review level without a manifest are claims nobody can check either.
  const needsManifest =
    declared === 'yes' || ids.length > 0 || trailerValues(p.trailers, TRAILER_CONTRIBUTION).length > 0 || trailerValues(p.trailers, TRAILER_REVIEW_REQUIRED).length > 0;
  if (!p.raw) {
    if (needsManifest && !(combined && p.manifestId === undefined)) {
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

  let risk: RiskHit[] = [];
  let requiredLevel: string | undefined;
  if (combined) {
    // Checked as any manifest is, except against the trailers: the message was written for other
    // commits (their messages concatenated); the review the combined change needs is required.
    checkContent(repo, p.info.sha, parent, combined, policy(), add);
    const inForce = policy();
    if (inForce) {
      risk = checkRisk(repo, { ...p, trailers: [] }, combined, inForce, add);
      requiredLevel = checkReview(p, combined, inForce, risk, options, add);
    }
  } else if (m) {
    if (checkIdentity(repo, p, m, add)) {
      checkContent(repo, p.info.sha, p.info.parents[0], m, policy(), add);
      checkTotals(m, add);
      // A reattached manifest describes a commit whose message was written for other commits.
      if (!isReattached(p, m)) checkTrailers(p, m, options.expectedTrailers, add);
    }
    const inForce = policy();
    if (inForce) {
      risk = checkRisk(repo, p, m, inForce, add);
      requiredLevel = checkReview(p, m, inForce, risk, options, add);
    }
  }

  const partPaths = new Set(parts.map((x) => x.source.slice('file:'.length)));
  if (!isMerge && (!p.raw || m)) checkOtherManifests(repo, p, combined ? undefined : m, notesRef, policy, add, combined ? partPaths : new Set());
  if (!combined && m && p.raw && m.base === (parent ?? null) && parts.length) checkPartsAgree(repo, p.info.sha, parent, { source: p.raw.source, manifest: m }, parts, add);

  if (findings.some((f) => !f.file)) {
    const anchor = anchorFile(repo, p);
    for (let i = 0; i < findings.length; i++) if (!findings[i].file) findings[i] = { ...findings[i], anchor };
  }

  const hasError = findings.some((f) => f.severity === 'error');
  const checked = !!p.raw || !!combined || assisted.length > 0 || findings.length > 0;
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
    manifestSource: combined ? parts.map((x) => x.source).join(' + ') : p.raw?.source,
    reviewRequired: combined ? combined.reviewRequired : (review[review.length - 1] ?? m?.reviewRequired),
    ...(requiredLevel ? { requiredLevel } : {}),
    ...(risk.length ? { risk } : {}),
    findings,
  };
}

/** Every other manifest of the commit (a note besides the committed file, other committed manifests) must agree. */
function checkOtherManifests(
  repo: GitRepo,
  p: CommitProvenance,
  m: Manifest | undefined,
  notesRef: string,
  policy: () => Policy | undefined,
  add: Add,
  parts: ReadonlySet<string>,
): void {
  const others: FoundManifest[] = [];
  const note = repo.note(notesRef, p.info.sha);
  if (note !== undefined) {
    // Every manifest of the note (several after a union merge of notes refs) but the one read as the commit's.
    for (const text of noteManifestTexts(note)) if (text !== p.raw?.text) others.push({ source: `note:${notesRef}`, text });
  }
  const parent = p.info.parents[0];
  const own = p.raw?.source.startsWith('file:') ? p.raw.source.slice('file:'.length) : undefined;
  // Manifests this one replaces (a rewrite, a reattached note) are not others.
  const replaced = new Set((m?.carriedFrom ?? []).map((c) => c.id));
  for (const c of repo.changes(p.info.sha, parent).paths) {
    // Manifests of other commits (a squash merge's) are checked as parts (combinedClaim.ts).
    if (!isManifestFile(c.path) || !c.newBlob || c.path === own || parts.has(c.path)) continue;
    const blob = repo.blob(p.info.sha, c.path);
    if (!blob) continue;
    const text = blob.toString('utf8');
    const parsed = replaced.size ? parseManifest(text) : undefined;
    if (parsed?.ok && replaced.has(parsed.value.id)) continue;
    others.push({ source: `file:${c.path}`, text });
  }
  if (others.length === 0) return;
  const describes = (other: Manifest): boolean => describesCommit(repo, p.info.sha, parent, other, policy());
  reconcileManifests(m && p.raw ? { source: p.raw.source, manifest: m } : undefined, others, describes, add);
}

/** See {@link Finding.anchor}. */
function anchorFile(repo: GitRepo, p: CommitProvenance): string {
  const files = p.manifest ? [...p.manifest.files].filter((f) => f.status !== 'deleted').sort((a, b) => b.aiLines - a.aiLines) : [];
  if (files.length && files[0].aiLines > 0) return files[0].path;
  if (p.raw?.source.startsWith('file:')) return p.raw.source.slice('file:'.length);
  const changed = repo.changedPaths(p.info.sha, p.info.parents[0]).find((path) => !path.startsWith(`${MANIFEST_DIR}/`) && repo.blob(p.info.sha, path));
  return changed ?? files[0]?.path ?? POLICY_FILE;
}

type Add = (rule: RuleId, message: string, extra?: { severity?: Severity; file?: string; line?: number; endLine?: number }) => void;

function manifestLocation(p: CommitProvenance): { file?: string } {
  return p.raw?.source.startsWith('file:') ? { file: p.raw.source.slice('file:'.length) } : {};
}

/** Where the policy of a commit comes from, for messages. */
function policySource(sha: string, options: VerifyOptions): string {
  return options.policy?.source ?? `${POLICY_FILE} at ${sha.slice(0, 12)}`;
}

/** Returns false when the manifest plainly belongs to another commit (further checks are moot). */
/**
 * True for a note rebuilt by `ai-provenance reattach` for a commit a platform made on merge (squash
 * or rebase): it names the manifests it replaces in `carriedFrom`, among them the one the
 * commit's trailer names, if any.
 */
function isReattached(p: CommitProvenance, m: Manifest): boolean {
  if (!p.raw?.source.startsWith('note:') || !m.carriedFrom?.length || m.id === p.manifestId) return false;
  return p.manifestId === undefined || m.carriedFrom.some((c) => c.id === p.manifestId);
}

function checkIdentity(repo: GitRepo, p: CommitProvenance, m: Manifest, add: Add): boolean {
  if (isReattached(p, m)) {
    // Named by carriedFrom instead of the trailer.
  } else if (p.manifestId === undefined) {
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

function checkTotals(m: Manifest, add: Add): void {
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

/** Checks the review trailers; returns the level the commit needs (undefined: none). */
function checkReview(p: CommitProvenance, m: Manifest, policy: Policy, risk: readonly RiskHit[], options: VerifyOptions, add: Add): string | undefined {
  // The policy's own verdict on the manifest's counts decides; a change the committer's stricter
  // settings flagged (Review-Required on the commit) still needs that review, unless the policy
  // says that no review is required at all.
  const decision = decideReview(policy, m.totals, risk);
  const level = decision.reviewRequired ?? (m.flagged && policy.review.required !== null ? m.reviewRequired : undefined);
  if (!level) return undefined;
  const why = decision.flagged ? decision.reasons.join(', ') : `the manifest flags the change and requires '${level}' review`;
  const keys = options.reviewTrailers?.length ? options.reviewTrailers : ['Reviewed-by'];
  const reviews = keys.flatMap((k) => trailerValues(p.trailers, k).map((v) => ({ key: k, value: v })));
  const sets = levelsMeeting(policy.review, level).map((l) => reviewersOf(policy.review, l));
  if (!sets.some((set) => set && (set.emails.length > 0 || set.groups.length > 0))) {
    add('review-missing', `change is flagged (${why}) and needs '${level}' review, but the policy lists nobody as '${level}' (review.reviewers.${level})`);
    return level;
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
    if (isReviewer(policy, level, { email, groups })) return level;
    rejected.push(`${email} (not '${level}')`);
  }
  const seen = reviews.length ? `; ${keys.join('/')} trailers found: ${rejected.join(', ')}` : `; no ${keys.join('/')} trailer`;
  add('review-missing', `change is flagged (${why}) and needs a ${keys[0]} trailer from a '${level}' reviewer${seen}`);
  return level;
}
