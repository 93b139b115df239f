import { ManifestTotals, Manifest } from '../manifest/schema';
import { formatPercent } from '../policy/policy';
import { ORIGIN_KINDS } from '../provenance/origin';

/**
 * The commit trailers AI Provenance writes, and the text operations that put them into a commit
 * message without touching anything else. No `vscode` import, no git: `src/git/trailers.ts`
 * runs `git interpret-trailers --parse` around these operations and refuses any result in which
 * git does not see exactly the user's trailers plus ours.
 *
 * The trailers (in this order):
 * - `AI-Assisted: yes|no` — the policy's verdict;
 * - `AI-Contribution: 37% (52 of 140 added lines; inline 30, chat 22)` — only when some added
 *   line is AI; kinds in the order of `ORIGIN_KINDS`;
 * - `Assisted-by: <tool>[:<model>]` — one per tool and model, most lines first;
 * - `AI-Provenance: <manifest id>` — when a manifest records the change;
 * - `Review-Required: <level>` — when the change is flagged and the policy names a level (the
 *   highest of `review.required` and the levels of the risk rules that fired);
 * - `AI-Risk: <rule id>, <rule id>` — the risk rules that fired, in the policy's order.
 *
 * Ownership: the keys `AI-Assisted`, `AI-Contribution`, `AI-Provenance`, `Review-Required` and
 * `AI-Risk` are ours (any line with them is replaced). `Assisted-by` is shared with people and other
 * tools: only values we wrote ourselves are replaced, and a value already present is not added
 * twice. We never write or remove `Co-authored-by` (VS Code's `git.addAICoAuthor` adds
 * `Co-authored-by: Copilot` when it commits; both coexist).
 */

export interface Trailer {
  readonly key: string;
  readonly value: string;
}

export const TRAILER_AI_ASSISTED = 'AI-Assisted';
export const TRAILER_CONTRIBUTION = 'AI-Contribution';
export const TRAILER_ASSISTED_BY = 'Assisted-by';
export const TRAILER_PROVENANCE = 'AI-Provenance';
export const TRAILER_REVIEW_REQUIRED = 'Review-Required';

/** The manifest ids named by `AI-Provenance` trailers, in order (keys compared without case). */
export function manifestIdsOf(trailers: ReadonlyArray<{ readonly key: string; readonly value: string }>): string[] {
  const key = TRAILER_PROVENANCE.toLowerCase();
  return trailers.filter((t) => t.key.toLowerCase() === key).map((t) => t.value);
}
export const TRAILER_AI_RISK = 'AI-Risk';

/** Keys whose every occurrence belongs to AI Provenance. */
export const OWNED_KEYS: readonly string[] = [TRAILER_AI_ASSISTED, TRAILER_CONTRIBUTION, TRAILER_PROVENANCE, TRAILER_REVIEW_REQUIRED, TRAILER_AI_RISK];

export interface TrailerInput {
  readonly totals: ManifestTotals;
  readonly flagged: boolean;
  readonly reviewRequired?: string;
  /** Id of the manifest recording the change, if one is written. */
  readonly manifestId?: string;
  /** Ids of the risk rules that fired. */
  readonly risk?: readonly string[];
}

/** `37% (52 of 140 added lines; inline 30, chat 22)`. */
export function formatContribution(totals: ManifestTotals): string {
  const kinds = ORIGIN_KINDS.filter((k) => (totals.byKind[k] ?? 0) > 0).map((k) => `${k} ${totals.byKind[k]}`);
  return `${formatPercent(totals.aiLines, totals.addedLines)} (${totals.aiLines} of ${totals.addedLines} added lines; ${kinds.join(', ')})`;
}

/** The AI line count an `AI-Contribution` value states (`37% (52 of 140 added lines; ...)` gives 52), or undefined. */
export function contributionAiLines(value: string): number | undefined {
  const m = /\((\d+) of \d+ added lines\b/.exec(value);
  return m ? Number(m[1]) : undefined;
}

/** The trailers describing a change, in the order they are written. */
export function buildTrailers(input: TrailerInput): Trailer[] {
  const t = input.totals;
  const out: Trailer[] = [{ key: TRAILER_AI_ASSISTED, value: input.flagged ? 'yes' : 'no' }];
  if (t.aiLines > 0) {
    out.push({ key: TRAILER_CONTRIBUTION, value: formatContribution(t) });
    for (const tool of t.byTool) out.push({ key: TRAILER_ASSISTED_BY, value: tool.model ? `${tool.tool}:${tool.model}` : tool.tool });
  }
  if (input.manifestId) out.push({ key: TRAILER_PROVENANCE, value: input.manifestId });
  if (input.flagged && input.reviewRequired) out.push({ key: TRAILER_REVIEW_REQUIRED, value: input.reviewRequired });
  if (input.flagged && input.risk?.length) out.push({ key: TRAILER_AI_RISK, value: input.risk.join(', ') });
  return out;
}

/** The trailers a manifest implies (what `verify` expects to find on its commit). */
export function trailersForManifest(m: Manifest): Trailer[] {
  return buildTrailers({ totals: m.totals, flagged: m.flagged, reviewRequired: m.reviewRequired, manifestId: m.id, risk: m.risk?.map((h) => h.id) });
}

/** `Key: value`. */
export function formatTrailer(t: Trailer): string {
  return `${t.key}: ${t.value}`;
}

/** True when the trailer (as `git interpret-trailers --parse` reports it) is ours to replace. */
export function isOwnedTrailer(t: Trailer, ourAssistedBy: ReadonlySet<string>): boolean {
  const k = t.key.toLowerCase();
  if (OWNED_KEYS.some((o) => o.toLowerCase() === k)) return true;
  return k === TRAILER_ASSISTED_BY.toLowerCase() && ourAssistedBy.has(t.value);
}

/** Where the log message ends and trailing comments / scissors begin. */
export interface MessageLayout {
  readonly lines: string[];
  /** Index of the first line after the message content (trailing blanks, comments, scissors). */
  readonly contentEnd: number;
  /** Index of the first line of the last paragraph of the content (== contentEnd when none). */
  readonly lastParagraph: number;
  /** True when the content has more than one paragraph (the first is never a trailer block). */
  readonly hasBody: boolean;
}

const SCISSORS = / -{8,} >8 -{8,}$/;

/**
 * Splits a message into lines and finds its content and its last paragraph, skipping trailing
 * blank lines and lines starting with `commentChar` (and everything from a scissors line on), as
 * git does for a commit message.
 */
export function layoutMessage(message: string, commentChar = '#'): MessageLayout {
  const lines = message.split('\n');
  let end = lines.length;
  const scissors = lines.findIndex((l) => l.startsWith(commentChar) && SCISSORS.test(l));
  if (scissors !== -1) end = scissors;
  while (end > 0 && (lines[end - 1].trim() === '' || lines[end - 1].startsWith(commentChar))) end--;
  let start = end;
  while (start > 0 && lines[start - 1].trim() !== '') start--;
  let first = 0;
  while (first < start && (lines[first].trim() === '' || lines[first].startsWith(commentChar))) first++;
  return { lines, contentEnd: end, lastParagraph: start, hasBody: first < start };
}

/**
 * Removes from the message's last paragraph the trailer lines `remove` selects (with their
 * continuation lines), leaving every other character as it was. `remove` gets the key and the
 * value of a `Key: value` / `Key:value` line. A paragraph left empty is removed with the blank
 * line before it. Returns the new message and what was removed.
 */
export function removeTrailerLines(message: string, remove: (t: Trailer) => boolean, commentChar = '#'): { message: string; removed: Trailer[] } {
  const layout = layoutMessage(message, commentChar);
  if (!layout.hasBody) return { message, removed: [] };
  const lines = [...layout.lines];
  const removed: Trailer[] = [];
  const kept: string[] = [];
  const para = lines.slice(layout.lastParagraph, layout.contentEnd);
  for (let i = 0; i < para.length; i++) {
    const line = para[i];
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*?)[ \t]*$/.exec(line);
    if (m) {
      let j = i + 1;
      let value = m[2];
      while (j < para.length && /^[ \t]+\S/.test(para[j])) value += ' ' + para[j++].trim();
      const t = { key: m[1], value };
      if (remove(t)) {
        removed.push(t);
        i = j - 1;
        continue;
      }
    }
    kept.push(line);
  }
  if (!removed.length) return { message, removed };
  let before = lines.slice(0, layout.lastParagraph);
  if (!kept.some((l) => l.trim() !== '' && !l.startsWith(commentChar))) {
    // The paragraph is gone: drop the blank lines that separated it.
    while (before.length && before[before.length - 1].trim() === '') before = before.slice(0, -1);
    const after = lines.slice(layout.contentEnd);
    const keptComments = kept.filter((l) => l.startsWith(commentChar));
    return { message: [...before, ...keptComments, ...after].join('\n'), removed };
  }
  return { message: [...before, ...kept, ...lines.slice(layout.contentEnd)].join('\n'), removed };
}

/**
 * Appends trailer lines after the message content: into the last paragraph when `intoLast`
 * (it is already a trailer block), otherwise as a new paragraph after a blank line. Trailing
 * comments and everything after the content stay where they were. A message without content
 * gets an empty subject line, a blank line, then the trailers.
 */
export function appendTrailerLines(message: string, trailers: readonly Trailer[], intoLast: boolean, commentChar = '#'): string {
  if (!trailers.length) return message;
  const layout = layoutMessage(message, commentChar);
  const lines = layout.lines;
  const add = trailers.map(formatTrailer);
  const head = lines.slice(0, layout.contentEnd);
  const tail = lines.slice(layout.contentEnd);
  const hasContent = head.some((l) => l.trim() !== '' && !l.startsWith(commentChar));
  let body: string[];
  if (!hasContent) body = ['', '', ...add];
  else if (intoLast) body = [...head, ...add];
  else body = [...head, '', ...add];
  if (!tail.length) tail.push('');
  else if (tail.length === 1 && tail[0] === '') {
    // Message ended with a newline: keep one.
  } else if (tail[0] !== '') tail.unshift('');
  return [...body, ...tail].join('\n');
}
