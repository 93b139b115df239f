// AI blame of committed lines in a real VS Code: a commit made with git alone (its manifest in a
// note, as a terminal commit through the hooks leaves it) is read back into gutter marks and a
// hover that names the commit and the tool, after the file is opened afresh, and the marks follow
// edits and saves.
import * as assert from 'assert';
import { execFile } from 'child_process';
import { randomUUID } from 'crypto';
import * as vscode from 'vscode';
import { MANIFEST_NOTES_REF, MANIFEST_SCHEMA, MANIFEST_VERSION, Manifest, ManifestFile, computeTotals, rangeText, serializeManifest, sha256Hex } from '../../src/core/manifest/schema';
import { resolvePolicy } from '../../src/core/policy/policy';
import type { BlameState } from '../../src/views/commitBlame';
import type { ReportModel } from '../../src/core/presentation/reportModel';
import { closeAllEditors, hostTag, hostVariant, hoverText, saveDocument, typeText, waitFor, workspaceFolder } from './support/host';

function git(cwd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', ['-c', 'user.name=Ada Author', '-c', 'user.email=ada@example.com', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], { cwd }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function blameState(): Promise<BlameState> {
  return vscode.commands.executeCommand<BlameState>('aiProvenance.internal.blame');
}

async function waitForBlamed(doc: vscode.TextDocument, expected: [number, number][], timeoutMs = 20000): Promise<void> {
  let last: unknown;
  await waitFor(
    async () => {
      const e = (await blameState()).editors.find((x) => x.uri === doc.uri.toString());
      last = e;
      return e && !e.computing && JSON.stringify(e.lines) === JSON.stringify(expected);
    },
    timeoutMs,
    `expected AI blame of lines ${JSON.stringify(expected)} in ${doc.uri.toString()}, last seen ${JSON.stringify(last)}`,
    100,
  );
}

const TOOL = 'blame-test-agent';
const MODEL = 'model-b1';

/**
 * Commits `rel` with lines 2-3 (1-based) recorded as AI in a manifest stored as the commit's note;
 * with `flagged`, the manifest flags the change and requires a senior review.
 */
async function commitWithAiNote(root: string, rel: string, text: string, flagged = false): Promise<string> {
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(workspaceFolder().uri, rel), new TextEncoder().encode(text));
  const file: ManifestFile = {
    path: rel,
    status: 'added',
    sha256: sha256Hex(text),
    addedLines: text.split('\n').length - 1,
    aiLines: 2,
    nonTrivialAiLines: 2,
    addedCharacters: text.replace(/\n/g, '').length,
    aiCharacters: rangeText(text, 2, 3).replace(/\n/g, '').length,
    ranges: [{ startLine: 2, endLine: 3, kind: 'agent', tool: TOOL, model: MODEL, trivial: false, sha256: sha256Hex(rangeText(text, 2, 3)) }],
  };
  const m: Manifest = {
    schema: MANIFEST_SCHEMA,
    version: MANIFEST_VERSION,
    id: randomUUID(),
    createdAt: new Date().toISOString(),
    generator: { name: 'ai-provenance', version: '0.1.0' },
    base: null,
    flagged,
    ...(flagged ? { reviewRequired: 'senior' } : {}),
    policy: { source: 'default', value: resolvePolicy() },
    totals: computeTotals([file]),
    files: [file],
  };
  await git(root, ['add', '--', rel]);
  await git(root, ['commit', '-q', '-F', '-', '--', rel], `Add ${rel}\n\nAI-Assisted: ${flagged ? 'yes' : 'no'}\nAssisted-by: ${TOOL}:${MODEL}\nAI-Provenance: ${m.id}\nReviewed-by: Sam Senior <sam@example.com>\n`);
  const sha = (await git(root, ['rev-parse', 'HEAD'])).trim();
  await git(root, ['notes', `--ref=${MANIFEST_NOTES_REF}`, 'add', '-f', '-F', '-', sha], serializeManifest(m));
  return sha;
}

describe(`AI blame ${hostTag()}`, function () {
  this.timeout(90000);
  // A browser-hosted workbench saves after a delay by default; edits must move the marks without a save.
  let autoSave: unknown;
  before(async () => {
    autoSave = vscode.workspace.getConfiguration('files').inspect('autoSave')?.globalValue;
    await vscode.workspace.getConfiguration('files').update('autoSave', 'off', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.workspace.getConfiguration('files').update('autoSave', autoSave, vscode.ConfigurationTarget.Global);
  });
  afterEach(async () => {
    await vscode.workspace.getConfiguration('aiProvenance.blame').update('enabled', undefined, vscode.ConfigurationTarget.Global);
    await closeAllEditors();
  });

  it(`the hover on a committed AI line names its commit and tool after a reload, and the marks follow edits ${hostTag()}`, async () => {
    const root = workspaceFolder().uri.fsPath;
    const rel = `blamed-${hostVariant()}.js`;
    const sha = await commitWithAiNote(root, rel, ['// header by a person', 'const a = agent(1);', 'const b = agent(2);', 'const c = 3;', ''].join('\n'));
    const uri = vscode.Uri.joinPath(workspaceFolder().uri, rel);

    // Off by default: no marks, no hover.
    let doc = await vscode.workspace.openTextDocument(uri);
    let editor = await vscode.window.showTextDocument(doc, { preview: false });
    assert.strictEqual((await blameState()).enabled, false);
    assert.doesNotMatch(await hoverText(doc.uri, new vscode.Position(1, 3)), /AI-written, committed/);

    await vscode.commands.executeCommand('aiProvenance.toggleBlame');
    await waitForBlamed(doc, [[1, 2]]);
    let hover = await hoverText(doc.uri, new vscode.Position(1, 3));
    assert.match(hover, new RegExp(sha.slice(0, 12)));
    assert.match(hover, new RegExp(TOOL));
    assert.match(hover, new RegExp(MODEL));
    assert.doesNotMatch(await hoverText(doc.uri, new vscode.Position(3, 3)), /AI-written, committed/, 'a human line has no AI blame hover');

    // Reload: the editor is closed and the file opened again; the marks and hover come back from git.
    await closeAllEditors();
    doc = await vscode.workspace.openTextDocument(uri);
    editor = await vscode.window.showTextDocument(doc, { preview: false });
    await waitForBlamed(doc, [[1, 2]]);
    hover = await hoverText(doc.uri, new vscode.Position(2, 3));
    assert.match(hover, new RegExp(sha.slice(0, 12)));
    assert.match(hover, new RegExp(TOOL));

    // A line typed above moves the marks at once (no new blame); after saving, git agrees.
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await typeText('// typed\n');
    await waitForBlamed(doc, [[2, 3]], 3000);
    assert.match(await hoverText(doc.uri, new vscode.Position(3, 3)), new RegExp(sha.slice(0, 12)));
    // Typing inside an AI line takes its mark away (the line is no longer the committed one).
    editor.selection = new vscode.Selection(2, 0, 2, 0);
    await typeText('x');
    await waitForBlamed(doc, [[3, 3]], 3000);
    assert.ok(doc.isDirty, 'the marks moved without a save');
    await saveDocument(doc);
    await waitForBlamed(doc, [[3, 3]]);

    await vscode.commands.executeCommand('aiProvenance.toggleBlame');
    await waitFor(async () => !(await blameState()).enabled, 5000, 'AI blame turned off');
    assert.doesNotMatch(await hoverText(doc.uri, new vscode.Position(3, 3)), /AI-written, committed/);
    await git(root, ['checkout', '-q', '--', rel]);
  });

  it(`the report's History section gives the file's committed lines by commit and tool, and the flagged commit still in it ${hostTag()}`, async () => {
    const root = workspaceFolder().uri.fsPath;
    const rel = `history-${hostVariant()}-${randomUUID().slice(0, 8)}.js`;
    const first = ['// header by a person', 'const a = agent(1);', 'const b = agent(2);', 'const c = 3;', ''].join('\n');
    const flagged = await commitWithAiNote(root, rel, first, true);
    // A second commit, by hand, adds two lines.
    const uri = vscode.Uri.joinPath(workspaceFolder().uri, rel);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(first + 'const d = 4;\nconst e = 5;\n'));
    await git(root, ['add', '--', rel]);
    await git(root, ['commit', '-q', '-m', `Extend ${rel}\n\nAI-Assisted: no`, '--', rel]);
    const byHand = (await git(root, ['rev-parse', 'HEAD'])).trim();

    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    try {
      let last: ReportModel | undefined;
      const history = await waitFor(
        async () => {
          last = await vscode.commands.executeCommand<ReportModel>('aiProvenance.showReport');
          return last.history.state === 'available' && last.history.path === rel ? last.history : undefined;
        },
        30000,
        `the report's History section never described ${rel}`,
        250,
      ).catch((err) => {
        throw new Error(`${err.message}; last: ${JSON.stringify(last?.history)}`);
      });
      assert.deepStrictEqual([history.share.value, history.share.total, history.uncommittedLines], [2, 6, 0]);
      assert.deepStrictEqual(
        history.commits.map((c) => [c.sha, c.share.value, c.share.total]),
        [
          [flagged, 2, 4],
          [byHand, 0, 2],
        ],
      );
      assert.deepStrictEqual(
        history.tools.map((t) => [t.label, t.value]),
        [[`${TOOL}:${MODEL}`, 2]],
      );
      assert.deepStrictEqual(
        history.flagged.map((f) => [f.sha, f.lines, f.aiLines, f.reviewRequired, f.reviewedBy]),
        [[flagged, 4, 2, 'senior', ['Sam Senior <sam@example.com>']]],
      );
      // A line added in the editor (not committed): counted apart, blamed again on save. (Inserted,
      // not typed: Enter in a line comment continues the comment on the next line.)
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      assert.ok(await editor.edit((b) => b.insert(new vscode.Position(0, 0), '// added\n')));
      await saveDocument(doc);
      const after = await waitFor(
        async () => {
          last = await vscode.commands.executeCommand<ReportModel>('aiProvenance.showReport');
          const h = last.history;
          return h.state === 'available' && h.uncommittedLines === 1 ? h : undefined;
        },
        30000,
        'the History section did not count the typed line after the save',
        250,
      ).catch((err) => {
        throw new Error(`${err.message}; text: ${JSON.stringify(doc.getText())}, dirty ${doc.isDirty}; last: ${JSON.stringify(last?.history)}`);
      });
      assert.deepStrictEqual([after.share.value, after.share.total], [2, 6]);
    } finally {
      // Nothing of this test is left changed for the suites after it.
      await closeAllEditors();
      await git(root, ['checkout', '-q', '--', rel]);
    }
  });
});
