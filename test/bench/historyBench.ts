/**
 * Part 9: `ai-provenance stats` and `verify` over a history of 10,000 commits against
 * `git log --numstat` over the same range, whole processes (dist/cli.js), alternating in the same
 * run. The repository is generated once (one interactive `git fast-import`) and kept in the
 * temporary folder for later runs:
 * - a third of the commits carry their manifest in the repository (`.ai-provenance/<id>.json`),
 *   a third as a git note (refs/notes/ai-provenance), a third declare `AI-Assisted: no`;
 * - every manifest is honest (hashes, line counts, ranges, its parent as base), so verify does
 *   all its checks and passes every commit; the policy (committed once) names the reviewer the
 *   commits carry.
 * The git processes each command starts are counted from GIT_TRACE, and the peak memory of each
 * process is read with /usr/bin/time where it exists, over the last quarter and over the whole
 * history (memory must not grow with the range).
 */
import { spawn, spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MANIFEST_NOTES_REF, MANIFEST_SCHEMA, MANIFEST_VERSION, Manifest, ManifestFile, computeTotals, manifestRepoPath, rangeText, serializeManifest, sha256Hex } from '../../src/core/manifest/schema';
import { POLICY_FILE, PartialPolicy, resolvePolicy } from '../../src/core/policy/policy';
import { formatTrailer, trailersForManifest } from '../../src/core/trailers/trailers';
import { rng } from '../unit/seededRandom';
import { median } from './stats';

/** Bump when the generated history changes (the cached repository is then built again). */
const GENERATION = 1;
const FILES = 40;
const AUTHORS = ['Ada <ada@example.com>', 'Ben <ben@example.com>', 'Cy <cy@example.com>', 'Dee <dee@example.com>', 'Eve <eve@example.com>'];
const POLICY_LAYER: PartialPolicy = { review: { reviewers: { senior: { emails: ['sam@example.com'], groups: [] } } } };

/** Talks to one `git fast-import`: commands in, the commit ids of marks out (`get-mark`). */
class FastImport {
  private readonly proc;
  private pending = '';
  private readonly waiting: Array<(line: string) => void> = [];
  private readonly exited: Promise<number | null>;

  constructor(root: string) {
    this.proc = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (d: string) => {
      this.pending += d;
      for (let nl = this.pending.indexOf('\n'); nl >= 0; nl = this.pending.indexOf('\n')) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        this.waiting.shift()?.(line);
      }
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', resolve));
  }

  write(text: string): void {
    this.proc.stdin.write(text);
  }

  mark(n: number): Promise<string> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.write(`get-mark :${n}\n`);
    });
  }

  async done(): Promise<void> {
    this.write('done\n');
    this.proc.stdin.end();
    const code = await this.exited;
    if (code !== 0) throw new Error(`git fast-import failed (exit ${code})`);
  }
}

const data = (s: string): string => `data ${Buffer.byteLength(s)}\n${s}\n`;

async function generate(root: string, commits: number): Promise<void> {
  const run = (args: string[]) => {
    const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  run(['init', '-q', '-b', 'main']);
  const random = rng(20261203);
  const files = Array.from({ length: FILES }, (_, f) => Array.from({ length: 30 }, (_, l) => `export const f${f}_${l} = ${l * 7};`));
  const fi = new FastImport(root);
  const when = (i: number) => `${1_760_000_000 + i * 600} +0000`;
  fi.write(
    `commit refs/heads/main\nmark :1\nauthor ${AUTHORS[0]} ${when(0)}\ncommitter ${AUTHORS[0]} ${when(0)}\n${data('Initial\n\nAI-Assisted: no\n')}` +
      `M 100644 inline ${POLICY_FILE}\n${data(JSON.stringify(POLICY_LAYER, null, 2) + '\n')}` +
      files.map((lines, f) => `M 100644 inline src/m${f}.ts\n${data(lines.join('\n') + '\n')}`).join(''),
  );
  const notes: Array<{ mark: number; text: string }> = [];
  for (let i = 1; i <= commits; i++) {
    const f = Math.floor(random() * FILES);
    const n = 1 + Math.floor(random() * 5);
    const lines = files[f];
    const added: string[] = [];
    for (let j = 0; j < n; j++) added.push(`export function c${i}_${j}(x: number): number {  return x * ${Math.floor(random() * 1000)} + ${j}; }`);
    lines.push(...added);
    const text = lines.join('\n') + '\n';
    const filePath = `src/m${f}.ts`;
    const kind = i % 3; // 0: manifest in the repository, 1: as a note, 2: human
    const author = AUTHORS[i % AUTHORS.length];
    let message = `Change ${i} to ${filePath}\n\nAI-Assisted: no\n`;
    let extra = '';
    if (kind !== 2) {
      const base = await fi.mark(i);
      const chars = added.join('').length;
      const start = lines.length - n + 1;
      const entry: ManifestFile = {
        path: filePath,
        status: 'modified',
        sha256: sha256Hex(text),
        addedLines: n,
        aiLines: n,
        nonTrivialAiLines: n,
        addedCharacters: chars,
        aiCharacters: chars,
        ranges: [{ startLine: start, endLine: lines.length, kind: 'chat', tool: 'github.copilot', model: 'gpt-4o', trivial: false, sha256: sha256Hex(rangeText(text, start, lines.length)) }],
      };
      const m: Manifest = {
        schema: MANIFEST_SCHEMA,
        version: MANIFEST_VERSION,
        id: randomUUID(),
        createdAt: new Date((1_760_000_000 + i * 600) * 1000).toISOString(),
        generator: { name: 'ai-provenance', version: '0.1.0' },
        base,
        flagged: true,
        reviewRequired: 'senior',
        policy: { source: 'repository', value: resolvePolicy(POLICY_LAYER) },
        totals: computeTotals([entry]),
        files: [entry],
      };
      message = `Change ${i} to ${filePath}\n\n${trailersForManifest(m).map(formatTrailer).join('\n')}\nReviewed-by: Sam Senior <sam@example.com>\n`;
      if (kind === 0) extra = `M 100644 inline ${manifestRepoPath(m.id)}\n${data(serializeManifest(m))}`;
      else notes.push({ mark: i + 1, text: serializeManifest(m) });
    }
    fi.write(
      `commit refs/heads/main\nmark :${i + 1}\nauthor ${author} ${when(i)}\ncommitter ${author} ${when(i)}\n${data(message)}from :${i}\n` +
        `M 100644 inline ${filePath}\n${data(text)}${extra}`,
    );
  }
  fi.write(`commit ${MANIFEST_NOTES_REF}\ncommitter Notes <notes@example.com> ${when(commits + 1)}\n${data('Notes\n')}` + notes.map((x) => `N inline :${x.mark}\n${data(x.text)}`).join(''));
  await fi.done();
  run(['gc', '-q']);
}

/** The cached repository of `commits` generated commits (built on first use). */
export async function historyRepo(commits: number, onProgress?: (m: string) => void): Promise<string> {
  const root = path.join(os.tmpdir(), `aip-bench-history-g${GENERATION}-${commits}`);
  const complete = path.join(root, '.git', 'aip-bench-complete');
  if (fs.existsSync(complete)) return root;
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  onProgress?.(`history: generating a repository of ${commits.toLocaleString('en-US')} commits in ${root} (kept for later runs)`);
  await generate(root, commits);
  fs.writeFileSync(complete, '');
  return root;
}

export interface ProcessRun {
  readonly wallMs: number;
  /** Peak resident memory of the process itself (KB), when /usr/bin/time is there. */
  readonly maxRssKb?: number;
}

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs a command (output read and dropped) and times it. */
export function runTimed(cwd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): ProcessRun & { stdout: string } {
  const rssFile = TIME ? path.join(os.tmpdir(), `aip-bench-rss-${process.pid}`) : undefined;
  const full = TIME ? [TIME, '-f', '%M', '-o', rssFile!, ...argv] : argv;
  const t = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), { cwd, env, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} failed (exit ${r.status}): ${(r.stderr || '').slice(0, 2000)}`);
  const rss = rssFile && fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : undefined;
  return { wallMs, maxRssKb: Number.isFinite(rss) ? rss : undefined, stdout: r.stdout };
}

/** How many git processes a command starts (GIT_TRACE lines of git's own start), and its peak memory. */
export function gitProcesses(cwd: string, argv: string[]): { processes: number; maxRssKb?: number } {
  const trace = path.join(os.tmpdir(), `aip-bench-trace-${process.pid}`);
  fs.rmSync(trace, { force: true });
  const run = runTimed(cwd, argv, { ...process.env, GIT_TRACE: trace });
  const processes = fs.readFileSync(trace, 'utf8').split('\n').filter((l) => /trace: built-in: git /.test(l)).length;
  fs.rmSync(trace, { force: true });
  return { processes, maxRssKb: run.maxRssKb };
}

export interface HistoryResult {
  readonly commits: number;
  readonly samples: number;
  readonly gitLogMs: number;
  readonly statsMs: number;
  readonly verifyMs: number;
  readonly statsRatio: number;
  readonly verifyRatio: number;
  readonly statsGitProcesses: number;
  readonly verifyGitProcesses: number;
  readonly statsGitProcessesQuarter: number;
  readonly verifyGitProcessesQuarter: number;
  readonly rssKb: { statsQuarter?: number; statsAll?: number; verifyQuarter?: number; verifyAll?: number };
  readonly check: { readonly statsCommits: number; readonly aiAdditions: number; readonly verifyPassed: number; readonly verifyFailed: number };
}

export async function runHistoryBench(options: { cliPath: string; commits: number; samples: number; onProgress?: (m: string) => void }): Promise<HistoryResult> {
  const root = await historyRepo(options.commits, options.onProgress);
  const node = process.execPath;
  const gitLog = ['git', 'log', '--numstat', '--format=%H%n%B', 'main'];
  const stats = (range: string) => [node, options.cliPath, 'stats', range, '--json'];
  const verify = (range: string) => [node, options.cliPath, 'verify', range, '--json'];
  const quarter = `main~${Math.floor(options.commits / 4)}..main`;

  // Correctness first: every commit counted, every manifest verified.
  options.onProgress?.('history: checking stats and verify on the generated history');
  const s = JSON.parse(runTimed(root, stats('main')).stdout) as { commits_counted: number; ai_additions: number };
  const v = JSON.parse(runTimed(root, verify('main')).stdout) as { summary: { passed?: number; failed?: number; pass?: number; fail?: number }; commits: Array<{ status: string; findings: Array<{ rule: string; message: string }> }> };
  const passed = v.commits.filter((c) => c.status === 'pass').length;
  const failed = v.commits.filter((c) => c.status === 'fail');
  if (failed.length) throw new Error(`verify failed ${failed.length} generated commits: ${failed.slice(0, 3).flatMap((c) => c.findings.map((f) => `${f.rule}: ${f.message}`)).join('; ')}`);

  const logMs: number[] = [];
  const statsMs: number[] = [];
  const verifyMs: number[] = [];
  for (let i = 0; i < options.samples; i++) {
    options.onProgress?.(`history: round ${i + 1} of ${options.samples} (git log --numstat, stats, verify)`);
    logMs.push(runTimed(root, gitLog).wallMs);
    statsMs.push(runTimed(root, stats('main')).wallMs);
    verifyMs.push(runTimed(root, verify('main')).wallMs);
  }
  options.onProgress?.('history: git processes and peak memory, over the last quarter and the whole history');
  const statsQuarter = gitProcesses(root, stats(quarter));
  const statsAll = gitProcesses(root, stats('main'));
  const verifyQuarter = gitProcesses(root, verify(quarter));
  const verifyAll = gitProcesses(root, verify('main'));
  const gitLogMs = median(logMs);
  return {
    commits: options.commits,
    samples: options.samples,
    gitLogMs,
    statsMs: median(statsMs),
    verifyMs: median(verifyMs),
    statsRatio: median(statsMs) / gitLogMs,
    verifyRatio: median(verifyMs) / gitLogMs,
    statsGitProcesses: statsAll.processes,
    verifyGitProcesses: verifyAll.processes,
    statsGitProcessesQuarter: statsQuarter.processes,
    verifyGitProcessesQuarter: verifyQuarter.processes,
    rssKb: { statsQuarter: statsQuarter.maxRssKb, statsAll: statsAll.maxRssKb, verifyQuarter: verifyQuarter.maxRssKb, verifyAll: verifyAll.maxRssKb },
    check: { statsCommits: s.commits_counted, aiAdditions: s.ai_additions, verifyPassed: passed, verifyFailed: failed.length },
  };
}
