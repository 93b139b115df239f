import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readSnapshot } from '../../../src/commit/snapshot';
import { refreshStagedState, WorkingProvenance } from '../../../src/commit/stagedState';
import { manifestRepoPath, parseManifest } from '../../../src/core/manifest/schema';
import { parsePolicy, resolvePolicy } from '../../../src/core/policy/policy';
import { Origin } from '../../../src/core/provenance/origin';
import { gitDir } from '../../../src/git/git';
import { readPendingNote } from '../../../src/git/manifestStore';

const agent: Origin = { kind: 'agent', tool: 'claude-code', model: 'opus', timestamp: 1 };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

function makeRepo(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'aip-state-')));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  fs.writeFileSync(path.join(dir, 'a.js'), 'base();\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  return dir;
}

const block = (n: number): string => Array.from({ length: n }, (_, i) => `agentLine${i}(${i});`).join('\n') + '\n';

/** A repository whose a.js has `n` agent lines staged after its committed first line. */
function stagedAi(n: number): { dir: string; ai: string; text: string } {
  const dir = makeRepo();
  const ai = block(n);
  const text = 'base();\n' + ai;
  fs.writeFileSync(path.join(dir, 'a.js'), text);
  git(dir, 'add', 'a.js');
  return { dir, ai, text };
}

async function refresh(dir: string, text: string, aiText: string, location: 'repo' | 'notes' = 'repo', version?: string) {
  fs.writeFileSync(path.join(dir, 'a.js'), text);
  const start = text.indexOf(aiText);
  const ranges = start < 0 ? [] : [{ start, end: start + aiText.length, origin: agent, text: aiText }];
  const working = new Map<string, WorkingProvenance>([['a.js', { text, ranges, ...(version !== undefined ? { version } : {}) }]]);
  const gd = await gitDir(dir);
  const prev = readSnapshot(gd);
  return refreshStagedState({
    root: dir,
    gitDir: gd,
    policy: { source: 'default', value: resolvePolicy() },
    manifestLocation: location,
    maxFileBytes: 1e6,
    generator: { name: 'ai-provenance', version: 'test' },
    trailers: 'auto',
    assistedBy: [],
    working,
    previous: prev && !('error' in prev) ? prev : undefined,
  });
}

function stagedManifests(dir: string): string[] {
  return git(dir, 'diff', '--cached', '--name-only').split('\n').filter((p) => p.startsWith('.ai-provenance/'));
}

describe('staged state refresh (temporary repositories)', () => {
  it('is idempotent: same id, manifest not rewritten, one manifest staged', async () => {
    const { dir, ai, text } = stagedAi(4);
    const first = await refresh(dir, text, ai);
    assert.ok(first.manifest);
    const blob1 = git(dir, 'rev-parse', `:${manifestRepoPath(first.manifest.id)}`).trim();
    const second = await refresh(dir, text, ai);
    assert.strictEqual(second.manifest?.id, first.manifest.id);
    assert.strictEqual(git(dir, 'rev-parse', `:${manifestRepoPath(first.manifest.id)}`).trim(), blob1);
    assert.deepStrictEqual(stagedManifests(dir), [manifestRepoPath(first.manifest.id)]);
    assert.deepStrictEqual(first.trailers.map((t) => t.key), ['AI-Assisted', 'AI-Contribution', 'Assisted-by', 'AI-Provenance', 'Review-Required']);
  });

  it('keeps the id while the staged change grows, drops the manifest when no AI is staged', async () => {
    const staged = stagedAi(2);
    const { dir, ai } = staged;
    let text = staged.text;
    const a = await refresh(dir, text, ai);
    const ai2 = block(5);
    text = 'base();\n' + ai2;
    fs.writeFileSync(path.join(dir, 'a.js'), text);
    git(dir, 'add', 'a.js');
    const b = await refresh(dir, text, ai2);
    assert.strictEqual(b.manifest?.id, a.manifest?.id);
    assert.strictEqual(b.manifest?.totals.aiLines, 5);
    assert.deepStrictEqual(stagedManifests(dir), [manifestRepoPath(a.manifest!.id)]);
    git(dir, 'reset', '-q', '--', 'a.js');
    const c = await refresh(dir, text, ai2);
    assert.strictEqual(c.manifest, undefined);
    assert.deepStrictEqual(stagedManifests(dir), []);
    assert.ok(!fs.existsSync(path.join(dir, manifestRepoPath(a.manifest!.id))));
    assert.strictEqual(c.snapshot.pendingManifestId, undefined);
  });

  it('after a commit a new change gets a new id and the committed manifest is never touched', async () => {
    const { dir, ai, text } = stagedAi(3);
    const a = await refresh(dir, text, ai);
    git(dir, 'commit', '-qm', 'first');
    // Nothing staged: nothing counted twice, committed manifest stays.
    const empty = await refresh(dir, text, ai);
    assert.strictEqual(empty.empty, true);
    assert.ok(fs.existsSync(path.join(dir, manifestRepoPath(a.manifest!.id))));
    const more = block(6);
    const text2 = 'base();\n' + more;
    fs.writeFileSync(path.join(dir, 'a.js'), text2);
    git(dir, 'add', 'a.js');
    const b = await refresh(dir, text2, more);
    assert.notStrictEqual(b.manifest?.id, a.manifest?.id);
    // Only the three new lines count (the first three are in HEAD).
    assert.strictEqual(b.manifest?.totals.aiLines, 3);
    assert.deepStrictEqual(stagedManifests(dir), [manifestRepoPath(b.manifest!.id)]);
  });

  it('a commit followed at once by more staged AI gets a new id (the committed one is not reused)', async () => {
    const { dir, ai, text } = stagedAi(3);
    const a = await refresh(dir, text, ai);
    git(dir, 'commit', '-qm', 'first');
    const more = block(5);
    const text2 = 'base();\n' + more;
    fs.writeFileSync(path.join(dir, 'a.js'), text2);
    git(dir, 'add', 'a.js');
    const b = await refresh(dir, text2, more);
    assert.ok(b.manifest && a.manifest);
    assert.notStrictEqual(b.manifest.id, a.manifest.id);
    assert.strictEqual(git(dir, 'show', `HEAD:${manifestRepoPath(a.manifest.id)}`).includes('"aiLines": 3'), true);
  });

  it('a manifest the user unstaged is not staged again; it becomes a pending note', async () => {
    const { dir, ai, text } = stagedAi(3);
    const a = await refresh(dir, text, ai);
    git(dir, 'reset', '-q', '--', manifestRepoPath(a.manifest!.id));
    const b = await refresh(dir, text, ai);
    const c = await refresh(dir, text, ai);
    assert.deepStrictEqual(stagedManifests(dir), []);
    assert.strictEqual(b.manifest?.id, a.manifest?.id);
    assert.strictEqual(c.manifest?.id, a.manifest?.id);
    assert.strictEqual(readPendingNote(await gitDir(dir))?.id, a.manifest?.id);
    assert.strictEqual(c.trailers.find((t) => t.key === 'AI-Provenance')?.value, a.manifest?.id);
  });

  it('notes location: pending note instead of a staged file', async () => {
    const { dir, ai, text } = stagedAi(3);
    const r = await refresh(dir, text, ai, 'notes');
    assert.deepStrictEqual(stagedManifests(dir), []);
    assert.strictEqual(readPendingNote(await gitDir(dir))?.id, r.manifest?.id);
  });

  it('a staged file whose working provenance keeps its version is not counted again; a new version or none is', async () => {
    const { dir, ai, text } = stagedAi(3);
    const aiLines = (r: Awaited<ReturnType<typeof refresh>>) => r.change.files.find((f) => f.path === 'a.js')?.aiLines;
    assert.strictEqual(aiLines(await refresh(dir, text, ai, 'repo', 'doc1:1:7')), 3);
    // The caller promises that the same version means the same text and ranges: the count kept
    // for it is used (here, on purpose, although the ranges passed differ).
    assert.strictEqual(aiLines(await refresh(dir, text, 'no AI', 'repo', 'doc1:1:7')), 3);
    assert.strictEqual(aiLines(await refresh(dir, text, 'no AI', 'repo', 'doc1:1:8')), 0);
    assert.strictEqual(aiLines(await refresh(dir, text, ai, 'repo')), 3);
    assert.strictEqual(aiLines(await refresh(dir, text, 'no AI', 'repo')), 0);
  });

  it('snapshot carries index and working-copy versions keyed by blob', async () => {
    const { dir, ai, text: staged } = stagedAi(2);
    const working = staged + 'human();\n';
    const r = await refresh(dir, working, ai);
    const f = r.snapshot.files.find((x) => x.path === 'a.js')!;
    assert.strictEqual(f.versions.length, 2);
    assert.strictEqual(f.versions[0].blob, git(dir, 'rev-parse', ':a.js').trim());
    assert.strictEqual(f.versions[1].blob, git(dir, 'hash-object', 'a.js').trim());
    assert.strictEqual(r.change.files.find((x) => x.path === 'a.js')?.addedLines, 2);
  });
});

describe('staged state refresh: risk rules', () => {
  it('writes the rules that fire into the manifest and the trailers (Review-Required at the highest level, AI-Risk)', async () => {
    const dir = makeRepo();
    const ai = 'function sync() {\n  retry(3);\n}\n';
    const text = 'base();\n' + ai;
    fs.writeFileSync(path.join(dir, 'a.js'), text);
    git(dir, 'add', 'a.js');
    const start = text.indexOf(ai);
    const working = new Map<string, WorkingProvenance>([['a.js', { text, ranges: [{ start, end: start + ai.length, origin: agent, text: ai }] }]]);
    const parsed = parsePolicy(
      {
        review: { required: 'senior', levels: ['senior', 'principal'] },
        threshold: { nonTrivialLines: 10, percentOfAddedLines: 0 },
        risk: {
          rules: [
            { id: 'concurrency', patterns: ['\\bretry\\b'], level: 'principal', reason: 'retry storm (incident 2025-09)', links: ['https://wiki.example.com/inc/2025-09'] },
            { id: 'infra', paths: ['infra/**'], level: 'principal', reason: 'not this change' },
          ],
        },
      },
      { partial: true },
    );
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
    const r = await refreshStagedState({
      root: dir,
      gitDir: await gitDir(dir),
      policy: { source: 'repository', value: resolvePolicy(parsed.value) },
      manifestLocation: 'repo',
      maxFileBytes: 1e6,
      generator: { name: 'ai-provenance', version: 'test' },
      trailers: 'auto',
      assistedBy: [],
      working,
    });
    assert.deepStrictEqual(r.manifest?.risk, [
      { id: 'concurrency', level: 'principal', reason: 'retry storm (incident 2025-09)', links: ['https://wiki.example.com/inc/2025-09'], files: [{ path: 'a.js', lines: [[3, 3]] }] },
    ]);
    assert.strictEqual(r.manifest?.flagged, true, 'flagged by the rule although under the threshold');
    assert.deepStrictEqual(
      r.trailers.filter((t) => t.key === 'Review-Required' || t.key === 'AI-Risk' || t.key === 'AI-Assisted').map((t) => `${t.key}: ${t.value}`),
      ['AI-Assisted: yes', 'Review-Required: principal', 'AI-Risk: concurrency'],
    );
    assert.match(r.decision.reasons.join('\n'), /risk rule concurrency \(principal\): retry storm/);
    const committed = parseManifest(fs.readFileSync(path.join(dir, manifestRepoPath(r.manifest!.id)), 'utf8'));
    assert.ok(committed.ok, JSON.stringify(!committed.ok && committed.errors));
  });
});
