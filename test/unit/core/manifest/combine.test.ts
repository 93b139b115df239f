import * as assert from 'assert';
import { CommittedText, PartManifest, locateParts } from '../../../../src/core/manifest/combine';
import { MANIFEST_SCHEMA, MANIFEST_VERSION, Manifest, ManifestFile, computeTotals, rangeText, sha256Hex } from '../../../../src/core/manifest/schema';
import { DEFAULT_POLICY, resolvePolicy } from '../../../../src/core/policy/policy';

/** A part: the manifest of a commit whose text of `path` was `text`, AI at `ranges` (1-based lines). */
function part(source: string, files: Array<{ path: string; text: string; ranges: Array<[number, number]>; trivial?: boolean; tool?: string }>): PartManifest {
  const entries: ManifestFile[] = files.map((f) => {
    const ranges = f.ranges.map(([a, b]) => ({ startLine: a, endLine: b, kind: 'agent' as const, tool: f.tool ?? 'codex', trivial: f.trivial ?? false, sha256: sha256Hex(rangeText(f.text, a, b)) }));
    const ai = f.ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
    return { path: f.path, status: 'modified', sha256: sha256Hex(f.text), addedLines: ai, aiLines: ai, nonTrivialAiLines: ai, addedCharacters: 0, aiCharacters: 0, ranges };
  });
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    version: MANIFEST_VERSION,
    id: source,
    createdAt: '2026-01-01T00:00:00.000Z',
    generator: { name: 'ai-provenance', version: 'test' },
    base: null,
    flagged: false,
    policy: { source: 'default', value: resolvePolicy(DEFAULT_POLICY) },
    totals: computeTotals(entries),
    files: entries,
  };
  return { source, manifest };
}

const text = (...lines: string[]): string => lines.join('\n') + '\n';
/** The committed text, every line added unless `added` says which (0-based line, count). */
function committed(t: string, added: CommittedText['added'] = 'every-line'): CommittedText {
  return { text: t, sha256: sha256Hex(t), added };
}
const linesOf = (r: ReturnType<typeof locateParts>, path: string): Array<[number, number, string]> =>
  r.lines.filter((l) => l.path === path).map((l) => [l.startLine, l.endLine, l.source]);

describe('combining the manifests of squashed commits (locateParts)', () => {
  const ai = ['const a = 1;', 'const b = 2;', 'const c = 3;'];

  it('finds AI lines that later commits moved down, and keeps their origin', () => {
    const first = part('p1', [{ path: 'a.ts', text: text(...ai), ranges: [[1, 3]], tool: 'codex' }]);
    const final = text('// header', '// more', ...ai);
    const r = locateParts([first], (p) => (p === 'a.ts' ? committed(final) : undefined));
    assert.deepStrictEqual(linesOf(r, 'a.ts'), [[3, 5, 'p1']]);
    const range = r.ranges.get('a.ts')![0];
    assert.strictEqual(final.slice(range.start, range.end), ai.join('\n'));
    assert.strictEqual(range.origin.tool, 'codex');
    assert.strictEqual(r.lost.size, 0);
  });

  it('a range whose text changed is lost (counted per path and per part), never placed on other text', () => {
    const first = part('p1', [{ path: 'a.ts', text: text(...ai), ranges: [[1, 3]] }]);
    const final = text('const a = 1;', 'const b = 22;', 'const c = 3;');
    const r = locateParts([first], () => committed(final));
    assert.deepStrictEqual(r.lines, []);
    assert.strictEqual(r.lost.get('a.ts'), 3);
    assert.strictEqual(r.lostBySource.get('p1'), 3);
  });

  it('text that is in the commit but not among the lines it adds is neither AI nor lost', () => {
    const first = part('p1', [{ path: 'a.ts', text: text(...ai), ranges: [[1, 3]] }]);
    const final = text(...ai, 'const d = 4;');
    const r = locateParts([first], () => committed(final, [{ start: 3, count: 1 }]));
    assert.deepStrictEqual(r.lines, []);
    assert.strictEqual(r.lost.size, 0);
  });

  it('the same text claimed by two parts is given once; a second copy in the text goes to the second claim', () => {
    const p1 = part('p1', [{ path: 'a.ts', text: text(...ai), ranges: [[1, 3]] }]);
    const p2 = part('p2', [{ path: 'a.ts', text: text('x', ...ai), ranges: [[2, 4]] }]);
    const once = locateParts([p1, p2], () => committed(text(...ai)));
    assert.deepStrictEqual(linesOf(once, 'a.ts'), [[1, 3, 'p1']]);
    assert.strictEqual(once.lost.get('a.ts') ?? 0, 0, 'the text is in the commit: not lost');
    const twice = locateParts([p1, p2], () => committed(text(...ai, '', ...ai)));
    assert.deepStrictEqual(linesOf(twice, 'a.ts'), [[1, 3, 'p1'], [5, 7, 'p2']]);
  });

  it('a part that describes the committed file exactly must have its ranges at their lines (a false claim is reported, not searched for)', () => {
    const final = text('// header', ...ai);
    const honest = part('p1', [{ path: 'a.ts', text: final, ranges: [[2, 4]] }]);
    assert.deepStrictEqual(linesOf(locateParts([honest], () => committed(final)), 'a.ts'), [[2, 4, 'p1']]);
    // The same file hash, the ranges' hashes of other lines (they would be found elsewhere by a search).
    const lie: PartManifest = { source: 'p2', manifest: { ...honest.manifest, files: honest.manifest.files.map((f) => ({ ...f, ranges: f.ranges.map((x) => ({ ...x, startLine: 1, endLine: 3 })) })) } };
    const r = locateParts([lie], () => committed(final));
    assert.deepStrictEqual(r.lines, []);
    assert.deepStrictEqual(r.falseRanges, [{ source: 'p2', path: 'a.ts', startLine: 1, endLine: 3 }]);
  });

  it('a trivial range is placed line by line (each line its own short edit)', () => {
    const p = part('p1', [{ path: 'a.ts', text: text(...ai), ranges: [[1, 3]], trivial: true }]);
    const r = locateParts([p], () => committed(text(...ai)));
    assert.strictEqual(r.ranges.get('a.ts')!.length, 3);
  });

  it('a file the commit does not have loses its AI lines; every path a part lists is listed', () => {
    const p = part('p1', [
      { path: 'gone.ts', text: text(...ai), ranges: [[1, 2]] },
      { path: 'plain.ts', text: text('x'), ranges: [] },
    ]);
    const r = locateParts([p], () => undefined);
    assert.strictEqual(r.lost.get('gone.ts'), 2);
    assert.deepStrictEqual([...r.listed].sort(), ['gone.ts', 'plain.ts']);
  });

  it('stops searching after its budget: the rest count as lost (unknown), never as found', () => {
    const many = Array.from({ length: 50 }, (_, i) => `const v${i} = ${i};`);
    const p = part('p1', [{ path: 'a.ts', text: text(...many), ranges: many.map((_, i) => [i + 1, i + 1] as [number, number]) }]);
    // The lines in reverse order: each range needs a search.
    const final = text(...[...many].reverse());
    assert.strictEqual(locateParts([p], () => committed(final)).lines.length, 50);
    const r = locateParts([p], () => committed(final), 60);
    assert.ok(r.lines.length < 50);
    assert.strictEqual(r.lines.length + (r.lost.get('a.ts') ?? 0), 50);
  });
});
