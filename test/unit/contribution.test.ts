import * as assert from 'assert';
import { computeFileContribution, summarizeChange } from '../../src/core/contribution/contribution';
import { AiRange, addedLines, mapRanges } from '../../src/core/contribution/mapRanges';
import { ManifestFile, rangeText, sha256Hex } from '../../src/core/manifest/schema';
import { DEFAULT_POLICY, resolvePolicy } from '../../src/core/policy/policy';
import { Origin } from '../../src/core/provenance/origin';

const chat: Origin = { kind: 'chat', tool: 'copilot-chat', model: 'gpt-5', timestamp: 1 };
const agent: Origin = { kind: 'agent', tool: 'claude-code', timestamp: 2 };
const inline: Origin = { kind: 'inline', tool: 'github.copilot', requestId: 'r1', timestamp: 3 };
const rule = DEFAULT_POLICY.trivial;

/** The AI range covering the first occurrence of `piece` in `text`. */
function at(text: string, piece: string, origin: Origin): AiRange {
  const start = text.indexOf(piece);
  assert.ok(start >= 0, `${JSON.stringify(piece)} in text`);
  return { start, end: start + piece.length, origin, text: piece };
}

describe('contribution counting', () => {
  it('counts only added lines, by majority of non-whitespace characters', () => {
    const base = 'a\nb\nc\n';
    const aiBlock = 'function f() {\n  return 42;\n}\n';
    const text = 'a\n' + aiBlock + 'b\nhuman line\nc\n';
    const c = computeFileContribution({ baseText: base, text, ranges: [at(text, aiBlock, chat)], trivial: rule });
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
    const base = 'keep me\nold AI line\n';
    const text = 'keep me\n';
    const c = computeFileContribution({ baseText: base, text, ranges: [at(text, 'keep me', agent)], trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines, c.ranges.length], [0, 0, 0]);
  });

  it('a line with less than half AI characters is not AI', () => {
    const text = 'const value = compute(x);\n';
    const c = computeFileContribution({ baseText: '', text, ranges: [at(text, 'compute(x);', agent)], trivial: rule });
    assert.strictEqual(c.addedLines, 1);
    assert.strictEqual(c.aiLines, 0);
    assert.strictEqual(c.aiCharacters, 'compute(x);'.length);
  });

  it('short single-line inline completions are trivial; long or multi-line ones are not', () => {
    const text = 'let a = 1;\nlet b = someLongFunctionName(argumentOne, argumentTwo);\nif (x) {\n  y();\n}\n';
    const short = at(text, 'let a = 1;', { ...inline, requestId: 'q1' });
    const long = at(text, 'let b = someLongFunctionName(argumentOne, argumentTwo);', { ...inline, requestId: 'q2' });
    const multi = at(text, 'if (x) {\n  y();\n}', { ...inline, requestId: 'q3' });
    const c = computeFileContribution({ baseText: undefined, text, ranges: [short, long, multi], trivial: rule });
    assert.strictEqual(c.aiLines, 5);
    assert.strictEqual(c.nonTrivialAiLines, 4);
    assert.deepStrictEqual(c.ranges.map((r) => [r.startLine, r.endLine, r.trivial]), [[1, 1, true], [2, 5, false]]);
  });

  it('accepts of one suggestion (same request id) are judged together', () => {
    const text = 'const result = await fetchTheThing(url, options);\n';
    // Word-by-word partial accepts of one 49-character suggestion, split by a human-typed space.
    const o: Origin = { kind: 'inlinePartial', tool: 'github.copilot', requestId: 'same', timestamp: 1 };
    const parts = [at(text, 'const result = await', o), at(text, 'fetchTheThing(url, options);', o)];
    const c = computeFileContribution({ baseText: '', text, ranges: parts, trivial: rule });
    assert.strictEqual(c.nonTrivialAiLines, 1);
    const separate = parts.map((p, i) => ({ ...p, origin: { ...o, requestId: `r${i}` } }));
    assert.strictEqual(computeFileContribution({ baseText: '', text, ranges: separate, trivial: rule }).nonTrivialAiLines, 0);
  });

  it('partially staged file: working-copy ranges mapped onto the index text', () => {
    const head = 'header\nfooter\n';
    const aiA = 'alpha() {\n  return 1;\n}\n';
    const aiB = 'beta() {\n  return 2;\n}\n';
    const working = 'header\n' + aiA + 'middle\n' + aiB + 'footer\n';
    // Only the first hunk (aiA) is staged.
    const index = 'header\n' + aiA + 'footer\n';
    const ranges = mapRanges(working, index, [at(working, aiA, chat), at(working, aiB, agent)]);
    assert.deepStrictEqual(ranges.map((r) => r.text), [aiA]);
    const c = computeFileContribution({ baseText: head, text: index, ranges, trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines], [3, 3]);
    assert.deepStrictEqual(c.ranges.map((r) => r.kind), ['chat']);
  });

  it('an AI range changed in the working copy only counts where the index still has its text', () => {
    // The index holds a human's version of the line; the working copy has AI text there.
    const working = 'x = aiWroteThisExpression();\n';
    const index = 'x = humanWroteThis();\n';
    const mapped = mapRanges(working, index, [at(working, 'aiWroteThisExpression();', agent)]);
    for (const r of mapped) assert.strictEqual(index.slice(r.start, r.end), r.text);
    const c = computeFileContribution({ baseText: '', text: index, ranges: mapped, trivial: rule });
    assert.strictEqual(c.aiLines, 0);
  });

  it('CRLF: working copy CRLF, index LF (autocrlf) maps and counts', () => {
    const working = 'one\r\nfn() {\r\n  body();\r\n}\r\n';
    const index = 'one\nfn() {\n  body();\n}\n';
    const ranges = mapRanges(working, index, [at(working, 'fn() {\r\n  body();\r\n}\r\n', agent)]);
    const c = computeFileContribution({ baseText: 'one\n', text: index, ranges, trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines, c.nonTrivialAiLines], [3, 3, 3]);
    assert.strictEqual(c.aiCharacters, 'fn() {'.length + '  body();'.length + 1);
  });

  it('CRLF committed text: \\r not counted as a character, kept in the range hash', () => {
    const text = 'a\r\nAI line here\r\n';
    const c = computeFileContribution({ baseText: 'a\r\n', text, ranges: [at(text, 'AI line here\r\n', chat)], trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines, c.addedCharacters, c.aiCharacters], [1, 1, 12, 12]);
    assert.strictEqual(c.ranges[0].sha256, sha256Hex('AI line here\r'));
    assert.strictEqual(c.ranges[0].sha256, sha256Hex(rangeText(text, 2, 2)));
  });

  it('renamed file: measured against the old path’s text, only the edit counts', () => {
    const old = 'export const a = 1;\nexport const b = 2;\n';
    const text = 'export const a = 1;\nexport const b = 2;\nexport const c = compute(a, b) * 3;\n';
    const c = computeFileContribution({ baseText: old, text, ranges: [at(text, 'export const c = compute(a, b) * 3;', chat)], trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines], [1, 1]);
    assert.strictEqual(c.ranges[0].startLine, 3);
  });

  it('added file: every line is added; ranges with wrong text are ignored', () => {
    const text = 'l1\nl2 by ai\nl3\n';
    const wrong: AiRange = { start: 0, end: 2, origin: chat, text: 'zz' };
    const c = computeFileContribution({ baseText: undefined, text, ranges: [at(text, 'l2 by ai', chat), wrong], trivial: rule });
    assert.deepStrictEqual([c.addedLines, c.aiLines, c.ignoredRanges], [3, 1, 1]);
  });

  it('line diff: no newline at end, duplicate lines, nothing changed', () => {
    assert.deepStrictEqual([...addedLines('a\nb', 'a\nb\n')], [1]);
    assert.deepStrictEqual([...addedLines('x\nx\n', 'x\nx\nx\n')].length, 1);
    assert.deepStrictEqual([...addedLines('same\n', 'same\n')], []);
    assert.deepStrictEqual([...addedLines(undefined, '')], []);
    assert.deepStrictEqual([...addedLines('a\nb\nc\n', 'a\nB\nc\n')], [1]);
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
    const c = computeFileContribution({ baseText: undefined, text, ranges: [{ start: 0, end: 5, origin: chat, text: 'robot' }], trivial: rule });
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
