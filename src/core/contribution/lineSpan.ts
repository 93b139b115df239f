/** Consecutive lines of a text: `count` lines from the 0-based line `start`. */
export interface LineSpan {
  readonly start: number;
  readonly count: number;
}
