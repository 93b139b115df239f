#!/usr/bin/env node
// Runs the in-host test suite (out/test/integration/index.js) with @vscode/test-electron, which
// downloads VS Code desktop from Microsoft's update servers. Where that download is not possible
// use `npm run test:integration` (the same suite in a prepared VS Code server + Chromium).
//
// Usage: node test/host/run-electron.js [--version stable|insiders|1.139.1]
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

async function main() {
  const args = process.argv.slice(2);
  const vi = args.indexOf('--version');
  const version = vi >= 0 ? args[vi + 1] : process.env.AI_PROVENANCE_VSCODE_VERSION || '1.139.1';
  execFileSync(process.execPath, ['esbuild.js', '--tests'], { cwd: REPO_ROOT, stdio: 'inherit' });

  const { runTests } = require('@vscode/test-electron');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-provenance-electron-'));
  const workspace = path.join(work, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'README.md'), '# Test workspace\n');
  for (const a of [['init', '-q'], ['config', 'user.name', 'AI Provenance Tests'], ['config', 'user.email', 'tests@ai-provenance.invalid'], ['add', '.'], ['commit', '-q', '-m', 'Initial commit']]) {
    execFileSync('git', a, { cwd: workspace, stdio: 'ignore' });
  }
  const resultsFile = path.join(work, 'results.json');
  let exitCode;
  try {
    exitCode = await runTests({
      version,
      // Desktop VS Code loads several extensions under development: ours and the fixture AI.
      extensionDevelopmentPath: [REPO_ROOT, path.join(REPO_ROOT, 'test', 'fixtures', 'ai-fixture')],
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js'),
      extensionTestsEnv: { AI_PROVENANCE_TEST_RESULTS: resultsFile, AI_PROVENANCE_TEST_HOST: 'unknown' },
      launchArgs: [workspace, '--disable-workspace-trust', '--skip-welcome', '--user-data-dir', path.join(work, 'user-data')],
    });
  } catch (err) {
    const msg = err && err.message ? err.message : String(err);
    console.error(`test:electron: could not run VS Code ${version} through @vscode/test-electron: ${msg}`);
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|network|download|socket/i.test(msg)) {
      console.error('test:electron: the VS Code download failed; this machine probably cannot reach update.code.visualstudio.com.');
      console.error('test:electron: run the same suite with `npm run test:integration` (prepared VS Code server + Chromium) instead.');
    }
    process.exitCode = 1;
    return;
  } finally {
    const r = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : undefined;
    if (r) console.log(`test:electron: ${r.passed} passed, ${r.failed} failed`);
    fs.rmSync(work, { recursive: true, force: true });
  }
  process.exitCode = exitCode;
}

main().catch((err) => {
  console.error(`test:electron: ${err && err.stack ? err.stack : err}`);
  process.exitCode = 1;
});
