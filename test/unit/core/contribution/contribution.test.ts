import * as assert from 'assert';
import { computeFileContribution, summarizeChange } from '../../../../src/core/contribution/contribution';
import { LineSpan } from '../../../../src/core/contribution/lineSpan';
import { AiRange, mapRanges } from '../../../../src/core/contribution/mapRanges';
import { ManifestFile, rangeText, sha256Hex } from '../../../../src/core/manifest/schema';
import { DEFAULT_POLICY, resolvePolicy } from '../../../../src/core/policy/policy';
import { Origin } from '../../../../src/core/provenance/origin';

const chat: Origin = { kind: 'chat', tool: 'copilot-chat', model: 'gpt-5', timestamp: 1 };
const agent: Origin = { kind: 'agent', tool: 'claude-code', timestamp: 2 };
const inline: Origin = { kind: 'inline', tool: 'github.copilot', requestId: 'r1', timestamp: 3 };
const rule = DEFAULT_POLICY.trivial;

/** Spans of the given 1-based line numbers, as git's diff would report those lines added. */
function lines(...numbers: number[]): LineSpan[] {
  const spans: LineSpan[] = [];
  for (const n of numbers) {
    const last = spans[spans.length - 1];
    if (last && last.start + last.count === n - 1) spans[spans.length - 1] = { start: last.start, count: last.count + 1 };
    else spans.push({ start: n - 1, count: 1 });
  }
  return spans;
}

/** The AI range covering the first occurrence of `piece` in `text`. */
function at(text: string, piece: string, origin: Origin): AiRange {
  const start = text.indexOf(piece);
  assert.ok(start >= 0, `${JSON.stringify(piece)} in text`);
  return { start, end: start + piece.length, origin, text: piece };
}

describe('contribution counting', () => {
  it('counts only added lines, by majority of non-whitespace characters', () => {
    // Against the base 'a\nb\nc\n', git shows lines 2-4 and 6 as added.
    const aiBlock = 'function f() {\n  return 42;\n}\n';
    const text = 'a\n' + aiBlock + 'b\nhuman line\nc\n';
    const c = computeFileContribution({ added: lines(2, 3, 4, 6), text, ranges: [at(text, aiBlock, chat)], trivial: rule });
    assert.strictEqual(c.addedLines, 4);
    assert.strictEqual(c.aiLines, 3);
    assert.strictEqual(c.nonTrivialAiLines, 3);
    assert.strictEqual(c.ranges.length, 1);
    const r = c.ranges[0];
    assert.deepStrictEqual([r.startLine, r.endLine, r.kind, r.tool, r.model, r.trivial], [2, 4, 'chat', 'copilot-chat', 'gpt-5', false]);
    assert.strictEqual(r.sha256, sha256Hex('function f() {\n  return 42;\n}'));
    assert.strictEqual(c.addedCharacters, 'function f() {'.length + '  return 42;'.length + 1 + 'human line'.length);
    assert.strictEqual(c.aiCharacters, 'function f() {'.length + '  return 42;'.length + 1);
  });

  it('an AI range on an unchanged line does not count (deleted and unchanged lines never do)', () => {
    // The base was 'keep me\nold AI line\n': one line deleted, none added.
    const text = 'keep me\n';
    const c = computeFileContribution({ added: [], text, ranges: [at(text, 'keep me', agent)], trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines, c.ranges.length], [0, 0, 0]);
  });

  it('a line with less than half AI characters is not AI', () => {
    const text = 'const value = compute(x);\n';
    const c = computeFileContribution({ added: 'every-line', text, ranges: [at(text, 'compute(x);', agent)], trivial: rule });
    assert.strictEqual(c.addedLines, 1);
    assert.strictEqual(c.aiLines, 0);
    assert.strictEqual(c.aiCharacters, 'compute(x);'.length);
  });

  it('short single-line inline completions are trivial; long or multi-line ones are not', () => {
    const text = 'let a = 1;\nlet b = someLongFunctionName(argumentOne, argumentTwo);\nif (x) {\n  y();\n}\n';
    const short = at(text, 'let a = 1;', { ...inline, requestId: 'q1' });
    const long = at(text, 'let b = someLongFunctionName(argumentOne, argumentTwo);', { ...inline, requestId: 'q2' });
    const multi = at(text, 'if (x) {\n  y();\n}', { ...inline, requestId: 'q3' });
    const c = computeFileContribution({ added: 'every-line', text, ranges: [short, long, multi], trivial: rule });
    assert.strictEqual(c.aiLines, 5);
    assert.strictEqual(c.nonTrivialAiLines, 4);
    assert.deepStrictEqual(c.ranges.map((r) => [r.startLine, r.endLine, r.trivial]), [[1, 1, true], [2, 5, false]]);
  });

  it('accepts of one suggestion (same request id) are judged together', () => {
    const text = 'const result = await fetchTheThing(url, options);\n';
    // Word-by-word partial accepts of one 49-character suggestion, split by a human-typed space.
    const o: Origin = { kind: 'inlinePartial', tool: 'github.copilot', requestId: 'same', timestamp: 1 };
    const parts = [at(text, 'const result = await', o), at(text, 'fetchTheThing(url, options);', o)];
    const c = computeFileContribution({ added: 'every-line', text, ranges: parts, trivial: rule });
    assert.strictEqual(c.nonTrivialAiLines, 1);
    const separate = parts.map((p, i) => ({ ...p, origin: { ...o, requestId: `r${i}` } }));
    assert.strictEqual(computeFileContribution({ added: 'every-line', text, ranges: separate, trivial: rule }).nonTrivialAiLines, 0);
  });

  it('partially staged file: working-copy ranges mapped onto the index text', () => {
    // HEAD holds 'header\nfooter\n'.
    const aiA = 'alpha() {\n  return 1;\n}\n';
    const aiB = 'beta() {\n  return 2;\n}\n';
    const working = 'header\n' + aiA + 'middle\n' + aiB + 'footer\n';
    // Only the first hunk (aiA) is staged.
    const index = 'header\n' + aiA + 'footer\n';
    const ranges = mapRanges(working, index, [at(working, aiA, chat), at(working, aiB, agent)]);
    assert.deepStrictEqual(ranges.map((r) => r.text), [aiA]);
    const c = computeFileContribution({ added: lines(2, 3, 4), text: index, ranges, trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines], [3, 3]);
    assert.deepStrictEqual(c.ranges.map((r) => r.kind), ['chat']);
  });

  it('an AI range changed in the working copy only counts where the index still has its text', () => {
    // The index holds a human's version of the line; the working copy has AI text there.
    const working = 'x = aiWroteThisExpression();\n';
    const index = 'x = humanWroteThis();\n';
    const mapped = mapRanges(working, index, [at(working, 'aiWroteThisExpression();', agent)]);
    for (const r of mapped) assert.strictEqual(index.slice(r.start, r.end), r.text);
    const c = computeFileContribution({ added: 'every-line', text: index, ranges: mapped, trivial: rule });
    assert.strictEqual(c.aiLines, 0);
  });

  it('CRLF: working copy CRLF, index LF (autocrlf) maps and counts', () => {
    const working = 'one\r\nfn() {\r\n  body();\r\n}\r\n';
    const index = 'one\nfn() {\n  body();\n}\n';
    const ranges = mapRanges(working, index, [at(working, 'fn() {\r\n  body();\r\n}\r\n', agent)]);
    const c = computeFileContribution({ added: lines(2, 3, 4), text: index, ranges, trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines, c.nonTrivialAiLines], [3, 3, 3]);
    assert.strictEqual(c.aiCharacters, 'fn() {'.length + '  body();'.length + 1);
  });

  it('CRLF committed text: \\r not counted as a character, kept in the range hash', () => {
    const text = 'a\r\nAI line here\r\n';
    const c = computeFileContribution({ added: lines(2), text, ranges: [at(text, 'AI line here\r\n', chat)], trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines, c.addedCharacters, c.aiCharacters], [1, 1, 12, 12]);
    assert.strictEqual(c.ranges[0].sha256, sha256Hex('AI line here\r'));
    assert.strictEqual(c.ranges[0].sha256, sha256Hex(rangeText(text, 2, 2)));
  });

  it('renamed file: measured against the old path’s text, only the edit counts', () => {
    // The old path held the first two lines; git's diff of the pair adds line 3.
    const text = 'export const a = 1;\nexport const b = 2;\nexport const c = compute(a, b) * 3;\n';
    const c = computeFileContribution({ added: lines(3), text, ranges: [at(text, 'export const c = compute(a, b) * 3;', chat)], trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines], [1, 1]);
    assert.strictEqual(c.ranges[0].startLine, 3);
  });

  it('added file: every line is added; ranges with wrong text are ignored', () => {
    const text = 'l1\nl2 by ai\nl3\n';
    const wrong: AiRange = { start: 0, end: 2, origin: chat, text: 'zz' };
    const c = computeFileContribution({ added: 'every-line', text, ranges: [at(text, 'l2 by ai', chat), wrong], trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines, c.ignoredRanges], [3, 1, 1]);
  });

  it('added lines: only the lines of the spans count; spans past the end and overlaps are harmless', () => {
    const text = 'one\ntwo\r\nthree\nfour';
    const count = (added: readonly LineSpan[] | 'every-line'): number[] => {
      const c = computeFileContribution({ added, text, ranges: [], trivial: rule });
      return [c.addedLines, c.addedCharacters];
    };
    assert.deepStrictEqual(count([]), [0, 0]);
    assert.deepStrictEqual(count(lines(2)), [1, 3]);
    assert.deepStrictEqual(count(lines(4)), [1, 4]);
    assert.deepStrictEqual(count('every-line'), [4, 15]);
    assert.deepStrictEqual(count([{ start: 3, count: 5 }]), [1, 4]);
    assert.deepStrictEqual(count([{ start: 9, count: 1 }]), [0, 0]);
    assert.deepStrictEqual(count([{ start: 0, count: 2 }, { start: 1, count: 2 }]), [3, 11]);
    assert.deepStrictEqual(computeFileContribution({ added: 'every-line', text: '', ranges: [], trivial: rule }).addedLines, 0);
  });

  it('summarises files and applies the policy', () => {
    const file = (aiLines: number, nonTrivial: number, added: number): ManifestFile => ({
      path: `f${aiLines}`,
      status: 'modified',
      sha256: 'a'.repeat(64),
      addedLines: added,
      aiLines,
      nonTrivialAiLines: nonTrivial,
      addedCharacters: added,
      aiCharacters: aiLines,
      ranges: aiLines ? [{ startLine: 1, endLine: aiLines, kind: 'chat', tool: 't', trivial: nonTrivial === 0, sha256: 'b'.repeat(64) }] : [],
    });
    const s = summarizeChange([file(2, 2, 50), file(0, 0, 50)], resolvePolicy());
    assert.strictEqual(s.totals.addedLines, 100);
    assert.strictEqual(s.decision.flagged, false);
    const t = summarizeChange([file(2, 2, 50), file(1, 1, 5)], resolvePolicy());
    assert.strictEqual(t.decision.flagged, true);
    assert.strictEqual(t.decision.reviewRequired, 'senior');
  });

  it('a deleted-then-retyped line by a human is not AI even if an AI range claims other text', () => {
    const text = 'human\n';
    const c = computeFileContribution({ added: 'every-line', text, ranges: [{ start: 0, end: 5, origin: chat, text: 'robot' }], trivial: rule });
    assert.strictEqual(c.aiLines, 0);
    assert.strictEqual(c.ignoredRanges, 1);
  });

  it('mapRanges keeps a range split across unchanged lines and drops changed lines', () => {
    const from = 'a1\na2\na3\n';
    const to = 'a1\nCHANGED\na3\n';
    const mapped = mapRanges(from, to, [{ start: 0, end: from.length, origin: agent, text: from }]);
    assert.deepStrictEqual(mapped.map((r) => r.text), ['a1\n', 'a3\n']);
    for (const r of mapped) assert.strictEqual(to.slice(r.start, r.end), r.text);
  });

  it('mapRanges follows lines that moved down and drops a range not in the target', () => {
    const from = 'ai();\n';
    const to = 'new1\nnew2\nai();\n';
    const mapped = mapRanges(from, to, [at(from, 'ai();', chat)]);
    assert.deepStrictEqual(mapped.map((r) => [r.start, r.text]), [[10, 'ai();']]);
    assert.deepStrictEqual(mapRanges('gone\n', 'other\n', [at('gone\n', 'gone', chat)]), []);
  });
});

/**
 * The counting rules applied character by character, as the module comment states them: the
 * reference the optimised counting is checked against.
 */
function countByCharacter(text: string, added: ReadonlySet<number>, input: readonly AiRange[]) {
  const ranges: AiRange[] = [];
  let lastEnd = 0;
  for (const r of [...input].sort((a, b) => a.start - b.start)) {
    if (r.origin.kind !== 'unknown' && r.end > r.start && r.start >= lastEnd && text.slice(r.start, r.end) === r.text) {
      ranges.push(r);
      lastEnd = r.end;
    }
  }
  const joined = new Map<string, string>();
  const keyOf = (r: AiRange, i: number): string => (r.origin.requestId ? `${r.origin.kind}|${r.origin.tool}|${r.origin.model}|${r.origin.requestId}` : `#${i}`);
  ranges.forEach((r, i) => joined.set(keyOf(r, i), (joined.get(keyOf(r, i)) ?? '') + r.text));
  const trivialRange = ranges.map((r, i) => rule.kinds.includes(r.origin.kind) && !/[\r\n]/.test(joined.get(keyOf(r, i))!) && joined.get(keyOf(r, i))!.length < rule.maxCharacters);
  const visible = (ch: string): boolean => !/[ \t\r\n\v\f\u00a0\ufeff]/.test(ch);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n' && i + 1 < text.length) lineStarts.push(i + 1);
  let addedLines = 0;
  let addedCharacters = 0;
  let aiCharacters = 0;
  const aiLines: Array<{ line: number; start: number; end: number; origin: Origin; trivial: boolean }> = [];
  lineStarts.forEach((ls, line) => {
    if (!added.has(line) || text.length === 0) return;
    addedLines++;
    const nl = text.indexOf('\n', ls);
    const lineEnd = nl === -1 ? text.length : nl;
    const le = nl !== -1 && lineEnd > ls && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    addedCharacters += le - ls;
    let nonWs = 0;
    let aiNonWs = 0;
    let nonTrivialNonWs = 0;
    const byOrigin = new Map<string, { origin: Origin; n: number }>();
    for (let i = ls; i < le; i++) {
      const k = ranges.findIndex((r) => r.start <= i && i < r.end);
      if (k >= 0) aiCharacters++;
      if (!visible(text[i])) continue;
      nonWs++;
      if (k < 0) continue;
      aiNonWs++;
      if (!trivialRange[k]) nonTrivialNonWs++;
      const o = ranges[k].origin;
      const g = `${o.kind}|${o.tool}|${o.model}`;
      byOrigin.set(g, { origin: o, n: (byOrigin.get(g)?.n ?? 0) + 1 });
    }
    if (nonWs === 0 || aiNonWs * 2 <= nonWs) return;
    const best = [...byOrigin.values()].reduce((a, b) => (b.n > a.n ? b : a));
    aiLines.push({ line, start: ls, end: lineEnd, origin: best.origin, trivial: nonTrivialNonWs * 2 <= nonWs });
  });
  const out = [];
  let nonTrivialAiLines = 0;
  for (let i = 0; i < aiLines.length; ) {
    let j = i + 1;
    const same = (a: Origin, b: Origin): boolean => a.kind === b.kind && a.tool === b.tool && a.model === b.model;
    while (j < aiLines.length && aiLines[j].line === aiLines[j - 1].line + 1 && aiLines[j].trivial === aiLines[i].trivial && same(aiLines[j].origin, aiLines[i].origin)) j++;
    const o = aiLines[i].origin;
    if (!aiLines[i].trivial) nonTrivialAiLines += j - i;
    out.push({
      startLine: aiLines[i].line + 1,
      endLine: aiLines[j - 1].line + 1,
      kind: o.kind,
      tool: o.tool,
      ...(o.model !== undefined ? { model: o.model } : {}),
      trivial: aiLines[i].trivial,
      sha256: sha256Hex(text.slice(aiLines[i].start, aiLines[j - 1].end)),
    });
    i = j;
  }
  return { addedLines, aiLines: aiLines.length, nonTrivialAiLines, addedCharacters, aiCharacters, ranges: out };
}

describe('contribution counting against the rules applied character by character', () => {
  it('gives the same counts and ranges on 500 generated files', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const pieces = ['x', 'call(a, b);', '  ', '\t', ' ', 'return value;', '{', '}', '\u00a0', '\ufeff', 'é', 'const longer = name;', '\t\t'];
    const origins: Origin[] = [
      { kind: 'inline', tool: 'github.copilot', requestId: 'r1', timestamp: 1 },
      { kind: 'inline', tool: 'github.copilot', requestId: 'r2', timestamp: 1 },
      { kind: 'inlinePartial', tool: 'github.copilot', timestamp: 1 },
      { kind: 'chat', tool: 'copilot-chat', model: 'gpt-5', timestamp: 1 },
      { kind: 'agent', tool: 'claude-code', timestamp: 1 },
      { kind: 'unknown', tool: 'unknown', timestamp: 1 },
    ];
    for (let n = 0; n < 500; n++) {
      const lineCount = rnd(12);
      const eol = rnd(4) === 0 ? '\r\n' : '\n';
      const textLines = Array.from({ length: lineCount }, () => Array.from({ length: rnd(4) }, () => pieces[rnd(pieces.length)]).join(''));
      const text = textLines.join(eol) + (rnd(3) === 0 ? '' : eol);
      const ranges: AiRange[] = [];
      const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index! + 1).filter((i) => i < text.length)];
      for (let k = rnd(6); k > 0 && text.length > 0; k--) {
        let start = rnd(text.length);
        let end = Math.min(text.length, start + 1 + rnd(rnd(2) ? 8 : 40));
        if (rnd(2) === 0) {
          // Whole lines, as AI blocks usually are: from a line's start to the end of the same or a
          // later line, with or without its line break.
          const a = rnd(starts.length);
          const b = Math.min(starts.length - 1, a + rnd(3));
          start = starts[a];
          end = b + 1 < starts.length ? starts[b + 1] - (rnd(2) ? 0 : eol.length) : text.length;
          if (end <= start) end = Math.min(text.length, start + 1);
        }
        const wrong = rnd(15) === 0;
        ranges.push({ start, end, origin: origins[rnd(origins.length)], text: wrong ? 'z'.repeat(end - start) : text.slice(start, end) });
      }
      const addedSet = new Set<number>();
      for (let l = 0; l < lineCount + 1; l++) if (rnd(3) > 0) addedSet.add(l);
      const spans: LineSpan[] = [];
      for (const l of [...addedSet].sort((a, b) => a - b)) {
        const last = spans[spans.length - 1];
        if (last && last.start + last.count === l) spans[spans.length - 1] = { start: last.start, count: last.count + 1 };
        else spans.push({ start: l, count: 1 });
      }
      const { ignoredRanges: _ignored, ...got } = computeFileContribution({ text, added: spans, ranges, trivial: rule });
      assert.deepStrictEqual(got, countByCharacter(text, addedSet, ranges), `case ${n}: ${JSON.stringify({ text, spans, ranges })}`);
    }
  });
});
