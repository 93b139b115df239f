// Fuzz test of the two parsers that read untrusted input in CI: the manifest (from a commit or a
// note) and the policy (`.ai-provenance.json`, also stored inside each manifest). Thousands of
// inputs, generated from a fixed seed by mutating valid documents, must each give either a value
// or a list of clear findings (a path and a one-line message), never a throw and never a value
// that fails its own round trip. The seed is fixed so that a failure reproduces; the input that
// failed is printed with the assertion.
import * as assert from 'assert';
import { rng } from '../seededRandom';
import { MANIFEST_SCHEMA, MANIFEST_VERSION, Manifest, computeTotals, parseManifest, rangeText, serializeManifest, sha256Hex } from '../../../src/core/manifest/schema';
import { evaluateRiskRules } from '../../../src/core/policy/riskRules';
import { parsePolicy, parseRepositoryPolicy, resolvePolicy } from '../../../src/core/policy/policy';


type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Keys and strings chosen to hit the cases the parsers must treat as plain data. */
const NASTY_STRINGS = ['__proto__', 'constructor', 'toString', 'prototype', 'hasOwnProperty', 'valueOf', '', ' ', '\u0000', '\n::notice::x', 'senior', 'principal', '../../etc/passwd', '\ufeff{', '(a+)+$', '[', '*', '**/', 'x'.repeat(5000), '\ud800'];
const NASTY_NUMBERS = [0, -1, 1, 1.5, -0, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 1e-9];

function randomValue(r: () => number, depth: number): Json {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 8));
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return NASTY_NUMBERS[Math.floor(r() * NASTY_NUMBERS.length)];
    case 3: return NASTY_STRINGS[Math.floor(r() * NASTY_STRINGS.length)];
    case 4: return Math.floor(r() * 10);
    case 5: return String.fromCharCode(...Array.from({ length: Math.floor(r() * 8) }, () => 32 + Math.floor(r() * 0x2000)));
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o: { [k: string]: Json } = {};
      const n = Math.floor(r() * 4);
      for (let i = 0; i < n; i++) o[NASTY_STRINGS[Math.floor(r() * NASTY_STRINGS.length)]] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** Every (container, key) pair of a document, for picking a place to mutate. */
function places(doc: Json): Array<{ parent: Json[] | { [k: string]: Json }; key: string | number }> {
  const out: Array<{ parent: Json[] | { [k: string]: Json }; key: string | number }> = [];
  const walk = (v: Json): void => {
    if (Array.isArray(v)) v.forEach((c, i) => { out.push({ parent: v, key: i }); walk(c); });
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) { out.push({ parent: v, key: k }); walk(v[k]); }
  };
  walk(doc);
  return out;
}

/** One to three mutations: replace a value, delete a key or element, add a key (own property, also `__proto__`). */
function mutate(doc: Json, r: () => number): Json {
  const copy = JSON.parse(JSON.stringify(doc)) as Json;
  const count = 1 + Math.floor(r() * 3);
  for (let i = 0; i < count; i++) {
    const all = places(copy);
    if (all.length === 0) break;
    const { parent, key } = all[Math.floor(r() * all.length)];
    const op = r();
    if (op < 0.6) (parent as Record<string | number, Json>)[key] = randomValue(r, 0);
    else if (op < 0.8) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
    } else if (!Array.isArray(parent)) {
      const k = NASTY_STRINGS[Math.floor(r() * NASTY_STRINGS.length)];
      Object.defineProperty(parent, k, { value: randomValue(r, 1), enumerable: true, configurable: true, writable: true });
    } else parent.push(randomValue(r, 1));
  }
  return copy;
}

/** Text-level damage: truncation, a flipped character, a BOM, duplicated keys. */
function damageText(text: string, r: () => number): string {
  const op = r();
  if (op < 0.3) return text.slice(0, Math.floor(r() * text.length));
  if (op < 0.6) {
    const at = Math.floor(r() * text.length);
    return text.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) + text.slice(at + 1);
  }
  if (op < 0.8) return '\ufeff' + text;
  return text.replace('{', '{"__proto__": {"flagged": true}, ');
}

function assertFindings(errors: readonly { path: string; message: string }[], input: string): void {
  assert.ok(errors.length > 0, `a rejection without findings for ${input}`);
  for (const e of errors) {
    assert.strictEqual(typeof e.path, 'string', `finding without a path for ${input}`);
    assert.ok(typeof e.message === 'string' && e.message.trim().length > 0, `empty finding for ${input}`);
  }
}

const committed = 'const a = 1;\nconst b = 2;\nconst c = 3;\n';

function validManifest(): Manifest {
  const files = [
    {
      path: 'src/x.ts',
      status: 'modified' as const,
      sha256: sha256Hex(committed),
      addedLines: 3,
      aiLines: 2,
      nonTrivialAiLines: 2,
      addedCharacters: 36,
      aiCharacters: 24,
      ranges: [{ startLine: 2, endLine: 3, kind: 'chat' as const, tool: 'copilot', model: 'gpt', trivial: false, sha256: sha256Hex(rangeText(committed, 2, 3)) }],
    },
  ];
  return {
    schema: MANIFEST_SCHEMA,
    version: MANIFEST_VERSION,
    id: '0b7c1c9e-2f0a-4c55-9a51-6a0d4c1f7e21',
    createdAt: '2026-12-01T10:00:00.000Z',
    generator: { name: 'ai-provenance', version: '0.1.0' },
    base: null,
    flagged: true,
    reviewRequired: 'senior',
    policy: { source: 'default', value: resolvePolicy() },
    files,
    totals: computeTotals(files),
  } as Manifest;
}

const validPolicy = {
  version: 1,
  threshold: { nonTrivialLines: 5, percentOfAddedLines: 20 },
  review: {
    required: 'senior',
    levels: ['senior', 'principal'],
    reviewers: { senior: { emails: ['s@example.com'] }, principal: { emails: ['p@example.com'], groups: ['@org/principals'] } },
  },
  risk: {
    rules: [
      { id: 'infra', paths: ['infra/**'], level: 'principal', reason: 'deploy scripts took S3 down', links: ['https://wiki.example.com/inc/1'] },
      { id: 'concurrency', patterns: ['\\bMutex\\b', '\\bretry\\b'], level: 'principal', reason: 'lost updates' },
    ],
  },
};

const ROUNDS = 2500;

describe('parsing fuzz (seeded): manifests and policies never crash and always say why', () => {
  it('the valid documents the mutations start from parse', () => {
    const m = parseManifest(serializeManifest(validManifest()));
    assert.ok(m.ok, JSON.stringify(!m.ok && m.errors));
    const p = parseRepositoryPolicy(JSON.stringify(validPolicy));
    assert.ok(p.ok, JSON.stringify(!p.ok && p.errors));
  });

  it(`${ROUNDS} mutated manifests: a value that round-trips, or findings with a path and a message`, () => {
    const r = rng(0x5eed1);
    const base = JSON.parse(serializeManifest(validManifest())) as Json;
    let rejected = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const doc = mutate(base, r);
      let text = JSON.stringify(doc);
      if (r() < 0.25) text = damageText(text, r);
      let result: ReturnType<typeof parseManifest>;
      try {
        result = parseManifest(text);
      } catch (e) {
        assert.fail(`parseManifest threw ${(e as Error).stack} for ${text.slice(0, 400)}`);
      }
      if (result.ok) {
        // Nothing inherited leaks in as data, and what was accepted reads back the same.
        const again = parseManifest(serializeManifest(result.value));
        assert.ok(again.ok, `an accepted manifest fails its round trip: ${text.slice(0, 400)}`);
        assert.strictEqual(typeof result.value.flagged, 'boolean');
      } else {
        rejected++;
        assertFindings(result.errors, text.slice(0, 400));
      }
    }
    // The mutations must actually exercise the error paths, or this test proves nothing.
    assert.ok(rejected > ROUNDS / 2, `only ${rejected} of ${ROUNDS} inputs were rejected`);
  });

  it(`${ROUNDS} mutated policies: a value that resolves and evaluates, or findings with a path and a message`, function () {
    this.timeout(60_000);
    const r = rng(0x5eed2);
    const base = validPolicy as unknown as Json;
    let rejected = 0;
    let accepted = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const doc = mutate(base, r);
      let text = JSON.stringify(doc);
      if (r() < 0.25) text = damageText(text, r);
      try {
        const layer = parseRepositoryPolicy(text);
        if (!layer.ok) {
          rejected++;
          assertFindings(layer.errors, text.slice(0, 400));
          continue;
        }
        accepted++;
        const policy = resolvePolicy(layer.value);
        // A resolved policy is what a manifest stores: it must read back as a full policy.
        const full = parsePolicy(JSON.parse(JSON.stringify(policy)), { partial: false });
        assert.ok(full.ok, `a resolved policy is not a valid stored policy: ${text.slice(0, 400)} -> ${JSON.stringify(!full.ok && full.errors)}`);
        // Its rules run over a change without throwing (patterns are bounded).
        evaluateRiskRules(policy.risk, {
          files: [{ path: 'infra/a.ts', ranges: [{ startLine: 1, endLine: 2, trivial: false }] }],
          texts: new Map([['infra/a.ts', 'const m = new Mutex();\n' + 'a'.repeat(20_000) + '\n']]),
        });
      } catch (e) {
        assert.fail(`policy parsing threw ${(e as Error).stack} for ${text.slice(0, 400)}`);
      }
    }
    assert.ok(rejected > ROUNDS / 4, `only ${rejected} of ${ROUNDS} policies were rejected`);
    assert.ok(accepted > ROUNDS / 20, `only ${accepted} of ${ROUNDS} policies were accepted: the mutations never reach the evaluation`);
  });
});
