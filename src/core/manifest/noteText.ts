/**
 * The manifests a note holds. A note is normally one manifest; when two people (or two CI jobs)
 * stored a note for the same commit and their notes refs were merged with
 * `git notes merge --strategy=union` (the set-up the README describes), the note is the two
 * manifests one after the other. Nothing is lost: each is read. Pure.
 */

/** The top-level JSON texts of `text`, in order (one element, the text itself, when it is not several objects). */
export function noteManifestTexts(text: string): string[] {
  // verify reads each note twice (the commit's manifest, then the others): the last answer is kept.
  if (last?.text !== text) last = { text, texts: splitNote(text) };
  return [...last.texts];
}

let last: { readonly text: string; readonly texts: readonly string[] } | undefined;

function splitNote(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  // By character codes (no string per character): a note is read twice per commit by verify.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN) {
      if (depth === 0) start = i;
      depth++;
    } else if (c === CLOSE) {
      depth--;
      if (depth === 0 && start !== -1) {
        out.push(text.slice(start, i + 1));
        start = -1;
      }
      if (depth < 0) return [text];
    } else if (depth === 0 && !isSpace(c, text, i)) return [text];
  }
  return out.length > 1 && depth === 0 ? out : [text];
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** True when the character at `i` (code unit `c`) is white space as `String.prototype.trim` sees it. */
function isSpace(c: number, text: string, i: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return text[i].trim() === '';
}
