/**
 * The report's "History" section for the current file: which commits its committed lines come
 * from and how much of each commit's lines an AI wrote, the AI lines per tool, and the flagged
 * commits that still have lines in it (with the review each needed and got). Built from the AI
 * blame of the file (`ai-provenance blame --json`, see core/blame/editorBlame.ts) and its text;
 * no `vscode` import. Lines are counted as the rest of the report counts them: non-blank lines;
 * uncommitted lines are left to the "Current file" section.
 */
import { BlameJson } from '../blame/editorBlame';
import { Bar, bar } from './reportModel';

/** At most this many commits are listed; the rest are counted. */
export const HISTORY_MAX_COMMITS = 50;

export interface HistoryCommit {
  readonly sha: string;
  /** First 12 characters of the id. */
  readonly short: string;
  readonly subject: string;
  readonly author: string;
  /** `YYYY-MM-DD` (author date). */
  readonly date: string;
  /** AI lines of the file from this commit, of its non-blank lines in the file. */
  readonly share: Bar;
  /** Lines the commit's record cannot attribute (no record, or a file it did not analyse). */
  readonly unknownLines: number;
}

export interface FlaggedCommit {
  readonly sha: string;
  readonly short: string;
  readonly subject: string;
  readonly date: string;
  /** Non-blank lines of the file that still come from it, and how many of them are AI. */
  readonly lines: number;
  readonly aiLines: number;
  /** Review level it needed, when recorded. */
  readonly reviewRequired?: string;
  /** Review trailers it carries (empty: no review recorded). */
  readonly reviewedBy: readonly string[];
}

export type HistorySection =
  | {
      readonly state: 'available';
      readonly path: string;
      /** AI lines among the committed non-blank lines. */
      readonly share: Bar;
      readonly unknownLines: number;
      /** Non-blank lines not committed yet (see the current file's section). */
      readonly uncommittedLines: number;
      /** Most lines first. */
      readonly commits: HistoryCommit[];
      readonly commitsOmitted: number;
      /** AI lines per tool label (`tool` or `tool:model`) of all committed lines. */
      readonly tools: Bar[];
      /** Newest first. */
      readonly flagged: FlaggedCommit[];
    }
  | { readonly state: 'none' | 'computing'; readonly message: string };

interface Tally {
  lines: number;
  ai: number;
  unknown: number;
}

export function buildHistorySection(path: string, json: BlameJson, text: string): HistorySection {
  const textLines = text.split('\n');
  const perCommit = new Map<string, Tally>();
  const perTool = new Map<string, number>();
  let committed = 0;
  let ai = 0;
  let unknown = 0;
  let uncommitted = 0;
  for (const l of json.lines) {
    const content = textLines[l.line - 1];
    if (content === undefined || content.trim() === '') continue;
    if (!l.commit) {
      uncommitted++;
      continue;
    }
    committed++;
    const t = perCommit.get(l.commit) ?? { lines: 0, ai: 0, unknown: 0 };
    t.lines++;
    if (l.status === 'ai') {
      t.ai++;
      ai++;
      const label = l.tool ? (l.model ? `${l.tool}:${l.model}` : l.tool) : 'AI (tool not recorded)';
      perTool.set(label, (perTool.get(label) ?? 0) + 1);
    } else if (l.status === 'unknown') {
      t.unknown++;
      unknown++;
    }
    perCommit.set(l.commit, t);
  }
  if (committed === 0) {
    return { state: 'none', message: `${path} has no committed lines yet.` };
  }
  const info = (sha: string) => json.commits[sha] ?? undefined;
  const rows: HistoryCommit[] = [...perCommit]
    .map(([sha, t]) => {
      const c = info(sha);
      return {
        sha,
        short: sha.slice(0, 12),
        subject: c?.subject ?? '',
        author: c?.author ?? '',
        date: (c?.date ?? '').slice(0, 10),
        share: bar(sha.slice(0, 12), t.ai, t.lines),
        unknownLines: t.unknown,
      };
    })
    .sort((a, b) => b.share.total - a.share.total || b.date.localeCompare(a.date) || a.sha.localeCompare(b.sha));
  const flagged: FlaggedCommit[] = [...perCommit]
    .filter(([sha]) => info(sha)?.flagged)
    .map(([sha, t]) => {
      const c = info(sha)!;
      return {
        sha,
        short: sha.slice(0, 12),
        subject: c.subject,
        date: c.date.slice(0, 10),
        lines: t.lines,
        aiLines: t.ai,
        ...(c.review_required ? { reviewRequired: c.review_required } : {}),
        reviewedBy: [...(c.reviewed_by ?? [])],
      };
    })
    .sort((a, b) => b.date.localeCompare(a.date) || a.sha.localeCompare(b.sha));
  return {
    state: 'available',
    path,
    share: bar('AI', ai, committed),
    unknownLines: unknown,
    uncommittedLines: uncommitted,
    commits: rows.slice(0, HISTORY_MAX_COMMITS),
    commitsOmitted: Math.max(0, rows.length - HISTORY_MAX_COMMITS),
    tools: [...perTool].map(([label, n]) => bar(label, n, committed)).sort((a, b) => b.value - a.value || a.label.localeCompare(b.label)),
    flagged,
  };
}
