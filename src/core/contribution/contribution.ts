import { ManifestFile, ManifestRange, ManifestTotals, computeTotals, sha256Hex } from '../manifest/schema';
import { Policy, PolicyDecision, TrivialRule, evaluatePolicy, isTrivialEditOf, spansLines } from '../policy/policy';
import { Origin, isAiKind, originKey } from '../provenance/origin';
import { LineSpan } from './lineSpan';
import { ManifestConversation, conversationOf } from '../manifest/conversations';
import { AiRange } from './mapRanges';

/**
 * Counting the AI contribution of a change, file by file. Pure: the caller supplies the texts
 * (git's business) and the AI ranges already placed in the new text (see `mapRanges`).
 *
 * Rules:
 * - Only added lines count: the lines git's diff against the base shows as added (the caller
 *   reads them from git, see `src/git/patch.ts`). Deleted lines never count, AI or not; unchanged
 *   lines never count.
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
  /** The file's new (committed / staged) text. */
  readonly text: string;
  /**
   * Its added lines, as git's diff against the base gives them (sorted, not overlapping), or
   * `'every-line'` when the whole text is new. Lines past the end of `text` are ignored.
   */
  readonly added: readonly LineSpan[] | 'every-line';
  /** AI ranges in offsets of `text`. Ranges whose `text` is not found at their place are ignored. */
  readonly ranges: readonly AiRange[];
  readonly trivial: TrivialRule;
}

/** Counts of one file; `ranges` are line ranges in the new text with their hashes. */
export type FileContribution = Pick<ManifestFile, 'addedLines' | 'aiLines' | 'nonTrivialAiLines' | 'addedCharacters' | 'aiCharacters' | 'ranges' | 'conversations'> & {
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

  let addedLines = 0;
  let addedCharacters = 0;
  let aiCharacters = 0;
  // `start` and `end` (before its `\n`) of each AI line, for the hash of the manifest ranges.
  const aiLineInfo: Array<{ line: number; start: number; end: number; origin: Origin; trivial: boolean }> = [];

  const spans: readonly LineSpan[] = input.added === 'every-line' ? [{ start: 0, count: Number.POSITIVE_INFINITY }] : input.added;
  // The line the cursor is on and the offset where it starts; lines are found with indexOf, never
  // split out of the text.
  let line = 0;
  let offset = 0;
  let ri = 0;
  for (const span of spans) {
    while (line < span.start && offset < text.length) {
      const nl = text.indexOf('\n', offset);
      offset = nl === -1 ? text.length : nl + 1;
      line++;
    }
    if (offset >= text.length) break;
    for (let n = Math.max(0, span.count - Math.max(0, line - span.start)); n > 0 && offset < text.length; n--, line++) {
      const ls = offset;
      const nl = text.indexOf('\n', ls);
      offset = nl === -1 ? text.length : nl + 1;
      addedLines++;
      let le = nl === -1 ? text.length : nl;
      const lineEnd = le;
      if (nl !== -1 && le > ls && text.charCodeAt(le - 1) === 13) le--;
      addedCharacters += le - ls;

      while (ri < ranges.length && ranges[ri].end <= ls) ri++;
      // No AI character on the line: it cannot be an AI line (and adds no AI characters).
      if (ri === ranges.length || ranges[ri].start >= le) continue;
      const first = ranges[ri];
      if (first.start <= ls && first.end >= le) {
        // The whole line lies in one range (the usual AI line): every visible character is AI and
        // from that range, so the line is AI, of that range's origin and triviality, as soon as it
        // has one visible character.
        aiCharacters += le - ls;
        let i = ls;
        while (i < le && isWs(text.charCodeAt(i))) i++;
        if (i < le) aiLineInfo.push({ line, start: ls, end: lineEnd, origin: first.origin, trivial: trivialRange[ri] });
        continue;
      }
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
        let c = 0;
        for (let i = from; i < to; i++) if (!isWs(text.charCodeAt(i))) c++;
        aiNonWs += c;
        if (!trivialRange[k]) nonTrivialNonWs += c;
        const key = `${r.origin.kind}\u0000${r.origin.tool}\u0000${r.origin.model ?? ''}`;
        const g = groups.get(key) ?? { origin: r.origin, nonWs: 0 };
        g.nonWs += c;
        groups.set(key, g);
      }
      if (nonWs === 0 || aiNonWs * 2 <= nonWs) continue;
      let best: Group | undefined;
      for (const g of groups.values()) if (!best || g.nonWs > best.nonWs) best = g;
      aiLineInfo.push({ line, start: ls, end: lineEnd, origin: best!.origin, trivial: nonTrivialNonWs * 2 <= nonWs });
    }
  }

  const out: ManifestRange[] = [];
  // The conversations the ranges came from (chat requests, agent sessions), in order of first use.
  const conversations = new Map<string, ManifestConversation>();
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
    const conversation = conversationOf(first.origin);
    if (conversation && !conversations.has(conversation.id)) conversations.set(conversation.id, conversation);
    out.push({
      startLine,
      endLine,
      kind: first.origin.kind,
      tool: first.origin.tool,
      ...(first.origin.model !== undefined ? { model: first.origin.model } : {}),
      trivial: first.trivial,
      // rangeText(text, startLine, endLine), read from the offsets already known.
      sha256: sha256Hex(text.slice(first.start, aiLineInfo[j - 1].end)),
      ...(conversation ? { conversation: conversation.id } : {}),
    });
    i = j;
  }

  return {
    addedLines,
    aiLines: aiLineInfo.length,
    nonTrivialAiLines,
    addedCharacters,
    aiCharacters,
    ranges: out,
    ...(conversations.size ? { conversations: [...conversations.values()] } : {}),
    ignoredRanges,
  };
}

/** Per range (same order): true when the edit it belongs to is trivial. */
function triviality(ranges: readonly AiRange[], rule: TrivialRule): boolean[] {
  // Per edit: its length and whether it spans lines (what the rule asks of its joined text).
  const edits = new Map<string, { length: number; multiLine: boolean }>();
  const keyOf = (r: AiRange, i: number): string => (r.origin.requestId ? `r:${originKey(r.origin)}` : `i:${i}`);
  const keys = ranges.map((r, i) => {
    if (!rule.kinds.includes(r.origin.kind)) return undefined;
    const k = keyOf(r, i);
    const e = edits.get(k) ?? { length: 0, multiLine: false };
    e.length += r.text.length;
    e.multiLine ||= spansLines(r.text);
    edits.set(k, e);
    return k;
  });
  return ranges.map((r, i) => {
    const e = keys[i] === undefined ? undefined : edits.get(keys[i]!);
    return e ? isTrivialEditOf(rule, r.origin.kind, e.length, e.multiLine) : false;
  });
}

/** Same kind, tool and model, and the same conversation (when the kind has conversations). */
function sameSource(a: Origin, b: Origin): boolean {
  return a.kind === b.kind && a.tool === b.tool && a.model === b.model && conversationOf(a)?.id === conversationOf(b)?.id;
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
