/**
 * One claim for a commit that adds several manifests of other commits (a pull request squashed
 * on merge adds the `.ai-provenance/<id>.json` of each of its commits): the parts' AI ranges are
 * found in the commit's text by their hashes (`core/manifest/combine.ts`), and the commit is then
 * measured against its first parent exactly as a commit being made is (the commit flow's
 * `computeStagedChange`, over a private index of the commit's tree; the repository's index is not
 * touched). `verify` checks that claim as it checks any manifest; `stats` counts it.
 *
 * Lines the parts do not prove: AI lines of a part that are not in the commit unchanged, and the
 * lines of changed files no part lists, count as unknown and are reported, never as human.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CommittedText, PartManifest, locateParts } from '../core/manifest/combine';
import { buildManifest } from '../core/manifest/build';
import { MANIFEST_DIR, Manifest, ManifestFile, sha256Hex } from '../core/manifest/schema';
import { maxTrackedBytes } from '../core/persistence/tracking';
import { highestLevel, orderedLevels } from '../core/policy/levels';
import { Policy } from '../core/policy/policy';
import { RiskHit } from '../core/policy/riskRules';
import { decodeUtf8, runGit } from '../git/git';
import { computeStagedChange } from './stagedContribution';
import type { CommitProvenance } from './commitProvenance';
import { AddFinding, checkContent } from './contentClaims';
import { GitRepo, diffKey } from './git';

/**
 * The committed manifests a commit adds that do not describe it on their own (measured for other
 * commits: the parts of a squash merge), oldest first. The one its trailer names is among them
 * when it is measured against another parent; manifests the commit's own manifest replaces
 * (`carriedFrom`) are not.
 */
export function manifestParts(repo: GitRepo, p: CommitProvenance, policy: () => Policy | undefined): PartManifest[] {
  const parent = p.info.parents[0];
  const out: PartManifest[] = [];
  const own = p.raw?.source.startsWith('file:') ? p.raw.source.slice('file:'.length) : undefined;
  if (p.manifest && own && p.manifest.base !== (parent ?? null) && !(parent && repo.blob(parent, own))) out.push({ source: p.raw!.source, manifest: p.manifest });
  for (const a of p.added ?? []) if (!describesCommit(repo, p.info.sha, parent, a.manifest, policy())) out.push(a);
  return out.sort((a, b) => (a.manifest.createdAt < b.manifest.createdAt ? -1 : a.manifest.createdAt > b.manifest.createdAt ? 1 : 0));
}

/** True when every claim of `m` holds for the commit (measured against its parent, content, counts, every changed file listed). */
export function describesCommit(repo: GitRepo, sha: string, parent: string | undefined, m: Manifest, policy: Policy | undefined): boolean {
  if (m.base !== (parent ?? null)) return false;
  let errors = 0;
  checkContent(repo, sha, parent, m, policy, (_rule, _message, extra) => {
    if ((extra?.severity ?? 'error') === 'error') errors++;
  });
  return errors === 0;
}

/** The committed text of a path, with the lines the commit adds to it (for {@link locateParts}). */
function committedTexts(repo: GitRepo, sha: string, parent: string | undefined): (path: string) => CommittedText | undefined {
  const change = repo.changes(sha, parent);
  return (p) => {
    const blob = /[\r\n]/.test(p) ? undefined : repo.blob(sha, p);
    const text = blob ? decodeUtf8(blob) : undefined;
    if (!blob || text === undefined) return undefined;
    const c = change.paths.find((x) => x.path === p);
    const diff = c ? change.diffs.get(diffKey(c)) : undefined;
    return { text, sha256: sha256Hex(blob), added: diff && !diff.binary ? diff.added : c ? 'every-line' : [] };
  };
}

/**
 * A commit with a manifest of its own (measured against its parent) that also adds manifests of
 * other commits: every AI line of those whose text is in the commit, among the lines it adds,
 * must be AI in its own manifest too. A commit cannot call human what the manifests it carries
 * prove AI (a squash committed with a record that lost them).
 */
export function checkPartsAgree(repo: GitRepo, sha: string, parent: string | undefined, own: PartManifest, parts: readonly PartManifest[], add: AddFinding): void {
  const located = locateParts(parts, committedTexts(repo, sha, parent));
  for (const f of located.falseRanges) {
    add('range-hash-mismatch', `${f.path}: ${f.source} describes this very file (same SHA-256) but its AI lines ${f.startLine}-${f.endLine} are not that text`, { file: f.path, line: f.startLine, endLine: f.endLine });
  }
  const ai = new Map<string, Array<[number, number]>>();
  for (const f of own.manifest.files) ai.set(f.path, f.ranges.map((r) => [r.startLine, r.endLine]));
  for (const l of located.lines) {
    const covered = ai.get(l.path) ?? [];
    let missing = 0;
    for (let line = l.startLine; line <= l.endLine; line++) if (!covered.some(([a, b]) => a <= line && line <= b)) missing++;
    if (missing === 0) continue;
    add(
      'manifest-conflict',
      `${l.source} (a manifest of another commit that this commit adds) has lines ${l.startLine}-${l.endLine} of ${l.path} as AI, and that text is here unchanged, but the commit's manifest (${own.source}) counts ${missing} of them as not AI`,
      { file: l.path, line: l.startLine, endLine: l.endLine },
    );
  }
}

export interface CombinedClaim {
  readonly manifest: Manifest;
  /** The parts, by source. */
  readonly sources: readonly string[];
}

/** The parts' claims as one manifest of commit `sha` (measured against `parent`); what they cannot prove is reported through `add`. */
export async function combinedClaim(
  repo: GitRepo,
  sha: string,
  parent: string | undefined,
  parts: readonly PartManifest[],
  policy: Policy,
  add: AddFinding,
): Promise<CombinedClaim> {
  const located = locateParts(parts, committedTexts(repo, sha, parent));
  for (const f of located.falseRanges) {
    add('range-hash-mismatch', `${f.path}: ${f.source} describes this very file (same SHA-256) but its AI lines ${f.startLine}-${f.endLine} are not that text`, {
      file: f.path,
      line: f.startLine,
      endLine: f.endLine,
    });
  }
  for (const part of parts) {
    const n = located.lostBySource.get(part.source) ?? 0;
    if (n > 0) {
      add('manifest-mismatch', `${n} AI line(s) of ${part.source} are not in this commit unchanged (changed by a later commit, or on merge): they count as unknown`, {
        severity: 'warning',
        file: part.source.slice('file:'.length),
      });
    }
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-combine-'));
  let files: ManifestFile[];
  let base: string | null;
  try {
    const env = { ...process.env, GIT_INDEX_FILE: path.join(tmp, 'index') };
    await runGit(['read-tree', sha], { cwd: repo.root, env });
    const measured = await computeStagedChange({
      root: repo.root,
      base: parent ?? null,
      maxFileBytes: maxTrackedBytes(undefined),
      trivial: policy.trivial,
      rangesFor: (f) => located.ranges.get(f.path) ?? [],
      env,
    });
    base = measured.base;
    files = measured.files.map((f) => {
      const open = f.addedLines - f.aiLines;
      if (!located.listed.has(f.path)) {
        if (f.addedLines > 0) {
          add('file-unlisted', `${f.path} is changed by the commit but listed by none of the ${parts.length} manifests it adds: its ${f.addedLines} added line(s) count as unknown`, {
            severity: 'warning',
            file: f.path,
          });
        }
        return open > 0 ? { ...f, unknownLines: open } : f;
      }
      const unknown = Math.min(located.lost.get(f.path) ?? 0, open);
      return unknown > 0 ? { ...f, unknownLines: unknown } : f;
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const built = buildManifest({
    id: '00000000-0000-4000-8000-000000000000',
    createdAt: new Date(0).toISOString(),
    generator: { name: 'ai-provenance', version: 'combined' },
    base,
    policy,
    policySource: 'repository',
    files: files.filter((f) => !f.path.startsWith(`${MANIFEST_DIR}/`)),
  });
  // What the parts declared stays declared: a part's flag and review level, its risk rules.
  const manifests = parts.map((p) => p.manifest);
  const flagged = built.flagged || manifests.some((m) => m.flagged);
  const level = highestLevel(orderedLevels(policy.review), [built.reviewRequired, ...manifests.map((m) => (m.flagged ? m.reviewRequired : undefined))]);
  const risk = new Map<string, RiskHit>();
  for (const m of manifests) for (const h of m.risk ?? []) if (!risk.has(h.id)) risk.set(h.id, h);
  const { reviewRequired: _r, risk: _k, ...rest } = built;
  void _r;
  void _k;
  const manifest: Manifest = {
    ...rest,
    flagged,
    ...(flagged && level && policy.review.required !== null ? { reviewRequired: level } : {}),
    ...(risk.size ? { risk: [...risk.values()] } : {}),
  };
  return { manifest, sources: parts.map((p) => p.source) };
}
