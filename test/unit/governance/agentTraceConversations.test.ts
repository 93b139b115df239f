import * as assert from 'assert';
import { computeFileContribution } from '../../../src/core/contribution/contribution';
import { buildManifest } from '../../../src/core/manifest/build';
import { PromptMode } from '../../../src/core/manifest/conversations';
import { sha256Hex } from '../../../src/core/manifest/schema';
import { resolvePolicy } from '../../../src/core/policy/policy';
import { Origin } from '../../../src/core/provenance/origin';
import { toAgentTrace, validateAgentTrace } from '../../../src/governance/agentTrace';

const A = 'const a = agent();\nconst b = agent();\n';
const B = 'const c = chat();\n';
const agent: Origin = { kind: 'agent', tool: 'claude-code', model: 'opus', requestId: 'sess-1', prompt: 'add a and b', transcript: '/home/dev/.claude/projects/p/sess-1.jsonl', timestamp: 1 };
const chat: Origin = { kind: 'chat', tool: 'chat', model: 'opus', requestId: 'req-9', prompt: 'add c', timestamp: 1 };

function record(mode: PromptMode) {
  const text = A + B;
  const counts = computeFileContribution({
    text,
    added: 'every-line',
    ranges: [
      { start: 0, end: A.length, text: A, origin: agent },
      { start: A.length, end: text.length, text: B, origin: chat },
    ],
    trivial: resolvePolicy().trivial,
  });
  const { ignoredRanges: _ignored, ...rest } = counts;
  const manifest = buildManifest({
    id: '0b0e2a59-3f35-4a44-9d0c-5f1c2c6f8d11',
    createdAt: '2026-12-01T00:00:00.000Z',
    generator: { name: 'ai-provenance', version: '0.0.0' },
    base: null,
    policy: resolvePolicy(),
    policySource: 'default',
    files: [{ path: 'src/x.js', status: 'added', sha256: sha256Hex(text), ...rest }],
    prompts: mode,
  });
  return toAgentTrace({ sha: 'a'.repeat(40), date: '2026-12-01T00:00:00Z', manifest, manifestSource: 'note:refs/notes/ai-provenance' });
}

describe('Agent Trace export: conversations', () => {
  it('one conversation per recorded conversation, the transcript as its URL (text), the prompts in metadata', () => {
    const r = record('text');
    assert.deepStrictEqual(validateAgentTrace(r), []);
    const convs = r.files[0].conversations;
    assert.deepStrictEqual(convs.map((c) => [c.url, c.ranges.map((x) => [x.start_line, x.end_line])]), [
      ['file:///home/dev/.claude/projects/p/sess-1.jsonl', [[1, 2]]],
      [undefined, [[3, 3]]],
    ]);
    const meta = (r.metadata as Record<string, { prompts: string; conversations: Record<string, Array<Record<string, string>>>; ranges: Record<string, Array<{ conversation?: string }>> }>)['ai-provenance'];
    assert.strictEqual(meta.prompts, 'text');
    assert.deepStrictEqual(meta.conversations['src/x.js'].map((c) => [c.id, c.kind, c.prompt, c.prompt_sha256]), [
      ['sess-1', 'agent', 'add a and b', sha256Hex('add a and b')],
      ['req-9', 'chat', 'add c', sha256Hex('add c')],
    ]);
    assert.deepStrictEqual(meta.ranges['src/x.js'].map((x) => x.conversation), ['sess-1', 'req-9']);
  });

  it('hash mode: no prompt text and no transcript leave with the export', () => {
    const r = record('hash');
    assert.deepStrictEqual(validateAgentTrace(r), []);
    const s = JSON.stringify(r);
    assert.ok(!s.includes('add a and b') && !s.includes('.jsonl'), s);
    assert.ok(s.includes(sha256Hex('add a and b')));
    assert.strictEqual(r.files[0].conversations.length, 2);
  });
});
