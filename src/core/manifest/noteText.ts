/**
 * The manifests a note holds. A note is normally one manifest; when two people (or two CI jobs)
 * stored a note for the same commit and their notes refs were merged with
 * `git notes merge --strategy=union` (the set-up the README describes), the note is the two
 * manifests one after the other. Nothing is lost: each is read. Pure.
 */

/** The top-level JSON texts of `text`, in order (one element, the text itself, when it is not several objects). */
export function noteManifestTexts(text: string): string[] {
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
