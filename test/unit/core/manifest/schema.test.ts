import * as assert from 'assert';
import {
  MANIFEST_SCHEMA,
  MANIFEST_VERSION,
  Manifest,
  ManifestFile,
  computeTotals,
  parseManifest,
  rangeText,
  serializeManifest,
  sha256Hex,
} from '../../../../src/core/manifest/schema';
import { resolvePolicy } from '../../../../src/core/policy/policy';

const committed = 'a\r\nb\r\nc\r\nd';

function sample(): Manifest {
  const files: ManifestFile[] = [
    {
      path: 'src/x.ts',
      status: 'modified',
      sha256: sha256Hex(committed),
      addedLines: 3,
      aiLines: 2,
      nonTrivialAiLines: 2,
      addedCharacters: 3,
      aiCharacters: 2,
      ranges: [{ startLine: 2, endLine: 3, kind: 'chat', tool: 'copilot', model: 'gpt', trivial: false, sha256: sha256Hex(rangeText(committed, 2, 3)) }],
    },
    { path: 'old.bin', status: 'deleted', addedLines: 0, aiLines: 0, nonTrivialAiLines: 0, addedCharacters: 0, aiCharacters: 0, ranges: [] },
  ];
  return {
    schema: MANIFEST_SCHEMA,
    version: MANIFEST_VERSION,
    id: '0b0e2a59-3f35-4a44-9d0c-5f1c2c6f8d11',
    createdAt: '2026-11-24T09:00:00.000Z',
    generator: { name: 'ai-provenance', version: '0.1.0' },
    base: 'a'.repeat(40),
    flagged: false,
    policy: { source: 'default', value: resolvePolicy() },
    totals: computeTotals(files),
    files,
  };
}

describe('manifest schema', () => {
  it('round-trips a valid manifest', () => {
    const m = sample();
    const r = parseManifest(serializeManifest(m));
    assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
    assert.deepStrictEqual(r.value, JSON.parse(serializeManifest(m)));
    assert.deepStrictEqual(m.totals.byKind, { chat: 2 });
    assert.deepStrictEqual(m.totals.byTool, [{ tool: 'copilot', model: 'gpt', lines: 2 }]);
  });

  it('rangeText keeps CR of CRLF lines and joins with LF', () => {
    assert.strictEqual(rangeText(committed, 2, 3), 'b\r\nc\r');
    assert.strictEqual(rangeText(committed, 4, 4), 'd');
    assert.throws(() => rangeText(committed, 4, 5), /beyond the end/);
  });

  it('reports each problem with its path', () => {
    const m = JSON.parse(serializeManifest(sample()));
    m.files[0].ranges[0].sha256 = 'xyz';
    m.files[0].ranges.push({ startLine: 3, endLine: 3, kind: 'manual', tool: 't', trivial: false, sha256: 'a'.repeat(64) });
    m.id = 'not-a-uuid';
    m.files[1].sha256 = 'a'.repeat(64);
    const r = parseManifest(m);
    assert.strictEqual(r.ok, false);
    const paths = r.ok ? [] : r.errors.map((e) => e.path);
    for (const p of ['id', 'files[0].ranges[0].sha256', 'files[0].ranges[1].startLine', 'files[0].ranges[1].kind', 'files[1].sha256']) assert.ok(paths.includes(p), `${p} in ${paths.join(',')}`);
  });

  it('rejects totals that do not add up and newer versions', () => {
    const m = JSON.parse(serializeManifest(sample()));
    m.totals.aiLines = 5;
    const r = parseManifest(m);
    assert.ok(!r.ok && r.errors.some((e) => e.path === 'totals.aiLines'));
    m.version = 2;
    const v = parseManifest(m);
    assert.ok(!v.ok && /newer than this tool/.test(v.errors[0].message));
    assert.ok(!parseManifest('{').ok);
  });

  it('rejects counts that disagree with ranges', () => {
    const m = JSON.parse(serializeManifest(sample()));
    m.files[0].aiLines = 3;
    m.totals = computeTotals(m.files);
    const r = parseManifest(m);
    assert.ok(!r.ok && r.errors.some((e) => e.path === 'files[0].aiLines' && /ranges cover 2/.test(e.message)));
  });
});
