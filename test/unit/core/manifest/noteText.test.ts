import * as assert from 'assert';
import { noteManifestTexts } from '../../../../src/core/manifest/noteText';
import { rng } from '../../seededRandom';

/** The rule read character by character with `String.prototype.trim` (what the fast loop must equal). */
function byCharacters(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0 && start !== -1) {
        out.push(text.slice(start, i + 1));
        start = -1;
      }
      if (depth < 0) return [text];
    } else if (depth === 0 && c.trim() !== '') return [text];
  }
  return out.length > 1 && depth === 0 ? out : [text];
}

describe('noteManifestTexts', () => {
  it('splits a note of two manifests, and keeps one manifest or other text whole', () => {
    assert.deepStrictEqual(noteManifestTexts('{"a":"}"}\n\n{"b":1}\n'), ['{"a":"}"}', '{"b":1}']);
    assert.deepStrictEqual(noteManifestTexts('{"a":1}\n'), ['{"a":1}\n']);
    assert.deepStrictEqual(noteManifestTexts('{"a":1}\u00a0\u2028{"b":2}'), ['{"a":1}', '{"b":2}']);
    assert.deepStrictEqual(noteManifestTexts('{"a":1}\u001f{"b":2}'), ['{"a":1}\u001f{"b":2}']);
  });

  it('reads what the character-by-character rule reads, on generated notes', () => {
    const random = rng(20261203);
    const pieces = ['{', '}', '"', '\\', ' ', '\n', '\t', '\r', '\u000b', '\u000c', '\u00a0', '\u1680', '\u2028', '\u2029', '\u3000', '\ufeff', '\u200b', '\u001c', '\u0085', 'a', ':', ',', '1', '\ud83d', '\ude00'];
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const len = Math.floor(random() * 40);
      for (let i = 0; i < len; i++) text += pieces[Math.floor(random() * pieces.length)];
      if (random() < 0.5) {
        // Two objects with what a note may hold between them (white space of every kind, or not).
        let between = '';
        for (let i = Math.floor(random() * 4); i > 0; i--) between += pieces[4 + Math.floor(random() * (pieces.length - 4))];
        text = `{"x":"${text.replace(/["\\{}]/g, '')}"}${between.replace(/["\\{}]/g, '')}{"y":${len}}`;
      }
      assert.deepStrictEqual(noteManifestTexts(text), byCharacters(text), JSON.stringify(text));
    }
  });
});
