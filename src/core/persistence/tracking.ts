/**
 * Which documents are tracked. Pure, so capture, persistence and the CLI share one answer.
 */

/** Schemes of documents that are the user's files. */
export const TRACKED_SCHEMES: readonly string[] = ['file', 'untitled', 'vscode-remote', 'vscode-vfs', 'vscode-notebook-cell'];

/** Bytes examined for a NUL byte to tell binary files (the same rule git uses). */
export const BINARY_SNIFF_BYTES = 8000;

export const DEFAULT_MAX_FILE_SIZE_MB = 10;

export interface DocumentFacts {
  /** URI scheme (`file`, `untitled`, ...). */
  readonly scheme: string;
  /** Size in bytes (on disk, or UTF-8 length of the text); for open documents characters are fine. */
  readonly size: number;
  /** The beginning of the content (text or bytes); only the first 8 000 units are looked at. */
  readonly head?: string | Uint8Array;
  /** `aiProvenance.maxFileSizeMB`. */
  readonly maxFileSizeMB?: number;
}

export interface TrackDecision {
  readonly track: boolean;
  /** Why not, in words for the log and the status bar. */
  readonly reason?: string;
}

/** True when the first 8 000 bytes (or characters) hold a NUL. */
export function looksBinary(head: string | Uint8Array): boolean {
  if (typeof head === 'string') return head.slice(0, BINARY_SNIFF_BYTES).includes('\u0000');
  const end = Math.min(head.length, BINARY_SNIFF_BYTES);
  for (let i = 0; i < end; i++) if (head[i] === 0) return true;
  return false;
}

/** Largest tracked size in bytes for a setting value (invalid or tiny values fall back sensibly). */
export function maxTrackedBytes(maxFileSizeMB: number | undefined): number {
  const mb = typeof maxFileSizeMB === 'number' && Number.isFinite(maxFileSizeMB) && maxFileSizeMB > 0 ? Math.max(0.1, maxFileSizeMB) : DEFAULT_MAX_FILE_SIZE_MB;
  return Math.round(mb * 1024 * 1024);
}

export function shouldTrack(facts: DocumentFacts): TrackDecision {
  if (!TRACKED_SCHEMES.includes(facts.scheme)) return { track: false, reason: `not a file (${facts.scheme})` };
  const limit = maxTrackedBytes(facts.maxFileSizeMB);
  if (facts.size > limit) {
    return { track: false, reason: `larger than aiProvenance.maxFileSizeMB (${(facts.size / 1048576).toFixed(1)} MB > ${(limit / 1048576).toFixed(1)} MB)` };
  }
  if (facts.head !== undefined && looksBinary(facts.head)) return { track: false, reason: 'a binary file (NUL byte in its first 8 KB)' };
  return { track: true };
}
