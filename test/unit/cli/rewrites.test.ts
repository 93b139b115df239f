import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_NOTES_REF, parseManifest } from '../../../src/core/manifest/schema';
import { HookSnapshot, SNAPSHOT_SCHEMA, SNAPSHOT_VERSION, snapshotPath } from '../../../src/commit/snapshot';
import { resolvePolicy } from '../../../src/core/policy/policy';
import { PENDING_NOTE_FILE } from '../../../src/git/manifestStore';
import { TempRepo, commitWithProvenance } from './fixture';
import { CLI, agentWrites, aiLines, cli, commitAll, git, lines, message, removeSavedProvenance, repoPerTest, run, twoAgentCommits, unknownLines, verify } from './scenarioSupport';

/**
 * Rewrites of an AI commit (amend, rebase) with the hooks installed, over real repositories: the
 * record a hook promises in a message becomes the new commit's note whatever the editor does
 * meanwhile, and a rewrite never turns an AI commit into `AI-Assisted: no`.
 */

/** The note on `rev`, parsed. */
function noteOf(repo: TempRepo, rev = 'HEAD') {
  const m = parseManifest(git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'show', rev));
  assert.ok(m.ok, JSON.stringify(!m.ok && m.errors));
  return m.value;
}

/**
 * Plays the editor's commit flow between a hook's prepare-commit-msg and its post-commit: its
 * refresh, run because the index or HEAD moved, finds no AI line in the staged change and clears
 * its pending manifest (what `refreshStagedState` does). As a post-commit hook of the user's, kept
 * by the install and run before ours, it falls into that window every time.
 */
function editorRefreshesDuringCommits(repo: TempRepo): void {
  const hook = path.join(repo.dir, '.git', 'hooks', 'post-commit.pre-ai-provenance');
  fs.writeFileSync(hook, `#!/bin/sh\nrm -f "$(git rev-parse --absolute-git-dir)/ai-provenance/${PENDING_NOTE_FILE}"\n`, { mode: 0o755 });
}

describe('rewrites of an AI commit with the hooks (real repositories)', function () {
  this.timeout(120000);
  const t = repoPerTest();

  it('the editor clearing its pending manifest during an amend does not take the amended commit\'s record away; a rebase after it keeps the AI lines', () => {
    const { repo } = t;
    agentWrites(repo, 'app.ts', 'export const start = 0;\n' + lines('a', 5));
    commitAll(repo, 'Agent adds five constants');
    assert.strictEqual(noteOf(repo).totals.aiLines, 5);
    editorRefreshesDuringCommits(repo);

    repo.write('app.ts', repo.read('app.ts') + 'export const human = 1;\n');
    git(repo, 'add', 'app.ts');
    git(repo, 'commit', '-q', '--amend', '-m', 'Agent adds five constants, and one by hand');
    const amended = noteOf(repo);
    assert.match(message(repo), new RegExp(`AI-Provenance: ${amended.id}`));
    assert.strictEqual(amended.totals.aiLines, 5);

    // The saved provenance (and with it any snapshot) says nothing any more: only the record of
    // the commit rebased can carry its AI lines.
    removeSavedProvenance(repo);
    git(repo, '-c', 'rebase.autoStash=false', 'rebase', '-q', '--force-rebase', 'HEAD^');
    const msg = message(repo);
    assert.doesNotMatch(msg, /AI-Assisted: no/);
    assert.match(msg, /AI-Assisted: yes\nAI-Contribution: 83% \(5 of 6 added lines; agent 5\)/);
    assert.ok(noteOf(repo).carriedFrom?.some((c) => c.id === amended.id));
    assert.strictEqual(aiLines(repo, 'HEAD^..HEAD'), 5);
    const v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('a rebased commit whose record cannot be read (its note lost) keeps its declared AI lines as unknown and its flag, never AI-Assisted: no', () => {
    const { repo } = t;
    git(repo, 'checkout', '-q', '-b', 'feature');
    agentWrites(repo, 'b.ts', lines('b', 4));
    commitAll(repo, 'four');
    git(repo, 'checkout', '-q', 'main');
    repo.write('app.ts', '// main moves\nexport const start = 0;\n');
    commitAll(repo, 'main moves');
    git(repo, 'checkout', '-q', 'feature');
    git(repo, 'notes', `--ref=${MANIFEST_NOTES_REF}`, 'remove', 'HEAD');
    removeSavedProvenance(repo);
    git(repo, 'rebase', '-q', 'main');
    const msg = message(repo);
    assert.doesNotMatch(msg, /AI-Assisted: no/);
    assert.match(msg, /AI-Assisted: yes/);
    const m = noteOf(repo);
    assert.strictEqual(m.totals.aiLines, 0);
    assert.strictEqual(m.files.find((f) => f.path === 'b.ts')?.unknownLines, 4);
    assert.match(m.unknownReason ?? '', /declares 4 AI line\(s\) but has no readable manifest/);
    assert.strictEqual(unknownLines(repo, 'HEAD^..HEAD'), 4);
    const v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
  });
});

/** main moves under `feature`: a commit on main that touches neither app.ts's AI lines nor b.ts. */
function mainMoves(repo: TempRepo): void {
  git(repo, 'checkout', '-q', 'main');
  repo.write('c.ts', 'export const onMain = 1;\n');
  commitAll(repo, 'main moves');
  git(repo, 'checkout', '-q', 'feature');
}

/** The AI lines of each commit of `main..feature`, oldest first (what `stats` counts per commit). */
function perCommit(repo: TempRepo): number[] {
  const ids = git(repo, 'rev-list', '--reverse', 'main..feature').trim().split('\n');
  return ids.map((c) => aiLines(repo, `${c}^..${c}`));
}

describe('post-rewrite: every rewritten commit has a record (real repositories, hooks installed)', function () {
  this.timeout(120000);
  const t = repoPerTest();

  it('git rebase --apply (no prepare-commit-msg): each commit gets the old one\'s AI lines as its note, and verify passes', () => {
    const { repo } = t;
    twoAgentCommits(repo);
    const before = perCommit(repo);
    mainMoves(repo);
    removeSavedProvenance(repo);
    const r = run(repo, 'git', ['rebase', '--apply', '-q', 'main']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /AI line\(s\) carried; stored as its git note/);
    assert.deepStrictEqual(perCommit(repo), before);
    for (const rev of ['HEAD', 'HEAD^']) assert.ok(noteOf(repo, rev).carriedFrom?.length, `${rev} names the manifest it replaces`);
    const v = verify(repo, 'main..feature');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('git rebase (merge backend) and git commit --amend: the record the other hooks wrote is left as it is', () => {
    const { repo } = t;
    twoAgentCommits(repo);
    const before = perCommit(repo);
    mainMoves(repo);
    removeSavedProvenance(repo);
    let r = run(repo, 'git', ['rebase', '-q', 'main']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /stored as its git note/, 'post-rewrite had nothing to do');
    assert.deepStrictEqual(perCommit(repo), before);
    const id = (rev: string) => /AI-Provenance: (\S+)/.exec(message(repo, rev))?.[1];
    for (const rev of ['HEAD', 'HEAD^']) assert.strictEqual(noteOf(repo, rev).id, id(rev));
    repo.write('b.ts', repo.read('b.ts') + 'export const byHand = 1;\n');
    git(repo, 'add', 'b.ts');
    r = run(repo, 'git', ['commit', '-q', '--amend', '-m', 'four, and one by hand']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /stored as its git note/);
    assert.strictEqual(noteOf(repo).id, id('HEAD'));
    assert.deepStrictEqual(perCommit(repo), before);
    const v = verify(repo, 'main..feature');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('git rebase --apply with the manifests committed in the repository: the notes replace the manifests that describe the old commits (one line on stderr says so)', () => {
    const { repo } = t;
    git(repo, 'config', 'core.hooksPath', '/dev/null');
    git(repo, 'checkout', '-q', '-b', 'feature');
    commitWithProvenance(repo, { subject: 'five', files: { 'app.ts': 'export const start = 0;\n' + lines('a', 5) }, ai: { 'app.ts': [{ start: 2, end: 6 }] }, policy: { review: { required: null } } });
    commitWithProvenance(repo, { subject: 'four', files: { 'b.js': lines('b', 4) }, ai: { 'b.js': [{ start: 1, end: 4 }] }, policy: { review: { required: null } } });
    git(repo, 'config', '--unset', 'core.hooksPath');
    const before = perCommit(repo);
    assert.deepStrictEqual(before, [5, 4]);
    // main changes app.ts above the AI lines: the rebased app.ts is no longer the text the
    // committed manifest hashed.
    git(repo, 'checkout', '-q', 'main');
    repo.write('app.ts', '// header written on main\nexport const start = 0;\n');
    commitAll(repo, 'main moves');
    git(repo, 'checkout', '-q', 'feature');
    const r = run(repo, 'git', ['rebase', '--apply', '-q', 'main']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /the manifest committed in the repository \(\.ai-provenance\/[0-9a-f-]+\.json\) still describes the old commit/);
    assert.deepStrictEqual(perCommit(repo), before);
    const v = verify(repo, 'main..feature');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('a rebase while the editor says our trailers were removed from its message box: the picks keep their messages, and post-rewrite still gives each its record', () => {
    const { repo } = t;
    twoAgentCommits(repo);
    const before = perCommit(repo);
    mainMoves(repo);
    removeSavedProvenance(repo);
    // The editor's snapshot: the user deleted our trailers in the Source Control message box.
    const snapshot: HookSnapshot = {
      schema: SNAPSHOT_SCHEMA,
      version: SNAPSHOT_VERSION,
      writtenAt: new Date().toISOString(),
      generator: { name: 'ai-provenance', version: '0.0.0' },
      head: null,
      policy: { source: 'default', value: resolvePolicy() },
      manifestLocation: 'notes',
      maxFileBytes: 10 * 1024 * 1024,
      trailers: 'suppressed',
      files: [],
    };
    const file = snapshotPath(path.join(repo.dir, '.git'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(snapshot));
    const r = run(repo, 'git', ['rebase', '-q', 'main']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, /trailers were removed from the message box/);
    assert.deepStrictEqual(perCommit(repo), before);
    const v = verify(repo, 'main..feature');
    assert.strictEqual(v.status, 0, v.out);
  });

  it('uninstall removes post-rewrite too, and puts back the user\'s own, which runs first with the same input', () => {
    const { repo } = t;
    const hooks = path.join(repo.dir, '.git', 'hooks');
    fs.writeFileSync(path.join(hooks, 'post-rewrite.pre-ai-provenance'), '#!/bin/sh\ncat > "$(git rev-parse --absolute-git-dir)/user-saw"\nexit 3\n', { mode: 0o755 });
    twoAgentCommits(repo);
    const before = perCommit(repo);
    mainMoves(repo);
    const r = run(repo, 'git', ['rebase', '--apply', '-q', 'main']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(fs.readFileSync(path.join(repo.dir, '.git', 'user-saw'), 'utf8').trim().split('\n').length, 2, 'the user\'s hook read both pairs');
    assert.deepStrictEqual(perCommit(repo), before, 'ours ran although the user\'s failed');
    const u = run(repo, process.execPath, [path.resolve(__dirname, '../../../../dist/cli.js'), 'uninstall']);
    assert.match(u.stdout, /post-rewrite/);
    assert.ok(fs.readFileSync(path.join(hooks, 'post-rewrite'), 'utf8').includes('user-saw'));
  });
});


describe('rewrites keep the conversation of the AI lines (real repositories, hooks installed)', function () {
  this.timeout(120000);
  const t = repoPerTest();

  it('amend, rebase (both backends), cherry-pick and merge --squash keep the session and its prompt hash', () => {
    const { repo } = t;
    const prompt = spawnSync(process.execPath, [CLI, 'checkpoint', '--agent', 'claude-code', '--hook', '--prompt'], {
      cwd: repo.dir,
      encoding: 'utf8',
      input: JSON.stringify({ session_id: 'session-9', prompt: 'add five constants', cwd: repo.dir }),
      env: { ...process.env, HOME: repo.dir },
    });
    assert.strictEqual(prompt.status, 0, prompt.stderr);
    git(repo, 'checkout', '-q', '-b', 'feature');
    let r = cli(repo, 'checkpoint', '--agent', 'claude-code', '--before', 'app.ts');
    assert.strictEqual(r.status, 0, r.stderr);
    repo.write('app.ts', 'export const start = 0;\n' + lines('a', 5));
    r = cli(repo, 'checkpoint', '--agent', 'claude-code', '--model', 'opus', '--session', 'session-9', '--after', 'app.ts');
    assert.strictEqual(r.status, 0, r.stderr);
    commitAll(repo, 'five');
    const conversations = noteOf(repo).files[0].conversations;
    assert.deepStrictEqual(conversations?.map((c) => [c.id, c.kind, c.tool, c.model, /^[0-9a-f]{64}$/.test(c.promptSha256 ?? '')]), [['session-9', 'agent', 'claude-code', 'opus', true]]);
    removeSavedProvenance(repo);
    const kept = (step: string, rev = 'HEAD') => {
      const f = noteOf(repo, rev).files.find((x) => x.path === 'app.ts');
      assert.deepStrictEqual(f?.conversations, conversations, `${step}: the conversation`);
      assert.ok(f?.ranges.length && f.ranges.every((x) => x.conversation === 'session-9'), `${step}: the ranges name it`);
      assert.strictEqual(f?.aiLines, 5, step);
    };

    repo.write('hand.ts', 'export const byHand = 1;\n');
    git(repo, 'add', 'hand.ts');
    git(repo, 'commit', '-q', '--amend', '-m', 'five, and a file by hand');
    kept('amend');
    mainMoves(repo);
    git(repo, 'rebase', '-q', 'main');
    kept('rebase');
    git(repo, 'checkout', '-q', 'main');
    repo.write('d.ts', 'export const d = 1;\n');
    commitAll(repo, 'main moves again');
    git(repo, 'checkout', '-q', 'feature');
    r = run(repo, 'git', ['rebase', '--apply', '-q', 'main']);
    assert.strictEqual(r.status, 0, r.stderr);
    kept('rebase --apply');
    git(repo, 'checkout', '-q', '-b', 'picked', 'main');
    git(repo, 'cherry-pick', 'feature');
    kept('cherry-pick');
    git(repo, 'checkout', '-q', 'main');
    git(repo, 'merge', '-q', '--squash', 'feature');
    git(repo, 'commit', '-q', '-m', 'Feature, squashed');
    kept('merge --squash');
    const v = verify(repo, 'HEAD^..HEAD');
    assert.strictEqual(v.status, 0, v.out);
  });
});
