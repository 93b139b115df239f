/**
 * MEASUREMENT HARNESS ONLY: a text document for the `vscode` stand-in (vscodeMock.ts) that stays in
 * step with the edits of a generated session, so the extension's change handler can be driven the
 * way VS Code drives it: the document is updated first, then `onDidChangeTextDocument` fires with
 * content changes in the coordinates of the text before. Updating it is not timed.
 *
 * Kept like the extension host's own copy of a document: an array of lines, their lengths, and
 * line start offsets summed lazily from the first changed line (so an `offsetAt` near the end of
 * the file after an edit near its start costs O(lines), as in VS Code), and `getText()` joining
 * the lines once per version (O(length), as in VS Code). An edit never rebuilds the whole text, which matters: copying a large text before
 * every timed call would evict the caches and churn the heap in a way VS Code does not.
 */
import { TextChange } from '../../src/core/provenance/provenanceStore';

export interface PositionLike {
  readonly line: number;
  readonly character: number;
}

export interface MockClasses {
  Position: new (line: number, character: number) => PositionLike;
  Range: new (start: PositionLike, end: PositionLike) => { start: PositionLike; end: PositionLike };
}

export interface ContentChange {
  readonly range: { start: PositionLike; end: PositionLike };
  readonly rangeOffset: number;
  readonly rangeLength: number;
  readonly text: string;
}

export class MockTextDocument {
  private lines: string[];
  /** Length of each line plus its line break (what the line offsets are summed from). */
  private lengths: number[];
  /** Offset at which each line starts; valid for indexes below `validStarts`. */
  private starts: number[] = [0];
  private validStarts = 1;
  /** The whole text, joined on first request after an edit (VS Code caches it the same way). */
  private cachedText: string | null = null;
  version = 1;
  isDirty = false;
  /**
   * When true, line offsets are brought up to date right after each edit (outside the timed
   * handler), as if something else had already asked for an offset near the end of the file.
   */
  eagerLineOffsets = false;
  readonly isUntitled = false;
  readonly isClosed = false;
  readonly languageId = 'typescript';
  readonly eol = 1;
  readonly encoding = 'utf8';

  constructor(
    readonly uri: { scheme: string; path: string; fsPath: string; toString(): string },
    text: string,
    private readonly classes: MockClasses,
  ) {
    this.lines = text.split('\n');
    this.lengths = this.lines.map((l) => l.length + 1);
  }

  get fileName(): string {
    return this.uri.fsPath;
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Line starts valid up to and including `line`. */
  private ensure(line: number): void {
    const { starts, lengths } = this;
    for (let i = this.validStarts; i <= line; i++) starts[i] = starts[i - 1] + lengths[i - 1];
    if (line + 1 > this.validStarts) this.validStarts = line + 1;
  }

  private invalidateFrom(line: number): void {
    if (line + 1 < this.validStarts) this.validStarts = Math.max(1, line + 1);
    this.starts.length = Math.min(this.starts.length, this.lines.length);
  }

  get length(): number {
    const last = this.lines.length - 1;
    this.ensure(last);
    return this.starts[last] + this.lines[last].length;
  }

  getText(range?: { start: PositionLike; end: PositionLike }): string {
    if (!range) return (this.cachedText ??= this.lines.join('\n'));
    const s = this.clamp(range.start);
    const e = this.clamp(range.end);
    if (s.line === e.line) return this.lines[s.line].substring(s.character, e.character);
    const parts = [this.lines[s.line].substring(s.character)];
    for (let l = s.line + 1; l < e.line; l++) parts.push(this.lines[l]);
    parts.push(this.lines[e.line].substring(0, e.character));
    return parts.join('\n');
  }

  private clamp(p: PositionLike): PositionLike {
    const line = Math.max(0, Math.min(p.line, this.lines.length - 1));
    return { line, character: Math.max(0, Math.min(p.character, this.lines[line].length)) };
  }

  offsetAt(p: PositionLike): number {
    const c = this.clamp(p);
    this.ensure(c.line);
    return this.starts[c.line] + c.character;
  }

  positionAt(offset: number): PositionLike {
    const last = this.lines.length - 1;
    this.ensure(last);
    const o = Math.max(0, Math.min(offset, this.starts[last] + this.lines[last].length));
    let lo = 0;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return new this.classes.Position(lo, Math.min(o - this.starts[lo], this.lines[lo].length));
  }

  lineAt(lineOrPosition: number | PositionLike) {
    const line = typeof lineOrPosition === 'number' ? lineOrPosition : lineOrPosition.line;
    if (line < 0 || line >= this.lines.length) throw new Error(`illegal line ${line}`);
    const text = this.lines[line];
    const { Position, Range } = this.classes;
    const isLast = line === this.lines.length - 1;
    const firstNonWs = text.search(/\S/);
    return {
      lineNumber: line,
      text,
      range: new Range(new Position(line, 0), new Position(line, text.length)),
      rangeIncludingLineBreak: new Range(new Position(line, 0), isLast ? new Position(line, text.length) : new Position(line + 1, 0)),
      firstNonWhitespaceCharacterIndex: firstNonWs < 0 ? text.length : firstNonWs,
      isEmptyOrWhitespace: firstNonWs < 0,
    };
  }

  validateRange<T>(r: T): T {
    return r;
  }

  validatePosition<T>(p: T): T {
    return p;
  }

  getWordRangeAtPosition(): undefined {
    return undefined;
  }

  save(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /**
   * Applies one event's changes (offsets in the text before the event, non-overlapping), the way
   * VS Code does before it fires the event, and returns the event's content changes.
   */
  apply(changes: readonly TextChange[]): ContentChange[] {
    const { Range } = this.classes;
    const placed = changes.map((c) => ({ change: c, start: this.positionAt(c.offset), end: this.positionAt(c.offset + c.deleteLength) }));
    const contentChanges = placed.map((p) => ({ range: new Range(p.start, p.end), rangeOffset: p.change.offset, rangeLength: p.change.deleteLength, text: p.change.text }));
    // Last first, so the positions of earlier changes stay valid.
    placed.sort((a, b) => b.change.offset - a.change.offset);
    for (const p of placed) {
      const before = this.lines[p.start.line].substring(0, p.start.character);
      const after = this.lines[p.end.line].substring(p.end.character);
      const inserted = (before + p.change.text + after).split('\n');
      this.lines.splice(p.start.line, p.end.line - p.start.line + 1, ...inserted);
      this.lengths.splice(p.start.line, p.end.line - p.start.line + 1, ...inserted.map((l) => l.length + 1));
      this.invalidateFrom(p.start.line);
    }
    if (this.eagerLineOffsets) this.ensure(this.lines.length - 1);
    this.cachedText = null;
    this.version++;
    this.isDirty = true;
    return contentChanges;
  }
}
