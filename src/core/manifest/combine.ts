import { LineSpan } from '../contribution/lineSpan';
import { AiRange } from '../contribution/mapRanges';
import { Manifest, sha256Hex } from './schema';

/**
 * Several manifests of other commits, read as one claim for the commit that adds them all (a
 * squash merge of a pull request adds the manifest of each of its commits). Pure: the caller
 * reads the commit's texts and added lines from git.
 *
 * Each part says which lines of its own commit's text were AI, by line number and SHA-256 of the
 * lines. In the squashed commit the same text may sit at other line numbers (later commits of the
 * pull request, or the target branch, added lines above it), so each AI range is looked for by
 * its hash: at its own lines first, then where the part's previous range was found moved to, then
 * anywhere among the lines the commit adds, nearest first; lines already given to another range
 * are not given twice. A range whose text is not found unchanged is "lost": its lines count as
 * unknown, never as human. A part whose file hash equals the committed file's describes exactly
 * that text, so its ranges must be at their own lines; one that is not is a false claim.
 *
 * Nothing is AI that a part does not prove by its hash, so no human line becomes AI; the cost is
 * bounded ({@link LOCATE_BUDGET} window hashes per file), past it ranges count as lost.
 */

export interface PartManifest {
  /** `file:<path>` of the committed manifest. */
  readonly source: string;
  readonly manifest: Manifest;
}

export interface CommittedText {
  readonly text: string;
  /** SHA-256 of the committed blob (as in a manifest's file entry). */
  readonly sha256: string;
  /** Lines the commit adds to the file (git's diff against its first parent). */
  readonly added: readonly LineSpan[] | 'every-line';
}

export type FalseRange = LocatedLines;

/** Where a part's AI range was found: lines of the committed text (1-based, inclusive). */
export interface LocatedLines {
  readonly source: string;
  readonly path: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface LocatedParts {
  /** AI ranges per path, in offsets of the committed text, not overlapping. */
  readonly ranges: ReadonlyMap<string, AiRange[]>;
  /** The same, as lines, with the part each came from. */
  readonly lines: readonly LocatedLines[];
  /** Per path: AI lines of the parts whose text is not in the commit unchanged. */
  readonly lost: ReadonlyMap<string, number>;
  /** Per part source: its AI lines that are not in the commit unchanged. */
  readonly lostBySource: ReadonlyMap<string, number>;
  /** Ranges of a part that describes the committed file exactly (same hash) but whose text is not at their lines. */
  readonly falseRanges: readonly FalseRange[];
  /** Paths some part lists. */
  readonly listed: ReadonlySet<string>;
}

/** Window hashes tried per file before the remaining ranges count as lost. */
export const LOCATE_BUDGET = 200_000;

export function locateParts(parts: readonly PartManifest[], textOf: (path: string) => CommittedText | undefined, budget = LOCATE_BUDGET): LocatedParts {
  const ranges = new Map<string, AiRange[]>();
  const lost = new Map<string, number>();
  const lostBySource = new Map<string, number>();
  const falseRanges: FalseRange[] = [];
  const listed = new Set<string>();
  const lines: LocatedLines[] = [];
  const files = new Map<string, FileIndex | undefined>();
  const loseLines = (source: string, path: string, n: number): void => {
    lost.set(path, (lost.get(path) ?? 0) + n);
    lostBySource.set(source, (lostBySource.get(source) ?? 0) + n);
  };

  for (const part of parts) {
    for (const f of part.manifest.files) {
      listed.add(f.path);
      if (!f.ranges.length) continue;
      if (!files.has(f.path)) {
        const t = textOf(f.path);
        files.set(f.path, t ? new FileIndex(t, budget) : undefined);
      }
      const index = files.get(f.path);
      if (!index) {
        for (const r of f.ranges) loseLines(part.source, f.path, r.endLine - r.startLine + 1);
        continue;
      }
      const exact = f.sha256 !== undefined && f.sha256 === index.sha256;
      let drift = 0;
      for (const r of [...f.ranges].sort((a, b) => a.startLine - b.startLine)) {
        const n = r.endLine - r.startLine + 1;
        const stated = r.startLine - 1;
        let at: number | undefined;
        if (exact) {
          if (!index.matches(stated, n, r.sha256)) {
            falseRanges.push({ source: part.source, path: f.path, startLine: r.startLine, endLine: r.endLine });
            continue;
          }
          // Lines this commit does not add are not its own; lines given to another part's range
          // (the same text) are not given twice.
          if (index.isAddedAndFree(stated, n)) at = stated;
        } else {
          at = index.find(stated, drift, n, r.sha256);
          if (at === undefined) {
            // Text that is in the commit but not among its added lines is not this commit's: neither AI nor lost.
            if (!index.existsAnywhere(n, r.sha256)) loseLines(part.source, f.path, n);
            continue;
          }
          drift = at - stated;
        }
        if (at === undefined) continue;
        index.claim(at, n);
        lines.push({ source: part.source, path: f.path, startLine: at + 1, endLine: at + n });
        const origin = { kind: r.kind, tool: r.tool, timestamp: 0, ...(r.model !== undefined ? { model: r.model } : {}) };
        const list = ranges.get(f.path) ?? [];
        // A trivial range is short completions line by line: each line its own edit, so that the
        // policy's trivial rule (single-line edits) judges it as it judged the part's.
        if (r.trivial) for (let i = 0; i < n; i++) list.push(index.range(at + i, 1, origin));
        else list.push(index.range(at, n, origin));
        ranges.set(f.path, list);
      }
    }
  }
  for (const list of ranges.values()) list.sort((a, b) => a.start - b.start);
  return { ranges, lines, lost, lostBySource, falseRanges, listed };
}

/** One committed text: where its lines start, which are added, which are given to a range. */
class FileIndex {
  readonly sha256: string;
  private readonly text: string;
  private readonly starts: number[];
  private readonly added: Uint8Array;
  private readonly taken: Uint8Array;
  private hashes = 0;

  constructor(t: CommittedText, private readonly budget: number) {
    this.text = t.text;
    this.sha256 = t.sha256;
    this.starts = [0];
    for (let i = t.text.indexOf('\n'); i !== -1; i = t.text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    const count = this.starts.length;
    this.added = new Uint8Array(count);
    this.taken = new Uint8Array(count);
    if (t.added === 'every-line') this.added.fill(1);
    else for (const s of t.added) for (let i = s.start; i < Math.min(count, s.start + s.count); i++) this.added[i] = 1;
  }

  private get lines(): number {
    return this.starts.length;
  }

  /** End offset of line `i` (0-based), before its `\n`. */
  private end(i: number): number {
    return i + 1 < this.starts.length ? this.starts[i + 1] - 1 : this.text.length;
  }

  /** True when lines `at`..`at+n-1` hash to `sha256` (as a manifest range's `rangeText`). */
  matches(at: number, n: number, sha256: string): boolean {
    if (at < 0 || at + n > this.lines) return false;
    this.hashes++;
    return sha256Hex(this.text.slice(this.starts[at], this.end(at + n - 1))) === sha256;
  }

  isAddedAndFree(at: number, n: number): boolean {
    if (at < 0 || at + n > this.lines) return false;
    for (let i = at; i < at + n; i++) if (!this.added[i] || this.taken[i]) return false;
    return true;
  }

  /** Where the range is among the added lines not yet given: its own lines, moved by `drift`, then nearest first. */
  find(stated: number, drift: number, n: number, sha256: string): number | undefined {
    const tried = new Set<number>();
    const attempt = (at: number): boolean => {
      if (tried.has(at) || !this.isAddedAndFree(at, n)) return false;
      tried.add(at);
      return this.matches(at, n, sha256);
    };
    if (attempt(stated)) return stated;
    if (attempt(stated + drift)) return stated + drift;
    for (let d = 1; d < this.lines; d++) {
      if (this.hashes >= this.budget) return undefined;
      if (attempt(stated + d)) return stated + d;
      if (attempt(stated - d)) return stated - d;
    }
    return undefined;
  }

  /** True when some `n` lines of the text (added or not) hash to `sha256`. */
  existsAnywhere(n: number, sha256: string): boolean {
    for (let at = 0; at + n <= this.lines; at++) {
      if (this.hashes >= this.budget) return false;
      if (this.matches(at, n, sha256)) return true;
    }
    return false;
  }

  claim(at: number, n: number): void {
    for (let i = at; i < at + n; i++) this.taken[i] = 1;
  }

  range(at: number, n: number, origin: AiRange['origin']): AiRange {
    const start = this.starts[at];
    const end = this.end(at + n - 1);
    return { start, end, text: this.text.slice(start, end), origin };
  }
}
