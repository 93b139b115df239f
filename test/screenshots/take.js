#!/usr/bin/env node
// README screenshots from the real host: code-server with the packaged extension (and the
// deterministic fixture AI) installed, driven in Chromium as a person would. Writes
// media/screenshots/{decorations,hover,status-bar,report}.png.
//
// Usage: npm run screenshots [-- --variant stock|proposed] [--out DIR] [--theme NAME] [--keep]
// (--theme, e.g. "Default Light Modern", to check the colours in another theme.)
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const wb = require('./workbench');
const server = require('../host/server');

const SAMPLE = [
  "'use strict';",
  '',
  '// Shopping cart helpers.',
  'function cartTotal(items) {',
  '  let total = 0;',
  '  for (const item of items) total += item.price * item.quantity;',
  '  return total;',
  '}',
  '',
  '',
].join('\n');

function parseArgs(argv) {
  const opts = { variant: 'stock', out: path.join(wb.REPO_ROOT, 'media', 'screenshots'), keep: false, theme: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--variant') opts.variant = argv[++i];
    else if (argv[i] === '--out') opts.out = path.resolve(argv[++i]);
    else if (argv[i] === '--keep') opts.keep = true;
    else if (argv[i] === '--theme') opts.theme = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

/** Waits until `lines` show our gutter icon and its image has loaded in the page. */
async function waitForGutterIcons(page, lines) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const marks = await wb.markedLines(page);
    if (JSON.stringify(marks.gutter) === JSON.stringify(lines)) break;
    if (Date.now() > deadline) throw new Error(`gutter icons on ${JSON.stringify(marks.gutter)}, expected ${JSON.stringify(lines)}`);
    await page.waitForTimeout(200);
  }
  await page.evaluate(async () => {
    const icon = [...document.querySelectorAll('.cgmr')].find((g) => getComputedStyle(g).backgroundImage.includes('gutter-ai'));
    const url = /url\("?(.*?)"?\)/.exec(getComputedStyle(icon).backgroundImage)[1];
    const img = new Image();
    img.src = url;
    await img.decode();
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  server.prepareHosts({ quiet: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-provenance-shots-'));
  const vsix = wb.packageVsix(work);
  const repo = wb.makeRepository('shots', { 'src/cart.js': SAMPLE, 'README.md': '# Shop\n' });
  fs.mkdirSync(opts.out, { recursive: true });
  const session = await wb.openWorkbench({ workspace: repo.dir, vsix, variant: opts.variant, logDir: work, viewport: { width: 1440, height: 860 }, settings: opts.theme ? { 'workbench.colorTheme': opts.theme } : {} });
  const { page } = session;
  const shot = async (name, options = {}) => {
    const file = path.join(opts.out, `${name}.png`);
    await page.screenshot({ path: file, ...options });
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  };
  try {
    await wb.openFile(page, 'src/cart.js');
    // Our status bar item shows once the extension is active and a file is open.
    await page.locator(wb.STATUS_ITEM).first().waitFor({ timeout: 60000 });
    await wb.goToEnd(page);
    await wb.acceptCompletion(page, '// Adds two prices.\nfunction fixtureAdd(');
    await wb.save(page);
    // The decorations (100 ms debounce) are on lines 11-14, and the gutter icon has loaded.
    await waitForGutterIcons(page, [11, 12, 13, 14]);
    await page.waitForTimeout(400);

    // 1. The editor with AI lines marked.
    await page.mouse.move(5, 400);
    // The top of the window: the sample is short, the rest of the editor is empty.
    const editorArea = { x: 0, y: 0, width: page.viewportSize().width, height: 380 };
    await shot('decorations', { clip: editorArea });

    // 2. The status bar item and its tooltip.
    const status = page.locator(wb.STATUS_ITEM).first();
    await status.hover();
    const tip = page.locator('.workbench-hover, .monaco-hover:not(.hidden)').filter({ hasText: /AI/ }).first();
    await tip.waitFor({ state: 'visible', timeout: 10000 });
    await page.waitForTimeout(300);
    const sb = await status.boundingBox();
    const tb = await tip.boundingBox();
    const vp = page.viewportSize();
    const left = Math.max(0, Math.min(tb.x, sb.x) - 240);
    const top = Math.max(0, tb.y - 12);
    await shot('status-bar', { clip: { x: left, y: top, width: vp.width - left, height: vp.height - top } });
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');

    // 3. The hover over AI text.
    const line = page.locator('.editor-instance .view-line', { hasText: 'const sum = a + b;' }).first();
    const lb = await line.boundingBox();
    await page.mouse.move(lb.x + 60, lb.y + lb.height / 2);
    await page.locator('.monaco-hover:not(.hidden)', { hasText: 'AI-produced' }).first().waitFor({ timeout: 10000 });
    await page.waitForTimeout(300);
    await shot('hover', { clip: editorArea });
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');

    // 4. The report, opened from the status bar, with the change staged; the side bar closed
    // to give it room.
    repo.git('add', 'src/cart.js');
    await page.keyboard.press(`${wb.MOD}+B`);
    await status.click();
    const frame = await wb.waitForReport(page);
    await frame.locator('#ranges tbody tr').first().waitFor({ timeout: 10000 });
    // The commit flow measures the index once git has reported the change.
    await frame.locator('#staged[data-state="available"]').waitFor({ timeout: 30000 });
    await page.waitForTimeout(800);
    await shot('report');
  } finally {
    await session.close();
    if (!opts.keep) {
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(repo.dir, { recursive: true, force: true });
    } else {
      console.log(`kept ${work} and ${repo.dir}`);
    }
  }
}

main().catch((err) => {
  console.error(`screenshots: ERROR ${err && err.stack ? err.stack : err}`);
  process.exitCode = 1;
});
