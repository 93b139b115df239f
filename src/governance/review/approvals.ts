import { isObject } from '../../core/json/jsonValue';

/**
 * Approvals from the pull-request platform, read from the JSON its own tools print (no network
 * here; the CI job fetches it):
 *
 * - GitHub: `gh pr view <n> --json reviews,latestReviews,author,commits`. Each review is
 *   `{id, author: {login}, authorAssociation, body, submittedAt, includesCreatedEdit,
 *   reactionGroups, state, commit: {oid}}` (state `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`,
 *   `DISMISSED`, `PENDING`); `author` is `{login, id, name, is_bot}`; `commits` is a list of
 *   `{oid, authoredDate, committedDate, messageHeadline, messageBody, authors}`.
 * - GitLab: `GET /projects/:id/merge_requests/:iid/approvals` (e.g. `glab api ...`), whose
 *   `approved_by` lists `{user: {id, username, name, state, avatar_url, web_url}}` (newer
 *   versions add `approved_at`). It does not name the merge request's author: pass it separately
 *   (or merge in the merge request's own `author: {username}`).
 *
 * No `vscode` import.
 */

export type Platform = 'github' | 'gitlab';

/** One reviewer's standing decision. */
export interface PlatformReview {
  readonly login: string;
  /** `APPROVED` or another platform state (only the latest decisive review of each reviewer is kept). */
  readonly state: string;
  /** The commit the review was given on (GitHub), when known. */
  readonly commit?: string;
  /** When it was given, ISO 8601, when known. */
  readonly at?: string;
}

export interface PlatformReviews {
  readonly platform: Platform;
  /** The pull request's author (login), when the JSON names it. */
  readonly author?: string;
  /** Latest decisive review per reviewer, in login order. */
  readonly reviews: readonly PlatformReview[];
  /** The last commit of the pull request as the platform lists it (GitHub `commits`), when given. */
  readonly headCommit?: string;
}

const DECISIVE = new Set(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED']);

/** Reads `gh pr view --json ...` or GitLab approvals JSON; a one-line error for anything else. */
export function parsePlatformReviews(json: unknown): PlatformReviews | { readonly error: string } {
  if (!isObject(json)) return { error: 'expected the JSON object printed by `gh pr view --json reviews,latestReviews,author,commits` or by the GitLab approvals API' };
  if (Array.isArray(json.reviews) || Array.isArray(json.latestReviews)) return parseGithub(json);
  if (Array.isArray(json.approved_by)) return parseGitlab(json);
  return { error: 'neither GitHub reviews (reviews / latestReviews) nor GitLab approvals (approved_by) found in the JSON' };
}

function parseGithub(json: Record<string, unknown>): PlatformReviews | { error: string } {
  const all = [...(Array.isArray(json.reviews) ? json.reviews : []), ...(Array.isArray(json.latestReviews) ? json.latestReviews : [])];
  const latest = new Map<string, PlatformReview>();
  for (const r of all) {
    if (!isObject(r) || !isObject(r.author) || typeof r.author.login !== 'string' || typeof r.state !== 'string') {
      return { error: 'a GitHub review is not {author: {login}, state, ...}' };
    }
    if (!DECISIVE.has(r.state)) continue; // comments and pending reviews decide nothing
    const review: PlatformReview = {
      login: r.author.login,
      state: r.state,
      ...(isObject(r.commit) && typeof r.commit.oid === 'string' ? { commit: r.commit.oid } : {}),
      ...(typeof r.submittedAt === 'string' ? { at: r.submittedAt } : {}),
    };
    const key = review.login.toLowerCase();
    const prev = latest.get(key);
    if (!prev || (review.at ?? '') >= (prev.at ?? '')) latest.set(key, review);
  }
  const commits = Array.isArray(json.commits) ? json.commits.filter((c): c is Record<string, unknown> => isObject(c) && typeof c.oid === 'string') : [];
  const author = isObject(json.author) && typeof json.author.login === 'string' ? json.author.login : undefined;
  return {
    platform: 'github',
    ...(author ? { author } : {}),
    reviews: sortByLogin([...latest.values()]),
    ...(commits.length ? { headCommit: commits[commits.length - 1].oid as string } : {}),
  };
}

function parseGitlab(json: Record<string, unknown>): PlatformReviews | { error: string } {
  const reviews: PlatformReview[] = [];
  for (const a of json.approved_by as unknown[]) {
    if (!isObject(a) || !isObject(a.user) || typeof a.user.username !== 'string') return { error: 'a GitLab approval is not {user: {username}, ...}' };
    reviews.push({ login: a.user.username, state: 'APPROVED', ...(typeof a.approved_at === 'string' ? { at: a.approved_at } : {}) });
  }
  const author = isObject(json.author) && typeof json.author.username === 'string' ? json.author.username : undefined;
  return { platform: 'gitlab', ...(author ? { author } : {}), reviews: sortByLogin(reviews) };
}

function sortByLogin(r: PlatformReview[]): PlatformReview[] {
  return r.sort((a, b) => (a.login.toLowerCase() < b.login.toLowerCase() ? -1 : a.login.toLowerCase() > b.login.toLowerCase() ? 1 : 0));
}

/** An approval that counts, or one that does not and why. */
export type ApprovalVerdict = { readonly login: string; readonly counted: true } | { readonly login: string; readonly counted: false; readonly why: string };

/**
 * Which approvals count for the head commit `head` (committed at `headDate`): the latest decisive
 * review of each reviewer must be an approval, not by the author, and not given before the last
 * push (on GitHub: on an earlier commit; elsewhere, or without a commit: before `headDate`).
 */
export function judgeApprovals(reviews: PlatformReviews, head: string, headDate: string, author: string | undefined): ApprovalVerdict[] {
  const who = (author ?? reviews.author)?.toLowerCase();
  const headTime = Date.parse(headDate);
  return reviews.reviews.map((r): ApprovalVerdict => {
    if (r.state !== 'APPROVED') return { login: r.login, counted: false, why: r.state.toLowerCase().replace(/_/g, ' ') };
    if (who && r.login.toLowerCase() === who) return { login: r.login, counted: false, why: 'the author' };
    if (r.commit) {
      if (r.commit !== head) return { login: r.login, counted: false, why: `stale: approved ${r.commit.slice(0, 12)}, the head is ${head.slice(0, 12)}` };
    } else if (r.at && Number.isFinite(headTime) && Date.parse(r.at) < headTime) {
      return { login: r.login, counted: false, why: `stale: approved at ${r.at}, before the last commit (${headDate})` };
    }
    return { login: r.login, counted: true };
  });
}
