/**
 * verify recomputes what git can prove and fails a manifest that claims otherwise: triviality,
 * added lines and characters, skip reasons, unlisted files, merges with lines of their own,
 * several manifests of one commit. Each lie here is told consistently (trailers written from
 * the lying manifest), as someone talking the gate around would.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';
import { Manifest, ManifestFile, computeTotals, manifestRepoPath, serializeManifest, sha256Hex } from '../../../src/core/manifest/schema';
import { evaluatePolicy, resolvePolicy } from '../../../src/core/policy/policy';
import { RangeSpec, SENIOR, TEST_POLICY, TempRepo, buildManifest, commitPolicy, commitWithProvenance, lines, trailerBlock } from './fixture';

interface Finding {
  rule: string;
  severity: string;
  message: string;
  file?: string;
}
interface Report {
  commits: Array<{ sha: string; status: string; findings: Finding[] }>;
}

async function verify(repo: TempRepo, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo(repo.dir, env);
  const code = await runCli(['verify', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

async function findings(repo: TempRepo, ...args: string[]): Promise<{ code: number; findings: Finding[] }> {
  const r = await verify(repo, [...args, '--json']);
  const report = JSON.parse(r.out) as Report;
  return { code: r.code, findings: report.commits.flatMap((c) => c.findings) };
}

const rules = (fs: Finding[]): string[] => [...new Set(fs.filter((f) => f.severity === 'error').map((f) => f.rule))].sort();

/** The manifest with its totals and policy decision made to fit its (edited) files. */
function refit(m: Manifest, files: ManifestFile[]): Manifest {
  const totals = computeTotals(files);
  const decision = evaluatePolicy(resolvePolicy(TEST_POLICY), totals);
  const { reviewRequired: _drop, ...rest } = m;
  void _drop;
  return { ...rest, files, totals, flagged: decision.flagged, ...(decision.reviewRequired ? { reviewRequired: decision.reviewRequired } : {}) };
}

/** Stages `files`, builds the true manifest, lets `lie` change it, and commits the lie with matching trailers. */
function commitLie(
  repo: TempRepo,
  opts: { files: Record<string, string | Buffer>; ai?: Record<string, RangeSpec[]>; lie: (m: Manifest) => Manifest; extra?: string[]; location?: 'repo' | 'notes' },
): { sha: string; manifest: Manifest } {
  for (const [p, c] of Object.entries(opts.files)) {
    fs.mkdirSync(path.dirname(path.join(repo.dir, p)), { recursive: true });
    fs.writeFileSync(path.join(repo.dir, p), c);
  }
  repo.git(['add', '--', ...Object.keys(opts.files)]);
  const manifest = opts.lie(buildManifest(repo, opts.ai ?? {}));
  if ((opts.location ?? 'repo') === 'repo') {
    repo.write(manifestRepoPath(manifest.id), serializeManifest(manifest));
    repo.git(['add', '--', manifestRepoPath(manifest.id)]);
  }
  const sha = repo.commit(`Change\n\n${trailerBlock(manifest, opts.extra)}\n`);
  if (opts.location === 'notes') repo.git(['notes', '--ref=refs/notes/ai-provenance', 'add', '-f', '-F', '-', sha], serializeManifest(manifest));
  return { sha, manifest };
}

const REVIEWED = `Reviewed-by: ${SENIOR.name} <${SENIOR.email}>`;

describe('cli verify: claims recomputed from git', function () {
  this.timeout(30000);
  let repo: TempRepo;
  beforeEach(() => {
    repo = TempRepo.create();
    commitPolicy(repo);
  });
  afterEach(() => repo.cleanup());

  it('fails a multi-line agent range marked trivial (the policy makes only short inline edits trivial)', async () => {
    commitLie(repo, {
      files: { 'a.ts': lines(6) },
      ai: { 'a.ts': [{ start: 2, end: 4, kind: 'agent', tool: 'claude-code', trivial: true }] },
      lie: (m) => m,
    });
    const r = await findings(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(rules(r.findings), ['trivial-mismatch']);
    assert.match(r.findings.find((f) => f.rule === 'trivial-mismatch')!.message, /a\.ts: AI lines 2-4 \(agent\) are marked trivial/);
  });

  it('passes trivial inline ranges on adjacent lines (each line its own short completion)', async () => {
    commitLie(repo, { files: { 'a.ts': lines(6) }, ai: { 'a.ts': [{ start: 2, end: 3, kind: 'inline', trivial: true }] }, lie: (m) => m });
    const r = await findings(repo, 'HEAD^..HEAD');
    assert.deepStrictEqual(r.findings, []);
    assert.strictEqual(r.code, 0);
  });

  it("fails added lines or characters that differ from git's diff (a share diluted by 1,000 invented lines)", async () => {
    repo.write('a.ts', lines(20));
    repo.git(['add', 'a.ts']);
    repo.commit('Base\n\nAI-Assisted: no\n');
    commitLie(repo, {
      files: { 'a.ts': lines(23) },
      ai: { 'a.ts': [{ start: 21, end: 23, kind: 'chat' }] },
      extra: [REVIEWED],
      lie: (m) => refit(m, m.files.map((f) => ({ ...f, addedLines: 1000 }))),
    });
    let r = await findings(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(rules(r.findings), ['counts-mismatch']);
    assert.match(r.findings[0].message, /a\.ts: the manifest claims 1000 added lines, git's diff shows 3/);

    commitLie(repo, {
      files: { 'a.ts': lines(24) },
      ai: { 'a.ts': [{ start: 24, end: 24, kind: 'chat' }] },
      lie: (m) => refit(m, m.files.map((f) => ({ ...f, addedCharacters: f.addedCharacters + 500 }))),
    });
    r = await findings(repo, 'HEAD^..HEAD');
    assert.deepStrictEqual(rules(r.findings), ['counts-mismatch']);
    assert.match(r.findings[0].message, /added characters, git's diff shows 7/);
  });

  for (const reason of ['binary', 'too-large', 'symlink', 'not-utf8'] as const) {
    it(`fails an ordinary text file declared skipped: ${reason}, also with --policy-rev main --require-declaration`, async () => {
      commitLie(repo, {
        files: { 'a.ts': lines(10) },
        ai: { 'a.ts': [{ start: 1, end: 9, kind: 'agent' }] },
        lie: (m) => refit(m, m.files.map((f) => ({ ...f, skipped: reason, ranges: [], aiLines: 0, nonTrivialAiLines: 0, aiCharacters: 0, addedLines: 0, addedCharacters: 0 }))),
      });
      const r = await findings(repo, 'main~1..main', '--policy-rev', 'main', '--require-declaration');
      assert.strictEqual(r.code, 1);
      assert.deepStrictEqual(rules(r.findings), ['skip-mismatch']);
      assert.match(r.findings[0].message, new RegExp(`a\\.ts is listed as not analysed \\(${reason}\\)`));
    });
  }

  it('passes true skip reasons: a binary file, a symbolic link, a file that is not UTF-8', async () => {
    const skips: Record<string, 'binary' | 'symlink' | 'not-utf8'> = { 'img.bin': 'binary', 'link': 'symlink', 'latin1.txt': 'not-utf8' };
    fs.symlinkSync('a.ts', path.join(repo.dir, 'link'));
    commitLie(repo, {
      files: { 'img.bin': Buffer.from([0x89, 0x50, 0x00, 0x01, 0x02]), 'latin1.txt': Buffer.from('caf\xe9\n', 'latin1'), 'a.ts': lines(2) },
      lie: (m) => {
        repo.git(['add', 'link']);
        // The fixture reads a link's target; the commit flow hashes the blob (the link's text).
        const files = buildManifest(repo, {}).files.map((f) =>
          skips[f.path] ? { ...f, skipped: skips[f.path], addedLines: 0, addedCharacters: 0, ...(f.path === 'link' ? { sha256: sha256Hex('a.ts') } : {}) } : f,
        );
        return refit(m, files);
      },
    });
    const r = await findings(repo, 'HEAD^..HEAD');
    assert.deepStrictEqual(r.findings, []);
    assert.strictEqual(r.code, 0);
  });

  it('fails (not warns) when a changed file is left out of the manifest, also in --format github', async () => {
    commitLie(repo, {
      files: { 'a.ts': lines(4), 'b.ts': lines(30) },
      ai: { 'a.ts': [{ start: 1, end: 1, kind: 'inline', trivial: true }], 'b.ts': [{ start: 1, end: 30, kind: 'agent' }] },
      lie: (m) => refit(m, m.files.filter((f) => f.path !== 'b.ts')),
    });
    const r = await findings(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(rules(r.findings), ['file-unlisted']);
    const gh = await verify(repo, ['HEAD^..HEAD', '--format', 'github']);
    assert.strictEqual(gh.code, 1);
    assert.match(gh.out, /^::error file=b\.ts,.*b\.ts is changed by the commit but not listed in the manifest/m);
  });

  it('fails a merge that adds lines of its own without AI-Assisted under --require-declaration; a plain merge passes', async () => {
    repo.git(['checkout', '-q', '-b', 'side']);
    commitWithProvenance(repo, { subject: 'Side', files: { 's.ts': lines(3) } });
    repo.git(['checkout', '-q', 'main']);
    commitWithProvenance(repo, { subject: 'Main', files: { 'm.ts': lines(3) } });
    repo.git(['merge', '-q', '--no-ff', '-m', 'Merge side', 'side']);
    let r = await findings(repo, 'HEAD^..HEAD', '--require-declaration');
    assert.deepStrictEqual(r.findings, []);
    assert.strictEqual(r.code, 0);

    repo.git(['reset', '-q', '--hard', 'HEAD^']);
    repo.git(['merge', '-q', '--no-ff', '--no-commit', 'side']);
    repo.write('m.ts', lines(3) + 'agent code slipped into the merge\n');
    repo.git(['add', 'm.ts']);
    repo.commit('Merge side');
    r = await findings(repo, 'HEAD^..HEAD', '--require-declaration');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(rules(r.findings), ['declaration-missing']);
    assert.match(r.findings[0].message, /merge commit adds lines that none of its parents has/);
  });

  it('fails a second, flagged manifest in the same commit that the named one contradicts', async () => {
    let truth: Manifest | undefined;
    commitLie(repo, {
      files: { 'a.ts': lines(10) },
      ai: { 'a.ts': [{ start: 1, end: 8, kind: 'agent' }] },
      lie: (m) => {
        truth = m;
        return refit({ ...m, id: '11111111-2222-4333-8444-555555555555' }, m.files.map((f) => ({ ...f, ranges: [], aiLines: 0, nonTrivialAiLines: 0, aiCharacters: 0 })));
      },
    });
    // The true, flagged manifest is committed too (amended into the same commit).
    repo.write(manifestRepoPath(truth!.id), serializeManifest(truth!));
    repo.git(['add', '--', manifestRepoPath(truth!.id)]);
    repo.git(['commit', '-q', '--amend', '--no-edit']);
    const r = await findings(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(rules(r.findings), ['manifest-conflict']);
    assert.match(r.findings.find((f) => f.rule === 'manifest-conflict')!.message, /two manifests that disagree.*one flags the change, the other does not/);
  });

  it('fails a note that disagrees with the committed manifest; a committed manifest left over from another attempt only warns', async () => {
    const { sha, manifest } = commitLie(repo, { files: { 'a.ts': lines(10) }, ai: { 'a.ts': [{ start: 1, end: 1, kind: 'inline', trivial: true }] }, lie: (m) => m });
    let r = await findings(repo, 'HEAD^..HEAD');
    assert.deepStrictEqual(r.findings, []);
    const other = refit({ ...manifest, id: '11111111-2222-4333-8444-555555555555' }, manifest.files.map((f) => ({ ...f, ranges: [], aiLines: 0, nonTrivialAiLines: 0, aiCharacters: 0 })));
    repo.git(['notes', '--ref=refs/notes/ai-provenance', 'add', '-f', '-F', '-', sha], serializeManifest(other));
    r = await findings(repo, 'HEAD^..HEAD');
    assert.strictEqual(r.code, 1);
    assert.deepStrictEqual(rules(r.findings), ['manifest-conflict']);
    repo.git(['notes', '--ref=refs/notes/ai-provenance', 'remove', sha]);

    // A stale manifest (of a text staged before a last edit) committed besides the right one.
    const stale = { ...manifest, id: '22222222-2222-4333-8444-555555555555', files: manifest.files.map((f) => ({ ...f, sha256: 'f'.repeat(64) })) };
    commitLie(repo, {
      files: { 'b.ts': lines(2), [manifestRepoPath(stale.id)]: serializeManifest(stale) },
      lie: (m) => refit(m, m.files.filter((f) => !f.path.startsWith('.ai-provenance/'))),
    });
    r = await findings(repo, 'HEAD^..HEAD');
    assert.deepStrictEqual(rules(r.findings), []);
    assert.deepStrictEqual(r.findings.map((f) => [f.rule, f.severity]), [['manifest-mismatch', 'warning']]);
  });

  for (const level of ['toString', 'constructor', '__proto__']) {
    it(`reads a review level named ${level} as a name, in a policy and in a manifest (no crash, a finding)`, async () => {
      const policyFile = path.join(repo.dir, 'levels.json');
      fs.writeFileSync(policyFile, `{"review": {"required": "senior", "reviewers": {"${level}": {"emails": ["${SENIOR.email}"]}}}}`);
      commitLie(repo, {
        files: { 'a.ts': lines(10) },
        ai: { 'a.ts': [{ start: 1, end: 5, kind: 'agent' }] },
        lie: (m) => ({ ...m, reviewRequired: level }),
      });
      for (const args of [['HEAD^..HEAD'], ['HEAD^..HEAD', '--policy', policyFile]]) {
        const r = await verify(repo, [...args, '--json']);
        assert.strictEqual(r.err, '');
        assert.strictEqual(r.code, 1, r.out);
        const report = JSON.parse(r.out) as Report;
        assert.ok(report.commits[0].findings.some((f) => f.rule === 'review-missing' || f.rule === 'trailer-mismatch'), r.out);
      }
    });
  }

  it('starts a bounded number of git processes whatever the number of deleted and submodule entries', async () => {
    const counter = path.join(repo.dir, '..', `count-git-${process.pid}-${Date.now()}.sh`);
    const log = `${counter}.log`;
    fs.writeFileSync(counter, `#!/bin/sh\necho x >> '${log}'\nexec git "$@"\n`, { mode: 0o755 });
    const processes = async (entries: number): Promise<number> => {
      commitLie(repo, {
        files: { [`a${entries}.ts`]: lines(3) },
        lie: (m) => {
          const fake: ManifestFile[] = [];
          for (let i = 0; i < entries; i++) {
            fake.push({ path: `gone/${i}.ts`, status: 'deleted', addedLines: 0, aiLines: 0, nonTrivialAiLines: 0, addedCharacters: 0, aiCharacters: 0, ranges: [] });
            // A line break keeps a path out of the batched read: it must not cost a process either.
            fake.push({ path: `gone/${i}\n.ts`, status: 'deleted', addedLines: 0, aiLines: 0, nonTrivialAiLines: 0, addedCharacters: 0, aiCharacters: 0, ranges: [] });
            fake.push({ path: `sub/${i}`, status: 'added', sha256: 'a'.repeat(64), skipped: 'submodule', addedLines: 0, aiLines: 0, nonTrivialAiLines: 0, addedCharacters: 0, aiCharacters: 0, ranges: [] });
          }
          return refit(m, [...m.files, ...fake]);
        },
      });
      fs.rmSync(log, { force: true });
      const r = await verify(repo, ['HEAD^..HEAD', '--json'], { ...process.env, AI_PROVENANCE_GIT: counter });
      assert.strictEqual(r.code, 1);
      return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
    };
    try {
      const few = await processes(5);
      const many = await processes(300);
      assert.strictEqual(many, few, `git processes: ${few} for 5 entries, ${many} for 300`);
    } finally {
      fs.rmSync(counter, { force: true });
      fs.rmSync(log, { force: true });
    }
  });

  it('escapes untrusted paths in the table: no line of the output can be a workflow command', async () => {
    const evil = 'x.ts\n::notice title=pwned::injected\n::error::';
    commitLie(repo, {
      files: { 'a.ts': lines(2) },
      lie: (m) => refit(m, [...m.files, { path: evil, status: 'added', sha256: 'a'.repeat(64), addedLines: 0, aiLines: 0, nonTrivialAiLines: 0, addedCharacters: 0, aiCharacters: 0, ranges: [] }]),
    });
    for (const format of ['table', 'github']) {
      const r = await verify(repo, ['HEAD^..HEAD', '--format', format]);
      assert.strictEqual(r.code, 1);
      const injected = r.out.split('\n').filter((l) => l.startsWith('::notice') || l.startsWith('::error::'));
      assert.deepStrictEqual(injected, [], r.out);
    }
    const table = await verify(repo, ['HEAD^..HEAD']);
    assert.ok(table.out.includes('x.ts\\n::notice title=pwned::injected\\n::error::'), table.out);
  });

  it('--groups-rev reads the groups file from the base branch: a pull request cannot add its own reviewer to a group', async () => {
    const PAL = { name: 'Pat Pal', email: 'pat@example.com' };
    repo.write('groups.json', JSON.stringify({ '@acme/seniors': [SENIOR.email] }));
    repo.git(['add', 'groups.json']);
    repo.commit('Groups\n\nAI-Assisted: no\n');
    repo.git(['branch', 'base']);
    // The pull request adds its author's friend to the group and has the friend review.
    repo.write('groups.json', JSON.stringify({ '@acme/seniors': [SENIOR.email, PAL.email] }));
    repo.git(['add', 'groups.json']);
    commitWithProvenance(repo, { subject: 'AI', files: { 'a.ts': lines(6) }, ai: { 'a.ts': [{ start: 1, end: 5 }] }, extraTrailers: [`Reviewed-by: ${PAL.name} <${PAL.email}>`] });
    const fromTree = await findings(repo, 'base..HEAD', '--groups', 'groups.json');
    assert.strictEqual(fromTree.code, 0, 'the work tree copy is the pull request\'s');
    const fromBase = await findings(repo, 'base..HEAD', '--groups', 'groups.json', '--groups-rev', 'base');
    assert.strictEqual(fromBase.code, 1);
    assert.deepStrictEqual(rules(fromBase.findings), ['review-missing']);
    const usage = await verify(repo, ['base..HEAD', '--groups-rev', 'base']);
    assert.strictEqual(usage.code, 2);
    assert.match(usage.err, /--groups-rev <rev> needs --groups <path>/);
  });

  it('reads a policy saved with a UTF-8 byte order mark (committed, --policy and --policy-rev)', async () => {
    repo.write('.ai-provenance.json', '\ufeff' + JSON.stringify({ version: 1, ...TEST_POLICY }));
    repo.git(['add', '.ai-provenance.json']);
    repo.commit('Policy with BOM\n\nAI-Assisted: no\n');
    commitWithProvenance(repo, { subject: 'AI', files: { 'a.ts': lines(5) }, ai: { 'a.ts': [{ start: 1, end: 4 }] }, extraTrailers: [REVIEWED] });
    const file = path.join(os.tmpdir(), `aip-bom-${process.pid}.json`);
    fs.writeFileSync(file, '\ufeff' + JSON.stringify(TEST_POLICY));
    try {
      for (const extra of [[], ['--policy', file], ['--policy-rev', 'HEAD']]) {
        const r = await verify(repo, ['HEAD~2..HEAD', '--json', ...extra]);
        assert.strictEqual(r.err, '', extra.join(' '));
        assert.strictEqual(r.code, 0, `${extra.join(' ')}: ${r.out}`);
      }
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});

describe('cli usage errors', function () {
  this.timeout(30000);
  it('stats --since with something that is not a date is a usage error (exit 2, one line on stderr)', async () => {
    const repo = TempRepo.create();
    try {
      commitPolicy(repo);
      for (const opt of ['--since', '--until']) {
        const io = memoryIo(repo.dir);
        assert.strictEqual(await runCli(['stats', 'HEAD', opt, 'not a date'], io), 2);
        assert.match(io.stderr, new RegExp(`^ai-provenance stats: ${opt} 'not a date' is not a date`));
        assert.strictEqual(io.stderr.trim().split('\n').length, 1);
      }
      for (const ok of ['2026-11-01', '4 weeks ago', 'yesterday', 'now']) {
        const io = memoryIo(repo.dir);
        assert.strictEqual(await runCli(['stats', 'HEAD', '--since', ok], io), 0, `${ok}: ${io.stderr}`);
      }
    } finally {
      repo.cleanup();
    }
  });

  it('a bare call prints the usage to stderr and exits 2', async () => {
    const io = memoryIo(os.tmpdir());
    assert.strictEqual(await runCli([], io), 2);
    assert.strictEqual(io.stdout, '');
    assert.match(io.stderr, /^Usage: ai-provenance <command>/);
  });
});
