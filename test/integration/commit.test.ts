// The commit flow in a real host: AI text recorded in the editor, staged, committed from the
// Source Control view (Git extension API + `git.commit`) and from a terminal-like child process
// with the hook installed; the commit's trailers and manifest are checked against git itself.
import * as assert from 'assert';
import { execFile } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { AiProvenanceApi } from '../../src/api';
import { GitAPI, GitExtension, GitRepository } from '../../src/commit/gitApi';
import { snapshotPath } from '../../src/commit/snapshot';
import { snapshotDescribes } from './support/commit';
import { Manifest, manifestRepoPath, parseManifest, rangeText, sha256Hex } from '../../src/core/manifest/schema';
import { Trailer } from '../../src/core/trailers/trailers';
import { parseTrailers } from '../../src/git/trailers';
import { EXTENSION_ID, FIXTURE_EXTENSION_ID, closeAllEditors, fixture, hostTag, hostVariant, moveToEnd, saveDocument, triggerAndAcceptInline, waitFor, workspaceFolder } from './support/host';

function git(cwd: string, ...args: string[]): Promise<string> {
  return gitWithEnv(cwd, {}, ...args);
}

function gitWithEnv(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: { ...process.env, GIT_EDITOR: 'true', ...env } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Runs git and returns what it (and the hooks it ran) printed on stderr. */
function gitStderr(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: { ...process.env, GIT_EDITOR: 'true' } }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stderr);
    });
  });
}

async function gitApi(): Promise<GitAPI> {
  const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
  assert.ok(ext, 'the built-in Git extension is not available');
  const exports = ext.isActive ? ext.exports : await ext.activate();
  return exports.getAPI(1);
}

async function repository(root: string): Promise<GitRepository> {
  const api = await gitApi();
  return waitFor(() => api.repositories.find((r) => path.resolve(r.rootUri.fsPath) === path.resolve(root)), 20000, `the Git extension did not open ${root}`);
}

async function extensionApi(): Promise<AiProvenanceApi> {
  const ext = vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID);
  assert.ok(ext);
  return ext.activate();
}

const AGENT_CODE = 'function total(items) {\n  let sum = 0;\n  for (const item of items) sum += item.price * item.quantity;\n  return sum;\n}\n';

/** Creates `rel` with a human header, appends AI code recorded through the API, saves it. */
async function writeWithAgentCode(api: AiProvenanceApi, rel: string, tool: string, model: string): Promise<vscode.TextDocument> {
  const root = workspaceFolder().uri;
  const uri = vscode.Uri.joinPath(root, rel);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode("'use strict';\n// written by a person\n"));
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  moveToEnd(editor);
  const start = doc.positionAt(doc.getText().length);
  assert.ok(await editor.edit((b) => b.insert(start, AGENT_CODE)));
  const end = doc.positionAt(doc.getText().length);
  assert.ok(api.recordAiEdit(uri, new vscode.Range(start, end), { tool, model, kind: 'agent' }), 'recordAiEdit refused the range');
  await saveDocument(doc);
  return doc;
}

/**
 * Terminal commits of one path: manifests go to notes (`git commit -- <path>` then takes nothing
 * else along, and no manifest file is left staged for the suites after this one) and the commit
 * hooks are installed. Undo both with `leaveTerminalCommits`.
 */
async function enterTerminalCommits(root: string): Promise<void> {
  await vscode.workspace.getConfiguration('aiProvenance').update('manifest.location', 'notes', vscode.ConfigurationTarget.Workspace);
  await vscode.commands.executeCommand('aiProvenance.installCommitHook');
  const hook = path.join(root, '.git', 'hooks', 'prepare-commit-msg');
  await waitFor(() => fs.existsSync(hook) && fs.readFileSync(hook, 'utf8').includes('ai-provenance-hook'), 10000, 'hook not installed');
}

async function leaveTerminalCommits(): Promise<void> {
  await vscode.commands.executeCommand('aiProvenance.uninstallCommitHook');
  await vscode.workspace.getConfiguration('aiProvenance').update('manifest.location', 'repo', vscode.ConfigurationTarget.Workspace);
}

function trailerValues(trailers: readonly Trailer[], key: string): string[] {
  return trailers.filter((t) => t.key.toLowerCase() === key.toLowerCase()).map((t) => t.value);
}

/** Checks HEAD's manifest against `git show HEAD:<file>` and returns it. */
async function checkHeadManifest(root: string, id: string, file: string, expectedAiLines: number): Promise<Manifest> {
  const raw = await git(root, 'show', `HEAD:${manifestRepoPath(id)}`);
  const parsed = parseManifest(raw);
  assert.ok(parsed.ok, `manifest invalid: ${JSON.stringify(!parsed.ok && parsed.errors)}`);
  const m = parsed.value;
  assert.strictEqual(m.id, id);
  assert.strictEqual(m.base, (await git(root, 'rev-parse', 'HEAD^')).trim());
  const entry = m.files.find((f) => f.path === file);
  assert.ok(entry, `${file} not in the manifest (${m.files.map((f) => f.path).join(', ')})`);
  const committed = await git(root, 'show', `HEAD:${file}`);
  assert.strictEqual(entry.sha256, sha256Hex(Buffer.from(committed, 'utf8')));
  assert.strictEqual(entry.aiLines, expectedAiLines);
  for (const r of entry.ranges) assert.strictEqual(r.sha256, sha256Hex(rangeText(committed, r.startLine, r.endLine)), `range ${r.startLine}-${r.endLine}`);
  // The manifest is part of the very commit it describes.
  const changed = (await git(root, 'diff-tree', '--no-commit-id', '--name-only', '-r', 'HEAD')).split('\n');
  assert.ok(changed.includes(manifestRepoPath(id)), `manifest not added by HEAD: ${changed.join(', ')}`);
  return m;
}

describe(`commit flow ${hostTag()}`, function () {
  this.timeout(120000);

  before(async () => {
    await vscode.workspace.getConfiguration('aiProvenance').update('manifest.location', 'repo', vscode.ConfigurationTarget.Workspace);
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it(`SCM view: AI edit staged, trailers appear in the message box, git.commit writes them and the manifest ${hostTag()}`, async () => {
    const api = await extensionApi();
    const root = workspaceFolder().uri.fsPath;
    const repo = await repository(root);
    const rel = 'src/scm-total.js';
    await writeWithAgentCode(api, rel, 'test-agent', 'model-1');

    // An accepted inline completion in a second file (the fixture AI is loaded by our harness;
    // under a host without it the agent edit alone carries the test).
    let inlineFile: string | undefined;
    if (vscode.extensions.getExtension(FIXTURE_EXTENSION_ID)) {
      const fx = await fixture();
      const uri = vscode.Uri.joinPath(workspaceFolder().uri, 'src/scm-inline.js');
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('// inline\n'));
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
      moveToEnd(editor);
      await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().length), fx.MULTI_LINE_TRIGGER));
      moveToEnd(editor);
      await triggerAndAcceptInline(editor, 15000, 'aiProvenance.acceptInlineSuggestion');
      await waitFor(() => api.getRanges(uri).some((r) => r.kind === 'inline' || r.kind === 'inlinePartial'), 5000, 'accepted completion not recorded');
      await saveDocument(editor.document);
      inlineFile = 'src/scm-inline.js';
    }

    await repo.add([path.join(root, rel), ...(inlineFile ? [path.join(root, inlineFile)] : [])]);
    repo.inputBox.value = 'Add order total';
    const box = await waitFor(() => (/AI-Assisted: yes/.test(repo.inputBox.value) && /AI-Provenance: /.test(repo.inputBox.value) ? repo.inputBox.value : undefined), 20000, `trailers never appeared in the box (box: ${JSON.stringify(repo.inputBox.value)})`);
    assert.ok(box.startsWith('Add order total\n\n'), `the user's text was changed: ${JSON.stringify(box)}`);
    assert.match(box, /Assisted-by: test-agent:model-1/);
    const staged = (await git(root, 'diff', '--cached', '--name-only')).split('\n');
    assert.ok(staged.some((p) => p.startsWith('.ai-provenance/')), `manifest not staged: ${staged.join(', ')}`);

    const headBefore = (await git(root, 'rev-parse', 'HEAD')).trim();
    await vscode.commands.executeCommand('git.commit', repo);
    await waitFor(async () => (await git(root, 'rev-parse', 'HEAD')).trim() !== headBefore, 20000, 'git.commit did not create a commit');

    const message = await git(root, 'log', '-1', '--format=%B');
    assert.ok(message.startsWith('Add order total\n\n'), message);
    const trailers = await parseTrailers(message, root);
    assert.deepStrictEqual(trailerValues(trailers, 'AI-Assisted'), ['yes']);
    assert.deepStrictEqual(trailerValues(trailers, 'Review-Required'), ['senior']);
    assert.ok(trailerValues(trailers, 'Assisted-by').includes('test-agent:model-1'));
    assert.strictEqual(trailerValues(trailers, 'AI-Contribution').length, 1);
    const ids = trailerValues(trailers, 'AI-Provenance');
    assert.strictEqual(ids.length, 1);
    const m = await checkHeadManifest(root, ids[0], rel, 5);
    if (inlineFile) {
      assert.ok(m.totals.byKind.inline, `inline lines missing: ${JSON.stringify(m.totals.byKind)}`);
      const inlineEntry = m.files.find((f) => f.path === inlineFile);
      assert.ok(inlineEntry && inlineEntry.aiLines > 0, `inline file not counted: ${JSON.stringify(inlineEntry)}`);
      const committed = await git(root, 'show', `HEAD:${inlineFile}`);
      assert.strictEqual(inlineEntry.sha256, sha256Hex(Buffer.from(committed, 'utf8')));
    }

    // Committed AI lines no longer count toward the next staged change, but stay known.
    await waitFor(() => !/AI-Assisted/.test(repo.inputBox.value), 10000, 'box still carries trailers after the commit');
    const uri = vscode.Uri.joinPath(workspaceFolder().uri, rel);
    assert.ok(api.getRanges(uri).some((r) => r.kind === 'agent'), 'provenance of committed lines was lost');
  });

  it(`deleting our trailers from the box keeps them out of that commit ${hostTag()}`, async () => {
    const api = await extensionApi();
    const root = workspaceFolder().uri.fsPath;
    const repo = await repository(root);
    const rel = 'src/scm-declined.js';
    await writeWithAgentCode(api, rel, 'test-agent', 'model-1');
    await repo.add([path.join(root, rel)]);
    repo.inputBox.value = 'Declined trailers\n\nSigned-off-by: Dev <dev@example.com>';
    await waitFor(() => /AI-Assisted: yes/.test(repo.inputBox.value), 20000, 'trailers never appeared');
    repo.inputBox.value = 'Declined trailers\n\nSigned-off-by: Dev <dev@example.com>';
    await new Promise((r) => setTimeout(r, 4000));
    assert.strictEqual(repo.inputBox.value, 'Declined trailers\n\nSigned-off-by: Dev <dev@example.com>', 'trailers were put back after the user removed them');
    await vscode.commands.executeCommand('aiProvenance.restoreCommitTrailers');
    await waitFor(() => /AI-Assisted: yes/.test(repo.inputBox.value), 20000, 'restore did not bring the trailers back');
    assert.ok(repo.inputBox.value.startsWith('Declined trailers\n\nSigned-off-by: Dev <dev@example.com>\nAI-Assisted: yes'), repo.inputBox.value);
    await git(root, 'reset', '-q');
    repo.inputBox.value = '';
  });

  it(`notes location: the manifest becomes the note of the commit made from the SCM view ${hostTag()}`, async () => {
    const config = vscode.workspace.getConfiguration('aiProvenance');
    await config.update('manifest.location', 'notes', vscode.ConfigurationTarget.Workspace);
    try {
      const api = await extensionApi();
      const root = workspaceFolder().uri.fsPath;
      const repo = await repository(root);
      const rel = 'src/notes-total.js';
      await writeWithAgentCode(api, rel, 'notes-agent', 'model-3');
      await repo.add([path.join(root, rel)]);
      repo.inputBox.value = 'Notes commit';
      const box = await waitFor(() => (/AI-Provenance: /.test(repo.inputBox.value) ? repo.inputBox.value : undefined), 20000, 'trailers never appeared');
      const id = /AI-Provenance: (\S+)/.exec(box)![1];
      const staged = await git(root, 'diff', '--cached', '--name-only');
      assert.ok(!staged.includes('.ai-provenance/'), `a manifest file is staged in notes mode: ${staged}`);
      const headBefore = (await git(root, 'rev-parse', 'HEAD')).trim();
      await vscode.commands.executeCommand('git.commit', repo);
      await waitFor(async () => (await git(root, 'rev-parse', 'HEAD')).trim() !== headBefore, 20000, 'git.commit did not create a commit');
      const note = await waitFor(async () => git(root, 'notes', '--ref', 'refs/notes/ai-provenance', 'show', 'HEAD').catch(() => undefined), 20000, 'no note on the new commit');
      const parsed = parseManifest(note);
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
      assert.strictEqual(parsed.value.id, id);
      const entry = parsed.value.files.find((f) => f.path === rel)!;
      const committed = await git(root, 'show', `HEAD:${rel}`);
      assert.strictEqual(entry.sha256, sha256Hex(Buffer.from(committed, 'utf8')));
      for (const r of entry.ranges) assert.strictEqual(r.sha256, sha256Hex(rangeText(committed, r.startLine, r.endLine)));
    } finally {
      await config.update('manifest.location', 'repo', vscode.ConfigurationTarget.Workspace);
    }
  });

  it(`terminal: git commit with the installed hook writes trailers and the manifest ${hostTag()}`, async () => {
    const api = await extensionApi();
    const root = workspaceFolder().uri.fsPath;
    await repository(root);
    const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
    const help = await new Promise<string>((resolve) =>
      execFile(process.execPath, [cli, 'hook', '--help'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (_e, out, err) => resolve(`${out}${err}`)),
    );
    assert.match(help, /prepare-commit-msg/, `dist/cli.js has no 'hook' subcommand (the CLI's command table must load src/cli/commands/hook): ${help.slice(0, 200)}`);
    await vscode.commands.executeCommand('aiProvenance.installCommitHook');
    const hook = path.join(root, '.git', 'hooks', 'prepare-commit-msg');
    await waitFor(() => fs.existsSync(hook) && fs.readFileSync(hook, 'utf8').includes('ai-provenance-hook'), 10000, 'hook not installed');

    const rel = 'src/terminal-total.js';
    await writeWithAgentCode(api, rel, 'terminal-agent', 'model-2');
    await git(root, 'add', '--', rel);
    // The extension notices the staging and writes its snapshot for the hook.
    const blob = (await git(root, 'rev-parse', `:${rel}`)).trim();
    const gitDir = path.join(root, '.git');
    await waitFor(() => snapshotDescribes(gitDir, rel, blob), 20000, 'the snapshot for the hook was not written');
    await waitFor(async () => (await git(root, 'diff', '--cached', '--name-only')).includes('.ai-provenance/'), 20000, 'manifest not staged');

    // The hooks' program is loaded with a code cache (dist/cli.js); it is kept in a folder of the test's.
    const codeCache = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-hook-code-cache-'));
    await gitWithEnv(root, { AI_PROVENANCE_CODE_CACHE: codeCache }, 'commit', '-q', '-m', 'Terminal commit', '-m', 'Co-authored-by: Copilot <copilot@github.com>');
    const cached = fs.readdirSync(codeCache).map((f) => f.replace(/-\d.*$/, '')).sort();
    fs.rmSync(codeCache, { recursive: true, force: true });
    // A commit with -m starts the program once: commit-msg finds the message unchanged and
    // post-commit has no note to write (the manifest is in the commit), so both end in the shell.
    assert.deepStrictEqual(cached, ['cli-main-hook-prepare-commit-msg'], 'only prepare-commit-msg started the hooks\' program, with its code cache');
    const message = await git(root, 'log', '-1', '--format=%B');
    const trailers = await parseTrailers(message, root);
    assert.deepStrictEqual(trailers[0], { key: 'Co-authored-by', value: 'Copilot <copilot@github.com>' }, message);
    assert.deepStrictEqual(trailerValues(trailers, 'AI-Assisted'), ['yes'], message);
    assert.deepStrictEqual(trailerValues(trailers, 'Assisted-by'), ['terminal-agent:model-2'], message);
    assert.strictEqual(trailerValues(trailers, 'Co-authored-by').length, 1);
    const id = trailerValues(trailers, 'AI-Provenance')[0];
    assert.ok(id, message);
    await checkHeadManifest(root, id, rel, 5);
    await vscode.commands.executeCommand('aiProvenance.uninstallCommitHook');
  });

  it(`terminal: a commit made right after the save, before the editor has described the staged change, still carries the AI lines ${hostTag()}`, async () => {
    const api = await extensionApi();
    const root = workspaceFolder().uri.fsPath;
    await repository(root);
    await enterTerminalCommits(root);
    const rel = `src/quick-${hostVariant()}-${randomUUID().slice(0, 8)}.js`;
    try {
      // Staged and committed at once: neither the editor's snapshot for the hooks (refreshed a
      // moment after the index changes) nor a debounced save of state.json can describe it yet;
      // the save itself must have written the AI text's provenance.
      const uri = vscode.Uri.joinPath(workspaceFolder().uri, rel);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode("'use strict';\n// written by a person\n"));
      const doc = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      // A file written a moment ago can refuse its first save (the watcher has not caught up):
      // saved once with the person's text, so that the save after the agent's edit is immediate.
      assert.ok(await editor.edit((b) => b.insert(doc.positionAt(doc.getText().length), '// mine\n')));
      await saveDocument(doc);
      const start = doc.positionAt(doc.getText().length);
      assert.ok(await editor.edit((b) => b.insert(start, AGENT_CODE)));
      assert.ok(api.recordAiEdit(uri, new vscode.Range(start, doc.positionAt(doc.getText().length)), { tool: 'quick-agent', model: 'model-q', kind: 'agent' }));
      assert.ok(await doc.save(), 'the save after the agent edit failed');
      await git(root, 'add', '--', rel);
      const said = await gitStderr(root, 'commit', '-q', '-m', 'Quick terminal commit', '--', rel);
      const message = await git(root, 'log', '-1', '--format=%B');
      const trailers = await parseTrailers(message, root);
      assert.deepStrictEqual(trailerValues(trailers, 'AI-Assisted'), ['yes'], `${message}; the hooks said: ${said}`);
      assert.deepStrictEqual(trailerValues(trailers, 'Assisted-by'), ['quick-agent:model-q'], message);
      const note = await waitFor(async () => git(root, 'notes', '--ref', 'refs/notes/ai-provenance', 'show', 'HEAD').catch(() => undefined), 20000, 'no note on HEAD');
      const parsed = parseManifest(note);
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
      assert.strictEqual(parsed.value.files.find((f) => f.path === rel)?.aiLines, 5, note);
    } finally {
      await leaveTerminalCommits();
    }
    assert.strictEqual((await git(root, 'status', '--porcelain', '--', rel)).trim(), '', 'nothing of this test is left staged or changed');
  });

  it(`risk rules of the committed policy: the box gets the highest level and AI-Risk, the manifest the rule's lines ${hostTag()}`, async () => {
    const api = await extensionApi();
    const root = workspaceFolder().uri.fsPath;
    const repo = await repository(root);
    const policy = {
      version: 1,
      review: { required: 'senior', levels: ['senior', 'principal'] },
      risk: {
        rules: [
          { id: 'pricing', patterns: ['\\bprice\\b'], level: 'principal', reason: 'a rounding change in pricing paid out refunds twice (incident 2025-21)', links: ['https://wiki.example.com/inc/2025-21'] },
          { id: 'infra', paths: ['infra/**'], level: 'principal', reason: 'not touched by this change' },
        ],
      },
    };
    fs.writeFileSync(path.join(root, '.ai-provenance.json'), JSON.stringify(policy, null, 2) + '\n');
    await git(root, 'add', '--', '.ai-provenance.json');
    await git(root, 'commit', '-q', '--no-verify', '-m', 'Risk policy', '-m', 'AI-Assisted: no');
    try {
      const rel = 'src/risk-total.js';
      await writeWithAgentCode(api, rel, 'risk-agent', 'model-4');
      await repo.add([path.join(root, rel)]);
      repo.inputBox.value = 'Pricing total';
      const box = await waitFor(() => (/AI-Risk: /.test(repo.inputBox.value) ? repo.inputBox.value : undefined), 20000, `AI-Risk never appeared: ${repo.inputBox.value}`);
      assert.match(box, /Review-Required: principal\nAI-Risk: pricing$/m, box);
      const headBefore = (await git(root, 'rev-parse', 'HEAD')).trim();
      await vscode.commands.executeCommand('git.commit', repo);
      await waitFor(async () => (await git(root, 'rev-parse', 'HEAD')).trim() !== headBefore, 20000, 'git.commit did not create a commit');
      const message = await git(root, 'log', '-1', '--format=%B');
      const trailers = await parseTrailers(message, root);
      assert.deepStrictEqual(trailerValues(trailers, 'Review-Required'), ['principal'], message);
      assert.deepStrictEqual(trailerValues(trailers, 'AI-Risk'), ['pricing'], message);
      const m = await checkHeadManifest(root, trailerValues(trailers, 'AI-Provenance')[0], rel, 5);
      // Line 5 of the committed file is the agent's `sum += item.price * item.quantity` line.
      assert.deepStrictEqual(
        m.risk?.map((h) => [h.id, h.level, h.files]),
        [['pricing', 'principal', [{ path: rel, lines: [[5, 5]] }]]],
      );
    } finally {
      await git(root, 'rm', '-q', '--', '.ai-provenance.json');
      await git(root, 'commit', '-q', '--no-verify', '-m', 'Drop the risk policy', '-m', 'AI-Assisted: no');
      repo.inputBox.value = '';
    }
  });

  it(`terminal: an amend and a rebase with the hook keep the AI lines of the commit they replace, in the manifest and the trailers ${hostTag()}`, async () => {
    const api = await extensionApi();
    const root = workspaceFolder().uri.fsPath;
    await repository(root);
    await enterTerminalCommits(root);
    const gitDir = path.join(root, '.git');
    const rel = `src/amend-${hostVariant()}-${randomUUID().slice(0, 8)}.js`;
    /** The snapshot the hook reads, in short: paths, blobs and AI ranges per version. */
    const snapshotSummary = (): string => {
      try {
        const s = JSON.parse(fs.readFileSync(snapshotPath(gitDir), 'utf8')) as { writtenAt: string; trailers: string; files: Array<{ path: string; versions: Array<{ blob: string; ranges: unknown[] }> }> };
        return JSON.stringify({ writtenAt: s.writtenAt, trailers: s.trailers, files: s.files.map((f) => [f.path, f.versions.map((v) => [v.blob.slice(0, 8), v.ranges.length])]) });
      } catch (e) {
        return String(e);
      }
    };
    let stagedSnapshot = '';
    /** Stages `rel` and waits until the extension's snapshot for the hook describes the staged blob. */
    const stage = async () => {
      await git(root, 'add', '--', rel);
      const blob = (await git(root, 'rev-parse', `:${rel}`)).trim();
      await waitFor(() => snapshotDescribes(gitDir, rel, blob), 20000, `the snapshot for the hook never described ${rel} as staged`);
      stagedSnapshot = `${snapshotSummary()} (index blob ${blob.slice(0, 8)}, at ${new Date().toISOString()})`;
    };
    /** HEAD's trailers, and its note checked against the committed text of `rel` (`said`: the hooks' stderr, for the messages). */
    const head = async (aiLines: number, said: string) => {
      const trailers = await parseTrailers(await git(root, 'log', '-1', '--format=%B'), root);
      const ids = trailerValues(trailers, 'AI-Provenance');
      if (ids.length !== 1) {
        // What the hook read: the extension's snapshot (paths, blobs, AI ranges per version) and the editor's ranges now.
        const committed = (await git(root, 'rev-parse', `HEAD:${rel}`)).trim().slice(0, 8);
        assert.fail(
          `${JSON.stringify(trailers)}; the hooks said: ${JSON.stringify(said)}; committed blob ${committed}; snapshot when staged ${stagedSnapshot}; ` +
            `snapshot now ${snapshotSummary()}; editor ranges ${JSON.stringify(api.getRanges(vscode.Uri.joinPath(workspaceFolder().uri, rel)).map((r) => r.kind))}; at ${new Date().toISOString()}`,
        );
      }
      const note = await waitFor(async () => git(root, 'notes', '--ref', 'refs/notes/ai-provenance', 'show', 'HEAD').catch(() => undefined), 20000, 'no note on HEAD');
      const parsed = parseManifest(note);
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
      const m = parsed.value;
      assert.strictEqual(m.id, ids[0]);
      assert.strictEqual(m.base, (await git(root, 'rev-parse', 'HEAD^')).trim());
      const entry = m.files.find((f) => f.path === rel);
      assert.ok(entry, JSON.stringify(m.files.map((f) => f.path)));
      const committed = await git(root, 'show', `HEAD:${rel}`);
      assert.strictEqual(entry.sha256, sha256Hex(Buffer.from(committed, 'utf8')));
      assert.strictEqual(entry.aiLines, aiLines);
      for (const r of entry.ranges) assert.strictEqual(r.sha256, sha256Hex(rangeText(committed, r.startLine, r.endLine)), `range ${r.startLine}-${r.endLine}`);
      return { trailers, manifest: m };
    };
    try {
      const doc = await writeWithAgentCode(api, rel, 'amend-agent', 'model-a');
      await stage();
      const first = await head(5, await gitStderr(root, 'commit', '-q', '-m', 'Agent total', '--', rel));
      assert.deepStrictEqual(trailerValues(first.trailers, 'AI-Contribution'), ['71% (5 of 7 added lines; agent 5)']);

      // A line typed by hand, then the commit is amended from a terminal: the AI lines stay, the
      // trailers are replaced (not added twice), the manifest names the one it replaces.
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      moveToEnd(editor);
      assert.ok(await editor.edit((b) => b.insert(doc.positionAt(doc.getText().length), 'module.exports = { total };\n')));
      assert.ok(await doc.save());
      await stage();
      const amended = await head(5, await gitStderr(root, 'commit', '-q', '--amend', '-m', 'Agent total, exported by hand', '--', rel));
      assert.deepStrictEqual(trailerValues(amended.trailers, 'AI-Assisted'), ['yes']);
      assert.deepStrictEqual(trailerValues(amended.trailers, 'AI-Contribution'), ['62% (5 of 8 added lines; agent 5)']);
      assert.deepStrictEqual(trailerValues(amended.trailers, 'Assisted-by'), ['amend-agent:model-a']);
      assert.ok(amended.manifest.carriedFrom?.some((c) => c.id === first.manifest.id), JSON.stringify(amended.manifest.carriedFrom));

      // A rebase that replays the commit (git rebase --force-rebase HEAD^: no editor, same tree).
      const dirty = (await git(root, 'status', '--porcelain', '--untracked-files=no')).trim();
      assert.strictEqual(dirty, '', `the work tree must be clean for the rebase (left by an earlier test?): ${dirty}`);
      const before = (await git(root, 'rev-parse', 'HEAD')).trim();
      const said = await gitStderr(root, '-c', 'rebase.autoStash=false', 'rebase', '-q', '--force-rebase', 'HEAD^');
      assert.notStrictEqual((await git(root, 'rev-parse', 'HEAD')).trim(), before, 'the rebase made a new commit');
      const rebased = await head(5, said);
      assert.deepStrictEqual(trailerValues(rebased.trailers, 'AI-Contribution'), ['62% (5 of 8 added lines; agent 5)']);
      assert.deepStrictEqual(trailerValues(rebased.trailers, 'AI-Assisted'), ['yes']);
      assert.ok(rebased.manifest.carriedFrom?.some((c) => c.id === amended.manifest.id), JSON.stringify(rebased.manifest.carriedFrom));
    } finally {
      await leaveTerminalCommits();
    }
    assert.strictEqual((await git(root, 'status', '--porcelain', '--', rel)).trim(), '', 'nothing of this test is left staged or changed');
  });
});
