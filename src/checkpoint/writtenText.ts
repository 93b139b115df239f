/**
 * The guard of a hook checkpoint whose tool call says what it wrote (`new_string`, `content`,
 * `newString`, the `+` lines of a patch): of the text inserted between --before and --after, only
 * what lies inside an occurrence of such a written text in the file is the agent's. The rest was
 * inserted by someone else in that window (a person typing into the same file in the editor, a
 * formatter) and cannot be proven either way: it is `unknown`, never the agent's. Pure.
 */

export interface Span {
  readonly start: number;
  readonly length: number;
}

/** Where each written text (non-empty) occurs in `text`, as sorted, merged intervals. */
export function writtenIntervals(text: string, written: readonly string[]): Span[] {
  const found: Span[] = [];
  for (const w of new Set(written)) {
    if (!w) continue;
    for (let at = text.indexOf(w); at !== -1; at = text.indexOf(w, at + 1)) found.push({ start: at, length: w.length });
  }
  found.sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of found) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.start + last.length) {
      merged[merged.length - 1] = { start: last.start, length: Math.max(last.start + last.length, s.start + s.length) - last.start };
    } else merged.push(s);
  }
  return merged;
}

/** Splits inserted `spans` of `text` into the parts inside a written text and the parts outside. */
export function splitByWritten(text: string, spans: readonly Span[], written: readonly string[]): { agent: Span[]; unproven: Span[] } {
  const inside = writtenIntervals(text, written);
  const agent: Span[] = [];
  const unproven: Span[] = [];
  for (const s of spans) {
    let pos = s.start;
    const end = s.start + s.length;
    for (const w of inside) {
      const wEnd = w.start + w.length;
      if (wEnd <= pos || w.start >= end) continue;
      if (w.start > pos) unproven.push({ start: pos, length: w.start - pos });
      const to = Math.min(end, wEnd);
      agent.push({ start: Math.max(pos, w.start), length: to - Math.max(pos, w.start) });
      pos = to;
      if (pos >= end) break;
    }
    if (pos < end) unproven.push({ start: pos, length: end - pos });
  }
  return { agent, unproven };
}
