/**
 * The hover shown over AI-produced text. Pure: returns Markdown that the extension wraps in a
 * `vscode.MarkdownString`.
 */
import { PlacedAiRange } from './lineSpans';
import { formatAgo, formatLineSpan, formatUtc, kindLabel } from './labels';

/** At most this many ranges are described in one hover (a position is normally in one). */
export const HOVER_MAX_RANGES = 3;

/** Escapes text for Markdown so that tool and model names show as typed. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

/** Inline code for any text: a fence longer than any run of backticks in it. */
export function inlineCode(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** Prompts are shown up to this many characters in a hover. */
export const HOVER_PROMPT_CHARS = 300;

/** A prompt (already redacted) as one table cell: one line, cut, Markdown escaped. */
export function promptCell(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  const cut = line.length > HOVER_PROMPT_CHARS ? `${line.slice(0, HOVER_PROMPT_CHARS - 1)}\u2026` : line;
  return escapeMarkdown(cut);
}

export interface HoverOptions {
  /** Milliseconds since the epoch, for "5 min ago". */
  readonly now: number;
  /** When set, a link to this command is added (the report). */
  readonly reportCommand?: string;
}

/**
 * Markdown describing `ranges` (the AI ranges under the mouse), or undefined when there are none.
 * Each range: its kind, tool, model, when it was recorded and the lines it covers (1-based).
 */
export function hoverMarkdown(ranges: readonly PlacedAiRange[], options: HoverOptions): string | undefined {
  if (ranges.length === 0) return undefined;
  const parts: string[] = [];
  for (const r of ranges.slice(0, HOVER_MAX_RANGES)) {
    const o = r.origin;
    const rows = [
      `**AI-produced** \u2014 ${escapeMarkdown(kindLabel(o.kind))}`,
      '',
      '| | |',
      '|---|---|',
      `| Tool | ${inlineCode(o.tool)} |`,
      `| Model | ${o.model ? inlineCode(o.model) : '_not reported_'} |`,
      `| Recorded | ${formatUtc(o.timestamp)} (${formatAgo(o.timestamp, options.now)}) |`,
      `| Covers | ${formatLineSpan(r.startLine + 1, r.endLine + 1)}, ${r.visibleChars} non-blank characters |`,
    ];
    if (o.requestId) rows.push(`| Request | ${inlineCode(o.requestId)} |`);
    if (o.copiedFrom) rows.push(`| Copied from | ${inlineCode(o.copiedFrom)} |`);
    if (o.prompt) rows.push(`| Prompt | ${promptCell(o.prompt)} |`);
    if (o.transcript) rows.push(`| Transcript | ${inlineCode(o.transcript)} |`);
    parts.push(rows.join('\n'));
  }
  if (ranges.length > HOVER_MAX_RANGES) parts.push(`_and ${ranges.length - HOVER_MAX_RANGES} more AI ranges here_`);
  if (options.reportCommand) parts.push(`[Show AI Provenance report](command:${options.reportCommand})`);
  return parts.join('\n\n---\n\n');
}
