import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { effectivePolicy } from '../../../src/commit/effectivePolicy';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

function repo(policy?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-policy-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  fs.writeFileSync(path.join(dir, 'x'), 'x\n');
  if (policy !== undefined) fs.writeFileSync(path.join(dir, '.ai-provenance.json'), policy);
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

describe('effective policy of a repository', () => {
  it('defaults, then settings, then the committed .ai-provenance.json', async () => {
    const none = await effectivePolicy(repo(), {});
    assert.strictEqual(none.source, 'default');
    assert.strictEqual(none.value.threshold.nonTrivialLines, 3);
    const settings = await effectivePolicy(repo(), { nonTrivialLines: 7, reviewRequired: '' });
    assert.strictEqual(settings.source, 'settings');
    assert.strictEqual(settings.value.threshold.nonTrivialLines, 7);
    assert.strictEqual(settings.value.review.required, null);
    const committed = await effectivePolicy(repo('{"threshold":{"nonTrivialLines":20}}'), { nonTrivialLines: 7, percentOfAddedLines: 50 });
    assert.strictEqual(committed.source, 'repository');
    assert.deepStrictEqual(committed.value.threshold, { nonTrivialLines: 20, percentOfAddedLines: 50 });
    assert.deepStrictEqual(committed.problems, []);
  });

  it('an uncommitted edit of the file does not apply', async () => {
    const dir = repo('{"threshold":{"nonTrivialLines":20}}');
    fs.writeFileSync(path.join(dir, '.ai-provenance.json'), '{"threshold":{"nonTrivialLines":1}}');
    assert.strictEqual((await effectivePolicy(dir, {})).value.threshold.nonTrivialLines, 20);
  });

  it('a bad repository file is reported and the settings apply', async () => {
    const p = await effectivePolicy(repo('{"threshold":{"nonTrivialLines":-1}}'), { percentOfAddedLines: 30 });
    assert.strictEqual(p.source, 'settings');
    assert.deepStrictEqual(p.value.threshold, { nonTrivialLines: 3, percentOfAddedLines: 30 });
    assert.match(p.problems.join('\n'), /\.ai-provenance\.json: threshold\.nonTrivialLines: expected a non-negative integer, got -1/);
    assert.match(p.problems.join('\n'), /is ignored; your settings apply/);
    assert.ok(p.invalidRepositoryText);
  });

  it('bad settings values are reported and ignored', async () => {
    const p = await effectivePolicy(repo(), { nonTrivialLines: 'three', trivialMaxCharacters: 10 });
    assert.strictEqual(p.value.threshold.nonTrivialLines, 3);
    assert.match(p.problems.join('\n'), /threshold\.nonTrivialLines/);
  });
});
