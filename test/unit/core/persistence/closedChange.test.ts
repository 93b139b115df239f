import * as assert from 'assert';
import { closedChange } from '../../../../src/core/persistence/closedChange';
import { entryFromRuns } from '../../../../src/core/persistence/entries';
import { PersistedFile, sha256 } from '../../../../src/core/persistence/schema';
import { OriginTable } from '../../../../src/core/provenance/originTable';
import { unknownOrigin } from '../../../../src/core/reanchor/external';
import { AnchoredRun } from '../../../../src/core/reanchor/reanchor';
import { ReloadRecall } from '../../../../src/persistence/reloadRecall';

const HEAD = "'use strict';\n// the person's header\n";
const AI_FN = 'function total(items) {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n';
const MINE = 'function mine(x) {\n  return x.map((y) => y * 2).filter(Boolean);\n}\n';

/**
 * A closed file as the extension keeps it: its saved entry (state origins, texts by hash) and the
 * session's earlier versions; `change` is what `OutsideChanges.onClosedFileChanged` does with it.
 */
class ClosedFile {
  readonly live = new OriginTable();
  readonly recall = new ReloadRecall(this.live);
  readonly stateOrigins = new OriginTable();
  readonly texts = new Map<string, string>();
  readonly ai = this.live.intern({ kind: 'inline', tool: 'fixture', timestamp: 1 });
  readonly unknown = this.live.intern(unknownOrigin(2));
  entry: PersistedFile | undefined;
  text = '';
  runs: AnchoredRun[] = [];

  /** The document closes with `text` saved and `runs` (live ids). */
  closeWith(text: string, runs: AnchoredRun[]): void {
    this.save(text, runs);
    this.recall.closed('k', { text, runs });
  }

  /** The file changed on disk to `text`; false when nothing was known of it. */
  change(text: string): boolean {
    const hash = sha256(text);
    const changed = closedChange(this.entry, this.stateOrigins.toJSON(), this.recall.lastOnDisk('k'), text, hash, (o) => this.live.intern(o), (h) => this.texts.get(h), this.unknown);
    if (!changed) return false;
    const recalled = this.recall.closedFileChanged('k', text, changed.runs, changed.previous);
    this.save(text, recalled ? recalled.runs : changed.runs);
    return true;
  }

  /** The trimmed lines of the text whose characters all carry `origin` (blank lines left out). */
  lines(origin: number): string[] {
    const of = new Uint32Array(this.text.length);
    for (const r of this.runs) of.fill(r.origin, r.start, r.start + r.length);
    const out: string[] = [];
    let at = 0;
    for (const line of this.text.split('\n')) {
      let all = line.trim().length > 0;
      for (let i = 0; i < line.length; i++) if (line[i].trim() && of[at + i] !== origin) all = false;
      if (all) out.push(line.trim());
      at += line.length + 1;
    }
    return out;
  }

  private save(text: string, runs: AnchoredRun[]): void {
    this.text = text;
    this.runs = runs;
    // As `withFiles`: an entry without runs is dropped.
    this.entry = runs.length > 0 ? entryFromRuns(text, runs, (id) => this.live.get(id), this.stateOrigins) : undefined;
    if (this.entry) this.texts.set(this.entry.sha256, text);
  }
}

function runOf(text: string, piece: string, origin: number): AnchoredRun {
  const start = text.indexOf(piece);
  assert.ok(start >= 0, piece);
  return { start, length: piece.length, origin, text: piece };
}

describe('a closed file changed on disk: earlier AI text gets its marks back', () => {
  it('git stash then git stash pop of a closed file: the AI function is AI again, the rest as it was', () => {
    const f = new ClosedFile();
    const saved = HEAD + AI_FN;
    f.closeWith(saved, [runOf(saved, AI_FN, f.ai)]);
    assert.ok(f.change(HEAD), 'stash');
    assert.strictEqual(f.entry, undefined, 'the stashed text has no marks: its entry is gone');
    assert.ok(f.change(saved), 'pop: known from the earlier versions though it has no entry');
    assert.deepStrictEqual(f.lines(f.ai), ['function total(items) {', 'return items.reduce((s, i) => s + i.price, 0);', '}']);
    assert.ok(f.runs.every((r) => r.start >= HEAD.length), `the header stays the person's: ${JSON.stringify(f.runs)}`);
    assert.ok(f.entry, 'written back to the state');
  });

  it('with an entry left after the stash (other marked text stays), and with the pop after an edit elsewhere', () => {
    const f = new ClosedFile();
    const agentLine = '// a line the agent wrote on disk, unknown\n';
    const saved = HEAD + agentLine + AI_FN;
    f.closeWith(saved, [runOf(saved, agentLine, f.unknown), runOf(saved, AI_FN, f.ai)]);
    assert.ok(f.change(HEAD + agentLine));
    assert.ok(f.entry, 'the unknown line keeps an entry');
    const popped = HEAD + agentLine + AI_FN + '// added on disk later\n';
    assert.ok(f.change(popped));
    assert.deepStrictEqual(f.lines(f.ai), ['function total(items) {', 'return items.reduce((s, i) => s + i.price, 0);', '}']);
    assert.deepStrictEqual(f.lines(f.unknown), ['// a line the agent wrote on disk, unknown', '// added on disk later']);
  });

  it("precision: text that was never AI stays unknown, and text the person made theirs before closing is not AI again", () => {
    const f = new ClosedFile();
    const aiSaved = HEAD + AI_FN;
    // Open: the AI wrote the function and it was saved; then the person cleared its marks, added a
    // line and saved.
    f.recall.superseded('k', { text: aiSaved, runs: [runOf(aiSaved, AI_FN, f.ai)] });
    const cleared = aiSaved + '// and a line of mine\n';
    f.closeWith(cleared, []);
    assert.ok(f.change(HEAD));
    assert.ok(f.change(cleared));
    assert.deepStrictEqual(f.lines(f.ai), [], JSON.stringify(f.runs));
    assert.deepStrictEqual(f.lines(f.unknown), ['function total(items) {', 'return items.reduce((s, i) => s + i.price, 0);', '}', '// and a line of mine']);
    // A person's function brought in from disk that was never AI stays unknown.
    const g = new ClosedFile();
    const saved = HEAD + AI_FN;
    g.closeWith(saved, [runOf(saved, AI_FN, g.ai)]);
    assert.ok(g.change(HEAD));
    assert.ok(g.change(HEAD + MINE));
    assert.deepStrictEqual(g.lines(g.ai), []);
    assert.deepStrictEqual(g.lines(g.unknown), ['function mine(x) {', 'return x.map((y) => y * 2).filter(Boolean);', '}']);
  });

  it('a file with no entry and no earlier version in this session is left alone; an unchanged text changes nothing', () => {
    const f = new ClosedFile();
    assert.strictEqual(f.change(HEAD + AI_FN), false);
    const saved = HEAD + AI_FN;
    f.closeWith(saved, [runOf(saved, AI_FN, f.ai)]);
    assert.strictEqual(f.change(saved), false);
  });
});
