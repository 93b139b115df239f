import * as assert from 'assert';
import { MIN_CARRY_CHARS, lineOccurrences, matchCarried } from '../../../../src/core/carry/carryMatch';
import { CarrySource, removedSource, selectedSource, visibleLength } from '../../../../src/core/carry/carrySource';
import { OpenText, isOwnTextElsewhere } from '../../../../src/core/carry/ownText';
import { REMOVED_TTL_MS, RecentSources } from '../../../../src/core/carry/recentSources';
import { keptForLater, removalCause } from '../../../../src/core/carry/removalRule';
import { AttributionRope } from '../../../../src/core/provenance/attributionRope';
import { Origin } from '../../../../src/core/provenance/origin';
import { DocumentProvenance, TextChange } from '../../../../src/core/provenance/provenanceStore';
import { OriginTable } from '../../../../src/core/provenance/originTable';
import { insertedSpans } from '../../../../src/core/classification/changeSpans';

interface EventFacts {
  readonly undoRedo?: boolean;
  readonly dirtyBefore?: boolean;
  /** The document is clean once the event has settled. */
  readonly cleanAfter?: boolean;
  /** Open documents the own-text guard reads. */
  readonly open?: readonly OpenText[];
}

const AI: Origin = { kind: 'inline', tool: 'fixture', model: 'm-1', requestId: 'r-1', timestamp: 1 };
const KEY = 'file:///w/a.js';
const OTHER = 'file:///w/b.js';

/** A document as capture sees it: its text and its provenance; events go through the carry rules. */
class Doc {
  readonly prov: DocumentProvenance;
  constructor(
    public text: string,
    readonly origins: OriginTable,
    readonly recent: RecentSources,
    readonly key = KEY,
  ) {
    this.prov = new DocumentProvenance(origins, new AttributionRope(text.length));
  }

  markAi(fragment: string, origin: Origin = AI, occurrence = 0): void {
    let at = -1;
    for (let n = 0; n <= occurrence; n++) at = this.text.indexOf(fragment, at + 1);
    assert.ok(at >= 0, `${JSON.stringify(fragment)} not in the text`);
    this.prov.setOrigin(at, fragment, origin);
  }

  /**
   * Applies one event (offsets in the text before it) as a person's change, then the carry rules,
   * as the adapter does: removed text is kept unless the removal rule says otherwise, and a later
   * match is dropped when the own-text guard finds the lines in `open`.
   */
  event(changes: TextChange[], now = 1000, how: EventFacts = {}): void {
    const removed: CarrySource[] = [];
    const facts = { undoRedo: how.undoRedo ?? false, dirtyBefore: how.dirtyBefore ?? false };
    for (const c of changes) {
      if (!keptForLater(removalCause({ ...facts, cleanAfter: false }))) break;
      if (c.deleteLength === 0) continue;
      const s = removedSource(this.key, this.prov.rope.slice(c.offset, c.offset + c.deleteLength), (id) => this.prov.isAi(id), now, c.text.length === 0);
      if (s) removed.push(s);
    }
    for (const c of [...changes].sort((a, b) => b.offset - a.offset)) this.text = this.text.slice(0, c.offset) + c.text + this.text.slice(c.offset + c.deleteLength);
    this.prov.applyChanges(changes, { type: 'human' });
    for (const m of matchCarried(insertedSpans(changes), removed, this.recent.current(now))) {
      if (isOwnTextElsewhere(m, this.key, how.open ?? [])) continue;
      for (const mark of m.marks) this.prov.setOrigin(mark.start, this.text.slice(mark.start, mark.start + mark.length), this.origins.get(mark.origin));
    }
    for (const s of removed) this.recent.add(s);
    // Once the dirty flag has settled.
    if (!keptForLater(removalCause({ ...facts, cleanAfter: how.cleanAfter ?? false }))) this.recent.remove(removed);
  }

  /** This document as the own-text guard reads it. */
  open(shown = true): OpenText {
    return {
      key: this.key,
      text: this.text,
      shown,
      aiVisibleIn: (start, end) =>
        this.prov.ranges().reduce((n, r) => {
          if (r.origin.kind === 'unknown') return n;
          const s = Math.max(r.start, start);
          const e = Math.min(r.end, end);
          return e > s ? n + visibleLength(r.text.slice(s - r.start, e - r.start)) : n;
        }, 0),
    };
  }

  /** What a copy of `[start, end)` leaves behind: a selected source. */
  select(start: number, end: number, now = 500): void {
    const ai = this.prov.rope
      .taggedRunsIn(start, end)
      .filter((r) => this.prov.isAi(r.origin))
      .map((r) => ({ start: Math.max(r.start, start) - start, length: Math.min(r.start + r.length, end) - Math.max(r.start, start), origin: r.origin }));
    const s = selectedSource(this.key, this.text.slice(start, end), ai, now);
    if (s) this.recent.add(s);
  }

  /** The AI text, per run. */
  ai(): string[] {
    return this.prov.ranges().filter((r) => r.origin.kind !== 'unknown').map((r) => r.text);
  }
}

function setup(text: string): Doc {
  return new Doc(text, new OriginTable(), new RecentSources());
}

/** VS Code's Alt+Down on line `line` (0-based): the line below is deleted and put above it. */
function moveDown(d: Doc, line: number, reindent?: string): TextChange[] {
  const lines = d.text.split('\n');
  const lineStart = lines.slice(0, line).join('\n').length + (line > 0 ? 1 : 0);
  const lineEnd = lineStart + lines[line].length;
  const moving = lines[line + 1];
  const inserted = reindent === undefined ? moving : reindent + moving.trimStart();
  return [
    { offset: lineStart, deleteLength: 0, text: `${inserted}\n` },
    { offset: lineEnd, deleteLength: moving.length + 1, text: '' },
  ];
}

/** VS Code's Alt+Up on line `line`: the line above is deleted and put below it. */
function moveUp(d: Doc, line: number): TextChange[] {
  const lines = d.text.split('\n');
  const aboveStart = lines.slice(0, line - 1).join('\n').length + (line > 1 ? 1 : 0);
  const above = lines[line - 1];
  const lineEnd = aboveStart + above.length + 1 + lines[line].length;
  return [
    { offset: aboveStart, deleteLength: above.length + 1, text: '' },
    { offset: lineEnd, deleteLength: 0, text: `\n${above}` },
  ];
}

const COMPLETION = 'a, b) {\n  const sum = a + b;\n  return sum;\n}';
const FUNCTION = `function fixtureAdd(${COMPLETION}\n`;

describe('moved and copied AI text (carry rules)', () => {
  it('a human line moved down past an AI line (Alt+Down): the AI line comes back AI, character for character', () => {
    const d = setup('const human = 1;\n  const sum = a + b;\nlet tail;\n');
    d.markAi('  const sum = a + b;');
    d.event(moveDown(d, 0));
    assert.strictEqual(d.text, '  const sum = a + b;\nconst human = 1;\nlet tail;\n');
    assert.deepStrictEqual(d.ai(), ['  const sum = a + b;']);
    assert.strictEqual(d.prov.ranges()[0].start, 0);
  });

  it('a human line moved up past AI lines (Alt+Up, twice): the AI lines keep their origin', () => {
    const d = setup(`// head\n${FUNCTION}// mine\n`);
    d.markAi(COMPLETION);
    d.event(moveUp(d, 5));
    d.event(moveUp(d, 4));
    assert.strictEqual(d.text, `// head\nfunction fixtureAdd(a, b) {\n  const sum = a + b;\n// mine\n  return sum;\n}\n`);
    // Each line moved in its own event: the line break between them is the one the first move put there.
    assert.deepStrictEqual(d.ai(), ['a, b) {\n  const sum = a + b;\n', '  return sum;', '}']);
    assert.ok(d.prov.ranges().every((r) => r.origin.tool === 'fixture' && r.origin.requestId === 'r-1' && r.origin.copiedFrom === undefined));
  });

  it('a lone AI "}" moved by a line move stays AI (same event, exact move)', () => {
    const d = setup('x;\n}\ny;\n');
    d.markAi('}');
    d.event(moveDown(d, 0));
    assert.strictEqual(d.text, '}\nx;\ny;\n');
    assert.deepStrictEqual(d.ai(), ['}']);
  });

  it('a re-indenting move keeps the AI characters of the moved line (its new indentation is not AI)', () => {
    const d = setup('if (a) {\n    return sum + 1;\n}\n');
    d.markAi('    return sum + 1;');
    d.event(moveDown(d, 0, '\t'));
    assert.strictEqual(d.text, '\treturn sum + 1;\nif (a) {\n}\n');
    assert.deepStrictEqual(d.ai(), ['return sum + 1;']);
  });

  it('VS Code 1.90 moving an AI line up past a line it re-indents (an insertion and a replacement at one offset): the AI line keeps exactly its characters, and a later move keeps it AI', () => {
    // The test host's sequence: a person's line moved down into the function (re-indented), then
    // "}" moved up twice. 1.90 sends the first move-up of "  return sum;" with the re-indent of
    // the person's line as a second change at the same offset, given before the insertion.
    const d = setup('// one\nfunction fixtureAdd(a, b) {\n  const sum = a + b;\n    // my own line\n  return sum;\n}');
    d.markAi('a, b) {');
    d.markAi('const sum = a + b;');
    d.markAi('\n  return sum;\n}');
    d.event([
      { offset: 74, deleteLength: 14, text: '' },
      { offset: 56, deleteLength: 4, text: '  ' },
      { offset: 56, deleteLength: 0, text: '  return sum;\n' },
    ]);
    assert.strictEqual(d.text, '// one\nfunction fixtureAdd(a, b) {\n  const sum = a + b;\n  return sum;\n  // my own line\n}');
    assert.deepStrictEqual(d.ai(), ['a, b) {', 'const sum = a + b;', 'return sum;', '\n}']);
    // "}" up past the person's line, then past "  return sum;" (one event: "\n  return sum;" after "}").
    d.event([
      { offset: 88, deleteLength: 0, text: '\n  // my own line' },
      { offset: 70, deleteLength: 17, text: '' },
    ]);
    d.event([
      { offset: 71, deleteLength: 0, text: '\n  return sum;' },
      { offset: 56, deleteLength: 14, text: '' },
    ]);
    assert.strictEqual(d.text, '// one\nfunction fixtureAdd(a, b) {\n  const sum = a + b;\n}\n  return sum;\n  // my own line');
    assert.deepStrictEqual(d.ai(), ['a, b) {', 'const sum = a + b;', '}', 'return sum;']);
  });

  it('where the text of an event lies afterwards: of changes at one offset, the later one given lies first (as the store applies them)', () => {
    const changes: TextChange[] = [
      { offset: 9, deleteLength: 2, text: '' },
      { offset: 3, deleteLength: 2, text: 'R' },
      { offset: 3, deleteLength: 0, text: 'INS' },
      { offset: 0, deleteLength: 0, text: '>' },
    ];
    const before = '0123456789AB';
    let after = before;
    for (const c of [...changes].sort((a, b) => b.offset - a.offset)) after = after.slice(0, c.offset) + c.text + after.slice(c.offset + c.deleteLength);
    const prov = new DocumentProvenance(new OriginTable(), new AttributionRope(before.length));
    prov.applyChanges(changes, { type: 'origin', origin: AI });
    assert.strictEqual(after, '>012INSR5678B');
    assert.deepStrictEqual(prov.ranges().map((r) => [r.start, r.end]), [[0, 1], [4, 8]], 'the store puts the insertion before the replacement');
    for (const span of insertedSpans(changes)) assert.strictEqual(after.slice(span.start, span.start + span.text.length), span.text, JSON.stringify(span));
    assert.deepStrictEqual(insertedSpans(changes).map((i) => i.text), ['>', 'INS', 'R']);
  });

  it('precision: a lone AI "}" removed in an event that inserts a block with a "}" line elsewhere is not carried', () => {
    const d = setup('a();\n}\nb();\n');
    d.markAi('}');
    d.event([
      { offset: 5, deleteLength: 2, text: '' },
      { offset: 12, deleteLength: 0, text: 'if (x) {\n  y();\n}\n' },
    ]);
    assert.deepStrictEqual(d.ai(), []);
  });

  it('precision: typing a character over selected AI text of the same character is human (no line break)', () => {
    const d = setup('let v = {};\n');
    d.markAi('}');
    d.event([{ offset: 9, deleteLength: 1, text: '}' }]);
    assert.deepStrictEqual(d.ai(), []);
  });

  it('cut then paste elsewhere in the file: the AI block keeps its origin, the pasted human lines stay human', () => {
    const d = setup(`// head\n${FUNCTION}// tail\n`);
    d.markAi(COMPLETION);
    const start = d.text.indexOf('function');
    const end = d.text.indexOf('// tail');
    const cut = d.text.slice(start, end);
    d.event([{ offset: start, deleteLength: end - start, text: '' }], 1000);
    assert.deepStrictEqual(d.ai(), []);
    d.event([{ offset: d.text.length, deleteLength: 0, text: cut }], 5000);
    assert.strictEqual(d.text, `// head\n// tail\n${FUNCTION}`);
    assert.deepStrictEqual(d.ai(), [COMPLETION]);
    assert.strictEqual(d.prov.ranges()[0].origin.requestId, 'r-1');
  });

  it('precision: cut AI text under the minimum is not carried by a later paste (a short common line)', () => {
    const d = setup('a();\n  return x;\nb();\n');
    d.markAi('  return x;\n');
    d.event([{ offset: 5, deleteLength: 12, text: '' }], 1000);
    d.event([{ offset: 0, deleteLength: 0, text: '  return x;\n' }], 2000);
    assert.ok('return x;'.length < MIN_CARRY_CHARS);
    assert.deepStrictEqual(d.ai(), []);
  });

  it('precision: a later "}" line typed or pasted alone after an AI block was cut stays human', () => {
    const d = setup(`${FUNCTION}`);
    d.markAi(COMPLETION);
    d.event([{ offset: 0, deleteLength: d.text.length, text: '' }], 1000);
    d.event([{ offset: 0, deleteLength: 0, text: '}' }], 2000);
    d.event([{ offset: 1, deleteLength: 0, text: '\n}\n' }], 3000);
    assert.deepStrictEqual(d.ai(), []);
  });

  it('precision: text equal to AI text with no removal or selection of it is human (coincidence)', () => {
    const d = setup(`${FUNCTION}\n`);
    d.markAi(COMPLETION);
    d.event([{ offset: d.text.length, deleteLength: 0, text: '  const sum = a + b;\n  return sum;\n' }]);
    assert.deepStrictEqual(d.ai(), [COMPLETION]);
  });

  it('copy (a selection) into another file keeps kind, tool, model and request id; human lines of the copy stay human', () => {
    const origins = new OriginTable();
    const recent = new RecentSources();
    const a = new Doc(`// mine\n${FUNCTION}`, origins, recent, KEY);
    a.markAi(COMPLETION);
    a.select(0, a.text.length);
    const b = new Doc('// b\n', origins, recent, OTHER);
    b.event([{ offset: 5, deleteLength: 0, text: a.text }]);
    assert.deepStrictEqual(b.ai(), [COMPLETION]);
    const o = b.prov.ranges()[0].origin;
    assert.deepStrictEqual([o.kind, o.tool, o.model, o.requestId], ['inline', 'fixture', 'm-1', 'r-1']);
    // The source is untouched.
    assert.deepStrictEqual(a.ai(), [COMPLETION]);
  });

  it('precision: a copy of HUMAN text stays human, also when the same text is AI text selected earlier', () => {
    const origins = new OriginTable();
    const recent = new RecentSources();
    const block = 'function total(items) {\n  return items.length * 2;\n}\n';
    const a = new Doc(block, origins, recent, KEY);
    a.markAi(block.slice(0, -1));
    a.select(0, block.length, 100);
    const human = new Doc(block, origins, recent, OTHER);
    human.select(0, block.length, 200);
    const c = new Doc('', origins, recent, 'file:///w/c.js');
    c.event([{ offset: 0, deleteLength: 0, text: block }], 300);
    assert.deepStrictEqual(c.ai(), []);
  });

  it('precision: a paste without a line break is not carried, even of copied AI text', () => {
    const origins = new OriginTable();
    const recent = new RecentSources();
    const a = new Doc('const total = items.reduce((s, i) => s + i, 0);\n', origins, recent, KEY);
    a.markAi('items.reduce((s, i) => s + i, 0)');
    a.select(14, 46);
    const b = new Doc('let x = ;\n', origins, recent, OTHER);
    b.event([{ offset: 8, deleteLength: 0, text: 'items.reduce((s, i) => s + i, 0)' }]);
    assert.deepStrictEqual(b.ai(), []);
  });

  it('removed AI text is kept for a while only', () => {
    const d = setup(`${FUNCTION}`);
    d.markAi(COMPLETION);
    const cut = d.text;
    d.event([{ offset: 0, deleteLength: cut.length, text: '' }], 1000);
    d.event([{ offset: 0, deleteLength: 0, text: cut }], 1000 + REMOVED_TTL_MS + 1);
    assert.deepStrictEqual(d.ai(), []);
  });

  it('the first line of an AI block may be the end of a line a person began (suffix), only with other lines matched', () => {
    const single = setup('x = compute(a, b) + 1;\n');
    single.markAi('compute(a, b) + 1;');
    const cut = single.text;
    single.event([{ offset: 0, deleteLength: cut.length, text: '' }], 1000);
    single.event([{ offset: 0, deleteLength: 0, text: 'let y = z + compute(a, b) + 1;\n' }], 2000);
    assert.deepStrictEqual(single.ai(), []);
  });

  it('precision: AI text taken back by undo is not given back to a later insertion of the same text (a suggestion accepted again by a command we do not see)', () => {
    const d = setup('// undo\nfunction fixtureAdd(');
    const at = d.text.length;
    d.event([{ offset: at, deleteLength: 0, text: COMPLETION }], 1000);
    d.markAi(COMPLETION);
    d.event([{ offset: at, deleteLength: COMPLETION.length, text: '' }], 2000, { undoRedo: true });
    d.event([{ offset: at, deleteLength: 0, text: COMPLETION }], 3000);
    assert.deepStrictEqual(d.ai(), []);
  });

  it('precision: AI text discarded by a revert of the file is not given back later', () => {
    const d = setup(`// head\n${FUNCTION}`);
    d.markAi(COMPLETION);
    const start = d.text.indexOf('function');
    const removed = d.text.slice(start);
    d.event([{ offset: start, deleteLength: removed.length, text: '' }], 1000, { dirtyBefore: true, cleanAfter: true });
    d.event([{ offset: d.text.length, deleteLength: 0, text: removed }], 2000);
    assert.deepStrictEqual(d.ai(), []);
  });

  it('AI text removed by a reload of a clean file from disk (git stash) is given back when it comes back', () => {
    const d = setup(`// head\n${FUNCTION}`);
    d.markAi(COMPLETION);
    const start = d.text.indexOf('function');
    const removed = d.text.slice(start);
    d.event([{ offset: start, deleteLength: removed.length, text: '' }], 1000, { dirtyBefore: false, cleanAfter: true });
    d.event([{ offset: d.text.length, deleteLength: 0, text: removed }], 2000, { dirtyBefore: false, cleanAfter: true });
    assert.deepStrictEqual(d.ai(), [COMPLETION]);
  });

  it('precision: a paste of cut AI lines that a person also has as their own code in an open document stays human', () => {
    const origins = new OriginTable();
    const recent = new RecentSources();
    const block = 'function total(items) {\n  return items.length * 2;\n}\n';
    const a = new Doc(block, origins, recent, KEY);
    a.markAi(block);
    a.event([{ offset: 0, deleteLength: block.length, text: '' }], 1000);
    const mine = new Doc(`// mine\n${block}`, origins, recent, OTHER);
    const c = new Doc('', origins, recent, 'file:///w/c.js');
    c.event([{ offset: 0, deleteLength: 0, text: block }], 2000, { open: [a.open(), mine.open(), c.open()] });
    assert.deepStrictEqual(c.ai(), []);
    // The guard looks at other text only: with no own copy open, the paste is AI.
    const d = new Doc('', origins, recent, 'file:///w/d.js');
    d.event([{ offset: 0, deleteLength: 0, text: block }], 2000, { open: [a.open(), d.open()] });
    assert.deepStrictEqual(d.ai(), [block.trimEnd()]);
  });

  it('the own-text guard counts only documents with an editor tab (and the destination): one loaded with no tab cannot have been copied from', () => {
    const origins = new OriginTable();
    const recent = new RecentSources();
    const block = 'function total(items) {\n  return items.length * 2;\n}\n';
    const a = new Doc(`// head\n${block}`, origins, recent, KEY);
    a.markAi(block);
    a.event([{ offset: 8, deleteLength: block.length, text: '' }], 1000);
    const closed = new Doc(`// mine\n${block}`, origins, recent, OTHER);
    a.event([{ offset: a.text.length, deleteLength: 0, text: block }], 2000, { open: [a.open(), closed.open(false)] });
    assert.deepStrictEqual(a.ai(), [block.trimEnd()]);
    // The same document with a tab: the person may have copied their own lines from it.
    const b = new Doc(`// head\n${block}`, origins, recent, 'file:///w/e.js');
    b.markAi(block);
    b.event([{ offset: 8, deleteLength: block.length, text: '' }], 3000);
    b.event([{ offset: b.text.length, deleteLength: 0, text: block }], 4000, { open: [b.open(), closed.open(true)] });
    assert.deepStrictEqual(b.ai(), []);
    // The destination counts with no tab: its own copy of the lines elsewhere is the person's.
    const c = new Doc(`// head\n${block}// mine\n${block}`, origins, recent, 'file:///w/f.js');
    c.markAi(block);
    c.event([{ offset: 8, deleteLength: block.length, text: '' }], 5000);
    c.event([{ offset: c.text.length, deleteLength: 0, text: block }], 6000, { open: [c.open(false)] });
    assert.deepStrictEqual(c.ai(), []);
  });

  it('precision: blank lines and lone braces pasted after an AI block with blank lines was cut stay human', () => {
    const d = setup(`${FUNCTION}\n\n// end\n`);
    d.markAi(`${COMPLETION}\n\n\n`);
    d.event([{ offset: 0, deleteLength: FUNCTION.length + 2, text: '' }], 1000);
    d.event([{ offset: 0, deleteLength: 0, text: '\n\n\n' }], 2000);
    d.event([{ offset: 0, deleteLength: 0, text: '}\n}\n' }], 3000);
    assert.deepStrictEqual(d.ai(), []);
  });

  it('lineOccurrences finds consecutive lines whatever their indentation', () => {
    const text = 'a\n  b\n\n  c\nb\nc\n';
    assert.deepStrictEqual(lineOccurrences(text, ['b', 'c']), [
      { start: 4, end: 10 },
      { start: 11, end: 14 },
    ]);
    assert.deepStrictEqual(lineOccurrences('xx a\nb\n', ['a', 'b'], true), [{ start: 0, end: 6 }]);
  });
});
