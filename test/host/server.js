// Starts and stops the real VS Code hosts prepared by test/host/prepare.sh.
//
//   startVsCodeServer  VS Code's own server (lib/vscode/out/server-main.js): extension host +
//                      web workbench; used for the in-host test suite (extensionTestsPath).
//   startCodeServer    code-server's wrapper (out/node/entry.js), as a user runs it; used by e2e
//                      with extensions installed from .vsix files.
//
// Host variants: `proposed` (code-server as shipped: proposed APIs enabled for every extension),
// `stock` (a copy whose workbench has that switch off, like VS Code Stable), both VS Code 1.139,
// and `oldest` (VS Code 1.90, the lowest `engines.vscode` we support, which has no edit-source
// reason at all). `--host both` means the two 1.139 hosts, `--host all` adds the oldest.
// Every server runs in its own process group with fresh temporary data directories; the
// group is killed on stop(), on a start timeout, and when this process exits or gets a signal.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const NODE_VERSION = '24.11.1';
const CODE_SERVER_VERSION = '4.139.1';
const OLDEST_NODE_VERSION = '20.20.2';
const OLDEST_CODE_SERVER_VERSION = '4.90.3';
const VARIANTS = ['proposed', 'stock', 'oldest'];
/** `--host` values that name several variants. */
const HOST_SETS = { both: ['proposed', 'stock'], all: VARIANTS };

/** The variants a `--host` value names; throws on an unknown value. */
function variantsFor(host) {
  if (HOST_SETS[host]) return HOST_SETS[host];
  if (VARIANTS.includes(host)) return [host];
  throw new Error(`--host must be ${[...VARIANTS, ...Object.keys(HOST_SETS)].join(', ')} (got ${host})`);
}

function cacheDir() {
  return process.env.AI_PROVENANCE_HOST_CACHE || path.join(os.homedir(), '.cache', 'ai-provenance-host');
}

/** Paths of the prepared host for `variant`; throws when it was not prepared. */
function hostPaths(variant) {
  if (!VARIANTS.includes(variant)) throw new Error(`unknown host variant "${variant}" (expected ${VARIANTS.join(' or ')})`);
  const cache = cacheDir();
  const oldest = variant === 'oldest';
  const node = path.join(cache, `node-v${oldest ? OLDEST_NODE_VERSION : NODE_VERSION}`, 'bin', 'node');
  const root = path.join(cache, oldest ? `code-server-${OLDEST_CODE_SERVER_VERSION}` : `code-server-${CODE_SERVER_VERSION}${variant === 'stock' ? '-stock' : ''}`);
  const serverMain = path.join(root, 'lib', 'vscode', 'out', 'server-main.js');
  const entry = path.join(root, 'out', 'node', 'entry.js');
  for (const p of [node, serverMain, entry]) {
    if (!fs.existsSync(p)) throw new Error(`host not prepared: ${p} is missing; run test/host/prepare.sh`);
  }
  return { cache, node, root, serverMain, entry };
}

/** Runs test/host/prepare.sh (a no-op when done before); throws when it fails. */
function prepareHosts({ quiet = false } = {}) {
  const r = spawnSync('bash', [path.join(__dirname, 'prepare.sh')], { stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`test/host/prepare.sh failed (exit ${r.status})${quiet && r.stderr ? `:\n${r.stderr.slice(-4000)}` : ''}`);
  }
}

// ------------------------------------------------------------------ process tracking

const live = new Set(); // { pid, name }
const tempDirs = new Set();

/** Registers a temporary directory to delete when this process exits (also on a signal). */
function trackTemp(dir) {
  installExitHandlers();
  tempDirs.add(dir);
  return dir;
}

/** Deletes a tracked temporary directory now. */
function removeTemp(dir) {
  tempDirs.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return alive(pid);
  }
}

let handlersInstalled = false;
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const p of live) killGroup(p.pid, 'SIGKILL');
    for (const d of tempDirs) {
      try {
        fs.rmSync(d, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(sig, () => {
      for (const p of live) killGroup(p.pid, 'SIGKILL');
      process.exit(128 + (os.constants.signals[sig] || 1));
    });
  }
}

/** Spawns `cmd` in its own process group and tracks it until it exits. */
function spawnTracked(name, cmd, args, options) {
  installExitHandlers();
  const child = spawn(cmd, args, { ...options, detached: true });
  const rec = { pid: child.pid, name };
  live.add(rec);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(rec);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      live.delete(rec);
      resolve({ code: null, signal: null, error: err });
    });
  });
  return child;
}

/** Stops the process group of `child`: SIGTERM, then SIGKILL after `graceMs`. */
async function stopTracked(child, graceMs = 3000) {
  if (!child || !child.pid) return;
  const pid = child.pid;
  if (!groupAlive(pid)) return;
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupAlive(pid)) await sleep(100);
  if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
  const deadline2 = Date.now() + 2000;
  while (Date.now() < deadline2 && groupAlive(pid)) await sleep(50);
}

// ------------------------------------------------------------------ utilities

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

/** Default settings for a test host: no trust prompt, no welcome page, no telemetry. */
const DEFAULT_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'workbench.enableExperiments': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'git.openRepositoryInParentFolders': 'always',
  // No word-suggestion list while a test types: when it opens, VS Code shows the fixture's inline
  // completion only if it agrees with the list's selected word, so the ghost text a test waits
  // for may never come (seen now and then in the Tab scenario).
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.wordBasedSuggestions': 'off',
};

/**
 * Copies an unpacked extension folder into `extensionsDir` under the name the host gives
 * installed extensions (`publisher.name-version`). Done before the server starts, the server
 * registers it when it first initializes the (empty) extensions folder.
 */
function copyExtensionFolder(src, extensionsDir, variant) {
  const pkg = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8'));
  const dest = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  fs.cpSync(src, dest, { recursive: true, filter: (f) => !f.includes(`${path.sep}node_modules${path.sep}`) });
  if (variant === 'oldest' && `${pkg.publisher}.${pkg.name}` === FIXTURE_ID) {
    fs.writeFileSync(path.join(dest, 'package.json'), JSON.stringify(asDefaultChatParticipant(pkg), null, 2));
  }
  return dest;
}

const FIXTURE_ID = 'ai-provenance-tests.ai-fixture';

/**
 * The fixture AI as the default chat participant, for the VS Code 1.90 host. VS Code 1.90 creates
 * its Chat view only for a contributed participant with `isDefault` (code of 1.90.2's
 * chatParticipantContributions), which needs the proposed API `defaultChatParticipant`; VS Code
 * Stable grants that only to the extensions its product configuration names (Copilot Chat), so a
 * Stable 1.90 user has chat exactly when such an extension is installed. Without one,
 * `workbench.action.chat.open` finds no view and no request reaches any participant. The 1.90
 * host keeps the proposals an extension declares (code-server enables them for every extension),
 * so declaring it here makes the fixture what Copilot Chat is there. 1.139 has its Chat view
 * without it and (stock) refuses an `isDefault` participant of an extension not granted the
 * proposal altogether, so the fixture's own package.json does not have it.
 */
function asDefaultChatParticipant(pkg) {
  const participants = pkg.contributes.chatParticipants.map((p, i) => (i === 0 ? { ...p, isDefault: true } : p));
  const proposals = [...new Set([...(pkg.enabledApiProposals || []), 'defaultChatParticipant'])];
  return { ...pkg, enabledApiProposals: proposals, contributes: { ...pkg.contributes, chatParticipants: participants } };
}

/** Creates fresh user-data, server-data and extensions directories with `settings` written. */
function makeDataDirs(label, settings) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `ai-provenance-${label}-`));
  trackTemp(base);
  const dirs = {
    base,
    userData: path.join(base, 'user-data'),
    serverData: path.join(base, 'server-data'),
    extensions: path.join(base, 'extensions'),
  };
  const json = JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2);
  // The user settings (code-server keeps them under the user-data dir) and the remote machine
  // settings of the VS Code server.
  for (const dir of [path.join(dirs.userData, 'User'), path.join(dirs.serverData, 'data', 'Machine'), path.join(dirs.userData, 'data', 'Machine')]) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'settings.json'), json);
  }
  fs.mkdirSync(dirs.extensions, { recursive: true });
  return dirs;
}

async function waitForHttp(url, child, timeoutMs, output) {
  const deadline = Date.now() + timeoutMs;
  let exited = null;
  child.exited.then((e) => (exited = e));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`server exited before it was ready (code ${exited.code}, signal ${exited.signal})\n${output()}`);
    const status = await httpStatus(url);
    if (status >= 200 && status < 400) return;
    await sleep(250);
  }
  throw new Error(`server did not answer at ${url} within ${timeoutMs} ms\n${output()}`);
}

function collectOutput(child, logFile, echo) {
  const chunks = [];
  let size = 0;
  const logStream = logFile ? fs.createWriteStream(logFile) : null;
  const onData = (d) => {
    chunks.push(d);
    size += d.length;
    while (size > 200000 && chunks.length > 1) size -= chunks.shift().length;
    if (logStream) logStream.write(d);
    if (echo) process.stderr.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.exited.then(() => logStream && logStream.end());
  return () => Buffer.concat(chunks).toString('utf8').slice(-6000);
}

function makeHandle(kind, variant, child, port, dirs, output, keepData) {
  let stopped = false;
  return {
    kind,
    variant,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    dirs,
    output,
    exited: child.exited,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopTracked(child);
      if (keepData) tempDirs.delete(dirs.base);
      else removeTemp(dirs.base);
    },
  };
}

/**
 * Starts VS Code's own server for `variant`. `env` is added to the server's environment and so
 * reaches the extension host. `extensionFolders` (unpacked extensions) are installed by copying
 * them into the fresh extensions folder: with several `extensionDevelopmentPath` entries in
 * the payload only the last one was loaded (1.139.1), so extra extensions cannot come that way. Resolves when the workbench page answers; returns a handle with
 * `url`, `port`, `pid`, `dirs`, `stop()`.
 */
async function startVsCodeServer({ variant, env = {}, settings = {}, extensionFolders = [], timeoutMs = 60000, logFile, echo = false, keepData = false } = {}) {
  const paths = hostPaths(variant);
  const dirs = makeDataDirs(`vscode-${variant}`, settings);
  for (const folder of extensionFolders) copyExtensionFolder(folder, dirs.extensions, variant);
  const port = await freePort();
  const args = [
    paths.serverMain,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--without-connection-token',
    '--accept-server-license-terms',
    '--telemetry-level', 'off',
    '--enable-smoke-test-driver',
    '--disable-workspace-trust',
    '--server-data-dir', dirs.serverData,
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
  ];
  const child = spawnTracked(`vscode-server:${variant}`, paths.node, args, {
    cwd: dirs.base,
    env: { ...process.env, ...env, VSCODE_CLI: undefined, ELECTRON_RUN_AS_NODE: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child, logFile, echo);
  const handle = makeHandle('vscode-server', variant, child, port, dirs, output, keepData);
  try {
    await waitForHttp(`${handle.url}/`, child, timeoutMs, output);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

/** Installs a .vsix into `extensionsDir` with code-server's CLI. */
function installVsix(variant, vsix, dirs) {
  const paths = hostPaths(variant);
  const r = spawnSync(paths.node, [paths.entry, '--install-extension', vsix, '--force', '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData], {
    encoding: 'utf8',
    timeout: 120000,
    env: { ...process.env, VSCODE_CLI: undefined },
  });
  if (r.status !== 0) {
    throw new Error(`installing ${vsix} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${(r.stdout || '') + (r.stderr || '')}`);
  }
  return (r.stdout || '') + (r.stderr || '');
}

/**
 * Starts code-server for `variant` on `workspace`, after copying in `extensionFolders` and
 * installing each of `vsixFiles`.
 * Resolves when it answers; returns the same kind of handle as startVsCodeServer.
 */
async function startCodeServer({ variant, workspace, vsixFiles = [], extensionFolders = [], env = {}, settings = {}, timeoutMs = 60000, logFile, echo = false, keepData = false } = {}) {
  const paths = hostPaths(variant);
  const dirs = makeDataDirs(`code-server-${variant}`, settings);
  try {
    // Folders first: the first install registers what the extensions folder already holds.
    for (const folder of extensionFolders) copyExtensionFolder(folder, dirs.extensions, variant);
    for (const vsix of vsixFiles) installVsix(variant, vsix, dirs);
  } catch (err) {
    if (keepData) tempDirs.delete(dirs.base);
    else removeTemp(dirs.base);
    throw err;
  }
  const port = await freePort();
  const args = [
    paths.entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', dirs.userData,
    '--extensions-dir', dirs.extensions,
    workspace,
  ];
  const child = spawnTracked(`code-server:${variant}`, paths.node, args, {
    cwd: dirs.base,
    env: { ...process.env, ...env, VSCODE_CLI: undefined, PASSWORD: undefined, HASHED_PASSWORD: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child, logFile, echo);
  const handle = makeHandle('code-server', variant, child, port, dirs, output, keepData);
  try {
    await waitForHttp(`${handle.url}/healthz`, child, timeoutMs, output);
  } catch (err) {
    await handle.stop();
    throw err;
  }
  return handle;
}

/** Launch options for Debian's Chromium driven by playwright-core. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

async function launchChromium() {
  const { chromium } = require('playwright-core');
  const executablePath = process.env.AI_PROVENANCE_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}; run test/host/prepare.sh`);
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Ends a host runner: prints `<label>: N passed, N failed` over the per-host summaries (a host run
 * that did not complete is named), writes them to `summaryFile` when given, sets the exit code.
 */
function reportSummaries(label, summaries, summaryFile) {
  const passed = summaries.reduce((n, s) => n + s.passed, 0);
  const failed = summaries.reduce((n, s) => n + s.failed, 0);
  const errors = summaries.filter((s) => s.error).length;
  if (summaryFile) fs.writeFileSync(summaryFile, JSON.stringify(summaries, null, 2));
  console.log(`${label}: ${passed} passed, ${failed} failed${errors ? `, ${errors} host run(s) did not complete` : ''}`);
  process.exitCode = failed > 0 || errors > 0 ? 1 : 0;
}

/** Runs a runner's async main; an error it throws is printed under `label` and fails the run. */
function runMain(label, main) {
  main().catch((err) => {
    console.error(`${label}: ERROR ${err && err.stack ? err.stack : err}`);
    process.exitCode = 1;
  });
}

module.exports = {
  REPO_ROOT,
  reportSummaries,
  runMain,
  VARIANTS,
  HOST_SETS,
  variantsFor,
  cacheDir,
  hostPaths,
  prepareHosts,
  startVsCodeServer,
  startCodeServer,
  installVsix,
  copyExtensionFolder,
  trackTemp,
  removeTemp,
  launchChromium,
  freePort,
  sleep,
  stopTracked,
  liveProcesses: () => [...live],
};
