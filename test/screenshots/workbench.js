// Drives a real VS Code (code-server, from test/host) in Chromium the way a person does: with the
// extension installed from its .vsix, keyboard and mouse only. Used by the README screenshots
// (take.js) and the report end-to-end test.
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const server = require('../host/server');

const REPO_ROOT = server.REPO_ROOT;
const FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'ai-fixture');
const FIXTURE_ID = 'ai-provenance-tests.ai-fixture';
const STATUS_ITEM = '[id="ai-provenance.ai-provenance.status"]';
const MOD = process.platform === 'darwin' ? 'Meta' : 'Control';

function vsceBin() {
  return path.join(REPO_ROOT, 'node_modules', '.bin', 'vsce');
}

/** Runs vsce with Node 24 from the prepared host when there is one (vsce 4 asks for Node 22+). */
function vsce(args, cwd) {
  const node24 = path.join(server.cacheDir(), 'node-v24.11.1', 'bin', 'node');
  const node = fs.existsSync(node24) ? node24 : process.execPath;
  const cli = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(node, [fs.existsSync(cli) ? cli : vsceBin(), ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Builds the production bundle and packages the extension and the fixture AI as .vsix files. */
function packageVsix(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const extension = path.join(outDir, 'ai-provenance.vsix');
  vsce(['package', '--no-dependencies', '--out', extension], REPO_ROOT);
  // The fixture is packaged from a copy: vsce writes nothing into the source folder then.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-fixture-'));
  fs.cpSync(FIXTURE_DIR, copy, { recursive: true });
  const fixture = path.join(outDir, 'ai-fixture.vsix');
  vsce(['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', fixture], copy);
  fs.rmSync(copy, { recursive: true, force: true });
  return { extension, fixture };
}

/** A temporary git repository holding `files` ({ relativePath: text }), committed once. */
function makeRepository(label, files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ai-provenance-${label}-`));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const git = (...args) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Ada Example');
  git('config', 'user.email', 'ada@example.com');
  git('config', 'commit.gpgsign', 'false');
  git('add', '.');
  git('commit', '-q', '-m', 'Initial commit');
  return { dir, git };
}

/** Settings for a quiet, predictable workbench. */
const SETTINGS = {
  'workbench.colorTheme': 'Default Dark Modern',
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'editor.minimap.enabled': false,
  'editor.fontSize': 14,
  'editor.hover.delay': 150,
  'editor.inlineSuggest.enabled': true,
  'workbench.activityBar.location': 'default',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': false,
  'window.commandCenter': false,
  'workbench.layoutControl.enabled': false,
  'git.autofetch': false,
  'aiProvenance.capture.inlineProviders': [FIXTURE_ID],
};

/**
 * Starts code-server on `workspace` with the packaged extension and the fixture AI installed,
 * opens it in Chromium and waits for the workbench. Returns { srv, browser, page, close() }.
 */
async function openWorkbench({ workspace, vsix, variant = 'stock', settings = {}, viewport = { width: 1280, height: 800 }, logDir }) {
  const srv = await server.startCodeServer({
    variant,
    workspace,
    vsixFiles: [vsix.extension, vsix.fixture],
    settings: { ...SETTINGS, ...settings },
    logFile: logDir ? path.join(logDir, `code-server-${variant}.log`) : undefined,
  });
  let browser;
  try {
    browser = await server.launchChromium();
    const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
    if (logDir) {
      const log = fs.createWriteStream(path.join(logDir, `browser-console-${variant}.log`));
      page.on('console', (m) => log.write(`[${m.type()}] ${m.text()}\n`));
      page.on('pageerror', (e) => log.write(`[pageerror] ${e.stack || e.message}\n`));
    }
    await page.goto(`${srv.url}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 60000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    await page.locator('.part.statusbar').waitFor({ timeout: 60000 });
    // The explorer has listed the workspace: the window is ready for keyboard input.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60000 });
    return {
      srv,
      browser,
      page,
      async close() {
        await browser.close().catch(() => {});
        await srv.stop();
      },
    };
  } catch (err) {
    if (browser) await browser.close().catch(() => {});
    await srv.stop();
    throw err;
  }
}

/** Runs a command by its palette title (e.g. `AI Provenance: Show Report`). */
async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10000 });
}

/** Opens `relPath` of the workspace with Quick Open and waits until its editor has focus. */
async function openFile(page, relPath) {
  await page.keyboard.press(`${MOD}+P`);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(relPath);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ state: 'visible', timeout: 10000 });
  await page.keyboard.press('Enter');
  const name = path.basename(relPath);
  await page.locator(`.tab.active[aria-label^="${name}"]`).first().waitFor({ timeout: 10000 });
  await page.locator('.editor-instance .monaco-editor.focused').first().waitFor({ timeout: 10000 });
}

/** Moves the cursor to the end of the active editor. */
async function goToEnd(page) {
  await page.keyboard.press(`${MOD}+End`);
}

/**
 * Types `trigger` (a fixture trigger) and accepts the ghost text that follows with Tab, as a
 * person accepts a completion. Resolves once the ghost text is gone (accepted).
 */
async function acceptCompletion(page, trigger) {
  await page.keyboard.type(trigger, { delay: 15 });
  const ghost = page.locator('.monaco-editor.focused .ghost-text-decoration, .monaco-editor.focused .ghost-text').first();
  for (let attempt = 0; ; attempt++) {
    try {
      await ghost.waitFor({ state: 'visible', timeout: 4000 });
      break;
    } catch (err) {
      if (attempt >= 2) throw new Error(`no ghost text after typing ${JSON.stringify(trigger)}`);
      // Ask again, as Alt+\ does.
      await runCommand(page, 'Trigger Inline Suggestion');
    }
  }
  await page.keyboard.press('Tab');
  await ghost.waitFor({ state: 'hidden', timeout: 5000 });
}

/** Saves the active editor. */
async function save(page) {
  await page.keyboard.press(`${MOD}+S`);
  await page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: 10000 }).catch(() => {});
}

/** The report webview's document (the inner frame of the panel's webview). */
function reportFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** Waits until the report shows fresh data (the model posted by the extension, not saved state). */
async function waitForReport(page, timeoutMs = 20000) {
  const frame = reportFrame(page);
  await frame.locator('#app[data-ready="true"]').waitFor({ timeout: timeoutMs });
  return frame;
}

/** Lines (1-based) of the active editor that carry our whole-line decoration. */
async function markedLines(page) {
  return page.evaluate(() => {
    const editor = document.querySelector('.editor-instance .monaco-editor');
    if (!editor) return [];
    const lines = [];
    // Our line decoration is the only whole-line decoration with a left border in these tests.
    for (const overlay of editor.querySelectorAll('.view-overlays > div')) {
      const marked = [...overlay.children].some((c) => {
        const s = getComputedStyle(c);
        return s.borderLeftStyle === 'solid' && parseFloat(s.borderLeftWidth) >= 2 && c.className.includes('ced-');
      });
      if (!marked) continue;
      const top = parseFloat(overlay.style.top);
      lines.push(top);
    }
    // Overlay rows are positioned by pixel; map them to line numbers through the gutter.
    const numbers = [...editor.querySelectorAll('.margin-view-overlays > div')].map((d) => ({ top: parseFloat(d.style.top), n: Number(d.textContent.trim()) }));
    return lines
      .map((top) => numbers.find((x) => x.top === top))
      .filter((x) => x && x.n)
      .map((x) => x.n)
      .sort((a, b) => a - b);
  });
}

module.exports = {
  REPO_ROOT,
  FIXTURE_ID,
  STATUS_ITEM,
  MOD,
  packageVsix,
  makeRepository,
  openWorkbench,
  runCommand,
  openFile,
  goToEnd,
  acceptCompletion,
  save,
  reportFrame,
  waitForReport,
  markedLines,
};
