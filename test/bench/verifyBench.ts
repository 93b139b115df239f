/**
 * Part 7: `ai-provenance verify` (verifyRange from src/governance/verify.ts, in this process) on one
 * commit whose manifest has N entries, against `git diff-tree` listing the same commit's changes,
 * measured alternately in the same run, at two sizes (to show the cost is linear in the manifest).
 * Two manifests per size:
 * - honest: the commit deletes N files and its manifest lists each deletion (verify passes);
 * - crafted: the manifest also lists N deletions of files the commit does not touch, half of them
 *   with a line break in the path (verify fails each; none may cost a git process of its own).
 * The history is written with one `git fast-import`.
 */
import { spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { verifyRange } from '../../src/governance/verify';
import { GitRepo } from '../../src/governance/git';
import { MANIFEST_SCHEMA, MANIFEST_VERSION, Manifest, ManifestFile, computeTotals, manifestRepoPath, rangeText, serializeManifest, sha256Hex } from '../../src/core/manifest/schema';
import { PartialPolicy, resolvePolicy } from '../../src/core/policy/policy';
import { formatTrailer, trailersForManifest } from '../../src/core/trailers/trailers';
import { median } from './stats';

export interface VerifySample {
  readonly entries: number;
  readonly kind: 'honest' | 'crafted';
  readonly verifyMs: number;
  readonly diffTreeMs: number;
  readonly ratio: number;
  readonly errors: number;
}

const AI_FILE = 'src/a.ts';
const AI_TEXT = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';

function empty(p: string): ManifestFile {
  return { path: p, status: 'deleted', addedLines: 0, aiLines: 0, nonTrivialAiLines: 0, addedCharacters: 0, aiCharacters: 0, ranges: [] };
}

/** The policy layer verify is given, naming the reviewer the commit carries. */
const POLICY_LAYER: PartialPolicy = { review: { reviewers: { senior: { emails: ['sam@example.com'], groups: [] } } } };

function buildRepo(root: string, entries: number, kind: 'honest' | 'crafted'): void {
  const git = (args: string[], input?: string): string => {
    const r = spawnSync('git', args, { cwd: root, input, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr}`);
    return r.stdout;
  };
  git(['init', '-q', '-b', 'main']);
  const data = (s: string): string => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const deleted = Array.from({ length: entries }, (_, i) => `gen/${Math.floor(i / 1000)}/f${i}.txt`);
  const files: ManifestFile[] = [
    {
      path: AI_FILE,
      status: 'added',
      sha256: sha256Hex(AI_TEXT),
      addedLines: 3,
      aiLines: 3,
      nonTrivialAiLines: 3,
      addedCharacters: AI_TEXT.replace(/\n/g, '').length,
      aiCharacters: AI_TEXT.replace(/\n/g, '').length,
      ranges: [{ startLine: 1, endLine: 3, kind: 'chat', tool: 'github.copilot', model: 'gpt-4o', trivial: false, sha256: sha256Hex(rangeText(AI_TEXT, 1, 3)) }],
    },
    ...deleted.map(empty),
  ];
  if (kind === 'crafted') for (let i = 0; i < entries; i++) files.push(empty(i % 2 ? `never/${i}.txt` : `never/${i}\n.txt`));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const first =
    `blob\nmark :1\n${data('same content\n')}` +
    `commit refs/heads/main\nmark :2\ncommitter Bench <bench@example.invalid> 1760000000 +0000\n${data('Generated files\n\nAI-Assisted: no\n')}` +
    deleted.map((p) => `M 100644 :1 ${p}\n`).join('');
  git(['fast-import', '--quiet'], first);
  const base = git(['rev-parse', 'main']).trim();
  const m: Manifest = {
    schema: MANIFEST_SCHEMA,
    version: MANIFEST_VERSION,
    id: randomUUID(),
    createdAt: new Date(1_760_000_000_000).toISOString(),
    generator: { name: 'ai-provenance', version: '0.1.0' },
    base,
    flagged: true,
    reviewRequired: 'senior',
    policy: { source: 'repository', value: resolvePolicy(POLICY_LAYER) },
    totals: computeTotals(files),
    files,
  };
  const message = `Generated change\n\n${trailersForManifest(m).map(formatTrailer).join('\n')}\nReviewed-by: Sam Senior <sam@example.com>\n`;
  const second =
    `commit refs/heads/main\nmark :3\ncommitter Bench <bench@example.invalid> 1760003600 +0000\n${data(message)}from ${base}\n` +
    deleted.map((p) => `D ${p}\n`).join('') +
    `M 100644 inline ${AI_FILE}\n${data(AI_TEXT)}M 100644 inline ${manifestRepoPath(m.id)}\n${data(serializeManifest(m))}`;
  git(['fast-import', '--quiet'], second);
}

export async function runVerifyBench(options: { sizes: readonly number[]; samples: number; onProgress?: (m: string) => void }): Promise<VerifySample[]> {
  const out: VerifySample[] = [];
  for (const entries of options.sizes) {
    for (const kind of ['honest', 'crafted'] as const) {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-bench-verify-'));
      try {
        options.onProgress?.(`verify: a commit whose manifest has ${entries.toLocaleString('en-US')} deletions (${kind})`);
        buildRepo(root, entries, kind);
        const ours: number[] = [];
        const plain: number[] = [];
        let errors = -1;
        // One unmeasured run of each first, then alternate. Each verify starts from a fresh
        // repository object, so nothing read by the previous run is reused.
        for (let i = -1; i < options.samples; i++) {
          let t = process.hrtime.bigint();
          const r = spawnSync('git', ['diff-tree', '-r', '--raw', '-z', '-M', 'main'], { cwd: root, maxBuffer: 512 * 1024 * 1024 });
          if (r.status !== 0) throw new Error(`git diff-tree failed: ${r.stderr}`);
          const gitMs = Number(process.hrtime.bigint() - t) / 1e6;
          t = process.hrtime.bigint();
          const report = await verifyRange(GitRepo.open(root), ['main^..main'], { expectedTrailers: trailersForManifest, policy: { source: 'bench policy', layer: POLICY_LAYER } });
          const ourMs = Number(process.hrtime.bigint() - t) / 1e6;
          errors = report.summary.errors;
          if (kind === 'honest' && errors !== 0) {
            throw new Error(`verify failed the honest commit: ${report.commits.flatMap((c) => c.findings.map((f) => `${f.rule}: ${f.message}`)).slice(0, 5).join('; ')}`);
          }
          if (kind === 'crafted' && errors < entries) throw new Error(`verify reported ${errors} errors for ${entries} crafted entries`);
          if (i >= 0) {
            plain.push(gitMs);
            ours.push(ourMs);
          }
        }
        const verifyMs = median(ours);
        const diffTreeMs = median(plain);
        out.push({ entries, kind, verifyMs, diffTreeMs, ratio: verifyMs / diffTreeMs, errors });
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    }
  }
  return out;
}
