import * as assert from 'assert';
import { FileDiff, PatchReader, parsePatch } from '../../../src/git/patch';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const Z = '0'.repeat(40);

/** Added spans ([start, count]) by blob pair; a binary pair as 'binary'. */
function parse(patch: string): Record<string, Array<[number, number]> | 'binary'> {
  const out: Record<string, Array<[number, number]> | 'binary'> = {};
  for (const [k, d] of parsePatch(Buffer.from(patch, 'utf8'))) out[k] = d.binary ? 'binary' : d.added.map((s) => [s.start, s.count]);
  return out;
}

describe('git patch: binary and added lines per blob pair', () => {
  it('reads -U0 hunks: additions, replacements, deletions, a missing newline at the end', () => {
    const patch = [
      'diff --git a/f b/f',
      'old mode 100644',
      'new mode 100755',
      `index ${A}..${B}`,
      '--- a/f',
      '+++ b/f',
      '@@ -2 +2 @@ a',
      '-b',
      '+B',
      '@@ -3,0 +4,2 @@ c',
      '+d',
      '+e',
      '\\ No newline at end of file',
      '@@ -9,2 +10,0 @@',
      '-gone',
      '-gone too',
      `diff --git a/new file b/new file`,
      'new file mode 100644',
      `index ${Z}..${C}`,
      '--- /dev/null',
      '+++ b/new file',
      '@@ -0,0 +1,3 @@',
      '+--- not a header',
      '++++ nor this',
      '+diff --git x y',
      '',
    ].join('\n');
    assert.deepStrictEqual(parse(patch), { [`${A}..${B}`]: [[1, 1], [3, 2]], [`${Z}..${C}`]: [[0, 3]] });
  });

  it('follows context lines (any -U, interhunk context, suppressed blank context lines)', () => {
    const patch = [
      'diff --git f f',
      `index ${A}..${B} 100644`,
      '--- f',
      '+++ f',
      '@@ -1,6 +1,7 @@ fn',
      ' one',
      '-two',
      '+TWO',
      '',
      ' four',
      '+inserted',
      '+inserted too',
      ' five',
      '',
    ].join('\n');
    assert.deepStrictEqual(parse(patch), { [`${A}..${B}`]: [[1, 1], [4, 2]] });
  });

  it('binary files, renames and mode changes without content, unmerged paths: no hunks', () => {
    const patch = [
      'diff --git a/img b/img',
      `index ${A}..${B} 100644`,
      'Binary files a/img and b/img differ',
      'diff --git a/old b/new',
      'similarity index 100%',
      'rename from old',
      'rename to new',
      '* Unmerged path conflicted',
      'diff --git a/x b/x',
      'old mode 100644',
      'new mode 100755',
      '',
    ].join('\n');
    assert.deepStrictEqual(parse(patch), { [`${A}..${B}`]: 'binary' });
  });

  it('the same blob pair at two paths is read once; an emptied file has no added lines', () => {
    const file = (p: string): string[] => [`diff --git a/${p} b/${p}`, `index ${A}..${B}`, `--- a/${p}`, `+++ b/${p}`, '@@ -1 +1 @@', '-x', '+y'];
    const emptied = ['diff --git a/e b/e', `index ${C}..${Z.slice(0, 33)}e69de29`, '--- a/e', '+++ b/e', '@@ -1 +0,0 @@', '-gone'];
    const patch = [...file('p'), ...file('q'), ...emptied, ''].join('\n');
    assert.deepStrictEqual(parse(patch), { [`${A}..${B}`]: [[0, 1]], [`${C}..${Z.slice(0, 33)}e69de29`]: [] });
  });

  it('does not decode: lines that are not UTF-8 still count', () => {
    const bytes = Buffer.concat([
      Buffer.from(`diff --git a/l b/l\nindex ${A}..${B}\n--- a/l\n+++ b/l\n@@ -0,0 +1,2 @@\n+caf`),
      Buffer.from([0xe9, 0x0a]),
      Buffer.from('+second\n'),
    ]);
    assert.deepStrictEqual(
      [...parsePatch(bytes)],
      [[`${A}..${B}`, { binary: false, added: [{ start: 0, count: 2 }] }]],
    );
  });

  it('read in pieces of any size, gives the same diffs, each file as soon as its part is complete', () => {
    const file = (i: number): string[] => [
      `diff --git a/f${i} b/f${i}`,
      `index ${A.slice(0, 38)}${String(i).padStart(2, '0')}..${B}`,
      `--- a/f${i}`,
      `+++ b/f${i}`,
      `@@ -${i},0 +${i + 1},2 @@`,
      '+one',
      '+two',
      ...(i % 3 === 0 ? ['\\ No newline at end of file'] : []),
    ];
    const text = Array.from({ length: 12 }, (_, i) => file(i)).flat().join('\n');
    const whole = parsePatch(Buffer.from(text));
    assert.strictEqual(whole.size, 12);
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const seen: Array<[string, FileDiff]> = [];
      const reader = new PatchReader((pair, diff) => seen.push([pair, diff]));
      const bytes = Buffer.from(text);
      let complete = 0;
      for (let at = 0; at < bytes.length; at += size) {
        reader.push(bytes.subarray(at, at + size));
        // Every file whose next file's header line has been read whole is reported.
        const read = bytes.subarray(0, Math.min(bytes.length, at + size)).toString();
        complete = (read.match(/\ndiff --git [^\n]*\n/g) ?? []).length;
        assert.ok(seen.length === complete, `piece size ${size}: ${seen.length} reported, ${complete} complete`);
      }
      assert.deepStrictEqual(reader.end(), whole);
      assert.deepStrictEqual(new Map(seen), whole);
      assert.strictEqual(seen.length, 12);
    }
  });
});
