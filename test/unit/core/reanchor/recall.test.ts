import * as assert from 'assert';
import { AnchoredRun } from '../../../../src/core/reanchor/reanchor';
import { EarlierVersion, recallEarlierMarks } from '../../../../src/core/reanchor/recall';
import { VersionHistory } from '../../../../src/core/reanchor/versionHistory';

const AI = 1;
const AI2 = 2;
const UNKNOWN = 9;
const claimable = (o: number) => o === UNKNOWN;
const recallable = (o: number) => o !== UNKNOWN;

function run(text: string, piece: string, origin = AI, from = 0): AnchoredRun {
  const start = text.indexOf(piece, from);
  if (start < 0) throw new Error(`"${piece}" not in text`);
  return { start, length: piece.length, origin, text: piece };
}

/** [text, origin] of each run. */
function shown(runs: readonly AnchoredRun[]): [string, number][] {
  return runs.map((r) => [r.text, r.origin]);
}

const HUMAN_HEAD = 'const a = 1;\n';
const AI_FN = 'function total(items) {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n';
const SAVED = HUMAN_HEAD + AI_FN + 'const b = 2;\n';

describe('recall of earlier marks after a reload from disk', () => {
  it('stash then pop: the AI function comes back as AI, the human text around it untouched', () => {
    const earlier: EarlierVersion[] = [{ text: SAVED, runs: [run(SAVED, AI_FN)] }];
    // The pop reloads the file: the function comes back as text from disk (unknown).
    const current = [run(SAVED, AI_FN, UNKNOWN)];
    const r = recallEarlierMarks(SAVED, current, earlier, claimable, recallable);
    assert.deepStrictEqual(shown(r.runs), [[AI_FN, AI]]);
    assert.strictEqual(r.recalled, AI_FN.length);
  });

  it('only unknown text takes a mark back: human and other AI marks are never changed', () => {
    const earlier: EarlierVersion[] = [{ text: SAVED, runs: [run(SAVED, SAVED, AI)] }];
    // Human text (no mark) and a run of another tool stay as they are; only the unknown line is claimable.
    const current = [run(SAVED, '  return items', AI2), run(SAVED, '}\n', UNKNOWN)];
    const r = recallEarlierMarks(SAVED, current, earlier, claimable, recallable);
    assert.deepStrictEqual(shown(r.runs), [['  return items', AI2], ['}\n', UNKNOWN]], 'a 1-character piece without its earlier context is not recalled either');
  });

  it('text from disk that was never AI stays unknown, even where a diff lines it up with AI text', () => {
    const before = HUMAN_HEAD + '  return items.map((x) => x * 2);\n';
    const earlier: EarlierVersion[] = [{ text: before, runs: [run(before, '  return items.map((x) => x * 2);\n')] }];
    const after = HUMAN_HEAD + '  return other.filter((y) => y > 2);\n';
    const current = [run(after, '  return other.filter((y) => y > 2);\n', UNKNOWN)];
    const r = recallEarlierMarks(after, current, earlier, claimable, recallable);
    assert.deepStrictEqual(shown(r.runs), [['  return other.filter((y) => y > 2);\n', UNKNOWN]]);
    assert.strictEqual(r.recalled, 0);
  });

  it("a line of the person's on another branch that shares a long start with an AI line stays unknown (only whole lines come back)", () => {
    const aiLine = '  const result = await fetchUser(id, { cache: true });\n';
    const before = HUMAN_HEAD + aiLine + 'const b = 2;\n';
    const earlier: EarlierVersion[] = [{ text: before, runs: [run(before, aiLine)] }];
    // Checked out: the person's own line where the AI line was; the diff lines up "  const result = await fetch".
    const theirs = '  const result = await fetchOrder(id);\n';
    const after = HUMAN_HEAD + theirs + 'const b = 2;\n';
    const r = recallEarlierMarks(after, [run(after, theirs, UNKNOWN)], earlier, claimable, recallable);
    assert.strictEqual(r.recalled, 0, JSON.stringify(r.runs));
  });

  it('a short AI completion comes back only where the same text surrounds it', () => {
    const line = 'const total = sum(items);\n';
    const before = HUMAN_HEAD + line + 'const b = 2;\n';
    const short = 'items);'; // 7 non-whitespace characters: below the length taken on its own
    const earlier: EarlierVersion[] = [{ text: before, runs: [run(before, short)] }];
    const back = recallEarlierMarks(before, [run(before, line, UNKNOWN)], earlier, claimable, recallable);
    assert.deepStrictEqual(shown(back.runs), [['const total = sum(', UNKNOWN], [short, AI], ['\n', UNKNOWN]]);
    // The same short text after other text (the diff lines the two up) is not known to be the AI's.
    const elsewhere = HUMAN_HEAD + 'const total = max(items);\nconst b = 2;\n';
    const other = recallEarlierMarks(elsewhere, [run(elsewhere, 'const total = max(items);\n', UNKNOWN)], earlier, claimable, recallable);
    assert.strictEqual(other.recalled, 0, JSON.stringify(other.runs));
  });

  it('an older version is used when the text before the reload did not have the AI text (checkout away and back)', () => {
    const away = HUMAN_HEAD + 'const b = 2;\n';
    const earlier: EarlierVersion[] = [
      { text: away, runs: [] },
      { text: SAVED, runs: [run(SAVED, AI_FN, AI2)] },
    ];
    const r = recallEarlierMarks(SAVED, [run(SAVED, AI_FN, UNKNOWN)], earlier, claimable, recallable);
    assert.deepStrictEqual(shown(r.runs), [[AI_FN, AI2]]);
  });

  it('AI text edited before it came back: the unchanged stretches come back, the edited one stays unknown', () => {
    const edited = AI_FN.replace('i.price', 'i.cost * 2');
    const text = HUMAN_HEAD + edited;
    const earlier: EarlierVersion[] = [{ text: SAVED, runs: [run(SAVED, AI_FN)] }];
    const r = recallEarlierMarks(text, [run(text, edited, UNKNOWN)], earlier, claimable, recallable);
    const ai = r.runs.filter((x) => x.origin === AI).map((x) => x.text);
    const unknown = r.runs.filter((x) => x.origin === UNKNOWN).map((x) => x.text).join('');
    assert.ok(ai.join('').includes('function total(items) {'), JSON.stringify(r.runs));
    assert.ok(unknown.includes('cost * 2'), `the edited text is not AI: ${JSON.stringify(r.runs)}`);
    for (const piece of ai) assert.ok(AI_FN.includes(piece), `${JSON.stringify(piece)} is not text the AI wrote`);
  });

  it("text that was the person's in a newer version never takes an older AI mark back (cleared marks, typed again)", () => {
    // Older: the function was AI. Newer: the person cleared its marks (no run), then the file went
    // away and came back from disk (unknown).
    const earlier: EarlierVersion[] = [
      { text: SAVED, runs: [] },
      { text: SAVED, runs: [run(SAVED, AI_FN)] },
    ];
    const r = recallEarlierMarks(SAVED, [run(SAVED, AI_FN, UNKNOWN)], earlier, claimable, recallable);
    assert.strictEqual(r.recalled, 0, JSON.stringify(r.runs));
    // Only the line the person made theirs stays theirs; the other AI lines come back.
    const mine = '  return items.reduce((s, i) => s + i.price, 0);\n';
    const partly: EarlierVersion[] = [
      { text: SAVED, runs: [run(SAVED, 'function total(items) {\n'), run(SAVED, '}\n', AI, SAVED.indexOf(mine))] },
      { text: SAVED, runs: [run(SAVED, AI_FN)] },
    ];
    const p = recallEarlierMarks(SAVED, [run(SAVED, AI_FN, UNKNOWN)], partly, claimable, recallable);
    const ai = p.runs.filter((x) => x.origin === AI).map((x) => x.text).join('');
    assert.ok(!ai.includes('reduce'), `the person's line came back as AI: ${JSON.stringify(p.runs)}`);
    assert.ok(ai.includes('function total(items) {'), JSON.stringify(p.runs));
  });

  it('unknown text of a newer version does not keep an older AI mark from coming back', () => {
    const earlier: EarlierVersion[] = [
      { text: SAVED, runs: [run(SAVED, AI_FN, UNKNOWN)] },
      { text: SAVED, runs: [run(SAVED, AI_FN)] },
    ];
    const r = recallEarlierMarks(SAVED, [run(SAVED, AI_FN, UNKNOWN)], earlier, claimable, recallable);
    assert.deepStrictEqual(shown(r.runs), [[AI_FN, AI]]);
  });

  it('unknown marks of earlier versions are not recalled as anything', () => {
    const earlier: EarlierVersion[] = [{ text: SAVED, runs: [run(SAVED, AI_FN, UNKNOWN)] }];
    const r = recallEarlierMarks(SAVED, [run(SAVED, AI_FN, UNKNOWN)], earlier, claimable, recallable);
    assert.strictEqual(r.recalled, 0);
  });
});

describe('history of earlier texts', () => {
  const v = (text: string, marked = true, origin = AI): EarlierVersion => ({ text, runs: marked ? [{ start: 0, length: 1, origin, text: text[0] }] : [] });
  const isAi = (o: number) => o === AI;

  it('keeps versions newest first, one per text, within its bounds; starts only with a version that has AI marks', () => {
    const h = new VersionHistory(isAi, 2, 100);
    h.push('k', v('unmarked', false));
    h.push('k', v('unknown only', true, UNKNOWN));
    assert.strictEqual(h.get('k').length, 0, 'nothing to recall: not kept');
    h.push('k', v('one'));
    h.push('k', v('two'));
    assert.deepStrictEqual(h.get('k').map((x) => x.text), ['two', 'one']);
    h.push('k', v('mine', false));
    assert.deepStrictEqual(h.get('k').map((x) => x.text), ['mine', 'two'], "after an AI version, one without marks is kept (the person's text)");
    h.push('k', v('two'));
    assert.deepStrictEqual(h.get('k').map((x) => x.text), ['two', 'mine'], 'a text seen again moves to the front, once');
    h.push('k', v('x'.repeat(99)));
    assert.deepStrictEqual(h.get('k').map((x) => x.text.length), [99], 'at most maxChars per file');
    h.rename('k', 'j');
    assert.strictEqual(h.get('k').length, 0);
    assert.strictEqual(h.get('j').length, 1);
    h.delete('j');
    assert.strictEqual(h.get('j').length, 0);
  });

  it('over all files keeps at most maxTotalChars, forgetting the files touched least recently', () => {
    const h = new VersionHistory(isAi, 4, 200, 250);
    h.push('a', v('a'.repeat(100)));
    h.push('b', v('b'.repeat(100)));
    h.push('a', v('A'.repeat(40)));
    h.push('c', v('c'.repeat(100)));
    assert.strictEqual(h.get('b').length, 0, 'b was touched least recently');
    assert.deepStrictEqual(h.get('a').map((x) => x.text.length), [40, 100]);
    assert.strictEqual(h.get('c').length, 1);
    h.push('d', v('d'.repeat(100)));
    assert.strictEqual(h.get('a').length, 0);
    assert.deepStrictEqual([h.get('c').length, h.get('d').length], [1, 1]);
    h.rename('d', 'c');
    h.push('e', v('e'.repeat(100)));
    h.push('f', v('f'.repeat(100)));
    assert.deepStrictEqual([h.get('c').length, h.get('e').length, h.get('f').length], [0, 1, 1], 'a rename replaces the target and its size');
  });
});
