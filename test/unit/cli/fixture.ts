/**
 * Temporary git repositories with provenance, for the command-line tests. Manifests are built
 * from the real committed text with the manifest module's own hashing and totals, so a test
 * controls exactly which claim is true and which is tampered.
 */
import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  MANIFEST_SCHEMA,
  MANIFEST_VERSION,
  Manifest,
  ManifestFile,
  ManifestRange,
  computeTotals,
  manifestRepoPath,
  rangeText,
  serializeManifest,
  sha256Hex,
} from '../../../src/core/manifest/schema';
import { POLICY_FILE, PartialPolicy, resolvePolicy } from '../../../src/core/policy/policy';
import { decideReview } from '../../../src/core/policy/reviewDecision';
import { evaluateRiskRules } from '../../../src/core/policy/riskRules';
import { OriginKind } from '../../../src/core/provenance/origin';
import { formatTrailer, trailersForManifest } from '../../../src/core/trailers/trailers';

export const AUTHOR = { name: 'Ada Author', email: 'ada@example.com' };
export const SENIOR = { name: 'Sam Senior', email: 'sam.senior@example.com' };

/** Policy used by most tests: flag at 3 non-trivial AI lines, `senior` review by Sam. */
export const TEST_POLICY: PartialPolicy = {
  threshold: { nonTrivialLines: 3, percentOfAddedLines: 0 },
  review: { required: 'senior', reviewers: { senior: { emails: [SENIOR.email], groups: ['@acme/seniors'] } } },
};

/** Two levels; infra and concurrency rules at principal; Sam senior, Pat principal. */
export const RISK_POLICY = {
  threshold: { nonTrivialLines: 3, percentOfAddedLines: 0 },
  review: {
    required: 'senior',
    levels: ['senior', 'principal'],
    reviewers: {
      senior: { emails: ['sam.senior@example.com'], groups: [], logins: ['sam-senior'] },
      principal: { emails: ['pat.principal@example.com'], groups: [], logins: ['pat-principal'], teams: ['acme/principals'] },
    },
  },
  risk: {
    rules: [
      { id: 'infra', paths: ['infra/**'], level: 'principal', reason: 'deploy scripts took S3 down in incident 2025-14', links: ['https://wiki.example.com/inc/2025-14'] },
      { id: 'concurrency', patterns: ['\\bMutex\\b', '\\bretry\\b'], level: 'principal', reason: 'retry storm after a lock timeout (incident 2025-09)', links: ['https://wiki.example.com/inc/2025-09'] },
    ],
  },
} as unknown as PartialPolicy;

export interface RangeSpec {
  readonly start: number;
  readonly end: number;
  readonly kind?: OriginKind;
  readonly tool?: string;
  /** Default `gpt-4o`; null for none. */
  readonly model?: string | null;
  readonly trivial?: boolean;
}

export class TempRepo {
  private dates = 0;
  private constructor(readonly dir: string) {}

  static create(): TempRepo {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-cli-'));
    const r = new TempRepo(dir);
    r.git(['init', '-q', '-b', 'main']);
    r.git(['config', 'user.name', AUTHOR.name]);
    r.git(['config', 'user.email', AUTHOR.email]);
    r.git(['config', 'commit.gpgsign', 'false']);
    return r;
  }

  git(args: string[], input?: string, env: NodeJS.ProcessEnv = {}): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      input,
      encoding: 'utf8',
      env: { ...process.env, ...env, GIT_CONFIG_NOSYSTEM: '1', HOME: this.dir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  write(rel: string, content: string): void {
    const full = path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }

  read(rel: string): string {
    return fs.readFileSync(path.join(this.dir, rel), 'utf8');
  }

  head(): string {
    return this.git(['rev-parse', 'HEAD']).trim();
  }

  /** Commits everything staged with `message`; each commit gets a date one day after the previous one. */
  commit(message: string, opts: { date?: string; author?: { name: string; email: string } } = {}): string {
    const when = opts.date ?? new Date(Date.UTC(2026, 10, 2, 12, 0, 0) + this.dates++ * 86_400_000).toISOString();
    const who = opts.author ? { GIT_AUTHOR_NAME: opts.author.name, GIT_AUTHOR_EMAIL: opts.author.email } : {};
    this.git(['commit', '-q', '--allow-empty', '-F', '-'], message, { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when, ...who });
    return this.head();
  }

  /** Lines added per staged path (numstat against HEAD, or everything for the first commit). */
  stagedAdded(): Map<string, number> {
    const out = this.git(['diff', '--cached', '--numstat', '--no-renames', '-z']);
    const m = new Map<string, number>();
    for (const rec of out.split('\0')) {
      const [a, , p] = rec.split('\t');
      if (p) m.set(p, a === '-' ? 0 : Number(a));
    }
    return m;
  }

  /** Characters of the lines git's diff shows as added to a staged path (line terminators excluded). */
  stagedAddedCharacters(p: string): number {
    const patch = this.git(['diff', '--cached', '-U0', '--no-renames', '--no-color', '--', p]);
    let n = 0;
    for (const line of patch.split('\n')) if (line.startsWith('+') && !line.startsWith('+++ ')) n += line.replace(/\r$/, '').length - 1;
    return n;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Builds a manifest for the staged change from the work tree's text: every staged file is
 * listed; `ai` gives each file's AI ranges. Hashes come from the text as it will be committed.
 */
export function buildManifest(repo: TempRepo, ai: Record<string, RangeSpec[]>, policyLayer: PartialPolicy = TEST_POLICY): Manifest {
  const added = repo.stagedAdded();
  const files: ManifestFile[] = [];
  for (const [p, addedLines] of [...added].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (p.startsWith('.ai-provenance/')) continue;
    const full = path.join(repo.dir, p);
    const staged = repo.git(['ls-files', '-s', '--', p]).split(' ');
    if (staged[0] === '160000') {
      // A submodule (gitlink): the commit flow hashes its commit id.
      const oid = staged[1];
      files.push({ path: p, status: fileStatus(repo, p), sha256: sha256Hex(oid), addedLines: 0, aiLines: 0, nonTrivialAiLines: 0, addedCharacters: 0, aiCharacters: 0, ranges: [], skipped: 'submodule' });
      continue;
    }
    if (!fs.existsSync(full)) {
      files.push({ path: p, status: 'deleted', addedLines: 0, aiLines: 0, nonTrivialAiLines: 0, addedCharacters: 0, aiCharacters: 0, ranges: [] });
      continue;
    }
    const text = fs.readFileSync(full, 'utf8');
    const ranges: ManifestRange[] = (ai[p] ?? []).map((r) => ({
      startLine: r.start,
      endLine: r.end,
      kind: r.kind ?? 'chat',
      tool: r.tool ?? 'github.copilot',
      ...(r.model === null ? {} : { model: r.model ?? 'gpt-4o' }),
      trivial: r.trivial ?? false,
      sha256: sha256Hex(rangeText(text, r.start, r.end)),
    }));
    const aiLines = ranges.reduce((n, r) => n + r.endLine - r.startLine + 1, 0);
    const nonTrivialAiLines = ranges.filter((r) => !r.trivial).reduce((n, r) => n + r.endLine - r.startLine + 1, 0);
    const aiCharacters = ranges.reduce((n, r) => n + rangeText(text, r.startLine, r.endLine).replace(/\n/g, '').length, 0);
    const status = fileStatus(repo, p);
    files.push({
      path: p,
      status,
      sha256: sha256Hex(fs.readFileSync(full)),
      addedLines,
      aiLines,
      nonTrivialAiLines,
      addedCharacters: repo.stagedAddedCharacters(p),
      aiCharacters,
      ranges,
    });
  }
  const totals = computeTotals(files);
  const policy = resolvePolicy(policyLayer);
  // Risk rules read the committed text of the files with AI lines, as the commit flow does.
  const texts = new Map(files.filter((f) => f.ranges.length).map((f) => [f.path, fs.readFileSync(path.join(repo.dir, f.path), 'utf8')]));
  const risk = evaluateRiskRules(policy.risk, { files, texts });
  const decision = decideReview(policy, totals, risk);
  let base: string | null;
  try {
    base = repo.head();
  } catch {
    base = null; // first commit
  }
  return {
    schema: MANIFEST_SCHEMA,
    version: MANIFEST_VERSION,
    id: randomUUID(),
    createdAt: new Date().toISOString(),
    generator: { name: 'ai-provenance', version: '0.1.0' },
    base,
    flagged: decision.flagged,
    ...(decision.reviewRequired ? { reviewRequired: decision.reviewRequired } : {}),
    ...(risk.length ? { risk } : {}),
    policy: { source: 'repository', value: policy },
    totals,
    files,
  };
}

function fileStatus(repo: TempRepo, p: string): 'added' | 'modified' {
  try {
    repo.git(['cat-file', '-e', `HEAD:${p}`]);
    return 'modified';
  } catch {
    return 'added';
  }
}

/** The trailer block the commit flow would write for `m`, plus `extra` lines (e.g. Reviewed-by). */
export function trailerBlock(m: Manifest, extra: string[] = []): string {
  return [...trailersForManifest(m).map(formatTrailer), ...extra].join('\n');
}

export interface ProvenanceCommit {
  readonly sha: string;
  readonly manifest: Manifest;
}

/**
 * Writes `files`, stages them, builds the manifest and commits with its trailers. The manifest
 * goes into the commit (`repo`) or into a note (`notes`).
 */
export function commitWithProvenance(
  repo: TempRepo,
  opts: {
    subject: string;
    files: Record<string, string>;
    ai?: Record<string, RangeSpec[]>;
    location?: 'repo' | 'notes';
    extraTrailers?: string[];
    policy?: PartialPolicy;
    /** Change the manifest before it is stored (to tamper with it). */
    mutate?: (m: Manifest) => Manifest;
    /** Change the message before committing. */
    message?: (msg: string) => string;
    author?: { name: string; email: string };
  },
): ProvenanceCommit {
  for (const [p, c] of Object.entries(opts.files)) repo.write(p, c);
  repo.git(['add', '--', ...Object.keys(opts.files)]);
  let manifest = buildManifest(repo, opts.ai ?? {}, opts.policy);
  const message0 = `${opts.subject}\n\n${trailerBlock(manifest, opts.extraTrailers)}\n`;
  if (opts.mutate) manifest = opts.mutate(manifest);
  const location = opts.location ?? 'repo';
  if (location === 'repo') {
    repo.write(manifestRepoPath(manifest.id), serializeManifest(manifest));
    repo.git(['add', '--', manifestRepoPath(manifest.id)]);
  }
  const sha = repo.commit(opts.message ? opts.message(message0) : message0, { author: opts.author });
  if (location === 'notes') {
    repo.git(['notes', '--ref=refs/notes/ai-provenance', 'add', '-f', '-F', '-', sha], serializeManifest(manifest));
  }
  return { sha, manifest };
}

/** Commits the test policy file (declared as no AI). */
export function commitPolicy(repo: TempRepo, policy: PartialPolicy = TEST_POLICY): string {
  repo.write(POLICY_FILE, JSON.stringify({ version: 1, ...policy }, null, 2) + '\n');
  repo.git(['add', '--', POLICY_FILE]);
  return repo.commit('Add provenance policy\n\nAI-Assisted: no\n');
}

export function lines(n: number, prefix = 'line'): string {
  return Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join('\n') + '\n';
}
