import * as assert from 'assert';
import { chatCodeBlocksOf } from '../../../../src/core/chat/chatAnswers';
import { chatBlockOrigin } from '../../../../src/core/classification/classifier';
import { computeFileContribution } from '../../../../src/core/contribution/contribution';
import { AiRange } from '../../../../src/core/contribution/mapRanges';
import { buildManifest } from '../../../../src/core/manifest/build';
import { PromptMode } from '../../../../src/core/manifest/conversations';
import { Manifest, ManifestFile, parseManifest, serializeManifest, sha256Hex } from '../../../../src/core/manifest/schema';
import { resolvePolicy } from '../../../../src/core/policy/policy';
import { Origin } from '../../../../src/core/provenance/origin';

// Assembled so that this file does not itself look like a leaked key.
const SECRET = ['ghp_', 'Zq7'.repeat(12)].join('');
const PROMPT = `@fixture write a multiply function; deploy with token ${SECRET}`;
const CODE = 'function multiply(a, b) {\n  return a * b;\n}\n';
const OTHER = 'function divide(a, b) {\n  return a / b;\n}\n';

/** A chat session as VS Code stores it, with the prompt in `message.text`. */
function session(): Record<string, unknown> {
  return {
    requests: [
      {
        requestId: 'request_1',
        message: { text: PROMPT, parts: [] },
        agent: { extensionId: { value: 'ai-provenance-tests.ai-fixture' } },
        modelId: 'ai-fixture/fixture-model',
        modelState: { value: 1, completedAt: 1000 },
        response: [{ value: 'Here:\n\n```js\n' + CODE + '```\n' }],
      },
      {
        requestId: 'request_2',
        message: 'divide please',
        agent: { extensionId: { value: 'ai-provenance-tests.ai-fixture' } },
        modelId: 'ai-fixture/fixture-model',
        response: [{ value: '```js\n' + OTHER + '```\n' }],
      },
    ],
  };
}

function chatOrigins(): Origin[] {
  return chatCodeBlocksOf(session()).map((b) => ({ ...chatBlockOrigin(b), timestamp: 1 }) as Origin);
}

function fileOf(text: string, ranges: AiRange[]): ManifestFile {
  const counts = computeFileContribution({ text, added: 'every-line', ranges, trivial: resolvePolicy().trivial });
  const { ignoredRanges, ...rest } = counts;
  assert.strictEqual(ignoredRanges, 0);
  return { path: 'src/m.js', status: 'added', sha256: sha256Hex(text), ...rest };
}

function manifest(mode: PromptMode | undefined, ranges?: (text: string, origins: Origin[]) => AiRange[]): Manifest {
  const text = CODE + OTHER;
  const origins = chatOrigins();
  const rs = ranges ? ranges(text, origins) : [
    { start: 0, end: CODE.length, text: CODE, origin: origins[0] },
    { start: CODE.length, end: text.length, text: OTHER, origin: origins[1] },
  ];
  return buildManifest({
    id: '0b0e2a59-3f35-4a44-9d0c-5f1c2c6f8d11',
    createdAt: '2026-12-01T00:00:00.000Z',
    generator: { name: 'ai-provenance', version: '0.0.0' },
    base: null,
    policy: resolvePolicy(),
    policySource: 'default',
    files: [fileOf(text, rs)],
    ...(mode ? { prompts: mode } : {}),
  });
}

function reparsed(m: Manifest): Manifest {
  const r = parseManifest(serializeManifest(m));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.value;
}

function errorsOf(value: unknown): string[] {
  const r = parseManifest(JSON.stringify(value));
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('conversations in the manifest', () => {
  it('a chat block keeps its prompt with the secret redacted, from the moment it is read', () => {
    const blocks = chatCodeBlocksOf(session());
    assert.strictEqual(blocks[0].prompt, '@fixture write a multiply function; deploy with token [REDACTED:github-token]');
    assert.strictEqual(blocks[1].prompt, 'divide please');
    assert.ok(!JSON.stringify(chatOrigins()).includes(SECRET));
  });

  it('text mode: each range names its conversation, the prompt is there, redacted, with its hash', () => {
    const m = reparsed(manifest('text'));
    const s = serializeManifest(m);
    assert.ok(!s.includes(SECRET), s);
    assert.deepStrictEqual(m.prompts, { version: 1, mode: 'text' });
    const f = m.files[0];
    assert.deepStrictEqual(f.ranges.map((r) => [r.startLine, r.endLine, r.conversation]), [[1, 3, 'request_1'], [4, 6, 'request_2']]);
    const c = f.conversations![0];
    assert.deepStrictEqual(c, {
      id: 'request_1',
      kind: 'chat',
      tool: 'ai-provenance-tests.ai-fixture',
      model: 'ai-fixture/fixture-model',
      promptSha256: sha256Hex(c.prompt!),
      prompt: '@fixture write a multiply function; deploy with token [REDACTED:github-token]',
    });
  });

  it('hash mode (the default) keeps no prompt text, only its hash', () => {
    for (const m of [manifest('hash'), manifest(undefined)]) {
      const s = serializeManifest(reparsed(m));
      assert.deepStrictEqual(m.prompts, { version: 1, mode: 'hash' });
      assert.ok(!s.includes('multiply function'), s);
      assert.ok(!s.includes('divide please'), s);
      assert.ok(!s.includes(SECRET));
      assert.ok(!s.includes('"prompt"'));
      assert.strictEqual(m.files[0].conversations![1].promptSha256, sha256Hex('divide please'));
    }
  });

  it('none mode names the conversations and nothing of the prompts', () => {
    const m = reparsed(manifest('none'));
    assert.deepStrictEqual(m.files[0].conversations!.map((c) => Object.keys(c).sort()), [['id', 'kind', 'model', 'tool'], ['id', 'kind', 'model', 'tool']]);
  });

  it('adjacent lines of two conversations (same tool and model) are two ranges; lines without one have no conversation and no field', () => {
    const split = reparsed(manifest('hash'));
    assert.deepStrictEqual(split.files[0].ranges.map((r) => [r.tool, r.model, r.conversation]), [
      ['ai-provenance-tests.ai-fixture', 'ai-fixture/fixture-model', 'request_1'],
      ['ai-provenance-tests.ai-fixture', 'ai-fixture/fixture-model', 'request_2'],
    ]);
    const inline = manifest('hash', (text) => [{ start: 0, end: text.length, text, origin: { kind: 'inline', tool: 'x', requestId: 'r9', timestamp: 1 } }]);
    assert.strictEqual(inline.files[0].ranges.length, 1);
    assert.strictEqual(inline.files[0].ranges[0].conversation, undefined);
    assert.strictEqual(inline.files[0].conversations, undefined);
    assert.strictEqual(inline.prompts, undefined);
  });

  it('is parsed strictly', () => {
    const good = JSON.parse(serializeManifest(manifest('text')));
    assert.deepStrictEqual(errorsOf(good), []);
    const bad = (change: (m: any) => void): string[] => {
      const m = JSON.parse(JSON.stringify(good));
      change(m);
      return errorsOf(m);
    };
    assert.match(bad((m) => (m.files[0].conversations[0].prompt = `token ${SECRET}`)).join('\n'), /does not match the prompt[\s\S]*secret that was not redacted/);
    assert.match(bad((m) => (m.prompts.mode = 'hash')).join('\n'), /prompt text present although prompts are "hash"/);
    assert.match(bad((m) => (m.prompts.mode = 'none')).join('\n'), /promptSha256: present although prompts are "none"/);
    assert.match(bad((m) => delete m.prompts).join('\n'), /present but the manifest has no "prompts" field/);
    assert.match(bad((m) => (m.prompts.version = 2)).join('\n'), /newer than this tool understands/);
    assert.match(bad((m) => (m.prompts.mode = 'all')).join('\n'), /prompts\.mode: expected one of none, hash, text/);
    assert.match(bad((m) => (m.files[0].ranges[1].conversation = 'request_x')).join('\n'), /ranges\[1\]\.conversation: names "request_x"/);
    assert.match(bad((m) => (m.files[0].conversations[1].id = 'request_1')).join('\n'), /duplicate conversation request_1/);
    assert.match(bad((m) => (m.files[0].conversations[0].extra = 1)).join('\n'), /conversations\[0\]\.extra: unknown field/);
    assert.match(bad((m) => (m.files[0].conversations[0].kind = 'inline')).join('\n'), /kind: expected one of chat, inlineChat, agent/);
    assert.match(bad((m) => delete m.files[0].conversations[0].promptSha256).join('\n'), /required with a prompt/);
  });
});
