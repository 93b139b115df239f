/**
 * Review levels as ordered plain data: `review.levels` lists them lowest first (e.g.
 * `["senior", "principal"]`) and a reviewer of a higher level satisfies a lower one. A policy
 * without `levels` has one level, its `review.required`. Level names are looked up in arrays and
 * with own-property checks only, never as object keys with inherited meaning (`toString`,
 * `__proto__` are just names here). No `vscode` import.
 */

/** Who may give a review of some level (the shape `review.reviewers.<level>` holds). */
export interface LevelReviewers {
  readonly emails: readonly string[];
  readonly groups: readonly string[];
  /** Platform logins (GitHub / GitLab user names) that count as this level. */
  readonly logins?: readonly string[];
  /** Platform teams to request a review from (e.g. `@org/principals`); also matched as groups. */
  readonly teams?: readonly string[];
}

/** The parts of a review policy levels depend on. */
export interface LevelSource {
  readonly required: string | null;
  readonly levels?: readonly string[];
  readonly reviewers: Readonly<Record<string, LevelReviewers>>;
}

/** The ordered levels, lowest first: `levels`, or the one level `required` names (none when null). */
export function orderedLevels(review: LevelSource): readonly string[] {
  if (review.levels && review.levels.length) return review.levels;
  return review.required ? [review.required] : [];
}

/** Position of `level` (0 lowest), or -1 when it is not one of the levels. */
export function levelRank(levels: readonly string[], level: string): number {
  return levels.indexOf(level);
}

/**
 * The highest of `candidates` (undefined and null ignored). A name that is not one of `levels`
 * ranks above every known level (it can only be met by exactly that level), so an unknown level
 * is never quietly lowered; between two unknown names the first one given wins.
 */
export function highestLevel(levels: readonly string[], candidates: Iterable<string | null | undefined>): string | undefined {
  let best: string | undefined;
  let bestRank = -2;
  for (const c of candidates) {
    if (!c) continue;
    const r = levelRank(levels, c);
    const rank = r < 0 ? Number.MAX_SAFE_INTEGER : r;
    if (best === undefined || rank > bestRank) {
      best = c;
      bestRank = rank;
    }
  }
  return best;
}

/** True when a review of level `have` meets a requirement of level `need` (same level, or higher). */
export function satisfiesLevel(levels: readonly string[], have: string, need: string): boolean {
  if (have === need) return true;
  const h = levelRank(levels, have);
  const n = levelRank(levels, need);
  return h >= 0 && n >= 0 && h > n;
}

/** The reviewers listed for `level` (own property only), or undefined. */
export function reviewersOf(review: LevelSource, level: string): LevelReviewers | undefined {
  return Object.prototype.hasOwnProperty.call(review.reviewers, level) ? review.reviewers[level] : undefined;
}

/** The levels `level` or a higher one: whoever is listed for one of them satisfies `level`. */
export function levelsMeeting(review: LevelSource, level: string): string[] {
  const levels = orderedLevels(review);
  const named = Object.keys(review.reviewers);
  const all = [...levels, ...named.filter((l) => !levels.includes(l))];
  return all.filter((l) => satisfiesLevel(levels, l, level));
}

/**
 * True when `who` (an e-mail, a platform login, groups or teams they belong to) is listed as a
 * reviewer of `level` or of a higher level. E-mails and logins compare case-insensitively;
 * groups and teams exactly.
 */
export function isReviewer(policy: { readonly review: LevelSource }, level: string, who: { email?: string; login?: string; groups?: readonly string[] }): boolean {
  const email = who.email?.toLowerCase();
  const login = who.login?.toLowerCase();
  for (const l of levelsMeeting(policy.review, level)) {
    const set = reviewersOf(policy.review, l);
    if (!set) continue;
    if (email && set.emails.some((e) => e.toLowerCase() === email)) return true;
    if (login && (set.logins ?? []).some((x) => x.toLowerCase() === login)) return true;
    if (who.groups?.some((g) => set.groups.includes(g) || (set.teams ?? []).includes(g))) return true;
  }
  return false;
}
