import * as fs from 'fs';
import { looksBinary, maxTrackedBytes } from './tracking';

/** A file's text as persistence reads it, or why it is not read. */
export interface DiskText {
  /** The text (UTF-8, without a byte order mark). */
  readonly text?: string;
  /** Why the file is not tracked (not a regular file, too large, binary, not UTF-8, unreadable). */
  readonly skipped?: string;
  /** The file does not exist. */
  readonly absent?: boolean;
}

/** A file's text for persistence: undefined when absent, unreadable, binary or too large. */
export function readFileText(file: string, maxFileSizeMB: number | undefined): string | undefined {
  return readFileChecked(file, maxFileSizeMB).text;
}

/** A file's text for persistence, or why there is none. */
export function readFileChecked(file: string, maxFileSizeMB: number | undefined): DiskText {
  let buf: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { skipped: 'not a regular file' };
    if (st.size > maxTrackedBytes(maxFileSizeMB)) return { skipped: 'larger than aiProvenance.maxFileSizeMB' };
    buf = fs.readFileSync(file);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { absent: true } : { skipped: `unreadable (${(e as Error).message})` };
  }
  if (looksBinary(buf)) return { skipped: 'a binary file' };
  let text = buf.toString('utf8');
  if (text.includes('\ufffd')) return { skipped: 'not valid UTF-8' };
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}
