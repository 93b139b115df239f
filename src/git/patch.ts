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
  const reader = new PatchReader();
  reader.push(patch);
  return reader.end();
}

/**
 * {@link parsePatch} for a patch that arrives in pieces (read while git is still writing it):
 * `onFile` is called with each file's diff as soon as its part of the patch is complete.
 */
export class PatchReader {
  private readonly out = new Map<string, FileDiff>();
  private file: { binary: boolean; added: LineSpan[] } | undefined;
  private key = '';
  private inHunk = false;
  private newLine = 0;
  // The span being extended: its start, and how many lines it has so far.
  private spanStart = -1;
  private spanCount = 0;
  /** The start of a line not yet ended by a newline, from the last piece. */
  private rest: Buffer | undefined;

  constructor(private readonly onFile?: (pair: string, diff: FileDiff) => void) {}

  /** Reads the complete lines of `chunk` (with what was left of the previous one). */
  push(chunk: Buffer): void {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const last = buf.lastIndexOf(NL);
    if (last === -1) {
      this.rest = buf;
      return;
    }
    this.lines(buf, last + 1);
    this.rest = last + 1 < buf.length ? buf.subarray(last + 1) : undefined;
  }

  /** Reads what is left (a last line without a newline) and returns every file's diff. */
  end(): Map<string, FileDiff> {
    if (this.rest) this.lines(this.rest, this.rest.length);
    this.rest = undefined;
    this.finishFile();
    return this.out;
  }

  /** Reads the lines of `buf` before `limit` (the end of a line). */
  private lines(buf: Buffer, limit: number): void {
    let pos = 0;
    while (pos < limit) {
      const c = buf[pos];
      if (this.inHunk && (c === PLUS || c === MINUS || c === SPACE || c === BACKSLASH || c === NL)) {
        if (c === PLUS) {
          if (this.spanCount > 0 && this.spanStart + this.spanCount === this.newLine) this.spanCount++;
          else {
            this.closeSpan();
            this.spanStart = this.newLine;
            this.spanCount = 1;
          }
          this.newLine++;
        } else if (c === SPACE || c === NL) this.newLine++;
        pos = c === NL ? pos + 1 : lineEnd(buf, pos, limit) + 1;
        continue;
      }
      this.inHunk = false;
      const end = lineEnd(buf, pos, limit);
      if (startsWith(buf, pos, end, 'diff ') || startsWith(buf, pos, end, '* ')) {
        this.finishFile();
      } else if (startsWith(buf, pos, end, 'index ')) {
        this.finishFile();
        // "index <old>..<new>[ <mode>]"
        const key = buf.toString('latin1', pos + 6, end).split(' ', 1)[0];
        // The same blob pair at two paths has the same diff: the first one gives it.
        if (!this.out.has(key)) {
          this.file = { binary: false, added: [] };
          this.key = key;
          this.out.set(key, this.file);
        }
      } else if (startsWith(buf, pos, end, 'Binary files ')) {
        if (this.file) this.file.binary = true;
      } else if (startsWith(buf, pos, end, '@@ ')) {
        this.closeSpan();
        // "@@ -<old>[,<n>] +<new>[,<n>] @@ ..." (a combined diff's `@@@` is not read).
        const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(buf.toString('latin1', pos, Math.min(end, pos + 80)));
        if (m && this.file) {
          this.inHunk = true;
          this.newLine = Number(m[1]) - 1;
        }
      }
      pos = end + 1;
    }
  }

  private closeSpan(): void {
    if (this.file && this.spanCount > 0) this.file.added.push({ start: this.spanStart, count: this.spanCount });
    this.spanCount = 0;
  }

  /** The current file's part of the patch is complete. */
  private finishFile(): void {
    this.closeSpan();
    this.inHunk = false;
    if (this.file) this.onFile?.(this.key, this.file);
    this.file = undefined;
  }
}

const NL = 0x0a;
const SPACE = 0x20;
const PLUS = 0x2b;
const MINUS = 0x2d;
const BACKSLASH = 0x5c;

/** Offset of the newline ending the line at `pos` (or `limit` when the line has none before it). */
function lineEnd(buf: Buffer, pos: number, limit: number): number {
  const nl = buf.indexOf(NL, pos);
  return nl === -1 || nl > limit ? limit : nl;
}

function startsWith(buf: Buffer, pos: number, end: number, prefix: string): boolean {
  if (end - pos < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[pos + i] !== prefix.charCodeAt(i)) return false;
  return true;
}
