import { ManifestFile, ManifestRange, ManifestTotals, computeTotals, sha256Hex } from '../manifest/schema';
import { Policy, PolicyDecision, TrivialRule, evaluatePolicy, isTrivialEdit } from '../policy/policy';
import { Origin, isAiKind, originKey } from '../provenance/origin';
import { AiRange, addedLinesOf, splitLines } from './mapRanges';

/**
 * Counting the AI contribution of a change, file by file. Pure: the caller supplies the texts
 * (git's business) and the AI ranges already placed in the new text (see `mapRanges`).
 *
 * Rules:
 * - Only added lines count: lines of the new text that a line diff against the base does not
 *   match. Deleted lines never count, AI or not; unchanged lines never count.
 * - An added line is AI when strictly more than half of its non-whitespace characters lie in AI
 *   ranges (the same rule as the editor's line share); blank lines are never AI. It is attributed
 *   to the origin (kind, tool, model) holding most of its non-whitespace AI characters.
 * - A line is non-trivial AI when more than half of its non-whitespace characters come from
 *   non-trivial edits. An edit is the set of ranges sharing a request id (accepts of one
 *   suggestion), or a single range when its origin has no request id; it is trivial when the
 *   policy's trivial rule says so for its kind and its text (by default: an inline completion
 *   within one line of fewer than 40 characters).
 * - Characters: line terminators (`\n`, and a `\r` before it) are not counted.
 */

export interface FileContributionInput {
  /** The file's text in the base commit; undefined when the file is added. */
  readonly baseText: string | undefined;
  /** The file's new (committed / staged) text. */
  readonly text: string;
  /** AI ranges in offsets of `text`. Ranges whose `text` is not found at their place are ignored. */
  readonly ranges: readonly AiRange[];
  readonly trivial: TrivialRule;
}

/** Counts of one file; `ranges` are line ranges in the new text with their hashes. */
export type FileContribution = Pick<ManifestFile, 'addedLines' | 'aiLines' | 'nonTrivialAiLines' | 'addedCharacters' | 'aiCharacters' | 'ranges'> & {
  /** Input ranges ignored because their text was not at their place (or overlapped another). */
  readonly ignoredRanges: number;
};

interface Group {
  readonly origin: Origin;
  nonWs: number;
}

export function computeFileContribution(input: FileContributionInput): FileContribution {
  const { text } = input;
  let ignoredRanges = 0;
  const ranges: AiRange[] = [];
  let lastEnd = 0;
  for (const r of [...input.ranges].sort((a, b) => a.start - b.start)) {
    const ok = isAiKind(r.origin.kind) && r.end > r.start && r.start >= lastEnd && r.text.length === r.end - r.start && text.startsWith(r.text, r.start);
    if (!ok) {
      ignoredRanges++;
      continue;
    }
    ranges.push(r);
    lastEnd = r.end;
  }
  const trivialRange = triviality(ranges, input.trivial);

  const lines = splitLines(text);
  const added = addedLinesOf(input.baseText, text, lines);
  let addedCharacters = 0;
  let aiCharacters = 0;
  // `start` and `end` (before its `\n`) of each AI line, for the hash of the manifest ranges.
  const aiLineInfo: Array<{ line: number; start: number; end: number; origin: Origin; trivial: boolean }> = [];

  let offset = 0;
  let ri = 0;
  for (let line = 0; line < lines.length; line++) {
    const ls = offset;
    const raw = lines[line];
    offset += raw.length;
    if (!added.has(line)) continue;
    let le = ls + raw.length;
    if (raw.endsWith('\n')) le--;
    const lineEnd = le;
    if (le > ls && text.charCodeAt(le - 1) === 13 && raw.endsWith('\r\n')) le--;
    addedCharacters += le - ls;

    while (ri < ranges.length && ranges[ri].end <= ls) ri++;
    // No AI character on the line: it cannot be an AI line (and adds no AI characters).
    if (ri === ranges.length || ranges[ri].start >= le) continue;
    let nonWs = 0;
    for (let i = ls; i < le; i++) if (!isWs(text.charCodeAt(i))) nonWs++;
    let aiNonWs = 0;
    let nonTrivialNonWs = 0;
    const groups = new Map<string, Group>();
    for (let k = ri; k < ranges.length && ranges[k].start < le; k++) {
      const r = ranges[k];
      const from = Math.max(r.start, ls);
      const to = Math.min(r.end, le);
      if (to <= from) continue;
      aiCharacters += to - from;
      let n = 0;
      for (let i = from; i < to; i++) if (!isWs(text.charCodeAt(i))) n++;
      aiNonWs += n;
      if (!trivialRange[k]) nonTrivialNonWs += n;
      const key = `${r.origin.kind}\u0000${r.origin.tool}\u0000${r.origin.model ?? ''}`;
      const g = groups.get(key) ?? { origin: r.origin, nonWs: 0 };
      g.nonWs += n;
      groups.set(key, g);
    }
    if (nonWs === 0 || aiNonWs * 2 <= nonWs) continue;
    let best: Group | undefined;
    for (const g of groups.values()) if (!best || g.nonWs > best.nonWs) best = g;
    aiLineInfo.push({ line, start: ls, end: lineEnd, origin: best!.origin, trivial: nonTrivialNonWs * 2 <= nonWs });
  }

  const out: ManifestRange[] = [];
  let nonTrivialAiLines = 0;
  for (let i = 0; i < aiLineInfo.length; ) {
    const first = aiLineInfo[i];
    let j = i + 1;
    while (
      j < aiLineInfo.length &&
      aiLineInfo[j].line === aiLineInfo[j - 1].line + 1 &&
      aiLineInfo[j].trivial === first.trivial &&
      sameSource(aiLineInfo[j].origin, first.origin)
    ) {
      j++;
    }
    const startLine = first.line + 1;
    const endLine = aiLineInfo[j - 1].line + 1;
    if (!first.trivial) nonTrivialAiLines += endLine - startLine + 1;
    out.push({
      startLine,
      endLine,
      kind: first.origin.kind,
      tool: first.origin.tool,
      ...(first.origin.model !== undefined ? { model: first.origin.model } : {}),
      trivial: first.trivial,
      // rangeText(text, startLine, endLine), read from the offsets already known.
      sha256: sha256Hex(text.slice(first.start, aiLineInfo[j - 1].end)),
    });
    i = j;
  }

  return { addedLines: added.size, aiLines: aiLineInfo.length, nonTrivialAiLines, addedCharacters, aiCharacters, ranges: out, ignoredRanges };
}

/** Per range (same order): true when the edit it belongs to is trivial. */
function triviality(ranges: readonly AiRange[], rule: TrivialRule): boolean[] {
  const editText = new Map<string, string>();
  const keyOf = (r: AiRange, i: number): string => (r.origin.requestId ? `r:${originKey(r.origin)}` : `i:${i}`);
  ranges.forEach((r, i) => {
    const k = keyOf(r, i);
    editText.set(k, (editText.get(k) ?? '') + r.text);
  });
  return ranges.map((r, i) => isTrivialEdit(rule, r.origin.kind, editText.get(keyOf(r, i))!));
}

function sameSource(a: Origin, b: Origin): boolean {
  return a.kind === b.kind && a.tool === b.tool && a.model === b.model;
}

function isWs(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 10 || code === 11 || code === 12 || code === 0xa0 || code === 0xfeff;
}

/** Totals of a change and the policy's verdict on it. */
export interface ChangeSummary {
  readonly totals: ManifestTotals;
  readonly decision: PolicyDecision;
}

export function summarizeChange(files: readonly ManifestFile[], policy: Policy): ChangeSummary {
  const totals = computeTotals(files);
  return { totals, decision: evaluatePolicy(policy, totals) };
}
