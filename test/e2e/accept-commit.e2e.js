// End-to-end: accepting an inline suggestion with the keys a user presses (Tab, Ctrl+Right), then
// committing from the Source Control view, and reading the commit git made. On the stock host
// (proposed APIs off, like VS Code Stable) the extension's own keybindings for these keys are
// the only way an accept is recognised; run-e2e.js also runs these scenarios on the stock host
// with those keybindings removed from the package and expects them to fail at the recording check
// (`needsInterception`, NotRecordedError).
'use strict';
const assert = require('assert');
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const fixture = require('../fixtures/ai-fixture/texts');
const fixturePkg = require('../fixtures/ai-fixture/package.json');
const wb = require('./workbench');
const { poll, quickOpen, readStatusItem, editorText, waitForGhostText, waitForAiShare, aiPercent, MOD } = wb;

const FIXTURE_ID = `${fixturePkg.publisher}.${fixturePkg.name}`;
/** The tool recorded when the editor does not say which extension completed (stock host). */
const UNNAMED_INLINE_TOOL = 'inline completion';

function git(workspace, args, input) {
  return execFileSync('git', args, { cwd: workspace, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Trailers of a commit message as git parses them: [[key, value], ...]. */
function parseTrailers(workspace, message) {
  return git(workspace, ['interpret-trailers', '--parse'], message)
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
    });
}

/** Writes `rel` with `text`, commits it from the command line, opens it and puts the cursor at its end. */
async function startFile(page, workspace, variant, rel, text) {
  fs.writeFileSync(path.join(workspace, rel), text);
  git(workspace, ['add', '--', rel]);
  git(workspace, ['commit', '-q', '-m', `Add ${rel}`]);
  await quickOpen(page, path.basename(rel));
  // Precondition (not the check under test): the extension is active and tracks the file.
  await poll(async () => aiPercent(await readStatusItem(page)) === 0, 60000, `[host: ${variant}] status bar did not show "AI 0%" for the new file ${rel}`);
  await page.keyboard.press(`${MOD}+End`);
}

/** Saves the active editor (Ctrl/Cmd+S) and waits until the file on disk holds `expected`. */
async function save(page, workspace, rel, expected) {
  await page.keyboard.press(`${MOD}+KeyS`);
  await poll(() => fs.readFileSync(path.join(workspace, rel), 'utf8').includes(expected), 15000, `${rel} was not saved with the accepted text`);
}

/**
 * Stages the active editor's file with the command palette's "Git: Stage Changes". The Git
 * extension stages only what its last status saw; right after a save it may not list the file
 * yet, and then the command does nothing. Run it again (as a user would) until git has it staged.
 */
async function stageActiveFile(page, workspace, rel) {
  const staged = () => git(workspace, ['diff', '--cached', '--name-only']).split('\n').includes(rel);
  await poll(
    async () => {
      await wb.runPaletteCommand(page, 'Git: Stage Changes');
      await poll(staged, 5000, 'not staged yet').catch(() => {});
      return staged();
    },
    40000,
    `"Git: Stage Changes" did not stage ${rel}`,
    0,
  );
}

/**
 * Commits from the Source Control view as a user does: enters `subject` into the message box,
 * waits until the extension has added its trailers to the box (it does so once typing pauses),
 * and presses Ctrl/Cmd+Enter. Resolves with the box text before the commit and the new commit's
 * message (`git log -1 --format=%B`).
 */
async function commitFromScm(page, workspace, variant, subject) {
  const before = git(workspace, ['rev-parse', 'HEAD']).trim();
  await wb.openScm(page);
  await wb.scmInput(page).click();
  await page.keyboard.press(`${MOD}+KeyA`);
  await page.keyboard.press('Backspace');
  // Typed key by key right after staging, as a user does: the commit flow's refresh after the
  // staging must not write the trailers into the box while typing goes on (they once landed in
  // the middle of the subject). Uneven pauses between keys, some longer than the poll interval.
  for (let i = 0; i < subject.length; i++) {
    await page.keyboard.type(subject[i]);
    await page.waitForTimeout(i % 7 === 6 ? 1100 : 40);
  }
  let box = '';
  await poll(
    async () => {
      box = await wb.scmInputText(page);
      return box.includes('AI-Assisted:') && box.includes('AI-Provenance:');
    },
    30000,
    `[host: ${variant}] the extension did not add AI-Assisted and AI-Provenance trailers to the Source Control message box`,
  ).catch((err) => {
    throw new Error(`${err.message}; box: ${JSON.stringify(box)}`);
  });
  // The manifest the AI-Provenance trailer names is staged into the same commit.
  await poll(() => git(workspace, ['diff', '--cached', '--name-only']).split('\n').some((f) => f.startsWith('.ai-provenance/')), 20000, 'no manifest .ai-provenance/<id>.json was staged');
  await wb.scmInput(page).click();
  await page.keyboard.press(`${MOD}+Enter`);
  await poll(() => git(workspace, ['rev-parse', 'HEAD']).trim() !== before, 30000, `[host: ${variant}] Ctrl+Enter in the Source Control message box made no commit`);
  // Leave the side bar as the other scenarios expect it (the Explorer).
  await page.keyboard.press(`${MOD}+Shift+KeyE`);
  return { box, message: git(workspace, ['log', '-1', '--format=%B']) };
}

/**
 * Checks the new commit: its subject, the AI trailers, and that they agree with the manifest
 * committed with it. `expected`: { file, subject, addedLines, aiLines, aiLineNumbers, kind, tool }.
 * Returns a one-line summary.
 */
function checkCommit(workspace, variant, message, expected) {
  const where = `[host: ${variant}] commit message ${JSON.stringify(message)}`;
  assert.strictEqual(message.split('\n')[0], expected.subject, `${where}: subject`);
  const trailers = parseTrailers(workspace, message);
  const values = (key) => trailers.filter(([k]) => k === key).map(([, v]) => v);
  const one = (key) => {
    const v = values(key);
    assert.strictEqual(v.length, 1, `${where}: expected one ${key} trailer, found ${v.length}`);
    return v[0];
  };
  const id = one('AI-Provenance');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `${where}: AI-Provenance is not a UUID v4`);
  const committed = git(workspace, ['show', '--name-only', '--format=', 'HEAD']).split('\n').filter(Boolean).sort();
  const manifestPath = `.ai-provenance/${id}.json`;
  assert.deepStrictEqual(committed, [manifestPath, expected.file].sort(), `${where}: files in the commit`);
  const manifest = JSON.parse(git(workspace, ['show', `HEAD:${manifestPath}`]));
  assert.strictEqual(manifest.id, id, 'manifest id vs AI-Provenance trailer');

  // The counts and the kind: trailer and manifest.
  const kinds = `${expected.kind} ${expected.aiLines}`;
  const contribution = one('AI-Contribution');
  assert.match(contribution, new RegExp(`^\\d+% \\(${expected.aiLines} of ${expected.addedLines} added lines; ${kinds}\\)$`), `${where}: AI-Contribution`);
  assert.deepStrictEqual(manifest.totals.byKind, { [expected.kind]: expected.aiLines }, 'manifest totals.byKind');
  const file = manifest.files.find((f) => f.path === expected.file);
  assert.ok(file, `manifest has no entry for ${expected.file}: ${JSON.stringify(manifest.files.map((f) => f.path))}`);
  assert.strictEqual(file.addedLines, expected.addedLines, 'manifest addedLines');
  assert.strictEqual(file.aiLines, expected.aiLines, 'manifest aiLines');
  const lines = [];
  for (const r of file.ranges) {
    assert.strictEqual(r.kind, expected.kind, `manifest range ${r.startLine}-${r.endLine} kind`);
    for (let n = r.startLine; n <= r.endLine; n++) lines.push(n);
  }
  assert.deepStrictEqual(lines, expected.aiLineNumbers, 'AI lines in the manifest');

  // Which tool: the stock host cannot tell which extension completed; the proposed host can.
  const assistedBy = values('Assisted-by');
  assert.deepStrictEqual(assistedBy, [expected.tool], `${where}: Assisted-by on the ${variant} host`);
  assert.deepStrictEqual(manifest.totals.byTool.map((t) => (t.model ? `${t.tool}:${t.model}` : t.tool)), assistedBy, 'manifest byTool vs Assisted-by');

  // The policy's verdict, as the trailers and the manifest give it.
  const assisted = one('AI-Assisted');
  assert.strictEqual(assisted, manifest.flagged ? 'yes' : 'no', `${where}: AI-Assisted vs manifest.flagged`);
  if (expected.flagged !== undefined) assert.strictEqual(manifest.flagged, expected.flagged, `${where}: flagged`);
  assert.deepStrictEqual(values('Review-Required'), manifest.flagged ? [manifest.reviewRequired] : [], `${where}: Review-Required`);
  return `commit: AI-Assisted: ${assisted}; AI-Contribution: ${contribution}; Assisted-by: ${assistedBy.join(', ')}`;
}

function toolFor(variant) {
  return variant === 'proposed' ? FIXTURE_ID : UNNAMED_INLINE_TOOL;
}

/**
 * Waits for the status bar's AI share, saves `file` (holding `text`) and stages it, commits it
 * from the Source Control view with `subject`, and checks the commit against `expected` (see
 * checkCommit; the file, subject and tool are filled in). Returns the status bar and the summary.
 */
async function commitAndCheck({ page, variant, workspace }, file, text, subject, expected) {
  const status = await waitForAiShare(page);
  await save(page, workspace, file, text);
  await stageActiveFile(page, workspace, file);
  const { message } = await commitFromScm(page, workspace, variant, subject);
  return { status, summary: checkCommit(workspace, variant, message, { file, subject, tool: toolFor(variant), ...expected }) };
}

const TAB_FILE = 'src/accept-tab.js';
const WORD_FILE = 'src/accept-word.js';

const scenarios = [
  {
    name: 'Tab accepts a suggestion: status bar AI share, then a commit from the Source Control view carries the AI trailers (kind inline)',
    needsInterception: true,
    async run({ page, variant, workspace }) {
      await startFile(page, workspace, variant, TAB_FILE, '// accepted with Tab\n');
      await page.keyboard.type(fixture.MULTI_LINE_TRIGGER, { delay: 30 });
      await waitForGhostText(page);
      await page.keyboard.press('Tab');
      const expected = fixture.MULTI_LINE_TRIGGER + fixture.MULTI_LINE_COMPLETION;
      await poll(async () => (await editorText(page)).includes(expected), 10000, `editor does not contain the accepted completion ${JSON.stringify(expected)}`);
      // The check under test: the accept was recorded as AI.
      // Lines: 1 header, 2 "function fixtureAdd(a, b) {" (AI only from "a, b) {"), 3-5 AI.
      // Three non-trivial AI lines: flagged under the default policy.
      const { status, summary } = await commitAndCheck({ page, variant, workspace }, TAB_FILE, expected, 'Add fixtureAdd, accepted with Tab', {
        addedLines: 4,
        aiLines: 3,
        aiLineNumbers: [3, 4, 5],
        kind: 'inline',
        flagged: true,
      });
      return `host ${variant}: status bar "${status.text}"; ${summary}`;
    },
  },
  {
    name: 'Ctrl+Right accepts a suggestion word by word: status bar AI share, then a commit from the Source Control view carries the AI trailers (kind inlinePartial)',
    needsInterception: true,
    async run({ page, variant, workspace }) {
      await startFile(page, workspace, variant, WORD_FILE, '// accepted word by word\n');
      await page.keyboard.type(fixture.MULTI_LINE_TRIGGER, { delay: 30 });
      await waitForGhostText(page);
      // Typing `(` auto-closed a `)` after the cursor, which splits the ghost text in two, and
      // accepting word by word stops at the `)`. Delete it, as a user would, and take the
      // suggestion the fixture then gives for the bare line.
      await page.keyboard.press('Delete');
      await poll(async () => !(await editorText(page)).includes(`${fixture.MULTI_LINE_TRIGGER})`), 10000, 'the auto-closed ")" was not deleted');
      await waitForGhostText(page);
      // Accept word by word to the end, the last piece ("}") included: that last accept completes
      // the suggestion, which VS Code's edit source reports as a whole accept; it is recorded as a
      // partial accept on both hosts, as the person took it. Then a line typed by hand.
      const cursor = page.locator('[id="status.editor.selection"]').first();
      const position = async () => (await cursor.innerText()).trim();
      const expected = fixture.MULTI_LINE_TRIGGER + fixture.MULTI_LINE_COMPLETION;
      // The cursor tells when the last piece is in: the editor's text would already show it as
      // ghost text.
      let presses = 0;
      for (;;) {
        const at = await position();
        if (/^Ln 5, Col 2\b/.test(at)) break;
        assert.ok(presses < 40, `after ${presses} presses of Ctrl+Right the cursor is at "${at}", not after the "}" on line 5`);
        await page.keyboard.press(`${MOD}+ArrowRight`);
        presses++;
        await poll(async () => (await position()) !== at, 10000, `Ctrl+Right #${presses} did not move the cursor from "${at}" (no ghost text left to accept?)`);
      }
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('// typed by hand', { delay: 20 });
      await poll(async () => (await editorText(page)).includes(`${expected}\n// typed by hand`), 10000, `editor does not hold the typed line; it shows ${JSON.stringify(await editorText(page))}`);
      // Lines 3 to 5 came from the partial accepts; line 6 was typed.
      const { status, summary } = await commitAndCheck({ page, variant, workspace }, WORD_FILE, `${expected}\n// typed by hand`, 'Add fixtureAdd, accepted word by word', {
        addedLines: 5,
        aiLines: 3,
        aiLineNumbers: [3, 4, 5],
        kind: 'inlinePartial',
      });
      return `host ${variant}: ${presses} x Ctrl+Right, status bar "${status.text}"; ${summary}`;
    },
  },
];

/** Files the scenarios need besides what they create. */
const workspaceFiles = { 'src/.keep': '' };

module.exports = { scenarios, workspaceFiles, parseTrailers };
