import { isObject, show } from '../json/jsonValue';
import { compileGlobs } from './pathGlob';
import { compilePattern, matchLines } from './boundedPattern';

/**
 * Risk rules: the policy's `risk.rules[]`, which raise the review a change needs when its AI lines
 * touch what has hurt before. Pure: the caller supplies the change (its files and AI line ranges,
 * as a manifest lists them, and the committed text of the files with AI lines). No `vscode`.
 *
 * A rule fires when the set S of its AI lines is not empty and its change conditions hold:
 * - S: the change's non-trivial AI lines (all AI lines with `includeTrivial`), only in files
 *   matching `paths` when given, only lines matching one of `patterns` when given;
 * - `dependencies`: the change also changes a dependency manifest or lockfile
 *   ({@link DEFAULT_DEPENDENCY_FILES}, or the globs given);
 * - `untested`: the change changes no test file ({@link DEFAULT_TEST_FILES}, or the globs given).
 * Its level, reason and links come with it; the evidence is the lines of S per file (and the
 * dependency files changed). The same input always gives the same result, in the policy's order.
 */

export interface RiskRule {
  /** Trailer-safe name (`AI-Risk: <id>, ...`). */
  readonly id: string;
  readonly level: string;
  /** Why the rule exists (e.g. the incident it comes from). */
  readonly reason: string;
  readonly links: readonly string[];
  readonly paths?: readonly string[];
  readonly patterns?: readonly string[];
  readonly ignoreCase?: boolean;
  readonly dependencies?: true | readonly string[];
  readonly untested?: true | readonly string[];
  readonly includeTrivial?: boolean;
}

export interface RiskPolicy {
  readonly rules: readonly RiskRule[];
}

/** Dependency manifests and lockfiles of the common ecosystems (file names, at any depth). */
export const DEFAULT_DEPENDENCY_FILES: readonly string[] = [
  'package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb',
  'requirements*.txt', 'Pipfile', 'Pipfile.lock', 'poetry.lock', 'pyproject.toml', 'uv.lock', 'setup.py', 'setup.cfg',
  'go.mod', 'go.sum', 'Cargo.toml', 'Cargo.lock', 'Gemfile', 'Gemfile.lock', 'pom.xml', 'build.gradle', 'build.gradle.kts',
  'gradle.lockfile', 'composer.json', 'composer.lock', '*.csproj', 'packages.lock.json', 'Directory.Packages.props', 'mix.exs', 'mix.lock',
];

/** Test files: test folders and the usual test file names. */
export const DEFAULT_TEST_FILES: readonly string[] = [
  '**/test/**', '**/tests/**', '**/__tests__/**', '**/spec/**', '*.test.*', '*.spec.*', '*_test.*', 'test_*.py', '*Test.java', '*Tests.cs',
];

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const RULE_KEYS = ['id', 'level', 'reason', 'links', 'paths', 'patterns', 'ignoreCase', 'dependencies', 'untested', 'includeTrivial'];

/**
 * Validates the `risk` section; `levels` are the review levels a rule may name (undefined: any
 * level name, for a resolved policy whose layers were checked when read). Reports every
 * problem through `err` (paths like `risk.rules[2].patterns[0]`) and returns the rules when valid.
 */
export function parseRiskSection(value: unknown, levels: readonly string[] | undefined, err: (path: string, message: string) => void): RiskPolicy | undefined {
  if (!isObject(value)) {
    err('risk', 'expected an object {"rules": [...]}');
    return undefined;
  }
  let bad = false;
  const e = (p: string, m: string): void => {
    bad = true;
    err(p, m);
  };
  for (const k of Object.keys(value)) if (k !== 'rules') e(`risk.${k}`, 'unknown field (expected rules)');
  if (!Array.isArray(value.rules)) {
    e('risk.rules', 'expected an array of rules');
    return undefined;
  }
  const rules: RiskRule[] = [];
  const ids = new Set<string>();
  value.rules.forEach((r, i) => {
    const at = `risk.rules[${i}]`;
    if (!isObject(r)) return e(at, 'expected an object {id, level, reason, ...}');
    for (const k of Object.keys(r)) if (!RULE_KEYS.includes(k)) e(`${at}.${k}`, `unknown field (expected one of ${RULE_KEYS.join(', ')})`);
    if (typeof r.id !== 'string' || !ID_RE.test(r.id)) e(`${at}.id`, `expected a name (letters, digits, . _ -), got ${show(r.id)}`);
    else if (ids.has(r.id)) e(`${at}.id`, `duplicate rule id ${show(r.id)}`);
    else ids.add(r.id);
    if (typeof r.level !== 'string' || (levels ? !levels.includes(r.level) : !ID_RE.test(r.level))) {
      e(`${at}.level`, `expected one of the review levels (${levels?.join(', ') || 'none: set review.required or review.levels'}), got ${show(r.level)}`);
    }
    if (typeof r.reason !== 'string' || !r.reason.trim()) e(`${at}.reason`, 'expected a short text saying why the rule exists');
    const links = stringList(r.links, `${at}.links`, e, false);
    const paths = r.paths === undefined ? undefined : stringList(r.paths, `${at}.paths`, e, true);
    if (paths) globsOk(paths, `${at}.paths`, e);
    const patterns = r.patterns === undefined ? undefined : stringList(r.patterns, `${at}.patterns`, e, true);
    if (r.ignoreCase !== undefined && typeof r.ignoreCase !== 'boolean') e(`${at}.ignoreCase`, `expected true or false, got ${show(r.ignoreCase)}`);
    if (patterns) patterns.forEach((p, j) => {
      const c = compilePattern(p, r.ignoreCase === true);
      if (typeof c === 'string') e(`${at}.patterns[${j}]`, `${show(p)}: ${c}`);
    });
    const dependencies = globsOrTrue(r.dependencies, `${at}.dependencies`, e);
    const untested = globsOrTrue(r.untested, `${at}.untested`, e);
    if (r.includeTrivial !== undefined && typeof r.includeTrivial !== 'boolean') e(`${at}.includeTrivial`, `expected true or false, got ${show(r.includeTrivial)}`);
    if (r.paths === undefined && r.patterns === undefined && r.dependencies === undefined && r.untested === undefined) {
      e(at, 'a rule needs at least one of paths, patterns, dependencies, untested');
    }
    if (bad) return;
    rules.push({
      id: r.id as string,
      level: r.level as string,
      reason: r.reason as string,
      links: links ?? [],
      ...(paths ? { paths } : {}),
      ...(patterns ? { patterns } : {}),
      ...(r.ignoreCase !== undefined ? { ignoreCase: r.ignoreCase as boolean } : {}),
      ...(dependencies !== undefined ? { dependencies } : {}),
      ...(untested !== undefined ? { untested } : {}),
      ...(r.includeTrivial !== undefined ? { includeTrivial: r.includeTrivial as boolean } : {}),
    });
  });
  return bad ? undefined : { rules };
}

function stringList(v: unknown, at: string, e: (p: string, m: string) => void, nonEmpty: boolean): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || !s)) {
    e(at, 'expected an array of non-empty strings');
    return undefined;
  }
  if (nonEmpty && v.length === 0) {
    e(at, 'expected at least one entry');
    return undefined;
  }
  return v as string[];
}

function globsOk(globs: readonly string[], at: string, e: (p: string, m: string) => void): void {
  try {
    compileGlobs(globs);
  } catch (x) {
    e(at, (x as Error).message);
  }
}

function globsOrTrue(v: unknown, at: string, e: (p: string, m: string) => void): true | string[] | undefined {
  if (v === undefined) return undefined;
  if (v === true) return true;
  const list = stringList(v, at, e, true);
  if (list) globsOk(list, at, e);
  else e(at, 'expected true (the usual files) or an array of path globs');
  return list;
}

/** One line range of a file, 1-based inclusive. */
export type LineRange = readonly [number, number];

/** A rule that fired, and where. */
export interface RiskHit {
  readonly id: string;
  readonly level: string;
  readonly reason: string;
  readonly links: readonly string[];
  /** The rule's AI lines per file (files sorted by path). */
  readonly files: readonly { readonly path: string; readonly lines: readonly LineRange[] }[];
  /** For `dependencies` rules: the dependency manifests and lockfiles the change changes. */
  readonly dependencyFiles?: readonly string[];
  /** For `untested` rules: the change changes no test file. */
  readonly untested?: true;
  /** Set when the patterns ran out of time: the rule counts as firing on all of its candidate lines. */
  readonly note?: string;
}

/** The change a rule looks at: what a manifest lists, plus the texts its AI lines are read from. */
export interface RiskChange {
  /** Every file the change touches (deleted ones too), with the AI ranges of its committed text. */
  readonly files: readonly {
    readonly path: string;
    readonly ranges: readonly { readonly startLine: number; readonly endLine: number; readonly trivial: boolean }[];
  }[];
  /** Further paths the change touches (e.g. files a manifest does not list). */
  readonly otherPaths?: readonly string[];
  /** Committed text of files with AI ranges (needed only by `patterns` rules). */
  readonly texts: ReadonlyMap<string, string>;
}

/** The rules that fire on `change`, in the policy's order. */
export function evaluateRiskRules(risk: RiskPolicy | undefined, change: RiskChange): RiskHit[] {
  if (!risk || !risk.rules.length) return [];
  const paths = [...new Set([...change.files.map((f) => f.path), ...(change.otherPaths ?? [])])].sort();
  const out: RiskHit[] = [];
  const lineCache = new Map<string, string[]>();
  const linesOf = (path: string): string[] | undefined => {
    const text = change.texts.get(path);
    if (text === undefined) return undefined;
    let l = lineCache.get(path);
    if (!l) lineCache.set(path, (l = text.split('\n')));
    return l;
  };
  for (const rule of risk.rules) {
    const inScope = rule.paths ? compileGlobs(rule.paths) : () => true;
    let dependencyFiles: string[] | undefined;
    if (rule.dependencies !== undefined) {
      const isDep = compileGlobs(rule.dependencies === true ? DEFAULT_DEPENDENCY_FILES : rule.dependencies);
      dependencyFiles = paths.filter(isDep);
      if (!dependencyFiles.length) continue;
    }
    if (rule.untested !== undefined) {
      const isTest = compileGlobs(rule.untested === true ? DEFAULT_TEST_FILES : rule.untested);
      if (paths.some(isTest)) continue;
    }
    // Candidate AI lines per file.
    const candidates: { path: string; lines: number[] }[] = [];
    for (const f of [...change.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      if (!inScope(f.path)) continue;
      const lines: number[] = [];
      for (const r of f.ranges) if (rule.includeTrivial || !r.trivial) for (let l = r.startLine; l <= r.endLine; l++) lines.push(l);
      if (lines.length) candidates.push({ path: f.path, lines });
    }
    let note: string | undefined;
    let hits = candidates;
    if (rule.patterns && candidates.length) {
      const res = rule.patterns.map((p) => compilePattern(p, rule.ignoreCase === true)).filter((r): r is RegExp => typeof r !== 'string');
      const flat: string[] = [];
      const where: { file: number; line: number }[] = [];
      const unread: { path: string; lines: number[] }[] = [];
      candidates.forEach((c, fi) => {
        const text = linesOf(c.path);
        if (!text) return void unread.push(c);
        for (const l of c.lines) {
          flat.push(text[l - 1] ?? '');
          where.push({ file: fi, line: l });
        }
      });
      const m = matchLines(res, flat);
      if ('timedOut' in m) note = 'its patterns did not finish in time; the rule counts as firing on every candidate line';
      else {
        const byFile = new Map<number, number[]>();
        for (const i of m.matched) {
          const w = where[i];
          const list = byFile.get(w.file) ?? [];
          list.push(w.line);
          byFile.set(w.file, list);
        }
        hits = [...byFile].sort((a, b) => a[0] - b[0]).map(([fi, lines]) => ({ path: candidates[fi].path, lines }));
      }
      if (unread.length) {
        // Without its text a file's lines cannot be read: count them, and say so.
        hits = [...hits, ...unread].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        note ??= `text not available for ${unread.map((u) => u.path).join(', ')}; its AI lines count as matching`;
      }
    }
    if (!hits.length) continue;
    out.push({
      id: rule.id,
      level: rule.level,
      reason: rule.reason,
      links: [...rule.links],
      files: hits.map((h) => ({ path: h.path, lines: toRanges(h.lines) })),
      ...(dependencyFiles ? { dependencyFiles } : {}),
      ...(rule.untested !== undefined ? { untested: true as const } : {}),
      ...(note ? { note } : {}),
    });
  }
  return out;
}

/** Sorted line numbers as ranges of consecutive lines. */
export function toRanges(lines: readonly number[]): LineRange[] {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const l of sorted) {
    const last = out[out.length - 1];
    if (last && l === last[1] + 1) last[1] = l;
    else out.push([l, l]);
  }
  return out;
}

/** `src/a.ts:3-5, 9; infra/x.sh:1` */
export function formatHitLines(hit: RiskHit): string {
  return hit.files.map((f) => `${f.path}:${f.lines.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ')}`).join('; ');
}

/** Checks the `risk` list of a manifest (rules that fired, as {@link RiskHit}s); problems go to `err`. */
export function checkRiskHits(v: unknown, at: string, err: (path: string, message: string) => void): void {
  if (!Array.isArray(v)) return err(at, 'expected an array of the risk rules that fired');
  v.forEach((h, i) => {
    const p = `${at}[${i}]`;
    if (!isObject(h)) return err(p, 'expected {id, level, reason, links, files}');
    if (typeof h.id !== 'string' || !ID_RE.test(h.id)) err(`${p}.id`, `expected a rule id, got ${show(h.id)}`);
    if (typeof h.level !== 'string' || !h.level) err(`${p}.level`, 'expected a level name');
    if (typeof h.reason !== 'string') err(`${p}.reason`, 'expected a string');
    if (!Array.isArray(h.links) || h.links.some((l) => typeof l !== 'string')) err(`${p}.links`, 'expected an array of strings');
    if (!Array.isArray(h.files)) return err(`${p}.files`, 'expected an array of {path, lines}');
    h.files.forEach((f, j) => {
      const ok =
        isObject(f) &&
        typeof f.path === 'string' &&
        Array.isArray(f.lines) &&
        f.lines.every((r) => Array.isArray(r) && r.length === 2 && Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[0] >= 1 && r[1] >= r[0]);
      if (!ok) err(`${p}.files[${j}]`, 'expected {path, lines: [[start, end], ...]}');
    });
    if (h.dependencyFiles !== undefined && (!Array.isArray(h.dependencyFiles) || h.dependencyFiles.some((d) => typeof d !== 'string'))) err(`${p}.dependencyFiles`, 'expected an array of paths');
    if (h.untested !== undefined && h.untested !== true) err(`${p}.untested`, 'expected true');
    if (h.note !== undefined && typeof h.note !== 'string') err(`${p}.note`, 'expected a string');
  });
}
