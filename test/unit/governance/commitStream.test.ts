import * as assert from 'assert';
import { GitRepo } from '../../../src/governance/git';
import { CommitStream, StreamDiff } from '../../../src/governance/commitStream';
import { TempRepo } from '../cli/fixture';

/**
 * The one `git log` of a whole range, read as a stream, must give for each commit exactly what the
 * single reads give (`git log -1`, `git diff-tree`), whatever the user's porcelain settings, and
 * must not be fooled by a commit marker inside a message or a path.
 */
describe('governance git access: the streamed history equals the single reads', function () {
  this.timeout(60000);
  let repo: TempRepo;
  let shas: string[];
  let crafted: { message: string; path: string };
  before(() => {
    repo = TempRepo.create();
    // Porcelain settings `git log` reads and `git diff-tree` does not.
    for (const [k, v] of [
      ['diff.orderFile', 'order.txt'],
      ['diff.ignoreSubmodules', 'all'],
      ['diff.submodule', 'log'],
      ['diff.algorithm', 'histogram'],
      ['diff.noprefix', 'true'],
      ['diff.renames', 'false'],
      ['log.showRoot', 'false'],
      ['color.ui', 'always'],
      ['diff.context', '5'],
    ]) repo.git(['config', k, v]);
    repo.write('order.txt', 'z*\nb*\n');
    repo.write('a b.txt', 'one\ntwo\n');
    repo.write('bin.dat', '\u0000\u0001binary');
    repo.write('mv-src.txt', Array.from({ length: 20 }, (_, i) => `line ${i} of a file that moves`).join('\n') + '\n');
    repo.git(['add', '.']);
    repo.commit('Root\n\nBody line\n\nAI-Assisted: no\n');
    repo.git(['update-index', '--add', '--cacheinfo', `160000,${'c'.repeat(40)},sub`]);
    repo.write('a b.txt', 'one\ntwo\nthree\n');
    repo.write('z.txt', 'zed\n');
    repo.git(['add', '.']);
    repo.commit('Second');
    repo.commit('Empty commit');
    repo.git(['rm', '-q', 'bin.dat']);
    repo.git(['mv', 'mv-src.txt', 'moved.txt']);
    repo.write('moved.txt', repo.read('moved.txt') + 'one more\n');
    repo.git(['add', '.']);
    repo.commit('Delete and rename');
    repo.git(['update-index', '--add', '--cacheinfo', `160000,${'d'.repeat(40)},sub`]);
    repo.git(['update-index', '--chmod=+x', 'z.txt']);
    repo.commit('Submodule and mode');
    repo.git(['checkout', '-q', '-b', 'side']);
    repo.write('side.txt', 'side\n');
    repo.git(['add', '.']);
    repo.commit('Side');
    repo.git(['checkout', '-q', 'main']);
    repo.write('a b.txt', 'zero\none\ntwo\nthree\n');
    repo.git(['add', '.']);
    repo.commit('Main');
    repo.git(['merge', '-q', '--no-ff', '-m', 'Merge side', 'side']);
    // A commit whose message and a path end with the marker of the commit streamed after it.
    const target = repo.head();
    crafted = { message: `Crafted\n\nends with\u0001${target}`, path: `p\u0001${target}` };
    repo.write(crafted.path, 'x\n');
    repo.git(['add', '.']);
    repo.git(['commit', '-q', '--cleanup=verbatim', '-F', '-'], crafted.message);
    shas = repo.git(['rev-list', '--reverse', '--topo-order', 'HEAD']).trim().split('\n');
  });
  after(() => repo.cleanup());

  async function streamed(order: string[], diff: StreamDiff, highWater = 2) {
    const stream = new CommitStream(repo.dir, 'git', order, diff, highWater);
    const out = [];
    for (let taken = 0; taken < order.length; taken += 3) out.push(...(await stream.take(3)));
    stream.close();
    return out;
  }

  for (const diff of ['none', 'numstat', 'changes'] as const) {
    it(`${diff}: every commit, in order, as the single reads give it (root, gitlink, binary, empty, delete, rename, mode, merge)`, async () => {
      // The crafted commit first, then the one its message and path name.
      const order = [shas[shas.length - 1], shas[shas.length - 2], ...shas.slice(0, -2)];
      const got = await streamed(order, diff);
      assert.deepStrictEqual(
        got.map((c) => c.info.sha),
        order,
      );
      const single = GitRepo.open(repo.dir);
      for (const c of got) {
        assert.deepStrictEqual(c.info, single.commitInfo(c.info.sha));
        const parent = c.info.parents[0];
        if (diff === 'numstat' && c.info.parents.length <= 1) assert.deepStrictEqual(c.added, single.addedLines(c.info.sha, parent), c.info.subject);
        if (diff === 'changes' && c.info.parents.length <= 1) {
          const want = GitRepo.open(repo.dir).changes(c.info.sha, parent);
          assert.deepStrictEqual(c.paths, want.paths, c.info.subject);
          for (const p of want.paths) {
            const key = `${p.oldBlob ?? '0'.repeat(40)}..${p.newBlob ?? '0'.repeat(40)}`;
            assert.deepStrictEqual(c.diffs!.get(key), want.diffs.get(key), `${c.info.subject}: ${p.path}`);
          }
        }
      }
      const last = got[0];
      assert.strictEqual(last.info.message, crafted.message);
      if (diff !== 'none') assert.ok(JSON.stringify(last.added ?? last.paths).includes(JSON.stringify(crafted.path)));
    });
  }

  it('changes: the paths listed without renames equal the line counts\' paths (renames read again)', async () => {
    const batch = GitRepo.open(repo.dir);
    batch.storeStreamed(await streamed(shas, 'changes'));
    const single = GitRepo.open(repo.dir);
    for (const sha of shas) {
      const parent = single.commitInfo(sha).parents[0];
      assert.deepStrictEqual(batch.changedPaths(sha, parent), single.addedLines(sha, parent).map((c) => c.path), sha);
    }
  });

  it('a range cut short by git (a bad id) gives the commits before it, and none that is not whole', async () => {
    const bad = 'f'.repeat(40);
    const got = await streamed([shas[0], bad, shas[1]], 'changes');
    assert.ok(got.length <= 1);
    assert.ok(got.every((c) => c.info.sha === shas[0]));
  });

  it('blobs from one running cat-file equal single reads (present, missing, gitlink, tree, binary)', async () => {
    const single = GitRepo.open(repo.dir);
    const batch = GitRepo.open(repo.dir);
    const specs = shas.flatMap((s) => [`${s}:a b.txt`, `${s}:bin.dat`, `${s}:sub`, `${s}:nope`, `${s}:`]);
    await batch.fetchBlobs(specs.slice(0, 7));
    await batch.fetchBlobs(specs);
    batch.dispose();
    (batch as unknown as { run: () => never }).run = () => {
      throw new Error('unexpected git process');
    };
    for (const spec of specs) assert.deepStrictEqual(batch.object(spec), single.object(spec), spec);
  });
});
