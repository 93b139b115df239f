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

/** Builds the production bundle and packages the extension as a .vsix in `outDir`. */
function packageVsix(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  execFileSync(process.execPath, ['esbuild.js', '--production'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const extension = path.join(outDir, 'ai-provenance.vsix');
  vsce(['package', '--no-dependencies', '--out', extension], REPO_ROOT);
  return extension;
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
 * Starts code-server on `workspace` with the packaged extension (`vsix`) and the fixture AI installed,
 * opens it in Chromium and waits for the workbench. Returns { srv, browser, page, close() }.
 */
async function openWorkbench({ workspace, vsix, variant = 'stock', settings = {}, viewport = { width: 1280, height: 800 }, logDir }) {
  const srv = await server.startCodeServer({
    variant,
    workspace,
    vsixFiles: [vsix],
    extensionFolders: [FIXTURE_DIR],
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

/** Our status bar item. */
function statusItemLocator(page) {
  return page.locator(STATUS_ITEM).first();
}

/**
 * Runs a command by its palette title (e.g. `AI Provenance: Show Report`). With `opensPicker`
 * the command shows a quick pick of its own, so the palette is not waited away.
 */
async function runCommand(page, title, { opensPicker = false } = {}) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  await page.keyboard.press('Enter');
  if (opensPicker) {
    await page.locator('.quick-input-widget input.input').filter({ hasNot: page.locator('[value^=">"]') }).first().waitFor({ timeout: 10000 });
    await page.waitForFunction(() => {
      const i = document.querySelector('.quick-input-widget input.input');
      return i && !i.value.startsWith('>');
    }, null, { timeout: 10000 });
    return;
  }
  await input.waitFor({ state: 'hidden', timeout: 10000 });
}

/** Opens `relPath` of the workspace with Quick Open and waits until its editor has focus. */
async function openFile(page, relPath) {
  await page.keyboard.press(`${MOD}+P`);
  const input = page.locator('.quick-input-widget input.input');
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

/**
 * Lines (1-based) of the active editor that show our marks: the gutter spark (a glyph-margin
 * element whose background is media/gutter-ai.svg) and, separately, the 2px left border of the
 * whole-line decoration. Only rendered (visible) lines are seen.
 */
async function markedLines(page) {
  return page.evaluate(() => {
    const ed =
      document.querySelector('.editor-group-container.active .editor-instance .monaco-editor') ||
      document.querySelector('.editor-instance .monaco-editor');
    if (!ed) return { gutter: [], border: [] };
    const lineAtTop = new Map();
    for (const row of ed.querySelectorAll('.margin-view-overlays > div')) {
      const n = row.querySelector('.line-numbers');
      if (n) lineAtTop.set(row.style.top, Number(n.textContent.trim()));
    }
    const sorted = (xs) => [...new Set(xs.filter((x) => x))].sort((a, b) => a - b);
    const gutter = [...ed.querySelectorAll('.cgmr')]
      .filter((g) => getComputedStyle(g).backgroundImage.includes('gutter-ai'))
      .map((g) => lineAtTop.get(g.style.top));
    const border = [...ed.querySelectorAll('.view-overlays > div')]
      .filter((row) => [...row.querySelectorAll('.cdr')].some((d) => getComputedStyle(d).borderLeftStyle === 'solid' && getComputedStyle(d).borderLeftWidth === '2px'))
      .map((row) => lineAtTop.get(row.style.top));
    return { gutter: sorted(gutter), border: sorted(border) };
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
  statusItemLocator,
  openFile,
  goToEnd,
  acceptCompletion,
  save,
  reportFrame,
  waitForReport,
  markedLines,
};
