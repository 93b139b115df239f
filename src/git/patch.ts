import { LineSpan } from '../core/contribution/lineSpan';

/** What a patch says of one file: whether git calls it binary, and the lines it shows as added. */
export interface FileDiff {
  readonly binary: boolean;
  readonly added: readonly LineSpan[];
}

/**
 * Each file's diff in a `git diff -p` output, read from its headers and hunks: which lines count
 * as added is git's own diff, so a manifest counts the lines `git diff --numstat` counts.
 *
 * Files are keyed by their blob pair, `<old id>..<new id>` as the patch's `index` line gives it
 * (run git with `--full-index`; the old id is all zeros for an added file). The diff of a file is
 * a function of its two blobs, so the key needs no path, which git may quote or prefix in ways
 * that depend on the user's configuration. A file without an `index` line (a rename or a mode
 * change without a content change) is absent; one without hunks (binary, emptied) has no added
 * lines.
 *
 * Works on the bytes (the output is not decoded): inside a hunk only the first byte of a line is
 * looked at. Context lines (` `, or empty where `diff.suppressBlankEmpty` is set) advance the line
 * number, so any `-U` works.
 */
export function parsePatch(patch: Buffer): Map<string, FileDiff> {
  const out = new Map<string, FileDiff>();
  let file: { binary: boolean; added: LineSpan[] } | undefined;
  let inHunk = false;
  let newLine = 0;
  // The span being extended: its start, and how many lines it has so far.
  let spanStart = -1;
  let spanCount = 0;
  const close = (): void => {
    if (file && spanCount > 0) file.added.push({ start: spanStart, count: spanCount });
    spanCount = 0;
  };
  let pos = 0;
  const n = patch.length;
  while (pos < n) {
    const c = patch[pos];
    if (inHunk && (c === PLUS || c === MINUS || c === SPACE || c === BACKSLASH || c === NL)) {
      if (c === PLUS) {
        if (spanCount > 0 && spanStart + spanCount === newLine) spanCount++;
        else {
          close();
          spanStart = newLine;
          spanCount = 1;
        }
        newLine++;
      } else if (c === SPACE || c === NL) newLine++;
      pos = c === NL ? pos + 1 : lineEnd(patch, pos) + 1;
      continue;
    }
    inHunk = false;
    const end = lineEnd(patch, pos);
    if (startsWith(patch, pos, end, 'diff ') || startsWith(patch, pos, end, '* ')) {
      close();
      file = undefined;
    } else if (startsWith(patch, pos, end, 'index ')) {
      close();
      // "index <old>..<new>[ <mode>]"
      const key = patch.toString('latin1', pos + 6, end).split(' ', 1)[0];
      // The same blob pair at two paths has the same diff: the first one gives it.
      file = out.has(key) ? undefined : { binary: false, added: [] };
      if (file) out.set(key, file);
    } else if (startsWith(patch, pos, end, 'Binary files ')) {
      if (file) file.binary = true;
    } else if (startsWith(patch, pos, end, '@@ ')) {
      close();
      // "@@ -<old>[,<n>] +<new>[,<n>] @@ ..." (a combined diff's `@@@` is not read).
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(patch.toString('latin1', pos, Math.min(end, pos + 80)));
      if (m && file) {
        inHunk = true;
        newLine = Number(m[1]) - 1;
      }
    }
    pos = end + 1;
  }
  close();
  return out;
}

const NL = 0x0a;
const SPACE = 0x20;
const PLUS = 0x2b;
const MINUS = 0x2d;
const BACKSLASH = 0x5c;

/** Offset of the newline ending the line at `pos` (or the length when the last line has none). */
function lineEnd(buf: Buffer, pos: number): number {
  const nl = buf.indexOf(NL, pos);
  return nl === -1 ? buf.length : nl;
}

function startsWith(buf: Buffer, pos: number, end: number, prefix: string): boolean {
  if (end - pos < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[pos + i] !== prefix.charCodeAt(i)) return false;
  return true;
}
