import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_NOTES_REF, parseManifest } from '../../../src/core/manifest/schema';
import { TempRepo, commitWithProvenance } from './fixture';
import { agentWrites, aiLines, cli, commitAll, git, lines, message, newRepo, removeSavedProvenance, repoPerTest, run, twoAgentCommits, unknownLines, verify } from './scenarioSupport';

/**
 * The record on its way to main, over real repositories with the bundled command
 * (`dist/cli.js`): hooks installed with `ai-provenance install`, AI text recorded by
 * `ai-provenance checkpoint` (an agent in a terminal, VS Code closed), then the step under test.
 * For each step: the AI lines `stats` counts afterwards equal those before it, and `verify`
 * passes or fails as it should.
 */
describe('the record on its way to main (scenarios over real repositories)', function () {
  this.timeout(120000);
  const t = repoPerTest();

  it('terminal commit with VS Code closed after a checkpoint: trailers and a note, verify passes', () => {
    const { repo } = t;
    agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(repo, 'Agent adds five constants');
    assert.match(message(repo), /AI-Assisted: yes\nAI-Contribution: 100% \(5 of 5 added lines; agent 5\)\nAssisted-by: codex:gpt-5\nAI-Provenance: [0-9a-f-]{36}/);
    const note = parseManifest(git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', 'HEAD'));
    assert.ok(note.ok && note.value.totals.aiLines === 5);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 5);
    assert.strictEqual(verify(repo, 'HEAD^..HEAD').status, 0);
  });

  it('amend after a small human edit keeps the AI lines, also when the saved provenance is gone', () => {
    const { repo } = t;
    agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(repo, 'Agent adds five constants');
    removeSavedProvenance(repo);
    repo.write('app.ts', repo.read('app.ts') + 'export const human = 1;\n');
    git(repo, 'add', 'app.ts');
    git(repo, 'commit', '-q', '--amend', '-m', 'Agent adds five constants, and one by hand');
    const msg = message(repo);
    assert.match(msg, /AI-Assisted: yes\nAI-Contribution: 83% \(5 of 6 added lines; agent 5\)/);
    assert.strictEqual((msg.match(/AI-Assisted:/g) ?? []).length, 1);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 5);
    assert.strictEqual(verify(repo, 'HEAD^..HEAD').status, 0, verify(repo, 'HEAD^..HEAD').out);
  });

  it('rebase onto a main that moved: each commit keeps its AI lines, measured against its new parent', () => {
    const { repo } = t;
    twoAgentCommits(repo);
    git(repo, 'checkout', '-q', 'main');
    repo.write('app.ts', '// header written on main\n// second line\nexport const start = 0;\n');
    commitAll(repo, 'main moves');
    git(repo, 'checkout', '-q', 'feature');
    removeSavedProvenance(repo);
    git(repo, 'rebase', '-q', 'main');
    assert.strictEqual(aiLines(repo, 'main..feature'), 9);
    for (const rev of ['HEAD', 'HEAD^']) assert.doesNotMatch(message(repo, rev), /AI-Assisted: no/);
    const v = verify(repo, 'main..feature');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('interactive squash merges the records of the commits combined', () => {
    const { repo } = t;
    twoAgentCommits(repo);
    repo.write('c.ts', 'export const byHand = 1;\n');
    commitAll(repo, 'by hand');
    removeSavedProvenance(repo);
    const r = run(repo, 'git', ['rebase', '-q', '-i', 'main'], { GIT_SEQUENCE_EDITOR: "sed -i -e '2s/^pick/squash/' -e '3s/^pick/fixup/'" });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(git(repo, 'rev-list', '--count', 'main..feature').trim(), '1');
    assert.strictEqual(aiLines(repo, 'main..feature'), 9);
    const m = parseManifest(git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', 'HEAD'));
    assert.ok(m.ok && m.value.carriedFrom && m.value.carriedFrom.length >= 2, 'the squash names the manifests it carries');
    assert.match(message(repo), /AI-Contribution: 90% \(9 of 10 added lines; agent 9\)/);
    const v = verify(repo, 'main..feature');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('git merge --squash with the hooks, saved provenance gone: the squash commit carries the AI lines of the commits squashed', () => {
    const { repo } = t;
    twoAgentCommits(repo);
    git(repo, 'checkout', '-q', 'main');
    removeSavedProvenance(repo);
    git(repo, 'merge', '-q', '--squash', 'feature');
    git(repo, 'commit', '-q');
    assert.match(message(repo), /^Squashed commit of the following:[\s\S]*\n\nAI-Assisted: yes\nAI-Contribution: 100% \(9 of 9 added lines; agent 9\)\nAssisted-by: codex:gpt-5\nAI-Provenance: [0-9a-f-]{36}\n*$/);
    const m = parseManifest(git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', 'HEAD'));
    assert.ok(m.ok && m.value.carriedFrom?.length === 2, 'the squash names the manifests it carries');
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 9);
    const v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('cherry-pick carries the AI lines onto the new commit', () => {
    const { repo } = t;
    git(repo, 'checkout', '-q', '-b', 'feature');
    agentWrites(repo, 'b.ts', lines('b', 4));
    commitAll(repo, 'four');
    const picked = git(repo, 'rev-parse', 'HEAD').trim();
    git(repo, 'checkout', '-q', 'main');
    repo.write('app.ts', '// main moves\nexport const start = 0;\n');
    commitAll(repo, 'main moves');
    removeSavedProvenance(repo);
    git(repo, 'cherry-pick', picked);
    assert.notStrictEqual(git(repo, 'rev-parse', 'HEAD').trim(), picked);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 4);
    const v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('a rebase that changes AI lines in a conflict records them as unknown, never as AI-Assisted: no', () => {
    const { repo } = t;
    git(repo, 'checkout', '-q', '-b', 'feature');
    agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(repo, 'five');
    git(repo, 'checkout', '-q', 'main');
    repo.write('app.ts', 'export const start = 0;\nexport const a0 = 7;\n');
    commitAll(repo, 'main writes a0 differently');
    git(repo, 'checkout', '-q', 'feature');
    removeSavedProvenance(repo);
    assert.notStrictEqual(run(repo, 'git', ['rebase', '-q', 'main']).status, 0, 'the rebase stops on a conflict');
    // Resolved by hand: the AI lines are rewritten.
    repo.write('app.ts', 'export const start = 0;\nexport const a0 = 7;\n' + lines('a', 5).split('\n').slice(1).map((l) => l.replace('* 2', '* 3')).join('\n'));
    git(repo, 'add', 'app.ts');
    const r = run(repo, 'git', ['rebase', '--continue']);
    assert.strictEqual(r.status, 0, r.stderr);
    const msg = message(repo);
    assert.doesNotMatch(msg, /AI-Assisted: no/);
    assert.match(msg, /AI-Assisted: yes/);
    const m = parseManifest(git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', 'HEAD'));
    assert.ok(m.ok);
    assert.strictEqual(m.value.files[0].unknownLines, 4);
    assert.match(m.value.unknownReason ?? '', /cannot be attributed/);
    assert.strictEqual(unknownLines(repo, 'HEAD^..HEAD'), 4);
  });
});

/** What a hosting platform does on merge: git without our hooks. */
function platform(repo: TempRepo, ...args: string[]): string {
  return git(repo, '-c', 'core.hooksPath=/dev/null', ...args);
}

/** A pull request of two AI commits (5 and 4 agent lines) on `feature`, branched from main. */
function pullRequest(repo: TempRepo): { base: string; head: string } {
  const base = git(repo, 'rev-parse', 'main').trim();
  twoAgentCommits(repo);
  git(repo, 'checkout', '-q', 'main');
  repo.write('README.md', 'main moves while the pull request is open\n');
  commitAll(repo, 'main moves');
  return { base, head: git(repo, 'rev-parse', 'feature').trim() };
}

describe('merges on the server: squash and rebase', function () {
  this.timeout(120000);
  const t = repoPerTest();

  it('squash merge with manifests in the repository: stats on main counts every manifest the commit adds', () => {
    const { repo } = t;
    // Manifests committed in the pull request's commits (the extension's default location,
    // written here by the test's fixture, so without our hooks).
    git(repo, 'config', 'core.hooksPath', '/dev/null');
    git(repo, 'checkout', '-q', '-b', 'feature');
    commitWithProvenance(repo, { subject: 'five', files: { 'a.js': lines('a', 5) }, ai: { 'a.js': [{ start: 1, end: 5 }] }, policy: { review: { required: null } } });
    commitWithProvenance(repo, { subject: 'four', files: { 'b.js': lines('b', 4) }, ai: { 'b.js': [{ start: 1, end: 4 }] }, policy: { review: { required: null } } });
    git(repo, 'config', '--unset', 'core.hooksPath');
    assert.strictEqual(aiLines(repo, 'main..feature'), 9);
    git(repo, 'checkout', '-q', 'main');
    platform(repo, 'merge', '-q', '--squash', 'feature');
    platform(repo, 'commit', '-q', '-m', `Feature (#1)\n\n${git(repo, 'log', '--reverse', '--format=* %B', 'main..feature')}`);
    // Both manifests are in the squash commit; its message's trailers name the second one only.
    assert.strictEqual(git(repo, 'show', '--name-only', '--format=', 'HEAD', '--', '.ai-provenance').trim().split('\n').length, 2);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 9);
    // verify reads them as one claim for the squash commit, without reattach.
    let v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
    assert.doesNotMatch(v.out, /WARNING/, v.out);
    // reattach makes one manifest of them, which verify then checks.
    const r = cli(repo, 'reattach', 'HEAD', '--from', 'main@{1}..feature');
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /9 of 9 added lines AI \(from 2 manifest\(s\)\)/);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 9);
    v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('git merge --squash of two AI commits with committed manifests: verify combines them without reattach; stats equals the pull request', () => {
    const { repo } = t;
    git(repo, 'config', 'core.hooksPath', '/dev/null');
    git(repo, 'checkout', '-q', '-b', 'feature');
    const policy = { review: { required: null } };
    commitWithProvenance(repo, { subject: 'five', files: { 'a.js': lines('a', 5) }, ai: { 'a.js': [{ start: 1, end: 5, kind: 'agent', tool: 'codex' }] }, policy });
    // The second commit puts lines above the first one's AI lines (they move) and adds four of its own.
    commitWithProvenance(repo, {
      subject: 'four',
      files: { 'a.js': '// header\n// by hand\n' + lines('a', 5), 'b.js': lines('b', 4) },
      ai: { 'b.js': [{ start: 1, end: 4, kind: 'inline', tool: 'github.copilot' }] },
      policy,
    });
    assert.strictEqual(aiLines(repo, 'main..feature'), 9);
    git(repo, 'checkout', '-q', 'main');
    repo.write('README.md', 'main moves while the pull request is open\n');
    commitAll(repo, 'main moves');
    git(repo, 'merge', '-q', '--squash', 'feature');
    // git's own squash message (the commits' messages indented: no trailers of ours in it).
    git(repo, 'commit', '-q');
    assert.match(message(repo), /^Squashed commit of the following:/);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 9);
    const stats = JSON.parse(cli(repo, 'stats', 'HEAD^..HEAD', '--json').stdout) as { human_additions: number; unknown_additions: number; tool_model_breakdown: Record<string, unknown> };
    assert.deepStrictEqual([stats.human_additions, stats.unknown_additions], [2, 0]);
    assert.deepStrictEqual(Object.keys(stats.tool_model_breakdown).sort(), ['codex::gpt-4o', 'github.copilot::gpt-4o']);
    const v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
    const report = JSON.parse(cli(repo, 'verify', 'HEAD^..HEAD', '--json').stdout) as { commits: Array<{ status: string; manifestSource: string; findings: unknown[] }> };
    assert.strictEqual(report.commits[0].status, 'pass');
    assert.match(report.commits[0].manifestSource, /^file:\.ai-provenance\/.*\.json \+ file:\.ai-provenance\/.*\.json$/);
    assert.deepStrictEqual(report.commits[0].findings, []);

    // A message that declares no AI does not hide them.
    git(repo, 'commit', '-q', '--amend', '-m', 'Feature\n\nAI-Assisted: no');
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 9);
    assert.strictEqual(verify(repo, 'HEAD^..HEAD').status, 0);
  });

  it('git merge --squash where a later commit rewrote AI lines: they count as unknown (stats and verify agree), never as human; a flagged part still needs its review', () => {
    const { repo } = t;
    git(repo, 'config', 'core.hooksPath', '/dev/null');
    repo.write('.ai-provenance.json', JSON.stringify({ review: { required: 'senior', reviewers: { senior: { emails: ['sam@example.com'] } } }, threshold: { nonTrivialLines: 3, percentOfAddedLines: 0 } }) + '\n');
    commitAll(repo, 'policy\n\nAI-Assisted: no');
    git(repo, 'checkout', '-q', '-b', 'feature');
    const policy = { review: { required: 'senior', reviewers: { senior: { emails: ['sam@example.com'], groups: [] } } }, threshold: { nonTrivialLines: 3, percentOfAddedLines: 0 } };
    commitWithProvenance(repo, { subject: 'five', files: { 'a.js': lines('a', 5) }, ai: { 'a.js': [{ start: 1, end: 5, kind: 'agent', tool: 'codex' }] }, policy });
    // A person rewrites one of the AI lines.
    commitWithProvenance(repo, { subject: 'fix', files: { 'a.js': lines('a', 5).replace('a2 = 2 * 2 + 1', 'a2 = 5'), 'b.js': lines('b', 1) }, policy });
    git(repo, 'checkout', '-q', 'main');
    git(repo, 'merge', '-q', '--squash', 'feature');
    git(repo, 'commit', '-q', '-m', 'Feature (#2)');
    const stats = JSON.parse(cli(repo, 'stats', 'HEAD^..HEAD', '--json').stdout) as { ai_additions: number; human_additions: number; unknown_additions: number };
    assert.deepStrictEqual([stats.ai_additions, stats.unknown_additions, stats.human_additions], [0, 5, 1]);
    const v = verify(repo, 'HEAD^..HEAD');
    assert.match(v.out, /WARNING .*5 AI line\(s\) of file:\.ai-provenance\/.*\.json are not in this commit unchanged/);
    // The first commit was flagged (5 agent lines, senior review): the squash needs that review.
    assert.strictEqual(v.status, 1, v.out);
    assert.match(v.out, /review-missing/);
    git(repo, 'commit', '-q', '--amend', '-m', 'Feature (#2)\n\nReviewed-by: Sam <sam@example.com>');
    const reviewed = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(reviewed.status, 0, reviewed.out);
  });

  it('squash merge with manifests as notes: verify fails until reattach, then passes; stats equals the pull request', () => {
    const { repo } = t;
    const pr = pullRequest(repo);
    platform(repo, 'merge', '-q', '--squash', 'feature');
    platform(repo, 'commit', '-q', '-m', `Feature (#1)\n\n${git(repo, 'log', '--reverse', '--format=* %B', 'main..feature')}`);
    assert.match(verify(repo, 'HEAD^..HEAD').out, /manifest-missing/);
    assert.notStrictEqual(verify(repo, 'HEAD^..HEAD').status, 0);
    const r = cli(repo, 'reattach', 'HEAD', '--from', `${pr.base}..${pr.head}`);
    assert.strictEqual(r.status, 0, r.stderr);
    const m = parseManifest(git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', 'HEAD'));
    assert.ok(m.ok && m.value.carriedFrom?.length === 2);
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 9);
    const v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('rebase merge: each rebased commit gets its own commit’s record back', () => {
    const { repo } = t;
    const pr = pullRequest(repo);
    git(repo, 'checkout', '-q', '-b', 'merged', 'feature');
    platform(repo, 'rebase', '-q', 'main');
    git(repo, 'checkout', '-q', 'main');
    git(repo, 'merge', '-q', '--ff-only', 'merged');
    assert.notStrictEqual(verify(repo, 'HEAD~2..HEAD').status, 0);
    const r = cli(repo, 'reattach', 'HEAD~2..HEAD', '--from', `${pr.base}..${pr.head}`);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(aiLines(repo, 'HEAD~2..HEAD'), 9);
    assert.strictEqual(aiLines(repo, 'HEAD~1..HEAD'), 4);
    const v = verify(repo, 'HEAD~2..HEAD');
    assert.strictEqual(v.status, 0, v.out);
  });
});

describe('notes that travel (a bare repository on disk as the remote)', function () {
  this.timeout(120000);
  let a: TempRepo;
  let remote: string;
  const clones: TempRepo[] = [];
  const NOTES = MANIFEST_NOTES_REF;
  const fetchNotes = (r: TempRepo) => git(r, 'fetch', '-q', 'origin', `+${NOTES}:${NOTES}`);
  /** Push our notes; when the remote has others, merge theirs in (union: no manifest is lost), then push. */
  const pushNotes = (r: TempRepo) => {
    if (run(r, 'git', ['push', '-q', 'origin', NOTES]).status === 0) return;
    git(r, 'fetch', '-q', 'origin', `+${NOTES}:refs/notes/remotes/origin/ai-provenance`);
    git(r, 'notes', '--ref=ai-provenance', 'merge', '-q', '--strategy=union', 'refs/notes/remotes/origin/ai-provenance');
    git(r, 'push', '-q', 'origin', NOTES);
  };
  const clone = (): TempRepo => {
    const c = TempRepo.create();
    fs.rmSync(c.dir, { recursive: true, force: true });
    const r = spawnSync('git', ['clone', '-q', remote, c.dir], { encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: c.dir } });
    assert.strictEqual(r.status, 0, r.stderr);
    git(c, 'config', 'user.name', 'B');
    git(c, 'config', 'user.email', 'b@example.com');
    fs.appendFileSync(path.join(c.dir, '.git', 'info', 'exclude'), '.cache/\n');
    clones.push(c);
    return c;
  };
  const t = repoPerTest();
  beforeEach(() => {
    a = t.repo;
    remote = fs.mkdtempSync(path.join(path.dirname(a.dir), 'aip-remote-')) + '/origin.git';
    spawnSync('git', ['init', '-q', '--bare', '-b', 'main', remote]);
    git(a, 'remote', 'add', 'origin', remote);
  });
  afterEach(() => {
    for (const c of clones.splice(0)) c.cleanup();
    fs.rmSync(path.dirname(remote), { recursive: true, force: true });
  });

  it('a clone that fetches the notes verifies and counts what the author had; without them it fails', () => {
    agentWrites(a, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(a, 'five');
    git(a, 'push', '-q', 'origin', 'main');
    pushNotes(a);
    const b = clone();
    assert.match(verify(b, 'HEAD^..HEAD').out, /manifest-missing/);
    fetchNotes(b);
    assert.strictEqual(verify(b, 'HEAD^..HEAD').status, 0);
    assert.strictEqual(aiLines(b, 'HEAD^..HEAD'), 5);
  });

  it('two people push notes: neither manifest is lost, also for the same commit', () => {
    agentWrites(a, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(a, 'five');
    git(a, 'push', '-q', 'origin', 'main');
    pushNotes(a);
    const b = clone();
    fetchNotes(b);
    // b commits an AI change of its own (hooks installed there too) and pushes it with its note.
    assert.strictEqual(cli(b, 'install').status, 0);
    agentWrites(b, 'b.ts', lines('b', 4));
    commitAll(b, 'four');
    git(b, 'push', '-q', 'origin', 'main');
    // Meanwhile a stores a second manifest for its own commit (the same claims, another id).
    const first = git(a, 'rev-parse', 'HEAD').trim();
    const again = cli(a, 'reattach', first, '--from', `${first}^..${first}`);
    assert.strictEqual(again.status, 0, again.stderr);
    pushNotes(b);
    const dupe = parseManifest(git(b, 'notes', `--ref=${NOTES}`, 'show', first));
    assert.ok(dupe.ok);
    // b stores a note for the same commit too (a reattach of it), then a pushes: a merge is needed.
    assert.strictEqual(cli(b, 'reattach', first, '--from', `${first}^..${first}`).status, 0);
    pushNotes(b);
    pushNotes(a);
    const c = clone();
    fetchNotes(c);
    const both = git(c, 'notes', `--ref=${NOTES}`, 'show', first);
    assert.ok((both.match(/"schema": "ai-provenance\/manifest"/g) ?? []).length >= 2, 'both manifests of the same commit are kept');
    assert.ok(git(c, 'notes', `--ref=${NOTES}`, 'show', 'HEAD').includes('"aiLines": 4'));
    assert.strictEqual(aiLines(c, 'main~2..main'), 9);
    const v = verify(c, 'main~2..main');
    assert.strictEqual(v.status, 0, v.out);
  });
});

describe('the hooks leave git alone', function () {
  this.timeout(60000);
  const t = repoPerTest();

  it('an empty message still aborts the commit', () => {
    const { repo } = t;
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    const r = run(repo, 'git', ['commit']);
    assert.notStrictEqual(r.status, 0);
    assert.match(r.stderr, /empty commit message/);
    assert.strictEqual(git(repo, 'rev-list', '--count', 'HEAD').trim(), '1');
  });

  it('merge commits are not touched', () => {
    const { repo } = t;
    git(repo, 'checkout', '-q', '-b', 'side');
    repo.write('b.ts', 'export const b = 1;\n');
    commitAll(repo, 'side');
    git(repo, 'checkout', '-q', 'main');
    repo.write('c.ts', 'export const c = 1;\n');
    commitAll(repo, 'main');
    git(repo, 'merge', '-q', '--no-ff', 'side');
    assert.strictEqual(message(repo).trim(), "Merge branch 'side'");
  });

  it('core.commentChar=auto: a # line of the message stays before the trailers', () => {
    const { repo } = t;
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    git(repo, '-c', 'core.commentChar=auto', 'commit', '-q', '-m', 'Subject', '-m', '# kept as written');
    assert.match(message(repo), /^Subject\n\n# kept as written\n\nAI-Assisted: no\n+$/);
  });

  it('core.commentChar=auto with the editor: git’s comment block is read with the character git chose', () => {
    const { repo } = t;
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    // The message has a '#' line, so git comments with ';' and, with -v, cuts the message at its
    // ';' scissors line (the diff follows it): the trailers must go before that line.
    const r = run(repo, 'git', ['-c', 'core.commentChar=auto', 'commit', '-q', '-v', '-e', '-m', 'Subject', '-m', '#1 is a ticket']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(message(repo), /^Subject\n\n#1 is a ticket\n\nAI-Assisted: no\n+$/);
  });

  it('a failing hook program, or unreadable saved state, never blocks the commit', () => {
    const { repo } = t;
    fs.mkdirSync(path.join(repo.dir, '.git', 'ai-provenance'), { recursive: true });
    fs.writeFileSync(path.join(repo.dir, '.git', 'ai-provenance', 'state.json'), '{ not json');
    fs.writeFileSync(path.join(repo.dir, '.git', 'ai-provenance', 'staged.json'), '[]');
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    let r = run(repo, 'git', ['commit', '-q', '-m', 'Still commits']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(message(repo), /^Still commits\n\nAI-Assisted: no\n+$/);
    // The program the hooks run crashes.
    const crash = path.join(repo.dir, '.git', 'crash.js');
    fs.writeFileSync(crash, 'throw new Error("boom");\n');
    for (const name of ['prepare-commit-msg', 'commit-msg', 'post-commit']) {
      const hook = path.join(repo.dir, '.git', 'hooks', name);
      fs.writeFileSync(hook, fs.readFileSync(hook, 'utf8').replace(/^cli=.*$/m, `cli='${crash}'`));
    }
    repo.write('app.ts', 'export const start = 2;\n');
    git(repo, 'add', 'app.ts');
    r = run(repo, 'git', ['commit', '-q', '-m', 'Commits anyway']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /hook failed; commit not affected/);
    assert.strictEqual(message(repo).trim(), 'Commits anyway');
  });

  it('uninstall removes the hooks', () => {
    const { repo } = t;
    const r = cli(repo, 'uninstall');
    assert.strictEqual(r.status, 0);
    assert.match(r.stdout, /removed prepare-commit-msg, commit-msg, post-commit/);
    repo.write('app.ts', 'export const start = 1;\n');
    git(repo, 'add', 'app.ts');
    git(repo, 'commit', '-q', '-m', 'Plain');
    assert.strictEqual(message(repo).trim(), 'Plain');
  });
});
