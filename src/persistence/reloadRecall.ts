import { EarlierVersion, recallEarlierMarks } from '../core/reanchor/recall';
import { VersionHistory } from '../core/reanchor/versionHistory';
import { AnchoredRun } from '../core/reanchor/reanchor';
import { OriginTable } from '../core/provenance/originTable';

/**
 * The VS Code side of `core/reanchor/recall`: keeps the earlier marked versions of each open
 * document's text on disk (each baseline replaced on save or reload), and after a reload from disk
 * computes the runs that give their marks back to the reloaded `unknown` text.
 */
export class ReloadRecall {
  private readonly history = new VersionHistory();

  constructor(private readonly origins: OriginTable) {}

  /** `version` is no longer the text on disk of `key` (saved over, or reloaded). */
  superseded(key: string, version: EarlierVersion): void {
    this.history.push(key, { text: version.text, runs: version.runs.filter((r) => this.isAi(r.origin)) });
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
