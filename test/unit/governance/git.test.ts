import * as assert from 'assert';
import { GitRepo } from '../../../src/governance/git';
import { pathObjects } from '../../../src/governance/commitChanges';
import { parseTrailers } from '../../../src/git/trailers';
import { TempRepo } from '../cli/fixture';

/** The batched reads (one git process for many objects) must give what single reads give. */
describe('governance git access: batched reads equal single reads', function () {
  this.timeout(30000);
  let repo: TempRepo;
  let shas: string[];
  before(() => {
    repo = TempRepo.create();
    repo.write('a b.txt', 'one\ntwo\n');
    repo.write('bin.dat', '\u0000\u0001binary');
    repo.git(['add', '.']);
    repo.commit('Root\n\nBody line\n\nAI-Assisted: no\n');
    repo.git(['update-index', '--add', '--cacheinfo', `160000,${'c'.repeat(40)},sub`]);
    repo.write('a b.txt', 'one\ntwo\nthree\n');
    repo.git(['add', '.']);
    repo.commit('Second');
    repo.commit('Empty commit');
    repo.git(['rm', '-q', 'bin.dat']);
    repo.commit('Delete');
    shas = repo.git(['rev-list', '--reverse', 'HEAD']).trim().split('\n');
  });
  after(() => repo.cleanup());

  it('commits, blobs (present, missing, gitlink, binary) and added lines', () => {
    const single = GitRepo.open(repo.dir);
    const batch = GitRepo.open(repo.dir);
    batch.prefetchCommits(shas);
    const specs = shas.flatMap((s) => [`${s}:a b.txt`, `${s}:bin.dat`, `${s}:sub`, `${s}:nope`]);
    batch.prefetchBlobs(specs);
    batch.prefetchAddedLines(shas.map((sha, i) => ({ sha, firstParent: i ? shas[i - 1] : undefined })));
    // Nothing may be read one by one any more: make single reads fail.
    (batch as unknown as { run: () => never }).run = () => {
      throw new Error('unexpected git process');
    };
    for (const [i, sha] of shas.entries()) {
      assert.deepStrictEqual(batch.commitInfo(sha), single.commitInfo(sha));
      for (const p of ['a b.txt', 'bin.dat', 'sub', 'nope']) assert.deepStrictEqual(batch.blob(sha, p), single.blob(sha, p), `${sha}:${p}`);
      const parent = i ? shas[i - 1] : undefined;
      assert.deepStrictEqual(batch.addedLines(sha, parent), single.addedLines(sha, parent));
    }
    assert.strictEqual(single.commitInfo(shas[0]).message, 'Root\n\nBody line\n\nAI-Assisted: no\n');
    assert.deepStrictEqual(single.addedLines(shas[2], shas[1]), []);
    assert.deepStrictEqual(single.addedLines(shas[0], undefined).map((e) => [e.path, e.added, e.binary]), [['a b.txt', 2, false], ['bin.dat', 0, true]]);
  });

  it('commits with their line counts from one git log: as diff-tree counts them, root, binary, gitlink, empty and deleting commits included', () => {
    const single = GitRepo.open(repo.dir);
    const batch = GitRepo.open(repo.dir);
    batch.prefetchCommits(shas, { numstat: true });
    (batch as unknown as { run: () => never }).run = () => {
      throw new Error('unexpected git process');
    };
    for (const [i, sha] of shas.entries()) {
      assert.deepStrictEqual(batch.commitInfo(sha), single.commitInfo(sha));
      const parent = i ? shas[i - 1] : undefined;
      assert.deepStrictEqual(batch.addedLines(sha, parent), single.addedLines(sha, parent), sha);
    }
  });

  it('trailers read with the commits are the ones git interpret-trailers --parse gives for the message', async () => {
    const messages = [
      'Subject\n\nBody\n\nAI-Assisted: yes\nAI-Provenance: 1234-abcd\n',
      'Subject\n\nKey: first part\n  continued here\nAI-Assisted: no\n',
      'Subject\n\n---\nAI-Assisted: yes\n',
      'Subject\n\nJust a sentence.\nAI-Assisted: yes\n',
      'Subject\n\nSigned-off-by: A <a@example.com>\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\nAI-Assisted: yes\n',
      'Subject\n\nAI-Assisted: yes\n# a comment line\nReviewed-by: B <b@example.com>\n',
      'Subject only',
      'Subject\r\n\r\nAI-Assisted: yes\r\nAssisted-by: copilot\r\n',
      'Subject\n\nAI-Assisted:yes\nAI-Contribution :  40% (2 of 5 added lines)\nReview-Required=senior\n',
      'AI-Assisted: yes\n',
    ];
    const t = TempRepo.create();
    try {
      t.git(['config', 'trailer.separators', ':=']);
      const made: string[] = [];
      for (const m of messages) {
        t.git(['commit', '-q', '--allow-empty', '--cleanup=verbatim', '-F', '-'], m);
        made.push(t.head());
      }
      const batch = GitRepo.open(t.dir);
      batch.prefetchCommits(made, { numstat: true });
      const single = GitRepo.open(t.dir);
      for (const sha of made) {
        const info = batch.commitInfo(sha);
        assert.deepStrictEqual(info.trailers, await parseTrailers(info.message, t.dir), JSON.stringify(info.message));
        assert.deepStrictEqual(single.commitInfo(sha).trailers, info.trailers);
      }
      assert.deepStrictEqual(batch.commitInfo(made[0]).trailers, [
        { key: 'AI-Assisted', value: 'yes' },
        { key: 'AI-Provenance', value: '1234-abcd' },
      ]);
      assert.deepStrictEqual(batch.commitInfo(made[1]).trailers?.[0], { key: 'Key', value: 'first part continued here' });
    } finally {
      t.cleanup();
    }
  });

  it('a merge in a batch read with line counts gets its counts against its first parent', () => {
    const t = TempRepo.create();
    try {
      t.write('a.txt', 'a\n');
      t.git(['add', '.']);
      t.commit('Root');
      t.git(['checkout', '-q', '-b', 'side']);
      t.write('b.txt', 'b\nb\n');
      t.git(['add', '.']);
      t.commit('Side');
      t.git(['checkout', '-q', 'main']);
      t.write('a.txt', 'a\nmore\n');
      t.git(['add', '.']);
      t.commit('Main');
      t.git(['merge', '-q', '--no-ff', '-m', 'Merge side', 'side']);
      const all = t.git(['rev-list', '--reverse', '--topo-order', 'HEAD']).trim().split('\n');
      const batch = GitRepo.open(t.dir);
      batch.prefetchCommits(all, { numstat: true });
      const single = GitRepo.open(t.dir);
      for (const sha of all) {
        const info = single.commitInfo(sha);
        assert.deepStrictEqual(batch.commitInfo(sha), info);
        assert.deepStrictEqual(batch.addedLines(sha, info.parents[0]), single.addedLines(sha, info.parents[0]), info.subject);
      }
      const merge = single.commitInfo(all[all.length - 1]);
      assert.strictEqual(merge.parents.length, 2);
      assert.deepStrictEqual(batch.addedLines(merge.sha, merge.parents[0]).map((e) => [e.path, e.added]), [['b.txt', 2]]);
    } finally {
      t.cleanup();
    }
  });

  it('notes from one list', () => {
    repo.git(['notes', '--ref=refs/notes/test', 'add', '-m', 'hello', shas[1]]);
    const batch = GitRepo.open(repo.dir);
    batch.prefetchNotes('refs/notes/test', shas);
    (batch as unknown as { run: () => never }).run = () => {
      throw new Error('unexpected git process');
    };
    assert.strictEqual(batch.note('refs/notes/test', shas[1]), 'hello\n');
    assert.strictEqual(batch.note('refs/notes/test', shas[0]), undefined);
  });
});

/** What a commit's listed changes tell of a path must be what git resolves `<commit>:<path>` and `<parent>:<path>` to. */
describe('governance git access: objects of a path from a commit changes', function () {
  this.timeout(30000);
  it('at the commit and at its parent, for added, modified, renamed, deleted, type-changed and untouched paths', () => {
    const repo = TempRepo.create();
    try {
      const steps: Array<() => void> = [
        () => {
          repo.write('.ai-provenance/a.json', '{"a":1}\n');
          repo.write('keep.txt', 'keep\n');
          repo.write('old.txt', 'a long enough text to be found as a rename\n'.repeat(5));
        },
        () => repo.write('.ai-provenance/a.json', '{"a":2}\n'),
        () => {
          repo.git(['mv', 'old.txt', 'new.txt']);
          repo.write('.ai-provenance/b.json', '{"b":1}\n');
        },
        () => {
          repo.git(['rm', '-q', '.ai-provenance/a.json']);
          repo.git(['rm', '-q', 'keep.txt']);
          repo.git(['update-index', '--add', '--cacheinfo', `120000,${repo.git(['hash-object', '-w', '--stdin'], 'target').trim()},keep.txt`]);
        },
        () => repo.git(['update-index', '--add', '--cacheinfo', `160000,${'c'.repeat(40)},.ai-provenance/b.json`]),
      ];
      const shas: string[] = [];
      for (const [i, step] of steps.entries()) {
        step();
        repo.git(['add', '-A']);
        shas.push(repo.commit(`Step ${i}`));
      }
      const paths = ['.ai-provenance/a.json', '.ai-provenance/b.json', 'keep.txt', 'old.txt', 'new.txt', 'nope'];
      const resolve = (spec: string): string | null => {
        try {
          return repo.git(['rev-parse', '--verify', '--quiet', spec]).trim() || null;
        } catch {
          return null;
        }
      };
      const git = GitRepo.open(repo.dir);
      let told = 0;
      for (const [i, sha] of shas.entries()) {
        const parent = i ? shas[i - 1] : undefined;
        const change = git.changes(sha, parent);
        for (const p of paths) {
          const { atCommit, atParent } = pathObjects(change, p);
          if (atCommit !== undefined) {
            told++;
            assert.strictEqual(atCommit, resolve(`${sha}:${p}`), `${sha}:${p}`);
          }
          if (atParent !== undefined && parent) {
            told++;
            assert.strictEqual(atParent, resolve(`${parent}:${p}`), `${parent}:${p}`);
          }
          // A path the changes do not list is the same at the commit and at its parent.
          const listed = change.paths.some((c) => c.path === p || c.oldPath === p);
          if (!listed && parent) assert.strictEqual(resolve(`${sha}:${p}`), resolve(`${parent}:${p}`), p);
        }
      }
      assert.ok(told >= 12, `only ${told} answers`);
    } finally {
      repo.cleanup();
    }
  });
});
