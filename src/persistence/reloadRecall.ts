import { EarlierVersion, recallEarlierMarks } from '../core/reanchor/recall';
import { VersionHistory } from '../core/reanchor/versionHistory';
import { AnchoredRun } from '../core/reanchor/reanchor';
import { OriginTable } from '../core/provenance/originTable';

/**
 * The VS Code side of `core/reanchor/recall`: keeps the earlier versions of each file's text on
 * disk with their marks (an open document's baseline, replaced on save or reload; a closed file's
 * text, replaced when it changes on disk), and computes the runs that give their AI marks back to
 * text that came back from disk `unknown` (after a reload of an open document, or a change to a
 * closed file). In memory, for this session, bounded (`VersionHistory`).
 */
export class ReloadRecall {
  private readonly history: VersionHistory;

  constructor(private readonly origins: OriginTable) {
    this.history = new VersionHistory((o) => this.isAi(o));
  }

  /** `version` is no longer the text on disk of `key` (saved over, or reloaded). */
  superseded(key: string, version: EarlierVersion): void {
    this.history.push(key, version);
  }

  /**
   * The runs of `text` (carrying `current`) after a reload, with marks of `previous` (the text on
   * disk before the reload) and of the earlier versions given back; undefined when none came back.
   */
  recall(key: string, text: string, current: readonly AnchoredRun[], previous: EarlierVersion | undefined): { runs: AnchoredRun[]; recalled: number } | undefined {
    const earlier = previous ? [previous, ...this.history.get(key)] : this.history.get(key);
    if (earlier.length === 0 || !current.some((r) => this.isUnknown(r.origin))) return undefined;
    const result = recallEarlierMarks(text, current, earlier, (o) => this.isUnknown(o), (o) => this.isAi(o));
    return result.recalled > 0 ? result : undefined;
  }

  /** The document of `key` closed; `onDisk` is its text on disk then, with its marks. */
  closed(key: string, onDisk: EarlierVersion | undefined): void {
    if (onDisk) this.history.push(key, onDisk);
  }

  /**
   * The text on disk of closed `key` as last seen, when it has a history (its saved entry may be
   * gone: a text without marks has none).
   */
  lastOnDisk(key: string): EarlierVersion | undefined {
    return this.history.get(key)[0];
  }

  /**
   * Closed `key` changed on disk from `previous` to `text`, re-anchored as `current`: the runs with
   * AI marks of earlier versions given back (undefined when none came back); `text` with its final
   * runs becomes the newest version.
   */
  closedFileChanged(key: string, text: string, current: readonly AnchoredRun[], previous: EarlierVersion | undefined): { runs: AnchoredRun[]; recalled: number } | undefined {
    const result = this.recall(key, text, current, previous);
    if (previous) this.history.push(key, previous);
    this.history.push(key, { text, runs: result ? result.runs : [...current] });
    return result;
  }

  forget(key: string): void {
    this.history.delete(key);
  }

  rename(from: string, to: string): void {
    this.history.rename(from, to);
  }

  private isUnknown(id: number): boolean {
    return this.origins.get(id)?.kind === 'unknown';
  }

  private isAi(id: number): boolean {
    const kind = this.origins.get(id)?.kind;
    return kind !== undefined && kind !== 'unknown';
  }
}
