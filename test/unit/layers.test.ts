import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { LayerException, checkLayers, readSourceTree } from './layers';

/**
 * The layering rules of src (README, Design): checked over the source tree as it is on disk, so a
 * forbidden import, a second place that starts git or an oversized file fails here, not in review.
 */

const SRC = path.resolve(__dirname, '../../../src');

/**
 * Breaches that exist today and are scheduled to go (each names the work that removes it). The
 * list only shrinks: a breach not listed fails, and so does a listed one that no longer occurs.
 */
const KNOWN: readonly LayerException[] = [];

describe('layers of src', function () {
  const tree = readSourceTree(SRC);

  it('reads the whole source tree', () => {
    assert.ok(tree.size > 50, `only ${tree.size} files read from ${SRC}`);
    assert.ok(tree.has('extension.ts') && tree.has('core/provenance/provenanceStore.ts') && tree.has('git/git.ts'));
  });

  it('has no import from a lower layer to a higher one, one place that starts git, no file over 400 lines', () => {
    const found = checkLayers(tree);
    const key = (b: { file: string; rule: string; target?: string }) => `${b.rule} ${b.file}${b.target ? ` -> ${b.target}` : ''}`;
    const known = new Set(KNOWN.map(key));
    const unexpected = found.filter((b) => !known.has(key(b)));
    assert.deepStrictEqual(unexpected.map((b) => `${key(b)}: ${b.message}`), [], 'layering rules broken');
    const stale = KNOWN.filter((k) => !found.some((b) => key(b) === key(k)));
    assert.deepStrictEqual(stale.map(key), [], 'these known exceptions are gone: remove them from KNOWN');
  });

  it('checks each rule (a breach of each kind is found in a made-up tree)', () => {
    const made = new Map<string, string>([
      ['core/a.ts', "import { b } from '../git/b';\nimport * as cp from 'child_process';\nimport * as vscode from 'vscode';\n"],
      ['git/b.ts', "import { c } from '../commit/c';\nexport const b = 1;\n"],
      ['git/git.ts', "import { spawn } from 'child_process';\n"],
      ['commit/c.ts', "export const c = 1;\n" + 'x\n'.repeat(400)],
      ['views/v.ts', "import { main } from '../cli/main';\n"],
      ['cli/main.ts', "import { v } from '../views/v';\nimport { x } from '../capture/x';\n"],
      ['capture/x.ts', "import * as vscode from 'vscode';\nexport const x = 1;\n"],
      ['governance/g.ts', "const d = await import('../commit/c');\n"],
      ['checkpoint/k.ts', "import { e } from '../extension';\n"],
      ['extension.ts', "import * as vscode from 'vscode';\n"],
    ]);
    const found = checkLayers(made).map((b) => `${b.rule} ${b.file}${b.target ? ` -> ${b.target}` : ''}`);
    assert.deepStrictEqual(found.sort(), [
      'child_process core/a.ts',
      'import checkpoint/k.ts -> extension.ts',
      'import cli/main.ts -> capture/x.ts',
      'import cli/main.ts -> views/v.ts',
      'import core/a.ts -> git/b.ts',
      'import git/b.ts -> commit/c.ts',
      'import governance/g.ts -> commit/c.ts',
      'import views/v.ts -> cli/main.ts',
      'size commit/c.ts',
      'vscode cli/main.ts -> capture/x.ts',
      'vscode core/a.ts',
    ]);
  });

  it('reads every file of src (none is skipped by the reader)', () => {
    const onDisk: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (e.name.endsWith('.ts')) onDisk.push(path.relative(SRC, path.join(dir, e.name)).split(path.sep).join('/'));
      }
    };
    walk(SRC);
    assert.deepStrictEqual([...tree.keys()].sort(), onDisk.sort());
  });
});
