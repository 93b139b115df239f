#!/usr/bin/env node
// Runs the in-host test suite (out/test/integration/**/*.test.js, entry test/integration/index.ts)
// in a real VS Code: VS Code's server from the prepared code-server build, with the workbench
// opened in Chromium. The extension under test and the fixture AI extension are loaded as
// extensions under development; results come back through a JSON file the suite writes.
//
// Usage: node test/host/run-integration.js [--host stock|proposed|oldest|both|all] [--grep RE]
//        [--timeout SECONDS] [--no-build] [--no-prepare] [--summary FILE] [--keep]
//        [--server-env KEY=VALUE]... [--setting KEY=JSON]...
// --server-env sets a variable for VS Code's server (e.g. VSCODE_SKIP_BUILTIN_EXTENSIONS=vscode.git
// leaves the built-in Git extension out); --setting adds a user setting (e.g. git.enabled=false).
// Neither is used by `npm test`.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const server = require('./server');

const REPO_ROOT = server.REPO_ROOT;
const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'ai-fixture');
const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output');

function parseArgs(argv) {
  const opts = { host: 'both', grep: undefined, timeoutSec: 600, build: true, prepare: true, summary: undefined, keep: false, serverEnv: {}, settings: {} };
  const serverEnv = (kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--server-env needs KEY=VALUE (got ${kv})`);
    opts.serverEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
  };
  const setting = (kv) => {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new Error(`--setting needs KEY=JSON (got ${kv})`);
    const raw = kv.slice(eq + 1);
    let value;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    opts.settings[kv.slice(0, eq)] = value;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--host') opts.host = next();
    else if (a.startsWith('--host=')) opts.host = a.slice(7);
    else if (a === '--grep') opts.grep = next();
    else if (a === '--timeout') opts.timeoutSec = Number(next());
    else if (a === '--no-build') opts.build = false;
    else if (a === '--no-prepare') opts.prepare = false;
    else if (a === '--summary') opts.summary = next();
    else if (a === '--keep') opts.keep = true;
    else if (a === '--server-env') serverEnv(next());
    else if (a.startsWith('--server-env=')) serverEnv(a.slice('--server-env='.length));
    else if (a === '--setting') setting(next());
    else if (a.startsWith('--setting=')) setting(a.slice('--setting='.length));
    else throw new Error(`unknown argument ${a}`);
  }
  server.variantsFor(opts.host); // throws on an unknown value
  if (!(opts.timeoutSec > 0)) throw new Error('--timeout must be a positive number of seconds');
  return opts;
}

/**
 * Deletes bundles in out/test/integration whose source test/integration/*.ts is gone, so a
 * removed or renamed test file does not keep running from an old build.
 */
function pruneStaleBundles() {
  const outRoot = path.join(REPO_ROOT, 'out', 'test', 'integration');
  const srcRoot = path.join(REPO_ROOT, 'test', 'integration');
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.js')) {
        const src = path.join(srcRoot, path.relative(outRoot, full)).replace(/\.js$/, '.ts');
        if (!fs.existsSync(src)) {
          fs.rmSync(full, { force: true });
          console.log(`integration: removed stale ${path.relative(REPO_ROOT, full)} (no ${path.relative(REPO_ROOT, src)})`);
        }
      }
    }
  };
  walk(outRoot);
}

function build() {
  // Bundles the extension (dist/) and the test entry points (out/test/...).
  execFileSync(process.execPath, ['esbuild.js', '--tests'], { cwd: REPO_ROOT, stdio: 'inherit' });
  pruneStaleBundles();
  for (const f of ['dist/extension.js', 'out/test/integration/index.js']) {
    if (!fs.existsSync(path.join(REPO_ROOT, f))) throw new Error(`build did not produce ${f}`);
  }
}

/** A temporary git repository with a few files, opened as the workspace folder. */
function makeWorkspace(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ai-provenance-ws-${label}-`));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'README.md'), '# Test workspace\n\nCreated by the AI Provenance test harness.\n');
  fs.writeFileSync(path.join(dir, 'src', 'app.js'), "'use strict';\n\nfunction main() {\n  return 1;\n}\n\nmodule.exports = { main };\n");
  fs.writeFileSync(path.join(dir, 'src', 'notes.txt'), 'first line\nsecond line\n');
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'AI Provenance Tests');
  git('config', 'user.email', 'tests@ai-provenance.invalid');
  git('config', 'commit.gpgsign', 'false');
  git('add', '.');
  git('commit', '-q', '-m', 'Initial commit');
  return dir;
}

function readResults(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function printTest(t, variant) {
  const mark = t.state === 'passed' ? 'ok  ' : t.state === 'pending' ? 'skip' : 'FAIL';
  const ms = t.durationMs !== undefined ? ` (${t.durationMs} ms)` : '';
  console.log(`  ${mark} [${variant}] ${t.fullTitle}${ms}`);
  if (t.state === 'failed' && t.error) {
    const detail = (t.error.stack || t.error.message || '').split('\n').slice(0, 8).join('\n        ');
    console.log(`        ${detail}`);
  }
}

/** Runs the suite on one host variant; returns { variant, passed, failed, pending, error? }. */
async function runVariant(variant, opts) {
  // Logs go to test-output/; the results file is private to this run (runs may overlap).
  const outDir = path.join(OUTPUT_DIR, `integration-${variant}`);
  fs.mkdirSync(outDir, { recursive: true });
  const resultsDir = server.trackTemp(fs.mkdtempSync(path.join(os.tmpdir(), `ai-provenance-results-${variant}-`)));
  const resultsFile = path.join(resultsDir, 'results.json');
  const workspace = makeWorkspace(variant);
  if (!opts.keep) server.trackTemp(workspace);
  const env = {
    ...opts.serverEnv,
    AI_PROVENANCE_TEST_RESULTS: resultsFile,
    AI_PROVENANCE_TEST_HOST: variant,
  };
  if (opts.grep) env.AI_PROVENANCE_TEST_GREP = opts.grep;

  const summary = { suite: `integration:${variant}`, variant, passed: 0, failed: 0, pending: 0, error: undefined };
  let srv;
  let browser;
  const started = Date.now();
  console.log(`integration [${variant}]: starting VS Code server`);
  try {
    // The fixture AI is installed as a regular extension: of several extensionDevelopmentPath
    // entries in the payload only the last is loaded, and that must be the extension under test.
    srv = await server.startVsCodeServer({
      variant,
      env,
      settings: opts.settings,
      extensionFolders: [FIXTURE_DIR],
      logFile: path.join(outDir, 'server.log'),
      keepData: opts.keep,
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${srv.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(REPO_ROOT)],
      ['extensionTestsPath', remote(path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js'))],
    ];
    const url = `${srv.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    browser = await server.launchChromium();
    // VS Code 1.90's web workbench pastes from the browser's clipboard, which needs the permission.
    const permissions = variant === 'oldest' ? ['clipboard-read', 'clipboard-write'] : [];
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, permissions });
    const consoleLog = fs.createWriteStream(path.join(outDir, 'browser-console.log'));
    page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack || e.message}\n`));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    console.log(`integration [${variant}]: workbench opened (server pid ${srv.pid}, port ${srv.port}); waiting for results`);

    const deadline = Date.now() + opts.timeoutSec * 1000;
    let printed = 0;
    let serverExit = null;
    srv.exited.then((e) => (serverExit = e));
    let results;
    for (;;) {
      results = readResults(resultsFile);
      if (results) {
        for (; printed < results.tests.length; printed++) printTest(results.tests[printed], variant);
        if (results.done) break;
      }
      if (serverExit) throw new Error(`VS Code server exited during the run (code ${serverExit.code}, signal ${serverExit.signal})`);
      if (Date.now() > deadline) {
        await page.screenshot({ path: path.join(outDir, 'timeout.png') }).catch(() => {});
        throw new Error(
          results
            ? `timed out after ${opts.timeoutSec} s with the suite still running (${results.tests.length} test(s) reported)`
            : `timed out after ${opts.timeoutSec} s: the suite never started (see ${path.relative(REPO_ROOT, outDir)}/)`,
        );
      }
      await server.sleep(250);
    }
    summary.passed = results.passed;
    summary.failed = results.failed;
    summary.pending = results.pending;
    if (results.fatal) summary.error = `suite could not run: ${results.fatal}`;
    else if (results.tests.length === 0) summary.error = 'suite ran no tests';
  } catch (err) {
    summary.error = err && err.message ? err.message : String(err);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (srv) await srv.stop();
    if (fs.existsSync(resultsFile)) fs.copyFileSync(resultsFile, path.join(outDir, 'results.json'));
    server.removeTemp(resultsDir);
    if (!opts.keep) server.removeTemp(workspace);
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (summary.error) console.log(`integration [${variant}]: ERROR ${summary.error}`);
  console.log(`integration [${variant}]: ${summary.passed} passed, ${summary.failed} failed, ${summary.pending} pending (${secs} s)`);
  return summary;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build) build();
  if (opts.prepare) server.prepareHosts({ quiet: true });
  const variants = server.variantsFor(opts.host);
  const summaries = [];
  for (const v of variants) summaries.push(await runVariant(v, opts));
  server.reportSummaries('integration', summaries, opts.summary);
}

server.runMain('integration', main);
