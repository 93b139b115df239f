import * as assert from 'assert';
import { AnchoredRun, reanchor } from '../../../../src/core/reanchor/reanchor';
import { overlayRuns } from '../../../../src/core/reanchor/merge';
import { externalChangeAttribution, unknownOrigin } from '../../../../src/core/reanchor/external';
import { ProvenanceStore } from '../../../../src/core/provenance/provenanceStore';

const AI = 1;
const AI2 = 2;
const UNKNOWN = 9;

/** Marks the first occurrence of `piece` in `text` with `origin`. */
function run(text: string, piece: string, origin = AI, from = 0): AnchoredRun {
  const start = text.indexOf(piece, from);
  if (start < 0) throw new Error(`"${piece}" not in text`);
  return { start, length: piece.length, origin, text: piece };
}

/** The attributed text of each run, for compact assertions. */
function texts(runs: readonly AnchoredRun[]): string[] {
  return runs.map((r) => r.text);
}

function assertConsistent(text: string, runs: readonly AnchoredRun[]): void {
  let end = 0;
  for (const r of runs) {
    assert.ok(r.start >= end, 'runs sorted and disjoint');
    assert.strictEqual(text.slice(r.start, r.start + r.length), r.text, 'run text matches the new text');
    end = r.start + r.length;
  }
}

describe('reanchor', () => {
  it('keeps every mark when nothing changed', () => {
    const text = 'const a = 1;\nconst b = 2;\n';
    const runs = [run(text, 'const b = 2;')];
    const result = reanchor(text, runs, text);
    assert.deepStrictEqual(result.runs, runs);
    assert.deepStrictEqual(result.stats, { kept: 12, moved: 0, lost: 0, inserted: 0 });
  });

  it('shifts marks past text inserted before them and keeps unchanged AI text', () => {
    const oldText = 'function f() {\n  return 1;\n}\n';
    const newText = '// header added outside\n' + oldText;
    const result = reanchor(oldText, [run(oldText, '  return 1;\n')], newText);
    assertConsistent(newText, result.runs);
    assert.deepStrictEqual(texts(result.runs), ['  return 1;\n']);
    assert.strictEqual(result.runs[0].start, newText.indexOf('  return 1;'));
  });

  it('drops marks from changed characters of an edited line and keeps the rest of the run', () => {
    const oldText = 'let total = price * count;\nlog(total);\n';
    const newText = 'let total = price + count;\nlog(total);\n';
    const result = reanchor(oldText, [run(oldText, 'let total = price * count;\n')], newText);
    assertConsistent(newText, result.runs);
    assert.deepStrictEqual(texts(result.runs), ['let total = price ', ' count;\n']);
    assert.strictEqual(result.stats.lost, 1);
    assert.ok(!result.runs.some((r) => r.text.includes('+')), 'the new character is not AI');
  });

  it('never marks text that was not marked before (human edits stay human)', () => {
    const oldText = 'a = 1\nb = 2\nc = 3\n';
    const newText = 'a = 1\nhuman line\nb = 2\nc = 4\n';
    const result = reanchor(oldText, [run(oldText, 'b = 2\n')], newText);
    assert.deepStrictEqual(texts(result.runs), ['b = 2\n']);
    assert.strictEqual(result.runs[0].start, newText.indexOf('b = 2'));
  });

  it('finds a moved block again at its new place', () => {
    const block = 'function generated(x) {\n  return x * 42 + offset;\n}\n';
    const oldText = `import x from 'y';\n\n${block}\nfunction human() {\n  return 0;\n}\n\nexport { human };\n`;
    const newText = `import x from 'y';\n\nfunction human() {\n  return 0;\n}\n\nexport { human };\n${block}`;
    const result = reanchor(oldText, [run(oldText, block)], newText);
    assertConsistent(newText, result.runs);
    const marked = result.runs.reduce((n, r) => n + r.length, 0);
    assert.strictEqual(marked, block.length, 'all of the moved block is still AI');
    assert.ok(result.runs.every((r) => r.start >= newText.indexOf(block)), 'marks are on the moved copy');
    assert.strictEqual(result.stats.lost, 0);
  });

  it('finds a block moved to another place among unrelated inserted text', () => {
    const block = 'const answer = computeTheAnswer(universe, everything);\n';
    const oldText = `${block}line two\nline three\n`;
    const newText = `line two\nsomething new here\n${block}line three\n`;
    const result = reanchor(oldText, [run(oldText, block)], newText);
    assertConsistent(newText, result.runs);
    assert.deepStrictEqual(texts(result.runs), [block]);
  });

  it('keeps marks through whitespace-only changes (re-indentation) without marking the edges', () => {
    const oldText = 'if (x) {\nfoo();\nbar();\n}\n';
    const newText = 'if (x) {\n    foo();\n    bar();\n}\n';
    const result = reanchor(oldText, [run(oldText, 'foo();\nbar();')], newText);
    assertConsistent(newText, result.runs);
    assert.deepStrictEqual(texts(result.runs), ['foo();\n    bar();'], 'one run; indentation before foo (its edge) stays unmarked');
  });

  it('CRLF -> LF: a run whose text only changed line endings keeps its marks on the same characters', () => {
    const oldText = 'one\r\ntwo\r\nthree\r\nfour\r\n';
    const newText = oldText.replace(/\r\n/g, '\n');
    const result = reanchor(oldText, [run(oldText, 'two\r\nthree\r\n')], newText);
    assertConsistent(newText, result.runs);
    assert.deepStrictEqual(texts(result.runs), ['two\nthree\n']);
    assert.strictEqual(result.stats.lost, 0);
  });

  it('LF -> CRLF: the added CRs join the run of their line feed', () => {
    const oldText = 'one\ntwo\nthree\nfour\n';
    const newText = oldText.replace(/\n/g, '\r\n');
    const result = reanchor(oldText, [run(oldText, 'two\nthree\n')], newText);
    assertConsistent(newText, result.runs);
    assert.deepStrictEqual(texts(result.runs), ['two\r\nthree\r\n']);
  });

  it('CRLF conversion together with an edit elsewhere', () => {
    const oldText = 'alpha\r\nbeta gamma delta\r\nomega\r\n';
    const newText = 'alpha changed\nbeta gamma delta\nomega\n';
    const result = reanchor(oldText, [run(oldText, 'beta gamma delta\r\n'), run(oldText, 'alpha', AI2)], newText);
    assertConsistent(newText, result.runs);
    assert.deepStrictEqual(
      result.runs.map((r) => [r.text, r.origin]),
      [
        ['alpha', AI2],
        ['beta gamma delta\n', AI],
      ],
    );
  });

  it('marks inserted text with insertedOrigin and leaves unchanged human text alone', () => {
    const oldText = 'human();\nai();\n';
    const newText = 'human();\nfrom disk();\nai();\n';
    const result = reanchor(oldText, [run(oldText, 'ai();\n')], newText, { insertedOrigin: UNKNOWN });
    assertConsistent(newText, result.runs);
    assert.deepStrictEqual(
      result.runs.map((r) => [r.text, r.origin]),
      [
        ['from disk();\n', UNKNOWN],
        ['ai();\n', AI],
      ],
    );
    assert.strictEqual(result.stats.inserted, 'from disk();\n'.length);
  });

  it('a moved AI block is not marked as inserted', () => {
    const block = 'return someLongComputation(alpha, beta);\n';
    const oldText = `${block}human wrote this line\n`;
    const newText = `human wrote this line\n${block}`;
    const result = reanchor(oldText, [run(oldText, block)], newText, { insertedOrigin: UNKNOWN });
    assert.deepStrictEqual(
      result.runs.map((r) => [r.text, r.origin]),
      [[block, AI]],
    );
  });

  it('drops runs that do not match the old text they claim to describe', () => {
    const oldText = 'abc def ghi';
    const bogus: AnchoredRun = { start: 0, length: 3, origin: AI, text: 'xyz' };
    const result = reanchor(oldText, [bogus], oldText);
    assert.deepStrictEqual(result.runs, []);
  });

  it('without the old text, finds each run by its exact text near where it was', () => {
    const oldText = 'head\nconst value = computeSomething();\n}\n';
    const runs = [run(oldText, 'const value = computeSomething();\n'), run(oldText, '}\n', AI2)];
    const newText = 'new first line\nhead\nconst value = computeSomething();\n}\n';
    const result = reanchor(undefined, runs, newText);
    assert.strictEqual(result.diffed, false);
    assertConsistent(newText, result.runs);
    assert.deepStrictEqual(texts(result.runs), ['const value = computeSomething();\n', '}\n']);
  });

  it('without the old text, a short run that is not at its expected place is dropped rather than guessed', () => {
    const oldText = 'a\n}\n';
    const newText = 'zzzz\nqqqq\nrrrr\n}\nend\n';
    const result = reanchor(undefined, [run(oldText, '}\n')], newText);
    assert.deepStrictEqual(result.runs, []);
    assert.strictEqual(result.stats.lost, 2);
  });
});

describe('overlayRuns', () => {
  it('lets incoming runs win only where the rule says so', () => {
    const text = 'aaaa bbbb cccc';
    const base: AnchoredRun[] = [
      { start: 0, length: 4, origin: UNKNOWN, text: 'aaaa' },
      { start: 10, length: 4, origin: AI2, text: 'cccc' },
    ];
    const incoming: AnchoredRun[] = [{ start: 0, length: 14, origin: AI, text }];
    const merged = overlayRuns(base, incoming, text.length, (_inc, b) => b === 0 || b === UNKNOWN);
    assert.deepStrictEqual(
      merged.map((r) => [r.text, r.origin]),
      [
        ['aaaa bbbb ', AI],
        ['cccc', AI2],
      ],
    );
  });
});

describe('external change attribution', () => {
  it('records disk text as unknown, which is not AI', () => {
    const store = new ProvenanceStore();
    const doc = store.getOrCreate('file:///a.ts', 0);
    doc.applyChanges([{ offset: 0, deleteLength: 0, text: 'from disk' }], externalChangeAttribution(5));
    assert.deepStrictEqual(
      doc.ranges().map((r) => [r.text, r.origin.kind, r.origin.tool]),
      [['from disk', 'unknown', 'disk']],
    );
    assert.strictEqual(doc.aiCharacters(), 0);
    assert.strictEqual(unknownOrigin(1).kind, 'unknown');
  });
});

describe('reanchor at scale', () => {
  it('re-anchors a 1 MB file with 5,000 runs after scattered edits in well under the time budget', function () {
    this.timeout(20_000);
    const lines: string[] = [];
    for (let i = 0; i < 25_000; i++) lines.push(`  const value${i} = compute(${i}, "${'x'.repeat(i % 7)}");`);
    const oldText = lines.join('\n') + '\n';
    const runs: AnchoredRun[] = [];
    let offset = 0;
    for (let i = 0; i < lines.length; i++) {
      if (i % 5 === 0) runs.push({ start: offset, length: lines[i].length, origin: 1 + (i % 3), text: lines[i] });
      offset += lines[i].length + 1;
    }
    const edited = lines.map((l, i) => (i % 97 === 0 ? l.replace('compute', 'recompute') : l));
    edited.splice(12_000, 0, '// inserted outside');
    const newText = edited.join('\n') + '\n';
    const t0 = Date.now();
    const result = reanchor(oldText, runs, newText);
    const ms = Date.now() - t0;
    assertConsistent(newText, result.runs);
    assert.ok(ms < 5000, `took ${ms} ms`);
    const marked = result.runs.reduce((n, r) => n + r.length, 0);
    const total = runs.reduce((n, r) => n + r.length, 0);
    assert.ok(marked > total * 0.95 && marked <= total, `${marked} of ${total} characters kept`);
    assert.ok(!result.runs.some((r) => r.text.includes('recompute') || r.text.includes('inserted')), 'changed text is never marked');
  });
});
