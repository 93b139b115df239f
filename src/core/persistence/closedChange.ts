import { Origin } from '../provenance/origin';
import { EarlierVersion } from '../reanchor/recall';
import { AnchoredRun, ReanchorStats, reanchor } from '../reanchor/reanchor';
import { restoreEntry, runsFromEntry } from './entries';
import { PersistedFile } from './schema';

/**
 * A closed file changed on disk: its runs for the new text, re-anchored from what was known of
 * the text before, with the new text `insertedOrigin` (`unknown`). What was known is the saved
 * entry (with the text it described, kept by hash), or, when the file has no entry (a text without
 * marks has none), the text last seen on disk in this session (`lastOnDisk`). `previous` is that
 * text with its marks, for recall (`core/reanchor/recall`). Pure: no I/O, no `vscode`.
 */

export interface ClosedChange {
  readonly runs: AnchoredRun[];
  readonly stats: ReanchorStats;
  /** The text on disk before the change with its marks (live origin ids), when known. */
  readonly previous?: EarlierVersion;
}

const NO_STATS: ReanchorStats = { kept: 0, moved: 0, lost: 0, inserted: 0 };

/** Undefined when nothing is known of the file, or its text is the one already known. */
export function closedChange(
  entry: PersistedFile | undefined,
  stateOrigins: readonly Origin[],
  lastOnDisk: EarlierVersion | undefined,
  text: string,
  hash: string,
  intern: (o: Origin) => number,
  oldText: (hash: string) => string | undefined,
  insertedOrigin: number,
): ClosedChange | undefined {
  if (entry) {
    if (entry.sha256 === hash) return undefined;
    const before = oldText(entry.sha256);
    const restored = restoreEntry({ entry, stateOrigins, text, textHash: hash, intern, oldText: () => before, insertedOrigin });
    const previous = before === undefined ? undefined : { text: before, runs: runsFromEntry(entry, stateOrigins, intern) };
    return { runs: restored.runs, stats: restored.stats ?? NO_STATS, previous };
  }
  if (!lastOnDisk || lastOnDisk.text === text) return undefined;
  const result = reanchor(lastOnDisk.text, lastOnDisk.runs, text, { insertedOrigin });
  return { runs: result.runs, stats: result.stats, previous: lastOnDisk };
}
