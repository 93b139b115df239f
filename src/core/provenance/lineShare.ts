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
 * Walks `text` line by line with its attributed runs (sorted, non-overlapping, as the rope yields
 * them) and returns the lines whose majority origin satisfies `counts` (e.g. "is an AI kind").
 * Characters are counted per run, not looked up one by one: a line that no run touches is only
 * read up to its first non-whitespace character. Cost O(lines + characters of the lines that runs
 * touch + runs).
 */
export function attributeLines(text: string, runs: readonly PlacedRun[], counts: (origin: number) => boolean): LineShare {
  const lines: LineAttribution[] = [];
  let nonBlankLines = 0;
  let runIndex = 0;
  let line = 0;
  // Origins of the current line with their non-whitespace characters, in the order first met
  // (a tie goes to the origin met first).
  const origins: number[] = [];
  const amounts: number[] = [];
  let from = 0;
  for (;;) {
    const nl = text.indexOf('\n', from);
    const to = nl === -1 ? text.length : nl;
    while (runIndex < runs.length && runs[runIndex].start + runs[runIndex].length <= from) runIndex++;
    if (runIndex === runs.length || runs[runIndex].start >= to) {
      // No attributed character: the line only counts as blank or not.
      for (let i = from; i < to; i++) {
        if (!isWhitespace(text.charCodeAt(i))) {
          nonBlankLines++;
          break;
        }
      }
    } else {
      // One pass over the line, piece by piece: text outside runs, then each run's part of it.
      origins.length = 0;
      amounts.length = 0;
      let nonWs = 0;
      let pos = from;
      for (let k = runIndex; pos < to; ) {
        const run = k < runs.length ? runs[k] : undefined;
        if (!run || run.start > pos) {
          const end = run ? Math.min(run.start, to) : to;
          nonWs += nonWhitespace(text, pos, end);
          pos = end;
          continue;
        }
        const end = Math.min(run.start + run.length, to);
        const n = nonWhitespace(text, pos, end);
        pos = end;
        k++;
        if (n === 0) continue;
        nonWs += n;
        const at = origins.indexOf(run.origin);
        if (at < 0) {
          origins.push(run.origin);
          amounts.push(n);
        } else amounts[at] += n;
      }
      if (nonWs > 0) {
        nonBlankLines++;
        let best = 0;
        let bestCount = 0;
        for (let k = 0; k < origins.length; k++) {
          if (amounts[k] > bestCount) {
            best = origins[k];
            bestCount = amounts[k];
          }
        }
        if (bestCount * 2 > nonWs && counts(best)) lines.push({ line, origin: best });
      }
    }
    if (nl === -1) break;
    from = nl + 1;
    line++;
  }
  return { nonBlankLines, attributedLines: lines.length, lines };
}

/** Non-whitespace characters of `text` in `[from, to)`. */
function nonWhitespace(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    // Every whitespace code is at most 32 but 0xa0 and 0xfeff: most characters take the first test.
    if (code > 32 ? code !== 0xa0 && code !== 0xfeff : !isWhitespace(code)) n++;
  }
  return n;
}

/** Offsets at which each line starts (line 0 starts at 0). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
