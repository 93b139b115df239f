/**
 * The editor's AI blame of committed lines, as data: what `ai-provenance blame --json` gave for a
 * document, kept per line and moved with edits the way VS Code moves its own blame decorations
 * (lines inside an edit lose their blame until it is computed again; lines after it shift), and
 * the hover that describes a line. Pure: the adapter is src/views/commitBlame.ts.
 */
import { escapeMarkdown, inlineCode, promptCell } from '../presentation/hover';
import { kindLabel } from '../presentation/labels';
import { OriginKind } from '../provenance/origin';

/** One committed AI line, from the command's JSON. */
export interface CommittedAiLine {
  readonly commit: string;
  readonly kind?: OriginKind;
  readonly tool?: string;
  readonly model?: string;
  readonly conversation?: string;
  /** The conversation's prompt (redacted) or its hash, as the commit's manifest keeps them. */
  readonly prompt?: string;
  readonly promptSha256?: string;
  readonly origPath: string;
  readonly origLine: number;
}

/** One commit's record, from the command's JSON (shared by every line of the commit: cached per commit). */
export interface CommitSummary {
  readonly author: string;
  readonly date: string;
  readonly subject: string;
  readonly reviewRequired?: string;
  readonly reviewedBy: readonly string[];
  readonly flagged: boolean;
}

export interface BlameJsonLine {
  readonly line: number;
  readonly commit: string | null;
  readonly status: string;
  readonly kind: string | null;
  readonly tool: string | null;
  readonly model: string | null;
  readonly conversation: string | null;
  readonly prompt?: string | null;
  readonly prompt_sha256?: string | null;
  readonly orig_path: string;
  readonly orig_line: number;
}

export interface BlameJson {
  readonly lines: readonly BlameJsonLine[];
  readonly commits: Readonly<Record<string, { author: string; date: string; subject: string; review_required: string | null; reviewed_by: string[]; flagged: boolean } | null>>;
}

/** Per 0-based line: the committed AI line there, or undefined. */
export type LineTable = (CommittedAiLine | undefined)[];

/** Reads the command's JSON into a line table (committed AI lines only) and the commits' summaries. */
export function fromBlameJson(json: BlameJson, lineCount: number): { lines: LineTable; commits: Map<string, CommitSummary> } {
  const lines: LineTable = new Array(lineCount).fill(undefined);
  const commits = new Map<string, CommitSummary>();
  for (const l of json.lines) {
    if (l.status !== 'ai' || !l.commit || l.line < 1 || l.line > lineCount) continue;
    lines[l.line - 1] = {
      commit: l.commit,
      ...(l.kind ? { kind: l.kind as OriginKind } : {}),
      ...(l.tool ? { tool: l.tool } : {}),
      ...(l.model ? { model: l.model } : {}),
      ...(l.conversation ? { conversation: l.conversation } : {}),
      ...(l.prompt ? { prompt: l.prompt } : {}),
      ...(l.prompt_sha256 ? { promptSha256: l.prompt_sha256 } : {}),
      origPath: l.orig_path,
      origLine: l.orig_line,
    };
  }
  for (const [sha, c] of Object.entries(json.commits)) {
    if (!c) continue;
    commits.set(sha, {
      author: c.author,
      date: c.date,
      subject: c.subject,
      ...(c.review_required ? { reviewRequired: c.review_required } : {}),
      reviewedBy: c.reviewed_by ?? [],
      flagged: c.flagged,
    });
  }
  return { lines, commits };
}

/**
 * Applies one edit to the table: lines `startLine..endLine` (0-based, inclusive; the lines the
 * replaced range touches) become `insertedLines + 1` lines without blame; later lines move.
 */
export function shiftLines(lines: LineTable, startLine: number, endLine: number, insertedLines: number): void {
  const count = Math.max(0, Math.min(endLine, lines.length - 1) - startLine + 1);
  lines.splice(startLine, count, ...new Array<undefined>(insertedLines + 1).fill(undefined));
}

/** Spans (0-based, inclusive) of consecutive blamed lines. */
export function blamedSpans(lines: LineTable): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]) continue;
    const start = i;
    while (i + 1 < lines.length && lines[i + 1]) i++;
    out.push([start, i]);
  }
  return out;
}

/** The hover of a committed AI line: commit, tool, model, review and, where recorded, the conversation. */
export function committedHoverMarkdown(line: CommittedAiLine, commit: CommitSummary | undefined): string {
  const rows = [
    `**AI-written, committed** \u2014 ${escapeMarkdown(line.kind ? kindLabel(line.kind) : 'AI')}`,
    '',
    '| | |',
    '|---|---|',
    `| Commit | ${inlineCode(line.commit.slice(0, 12))}${commit ? ` ${escapeMarkdown(commit.subject)}` : ''} |`,
  ];
  if (commit) rows.push(`| Author | ${escapeMarkdown(commit.author)}, ${escapeMarkdown(commit.date.slice(0, 10))} |`);
  rows.push(`| Tool | ${line.tool ? inlineCode(line.tool) : '_not recorded_'} |`);
  rows.push(`| Model | ${line.model ? inlineCode(line.model) : '_not reported_'} |`);
  if (commit) {
    const review = commit.reviewRequired
      ? commit.reviewedBy.length
        ? `${escapeMarkdown(commit.reviewRequired)}, reviewed by ${commit.reviewedBy.map((r) => escapeMarkdown(r)).join(', ')}`
        : `${escapeMarkdown(commit.reviewRequired)}, no review recorded`
      : commit.reviewedBy.length
        ? `reviewed by ${commit.reviewedBy.map((r) => escapeMarkdown(r)).join(', ')}`
        : commit.flagged
          ? 'flagged, no review level or review recorded'
          : 'not required';
    rows.push(`| Review | ${review} |`);
  }
  rows.push(`| Conversation | ${line.conversation ? inlineCode(line.conversation) : '_not recorded in the commit_'} |`);
  if (line.prompt) rows.push(`| Prompt | ${promptCell(line.prompt)} |`);
  else if (line.promptSha256) rows.push(`| Prompt | _kept as a hash only_ ${inlineCode(line.promptSha256.slice(0, 12))} |`);
  rows.push(`| In commit | ${inlineCode(line.origPath)} line ${line.origLine} |`);
  return rows.join('\n');
}
