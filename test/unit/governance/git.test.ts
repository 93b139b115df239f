import * as assert from 'assert';
import { GitRepo } from '../../../src/governance/git';
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
