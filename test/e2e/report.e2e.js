#!/usr/bin/env node
// End-to-end scenarios for what people see: the decorations of an accepted completion (and how
// they follow typing), the hover, the toggle, and the report opened from the status bar, checked
// against the staged change that git reports. Same form as scenarios.js ({ name, run({ page,
// variant, workspace }) }); run on their own with
//   node test/e2e/report.e2e.js [--host stock|proposed|both] [--keep]
// which packages the extension and starts code-server like run-e2e.js.
'use strict';
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const fixture = require('../fixtures/ai-fixture/texts');
const { poll, quickOpen, readStatusItem, waitForGhostText, sleep, MOD } = require('./workbench');
const wb = require('../screenshots/workbench');

const FILE = 'src/views-e2e.js';
const BASE_TEXT = '// views e2e\n';

function git(workspace, ...args) {
  return execFileSync('git', args, { cwd: workspace, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Lines added by the staged change to `file`, as git counts them. */
function stagedAddedLines(workspace, file) {
  const out = git(workspace, 'diff', '--cached', '--numstat', '--', file).trim();
  const m = /^(\d+)\t\d+\t/.exec(out);
  assert.ok(m, `git diff --cached --numstat gave ${JSON.stringify(out)}`);
  return Number(m[1]);
}

async function waitForMarks(page, expected, message) {
  let last;
  await poll(
    async () => {
      last = await wb.markedLines(page);
      return JSON.stringify(last.gutter) === JSON.stringify(expected) && JSON.stringify(last.border) === JSON.stringify(expected);
    },
    10000,
    `${message}: expected marked lines ${JSON.stringify(expected)}`,
  ).catch((err) => {
    throw new Error(`${err.message}; saw ${JSON.stringify(last)}`);
  });
}

/** Rests the mouse on the first rendered line containing `text`; resolves with the hover's text. */
async function hoverOver(page, text) {
  await page.mouse.move(2, 2);
  await page.keyboard.press('Escape');
  const line = page.locator('.editor-group-container.active .editor-instance .view-line', { hasText: text }).first();
  const box = await line.boundingBox();
  assert.ok(box, `no rendered line contains ${JSON.stringify(text)}`);
  const span = line.locator('span span', { hasText: text.trim().split(/\s+/)[0] }).first();
  const target = (await span.boundingBox()) || box;
  await page.mouse.move(target.x + Math.min(20, target.width / 2), target.y + target.height / 2);
  const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /\S/ }).first();
  await hover.waitFor({ state: 'visible', timeout: 8000 }).catch(() => {});
  await sleep(400);
  // The hover first says "Loading..." while the providers answer (seen on the 1.90 host under load).
  const deadline = Date.now() + 8000;
  for (;;) {
    const shown = (await page.locator('.monaco-hover:not(.hidden)').allInnerTexts()).join('\n');
    if (!/^\s*Loading\W*$/.test(shown) || Date.now() > deadline) return shown;
    await sleep(200);
  }
}

/** Creates FILE committed with BASE_TEXT, opens it and accepts the fixture's multi-line completion under a typed first line. */
async function acceptInFreshFile(page, workspace) {
  fs.writeFileSync(path.join(workspace, FILE), BASE_TEXT);
  git(workspace, 'add', FILE);
  git(workspace, 'commit', '-q', '-m', 'Add views e2e file');
  await quickOpen(page, path.basename(FILE));
  await page.keyboard.press(`${MOD}+End`);
  await page.keyboard.type(fixture.MULTI_LINE_TRIGGER, { delay: 25 });
  await waitForGhostText(page);
  await page.keyboard.press('Tab');
  // Lines (1-based): 1 "// views e2e", 2 "function fixtureAdd(a, b) {" (AI from "a, b) {"), 3-5 AI.
  await waitForMarks(page, [2, 3, 4, 5], 'after Tab accept');
}

const scenarios = [
  {
    name: 'an accepted completion is marked in the gutter, the marks follow typing, and the hover names its origin',
    async run({ page, workspace }) {
      await acceptInFreshFile(page, workspace);
      // Typing a line above moves the marks down.
      await page.keyboard.press(`${MOD}+Home`);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('// typed by hand', { delay: 15 });
      await waitForMarks(page, [3, 4, 5, 6], 'after typing a line above');
      const over = await hoverOver(page, 'const sum = a + b;');
      assert.match(over, /AI-produced/, `hover over AI text: ${over}`);
      assert.match(over, /Inline completion/);
      assert.match(over, /Tool/);
      assert.match(over, /lines 3\u20136/, `hover should cover lines 3-6 (from "a, b) {" to "}"): ${over}`);
      // Recorded seconds ago; a loaded machine (or a clock that jumps, as on some VMs) may show minutes.
      assert.match(over, /Recorded\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC \((just now|\d+ min ago)\)/, `hover time: ${over}`);
      const human = await hoverOver(page, '// typed by hand');
      assert.doesNotMatch(human, /AI-produced/, `hover over typed text: ${human}`);
      await page.keyboard.press(`${MOD}+S`);
      return 'marks 3-6, hover shows the origin';
    },
  },
  {
    name: 'AI Provenance: Toggle AI Decorations removes the marks and the hover, and brings them back',
    async run({ page }) {
      await quickOpen(page, path.basename(FILE));
      await waitForMarks(page, [3, 4, 5, 6], 'before toggling');
      await wb.runCommand(page, 'AI Provenance: Toggle AI Decorations');
      try {
        await waitForMarks(page, [], 'after toggling off');
        const over = await hoverOver(page, 'const sum = a + b;');
        assert.doesNotMatch(over, /AI-produced/, `hover while off: ${over}`);
      } finally {
        await page.mouse.move(2, 2);
        await page.keyboard.press('Escape');
        await wb.runCommand(page, 'AI Provenance: Toggle AI Decorations');
      }
      await waitForMarks(page, [3, 4, 5, 6], 'after toggling back on');
      return 'off and on again';
    },
  },
  {
    name: 'the report opened from the status bar shows the file and the staged change as git sees it',
    async run({ page, workspace }) {
      await quickOpen(page, path.basename(FILE));
      await page.keyboard.press(`${MOD}+S`);
      // Ctrl+S returns before the file is written: stage only once the disk has the five lines.
      const added = await poll(() => {
        git(workspace, 'add', FILE);
        const n = stagedAddedLines(workspace, FILE);
        return n === 5 ? n : false;
      }, 10000, 'the saved file never showed the five added lines to git').catch(() => stagedAddedLines(workspace, FILE));
      assert.strictEqual(added, 5, 'the staged change adds the typed line and the four completion lines');
      const status = await poll(async () => {
        const s = await readStatusItem(page);
        return s && /AI\s+\d+%/.test(s.text) ? s : false;
      }, 10000, 'status bar shows no AI share');
      await wb.statusItemLocator(page).click();
      const frame = await wb.waitForReport(page);
      // Current file.
      assert.strictEqual((await frame.locator('#file h2 code.path').innerText()).trim(), FILE);
      const percent = (await frame.locator('#file .headline-percent').innerText()).trim();
      assert.strictEqual(`AI ${percent}`, status.text.replace(/^\W+/, '').trim(), `report headline vs status bar "${status.text}"`);
      assert.strictEqual(percent, '50%', '3 AI lines of 6 non-blank lines');
      const rows = await frame.locator('#ranges tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
      assert.strictEqual(rows.length, 1, `one AI range expected: ${JSON.stringify(rows)}`);
      assert.strictEqual(rows[0][0], 'lines 3\u20136');
      assert.strictEqual(rows[0][1], 'Inline completion');
      const tool = rows[0][2];
      assert.ok(tool.length > 0, 'tool column is empty');
      // Staged change: the same numbers as git's diff of the index. The commit flow measures the
      // index after git reports the change; the report follows it.
      const staged = frame.locator('#staged');
      const row = staged.locator(`.chart[data-chart="staged-files"] .chart-row[data-label="${FILE}"]`);
      await poll(async () => (await row.count()) === 1, 20000, `${FILE} did not appear in the staged per-file chart`).catch(async (err) => {
        const state = await staged.getAttribute('data-state');
        const text = await staged.innerText();
        throw new Error(`${err.message}; staged section (${state}): ${text}`);
      });
      assert.strictEqual((await row.locator('.chart-detail').innerText()).trim(), `3 of ${added} lines`);
      assert.strictEqual(await row.getAttribute('data-percent'), `${Math.floor(300 / added)}%`);
      const toolRow = staged.locator('.chart[data-chart="staged-tools"] .chart-row').first();
      assert.ok((await toolRow.getAttribute('data-label')).startsWith(tool), `per-tool chart starts with ${await toolRow.getAttribute('data-label')}, the range's tool is ${tool}`);
      const trailers = await staged.locator('#trailers').innerText();
      assert.match(trailers, /^AI-Assisted: /m, `trailers: ${trailers}`);
      // A click on a range goes to it in the editor.
      await page.keyboard.press(`${MOD}+Home`).catch(() => {});
      await frame.locator('#ranges a.reveal').first().click();
      const cursor = page.locator('[id="status.editor.selection"]').first();
      await poll(async () => /Ln 3, Col 1\b/.test(await cursor.innerText()), 10000, 'the cursor did not go to line 3').catch(async (err) => {
        throw new Error(`${err.message}; status shows "${await cursor.innerText().catch(() => '?')}"`);
      });
      return `report: ${percent} of the file, 3/${added} staged lines, ${trailers.split('\n').length} trailers; range link goes to line 3`;
    },
  },
];

/** Files the scenarios need besides what they create. */
const workspaceFiles = { 'README.md': '# views e2e workspace\n', 'src/.keep': '' };

module.exports = { scenarios, workspaceFiles };

// ------------------------------------------------------------------ standalone run

async function main() {
  const server = require('../host/server');
  const argv = process.argv.slice(2);
  let host = 'both';
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--host') host = argv[++i];
    else if (argv[i] === '--keep') keep = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  const variants = server.variantsFor(host);
  server.prepareHosts({ quiet: true });
  const outDir = path.join(server.REPO_ROOT, 'test-output', 'e2e-views');
  fs.mkdirSync(outDir, { recursive: true });
  const vsix = wb.packageVsix(fs.mkdtempSync(path.join(os.tmpdir(), 'ai-provenance-vsix-')));
  let passed = 0;
  let failed = 0;
  for (const variant of variants) {
    const repo = wb.makeRepository(`e2e-views-${variant}`, workspaceFiles);
    const session = await wb.openWorkbench({ workspace: repo.dir, vsix, variant, logDir: outDir, viewport: { width: 1400, height: 900 } });
    try {
      for (const [i, s] of scenarios.entries()) {
        const t0 = Date.now();
        try {
          const detail = await s.run({ page: session.page, variant, workspace: repo.dir });
          passed++;
          console.log(`  ok   [${variant}] ${s.name} (${Date.now() - t0} ms)${detail ? ` - ${detail}` : ''}`);
        } catch (err) {
          failed++;
          const shot = path.join(outDir, `failure-${variant}-${i + 1}.png`);
          await session.page.screenshot({ path: shot }).catch(() => {});
          console.log(`  FAIL [${variant}] ${s.name} (${Date.now() - t0} ms)\n        ${String(err.stack || err.message).split('\n').slice(0, 6).join('\n        ')}\n        screenshot: ${path.relative(server.REPO_ROOT, shot)}`);
        }
        await session.page.keyboard.press('Escape').catch(() => {});
      }
    } finally {
      await session.close();
      if (!keep) fs.rmSync(repo.dir, { recursive: true, force: true });
    }
  }
  console.log(`e2e views: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`e2e views: ERROR ${err && err.stack ? err.stack : err}`);
    process.exitCode = 1;
  });
}
