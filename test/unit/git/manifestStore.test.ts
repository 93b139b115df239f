import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildManifest } from '../../../src/core/manifest/build';
import { manifestRepoPath, serializeManifest } from '../../../src/core/manifest/schema';
import { resolvePolicy } from '../../../src/core/policy/policy';
import { stageManifest, unstageManifest } from '../../../src/git/manifestStore';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

const manifest = buildManifest({
  id: '4f1c2d3e-1111-4222-8333-944455566677',
  createdAt: new Date(0).toISOString(),
  generator: { name: 'ai-provenance', version: 'test' },
  base: null,
  policy: resolvePolicy(),
  policySource: 'default',
  files: [],
});

describe('manifest store', () => {
  it('stages the manifest atomically written, waiting for a held index.lock', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-store-'));
    git(dir, 'init', '-q', '-b', 'main');
    const lock = path.join(dir, '.git', 'index.lock');
    fs.writeFileSync(lock, '');
    setTimeout(() => fs.rmSync(lock), 150);
    const rel = await stageManifest(dir, manifest);
    assert.strictEqual(rel, manifestRepoPath(manifest.id));
    assert.strictEqual(git(dir, 'show', `:${rel}`), serializeManifest(manifest));
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, '.ai-provenance')), [`${manifest.id}.json`], 'no temporary file left');
    assert.strictEqual(await unstageManifest(dir, manifest.id), true);
    assert.strictEqual(git(dir, 'ls-files', '--', rel), '');
    assert.ok(!fs.existsSync(path.join(dir, rel)));
  });

  it('never removes a manifest that HEAD contains', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-store-'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'user.email', 'dev@example.com');
    git(dir, 'config', 'user.name', 'Dev');
    const rel = await stageManifest(dir, manifest);
    git(dir, 'commit', '-qm', 'with manifest');
    assert.strictEqual(await unstageManifest(dir, manifest.id), false);
    assert.ok(fs.existsSync(path.join(dir, rel)));
    assert.strictEqual(git(dir, 'ls-files', '--', rel).trim(), rel);
  });
});
