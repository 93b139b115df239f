import * as assert from 'assert';
import { blameJson } from '../../../../src/core/blame/format';
import { CommitRecord, joinBlame } from '../../../../src/core/blame/lineOrigins';
import { Manifest, ManifestFile } from '../../../../src/core/manifest/schema';

const SHA = 'ab'.repeat(20);

function record(conversations: ManifestFile['conversations']): CommitRecord {
  const file = {
    path: 'a.js',
    status: 'added',
    sha256: '0'.repeat(64),
    addedLines: 3,
    aiLines: 2,
    nonTrivialAiLines: 2,
    addedCharacters: 9,
    aiCharacters: 6,
    ranges: [
      { startLine: 1, endLine: 1, kind: 'chat', tool: 'chat', trivial: false, sha256: '1'.repeat(64), conversation: 'req-1' },
      { startLine: 2, endLine: 2, kind: 'inline', tool: 'x', trivial: false, sha256: '2'.repeat(64) },
    ],
    ...(conversations ? { conversations } : {}),
  } as ManifestFile;
  return { sha: SHA, author: 'A', authorEmail: 'a@x', date: '2026-12-01', subject: 's', manifest: { files: [file] } as unknown as Manifest, reviewedBy: [], flagged: true };
}

function join(rec: CommitRecord) {
  const lines = [1, 2, 3].map((n) => ({ finalLine: n, sha: SHA, origLine: n, origPath: 'a.js', content: `l${n}` }));
  return joinBlame({ blame: { lines, commits: new Map() }, records: new Map([[SHA, rec]]) });
}

describe('AI blame: the conversation of committed lines', () => {
  it('names the conversation and the prompt the manifest keeps (text), or its hash (hash)', () => {
    const text = join(record([{ id: 'req-1', kind: 'chat', tool: 'chat', promptSha256: 'c'.repeat(64), prompt: 'write l1' }]));
    assert.deepStrictEqual([text[0].conversation, text[0].prompt, text[0].promptSha256], ['req-1', 'write l1', 'c'.repeat(64)]);
    assert.deepStrictEqual([text[1].conversation, text[1].prompt], [undefined, undefined]);
    const json = blameJson({ path: 'a.js', lines: text, records: new Map([[SHA, record(undefined)]]), commits: new Map() }) as { lines: Array<Record<string, unknown>> };
    assert.deepStrictEqual([json.lines[0].conversation, json.lines[0].prompt, json.lines[0].prompt_sha256], ['req-1', 'write l1', 'c'.repeat(64)]);
    assert.deepStrictEqual([json.lines[1].prompt, json.lines[1].prompt_sha256], [null, null]);

    const hashed = join(record([{ id: 'req-1', kind: 'chat', tool: 'chat', promptSha256: 'c'.repeat(64) }]));
    assert.deepStrictEqual([hashed[0].conversation, hashed[0].prompt, hashed[0].promptSha256], ['req-1', undefined, 'c'.repeat(64)]);
  });
});
