import * as assert from 'assert';
import { rng } from '../../seededRandom';
import { AttributionRope } from '../../../../src/core/provenance/attributionRope';
import { NO_ORIGIN } from '../../../../src/core/provenance/originTable';

/** Brute-force model: one origin and one character per position. */
class CharModel {
  origins: number[] = [];
  chars: string[] = [];
  constructor(length: number) {
    this.origins = new Array(length).fill(NO_ORIGIN);
    this.chars = new Array(length).fill('?');
  }
  replace(offset: number, del: number, text: string, origin: number): void {
    while (this.origins.length < offset) {
      this.origins.push(NO_ORIGIN);
      this.chars.push('?');
    }
    this.origins.splice(offset, del, ...new Array(text.length).fill(origin));
    this.chars.splice(offset, del, ...text.split(''));
  }
}


function expand(rope: AttributionRope): { origins: number[]; chars: (string | undefined)[] } {
  const origins: number[] = [];
  const chars: (string | undefined)[] = [];
  for (const run of rope.runs()) {
    for (let i = 0; i < run.length; i++) {
      origins.push(run.origin);
      chars.push(run.text === undefined ? undefined : run.text[i]);
    }
  }
  return { origins, chars };
}

function checkInvariants(rope: AttributionRope): void {
  const runs = rope.runs();
  for (let i = 0; i < runs.length; i++) {
    assert.ok(runs[i].length > 0, 'empty run');
    if (i > 0) assert.notStrictEqual(runs[i].origin, runs[i - 1].origin, 'neighbouring runs of one origin were not merged');
    if (runs[i].origin !== NO_ORIGIN) assert.strictEqual(runs[i].text?.length, runs[i].length, 'attributed run without its text');
  }
  assert.strictEqual(rope.runCount, runs.length);
}

describe('AttributionRope', () => {
  it('matches a per-character model over 1,200 random edit sequences', () => {
    for (let seed = 1; seed <= 1200; seed++) {
      const rand = rng(seed);
      const initial = Math.floor(rand() * 40);
      const rope = new AttributionRope(initial);
      const model = new CharModel(initial);
      const steps = 5 + Math.floor(rand() * 40);
      for (let step = 0; step < steps; step++) {
        const len = model.origins.length;
        const offset = Math.floor(rand() * (len + 3));
        const del = offset >= len ? 0 : Math.floor(rand() * Math.min(8, len - offset + 1));
        const insLen = rand() < 0.3 ? 0 : Math.floor(rand() * 10);
        const text = Array.from({ length: insLen }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
        const origin = rand() < 0.5 ? NO_ORIGIN : 1 + Math.floor(rand() * 3);
        const before = expand(rope);
        const removed = rope.replace(offset, del, text, origin);
        // What the rope says was removed is what the model removes.
        const expectRemoved = before.origins.slice(offset, offset + del);
        assert.deepStrictEqual(
          removed.flatMap((r) => new Array(r.length).fill(r.origin)),
          expectRemoved,
          `seed ${seed} step ${step}: removed runs`,
        );
        model.replace(offset, del, text, origin);
        const got = expand(rope);
        assert.deepStrictEqual(got.origins, model.origins, `seed ${seed} step ${step}: origins`);
        got.chars.forEach((c, i) => {
          if (model.origins[i] !== NO_ORIGIN) assert.strictEqual(c, model.chars[i], `seed ${seed} step ${step}: text at ${i}`);
        });
        checkInvariants(rope);
        assert.strictEqual(rope.length, model.origins.length);
        assert.strictEqual(rope.taggedLength, model.origins.filter((o) => o !== NO_ORIGIN).length);
      }
      // Queries agree with the model too.
      const len = model.origins.length;
      const a = Math.floor(rand() * (len + 1));
      const b = a + Math.floor(rand() * (len - a + 1));
      const tagged = rope.taggedRunsIn(a, b);
      for (const r of tagged) {
        assert.ok(r.start < b && r.start + r.length > a, `seed ${seed}: run outside the span`);
        for (let i = r.start; i < r.start + r.length; i++) assert.strictEqual(model.origins[i], r.origin);
      }
      const expectedTagged = new Set<number>();
      for (let i = a; i < b; i++) if (model.origins[i] !== NO_ORIGIN) expectedTagged.add(i);
      for (const r of tagged) for (let i = Math.max(a, r.start); i < Math.min(b, r.start + r.length); i++) expectedTagged.delete(i);
      assert.strictEqual(expectedTagged.size, 0, `seed ${seed}: taggedRunsIn missed characters`);
      for (let i = 0; i < len; i += 3) assert.strictEqual(rope.originAt(i), model.origins[i], `seed ${seed}: originAt(${i})`);
    }
  });

  it('splits an AI run around a human insertion and never grows it over human text', () => {
    const rope = new AttributionRope(10);
    rope.replace(5, 0, 'return a + b;', 1);
    rope.replace(11, 0, 'XY', NO_ORIGIN); // typed inside
    rope.replace(20, 0, 'Z', NO_ORIGIN); // typed right after the AI text
    rope.replace(5, 0, 'W', NO_ORIGIN); // typed right before it
    assert.deepStrictEqual(
      rope.taggedRuns().map((r) => [r.start, r.text]),
      [
        [6, 'return'],
        [14, ' a + b;'],
      ],
    );
  });

  it('merges adjacent text of one origin and keeps its text', () => {
    const rope = new AttributionRope(0);
    rope.replace(0, 0, 'foo', 2);
    rope.replace(3, 0, 'bar', 2);
    assert.deepStrictEqual(rope.runs(), [{ length: 6, origin: 2, text: 'foobar' }]);
  });

  it('handles 200,000 runs without deep recursion', () => {
    const rope = new AttributionRope(0);
    for (let i = 0; i < 100_000; i++) {
      rope.replace(rope.length, 0, 'ab', 1);
      rope.replace(rope.length, 0, 'c', NO_ORIGIN);
    }
    assert.strictEqual(rope.runCount, 200_000);
    rope.replace(1, 3, '', NO_ORIGIN);
    assert.strictEqual(rope.length, 299_997);
    assert.strictEqual(rope.taggedRuns().length, 99_999);
  });
});
