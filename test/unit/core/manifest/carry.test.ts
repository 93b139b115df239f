import * as assert from 'assert';
import { computeFileContribution } from '../../../../src/core/contribution/contribution';
import { AiRange } from '../../../../src/core/contribution/mapRanges';
import { buildManifest } from '../../../../src/core/manifest/build';
import { carryRanges, manifestRangesInText } from '../../../../src/core/manifest/carry';
import { PromptMode, strictestPromptMode } from '../../../../src/core/manifest/conversations';
import { Manifest, ManifestFile, parseManifest, serializeManifest, sha256Hex } from '../../../../src/core/manifest/schema';
import { resolvePolicy } from '../../../../src/core/policy/policy';
import { Origin } from '../../../../src/core/provenance/origin';

/**
 * A rewrite (amend, rebase, cherry-pick, squash) carries the conversation of each AI line with the
 * line: the request or session id, and what the original manifest kept of the prompt, never more.
 */

const AGENT = 'export function total(items) {\n  return items.reduce((s, i) => s + i.price, 0);\n}\n';
const CHAT = 'export function count(items) {\n  return items.length;\n}\n';
const HUMAN = '// written by a person\n';
const agent: Origin = { kind: 'agent', tool: 'claude-code', model: 'opus', requestId: 'session-7', prompt: 'add a total of the prices', transcript: '/home/a/t.jsonl', timestamp: 1 };
const chat: Origin = { kind: 'chat', tool: 'copilot-chat', model: 'gpt-5', requestId: 'request_3', prompt: 'count the items', timestamp: 2 };

function fileOf(text: string, ranges: AiRange[]): ManifestFile {
  const { ignoredRanges, ...counts } = computeFileContribution({ text, added: 'every-line', ranges, trivial: resolvePolicy().trivial });
  assert.strictEqual(ignoredRanges, 0);
  return { path: 'src/items.js', status: 'added', sha256: sha256Hex(text), ...counts };
}

function manifestOf(text: string, ranges: AiRange[], mode: PromptMode): Manifest {
  const m = buildManifest({
    id: '6f1d3f0e-9a51-4c2b-8d43-0d9b8f7e1a22',
    createdAt: '2026-12-01T00:00:00.000Z',
    generator: { name: 'ai-provenance', version: '0.0.0' },
    base: null,
    policy: resolvePolicy(),
    policySource: 'default',
    files: [fileOf(text, ranges)],
    prompts: mode,
  });
  const r = parseManifest(serializeManifest(m));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.value;
}

/** The original commit (the agent's and the chat's lines), rewritten with a person's line put in front. */
function rewrite(originalMode: PromptMode, newMode: PromptMode): { before: Manifest; after: Manifest } {
  const text = AGENT + CHAT;
  const before = manifestOf(text, [
    { start: 0, end: AGENT.length, text: AGENT, origin: agent },
    { start: AGENT.length, end: text.length, text: CHAT, origin: chat },
  ], originalMode);
  const newText = HUMAN + text;
  const carried = carryRanges(text, manifestRangesInText(text, before.files[0]), newText);
  assert.strictEqual(carried.lostLines, 0);
  return { before, after: manifestOf(newText, carried.ranges, newMode) };
}

describe('carry: rewrites keep the conversation of each AI line', () => {
  it('hash mode: the conversations come through with their prompt hash, and the ranges still name them', () => {
    const { before, after } = rewrite('hash', 'hash');
    const f = after.files[0];
    assert.strictEqual(f.aiLines, 6);
    assert.deepStrictEqual(f.conversations, before.files[0].conversations);
    assert.deepStrictEqual(f.conversations?.map((c) => [c.id, c.kind, c.tool, c.model, !!c.promptSha256]), [
      ['session-7', 'agent', 'claude-code', 'opus', true],
      ['request_3', 'chat', 'copilot-chat', 'gpt-5', true],
    ]);
    assert.deepStrictEqual(f.ranges.map((r) => [r.startLine, r.endLine, r.conversation]), [
      [2, 4, 'session-7'],
      [5, 7, 'request_3'],
    ]);
    assert.deepStrictEqual(after.prompts, before.prompts);
  });

  it('text mode: the prompt and the transcript come through; a stricter new mode keeps only what it allows', () => {
    const text = rewrite('text', 'text');
    assert.deepStrictEqual(text.after.files[0].conversations, text.before.files[0].conversations);
    assert.strictEqual(text.after.files[0].conversations?.[0].prompt, 'add a total of the prices');
    const hashed = rewrite('text', 'hash');
    assert.deepStrictEqual(hashed.after.files[0].conversations?.map((c) => [c.id, c.promptSha256, c.prompt]), text.before.files[0].conversations?.map((c) => [c.id, c.promptSha256, undefined]));
    const none = rewrite('text', 'none');
    assert.deepStrictEqual(none.after.files[0].conversations?.map((c) => Object.keys(c).sort()), [['id', 'kind', 'model', 'tool'], ['id', 'kind', 'model', 'tool']]);
  });

  it('a carried conversation never shows more than its original did: hash stays a hash under text, none stays none', () => {
    const up = rewrite('hash', 'text');
    assert.deepStrictEqual(up.after.files[0].conversations, up.before.files[0].conversations);
    assert.ok(up.after.files[0].conversations?.every((c) => c.prompt === undefined && c.transcript === undefined));
    const none = rewrite('none', 'text');
    assert.ok(none.after.files[0].conversations?.every((c) => c.promptSha256 === undefined && c.prompt === undefined));
    assert.strictEqual(strictestPromptMode(['text', 'hash', undefined]), 'hash');
    assert.strictEqual(strictestPromptMode(['text', 'none']), 'none');
    assert.strictEqual(strictestPromptMode([undefined]), undefined);
  });
});
