// Without the built-in Git extension. In the ordinary runs the Git extension is turned off at
// runtime with `git.enabled: false` (it then closes its repositories). Hosts can also be started
// without it or with it off (not part of `npm test`):
//   node test/host/run-integration.js --host stock --server-env VSCODE_SKIP_BUILTIN_EXTENSIONS=vscode.git --grep 'without the Git extension'
//   node test/host/run-integration.js --host stock --setting git.enabled=false --grep 'without the Git extension'
// Capture, the status bar and persistence keep working; the commit flow goes on through the git
// executable (staged share, manifest, trailers for terminal commits through the hook), and
// Restore Commit Trailers says why the Source Control message box cannot be used.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import { GitExtension } from '../../src/commit/gitApi';
import { snapshotDescribes } from './support/commit';
import { parseState } from '../../src/core/persistence/schema';
import { manifestRepoPath, parseManifest, rangeText, sha256Hex } from '../../src/core/manifest/schema';
import { parseTrailers } from '../../src/git/trailers';
import { EXTENSION_ID, closeAllEditors, hostTag, hostVariant, moveToEnd, saveDocument, waitFor, workspaceFolder } from './support/host';

interface CommitFlowState {
  gitExtension: string;
  repositories: { root: string; mode: 'scm' | 'hooks' }[];
}

function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: { ...process.env, GIT_EDITOR: 'true' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

function root(): string {
  return fs.realpathSync(workspaceFolder().uri.fsPath);
}

async function commitFlow(): Promise<CommitFlowState> {
  return vscode.commands.executeCommand('aiProvenance.internal.commitFlow');
}

async function modeOf(dir: string): Promise<string | undefined> {
  const state = await commitFlow();
  return state.repositories.find((r) => fs.realpathSync(r.root) === dir)?.mode;
}

async function statusBar(): Promise<{ text: string; tooltip: string; visible: boolean }> {
  return vscode.commands.executeCommand('aiProvenance.internal.statusBar');
}

const AI_CODE = 'function net(items) {\n  let sum = 0;\n  for (const item of items) sum += item.price - item.discount;\n  return sum;\n}\n';

describe(`without the Git extension ${hostTag()}`, function () {
  this.timeout(180_000);
  const gitConfig = () => vscode.workspace.getConfiguration('git');
  const hasGitExtension = () => !!vscode.extensions.getExtension('vscode.git');
  /** `git.enabled` in the user and workspace settings before the suite (the host may start with it false). */
  let userValue: unknown;
  let workspaceValue: unknown;
  /** What the commit flow should report: the Git extension runs without the folder, is off, or is missing. */
  let expected: { status: string; problem: RegExp };

  before(async () => {
    userValue = gitConfig().inspect('enabled')?.globalValue;
    workspaceValue = gitConfig().inspect('enabled')?.workspaceValue;
    if (!hasGitExtension()) expected = { status: 'missing', problem: /disabled or not installed/ };
    else if (gitConfig().get<boolean>('enabled') === false) expected = { status: 'off', problem: /git\.enabled is false/ };
    else {
      await gitConfig().update('enabled', false, vscode.ConfigurationTarget.Global);
      expected = { status: 'ready', problem: /git\.enabled is false for / };
    }
  });

  after(async () => {
    await closeAllEditors();
    if (!hasGitExtension()) return;
    await gitConfig().update('enabled', workspaceValue, vscode.ConfigurationTarget.Workspace);
    await gitConfig().update('enabled', userValue, vscode.ConfigurationTarget.Global);
  });

  it(`capture, persistence and the commit flow through git: staged share, manifest, hook trailers; Restore Commit Trailers explains ${hostTag()}`, async () => {
    const dir = root();
    await waitFor(async () => (await modeOf(dir)) === 'hooks', 60_000, `the repository is not handled through git: ${JSON.stringify(await commitFlow())}`, 250);
    const state = await commitFlow();
    assert.strictEqual(state.gitExtension, expected.status);
    if (vscode.extensions.getExtension<GitExtension>('vscode.git')?.isActive) {
      const exports = vscode.extensions.getExtension<GitExtension>('vscode.git')!.exports;
      const open = exports.enabled ? exports.getAPI(1).repositories.map((r) => fs.realpathSync(r.rootUri.fsPath)) : [];
      assert.ok(!open.includes(dir), 'the Git extension still has the repository open');
    }

    // Capture and the status bar.
    const a = (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
    const rel = `src/no-git-ext-${hostVariant()}.js`;
    const uri = vscode.Uri.file(path.join(dir, rel));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode("'use strict';\n// written by a person\n"));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    moveToEnd(editor);
    const start = doc.positionAt(doc.getText().length);
    assert.ok(await editor.edit((b) => b.insert(start, AI_CODE)));
    assert.ok(a.recordAiEdit(uri, new vscode.Range(start, doc.positionAt(doc.getText().length)), { tool: 'solo-agent', model: 'model-9', kind: 'agent' }));
    await saveDocument(doc);
    assert.strictEqual(a.getFileShare(uri)?.aiLines, 5);
    await waitFor(async () => /^\$\(sparkle\) AI \d+%$/.test((await statusBar()).text), 10_000, `status bar: ${JSON.stringify(await statusBar())}`, 100);

    // Persistence (in the git dir, found with git or by reading .git).
    await vscode.commands.executeCommand('aiProvenance.internal.flushProvenance');
    const saved = parseState(fs.readFileSync(path.join(dir, '.git', 'ai-provenance', 'state.json'), 'utf8')).state;
    assert.deepStrictEqual(saved.files[rel]?.runs.map((r) => r.text), [AI_CODE]);

    // The commit hook installs without the Git extension.
    await vscode.commands.executeCommand('aiProvenance.installCommitHook');
    const hook = path.join(dir, '.git', 'hooks', 'prepare-commit-msg');
    await waitFor(() => fs.existsSync(hook) && fs.readFileSync(hook, 'utf8').includes('ai-provenance-hook'), 10_000, 'hook not installed');
    try {
      // Staging from a terminal is noticed: snapshot for the hook, manifest staged, staged share shown.
      await git(dir, 'add', '--', rel);
      const blob = (await git(dir, 'rev-parse', `:${rel}`)).trim();
      await waitFor(() => snapshotDescribes(path.join(dir, '.git'), rel, blob), 30_000, 'the snapshot for the hook was not written', 200);
      await waitFor(async () => (await git(dir, 'diff', '--cached', '--name-only')).includes('.ai-provenance/'), 30_000, 'manifest not staged', 200);
      await waitFor(async () => /Staged: \d+% AI \(5 of 7 added lines\)/.test((await statusBar()).tooltip), 20_000, `no staged share: ${JSON.stringify((await statusBar()).tooltip)}`, 200);

      await git(dir, 'commit', '-q', '-m', 'Commit without the Git extension');
      const message = await git(dir, 'log', '-1', '--format=%B');
      const trailers = await parseTrailers(message, dir);
      const value = (key: string) => trailers.filter((t) => t.key === key).map((t) => t.value);
      assert.deepStrictEqual(value('AI-Assisted'), ['yes'], message);
      assert.deepStrictEqual(value('Assisted-by'), ['solo-agent:model-9'], message);
      const [id] = value('AI-Provenance');
      assert.ok(id, message);
      const parsed = parseManifest(await git(dir, 'show', `HEAD:${manifestRepoPath(id)}`));
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
      const entry = parsed.value.files.find((f) => f.path === rel);
      assert.ok(entry, JSON.stringify(parsed.value.files));
      const committed = await git(dir, 'show', `HEAD:${rel}`);
      assert.strictEqual(entry.aiLines, 5);
      for (const r of entry.ranges) assert.strictEqual(r.sha256, sha256Hex(rangeText(committed, r.startLine, r.endLine)));
    } finally {
      await vscode.commands.executeCommand('aiProvenance.uninstallCommitHook');
    }

    // The message box cannot be used: the command says why and what to do instead.
    const said = await vscode.commands.executeCommand<string | undefined>('aiProvenance.restoreCommitTrailers');
    assert.ok(said, 'Restore Commit Trailers said nothing');
    assert.match(said, /belongs to the built-in Git extension/);
    assert.match(said, expected.problem);
    assert.match(said, /Install Commit Hook/);
  });

  it(`git.enabled back on: the repository returns to the Git extension and its message box ${hostTag()}`, async function () {
    if (!hasGitExtension()) this.skip();
    // In the workspace: that wins over user and remote machine settings (where a host may have it off).
    await gitConfig().update('enabled', true, vscode.ConfigurationTarget.Workspace);
    const dir = root();
    await waitFor(async () => (await modeOf(dir)) === 'scm', 60_000, `the repository did not return to the Git extension: ${JSON.stringify(await commitFlow())}`, 250);
    const said = await vscode.commands.executeCommand<string | undefined>('aiProvenance.restoreCommitTrailers');
    assert.strictEqual(said, undefined, 'Restore Commit Trailers works again');
  });
});
