#!/usr/bin/env node
// The single test command (`npm test`): unit tests, then the real VS Code hosts (prepared once
// into a cache outside the repository), the in-host integration suite on both hosts and the
// end-to-end tests in code-server on all hosts: VS Code 1.139 stock and proposed, and the
// oldest supported VS Code (1.90).
//
// Usage: node test/run-all.js [--unit] [--host stock|proposed|oldest|both|all]
//   --unit   only the unit tests
//   --host   restrict integration and e2e to some host variants (both: the two 1.139 hosts;
//            default all)
// Prints per-suite results and, last, a line "N passed, N failed". A suite that cannot run
// (or does not complete) counts as one failure. Exit code 0 only when nothing failed.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const opts = { unitOnly: false, host: 'all' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--unit') opts.unitOnly = true;
    else if (a === '--host') opts.host = argv[++i];
    else if (a.startsWith('--host=')) opts.host = a.slice(7);
    else throw new Error(`unknown argument ${a} (use --unit, --host stock|proposed|oldest|both|all)`);
  }
  if (!['all', 'both', 'stock', 'proposed', 'oldest'].includes(opts.host)) throw new Error(`--host must be stock, proposed, oldest, both or all (got ${opts.host})`);
  return opts;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-provenance-run-all-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function banner(text) {
  console.log(`\n=== ${text} ${'='.repeat(Math.max(3, 70 - text.length))}`);
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) return { status: null, error: r.error.message };
  return { status: r.status, signal: r.signal };
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const results = []; // { name, passed, failed, error }

function unitSuite() {
  banner('unit tests');
  const summary = path.join(tmp, 'unit.json');
  const npmCli = fs.realpathSync(spawnSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim());
  // `npm run test:unit` with a reporter that also writes the counts.
  const r = run(process.execPath, [npmCli, 'run', 'test:unit', '--', '--reporter', path.join('test', 'host', 'mocha-summary-reporter.js')], {
    AI_PROVENANCE_SUITE_SUMMARY: summary,
  });
  const s = readJson(summary);
  if (!s) {
    results.push({ name: 'unit', passed: 0, failed: 0, error: `did not run (exit ${r.status}${r.error ? `, ${r.error}` : ''})` });
    return;
  }
  const entry = { name: 'unit', passed: s.passed, failed: s.failed };
  if (r.status !== 0 && s.failed === 0) entry.error = `exit ${r.status} with no failed test`;
  results.push(entry);
}

function prepareSuite() {
  banner('prepare real VS Code hosts (test/host/prepare.sh)');
  const r = run('bash', [path.join('test', 'host', 'prepare.sh')]);
  if (r.status !== 0) {
    results.push({ name: 'host prepare', passed: 0, failed: 0, error: `test/host/prepare.sh failed (exit ${r.status})` });
    return false;
  }
  return true;
}

/** Runs a host runner (integration or e2e) that writes per-variant summaries. */
function hostSuite(label, script, host) {
  const names = { all: 'stock, proposed and oldest hosts', both: 'stock and proposed hosts' };
  banner(`${label} (${names[host] ?? `${host} host`})`);
  const summary = path.join(tmp, `${label}.json`);
  const r = run(process.execPath, [script, '--host', host, '--no-prepare', '--summary', summary]);
  const s = readJson(summary);
  if (!s) {
    results.push({ name: label, passed: 0, failed: 0, error: `did not run (exit ${r.status}${r.error ? `, ${r.error}` : ''})` });
    return;
  }
  for (const v of s) {
    const entry = { name: `${label} [${v.variant}]`, passed: v.passed, failed: v.failed };
    if (v.error) entry.error = v.error;
    results.push(entry);
  }
  if (r.status !== 0 && !s.some((v) => v.failed > 0 || v.error)) {
    results.push({ name: label, passed: 0, failed: 0, error: `exit ${r.status} with no failed test` });
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  unitSuite();
  if (!opts.unitOnly) {
    if (prepareSuite()) {
      hostSuite('integration', path.join('test', 'host', 'run-integration.js'), opts.host);
      hostSuite('e2e', path.join('test', 'e2e', 'run-e2e.js'), opts.host);
    } else {
      for (const label of ['integration', 'e2e']) results.push({ name: label, passed: 0, failed: 0, error: 'not run: hosts could not be prepared' });
    }
  }

  banner('summary');
  let passed = 0;
  let failed = 0;
  for (const r of results) {
    // A suite that could not run or complete counts as one failure.
    const extra = r.error ? 1 : 0;
    passed += r.passed;
    failed += r.failed + extra;
    const status = r.error ? `ERROR: ${r.error}` : r.failed ? 'FAILED' : 'ok';
    console.log(`${r.name.padEnd(24)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(4)} failed  ${status}`);
  }
  console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

try {
  main();
} catch (err) {
  console.error(`run-all: ${err && err.message ? err.message : err}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
}
