import * as assert from 'assert';
import { PlacedRun } from '../../../../src/core/provenance/attributionRope';
import { LineShare, attributeLines } from '../../../../src/core/provenance/lineShare';

/** The rule written out character by character: the definition the line share must keep. */
function byCharacter(text: string, runs: readonly PlacedRun[], counts: (origin: number) => boolean): LineShare {
  const lines: { line: number; origin: number }[] = [];
  let nonBlankLines = 0;
  for (const [line, content] of text.split('\n').entries()) {
    const start = text.split('\n').slice(0, line).reduce((n, l) => n + l.length + 1, 0);
    const perOrigin = new Map<number, number>();
    let nonWs = 0;
    for (let i = 0; i < content.length; i++) {
      if (/[ \t\r\v\f\u00a0\ufeff]/.test(content[i])) continue;
      nonWs++;
      const run = runs.find((r) => r.start <= start + i && start + i < r.start + r.length);
      if (run) perOrigin.set(run.origin, (perOrigin.get(run.origin) ?? 0) + 1);
    }
    if (nonWs === 0) continue;
    nonBlankLines++;
    let best = 0;
    let bestCount = 0;
    for (const [origin, n] of perOrigin) {
      if (n > bestCount) {
        best = origin;
        bestCount = n;
      }
    }
    if (bestCount * 2 > nonWs && counts(best)) lines.push({ line, origin: best });
  }
  return { nonBlankLines, attributedLines: lines.length, lines };
}

/** A small deterministic generator (the same cases on every run). */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('line share: counted per run', () => {
  it('gives the same lines as counting character by character, on generated texts and runs', () => {
    const next = rng(7);
    const pieces = ['a', 'bc', ' ', '  ', '\t', '\n', '\r\n', 'x = 1;', '\u00a0', '}', '\n\n'];
    for (let c = 0; c < 400; c++) {
      let text = '';
      const length = 1 + next(120);
      while (text.length < length) text += pieces[next(pieces.length)];
      // Sorted, non-overlapping runs (some spanning lines, some of one character, some reaching
      // past the end of the text), with origins 1..3; origin 3 does not count.
      const runs: PlacedRun[] = [];
      let at = next(4);
      while (at < text.length + 3) {
        const runLength = 1 + next(15);
        runs.push({ start: at, length: runLength, origin: 1 + next(3), text: null } as unknown as PlacedRun);
        at += runLength + next(6);
      }
      const counts = (o: number): boolean => o !== 3;
      assert.deepStrictEqual(attributeLines(text, runs, counts), byCharacter(text, runs, counts), `case ${c}: ${JSON.stringify(text)} ${JSON.stringify(runs.map((r) => [r.start, r.length, r.origin]))}`);
    }
  });

  it('a line split evenly between origins is nobody\'s; blank lines and lines no run touches', () => {
    const text = 'abcd\n   \nplain text\nefgh';
    const runs = [
      { start: 0, length: 2, origin: 2 },
      { start: 2, length: 2, origin: 1 },
      { start: 19, length: 2, origin: 1 },
      { start: 21, length: 2, origin: 2 },
    ] as unknown as PlacedRun[];
    const share = attributeLines(text, runs, () => true);
    assert.strictEqual(share.nonBlankLines, 3);
    // "abcd": 2 and 1 have two characters each, neither more than half. "efgh" likewise.
    assert.deepStrictEqual(share.lines, []);
    const three = attributeLines('abc\nxy', [{ start: 0, length: 3, origin: 5 }] as unknown as PlacedRun[], () => true);
    assert.deepStrictEqual(three, { nonBlankLines: 2, attributedLines: 1, lines: [{ line: 0, origin: 5 }] });
  });
});
