/**
 * The figures behind `ai-provenance stats`: AI share of added lines per commit, author,
 * tool/model, origin kind, file and period, with the field names of today's `git ai stats --json`
 * (human_additions, unknown_additions, ai_additions, ai_accepted, git_diff_added_lines,
 * git_diff_deleted_lines, tool_model_breakdown of `{ai_additions, ai_accepted}` per `tool::model`).
 * As in git-ai, `ai_accepted` counts the committed AI lines among the added lines, so it equals
 * `ai_additions`; `git_diff_*_lines` are git's own line counts (`--numstat`, manifest files
 * left out, 0 for merges). `total_additions` (human + AI + unknown) is ours.
 *
 * A commit with a valid manifest contributes its manifest's counts (AI lines, the lines it
 * records as unknown, and the rest as human). A commit declaring `AI-Assisted: no` without a manifest counts its added lines (from
 * `git diff-tree --numstat` against its first parent) as human. Any other commit counts them as
 * unknown. Merge commits are not counted (their lines were counted in the merged commits).
 * `stats` reads claims; `verify` is what checks them against the commits.
 */
import { MANIFEST_DIR, MANIFEST_NOTES_REF } from '../core/manifest/schema';
import { TRAILER_AI_ASSISTED } from '../core/trailers/trailers';
import { combinedFileClaims, commitManifests } from './addedManifests';
import { combinedClaim, manifestParts } from './combinedClaim';
import { DEFAULT_POLICY, resolvePolicy } from '../core/policy/policy';
import { Manifest } from '../core/manifest/schema';
import type { CommitProvenance } from './commitProvenance';
import { forEachCommitProvenance, trailerValues } from './commitProvenance';
import { GitRepo } from './git';

export interface Additions {
  total_additions: number;
  human_additions: number;
  ai_additions: number;
  ai_accepted: number;
  unknown_additions: number;
  git_diff_added_lines: number;
  git_diff_deleted_lines: number;
}

/** One `tool_model_breakdown` entry, as in git-ai. */
export interface ToolModelStats {
  ai_additions: number;
  ai_accepted: number;
}

export type CommitBasis = 'manifest' | 'declared-no-ai' | 'undeclared' | 'invalid-manifest' | 'merge';

export interface CommitStats extends Additions {
  sha: string;
  author: string;
  author_email: string;
  date: string;
  subject: string;
  basis: CommitBasis;
  ai_assisted?: string;
  tool_model_breakdown: Record<string, ToolModelStats>;
  kind_breakdown: Record<string, number>;
}

export interface GroupStats extends Additions {
  key: string;
  commits: number;
  ai_share: number;
}

export interface StatsReport extends Additions {
  range: string;
  commits_counted: number;
  merges_skipped: number;
  ai_share: number;
  /** `tool::model` (or `tool`) → AI lines, as in `git ai stats`. */
  tool_model_breakdown: Record<string, ToolModelStats>;
  kind_breakdown: Record<string, number>;
  commits: CommitStats[];
  authors: GroupStats[];
  files: GroupStats[];
  periods: GroupStats[];
  period: 'day' | 'week';
}

export interface StatsOptions {
  readonly notesRef?: string;
  readonly period?: 'day' | 'week';
  /** Only commits committed after / before these dates (git's date syntax). */
  readonly since?: string;
  readonly until?: string;
}

function zero(): Additions {
  return { total_additions: 0, human_additions: 0, ai_additions: 0, ai_accepted: 0, unknown_additions: 0, git_diff_added_lines: 0, git_diff_deleted_lines: 0 };
}

function addInto(a: Additions, b: Additions): void {
  a.total_additions += b.total_additions;
  a.human_additions += b.human_additions;
  a.ai_additions += b.ai_additions;
  a.ai_accepted += b.ai_accepted;
  a.unknown_additions += b.unknown_additions;
  a.git_diff_added_lines += b.git_diff_added_lines;
  a.git_diff_deleted_lines += b.git_diff_deleted_lines;
}

function addTool(into: Record<string, ToolModelStats>, key: string, lines: number): void {
  const t = (into[key] ??= { ai_additions: 0, ai_accepted: 0 });
  t.ai_additions += lines;
  t.ai_accepted += lines;
}

/** AI additions as a share (0..1) of known (human + AI) additions. */
export function aiShare(a: Additions): number {
  const known = a.ai_additions + a.human_additions;
  return known > 0 ? Math.round((a.ai_additions / known) * 10000) / 10000 : 0;
}

/** An empty object without a prototype, for keys read from untrusted data. */
function dataMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function toolKey(tool: string, model?: string): string {
  return model ? `${tool}::${model}` : tool;
}

/** UTC day `YYYY-MM-DD` or ISO week `YYYY-Www` of a date. */
export function periodKey(date: string, period: 'day' | 'week'): string {
  const d = new Date(Date.parse(date));
  if (period === 'day') return d.toISOString().slice(0, 10);
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86400000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export async function collectStats(repo: GitRepo, range: string[], options: StatsOptions = {}): Promise<StatsReport> {
  const notesRef = options.notesRef ?? MANIFEST_NOTES_REF;
  const period = options.period ?? 'day';
  const shas = repo.revList(range, { since: options.since, until: options.until });
  const totals = zero();
  // Tool and model names come from manifests: data, kept in prototype-free maps (a tool named
  // `toString` or `__proto__` is counted like any other).
  const tools: Record<string, ToolModelStats> = dataMap();
  const kinds: Record<string, number> = dataMap();
  const commits: CommitStats[] = [];
  const authors = new Map<string, GroupStats>();
  const files = new Map<string, GroupStats>();
  const periods = new Map<string, GroupStats>();
  let merges = 0;

  const bump = (map: Map<string, GroupStats>, key: string, a: Additions, countCommit: boolean) => {
    const g = map.get(key) ?? { key, commits: 0, ai_share: 0, ...zero() };
    addInto(g, a);
    if (countCommit) g.commits++;
    map.set(key, g);
  };

  // The commits are read newest first, as git walks history (git reads its objects faster in
  // that order), and summed oldest first, in the range's order, once all are read: every total,
  // group and order is what summing them as they come in that order gives.
  const counted: CountedCommit[] = [];
  await forEachCommitProvenance(repo, [...shas].reverse(), notesRef, { addedLines: true }, async (p) => {
    counted.push(await countCommit(repo, p));
  });
  for (let i = counted.length - 1; i >= 0; i--) {
    const { stats, perFile } = counted[i];
    counted.length = i;
    commits.push(stats);
    if (stats.basis === 'merge') {
      merges++;
      continue;
    }
    for (const [path, a] of perFile) bump(files, path, a, true);
    addInto(totals, stats);
    bump(authors, stats.author_email.toLowerCase(), stats, true);
    bump(periods, periodKey(stats.date, period), stats, true);
    for (const [k, t] of Object.entries(stats.tool_model_breakdown)) addTool(tools, k, t.ai_additions);
    for (const [k, n] of Object.entries(stats.kind_breakdown)) kinds[k] = (kinds[k] ?? 0) + n;
  }

  const finish = (map: Map<string, GroupStats>) => [...map.values()].map((g) => ({ ...g, ai_share: aiShare(g) }));
  const authorList = finish(authors);
  // Show the author's name with the e-mail key.
  for (const a of authorList) {
    const c = commits.find((x) => x.author_email.toLowerCase() === a.key);
    if (c) a.key = `${c.author} <${c.author_email}>`;
  }
  return {
    range: range.join(' '),
    ...totals,
    commits_counted: commits.length - merges,
    merges_skipped: merges,
    ai_share: aiShare(totals),
    tool_model_breakdown: sortRecord(tools, (v) => v.ai_additions),
    kind_breakdown: sortRecord(kinds, (v) => v),
    commits,
    authors: authorList.sort((a, b) => b.ai_additions - a.ai_additions || a.key.localeCompare(b.key)),
    files: finish(files).sort((a, b) => b.ai_additions - a.ai_additions || a.key.localeCompare(b.key)),
    periods: finish(periods).sort((a, b) => a.key.localeCompare(b.key)),
    period,
  };
}

/** One commit's figures, and its lines per file (summed into the groups in the range's order). */
interface CountedCommit {
  readonly stats: CommitStats;
  readonly perFile: ReadonlyMap<string, Additions>;
}

async function countCommit(repo: GitRepo, p: CommitProvenance): Promise<CountedCommit> {
  const info = p.info;
  const declared = trailerValues(p.trailers, TRAILER_AI_ASSISTED).pop();
  const base: Omit<CommitStats, keyof Additions | 'basis'> = {
    sha: info.sha,
    author: info.authorName,
    author_email: info.authorEmail,
    date: info.authorDate,
    subject: info.subject,
    ...(declared !== undefined ? { ai_assisted: declared } : {}),
    tool_model_breakdown: dataMap(),
    kind_breakdown: dataMap(),
  };
  if (info.parents.length > 1) return { stats: { ...base, basis: 'merge', ...zero() }, perFile: new Map() };
  const perFile = new Map<string, Additions>();
  // git's own counts per file (the manifest files themselves left out, as git-ai leaves out
  // the files it ignores).
  const numstat = new Map<string, { added: number; deleted: number }>();
  for (const c of repo.addedLines(info.sha, info.parents[0])) {
    if (!c.path.startsWith(`${MANIFEST_DIR}/`)) numstat.set(c.path, c);
  }
  const fileAdditions = (path: string, total: number, ai: number, human: number, unknown: number): Additions => ({
    total_additions: total,
    human_additions: human,
    ai_additions: ai,
    ai_accepted: ai,
    unknown_additions: unknown,
    git_diff_added_lines: numstat.get(path)?.added ?? 0,
    git_diff_deleted_lines: numstat.get(path)?.deleted ?? 0,
  });
  let basis: CommitBasis;
  const manifests = await claimedManifests(repo, p);
  if (manifests.length) {
    basis = 'manifest';
    if (manifests.length === 1) {
      for (const f of manifests[0].files) {
        const unknown = f.unknownLines ?? 0;
        perFile.set(f.path, fileAdditions(f.path, f.addedLines, f.aiLines, f.addedLines - f.aiLines - unknown, unknown));
      }
    } else {
      // Several manifests that are not parts of one claim (e.g. a rewritten commit's): per
      // file, the lines they claim together, within the lines git says the commit adds.
      for (const [path, c] of combinedFileClaims(manifests)) {
        const total = numstat.has(path) ? numstat.get(path)!.added : c.added;
        const ai = Math.min(c.ai, total);
        const unknown = Math.min(c.unknown, total - ai);
        perFile.set(path, fileAdditions(path, total, ai, total - ai - unknown, unknown));
      }
    }
    for (const f of manifests.flatMap((m) => m.files)) {
      for (const r of f.ranges) {
        const n = r.endLine - r.startLine + 1;
        addTool(base.tool_model_breakdown, toolKey(r.tool, r.model), n);
        base.kind_breakdown[r.kind] = (base.kind_breakdown[r.kind] ?? 0) + n;
      }
    }
  } else {
    basis = p.manifestErrors ? 'invalid-manifest' : declared === 'no' ? 'declared-no-ai' : 'undeclared';
    for (const [path, c] of numstat) {
      if (c.added === 0) continue;
      const human = basis === 'declared-no-ai' ? c.added : 0;
      perFile.set(path, fileAdditions(path, c.added, 0, human, c.added - human));
    }
  }
  // Files git changed that have no entry above (deletions only, or a manifest without them)
  // still count in git's line totals.
  for (const [path, c] of numstat) {
    if (!perFile.has(path) && (c.added > 0 || c.deleted > 0)) perFile.set(path, fileAdditions(path, 0, 0, 0, 0));
  }
  const sum = zero();
  for (const a of perFile.values()) addInto(sum, a);
  return { stats: { ...base, basis, ...sum }, perFile };
}

/**
 * The manifests whose claims count for a commit: its own when it was measured for the commit;
 * else, when it adds several manifests of other commits (a squash merge), the one claim
 * `verify` checks for them (combinedClaim.ts); else every manifest it adds.
 */
async function claimedManifests(repo: GitRepo, p: CommitProvenance): Promise<Manifest[]> {
  const parent = p.info.parents[0];
  if (p.manifest && p.manifest.base === (parent ?? null)) return [p.manifest];
  const parts = manifestParts(repo, p, () => resolvePolicy(DEFAULT_POLICY));
  if (parts.length >= 2 && (!p.manifest || parts.some((x) => x.manifest === p.manifest))) {
    return [(await combinedClaim(repo, p.info.sha, parent, parts, resolvePolicy(DEFAULT_POLICY), () => undefined)).manifest];
  }
  return commitManifests(p);
}

function sortRecord<T>(r: Record<string, T>, by: (v: T) => number): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort((a, b) => by(b[1]) - by(a[1]) || a[0].localeCompare(b[0])));
}
