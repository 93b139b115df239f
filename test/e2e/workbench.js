// Page helpers for driving the VS Code web workbench (code-server) with playwright-core.
'use strict';

const STATUS_ITEM_ID = 'ai-provenance.ai-provenance.status';
const MOD = process.platform === 'darwin' ? 'Meta' : 'Control';

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` (async) until it returns a truthy value; throws `message` after `timeoutMs`. */
async function poll(fn, timeoutMs, message, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${message} (after ${timeoutMs} ms)${last ? `: ${last.message}` : ''}`);
    await sleep(intervalMs);
  }
}

/** Waits until the workbench has rendered and the explorer shows the workspace. */
async function waitForWorkbench(page, timeoutMs = 90000) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  // The explorer lists files once the remote file system is connected.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * The status bar element of our item: by its id (VS Code sets the DOM id to the entry id), or
 * else an item whose accessible label starts with "AI ".
 */
function statusItem(page) {
  return page
    .locator(`[id="${STATUS_ITEM_ID}"]`)
    .or(page.locator('.part.statusbar .statusbar-item').filter({ has: page.locator('[aria-label^="AI "]') }));
}

/** Text of our status bar item, e.g. "AI 37%" (the sparkle icon is not text), or undefined. */
async function readStatusItem(page) {
  const item = statusItem(page);
  if ((await item.count()) === 0) return undefined;
  const text = (await item.first().innerText()).replace(/\s+/g, ' ').trim();
  const label = (await item.first().locator('[aria-label]').first().getAttribute('aria-label').catch(() => null)) ||
    (await item.first().getAttribute('aria-label'));
  return { text, label: label || '' };
}

/** Opens `fileName` with Quick Open (Ctrl/Cmd+P), retrying while the file index warms up. */
async function quickOpen(page, fileName, timeoutMs = 60000) {
  await poll(
    async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press(`${MOD}+KeyP`);
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(fileName);
      const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: fileName }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 3000 });
      } catch {
        return false;
      }
      await page.keyboard.press('Enter');
      await page.locator(`.tabs-container .tab.active[data-resource-name="${fileName}"], .tabs-container .tab.active:has-text("${fileName}")`).first().waitFor({ state: 'visible', timeout: 5000 });
      return true;
    },
    timeoutMs,
    `Quick Open did not open ${fileName}`,
    1000,
  );
  // Focus the editor's text area.
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
}

/** The visible text of the active editor (only rendered lines; enough for small files). */
async function editorText(page) {
  const lines = await page.locator('.editor-instance .monaco-editor .view-lines .view-line').evaluateAll((els) =>
    els
      .map((el) => ({ top: parseFloat(el.style.top || '0'), text: (el.textContent || '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text),
  );
  return lines.join('\n');
}

/** Waits for inline-suggestion ghost text in the active editor; returns its pieces joined (line breaks are lost). */
async function waitForGhostText(page, timeoutMs = 30000) {
  return poll(
    async () => {
      const ghosts = page.locator('.editor-instance .monaco-editor .ghost-text-decoration, .editor-instance .monaco-editor .ghost-text');
      if ((await ghosts.count()) === 0) return false;
      // Ghost text is rendered in token-sized pieces; join them without separators.
      const text = (await ghosts.allTextContents()).join('').replace(/\u00a0/g, ' ');
      return text.trim() ? text : false;
    },
    timeoutMs,
    'no inline suggestion (ghost text) appeared',
  );
}

/** Parses "AI 37%" out of the status item text; undefined when it shows no percentage. */
function aiPercent(status) {
  const m = status && /\bAI\s+(\d+)%/.exec(status.text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Thrown when the extension recorded no AI text where a scenario expected it (the status bar
 * share stayed at 0%). The runner's check without the interception keybindings counts a
 * scenario as failing for the expected reason only when it throws this.
 */
class NotRecordedError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NotRecordedError';
    this.notRecorded = true;
  }
}

/** Waits until the status bar shows a non-zero AI share; throws NotRecordedError otherwise. */
async function waitForAiShare(page, timeoutMs = 30000) {
  try {
    return await poll(async () => {
      const s = await readStatusItem(page);
      const n = aiPercent(s);
      return n !== undefined && n > 0 ? s : false;
    }, timeoutMs, 'status bar did not show a non-zero AI share');
  } catch (err) {
    throw new NotRecordedError(`${err.message}; status now ${JSON.stringify(await readStatusItem(page).catch(() => undefined))}`);
  }
}

/**
 * Runs the command palette entry whose label contains `title` (clicking that row, not whatever
 * the fuzzy match puts first).
 */
async function runPaletteCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10000 });
  await row.click();
  await input.waitFor({ state: 'hidden', timeout: 10000 });
}

/** The Source Control message box (a small editor in the SCM view). */
function scmInput(page) {
  return page.locator('.scm-view .scm-editor .monaco-editor').first();
}

/** Opens the Source Control view (Ctrl+Shift+G) and waits for its message box. */
async function openScm(page) {
  await page.keyboard.press('Escape');
  await page.keyboard.press(`${MOD}+Shift+KeyG`);
  await scmInput(page).waitFor({ state: 'visible', timeout: 20000 });
}

/** Text of the Source Control message box, line by line (rendered lines; the box grows to 10). */
async function scmInputText(page) {
  const lines = await scmInput(page).locator('.view-lines .view-line').evaluateAll((els) =>
    els
      .map((el) => ({ top: parseFloat(el.style.top || '0'), text: (el.textContent || '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text),
  );
  return lines.join('\n');
}

module.exports = {
  STATUS_ITEM_ID,
  MOD,
  sleep,
  poll,
  waitForWorkbench,
  statusItem,
  readStatusItem,
  quickOpen,
  editorText,
  waitForGhostText,
  aiPercent,
  NotRecordedError,
  waitForAiShare,
  runPaletteCommand,
  scmInput,
  openScm,
  scmInputText,
};
