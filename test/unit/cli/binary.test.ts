import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SENIOR, TempRepo, commitPolicy, commitWithProvenance, lines } from './fixture';

/** The bundled command (`npm run test:unit` builds it with the tests). */
const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

/** The launcher's code cache, kept out of the user's cache folder. */
const CODE_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-cli-code-cache-'));

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, AI_PROVENANCE_CODE_CACHE: CODE_CACHE, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dist/cli.js (the bundled command)', function () {
  this.timeout(30000);
  let repo: TempRepo;
  before(() => {
    assert.ok(fs.existsSync(CLI), `${CLI} is built`);
    assert.ok(fs.readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n'), 'has a shebang');
    repo = TempRepo.create();
    commitPolicy(repo);
    commitWithProvenance(repo, {
      subject: 'Reviewed AI change',
      files: { 'a.ts': lines(6) },
      ai: { 'a.ts': [{ start: 1, end: 4 }] },
      extraTrailers: [`Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`],
    });
  });
  after(() => {
    repo.cleanup();
    fs.rmSync(CODE_CACHE, { recursive: true, force: true });
  });

  it('loads the program (dist/cli-main.js) with a code cache per kind of run, and gives the same results with it, without it and with a damaged one', () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-cli-cache-'));
    try {
      const files = (): string[] => fs.readdirSync(cache).sort();
      const plain = run(repo.dir, ['verify', 'HEAD'], { AI_PROVENANCE_CODE_CACHE: 'off' });
      assert.strictEqual(plain.status, 0, plain.stderr);
      assert.deepStrictEqual(files(), []);
      const first = run(repo.dir, ['verify', 'HEAD'], { AI_PROVENANCE_CODE_CACHE: cache });
      assert.deepStrictEqual(first, plain);
      const [name] = files();
      assert.match(name, /^cli-main-verify-.+\.code$/);
      const written = fs.statSync(path.join(cache, name)).mtimeMs;
      const cached = run(repo.dir, ['verify', 'HEAD'], { AI_PROVENANCE_CODE_CACHE: cache });
      assert.deepStrictEqual(cached, plain);
      assert.strictEqual(fs.statSync(path.join(cache, name)).mtimeMs, written, 'a cache that was used is not written again');
      fs.writeFileSync(path.join(cache, name), 'damaged');
      assert.deepStrictEqual(run(repo.dir, ['verify', 'HEAD'], { AI_PROVENANCE_CODE_CACHE: cache }), plain);
      assert.ok(fs.statSync(path.join(cache, name)).size > 1000, 'a damaged cache is written again');
      const help = run(repo.dir, ['--help'], { AI_PROVENANCE_CODE_CACHE: cache });
      assert.strictEqual(help.status, 0);
      assert.deepStrictEqual(files().map((f) => f.replace(/-\d.*$/, '')), ['cli-main-other', 'cli-main-verify']);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('exits 0 on a clean range, 1 on a violation, 2 on usage and repository errors', () => {
    let r = run(repo.dir, ['verify', 'HEAD']);
    assert.strictEqual(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /2 commit\(s\): 2 passed/);

    r = run(repo.dir, ['verify', 'HEAD', '--require-declaration']);
    assert.strictEqual(r.status, 0);

    repo.write('b.ts', 'x\n');
    repo.git(['add', 'b.ts']);
    repo.commit('Undeclared');
    r = run(repo.dir, ['verify', 'HEAD', '--require-declaration', '--format', 'github']);
    assert.strictEqual(r.status, 1);
    assert.match(r.stdout, /^::error title=ai-provenance declaration-missing \([0-9a-f]{12}\)::commit [0-9a-f]{12}: commit declares no AI-Assisted trailer/m);

    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-norepo-'));
    try {
      r = run(outside, ['verify', 'HEAD'], { GIT_CEILING_DIRECTORIES: path.dirname(outside) });
      assert.strictEqual(r.status, 2);
      assert.match(r.stderr, /^ai-provenance verify: not a git repository: /);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
    r = run(repo.dir, ['verify', 'main..nosuch']);
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /bad revision range 'main\.\.nosuch'/);
    r = run(repo.dir, ['verify', 'HEAD'], { AI_PROVENANCE_GIT: path.join(repo.dir, 'no-git-here') });
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /git not found/);
    r = run(repo.dir, ['frobnicate']);
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
    r = run(repo.dir, []);
    assert.strictEqual(r.status, 2);
  });

  it('prints help for the tool and each command', () => {
    const top = run(repo.dir, ['--help']);
    assert.strictEqual(top.status, 0);
    for (const cmd of ['verify', 'stats', 'export']) {
      assert.match(top.stdout, new RegExp(`^  ${cmd} +\\S`, 'm'));
      const h = run(repo.dir, [cmd, '--help']);
      assert.strictEqual(h.status, 0);
      assert.match(h.stdout, new RegExp(`^Usage: ai-provenance ${cmd} `));
      assert.match(h.stdout, /Exit codes: /);
      assert.strictEqual(run(repo.dir, ['help', cmd]).stdout, h.stdout);
    }
    assert.match(run(repo.dir, ['verify', '--help']).stdout, /--format <f> +table \(default\), json, sarif \(SARIF 2\.1\.0\) or github/);
  });
});
