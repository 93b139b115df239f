import * as assert from 'assert';
import { parseBlamePorcelain, unquote } from '../../../../src/core/blame/porcelain';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

describe('blame porcelain', () => {
  it('keeps each commit\'s path for later groups and takes a repeated filename when git gives one', () => {
    const out = [
      `${A} 3 1 1`,
      'author Ada',
      'summary first',
      'boundary',
      'filename old/a.ts',
      '\tone',
      `${B} 1 2 1`,
      'author Bob',
      'summary second',
      'filename b.ts',
      '\ttwo',
      `${A} 4 3 1`,
      '\tthree',
      `${A} 9 4 1`,
      'filename "other\\tname.ts"',
      '\tfour',
      '',
    ].join('\n');
    const r = parseBlamePorcelain(out);
    assert.deepStrictEqual(
      r.lines.map((l) => [l.finalLine, l.sha[0], l.origLine, l.origPath, l.content]),
      [
        [1, 'a', 3, 'old/a.ts', 'one'],
        [2, 'b', 1, 'b.ts', 'two'],
        [3, 'a', 4, 'old/a.ts', 'three'],
        [4, 'a', 9, 'other\tname.ts', 'four'],
      ],
    );
    assert.strictEqual(r.commits.get(A)!.boundary, true);
    assert.strictEqual(r.commits.get(B)!.boundary, false);
    assert.deepStrictEqual(r.commits.get(B)!.details, [['author', 'Bob'], ['summary', 'second']]);
  });

  it('reads content that looks like a header as content', () => {
    const r = parseBlamePorcelain(`${A} 1 1 1\nfilename x\n\t${B} 1 1 1\n`);
    assert.strictEqual(r.lines[0].content, `${B} 1 1 1`);
  });

  it('decodes C-quoted names with octal bytes', () => {
    assert.strictEqual(unquote('"caf\\303\\251.ts"'), 'café.ts');
    assert.strictEqual(unquote('plain.ts'), 'plain.ts');
  });

  it('refuses output it does not understand', () => {
    assert.throws(() => parseBlamePorcelain('fatal: nope\n'), /unexpected line/);
    assert.throws(() => parseBlamePorcelain(`${A} 1 1 1\nauthor x\n`), /ends inside/);
  });
});
