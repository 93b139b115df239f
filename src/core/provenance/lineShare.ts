import { PlacedRun } from './attributionRope';

/**
 * Line-level view of character attribution. A line counts as attributed to an origin when most of
 * its non-whitespace characters carry it (strictly more than half); blank lines count for nobody.
 */

export interface LineAttribution {
  /** 0-based line number. */
  readonly line: number;
  /** The origin id that holds most non-whitespace characters of the line. */
  readonly origin: number;
}

export interface LineShare {
  /** Lines with at least one non-whitespace character. */
  readonly nonBlankLines: number;
  /** Non-blank lines whose majority origin passes `counts`. */
  readonly attributedLines: number;
  readonly lines: LineAttribution[];
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 10 || code === 11 || code === 12 || code === 0xa0 || code === 0xfeff;
}

/**
 * Walks `text` once with its attributed runs (sorted, non-overlapping, as the rope yields them) and
 * returns the lines whose majority origin satisfies `counts` (e.g. "is an AI kind").
 * Cost O(text length + runs).
 */
export function attributeLines(text: string, runs: readonly PlacedRun[], counts: (origin: number) => boolean): LineShare {
  const lines: LineAttribution[] = [];
  let nonBlankLines = 0;
  let runIndex = 0;
  let line = 0;
  let nonWs = 0;
  const perOrigin = new Map<number, number>();

  const endLine = (): void => {
    if (nonWs > 0) {
      nonBlankLines++;
      let best = 0;
      let bestCount = 0;
      for (const [origin, n] of perOrigin) {
        if (n > bestCount) {
          best = origin;
          bestCount = n;
        }
      }
      if (bestCount * 2 > nonWs && counts(best)) lines.push({ line, origin: best });
    }
    line++;
    nonWs = 0;
    perOrigin.clear();
  };

  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) {
      endLine();
      continue;
    }
    if (isWhitespace(code)) continue;
    nonWs++;
    while (runIndex < runs.length && runs[runIndex].start + runs[runIndex].length <= i) runIndex++;
    const run = runs[runIndex];
    if (run && run.start <= i) perOrigin.set(run.origin, (perOrigin.get(run.origin) ?? 0) + 1);
  }
  endLine();
  return { nonBlankLines, attributedLines: lines.length, lines };
}

/** Offsets at which each line starts (line 0 starts at 0). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
