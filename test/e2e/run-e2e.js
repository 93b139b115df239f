#!/usr/bin/env node
// End-to-end tests as a user runs the extension: code-server (VS Code 1.139 web) with the
// extension installed from the .vsix that `npm run package` builds and the fixture AI installed,
// driven through Chromium with playwright-core. Runs on the host variants (`proposed`: as
// code-server ships; `stock`: proposed APIs off, like VS Code Stable; `oldest`: VS Code 1.90,
// the lowest supported engine, where the .vsix is installed as a user of an old VS Code would).
//
// Usage: node test/e2e/run-e2e.js [--host stock|proposed|oldest|both|all] [--grep RE] [--no-package]
//        [--no-prepare] [--summary FILE] [--keep] [--without-interception] [--no-interception-check]
// Scenarios come from test/e2e/scenarios.js and test/e2e/*.e2e.js. Screenshots of failures go
// to test-output/e2e-<run>/.
//
// Interception check: when the stock (or oldest) host is selected, the scenarios marked
// `needsInterception` (accepting with Tab / Ctrl+Right) run once more on it with a copy of the package
// whose accept keybindings are removed (test/e2e/interception.js). There nothing can recognise
// the accept, so each of them must fail at its recording check (NotRecordedError); the run
// counts one passed test per scenario that does, and a failure for one that passes or fails for
// another reason. `--without-interception` instead runs the whole suite with that copy and
// reports plain results (red on the stock host).
'use strict';
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const server = require('../host/server');
const { waitForWorkbench } = require('./workbench');
const { vsixWithoutInterception } = require('./interception');

/**
 * Scenario modules: scenarios.js and every test/e2e/*.e2e.js, each exporting
 * { scenarios: [{ name, run({ page, variant, workspace }) }], workspaceFiles: { path: content } }.
 */
function loadScenarios() {
  const files = ['scenarios.js', ...fs.readdirSync(__dirname).filter((n) => n.endsWith('.e2e.js')).sort()];
  const scenarios = [];
  const workspaceFiles = {};
  for (const f of files) {
    const mod = require(path.join(__dirname, f));
    if (!Array.isArray(mod.scenarios)) throw new Error(`test/e2e/${f} exports no scenarios array`);
    for (const s of mod.scenarios) scenarios.push({ ...s, file: f });
    Object.assign(workspaceFiles, mod.workspaceFiles || {});
  }
  return { scenarios, workspaceFiles };
}
const { scenarios, workspaceFiles } = loadScenarios();

const REPO_ROOT = server.REPO_ROOT;
const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'ai-fixture');
const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output');
const VSIX = path.join(REPO_ROOT, 'dist', 'ai-provenance.vsix');

function parseArgs(argv) {
  const opts = { host: 'both', grep: undefined, package: true, prepare: true, summary: undefined, keep: false, withoutInterception: false, interceptionCheck: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--host') opts.host = next();
    else if (a.startsWith('--host=')) opts.host = a.slice(7);
    else if (a === '--grep') opts.grep = new RegExp(next());
    else if (a === '--no-package') opts.package = false;
    else if (a === '--no-prepare') opts.prepare = false;
    else if (a === '--summary') opts.summary = next();
    else if (a === '--keep') opts.keep = true;
    else if (a === '--without-interception') opts.withoutInterception = true;
    else if (a === '--no-interception-check') opts.interceptionCheck = false;
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  server.variantsFor(opts.host); // throws on an unknown value
  return opts;
}

/** `npm run package`; @vscode/vsce 4 wants Node >= 22, so on failure retry with the cached Node 24. */
function packageVsix() {
  // The npm on PATH is a link to npm-cli.js; run it with a chosen node.
  const npmCli = fs.realpathSync(execFileSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  fs.rmSync(VSIX, { force: true });
  let r = spawnSync(process.execPath, [npmCli, 'run', 'package'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    const node24 = server.hostPaths('proposed').node;
    console.log(`e2e: npm run package failed with Node ${process.version}; retrying with ${node24}`);
    r = spawnSync(node24, [npmCli, 'run', 'package'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${path.dirname(node24)}:${process.env.PATH}` },
    });
  }
  if (r.status !== 0 || !fs.existsSync(VSIX)) {
    throw new Error(`npm run package failed (exit ${r.status}):\n${(r.stdout || '').slice(-3000)}${(r.stderr || '').slice(-3000)}`);
  }
}

function makeWorkspace(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ai-provenance-e2e-ws-${label}-`));
  for (const [rel, content] of Object.entries(workspaceFiles)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'AI Provenance Tests');
  git('config', 'user.email', 'tests@ai-provenance.invalid');
  git('config', 'commit.gpgsign', 'false');
  git('add', '.');
  git('commit', '-q', '-m', 'Initial commit');
  return dir;
}

/**
 * How one host run treats its scenarios:
 *   normal               the package as built; a scenario passes when it completes;
 *   without-interception the package without its accept keybindings; plain results;
 *   interception-check   the same package, only `needsInterception` scenarios; one passes when
 *                        it fails at its recording check (NotRecordedError), see the top of the file.
 */
async function runVariant(run, opts) {
  const { variant, label, mode, vsix } = run;
  const outDir = path.join(OUTPUT_DIR, `e2e-${label}`);
  fs.mkdirSync(outDir, { recursive: true });
  const summary = { suite: `e2e:${label}`, variant: label, host: variant, mode, passed: 0, failed: 0, pending: 0, error: undefined, tests: [] };
  const selected = scenarios.filter((s) => (!opts.grep || opts.grep.test(s.name)) && (mode !== 'interception-check' || s.needsInterception));
  const workspace = makeWorkspace(label);
  if (!opts.keep) server.trackTemp(workspace);
  const started = Date.now();
  let srv;
  let browser;
  console.log(`e2e [${label}]: starting code-server (${variant} host${mode === 'normal' ? '' : ', package without the accept keybindings'})`);
  try {
    srv = await server.startCodeServer({
      variant,
      workspace,
      vsixFiles: [vsix],
      extensionFolders: [FIXTURE_DIR],
      env: { AI_PROVENANCE_TEST_HOST: variant },
      logFile: path.join(outDir, 'code-server.log'),
      keepData: opts.keep,
    });
    browser = await server.launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const consoleLog = fs.createWriteStream(path.join(outDir, 'browser-console.log'));
    page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack || e.message}\n`));
    await page.goto(`${srv.url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60000 });
    try {
      await waitForWorkbench(page);
    } catch (err) {
      await page.screenshot({ path: path.join(outDir, 'workbench-load-failed.png') }).catch(() => {});
      throw new Error(`workbench did not load: ${err.message}`);
    }
    console.log(`e2e [${label}]: workbench loaded (code-server pid ${srv.pid}, port ${srv.port})`);
    for (const [i, scenario] of selected.entries()) {
      const title =
        mode === 'interception-check'
          ? `without the accept keybindings this must fail to record: ${scenario.name} [host: ${variant}]`
          : `${scenario.name} [host: ${variant}${mode === 'without-interception' ? ', without the accept keybindings' : ''}]`;
      const t0 = Date.now();
      let outcome;
      try {
        outcome = { detail: await scenario.run({ page, variant, workspace }) };
      } catch (err) {
        outcome = { err };
      }
      if (mode === 'interception-check') {
        if (outcome.err && outcome.err.notRecorded) {
          outcome = { detail: `failed as expected: ${outcome.err.message.split('\n')[0]}` };
        } else if (outcome.err) {
          const e = new Error(`failed before its recording check, so this proves nothing about the keybindings: ${outcome.err.message}`);
          e.stack = `${e.message}\n${String(outcome.err.stack || '').split('\n').slice(1).join('\n')}`;
          outcome = { err: e };
        } else {
          outcome = { err: new Error(`passed although the package has no accept keybindings: the ${variant} host recorded the accept some other way (${outcome.detail || 'no detail'})`) };
        }
      }
      const ms = Date.now() - t0;
      if (!outcome.err) {
        summary.passed++;
        summary.tests.push({ title, state: 'passed' });
        console.log(`  ok   [${label}] ${title} (${ms} ms)${outcome.detail ? ` - ${outcome.detail}` : ''}`);
      } else {
        const err = outcome.err;
        summary.failed++;
        const shot = path.join(outDir, `failure-${i + 1}.png`);
        await page.screenshot({ path: shot }).catch(() => {});
        summary.tests.push({ title, state: 'failed', error: err.message });
        console.log(`  FAIL [${label}] ${title} (${ms} ms)`);
        console.log(`        ${String(err.stack || err.message).split('\n').slice(0, 6).join('\n        ')}`);
        console.log(`        screenshot: ${path.relative(REPO_ROOT, shot)}`);
      }
      // Next scenario starts without open editors.
      await page.keyboard.press('Escape').catch(() => {});
    }
  } catch (err) {
    summary.error = err && err.message ? err.message : String(err);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (srv) await srv.stop();
    if (!opts.keep) server.removeTemp(workspace);
  }
  if (!summary.error && selected.length === 0) summary.error = 'no scenario matched';
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (summary.error) console.log(`e2e [${label}]: ERROR ${summary.error}`);
  console.log(`e2e [${label}]: ${summary.passed} passed, ${summary.failed} failed (${secs} s)`);
  return summary;
}

const HELP = `Usage: node test/e2e/run-e2e.js [options]
  --host stock|proposed|oldest|both|all
                              host variant(s) to run on (default both: the two 1.139 hosts;
                              all adds the oldest supported host, VS Code 1.90)
  --grep RE                   only scenarios whose name matches RE
  --no-package                use dist/ai-provenance.vsix as it is (no npm run package)
  --no-prepare                do not run test/host/prepare.sh first
  --summary FILE              write per-run results as JSON
  --keep                      keep the workspaces and server data directories
  --without-interception      run the suite with a copy of the package whose accept
                              keybindings (Tab, Ctrl+Right -> aiProvenance.acceptInlineSuggestion*)
                              are removed; on the stock host the accept scenarios fail
  --no-interception-check     skip the check that, on the stock and oldest hosts without those
                              keybindings, the accept scenarios fail (run by default on them)`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(HELP);
    return;
  }
  if (opts.prepare) server.prepareHosts({ quiet: true });
  if (opts.package) packageVsix();
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} missing; run npm run package`);
  const variants = server.variantsFor(opts.host);
  // Hosts without an edit-source reason (as VS Code Stable): there only our keybindings can
  // recognise an accept.
  const checkHosts = variants.filter((v) => v === 'stock' || v === 'oldest');
  const check = !opts.withoutInterception && opts.interceptionCheck && checkHosts.length > 0;
  const checkScenarios = scenarios.filter((s) => s.needsInterception && (!opts.grep || opts.grep.test(s.name)));
  let strippedVsix;
  if (opts.withoutInterception || (check && checkScenarios.length)) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-provenance-vsix-no-keybindings-'));
    server.trackTemp(dir);
    strippedVsix = path.join(dir, 'ai-provenance-without-interception.vsix');
    const removed = await vsixWithoutInterception(VSIX, strippedVsix);
    console.log(`e2e: package without the accept keybindings: removed ${removed.join('; ')}`);
  }
  const runs = variants.map((v) =>
    opts.withoutInterception
      ? { variant: v, label: `${v}-without-interception`, mode: 'without-interception', vsix: strippedVsix }
      : { variant: v, label: v, mode: 'normal', vsix: VSIX },
  );
  if (check && checkScenarios.length) {
    for (const v of checkHosts) runs.push({ variant: v, label: `${v}-interception-check`, mode: 'interception-check', vsix: strippedVsix });
  }
  else if (check) console.log('e2e: interception check skipped: no selected scenario needs the accept keybindings');
  const summaries = [];
  for (const r of runs) summaries.push(await runVariant(r, opts));
  server.reportSummaries('e2e', summaries, opts.summary);
}

server.runMain('e2e', main);
