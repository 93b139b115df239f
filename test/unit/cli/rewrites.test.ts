import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_NOTES_REF, parseManifest } from '../../../src/core/manifest/schema';
import { PENDING_NOTE_FILE } from '../../../src/git/manifestStore';
import { TempRepo } from './fixture';
import { agentWrites, aiLines, commitAll, git, lines, message, removeSavedProvenance, repoPerTest, unknownLines, verify } from './scenarioSupport';

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
