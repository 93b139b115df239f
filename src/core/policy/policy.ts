import { ORIGIN_KINDS, OriginKind, isAiKind, isOriginKind } from '../provenance/origin';
import { isCount, isObject, show, withoutBom } from '../json/jsonValue';
import { LevelReviewers, orderedLevels } from './levels';
import { RiskHit, RiskPolicy, parseRiskSection } from './riskRules';

/**
 * The AI-assistance policy: when a change is flagged "AI-assisted", which AI text is too small to
 * count, and what review a flagged change needs. No `vscode` import: shared by the extension, the
 * git hook and the command-line tool (`ai-provenance verify` reads `review` to check approvers).
 *
 * Layers, most specific last: {@link DEFAULT_POLICY} ← user/workspace settings
 * (`aiProvenance.policy.*`, see {@link policyFromSettings}) ← the repository's committed
 * `.ai-provenance.json` ({@link parseRepositoryPolicy}). {@link resolvePolicy} merges them.
 *
 * `.ai-provenance.json` example (every field optional):
 * ```json
 * {
 *   "version": 1,
 *   "threshold": { "nonTrivialLines": 3, "percentOfAddedLines": 10 },
 *   "trivial": { "kinds": ["inline", "inlinePartial"], "maxCharacters": 40, "singleLine": true },
 *   "review": {
 *     "required": "senior",
 *     "reviewers": { "senior": { "emails": ["lead@example.com"], "groups": ["@org/seniors"] } }
 *   },
 *   "declaration": { "required": true }
 * }
 * ```
 */

/** Repo-relative path of the repository's policy file. */
export const POLICY_FILE = '.ai-provenance.json';
/** Version of the policy file format. */
export const POLICY_VERSION = 1;

export interface PolicyThreshold {
  /** Flag when non-trivial AI lines are at least this many (0 disables this test). */
  readonly nonTrivialLines: number;
  /** Flag when non-trivial AI lines are at least this percentage of added lines (0 disables this test). */
  readonly percentOfAddedLines: number;
}

/**
 * AI text too small to count toward the threshold: an edit of one of `kinds` whose text is shorter
 * than `maxCharacters` and, when `singleLine`, contains no line break. Trivial AI lines are still
 * reported (trailers, manifest); they only do not flag a change.
 */
export interface TrivialRule {
  readonly kinds: readonly OriginKind[];
  readonly maxCharacters: number;
  readonly singleLine: boolean;
}

/**
 * Who may give a review of some level: commit author / approver e-mails and group names, and for
 * pull-request platforms their logins and teams (see `levels.ts`).
 */
export type ReviewerSet = LevelReviewers;

export interface ReviewPolicy {
  /** Review level a flagged change requires (written as `Review-Required: <level>`); null for none. */
  readonly required: string | null;
  /** Who counts for each review level, for CI gates. Emails compare case-insensitively. */
  readonly reviewers: Readonly<Record<string, ReviewerSet>>;
  /** Review levels, lowest first; a higher level satisfies a lower one. Absent: one level, `required`. */
  readonly levels?: readonly string[];
}

/**
 * Whether every commit has to say whether AI helped. Checked by `ai-provenance verify`; the
 * extension and the hooks always write `AI-Assisted: yes|no` on the commits they see.
 */
export interface DeclarationPolicy {
  /** Every commit but merges must carry an `AI-Assisted` trailer. */
  readonly required: boolean;
}

export interface Policy {
  readonly threshold: PolicyThreshold;
  readonly trivial: TrivialRule;
  readonly review: ReviewPolicy;
  readonly declaration: DeclarationPolicy;
  /** Risk rules that raise the review of AI lines (`riskRules.ts`); absent: none. */
  readonly risk?: RiskPolicy;
}

/** A policy layer: any subset of the fields. */
export interface PartialPolicy {
  readonly threshold?: Partial<PolicyThreshold>;
  readonly trivial?: Partial<TrivialRule>;
  readonly review?: { readonly required?: string | null; readonly reviewers?: Readonly<Record<string, ReviewerSet>>; readonly levels?: readonly string[] };
  readonly declaration?: Partial<DeclarationPolicy>;
  readonly risk?: RiskPolicy;
}

export const DEFAULT_POLICY: Policy = Object.freeze({
  threshold: Object.freeze({ nonTrivialLines: 3, percentOfAddedLines: 10 }),
  trivial: Object.freeze({ kinds: Object.freeze(['inline', 'inlinePartial'] as OriginKind[]), maxCharacters: 40, singleLine: true }),
  review: Object.freeze({ required: 'senior', reviewers: Object.freeze({}) }),
  declaration: Object.freeze({ required: false }),
});

export interface PolicyError {
  /** Dotted path of the bad field, e.g. `threshold.nonTrivialLines`; empty for the whole value. */
  readonly path: string;
  readonly message: string;
}

export type PolicyParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly PolicyError[] };

/**
 * Validates a policy value. With `partial: true` (a layer: settings or `.ai-provenance.json`) every
 * field is optional; with `partial: false` (a resolved policy, as stored in a manifest) every
 * field is required, except `declaration` (added after the first manifests: missing means not
 * required). Unknown fields are errors (they are usually typos). Never throws.
 */
export function parsePolicy(value: unknown, options: { partial: true }): PolicyParseResult<PartialPolicy>;
export function parsePolicy(value: unknown, options: { partial: false }): PolicyParseResult<Policy>;
export function parsePolicy(value: unknown, options: { partial: boolean }): PolicyParseResult<PartialPolicy | Policy> {
  const errors: PolicyError[] = [];
  const err = (path: string, message: string): void => void errors.push({ path, message });
  const need = !options.partial;
  if (!isObject(value)) return { ok: false, errors: [{ path: '', message: 'expected a JSON object' }] };
  unknownKeys(value, ['version', '$schema', 'threshold', 'trivial', 'review', 'declaration', 'risk'], '', err);
  if (value.version !== undefined && value.version !== POLICY_VERSION) err('version', `expected ${POLICY_VERSION}, got ${show(value.version)}`);

  const out: { threshold?: Partial<PolicyThreshold>; trivial?: Partial<TrivialRule>; review?: PartialPolicy['review']; declaration?: Partial<DeclarationPolicy>; risk?: RiskPolicy } = {};
  const section = (name: string, required = need): Record<string, unknown> | undefined => {
    const v = value[name];
    if (v === undefined) {
      if (required) err(name, 'is missing');
      return undefined;
    }
    if (!isObject(v)) {
      err(name, 'expected an object');
      return undefined;
    }
    return v;
  };

  const t = section('threshold');
  if (t) {
    unknownKeys(t, ['nonTrivialLines', 'percentOfAddedLines'], 'threshold.', err);
    const th: { nonTrivialLines?: number; percentOfAddedLines?: number } = {};
    if (t.nonTrivialLines !== undefined) {
      if (isCount(t.nonTrivialLines)) th.nonTrivialLines = t.nonTrivialLines as number;
      else err('threshold.nonTrivialLines', `expected a non-negative integer, got ${show(t.nonTrivialLines)}`);
    } else if (need) err('threshold.nonTrivialLines', 'is missing');
    if (t.percentOfAddedLines !== undefined) {
      const p = t.percentOfAddedLines;
      if (typeof p === 'number' && Number.isFinite(p) && p >= 0 && p <= 100) th.percentOfAddedLines = p;
      else err('threshold.percentOfAddedLines', `expected a number from 0 to 100, got ${show(p)}`);
    } else if (need) err('threshold.percentOfAddedLines', 'is missing');
    out.threshold = th;
  }

  const tr = section('trivial');
  if (tr) {
    unknownKeys(tr, ['kinds', 'maxCharacters', 'singleLine'], 'trivial.', err);
    const rule: { kinds?: OriginKind[]; maxCharacters?: number; singleLine?: boolean } = {};
    if (tr.kinds !== undefined) {
      if (!Array.isArray(tr.kinds)) err('trivial.kinds', 'expected an array of origin kinds');
      else {
        const bad = tr.kinds.filter((k) => !isOriginKind(k) || !isAiKind(k));
        if (bad.length) err('trivial.kinds', `unknown or non-AI kinds ${bad.map(show).join(', ')}; expected some of ${ORIGIN_KINDS.filter(isAiKind).join(', ')}`);
        else rule.kinds = [...new Set(tr.kinds as OriginKind[])];
      }
    } else if (need) err('trivial.kinds', 'is missing');
    if (tr.maxCharacters !== undefined) {
      if (isCount(tr.maxCharacters)) rule.maxCharacters = tr.maxCharacters as number;
      else err('trivial.maxCharacters', `expected a non-negative integer, got ${show(tr.maxCharacters)}`);
    } else if (need) err('trivial.maxCharacters', 'is missing');
    if (tr.singleLine !== undefined) {
      if (typeof tr.singleLine === 'boolean') rule.singleLine = tr.singleLine;
      else err('trivial.singleLine', `expected true or false, got ${show(tr.singleLine)}`);
    } else if (need) err('trivial.singleLine', 'is missing');
    out.trivial = rule;
  }

  const rv = section('review');
  if (rv) {
    unknownKeys(rv, ['required', 'reviewers', 'levels'], 'review.', err);
    const review: { required?: string | null; reviewers?: Record<string, ReviewerSet>; levels?: string[] } = {};
    if (rv.levels !== undefined) {
      const lv = rv.levels;
      if (!Array.isArray(lv) || lv.length === 0 || lv.some((l) => typeof l !== 'string' || !LEVEL_RE.test(l))) {
        err('review.levels', `expected an array of level names, lowest first (letters, digits, . _ -), got ${show(lv)}`);
      } else if (new Set(lv).size !== lv.length) err('review.levels', 'names a level twice');
      else review.levels = [...(lv as string[])];
    }
    if (rv.required !== undefined) {
      if (rv.required === null || (typeof rv.required === 'string' && LEVEL_RE.test(rv.required))) review.required = rv.required as string | null;
      else err('review.required', `expected a level name (letters, digits, . _ -) or null, got ${show(rv.required)}`);
    } else if (need) err('review.required', 'is missing');
    if (rv.reviewers !== undefined) {
      if (!isObject(rv.reviewers)) err('review.reviewers', 'expected an object mapping a level to {emails, groups}');
      else {
        const sets: Record<string, ReviewerSet> = {};
        for (const [level, set] of Object.entries(rv.reviewers)) {
          const at = `review.reviewers.${level}`;
          if (!isObject(set)) {
            err(at, 'expected {emails: string[], groups: string[]}');
            continue;
          }
          unknownKeys(set, ['emails', 'groups', 'logins', 'teams'], `${at}.`, err);
          const emails = strings(set.emails, `${at}.emails`, err, (s) => /^[^\s@]+@[^\s@]+$/.test(s), 'an email address');
          const groups = strings(set.groups, `${at}.groups`, err, (s) => s.trim().length > 0, 'a group name');
          const logins = strings(set.logins, `${at}.logins`, err, (s) => /^[A-Za-z0-9][A-Za-z0-9._-]*(\[bot\])?$/.test(s), 'a user login');
          const teams = strings(set.teams, `${at}.teams`, err, (s) => /^@?[A-Za-z0-9][\w.-]*\/[\w./-]+$/.test(s), 'a team (org/team or @org/team)');
          if (options.partial && review.levels && !review.levels.includes(level)) err(at, `'${level}' is not one of review.levels (${review.levels.join(', ')})`);
          if (emails && groups && logins && teams) {
            const entry: ReviewerSet = { emails, groups, ...(set.logins !== undefined ? { logins } : {}), ...(set.teams !== undefined ? { teams } : {}) };
            Object.defineProperty(sets, level, { value: entry, enumerable: true, writable: true, configurable: true });
          }
        }
        review.reviewers = sets;
      }
    } else if (need) err('review.reviewers', 'is missing');
    // Layers must agree with themselves; a resolved policy (a manifest's) may combine the
    // settings' level with a repository's levels, and is taken as it is.
    if (options.partial && review.levels && typeof review.required === 'string' && !review.levels.includes(review.required)) {
      err('review.required', `'${review.required}' is not one of review.levels (${review.levels.join(', ')})`);
    }
    out.review = review;
  }

  if (value.risk !== undefined) {
    // The levels a rule may name: this layer's, or the one level it (or the default) requires.
    const lv = out.review?.levels ?? orderedLevels({ required: out.review?.required !== undefined ? out.review.required : DEFAULT_POLICY.review.required, reviewers: {} });
    const risk = parseRiskSection(value.risk, options.partial ? lv : undefined, err);
    if (risk) out.risk = risk;
  }

  const dc = section('declaration', false);
  if (dc) {
    unknownKeys(dc, ['required'], 'declaration.', err);
    if (typeof dc.required === 'boolean') out.declaration = { required: dc.required };
    else if (dc.required !== undefined) err('declaration.required', `expected true or false, got ${show(dc.required)}`);
    else if (need) err('declaration.required', 'is missing');
    else out.declaration = {};
  } else if (need) out.declaration = { ...DEFAULT_POLICY.declaration };

  if (errors.length) return { ok: false, errors };
  return { ok: true, value: out as PartialPolicy };
}

/**
 * Parses the text of a repository's `.ai-provenance.json`. Errors name the file and field, e.g.
 * `.ai-provenance.json: threshold.nonTrivialLines: expected a non-negative integer, got "3"`
 * (see {@link formatPolicyErrors}).
 */
export function parseRepositoryPolicy(text: string): PolicyParseResult<PartialPolicy> {
  let value: unknown;
  try {
    value = JSON.parse(withoutBom(text));
  } catch (e) {
    return { ok: false, errors: [{ path: '', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  return parsePolicy(value, { partial: true });
}

/** One line per error, prefixed with `source` (e.g. the file name). */
export function formatPolicyErrors(source: string, errors: readonly PolicyError[]): string {
  return errors.map((e) => `${source}: ${e.path ? e.path + ': ' : ''}${e.message}`).join('\n');
}

/**
 * The settings layer from flat values as VS Code settings hold them (`aiProvenance.policy.<key>`).
 * Only values the user set explicitly should be passed (so that a repository file, not the
 * settings' defaults, decides the rest). Invalid values are reported and ignored.
 */
export function policyFromSettings(settings: {
  nonTrivialLines?: unknown;
  percentOfAddedLines?: unknown;
  trivialKinds?: unknown;
  trivialMaxCharacters?: unknown;
  reviewRequired?: unknown;
}): PolicyParseResult<PartialPolicy> {
  const layer: Record<string, Record<string, unknown>> = {};
  const put = (section: string, key: string, v: unknown): void => {
    if (v === undefined) return;
    (layer[section] ??= {})[key] = v;
  };
  put('threshold', 'nonTrivialLines', settings.nonTrivialLines);
  put('threshold', 'percentOfAddedLines', settings.percentOfAddedLines);
  put('trivial', 'kinds', settings.trivialKinds);
  put('trivial', 'maxCharacters', settings.trivialMaxCharacters);
  put('review', 'required', settings.reviewRequired === '' ? null : settings.reviewRequired);
  return parsePolicy(layer, { partial: true });
}

/** Merges layers over {@link DEFAULT_POLICY}; later layers win field by field (`reviewers` per level). */
export function resolvePolicy(...layers: readonly (PartialPolicy | undefined)[]): Policy {
  let threshold = { ...DEFAULT_POLICY.threshold };
  let trivial = { ...DEFAULT_POLICY.trivial };
  let required = DEFAULT_POLICY.review.required;
  let reviewers: Record<string, ReviewerSet> = { ...DEFAULT_POLICY.review.reviewers };
  let declaration = { ...DEFAULT_POLICY.declaration };
  let levels: readonly string[] | undefined;
  let risk: RiskPolicy | undefined;
  for (const l of layers) {
    if (!l) continue;
    threshold = { ...threshold, ...defined(l.threshold) };
    trivial = { ...trivial, ...defined(l.trivial) };
    if (l.review?.required !== undefined) required = l.review.required;
    if (l.review?.reviewers) reviewers = { ...reviewers, ...l.review.reviewers };
    declaration = { ...declaration, ...defined(l.declaration) };
    if (l.review?.levels) levels = l.review.levels;
    if (l.risk) risk = l.risk;
  }
  return {
    threshold,
    trivial: { ...trivial, kinds: [...trivial.kinds] },
    review: { required, reviewers, ...(levels ? { levels: [...levels] } : {}) },
    declaration,
    ...(risk ? { risk } : {}),
  };
}

function defined<T extends object>(o: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (!o) return out;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** True when one AI edit of `kind` producing `text` is trivial under `rule`. */
export function isTrivialEdit(rule: TrivialRule, kind: OriginKind, text: string): boolean {
  return isTrivialEditOf(rule, kind, text.length, spansLines(text));
}

/** True when `text` has a line break (what the trivial rule's `singleLine` refuses). */
export function spansLines(text: string): boolean {
  return /[\r\n]/.test(text);
}

/** {@link isTrivialEdit} from the edit's length and whether it spans lines (its text need not be joined). */
export function isTrivialEditOf(rule: TrivialRule, kind: OriginKind, length: number, multiLine: boolean): boolean {
  if (!rule.kinds.includes(kind)) return false;
  if (rule.singleLine && multiLine) return false;
  return length < rule.maxCharacters;
}

export interface PolicyDecision {
  readonly flagged: boolean;
  /** Why it is flagged (empty when not), e.g. `5 non-trivial AI lines (threshold 3)`. */
  readonly reasons: readonly string[];
  /** The review level to require; present only when flagged and the policy names one. */
  readonly reviewRequired?: string;
  /** Risk rules that fired (see `reviewDecision.ts`). */
  readonly risk?: readonly RiskHit[];
}

/** Applies the threshold to the counts of a change. */
export function evaluatePolicy(policy: Policy, counts: { addedLines: number; nonTrivialAiLines: number }): PolicyDecision {
  const reasons: string[] = [];
  const { nonTrivialLines, percentOfAddedLines } = policy.threshold;
  const n = counts.nonTrivialAiLines;
  if (n > 0 && nonTrivialLines > 0 && n >= nonTrivialLines) reasons.push(`${n} non-trivial AI lines (threshold ${nonTrivialLines})`);
  if (n > 0 && percentOfAddedLines > 0 && counts.addedLines > 0 && (n * 100) / counts.addedLines >= percentOfAddedLines) {
    reasons.push(`${formatPercent(n, counts.addedLines)} of added lines are non-trivial AI (threshold ${percentOfAddedLines}%)`);
  }
  const flagged = reasons.length > 0;
  return flagged && policy.review.required ? { flagged, reasons, reviewRequired: policy.review.required } : { flagged, reasons };
}

/** `part` of `whole` as a whole percentage, rounded down except that a non-zero share never shows 0%. */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  const p = Math.floor((part * 100) / whole);
  return `${part > 0 && p === 0 ? '<1' : p}%`;
}

/** True when `who` may review at `level` under `policy` (see `levels.ts`). */
export { isReviewer } from './levels';

const LEVEL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function strings(v: unknown, path: string, err: (p: string, m: string) => void, ok: (s: string) => boolean, what: string): string[] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    err(path, 'expected an array of strings');
    return undefined;
  }
  const bad = v.filter((s) => typeof s !== 'string' || !ok(s));
  if (bad.length) {
    err(path, `not ${what}: ${bad.map(show).join(', ')}`);
    return undefined;
  }
  return v as string[];
}

function unknownKeys(o: Record<string, unknown>, known: string[], prefix: string, err: (p: string, m: string) => void): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) err(prefix + k, `unknown field (expected one of ${known.filter((x) => x !== '$schema').join(', ')})`);
}
