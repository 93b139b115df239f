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
 * The majority rule of one line: the non-whitespace characters of each origin on it are added
 * up (`add`), in the order the origins are met; `majority` is the origin that holds strictly more
 * than half of the line's non-whitespace characters (the first met on a tie), if any. Reused line
 * after line (`reset`), so a walk over many lines allocates nothing per line.
 */
export class LineTally {
  private readonly origins: number[] = [];
  private readonly amounts: number[] = [];

  reset(): void {
    this.origins.length = 0;
    this.amounts.length = 0;
  }

  add(origin: number, n: number): void {
    const at = this.origins.indexOf(origin);
    if (at < 0) {
      this.origins.push(origin);
      this.amounts.push(n);
    } else this.amounts[at] += n;
  }

  /** The origin holding strictly more than half of `nonWs` characters, or undefined. */
  majority(nonWs: number): number | undefined {
    let best = 0;
    let bestCount = 0;
    for (let k = 0; k < this.origins.length; k++) {
      if (this.amounts[k] > bestCount) {
        best = this.origins[k];
        bestCount = this.amounts[k];
      }
    }
    return bestCount * 2 > nonWs ? best : undefined;
  }
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
  const tally = new LineTally();
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
      tally.reset();
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
        tally.add(run.origin, n);
      }
      if (nonWs > 0) {
        nonBlankLines++;
        const best = tally.majority(nonWs);
        if (best !== undefined && counts(best)) lines.push({ line, origin: best });
      }
    }
    if (nl === -1) break;
    from = nl + 1;
    line++;
  }
  return { nonBlankLines, attributedLines: lines.length, lines };
}

/** Non-whitespace characters of `text` in `[from, to)`. */
export function nonWhitespace(text: string, from: number, to: number): number {
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
