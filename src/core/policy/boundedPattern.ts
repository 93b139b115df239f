import * as vm from 'vm';

/**
 * Content patterns of risk rules, bounded in cost. JavaScript regular expressions backtrack, and a
 * pattern like `(a+)+b` takes exponential time on a long line of `a`s. Three bounds, so that a
 * policy can never hang a commit or a CI job:
 *
 * 1. When a policy is read, a pattern with a nested quantifier (a quantified group that itself
 *    holds `*`, `+` or `{n,}`), or with a back-reference, is refused with a clear error: those are
 *    the shapes that backtrack exponentially (see {@link checkPattern}).
 * 2. A line is examined in windows of {@link WINDOW} characters (overlapping by {@link OVERLAP}),
 *    so the remaining polynomial cases stay small.
 * 3. The matching of one rule over one change runs with a time limit ({@link BUDGET_MS}, through
 *    `vm`'s timeout, which interrupts a running regular expression). A rule that runs out of time
 *    counts as firing (the caller says so): a slow pattern can raise a review, never skip one.
 *
 * No `vscode` import.
 */

/** Characters of a line examined at once; longer lines are examined in overlapping windows. */
export const WINDOW = 4000;
/** Overlap of consecutive windows: a match up to this long is found wherever it lies. */
export const OVERLAP = 500;
/** Time one rule's patterns may take over one change. */
export const BUDGET_MS = 250;

/** Compiles a rule pattern; returns an error message instead when it is invalid or unsafe. */
export function compilePattern(source: string, ignoreCase: boolean): RegExp | string {
  if (typeof source !== 'string' || source.length === 0) return 'expected a non-empty regular expression';
  if (source.length > 1000) return 'longer than 1000 characters';
  let re: RegExp;
  try {
    re = new RegExp(source, ignoreCase ? 'i' : '');
  } catch (e) {
    return `not a valid regular expression: ${(e as Error).message}`;
  }
  const unsafe = checkPattern(source);
  return unsafe ?? re;
}

/**
 * Why `source` may backtrack catastrophically, or undefined: a back-reference (`\1`, `\k<n>`), or
 * a group holding an unbounded quantifier (`*`, `+`, `{n,}`) that is itself repeated (`*`, `+`,
 * `{n,m}` with m > 1). Assumes `source` is a valid regular expression.
 */
export function checkPattern(source: string): string | undefined {
  // Per open group: does it hold an unbounded quantifier (directly or in a nested group)?
  const stack: boolean[] = [];
  let lastGroupUnbounded: boolean | undefined;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    let atomGroupUnbounded: boolean | undefined;
    if (c === '\\') {
      const n = source[i + 1];
      if (/[1-9]/.test(n) || (n === 'k' && source[i + 2] === '<')) return `back-reference \\${n}${n === 'k' ? '<…>' : ''} (can backtrack without bound); rewrite the pattern without it`;
      i++;
    } else if (c === '[') {
      // Skip a character class (escapes inside included).
      i++;
      if (source[i] === '^') i++;
      if (source[i] === ']') i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
    } else if (c === '(') {
      stack.push(false);
      if (source[i + 1] === '?') {
        // (?: (?= (?! (?<= (?<! (?<name>
        i++;
        if (source[i + 1] === '<' && source[i + 2] !== '=' && source[i + 2] !== '!') {
          const close = source.indexOf('>', i);
          i = close > 0 ? close : i;
        } else i++;
      }
      continue;
    } else if (c === ')') {
      atomGroupUnbounded = stack.pop() ?? false;
    }
    // Quantifier after this atom?
    const q = quantifierAt(source, i + 1);
    if (q) {
      if (atomGroupUnbounded && q.repeats) return `nested quantifier at ${JSON.stringify(source.slice(0, q.end))}: a repeated group that itself holds * + or {n,} can take exponential time on a long line; rewrite it without the nesting`;
      if (q.unbounded && stack.length) stack[stack.length - 1] = true;
      i = q.end - 1;
      if (source[i + 1] === '?') i++; // lazy
    }
    if (atomGroupUnbounded && stack.length) stack[stack.length - 1] = true;
    lastGroupUnbounded = atomGroupUnbounded;
  }
  void lastGroupUnbounded;
  return undefined;
}

/** The quantifier starting at `at`, if any: whether it is unbounded and whether it repeats at all beyond once. */
function quantifierAt(source: string, at: number): { end: number; unbounded: boolean; repeats: boolean } | undefined {
  const c = source[at];
  if (c === '*' || c === '+') return { end: at + 1, unbounded: true, repeats: true };
  if (c === '?') return { end: at + 1, unbounded: false, repeats: false };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    return { end: at + m[0].length, unbounded: max === Infinity, repeats: max > 1 };
  }
  return undefined;
}

/** Result of {@link matchLines}: indices of the lines some pattern matches, or a timeout. */
export type MatchResult = { readonly matched: readonly number[] } | { readonly timedOut: true };

let context: vm.Context | undefined;
let script: vm.Script | undefined;

/**
 * Indices of `lines` that one of `patterns` matches, within {@link BUDGET_MS} (or `budgetMs`).
 * Long lines are examined in windows (see the module comment).
 */
export function matchLines(patterns: readonly RegExp[], lines: readonly string[], budgetMs = BUDGET_MS): MatchResult {
  if (!patterns.length || !lines.length) return { matched: [] };
  context ??= vm.createContext(Object.create(null));
  script ??= new vm.Script(
    `(function (res, lines, window, overlap) {
      var out = [];
      for (var i = 0; i < lines.length; i++) {
        var line = lines[i];
        var hit = false;
        for (var start = 0; !hit && (start === 0 || start < line.length); start += window - overlap) {
          var part = line.length <= window ? line : line.slice(start, start + window);
          for (var k = 0; k < res.length && !hit; k++) { res[k].lastIndex = 0; hit = res[k].test(part); }
          if (line.length <= window || start + window >= line.length) break;
        }
        if (hit) out.push(i);
      }
      return out.join(',');
    })(__res, __lines, ${WINDOW}, ${OVERLAP})`,
  );
  context.__res = patterns;
  context.__lines = lines;
  try {
    const out = script.runInContext(context, { timeout: Math.max(1, budgetMs) }) as string;
    return { matched: out ? out.split(',').map(Number) : [] };
  } catch (e) {
    if (/timed out/i.test((e as Error).message)) return { timedOut: true };
    throw e;
  } finally {
    context.__res = undefined;
    context.__lines = undefined;
  }
}
