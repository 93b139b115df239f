// Committing from inside the extension host as a user does from the Source Control view, and reading
// the commit's manifest back with git.
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import { GitExtension, GitRepository } from '../../../src/commit/gitApi';
import { readSnapshot } from '../../../src/commit/snapshot';
import { ManifestFile, manifestRepoPath, parseManifest, rangeText, sha256Hex } from '../../../src/core/manifest/schema';
import { saveDocument, waitFor, workspaceFolder } from './host';

export function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, env: { ...process.env, GIT_EDITOR: 'true' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * True when the extension's snapshot for the hooks (`staged.json` in `gitDir`) gives AI ranges for
 * `rel` with the content `blob`. By path and blob: files of other tests can have the very same
 * content (the same blob id), and the hook looks a file up by both.
 */
export function snapshotDescribes(gitDir: string, rel: string, blob: string): boolean {
  const s = readSnapshot(gitDir);
  if (!s || 'error' in s) return false;
  return !!s.files.find((f) => f.path === rel)?.versions.some((v) => v.blob === blob && v.ranges.length > 0);
}

export async function repository(root: string): Promise<GitRepository> {
  const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
  assert.ok(ext, 'the built-in Git extension is not available');
  const api = (ext.isActive ? ext.exports : await ext.activate()).getAPI(1);
  return waitFor(() => api.repositories.find((r) => path.resolve(r.rootUri.fsPath) === path.resolve(root)), 20000, `the Git extension did not open ${root}`);
}

/** A committed file's manifest entry, with the committed text of each of its AI lines. */
export interface CommittedAi {
  readonly entry: ManifestFile | undefined;
  /** The committed text of every AI line of the file, trimmed, in order. */
  readonly aiLines: string[];
}

/**
 * Saves `documents`, stages exactly their files, commits from the Source Control view (the Git
 * extension's `git.commit`, trailers written by the extension) and returns, per file, its entry
 * in the new commit's manifest (checked against the committed text).
 */
export async function commitFromScm(documents: readonly vscode.TextDocument[], message: string): Promise<Map<string, CommittedAi>> {
  const root = workspaceFolder().uri.fsPath;
  const repo = await repository(root);
  for (const d of documents) await saveDocument(d);
  // Everything else unstaged, as a person does in the Source Control view: our staged manifest is
  // left alone (the extension takes a manifest unstaged on its own as declined, and writes a note).
  await git(root, 'reset', '-q', '--', '.', ':(exclude).ai-provenance');
  const rels = documents.map((d) => path.relative(root, d.uri.fsPath).split(path.sep).join('/'));
  // Through the Git extension, as the Source Control view stages: it then knows what is staged.
  await repo.add(documents.map((d) => d.uri.fsPath));
  repo.inputBox.value = message;
  const box = await waitFor(
    () => (/AI-Assisted: /.test(repo.inputBox.value) && /AI-Provenance: /.test(repo.inputBox.value) ? repo.inputBox.value : undefined),
    20000,
    `trailers never appeared in the box (box: ${JSON.stringify(repo.inputBox.value)})`,
  );
  const id = /AI-Provenance: (\S+)/.exec(box)![1];
  await waitFor(async () => (await git(root, 'diff', '--cached', '--name-only')).includes(manifestRepoPath(id)), 20000, 'manifest not staged');
  const headBefore = (await git(root, 'rev-parse', 'HEAD')).trim();
  await vscode.commands.executeCommand('git.commit', repo);
  await waitFor(async () => (await git(root, 'rev-parse', 'HEAD')).trim() !== headBefore, 20000, 'git.commit did not create a commit');
  const parsed = parseManifest(await git(root, 'show', `HEAD:${manifestRepoPath(id)}`));
  assert.ok(parsed.ok, `manifest invalid: ${JSON.stringify(!parsed.ok && parsed.errors)}`);
  const out = new Map<string, CommittedAi>();
  for (const rel of rels) {
    const entry: ManifestFile | undefined = parsed.value.files.find((f: ManifestFile) => f.path === rel);
    const committed = await git(root, 'show', `HEAD:${rel}`);
    const lines = committed.split('\n');
    const aiLines: string[] = [];
    if (entry) {
      assert.strictEqual(entry.sha256, sha256Hex(Buffer.from(committed, 'utf8')), `${rel}: manifest hash`);
      for (const r of entry.ranges) {
        assert.strictEqual(r.sha256, sha256Hex(rangeText(committed, r.startLine, r.endLine)), `${rel}: range ${r.startLine}-${r.endLine}`);
        for (let l = r.startLine; l <= r.endLine; l++) aiLines.push(lines[l - 1].trim());
      }
    }
    out.set(rel, { entry, aiLines });
  }
  await waitFor(() => !/AI-Provenance/.test(repo.inputBox.value), 10000, 'box still carries trailers after the commit');
  return out;
}
