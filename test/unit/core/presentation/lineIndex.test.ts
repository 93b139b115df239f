import * as assert from 'assert';
import { LineAttributionIndex, LineSource, rulerSpans } from '../../../../src/core/presentation/lineIndex';
import { aiLineSpans, LineSpan, lineOfFromText } from '../../../../src/core/presentation/lineSpans';
import { fileShare } from '../../../../src/core/provenance/fileShare';
import { Origin } from '../../../../src/core/provenance/origin';
import { ChangeAttribution, DocumentProvenance, ProvenanceStore, TextChange } from '../../../../src/core/provenance/provenanceStore';

const copilot: Origin = { kind: 'inline', tool: 'github.copilot', model: 'gpt-4o', timestamp: 1 };
const agent: Origin = { kind: 'agent', tool: 'claude-code', timestamp: 2 };
const agent2: Origin = { kind: 'agent', tool: 'claude-code', model: 'opus', timestamp: 3 };
const unknown: Origin = { kind: 'unknown', tool: 'disk', timestamp: 4 };
const ORIGINS = [copilot, agent, agent2, unknown];

/** A small deterministic generator: the same sequences on every run. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 8) % n;
  };
}

/** The document as VS Code gives it to the views: lines split at \n, a \r before it left out. */
function source(text: string): LineSource {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  return { lineCount: lines.length, lineAt: (l) => ({ text: lines[l] }), getText: () => text };
}

function clip(spans: readonly LineSpan[], from: number, to: number): LineSpan[] {
  return spans
    .filter((s) => s.endLine >= from && s.startLine <= to)
    .map((s) => ({ startLine: Math.max(s.startLine, from), endLine: Math.min(s.endLine, to) }));
}

/** The ruler marks worked out from the full recount's list of marked lines. */
function rulerFromFull(spans: readonly LineSpan[], lineCount: number, buckets: number): LineSpan[] {
  const marked: number[] = [];
  for (const s of spans) for (let l = s.startLine; l <= s.endLine; l++) marked.push(l);
  return rulerSpans(
    lineCount,
    buckets,
    (line) => marked.find((m) => m >= line) ?? -1,
    (line) => [...marked].reverse().find((m) => m <= line) ?? -1,
  );
}

const PIECES = ['a', 'bc', 'x = 1;', ' ', '  ', '\t', '\n', '\r\n', '\n\n', '}', '\u00a0', 'return y;'];

function randomText(next: (n: number) => number, length: number): string {
  let s = '';
  while (s.length < length) s += PIECES[next(PIECES.length)];
  return s;
}

/** Applies changes given in the coordinates of the text before them (last first), as VS Code does. */
function applyText(text: string, changes: readonly TextChange[]): string {
  for (const c of [...changes].sort((a, b) => b.offset - a.offset)) text = text.slice(0, c.offset) + c.text + text.slice(c.offset + c.deleteLength);
  return text;
}

/** Random non-overlapping changes of one event. */
function randomChanges(next: (n: number) => number, text: string, count: number): TextChange[] {
  const cuts = new Set<number>();
  while (cuts.size < count * 2) cuts.add(next(text.length + 1));
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: TextChange[] = [];
  for (let i = 0; i < sorted.length; i += 2) {
    const deleteLength = next(3) === 0 ? 0 : Math.min(sorted[i + 1] - sorted[i], 1 + next(12));
    out.push({ offset: sorted[i], deleteLength, text: next(4) === 0 ? '' : randomText(next, 1 + next(10)) });
  }
  return out;
}

interface Session {
  text: string;
  doc: DocumentProvenance;
  /** The last attributed deletion, for an undo that brings it back. */
  undo?: TextChange;
}

/** One random step; returns what it did (for failure messages). */
function step(next: (n: number) => number, s: Session, store: ProvenanceStore): string {
  const op = next(100);
  const attribution = (): ChangeAttribution => (next(2) === 0 ? { type: 'human' } : { type: 'origin', origin: ORIGINS[next(ORIGINS.length)] });
  if (op < 55) {
    const changes = randomChanges(next, s.text, next(5) === 0 ? 2 + next(3) : 1);
    const a = attribution();
    const removed = changes.find((c) => c.deleteLength > 0 && s.doc.rangesIn(c.offset, c.offset + c.deleteLength).length > 0);
    if (changes.length === 1 && removed && changes[0].text === '') s.undo = { offset: removed.offset, deleteLength: 0, text: s.text.slice(removed.offset, removed.offset + removed.deleteLength) };
    s.doc.applyChanges(changes, a);
    s.text = applyText(s.text, changes);
    return `change ${JSON.stringify(changes)} ${a.type === 'origin' ? a.origin.kind : a.type}`;
  }
  if (op < 65 && s.undo) {
    const u = s.undo;
    s.undo = undefined;
    s.doc.applyChanges([u], { type: 'restore' });
    s.text = applyText(s.text, [u]);
    return `undo ${JSON.stringify(u)}`;
  }
  if (op < 85 && s.text.length > 0) {
    const start = next(s.text.length);
    const end = Math.min(s.text.length, start + 1 + next(30));
    const origin = next(4) === 0 ? undefined : ORIGINS[next(ORIGINS.length)];
    s.doc.setOrigin(start, s.text.slice(start, end), origin);
    return `mark ${start}..${end} ${origin?.kind ?? 'cleared'}`;
  }
  if (op < 90) {
    // A change the store did not see, then the safety net.
    const changes = randomChanges(next, s.text, 1);
    s.text = applyText(s.text, changes);
    s.doc.verifyAgainst(s.text);
    return `unseen change ${JSON.stringify(changes)}, then verifyAgainst`;
  }
  if (op < 92) {
    s.doc = store.set('k', s.doc.rope);
    return 'provenance replaced in the store';
  }
  const offset = next(s.text.length + 1);
  const text = randomText(next, 20 + next(80));
  s.doc.applyChanges([{ offset, deleteLength: 0, text }], { type: 'origin', origin: ORIGINS[next(ORIGINS.length)] });
  s.text = applyText(s.text, [{ offset, deleteLength: 0, text }]);
  return `block at ${offset}`;
}

describe('line attribution index: status bar counts and gutter lines kept per changed line', () => {
  it('equals the full recount after every step of random edit sequences (seeded)', () => {
    let steps = 0;
    let rebuilt = 0;
    let worked = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const next = rng(seed);
      const store = new ProvenanceStore();
      const text = randomText(next, 50 + next(600));
      const s: Session = { text, doc: store.getOrCreate('k', text.length) };
      let previous: LineAttributionIndex | undefined;
      for (let i = 0; i < 150; i++) {
        const what = step(next, s, store);
        const where = `seed ${seed}, step ${i}: ${what}`;
        const src = source(s.text);
        const pending = previous && previous.pendingLines;
        const index = LineAttributionIndex.settled(s.doc, src);
        assert.ok(index, `${where}: in step, an index is given`);
        if (index === previous) worked += pending ?? 0;
        else rebuilt++;
        previous = index;
        steps++;

        const full = fileShare(s.doc, s.text);
        assert.deepStrictEqual(index.summary(), full, `${where}: status bar counts`);
        const spans = aiLineSpans(s.doc.ranges(), lineOfFromText(s.text));
        const last = src.lineCount - 1;
        assert.deepStrictEqual(index.spansIn(0, last), spans, `${where}: gutter lines of the whole file`);
        const from = next(src.lineCount);
        const to = Math.min(last, from + next(8));
        assert.deepStrictEqual(index.spansIn(from, to), clip(spans, from, to), `${where}: gutter lines of ${from}..${to}`);
        // Kept between steps while no line break and no marked line changed: checked each step.
        for (const buckets of [3, 1000]) {
          assert.deepStrictEqual(index.rulerSpans(buckets), rulerFromFull(spans, src.lineCount, buckets), `${where}: ruler marks, ${buckets} buckets`);
        }
        const offset = next(s.text.length + 1);
        const line = s.text.slice(0, offset).split('\n').length - 1;
        assert.deepStrictEqual(index.positionAt(offset), { line, character: offset - (s.text.lastIndexOf('\n', offset - 1) + 1) }, `${where}: position of ${offset}`);
        assert.strictEqual(index.lineStart(line), s.text.lastIndexOf('\n', offset - 1) + 1, `${where}: start of line ${line}`);
      }
    }
    // Kept, not rebuilt: only resets (the safety net, a replaced provenance) build it again.
    assert.ok(rebuilt < steps / 5, `rebuilt ${rebuilt} times in ${steps} steps`);
    assert.ok(worked > 0);
  });

  it('works out only the lines an edit touches', () => {
    const store = new ProvenanceStore();
    const text = Array.from({ length: 1000 }, (_, i) => `const v${i} = ${i};`).join('\n');
    const doc = store.getOrCreate('k', text.length);
    doc.setOrigin(text.indexOf('const v500'), 'const v500 = 500;', agent);
    const first = LineAttributionIndex.settled(doc, source(text))!;
    assert.deepStrictEqual([first.summary().aiLines, first.summary().nonBlankLines], [1, 1000]);
    let read = 0;
    const counting = (t: string): LineSource => {
      const s = source(t);
      return { lineCount: s.lineCount, lineAt: (l) => (read++, s.lineAt(l)), getText: () => assert.fail('the whole text read again') };
    };
    const at = text.indexOf('const v10 ');
    doc.applyChanges([{ offset: at, deleteLength: 0, text: 'x();\n' }], { type: 'origin', origin: copilot });
    const after = text.slice(0, at) + 'x();\n' + text.slice(at);
    assert.strictEqual(LineAttributionIndex.settled(doc, counting(after)), first);
    assert.strictEqual(read, 2, 'the two lines the insertion leaves');
    assert.deepStrictEqual(first.summary(), fileShare(doc, after));
    assert.deepStrictEqual(first.spansIn(0, 1000), [{ startLine: 10, endLine: 10 }, { startLine: 501, endLine: 501 }]);
  });

  it('ruler marks: exact spans up to one line per bucket, one mark per bucket beyond', () => {
    const spans = [{ startLine: 0, endLine: 1 }, { startLine: 5, endLine: 5 }, { startLine: 7, endLine: 8 }];
    assert.deepStrictEqual(rulerFromFull(spans, 10, 10), spans);
    // Buckets of 4 lines: 0..3 holds 0-1, 4..7 holds 5 and 7, 8..9 holds 8 (touching 7: merged).
    assert.deepStrictEqual(rulerFromFull(spans, 10, 3), [{ startLine: 0, endLine: 1 }, { startLine: 5, endLine: 8 }]);
  });

  it('is not given while the text is out of step with the provenance', () => {
    const store = new ProvenanceStore();
    const doc = store.getOrCreate('k', 10);
    assert.strictEqual(LineAttributionIndex.settled(doc, source('0123456789x')), undefined);
    assert.ok(LineAttributionIndex.settled(doc, source('0123456789')));
    doc.applyChanges([{ offset: 0, deleteLength: 0, text: 'ab' }], { type: 'origin', origin: agent });
    assert.strictEqual(LineAttributionIndex.settled(doc, source('a0123456789x')), undefined, 'same length, other AI text');
    assert.strictEqual(LineAttributionIndex.settled(doc, source('ab\n01234567')), undefined, 'other line count');
    assert.ok(LineAttributionIndex.settled(doc, source('ab0123456789')));
  });
});
