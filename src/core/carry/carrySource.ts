import type { Run } from '../provenance/attributionRope';

/**
 * AI text that left its place (removed: cut, a line move, drag and drop, a deleting edit, a reload
 * from disk) or that the user selected (what a copy takes), described by lines so that an
 * insertion of the same text can get its attribution back (see `carryMatch.ts`). Pure data.
 *
 * Only what is known is described: the rope keeps the characters of attributed runs, not a
 * person's text, so a removed source knows its AI lines only; a selected source knows every line.
 */

/** An AI run inside a line's content: offset in the content, length, origin id. */
export interface LineRun {
  readonly start: number;
  readonly length: number;
  readonly origin: number;
}

/** One non-blank line of a source: its content without surrounding whitespace, and its AI runs. */
export interface SourceLine {
  readonly content: string;
  readonly ai: readonly LineRun[];
  /** The content may be the end of a longer line (text before it is not known). */
  readonly partialStart: boolean;
  /** The content may be the start of a longer line (text after it is not known). */
  readonly partialEnd: boolean;
  /**
   * The whitespace just before the content (back to the previous line's content, or to the start
   * of the source), when all of it is AI text of one origin: carried where it comes back the same.
   */
  readonly gapBefore?: { readonly text: string; readonly origin: number };
}

export interface CarrySource {
  readonly documentKey: string;
  /** When the text was removed or selected (ms since the epoch). */
  readonly at: number;
  readonly kind: 'removed' | 'selected';
  /** A removal that inserted nothing in its place (a deletion, not a replacement). */
  readonly pure?: boolean;
  /** Runs of lines known to follow each other; text between two stretches is not known. */
  readonly stretches: readonly (readonly SourceLine[])[];
}

/** Non-whitespace characters of `s`. */
export function visibleLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 11 && c !== 12 && c !== 0xa0 && c !== 0xfeff) n++;
  }
  return n;
}

/** AI non-whitespace characters of a line. */
export function aiVisibleLength(line: SourceLine): number {
  let n = 0;
  for (const r of line.ai) n += visibleLength(line.content.slice(r.start, r.start + r.length));
  return n;
}

interface Piece {
  readonly text: string;
  /** Offset of `text` in the whole text it was cut from. */
  readonly offset: number;
}

/** Splits `text` into lines (any line break), with their offsets. */
function lines(text: string): Piece[] {
  const out: Piece[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ text: text.slice(start, m.index), offset: start });
    start = m.index + m[0].length;
  }
  out.push({ text: text.slice(start), offset: start });
  return out;
}

/**
 * The lines of `text` (which starts at offset 0 of the runs' coordinates), each with the AI runs
 * of `ai` (offsets in `text`) that fall in its content. Blank lines are left out.
 */
function describeLines(
  text: string,
  ai: readonly { start: number; length: number; origin: number }[],
  firstPartial: boolean,
  lastPartial: boolean,
): SourceLine[] {
  const out: SourceLine[] = [];
  const all = lines(text);
  let previousEnd = 0;
  all.forEach((piece, index) => {
    const lead = piece.text.length - piece.text.trimStart().length;
    const content = piece.text.trim();
    if (content.length === 0) return;
    const start = piece.offset + lead;
    const end = start + content.length;
    const runs: LineRun[] = [];
    for (const r of ai) {
      const s = Math.max(r.start, start);
      const e = Math.min(r.start + r.length, end);
      if (e > s) runs.push({ start: s - start, length: e - s, origin: r.origin });
    }
    const gap = ai.find((r) => r.start <= previousEnd && r.start + r.length >= start);
    const gapBefore = start > previousEnd && gap ? { text: text.slice(previousEnd, start), origin: gap.origin } : undefined;
    out.push({ content, ai: runs, partialStart: index === 0 && firstPartial, partialEnd: index === all.length - 1 && lastPartial, ...(gapBefore ? { gapBefore } : {}) });
    previousEnd = end;
  });
  return out;
}

/**
 * A removed slice (the rope's runs of the deleted text, attributed runs carrying their characters)
 * as a source: each stretch of consecutive AI characters (of origins `isAi` accepts) is split into
 * its lines; where a stretch begins or ends is not known to be a line boundary.
 */
export function removedSource(documentKey: string, runs: readonly Run[], isAi: (origin: number) => boolean, at: number, pure = false): CarrySource | undefined {
  const stretches: SourceLine[][] = [];
  let text = '';
  let ai: { start: number; length: number; origin: number }[] = [];
  const close = () => {
    if (text.length > 0 && visibleLength(text) > 0) {
      const described = describeLines(text, ai, true, true);
      if (described.length > 0) stretches.push(described);
    }
    text = '';
    ai = [];
  };
  for (const run of runs) {
    if (run.text !== undefined && isAi(run.origin)) {
      ai.push({ start: text.length, length: run.length, origin: run.origin });
      text += run.text;
    } else close();
  }
  close();
  return stretches.length > 0 ? { documentKey, at, kind: 'removed', pure, stretches } : undefined;
}

/**
 * A selection (its whole text, and its AI runs with offsets in that text) as a source: every line
 * is known. Kept also without AI text: a more recent selection of the same text by a person
 * outranks older AI text (a copy of the person's own code stays theirs).
 */
export function selectedSource(
  documentKey: string,
  text: string,
  ai: readonly { start: number; length: number; origin: number }[],
  at: number,
): CarrySource | undefined {
  const described = describeLines(text, ai, false, false);
  return described.length > 0 ? { documentKey, at, kind: 'selected', stretches: [described] } : undefined;
}

/** Non-whitespace characters of a source's AI text. */
export function sourceAiLength(source: CarrySource): number {
  let n = 0;
  for (const s of source.stretches) for (const l of s) n += aiVisibleLength(l);
  return n;
}
