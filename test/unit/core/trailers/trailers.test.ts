import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectedTrailers } from '../../governance/expectedTrailers';
import { Manifest, ManifestFile, computeTotals, MANIFEST_SCHEMA, MANIFEST_VERSION } from '../../../../src/core/manifest/schema';
import { resolvePolicy } from '../../../../src/core/policy/policy';
import { Trailer, appendTrailerLines, buildTrailers, formatContribution, isOwnedTrailer, trailersForManifest } from '../../../../src/core/trailers/trailers';
import { applyTrailers, parseTrailers, parseTrailersOfEach } from '../../../../src/git/trailers';
import { useGitExecutable } from '../../../../src/git/git';

const cwd = os.tmpdir();

const file: ManifestFile = {
  path: 'a.ts',
  status: 'modified',
  sha256: 'a'.repeat(64),
  addedLines: 140,
  aiLines: 52,
  nonTrivialAiLines: 40,
  addedCharacters: 1000,
  aiCharacters: 400,
  ranges: [
    { startLine: 1, endLine: 30, kind: 'inline', tool: 'github.copilot', model: 'gpt-4o', trivial: false, sha256: 'b'.repeat(64) },
    { startLine: 40, endLine: 61, kind: 'chat', tool: 'claude-code', trivial: false, sha256: 'c'.repeat(64) },
  ],
};
const totals = computeTotals([{ ...file, nonTrivialAiLines: 52 }]);
const ours = buildTrailers({ totals, flagged: true, reviewRequired: 'senior', manifestId: '0b0e2a59-3f35-4a44-9d0c-5f1c2c6f8d11' });
const oursText = ours.map((t) => `${t.key}: ${t.value}`);

async function apply(message: string, trailers: readonly Trailer[] = ours, ourAssistedBy: string[] = []): Promise<string> {
  const r = await applyTrailers(message, trailers, { cwd, ourAssistedBy });
  assert.strictEqual(r.error, undefined, r.error);
  return r.message;
}

describe('trailers', () => {
  it('formats the contribution and the trailer set', () => {
    assert.strictEqual(formatContribution(totals), '37% (52 of 140 added lines; inline 30, chat 22)');
    assert.deepStrictEqual(oursText, [
      'AI-Assisted: yes',
      'AI-Contribution: 37% (52 of 140 added lines; inline 30, chat 22)',
      'Assisted-by: github.copilot:gpt-4o',
      'Assisted-by: claude-code',
      'AI-Provenance: 0b0e2a59-3f35-4a44-9d0c-5f1c2c6f8d11',
      'Review-Required: senior',
    ]);
  });

  it('agrees with what verify expects from a manifest', () => {
    const m: Manifest = {
      schema: MANIFEST_SCHEMA,
      version: MANIFEST_VERSION,
      id: '0b0e2a59-3f35-4a44-9d0c-5f1c2c6f8d11',
      createdAt: new Date(0).toISOString(),
      generator: { name: 'ai-provenance', version: '0' },
      base: null,
      flagged: true,
      reviewRequired: 'senior',
      policy: { source: 'default', value: resolvePolicy() },
      totals,
      files: [file],
    };
    assert.deepStrictEqual(trailersForManifest(m), expectedTrailers(m));
    assert.deepStrictEqual(trailersForManifest({ ...m, flagged: false, reviewRequired: undefined }), expectedTrailers({ ...m, flagged: false, reviewRequired: undefined }));
    // Risk rules that fired: one AI-Risk trailer naming them in order, after Review-Required.
    const hit = (id: string) => ({ id, level: 'principal', reason: 'r', links: [], files: [{ path: 'a.ts', lines: [[1, 1]] as [number, number][] }] });
    const risky = { ...m, reviewRequired: 'principal', risk: [hit('infra'), hit('concurrency')] };
    assert.deepStrictEqual(trailersForManifest(risky), expectedTrailers(risky));
    assert.deepStrictEqual(trailersForManifest(risky).slice(-2), [
      { key: 'Review-Required', value: 'principal' },
      { key: 'AI-Risk', value: 'infra, concurrency' },
    ]);
  });

  it('adds a new block after a subject and body; git parses exactly ours', async () => {
    const out = await apply('Fix the parser\n\nIt failed on empty input.\n');
    assert.strictEqual(out, 'Fix the parser\n\nIt failed on empty input.\n\n' + oursText.join('\n') + '\n');
    assert.deepStrictEqual(await parseTrailers(out, cwd), ours);
  });

  it('appends to the user’s trailer block and keeps the user’s lines byte for byte', async () => {
    const msg = 'Subject\n\nBody.\n\nSigned-off-by:   Alice <a@example.com>\nCo-authored-by: Copilot\n  <copilot@github.com>\n';
    const out = await apply(msg);
    assert.ok(out.startsWith(msg.slice(0, -1) + '\n'), out);
    assert.strictEqual(out, msg + oursText.join('\n') + '\n');
    const parsed = await parseTrailers(out, cwd);
    assert.deepStrictEqual(parsed.slice(0, 2), [
      { key: 'Signed-off-by', value: 'Alice <a@example.com>' },
      { key: 'Co-authored-by', value: 'Copilot <copilot@github.com>' },
    ]);
    assert.deepStrictEqual(parsed.slice(2), ours);
  });

  it('is idempotent, and replaces only our earlier trailers', async () => {
    const msg = 'Subject\n\nSigned-off-by: Bob <b@example.com>\n';
    const once = await apply(msg);
    assert.strictEqual(await apply(once, ours, ['github.copilot:gpt-4o', 'claude-code']), once);
    const fewer: Trailer[] = [{ key: 'AI-Assisted', value: 'no' }];
    const replaced = await apply(once, fewer, ['github.copilot:gpt-4o', 'claude-code']);
    assert.strictEqual(replaced, 'Subject\n\nSigned-off-by: Bob <b@example.com>\nAI-Assisted: no\n');
  });

  it('keeps a user’s own Assisted-by and does not duplicate it', async () => {
    const msg = 'Subject\n\nAssisted-by: claude-code\nSigned-off-by: Bob <b@example.com>\n';
    const r = await applyTrailers(msg, ours, { cwd });
    const out = r.message;
    const parsed = await parseTrailers(out, cwd);
    assert.strictEqual(parsed.filter((t) => t.key === 'Assisted-by' && t.value === 'claude-code').length, 1);
    assert.ok(out.startsWith(msg));
    const ourValues = r.added.filter((t) => t.key === 'Assisted-by').map((t) => t.value);
    assert.deepStrictEqual(ourValues, ['github.copilot:gpt-4o']);
    // Removing ours later keeps the user's.
    const cleared = await apply(out, [], ourValues);
    assert.strictEqual(cleared, msg);
  });

  it('removing all our trailers restores the original message', async () => {
    const msg = 'Subject line\n\nBody.\n';
    const out = await apply(msg);
    assert.strictEqual(await apply(out, [], ['github.copilot:gpt-4o', 'claude-code']), msg);
  });

  it('keeps trailing comments and the scissors section after the trailers', async () => {
    const msg = 'Subject\n\n# Please enter the commit message for your changes.\n# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n';
    const out = await apply(msg, [{ key: 'AI-Assisted', value: 'no' }]);
    assert.strictEqual(out, 'Subject\n\nAI-Assisted: no\n\n# Please enter the commit message for your changes.\n# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n');
    assert.deepStrictEqual(await parseTrailers(out, cwd), [{ key: 'AI-Assisted', value: 'no' }]);
  });

  it('a subject that looks like a trailer is not taken for one', async () => {
    const out = await apply('Fix: handle nulls\n', [{ key: 'AI-Assisted', value: 'no' }]);
    assert.strictEqual(out, 'Fix: handle nulls\n\nAI-Assisted: no\n');
  });

  describe('with one git process for a message without our trailers', () => {
    let dir: string;
    let log: string;
    const runs = (): string[] => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('interpret-trailers')) : []);
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-trailer-runs-'));
      log = path.join(dir, 'runs.log');
      const wrapper = path.join(dir, 'git');
      fs.writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec git "$@"\n`, { mode: 0o755 });
      useGitExecutable(wrapper);
    });
    after(() => {
      useGitExecutable(undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => fs.rmSync(log, { force: true }));

    /** applyTrailers as it was: every message parsed by its own git process. */
    async function oneByOne(message: string, trailers: readonly Trailer[], mine: string[] = []): Promise<string> {
      const same = (a: Trailer, b: Trailer) => a.key.toLowerCase() === b.key.toLowerCase() && a.value === b.value;
      const before = await parseTrailers(message, cwd);
      assert.ok(!before.some((t) => isOwnedTrailer(t, new Set(mine))));
      const add = trailers.filter((t, i) => !before.some((k) => same(k, t)) && !trailers.slice(0, i).some((k) => same(k, t)));
      for (const intoLast of before.length ? [true, false] : [false]) {
        const candidate = appendTrailerLines(message, add, intoLast, '#');
        const parsed = await parseTrailers(candidate, cwd);
        if (parsed.length === before.length + add.length && parsed.every((t, i) => same(t, [...before, ...add][i]))) return candidate;
      }
      return message;
    }

    const messages = [
      'Fix the parser\n\nIt failed on empty input.\n',
      'Subject\n\nBody.\n\nSigned-off-by:   Alice <a@example.com>\nCo-authored-by: Copilot\n  <copilot@github.com>\n',
      'Subject\n\nAssisted-by: claude-code\nSigned-off-by: Bob <b@example.com>\n',
      'Fix: handle nulls\n',
      'Subject\n\n# Please enter the commit message for your changes.\n# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n',
      'Subject\n\nSee: the docs\nnot a trailer line\n',
      'Only a subject',
    ];

    it('writes what parsing each message alone writes, with one git process', async () => {
      // (Not the one whose Assisted-by is also ours: the steps then differ, see the test after the next.)
      for (const m of messages.filter((x) => !x.includes('Assisted-by'))) {
        const expected = await oneByOne(m, ours);
        fs.rmSync(log, { force: true });
        const r = await applyTrailers(m, ours, { cwd });
        assert.strictEqual(r.error, undefined, r.error);
        assert.strictEqual(r.message, expected, m);
        assert.strictEqual(runs().length, 1, `${JSON.stringify(m)}: ${runs().join('; ')}`);
      }
    });

    it('parses each message as git parses it alone', async () => {
      const each = await parseTrailersOfEach(messages, cwd);
      assert.ok(each);
      for (let i = 0; i < messages.length; i++) assert.deepStrictEqual(each[i], await parseTrailers(messages[i], cwd), messages[i]);
    });

    it('a message holding our trailers takes the steps one by one, with the same result as before', async () => {
      const once = await apply('Subject\n\nSigned-off-by: Bob <b@example.com>\n');
      fs.rmSync(log, { force: true });
      const fewer: Trailer[] = [{ key: 'AI-Assisted', value: 'no' }];
      assert.strictEqual(await apply(once, fewer, ['github.copilot:gpt-4o', 'claude-code']), 'Subject\n\nSigned-off-by: Bob <b@example.com>\nAI-Assisted: no\n');
      assert.ok(runs().length >= 3, runs().join('; '));
    });

    it('without a temporary folder to write to, the messages are parsed one by one and the trailers still written', async () => {
      const saved = process.env.TMPDIR;
      process.env.TMPDIR = path.join(dir, 'no-such-folder');
      try {
        assert.strictEqual(await parseTrailersOfEach(['a\n', 'b\n'], cwd), undefined);
        fs.rmSync(log, { force: true });
        const r = await applyTrailers('Subject\n', [{ key: 'AI-Assisted', value: 'no' }], { cwd });
        assert.strictEqual(r.message, 'Subject\n\nAI-Assisted: no\n');
        assert.strictEqual(runs().length, 2, runs().join('; '));
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
    });

    it('output that cannot be split (trailer.separators without ":") is parsed message by message', async () => {
      const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-trailer-sep-'));
      try {
        const { execFileSync } = await import('child_process');
        execFileSync('git', ['init', '-q'], { cwd: repo });
        execFileSync('git', ['config', 'trailer.separators', '='], { cwd: repo });
        assert.strictEqual(await parseTrailersOfEach(['a\n\nKey= v\n', 'b\n'], repo), undefined);
        const r = await applyTrailers('Subject\n', [{ key: 'AI-Assisted', value: 'no' }], { cwd: repo });
        assert.strictEqual(r.changed, false);
        assert.match(r.error ?? '', /does not read the trailers back/);
      } finally {
        fs.rmSync(repo, { recursive: true, force: true });
      }
    });
  });
});
