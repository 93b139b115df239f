import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Trailer, appendTrailerLines, isOwnedTrailer, removeTrailerLines, formatTrailer } from '../core/trailers/trailers';
import { NO_COMMENT } from '../core/trailers/commentChar';
import { gitText } from './git';

/**
 * Reading and writing commit-message trailers with git's own parser. git decides what is a
 * trailer (`git interpret-trailers --parse --no-divider`, as `git commit --trailer` does); our
 * text operations only remove or append whole lines, and every result is parsed again: unless
 * git then sees exactly the user's trailers (unchanged, in order) followed by ours, the message
 * is left as it was and an error is returned. `git interpret-trailers` itself is not used to
 * write, because it re-formats the user's existing trailers (e.g. collapses spaces after `:`).
 */

/**
 * The trailers of `message` as git parses them (continuation lines unfolded). `commentChar`, when
 * given, is the message's comment character (see `core/trailers/commentChar.ts`; with
 * `core.commentChar=auto` git's own parser would assume `#`).
 */
export async function parseTrailers(message: string, cwd: string, commentChar?: string): Promise<Trailer[]> {
  return trailersOfOutput((await gitText([...commentConfig(commentChar), ...PARSE], { cwd, input: message })).split('\n'));
}

const PARSE = ['interpret-trailers', '--parse', '--no-divider'];

function commentConfig(commentChar: string | undefined): string[] {
  return commentChar && commentChar !== NO_COMMENT && /^[!-~]$/.test(commentChar) ? ['-c', `core.commentChar=${commentChar}`] : [];
}

/** The trailers of `git interpret-trailers --parse` output lines (`key: value`, unfolded). */
function trailersOfOutput(lines: readonly string[]): Trailer[] {
  const trailers: Trailer[] = [];
  for (const line of lines) {
    if (!line) continue;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    trailers.push({ key: line.slice(0, i), value: line.slice(i + 1).trim() });
  }
  return trailers;
}

/**
 * {@link parseTrailers} of several messages with one git process: `git interpret-trailers` takes
 * several files and parses each one on its own, as it parses its input, printing their trailers
 * one file after the other. Between two messages it is given a file whose only trailer is a
 * separator line made for this call (a random key), which splits the output. Undefined when the
 * output does not hold exactly one separator line between two messages (e.g. a configuration of
 * `trailer.separators` without `:`): the caller then parses the messages one by one.
 */
export async function parseTrailersOfEach(messages: readonly string[], cwd: string, commentChar?: string): Promise<Trailer[][] | undefined> {
  const separator = `Ai-Provenance-Parse-Separator-${randomUUID()}: 1`;
  let dir: string | undefined;
  // Any failure (no temporary folder to write to, a file not written, git failing) leaves the
  // messages to the one-by-one path, on stdin, which reports git's own errors.
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-provenance-trailers-'));
    const files: string[] = [];
    const separatorFile = path.join(dir, 'separator');
    fs.writeFileSync(separatorFile, `Separator\n\n${separator}\n`);
    for (const [i, m] of messages.entries()) {
      const file = path.join(dir, `message-${i}`);
      fs.writeFileSync(file, m);
      if (i > 0) files.push(separatorFile);
      files.push(file);
    }
    const out = await gitText([...commentConfig(commentChar), ...PARSE, '--', ...files], { cwd });
    const groups: string[][] = [[]];
    for (const line of out.split('\n')) {
      if (line === separator) groups.push([]);
      else groups[groups.length - 1].push(line);
    }
    return groups.length === messages.length ? groups.map(trailersOfOutput) : undefined;
  } catch {
    return undefined;
  } finally {
    try {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // A temporary folder left behind is harmless.
    }
  }
}

export interface ApplyTrailersOptions {
  /** Folder to run git in (its config applies, as for `git commit`). */
  readonly cwd: string;
  /** `Assisted-by` values AI Provenance wrote earlier into this message (replaced, not kept). */
  readonly ourAssistedBy?: Iterable<string>;
  /** Comment character of the message (git's core.commentChar; default `#`). */
  readonly commentChar?: string;
}

export interface ApplyTrailersResult {
  readonly message: string;
  readonly changed: boolean;
  /**
   * Our trailers actually written (those already present are not written again). Pass the
   * `Assisted-by` values among them as `ourAssistedBy` next time, so that a value a person wrote
   * is never taken for ours.
   */
  readonly added: readonly Trailer[];
  /** Set when the message could not be updated safely; `message` is then the input. */
  readonly error?: string;
}

const same = (a: Trailer, b: Trailer): boolean => a.key.toLowerCase() === b.key.toLowerCase() && a.value === b.value;

/**
 * Puts `ours` into `message`: our earlier trailers (see `isOwnedTrailer`) are removed, then
 * `ours` are appended to the trailer block (or as a new block). An `Assisted-by` value already
 * present (written by someone else) is not added again. Idempotent: applying the same trailers
 * twice gives the same message. Never throws for a message problem; rejects only on git errors.
 */
export async function applyTrailers(message: string, ours: readonly Trailer[], options: ApplyTrailersOptions): Promise<ApplyTrailersResult> {
  const cwd = options.cwd;
  const commentChar = options.commentChar ?? '#';
  const mine = new Set(options.ourAssistedBy ?? []);
  const parse = (m: string): Promise<Trailer[]> => parseTrailers(m, cwd, commentChar);
  const guess = distinct(ours);
  let before: Trailer[] | undefined;
  if (guess.length) {
    // A message without our trailers (a new commit's): the steps below would remove nothing and
    // append exactly `guess`. The message and the two ways of appending are parsed with one git
    // process, then the steps are checked to be those, and their result is the same.
    const candidates = [appendTrailerLines(message, guess, true, commentChar), appendTrailerLines(message, guess, false, commentChar)];
    const parsed = await parseTrailersOfEach([message, ...candidates], cwd, commentChar);
    if (parsed) {
      before = parsed[0];
      const known = before;
      if (!known.some((t) => isOwnedTrailer(t, mine)) && !guess.some((g) => known.some((k) => same(k, g)))) {
        const expected = [...known, ...guess];
        for (const k of known.length ? [0, 1] : [1]) {
          if (sameList(parsed[1 + k], expected)) return { message: candidates[k], changed: candidates[k] !== message, added: guess };
        }
        return notReadBack(message, guess);
      }
    }
  }
  before ??= await parse(message);
  const removable = before.filter((t) => isOwnedTrailer(t, mine));
  const removal = removable.length
    ? removeTrailerLines(message, (t) => removable.some((r) => same(r, t)), commentChar)
    : { message, removed: [] as Trailer[] };
  const afterRemove = removal.removed.length ? await parse(removal.message) : before;
  const expectedKept = withoutOnce(before, removal.removed);
  if (!sameList(afterRemove, expectedKept)) {
    return { message, changed: false, added: [], error: 'could not remove the earlier AI Provenance trailers without touching other lines' };
  }
  const add = guess.filter((t) => !afterRemove.some((k) => same(k, t)));
  const expected = [...afterRemove, ...add];
  for (const intoLast of afterRemove.length ? [true, false] : [false]) {
    const candidate = appendTrailerLines(removal.message, add, intoLast, commentChar);
    const parsed = add.length ? await parse(candidate) : afterRemove;
    if (sameList(parsed, expected)) return { message: candidate, changed: candidate !== message, added: add };
  }
  return notReadBack(message, add);
}

function notReadBack(message: string, add: readonly Trailer[]): ApplyTrailersResult {
  return {
    message,
    changed: false,
    added: [],
    error: `git does not read the trailers back as written (${add.map(formatTrailer).join('; ')}); message left unchanged`,
  };
}

/** `list` without a trailer equal to an earlier one (as `applyTrailers` adds them). */
function distinct(list: readonly Trailer[]): Trailer[] {
  const out: Trailer[] = [];
  for (const t of list) if (!out.some((k) => same(k, t))) out.push(t);
  return out;
}

function withoutOnce(list: readonly Trailer[], drop: readonly Trailer[]): Trailer[] {
  const rest = [...drop];
  return list.filter((t) => {
    const i = rest.findIndex((d) => same(d, t));
    if (i === -1) return true;
    rest.splice(i, 1);
    return false;
  });
}

function sameList(a: readonly Trailer[], b: readonly Trailer[]): boolean {
  return a.length === b.length && a.every((t, i) => same(t, b[i]));
}
