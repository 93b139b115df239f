import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { v4 as uuidv4 } from 'uuid';
import { buildManifest } from '../core/manifest/build';
import { Manifest } from '../core/manifest/schema';
import { maxTrackedBytes } from '../core/persistence/tracking';
import { DEFAULT_POLICY, POLICY_FILE, Policy, parseRepositoryPolicy, resolvePolicy } from '../core/policy/policy';
import { gitText, runGit } from '../git/git';
import { computeStagedChange } from '../governance/stagedContribution';
import { VERSION } from '../version';
import { CarriedProvenance, carriedManifest, withUnknownLines } from './rewriteCarry';
import { riskTexts } from './riskTexts';

/**
 * The record of a commit that exists already, rebuilt from the records of the commits it replaces
 * (vscode-free): `ai-provenance reattach` (a platform squashed or rebased a pull request on merge)
 * and the `post-rewrite` hook (a rewrite that ran no `prepare-commit-msg`, as `git rebase --apply`).
 * Each original's AI lines are moved onto the commit's text by content (only unchanged lines
 * carry; see rewriteCarry.ts), the commit is measured against its first parent with the commit
 * flow's own code, under the policy committed in it, and the manifest names the manifests it
 * replaces in `carriedFrom`. AI lines that changed on the way count as `unknown`.
 */

export interface RebuildOptions {
  /** The new manifest's id (default: a new one). */
  readonly id?: string;
  /**
   * Only from readable records (`reattach`: a pull request's commits whose notes were not
   * fetched are a set-up problem to fix, not lines to count as `unknown`). Otherwise an original
   * that declares AI lines without a readable record makes them `unknown` (see rewriteCarry.ts).
   */
  readonly recordsOnly?: boolean;
}

/** The manifest of `target` with the AI lines of `sources` carried onto it, or undefined when they declare none. */
export async function rebuildRecord(root: string, target: string, sources: readonly string[], options: RebuildOptions = {}): Promise<Manifest | undefined> {
  const carried = await CarriedProvenance.load(root, sources);
  if (!carried.declaresAi || (options.recordsOnly && !carried.records.length)) return undefined;
  const parent = (await runGit(['rev-parse', '--verify', '--quiet', `${target}^1`], { cwd: root, okCodes: [1, 128] })).stdout.toString('utf8').trim() || null;
  const policy = await policyAt(root, target);
  // The commit's tree as an index of its own, so that it is measured exactly as a commit being
  // made is (the commit flow's code), without touching the repository's index.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-rebuild-'));
  try {
    const env = { ...process.env, GIT_INDEX_FILE: path.join(tmp, 'index') };
    await runGit(['read-tree', target], { cwd: root, env });
    const change = await computeStagedChange({
      root,
      base: parent,
      maxFileBytes: maxTrackedBytes(undefined),
      trivial: policy.value.trivial,
      rangesFor: (f) => carried.rangesFor(f.path, f.text),
      env,
    });
    const files = withUnknownLines(change.files, carried);
    const unknown = files.reduce((n, f) => n + (f.unknownLines ?? 0), 0);
    const texts = await riskTexts(root, policy.value, files, change.blobs);
    const createdAt = await gitText(['log', '-1', '--format=%cI', target], { cwd: root });
    const m = buildManifest({
      id: options.id ?? uuidv4(),
      createdAt: new Date(Date.parse(createdAt.trim()) || Date.now()).toISOString(),
      generator: { name: 'ai-provenance', version: VERSION },
      base: change.base,
      policy: policy.value,
      policySource: policy.source,
      files,
      texts,
      prompts: carried.promptMode,
    });
    return carriedManifest(m, carried, unknown, sources);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The policy committed in `commit` (`.ai-provenance.json`), or the defaults. */
export async function policyAt(root: string, commit: string): Promise<{ source: 'default' | 'repository'; value: Policy }> {
  const r = await runGit(['show', `${commit}:${POLICY_FILE}`], { cwd: root, okCodes: [128] });
  if (r.code === 0) {
    const parsed = parseRepositoryPolicy(r.stdout.toString('utf8'));
    if (parsed.ok) return { source: 'repository', value: resolvePolicy(parsed.value) };
  }
  return { source: 'default', value: resolvePolicy(DEFAULT_POLICY) };
}
