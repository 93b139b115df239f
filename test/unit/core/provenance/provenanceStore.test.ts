import * as assert from 'assert';
import { Origin } from '../../../../src/core/provenance/origin';
import { ProvenanceStore } from '../../../../src/core/provenance/provenanceStore';
import { attributeLines } from '../../../../src/core/provenance/lineShare';
import { fileShare } from '../../../../src/core/provenance/fileShare';
import { OriginTable } from '../../../../src/core/provenance/originTable';
import { entryFromRuns } from '../../../../src/core/persistence/entries';

const copilot: Origin = { kind: 'inline', tool: 'github.copilot', requestId: 'r1', timestamp: 1 };

/** A document and its provenance kept in step, as the change handler does. */
function doc(initial: string) {
  const store = new ProvenanceStore();
  const prov = store.getOrCreate('file:///a.ts', initial.length);
  let text = initial;
  const edit = (offset: number, del: number, ins: string, attribution: Parameters<typeof prov.applyChanges>[1]) => {
    prov.applyChanges([{ offset, deleteLength: del, text: ins }], attribution);
    text = text.slice(0, offset) + ins + text.slice(offset + del);
  };
  return { prov, edit, text: () => text, store };
}

describe('a prompt found after the text was recorded', () => {
  it('marking the text again with the prompt gives it the prompt, in the live table and in a saved one that had the entry without it', () => {
    const d = doc('const x = 1;\n');
    const edit: Origin = { kind: 'agent', tool: 'github.copilot-chat', model: 'copilot/gpt-x', requestId: 'request_a', timestamp: 5 };
    d.edit(13, 0, 'const byAgent = 2;\n', { type: 'origin', origin: edit });
    const saved = new OriginTable();
    const runs = () => d.prov.ranges().map((r) => ({ start: r.start, length: r.end - r.start, origin: d.prov.origins.intern(r.origin), text: r.text }));
    const before = entryFromRuns(d.text(), runs(), (id) => d.prov.origins.get(id), saved);
    assert.strictEqual(saved.get(before.runs[0].origin)?.prompt, undefined);

    const r = d.prov.ranges()[0];
    d.prov.setOrigin(r.start, r.text, { ...r.origin, prompt: 'add a constant' });
    assert.deepStrictEqual(d.prov.ranges().map((x) => [x.text, x.origin.requestId, x.origin.prompt, x.origin.timestamp]), [['const byAgent = 2;\n', 'request_a', 'add a constant', 5]]);
    const after = entryFromRuns(d.text(), runs(), (id) => d.prov.origins.get(id), saved);
    assert.strictEqual(saved.get(after.runs[0].origin)?.prompt, 'add a constant');
    // A later edit of the same request, recorded with the prompt, joins the marked text.
    d.edit(32, 0, 'const more = 3;\n', { type: 'origin', origin: { ...edit, prompt: 'add a constant', timestamp: 6 } });
    assert.deepStrictEqual(d.prov.ranges().map((x) => [x.text, x.origin.prompt]), [['const byAgent = 2;\nconst more = 3;\n', 'add a constant']]);
  });
});

describe('DocumentProvenance', () => {
  it('undo removes an AI insertion and redo restores it as AI', () => {
    const d = doc('const x = 1;\n');
    const fn = 'function add(a, b) {\n  return a + b;\n}\n';
    d.edit(13, 0, fn, { type: 'origin', origin: copilot });
    assert.strictEqual(d.prov.aiCharacters(), fn.length);
    d.edit(13, fn.length, '', { type: 'restore' }); // undo
    assert.strictEqual(d.prov.aiCharacters(), 0);
    d.edit(13, 0, fn, { type: 'restore' }); // redo
    assert.strictEqual(d.prov.aiCharacters(), fn.length);
    assert.strictEqual(d.prov.ranges()[0].origin.tool, 'github.copilot');
  });

  it('undo of a human deletion of AI text restores the marks', () => {
    const d = doc('');
    d.edit(0, 0, 'let total = items.reduce((a, b) => a + b, 0);', { type: 'origin', origin: copilot });
    d.edit(4, 5, '', { type: 'human' }); // person deletes "total"
    d.edit(4, 0, 'total', { type: 'restore' }); // undo
    assert.strictEqual(d.prov.aiCharacters(), d.text().length);
  });

  it('does not restore AI marks onto different text of the same length', () => {
    const d = doc('');
    d.edit(0, 0, 'foo(bar)', { type: 'origin', origin: copilot });
    d.edit(0, 8, '', { type: 'human' }); // deleted by a person
    d.edit(0, 0, 'xyz(abc)', { type: 'human' }); // typed by hand
    d.edit(0, 8, '', { type: 'human' });
    d.edit(0, 0, 'xyz(abc)', { type: 'restore' }); // undo brings the typed text back
    assert.strictEqual(d.prov.aiCharacters(), 0);
  });

  it('a restore with nothing remembered is human', () => {
    const d = doc('abc');
    d.edit(1, 0, 'zzz', { type: 'restore' });
    assert.strictEqual(d.prov.aiCharacters(), 0);
  });

  it('applies multi-cursor changes given in pre-change coordinates', () => {
    const d = doc('aaaa\nbbbb\n');
    d.prov.applyChanges(
      [
        { offset: 0, deleteLength: 0, text: 'X' },
        { offset: 5, deleteLength: 0, text: 'Y' },
      ],
      { type: 'origin', origin: copilot },
    );
    assert.deepStrictEqual(d.prov.ranges().map((r) => [r.start, r.text]), [
      [0, 'X'],
      [6, 'Y'],
    ]);
  });

  it('verifyAgainst drops marks whose text changed behind our back', () => {
    const d = doc('');
    d.edit(0, 0, 'hello world', { type: 'origin', origin: copilot });
    assert.strictEqual(d.prov.verifyAgainst('hello there'), 11);
    assert.strictEqual(d.prov.aiCharacters(), 0);
  });

  it('beforeChange sees the provenance as it was before each text change, mark and drop', () => {
    const d = doc('abcdef');
    const seen: string[] = [];
    d.prov.beforeChange = () => seen.push(`${d.prov.rope.length}:${d.prov.ranges().map((r) => r.text).join('|')}`);
    d.edit(6, 0, 'GHI', { type: 'origin', origin: copilot });
    d.prov.setOrigin(0, 'ab', copilot);
    d.prov.verifyAgainst('abcdefGHX');
    d.prov.beforeChange = undefined;
    d.edit(0, 0, 'z', { type: 'human' });
    assert.deepStrictEqual(seen, ['6:', '9:GHI', '9:ab|GHI']);
    assert.deepStrictEqual(d.prov.ranges().map((r) => r.text), ['ab']);
  });

  it('unknown-kind text counts as neither AI nor human', () => {
    const d = doc('');
    d.edit(0, 0, 'from disk\n', { type: 'origin', origin: { kind: 'unknown', tool: 'disk', timestamp: 1 } });
    assert.strictEqual(d.prov.aiCharacters(), 0);
    assert.strictEqual(d.prov.ranges().length, 1);
  });

  it('store renames carry provenance', () => {
    const d = doc('');
    d.edit(0, 0, 'abc', { type: 'origin', origin: copilot });
    d.store.rename('file:///a.ts', 'file:///b.ts');
    assert.strictEqual(d.store.get('file:///b.ts')?.aiCharacters(), 3);
    assert.strictEqual(d.store.get('file:///a.ts'), undefined);
  });
});

describe('DocumentProvenance version', () => {
  it('changes with every change, stays while nothing changes, and is never shared by two provenances', () => {
    const d = doc('const x = 1;\n');
    const versions = new Set<number>([d.prov.version]);
    const step = (what: string, change: () => void, changes = true): void => {
      const before = d.prov.version;
      change();
      if (changes) {
        assert.ok(!versions.has(d.prov.version), `${what}: a new version`);
        versions.add(d.prov.version);
      } else assert.strictEqual(d.prov.version, before, `${what}: same version`);
    };
    step('AI insertion', () => d.edit(13, 0, 'y();\n', { type: 'origin', origin: copilot }));
    step('human typing', () => d.edit(0, 0, ' ', { type: 'human' }));
    step('setOrigin', () => d.prov.setOrigin(1, 'const', copilot));
    step('verifyAgainst, all marks still true', () => d.prov.verifyAgainst(d.text()), false);
    step('verifyAgainst dropping a mark', () => d.prov.verifyAgainst(d.text().replace('y()', 'z()')));
    step('verifyAgainst of another length', () => d.prov.verifyAgainst(d.text() + 'more'));
    step('reading', () => void [d.prov.ranges(), d.prov.aiCharacters()], false);
    const other = d.store.getOrCreate('file:///b.ts', 3);
    assert.ok(!versions.has(other.version), 'another document');
    versions.add(other.version);
    const replaced = d.store.set('file:///a.ts', d.prov.rope);
    assert.ok(!versions.has(replaced.version), 'a provenance set anew');
  });
});

describe('line share', () => {
  it('counts a line as AI when most of its non-whitespace characters are AI', () => {
    const d = doc('');
    d.edit(0, 0, 'const a = 1;\n\n', { type: 'human' });
    d.edit(14, 0, 'const b = compute(a);\n', { type: 'origin', origin: copilot });
    d.edit(14 + 6, 0, 'xx', { type: 'human' }); // small human edit inside the AI line
    d.edit(d.text().length, 0, 'let c', { type: 'human' });
    d.edit(d.text().length, 0, ' = b;', { type: 'origin', origin: copilot }); // 4 of 8 non-ws chars: not most
    const share = attributeLines(d.text(), d.prov.rope.taggedRuns(), (id) => d.prov.isAi(id));
    assert.strictEqual(share.nonBlankLines, 3);
    assert.deepStrictEqual(share.lines.map((l) => l.line), [2]);
    const fs = fileShare(d.prov, d.text());
    assert.strictEqual(fs.percent, 33);
    assert.deepStrictEqual(fs.tools, ['github.copilot']);
  });
});

describe('ProvenanceStore change event', () => {
  function watched() {
    const store = new ProvenanceStore();
    const seen: string[] = [];
    store.onDidChange((key, change) => seen.push(`${key}${change.text ? ' text' : ''}${change.undoRedo ? ' undo' : ''}`));
    return { store, seen };
  }

  it('fires by itself after every change: text, mark, check, set, rename and delete', () => {
    const { store, seen } = watched();
    const prov = store.getOrCreate('a', 10);
    assert.deepStrictEqual(seen, [], 'creating an empty provenance changes nothing');
    prov.applyChanges([{ offset: 0, deleteLength: 0, text: 'xy' }], { type: 'human' });
    prov.setOrigin(0, 'xy', copilot);
    prov.verifyAgainst('xy'.padEnd(12, ' '));
    store.set('b', store.get('a')!.rope);
    store.rename('a', 'c');
    store.get('c')!.setOrigin(0, 'xy', undefined);
    store.delete('c');
    assert.deepStrictEqual(seen, ['a text', 'a', 'a', 'b', 'a', 'c', 'c', 'c']);
  });

  it('a document that left the store (replaced or deleted) no longer fires under its old key', () => {
    const { store, seen } = watched();
    const old = store.getOrCreate('a', 4);
    store.set('a', old.rope);
    seen.length = 0;
    old.applyChanges([{ offset: 0, deleteLength: 0, text: 'z' }], { type: 'human' });
    assert.deepStrictEqual(seen, []);
  });

  it('a batch fires once per changed key at its end, with the text flag and the undo or redo it names', () => {
    const { store, seen } = watched();
    const a = store.getOrCreate('a', 4);
    const b = store.getOrCreate('b', 4);
    store.batch(
      () => {
        a.setOrigin(0, 'ab', copilot);
        a.applyChanges([{ offset: 0, deleteLength: 1, text: '' }], { type: 'restore' });
        store.batch(() => b.setOrigin(0, 'cd', copilot));
        assert.deepStrictEqual(seen, [], 'nothing fires inside the batch');
      },
      { undoRedo: true },
    );
    assert.deepStrictEqual(seen, ['a text undo', 'b']);
    store.batch(() => a.setOrigin(0, 'b', undefined));
    assert.deepStrictEqual(seen, ['a text undo', 'b', 'a']);
  });

  it('a batch that throws still fires what it changed', () => {
    const { store, seen } = watched();
    const a = store.getOrCreate('a', 4);
    assert.throws(() =>
      store.batch(() => {
        a.applyChanges([{ offset: 0, deleteLength: 0, text: 'q' }], { type: 'human' });
        throw new Error('boom');
      }),
    );
    assert.deepStrictEqual(seen, ['a text']);
  });
});
