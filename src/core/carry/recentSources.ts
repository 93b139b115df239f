import { CarrySource } from './carrySource';

/**
 * The sources kept for later insertions (cut then paste, copy then paste, a reload that brings
 * back what an earlier one removed), bounded in time and number: removed AI text for
 * `REMOVED_TTL_MS`, selections for `SELECTED_TTL_MS`, the most recent first when full.
 */
export const REMOVED_TTL_MS = 30 * 60_000;
export const SELECTED_TTL_MS = 10 * 60_000;
export const REMOVED_KEPT = 32;
export const SELECTED_KEPT = 16;

export class RecentSources {
  private removed: CarrySource[] = [];
  private selected: CarrySource[] = [];

  add(source: CarrySource): void {
    if (source.kind === 'removed') {
      this.removed.push(source);
      if (this.removed.length > REMOVED_KEPT) this.removed.shift();
    } else {
      this.selected.push(source);
      if (this.selected.length > SELECTED_KEPT) this.selected.shift();
    }
  }

  /** The sources still valid at `now`. */
  current(now: number): CarrySource[] {
    this.removed = this.removed.filter((s) => now - s.at <= REMOVED_TTL_MS && s.at <= now);
    this.selected = this.selected.filter((s) => now - s.at <= SELECTED_TTL_MS && s.at <= now);
    return [...this.removed, ...this.selected];
  }

  /** Takes `sources` back out (removed text that turned out to be rejected, see removalRule.ts). */
  remove(sources: readonly CarrySource[]): void {
    if (sources.length === 0) return;
    const gone = new Set(sources);
    this.removed = this.removed.filter((s) => !gone.has(s));
    this.selected = this.selected.filter((s) => !gone.has(s));
  }
}
