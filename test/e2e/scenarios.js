// End-to-end scenarios: a user in code-server with the packaged extension (.vsix) and the fixture
// AI installed. Each scenario gets { page, variant, workspace } and throws on failure.
'use strict';
const assert = require('assert');
const fixture = require('../fixtures/ai-fixture/texts');
const { poll, quickOpen, readStatusItem, editorText, waitForGhostText, sleep, aiPercent, MOD } = require('./workbench');

const scenarios = [
  {
    name: 'the installed extension shows its AI status bar item for a workspace file',
    async run({ page }) {
      await quickOpen(page, 'app.js');
      const status = await poll(async () => {
        const s = await readStatusItem(page);
        return s && /\bAI\b/.test(s.text) ? s : false;
      }, 60000, 'status bar item ai-provenance.ai-provenance.status with "AI" did not appear');
      assert.match(status.label, /AI/, `status item aria-label "${status.label}" does not mention AI`);
      assert.strictEqual(aiPercent(status), 0, `a file nobody touched should be AI 0%, status shows "${status.text}"`);
      return `status bar: "${status.text}"`;
    },
  },
  {
    name: 'Tab accepts a multi-line suggestion; after more typing the status bar shows a non-zero AI share',
    async run({ page }) {
      await quickOpen(page, 'e2e.js');
      await page.keyboard.press(`${MOD}+End`);
      await page.keyboard.type(fixture.MULTI_LINE_TRIGGER, { delay: 30 });
      const ghost = await waitForGhostText(page);
      const compact = (t) => t.replace(/\s+/g, '');
      assert.ok(compact(ghost).includes(compact('const sum = a + b;  return sum;')), `ghost text is not the fixture's completion: ${JSON.stringify(ghost)}`);
      await page.keyboard.press('Tab');
      const expected = fixture.MULTI_LINE_TRIGGER + fixture.MULTI_LINE_COMPLETION;
      await poll(async () => (await editorText(page)).includes(expected), 10000, `editor does not contain the accepted completion ${JSON.stringify(expected)}`);
      // More typing by hand after the accepted text.
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('// typed by hand', { delay: 20 });
      await poll(async () => (await editorText(page)).includes('// typed by hand'), 10000, 'typed text did not appear');
      await sleep(300);
      const status = await poll(async () => {
        const s = await readStatusItem(page);
        const n = aiPercent(s);
        return n !== undefined && n > 0 ? s : false;
      }, 30000, 'status bar did not show a non-zero AI share').catch(async (err) => {
        throw new Error(`${err.message}; status now ${JSON.stringify(await readStatusItem(page))}`);
      });
      // 3 of the 5 non-blank lines are the accepted completion's own lines.
      const n = aiPercent(status);
      assert.ok(n > 0 && n < 100, `AI share ${n}% out of range`);
      return `status bar: "${status.text}"`;
    },
  },
];

/** Files the scenarios expect in the workspace (path -> content). */
const workspaceFiles = {
  'src/app.js': "'use strict';\n\nfunction main() {\n  return 1;\n}\n\nmodule.exports = { main };\n",
  'src/e2e.js': '// e2e scratch file\n',
  'README.md': '# e2e workspace\n',
};

module.exports = { scenarios, workspaceFiles, aiPercent };
