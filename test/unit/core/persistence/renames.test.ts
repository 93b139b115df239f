import * as assert from 'assert';
import { parseRenames, renameLayout, renamedFrom } from '../../../../src/core/persistence/renames';
import { findRenameSource } from '../../../../src/persistence/renameDetection';

const AI_CODE = Array.from({ length: 12 }, (_, i) => `export function step${i}(x) {\n  return x * ${i + 2} + ${i};\n}\n`).join('');

describe('renames outside the editor: reading git', () => {
  it('lays the files out with their base names and reads which vanished file git paired', () => {
    const layout = renameLayout([{ rel: 'src/a.js', text: '' }, { rel: 'lib/b.ts', text: '' }], 'src/moved/c.js');
    assert.deepStrictEqual(layout, { old: ['old/0/a.js', 'old/1/b.ts'], added: 'new/c.js' });
    const pairs = parseRenames(['M', 'old/0/x', 'D', 'old/0/a.js', 'R087', 'old/1/b.ts', 'new/c.js', 'C100', 'old/0/a.js', 'new/z']);
    assert.deepStrictEqual(pairs, [{ from: 'old/1/b.ts', to: 'new/c.js', score: 87 }], 'copies and other statuses are not renames');
    assert.strictEqual(renamedFrom(pairs, layout), 1);
    assert.strictEqual(renamedFrom([{ from: '/tmp/d/old/1/b.ts', to: '/tmp/d/new/c.js', score: 90 }], layout), 1, 'a prefix before old/ and new/');
    assert.strictEqual(renamedFrom([{ from: 'old/11/b.ts', to: 'new/c.js', score: 90 }], layout), undefined, 'old/11 is not old/1');
    assert.strictEqual(renamedFrom([{ from: '/tmp/cold/1/b.ts', to: 'new/c.js', score: 90 }], layout), undefined, 'cold/1 is not old/1');
    assert.strictEqual(renamedFrom([{ from: 'old/1/b.ts', to: 'new/other.js', score: 90 }], layout), undefined);
  });

  it("git pairs a file moved as it is, and one moved then edited a little, with the vanished file", async () => {
    const vanished = [
      { rel: 'src/other.js', text: 'const unrelated = true;\n'.repeat(30) },
      { rel: 'src/total.js', text: AI_CODE },
    ];
    assert.strictEqual(await findRenameSource(vanished, 'lib/total.js', AI_CODE), 1);
    const edited = AI_CODE.replace('return x * 3 + 1;', 'return x * 3 + 100; // tuned') + 'export const extra = 1;\n';
    assert.strictEqual(await findRenameSource(vanished, 'lib/renamed.js', edited), 1);
  });

  it('a new file that only resembles a vanished one (below git\'s similarity threshold) is paired with nothing', async () => {
    // Shares a third of its lines with the vanished file: not a rename for git.
    const lines = AI_CODE.split('\n');
    const resembling = lines.map((l, i) => (i % 3 === 0 ? l : `// written by a person, line ${i}`)).join('\n');
    assert.strictEqual(await findRenameSource([{ rel: 'src/total.js', text: AI_CODE }], 'src/new.js', resembling), undefined);
    assert.strictEqual(await findRenameSource([], 'src/new.js', AI_CODE), undefined);
  });
});
