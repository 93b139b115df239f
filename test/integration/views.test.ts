// What people see, in a real VS Code: the decorations of AI lines (and how they follow edits), the
// hover over AI text, the toggle, and the data of the report panel.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import type { DecorationState } from '../../src/views/decorations';
import type { ReportModel } from '../../src/core/presentation/reportModel';
import { formatUtc } from '../../src/core/presentation/labels';
import { EXTENSION_ID, closeAllEditors, hostTag, hoverText, openScratchFile, typeText, waitFor, workspaceFolder } from './support/host';

const CONTENT = ['const a = 1;', 'const b = 2;', 'const c = 3;', 'const d = 4;', ''].join('\n');
const ORIGIN = { tool: 'test-agent', model: 'm-1', kind: 'agent' as const };

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

async function decorations(): Promise<DecorationState> {
  return vscode.commands.executeCommand<DecorationState>('aiProvenance.internal.decorations');
}

/** The marked line spans of `doc`'s editor once they equal `expected` (waits for the debounce). */
async function waitForLines(doc: vscode.TextDocument, expected: [number, number][], timeoutMs = 3000): Promise<void> {
  let last: unknown;
  await waitFor(
    async () => {
      const s = await decorations();
      const e = s.editors.find((x) => x.uri === doc.uri.toString());
      last = e?.lines;
      return e && JSON.stringify(e.lines) === JSON.stringify(expected);
    },
    timeoutMs,
    `expected marked lines ${JSON.stringify(expected)} in ${doc.uri.toString()}, last seen ${JSON.stringify(last)}`,
  );
}

/** The Markdown of every hover VS Code would show at `position`, joined. */
async function setDecorationsEnabled(value: boolean | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('aiProvenance.decorations').update('enabled', value, vscode.ConfigurationTarget.Global);
}

/** A scratch file whose lines 2-3 (1-based) are recorded as an agent's edit. */
async function fileWithAiLines(name: string): Promise<vscode.TextEditor> {
  const editor = await openScratchFile(name, CONTENT);
  const a = await api();
  await waitFor(() => a.getFileShare(editor.document.uri), 5000, 'document is tracked');
  assert.ok(a.recordAiEdit(editor.document.uri, new vscode.Range(1, 0, 2, 12), ORIGIN), 'recordAiEdit refused');
  return editor;
}

describe(`views ${hostTag()}`, () => {
  afterEach(async () => {
    await setDecorationsEnabled(undefined);
    await vscode.workspace.getConfiguration('aiProvenance.decorations').update('highlightText', undefined, vscode.ConfigurationTarget.Global);
    await closeAllEditors();
  });

  it(`marks the AI lines of a visible editor and follows edits ${hostTag()}`, async () => {
    const editor = await fileWithAiLines('marked.js');
    const doc = editor.document;
    await waitForLines(doc, [[1, 2]]);

    // A line typed above the AI lines moves their marks down.
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await typeText('// typed\n');
    await waitForLines(doc, [[2, 3]]);

    // Deleting the AI text removes its marks.
    const ok = await editor.edit((b) => b.delete(new vscode.Range(2, 0, 4, 0)));
    assert.ok(ok);
    await waitForLines(doc, []);
  });

  it(`in a long file marks the AI lines around the visible ones, and those scrolled to ${hostTag()}`, async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `const v${i} = ${i};`);
    const editor = await openScratchFile('long.js', lines.join('\n') + '\n');
    const doc = editor.document;
    const a = await api();
    await waitFor(() => a.getFileShare(doc.uri), 5000, 'document is tracked');
    assert.ok(a.recordAiEdit(doc.uri, new vscode.Range(2, 0, 2, lines[2].length), ORIGIN), 'recordAiEdit refused (line 3)');
    assert.ok(a.recordAiEdit(doc.uri, new vscode.Range(2900, 0, 2900, lines[2900].length), ORIGIN), 'recordAiEdit refused (line 2901)');
    // The top of the file is shown: line 2901 is far below the lines marked around it.
    await waitForLines(doc, [[2, 2]]);
    assert.strictEqual(a.getFileShare(doc.uri)?.aiLines, 2, 'the status bar counts the whole file');
    editor.revealRange(new vscode.Range(2900, 0, 2900, 0), vscode.TextEditorRevealType.InCenter);
    await waitForLines(doc, [[2900, 2900]]);
    // An edit far above the visible lines moves the marks with it.
    const ok = await editor.edit((b) => b.insert(new vscode.Position(0, 0), '// one\n// two\n'));
    assert.ok(ok);
    await waitForLines(doc, [[2902, 2902]]);
    editor.revealRange(new vscode.Range(0, 0, 0, 0), vscode.TextEditorRevealType.AtTop);
    await waitForLines(doc, [[4, 4]]);
  });

  it(`the hover names kind, tool, model and lines of the AI text under the mouse ${hostTag()}`, async () => {
    const editor = await fileWithAiLines('hover.js');
    const doc = editor.document;
    await waitForLines(doc, [[1, 2]]);
    const text = await hoverText(doc.uri, new vscode.Position(2, 7));
    assert.match(text, /AI-produced/);
    assert.match(text, /Agent edit/);
    assert.match(text, /`test-agent`/);
    assert.match(text, /`m-1`/);
    assert.match(text, /lines 2\u20133/);
    // The time shown is the one recorded for the range (the relative part depends on the clock).
    const recorded = (await api()).getRanges(doc.uri).find((r) => r.tool === 'test-agent');
    assert.ok(recorded, 'no recorded range for test-agent');
    assert.ok(text.includes(formatUtc(recorded.timestamp)), `hover lacks the recorded time ${formatUtc(recorded.timestamp)}`);
    // Not over human text.
    assert.doesNotMatch(await hoverText(doc.uri, new vscode.Position(0, 7)), /AI-produced/);
    assert.doesNotMatch(await hoverText(doc.uri, new vscode.Position(3, 7)), /AI-produced/);
  });

  it(`the toggle command turns marks and hover off and back on ${hostTag()}`, async () => {
    const editor = await fileWithAiLines('toggle.js');
    const doc = editor.document;
    await waitForLines(doc, [[1, 2]]);

    const off = await vscode.commands.executeCommand<boolean>('aiProvenance.toggleDecorations');
    assert.strictEqual(off, false);
    assert.strictEqual(vscode.workspace.getConfiguration('aiProvenance.decorations').get('enabled'), false);
    await waitForLines(doc, []);
    assert.strictEqual((await decorations()).enabled, false);
    assert.doesNotMatch(await hoverText(doc.uri, new vscode.Position(1, 7)), /AI-produced/);

    const on = await vscode.commands.executeCommand<boolean>('aiProvenance.toggleDecorations');
    assert.strictEqual(on, true);
    await waitForLines(doc, [[1, 2]]);
    assert.match(await hoverText(doc.uri, new vscode.Position(1, 7)), /AI-produced/);
  });

  it(`highlightText also marks the exact AI characters, and only while it is on ${hostTag()}`, async () => {
    const editor = await fileWithAiLines('highlight.js');
    const doc = editor.document;
    await waitForLines(doc, [[1, 2]]);
    const characters = async () => (await decorations()).editors.find((e) => e.uri === doc.uri.toString())?.characters;
    assert.strictEqual(await characters(), 0);
    const config = () => vscode.workspace.getConfiguration('aiProvenance.decorations');
    await config().update('highlightText', true, vscode.ConfigurationTarget.Global);
    await waitFor(async () => (await characters()) === 1, 3000, 'the AI range was not highlighted');
    // A second, separate AI range on line 4.
    assert.ok((await api()).recordAiEdit(doc.uri, new vscode.Range(3, 6, 3, 7), ORIGIN));
    await waitFor(async () => (await characters()) === 2, 3000, 'the second AI range was not highlighted');
    await waitForLines(doc, [[1, 3]]);
    await config().update('highlightText', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(async () => (await characters()) === 0, 3000, 'the highlight stayed after the setting was turned off');
    await waitForLines(doc, [[1, 3]]);
  });

  it(`the report describes the current file as the status bar counts it ${hostTag()}`, async () => {
    const editor = await fileWithAiLines('report.js');
    const doc = editor.document;
    const model = await vscode.commands.executeCommand<ReportModel>('aiProvenance.showReport');
    assert.ok(model, 'showReport returned no model');
    const file = model.file;
    assert.strictEqual(file.state, 'tracked', JSON.stringify(file));
    if (file.state !== 'tracked') return;
    assert.strictEqual(file.path, vscode.workspace.asRelativePath(doc.uri, false));
    assert.strictEqual(file.aiLines, 2);
    assert.strictEqual(file.nonBlankLines, 4);
    assert.strictEqual(file.share.percentLabel, '50%');
    const share = (await api()).getFileShare(doc.uri)!;
    assert.strictEqual(file.aiLines, share.aiLines);
    assert.deepStrictEqual(
      file.ranges.map((r) => [r.lines, r.kind, r.tool, r.model]),
      [['lines 2\u20133', 'agent', 'test-agent', 'm-1']],
    );
    assert.deepStrictEqual(
      file.tools.map((t) => [t.label, t.value]),
      [['test-agent:m-1', 2]],
    );
    // The panel is open beside the editor.
    await waitFor(
      () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('aiProvenance.report')),
      5000,
      'no report tab opened',
    );
  });

  it(`the report follows the active editor and keeps describing it while the panel has focus ${hostTag()}`, async () => {
    const first = await fileWithAiLines('follow-a.js');
    let model = await vscode.commands.executeCommand<ReportModel>('aiProvenance.showReport');
    assert.strictEqual(model.file.state === 'tracked' && model.file.path, vscode.workspace.asRelativePath(first.document.uri, false));
    const second = await openScratchFile('follow-b.js', 'let x = 1;\n');
    assert.strictEqual(vscode.window.activeTextEditor?.document, second.document);
    model = await vscode.commands.executeCommand<ReportModel>('aiProvenance.showReport');
    assert.ok(model.file.state === 'tracked', JSON.stringify(model.file));
    if (model.file.state !== 'tracked') return;
    assert.strictEqual(model.file.path, vscode.workspace.asRelativePath(second.document.uri, false));
    assert.strictEqual(model.file.aiLines, 0);
    assert.deepStrictEqual(model.file.ranges, []);
    // Focus the panel: no text editor is active, the report still describes the last one.
    await vscode.commands.executeCommand('workbench.action.focusNextGroup');
    await waitFor(() => vscode.window.activeTextEditor === undefined, 5000, 'the report panel did not take focus');
    model = await vscode.commands.executeCommand<ReportModel>('aiProvenance.showReport');
    assert.strictEqual(model.file.state === 'tracked' && model.file.path, vscode.workspace.asRelativePath(second.document.uri, false));
  });

  it(`the report shows the staged change as the commit flow measures it, with its trailers ${hostTag()}`, async () => {
    const editor = await fileWithAiLines('staged.js');
    const doc = editor.document;
    assert.ok(await doc.save(), 'save failed');
    const root = workspaceFolder().uri.fsPath;
    const rel = vscode.workspace.asRelativePath(doc.uri, false);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
    git('add', '--', rel);
    try {
      const added = Number(/^(\d+)\t/.exec(git('diff', '--cached', '--numstat', '--', rel))![1]);
      assert.strictEqual(added, 4);
      let last: ReportModel | undefined;
      const staged = await waitFor(
        async () => {
          last = await vscode.commands.executeCommand<ReportModel>('aiProvenance.showReport');
          const s = last.staged;
          return s.state === 'available' && s.files.some((f) => f.label === rel) ? s : undefined;
        },
        15000,
        `the report's staged section never listed ${rel}`,
        250,
      ).catch((err) => {
        throw new Error(`${err.message}; last staged section: ${JSON.stringify(last?.staged)}`);
      });
      const row = staged.files.find((f) => f.label === rel)!;
      assert.strictEqual(row.detail, `2 of ${added} lines`);
      assert.strictEqual(row.percentLabel, '50%');
      assert.deepStrictEqual(
        staged.tools.map((t) => [t.label, t.value]),
        [['test-agent:m-1', 2]],
      );
      assert.ok(staged.trailers.some((t) => /^AI-Assisted: /.test(t)), `trailers: ${JSON.stringify(staged.trailers)}`);
      assert.ok(staged.trailers.some((t) => /^AI-Provenance: /.test(t)), `a manifest is referenced: ${JSON.stringify(staged.trailers)}`);
      assert.ok(staged.notes.some((n) => /^Manifest /.test(n)), `notes: ${JSON.stringify(staged.notes)}`);
    } finally {
      git('reset', '-q', '--', rel);
      // The commit flow unstages the manifest it staged for this change; leave the index clean.
      await waitFor(() => git('diff', '--cached', '--name-only').trim() === '', 10000, 'the index did not become clean again', 200).catch(() => {
        git('reset', '-q');
      });
    }
  });
});
