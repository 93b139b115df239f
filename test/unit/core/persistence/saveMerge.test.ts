import * as assert from 'assert';
import { entryFromRuns, withFiles } from '../../../../src/core/persistence/entries';
import { stateToSave } from '../../../../src/core/persistence/saveMerge';
import { emptyState, sha256 } from '../../../../src/core/persistence/schema';
import { Origin } from '../../../../src/core/provenance/origin';
import { OriginTable } from '../../../../src/core/provenance/originTable';

const CHAT: Origin = { kind: 'chat', tool: 'chat', timestamp: 2000 };
const AGENT: Origin = { kind: 'agent', tool: 'agent-cli', timestamp: 3000 };
const UNKNOWN: Origin = { kind: 'unknown', tool: 'unknown', timestamp: 0 };

const TEXT = 'const a = 1;\nconst b = 2;\n';

/** A state where someone else recorded `AGENT` on `const b = 2;` of TEXT. */
function agentState(updatedAt: number) {
  const table = new OriginTable();
  const theirs = new OriginTable();
  const id = theirs.intern(AGENT);
  const start = TEXT.indexOf('const b');
  const entry = entryFromRuns(TEXT, [{ start, length: 12, origin: id, text: 'const b = 2;' }], (i) => theirs.get(i), table, updatedAt);
  return withFiles(emptyState(), { 'a.ts': entry }, table.toJSON());
}

describe('persistence: what a save writes', () => {
  it('writes the runs of each file and removes the entries asked for', () => {
    const origins = new OriginTable();
    const chat = origins.intern(CHAT);
    const current = withFiles(emptyState(), { 'gone.ts': entryFromRuns('x', [{ start: 0, length: 1, origin: chat, text: 'x' }], (i) => origins.get(i), new OriginTable(), 1) });
    const { update, merges } = stateToSave({
      current,
      seen: current,
      files: [{ key: 'file:///a.ts', rel: 'a.ts', text: TEXT, runs: [{ start: 0, length: 12, origin: chat, text: 'const a = 1;' }] }],
      removals: ['gone.ts'],
      origins,
      now: 7,
    });
    assert.ok(update);
    assert.deepStrictEqual(Object.keys(update.state.files), ['a.ts']);
    const entry = update.state.files['a.ts'];
    assert.strictEqual(entry.sha256, sha256(TEXT));
    assert.strictEqual(entry.updatedAt, 7);
    assert.deepStrictEqual(entry.runs.map((r) => [r.offset, r.length, update.state.origins[r.origin - 1].kind]), [[0, 12, 'chat']]);
    assert.strictEqual(update.texts.get(sha256(TEXT)), TEXT);
    assert.deepStrictEqual(merges, []);
  });

  it('changes nothing when there is nothing to write', () => {
    const { update } = stateToSave({ current: emptyState(), seen: undefined, files: [], removals: undefined, origins: new OriginTable() });
    assert.strictEqual(update, undefined);
  });

  it('merges what someone else wrote for the same text since: it wins over unknown, never over a known origin', () => {
    const current = agentState(50);
    const seen = emptyState();
    const origins = new OriginTable();
    const unknown = origins.intern(UNKNOWN);
    const chat = origins.intern(CHAT);
    // Ours: the first line is chat, the second unknown.
    const b = TEXT.indexOf('const b');
    const runs = [
      { start: 0, length: 12, origin: chat, text: 'const a = 1;' },
      { start: b, length: 12, origin: unknown, text: 'const b = 2;' },
    ];
    const { update, merges } = stateToSave({ current, seen, files: [{ key: 'k', rel: 'a.ts', text: TEXT, runs, version: 3 }], removals: undefined, origins });
    assert.strictEqual(merges.length, 1);
    assert.strictEqual(merges[0].version, 3);
    const kinds = merges[0].runs.map((r) => [r.start, origins.get(r.origin)!.kind]);
    assert.deepStrictEqual(kinds, [
      [0, 'chat'],
      [b, 'agent'],
    ]);
    const saved = update!.state.files['a.ts'];
    assert.deepStrictEqual(saved.runs.map((r) => update!.state.origins[r.origin - 1].kind), ['chat', 'agent']);
  });

  it('does not merge an entry it has seen already, nor one for another text', () => {
    const current = agentState(50);
    const origins = new OriginTable();
    const chat = origins.intern(CHAT);
    const runs = [{ start: 0, length: 12, origin: chat, text: 'const a = 1;' }];
    const seenAlready = stateToSave({ current, seen: current, files: [{ key: 'k', rel: 'a.ts', text: TEXT, runs }], removals: undefined, origins });
    assert.deepStrictEqual(seenAlready.merges, []);
    assert.deepStrictEqual(seenAlready.update!.state.files['a.ts'].runs.length, 1);
    const other = `${TEXT}// more\n`;
    const otherText = stateToSave({ current, seen: emptyState(), files: [{ key: 'k', rel: 'a.ts', text: other, runs }], removals: undefined, origins });
    assert.deepStrictEqual(otherText.merges, []);
  });
  it('keeps an entry someone else wrote since for the text on disk while the editor has the old text to reload', () => {
    // An agent wrote `TEXT` and its entry; the editor still shows the text before the agent's edit.
    const current = agentState(50);
    const origins = new OriginTable();
    const chat = origins.intern(CHAT);
    const old = 'const a = 1;\n';
    const file = { key: 'k', rel: 'a.ts', text: old, runs: [{ start: 0, length: 12, origin: chat, text: 'const a = 1;' }], version: 2 };
    const waiting = stateToSave({ current, seen: emptyState(), files: [{ ...file, reloadExpected: true }], removals: undefined, origins });
    assert.deepStrictEqual(waiting.deferred, [{ key: 'k', rel: 'a.ts' }]);
    assert.strictEqual(waiting.update, undefined, 'the agent entry was overwritten');
    // With unsaved changes (no reload comes) or once the wait is over, the editor's text is saved.
    const dirty = stateToSave({ current, seen: emptyState(), files: [file], removals: undefined, origins });
    assert.deepStrictEqual(dirty.deferred, []);
    assert.strictEqual(dirty.update!.state.files['a.ts'].sha256, sha256(old));
    // An entry seen before is ours to replace.
    const seenBefore = stateToSave({ current, seen: current, files: [{ ...file, reloadExpected: true }], removals: undefined, origins });
    assert.deepStrictEqual(seenBefore.deferred, []);
    assert.strictEqual(seenBefore.update!.state.files['a.ts'].sha256, sha256(old));
  });
});
