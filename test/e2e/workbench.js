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

module.exports = { STATUS_ITEM_ID, MOD, sleep, poll, waitForWorkbench, statusItem, readStatusItem, quickOpen, editorText, waitForGhostText };
