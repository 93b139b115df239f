import { NO_ORIGIN, OriginTable } from '../provenance/originTable';
import { overlayRuns } from '../reanchor/merge';
import { AnchoredRun } from '../reanchor/reanchor';
import { entryFromRuns, runsFromEntry, withFiles } from './entries';
import { PersistedFile, PersistedState, sha256 } from './schema';

/**
 * What a save writes into a state.json, given what is on disk now. Pure: the caller reads and
 * writes the file (under its lock) and puts merged runs back into the editor.
 */

/** One file to save: its text and its runs (origin ids of the live table). */
export interface FileToSave {
  readonly key: string;
  readonly rel: string;
  readonly text: string;
  readonly runs: AnchoredRun[];
  /** Version of the open document `text` was read from. */
  readonly version?: number;
  /**
   * The editor's text of this file is its text on disk as last loaded (an open document with no
   * unsaved changes). An entry someone else wrote since for another text then describes a newer
   * text on disk, which the editor has yet to reload: that entry is kept, not overwritten.
   */
  readonly reloadExpected?: boolean;
}

/** A file whose saved runs took in what someone else wrote for the same text. */
export interface MergedFile {
  readonly key: string;
  readonly runs: AnchoredRun[];
  readonly text: string;
  readonly version?: number;
}

export interface SaveInput {
  /** The state on disk now. */
  readonly current: PersistedState;
  /** The state as of our last write or merge (what differs was written by someone else since). */
  readonly seen: PersistedState | undefined;
  readonly files: readonly FileToSave[];
  /** Entries to delete (renamed or deleted files). */
  readonly removals: Iterable<string> | undefined;
  /** The live origin table the runs' ids belong to. */
  readonly origins: OriginTable;
  readonly now?: number;
}

export interface SaveResult {
  /** The new state and the texts to keep, or undefined when nothing changes. */
  readonly update: { state: PersistedState; texts: Map<string, string> } | undefined;
  /** Files whose runs were merged with an entry written by someone else. */
  readonly merges: MergedFile[];
  /**
   * Files not written because someone else wrote an entry for the text on disk that the
   * editor has not reloaded yet (see `FileToSave.reloadExpected`): the caller merges it on reload.
   */
  readonly deferred: Deferred[];
}

/** A file a save left alone (see `SaveResult.deferred`). */
export interface Deferred {
  readonly key: string;
  readonly rel: string;
}

/**
 * The state to write. Where someone else (an agent checkpoint) wrote the provenance of the very
 * text being saved since we last saw the file, its runs are merged in: they win over characters
 * with no origin or an `unknown` one, never over a known origin.
 */
export function stateToSave(input: SaveInput): SaveResult {
  const { current, seen, origins } = input;
  const isUnknown = (id: number) => origins.get(id)?.kind === 'unknown';
  const table = OriginTable.fromJSON(current.origins);
  const changes: Record<string, PersistedFile | undefined> = {};
  const texts = new Map<string, string>();
  const merges: MergedFile[] = [];
  const deferred: Deferred[] = [];
  for (const rel of input.removals ?? []) changes[rel] = undefined;
  for (const it of input.files) {
    let runs = it.runs;
    const disk = current.files[it.rel];
    const before = seen?.files[it.rel];
    const hash = sha256(it.text);
    const writtenSince = !!disk && (!before || before.updatedAt !== disk.updatedAt || before.sha256 !== disk.sha256);
    if (disk && writtenSince && disk.sha256 !== hash && it.reloadExpected) {
      // An agent wrote the file and its provenance; the editor still shows the old text. Writing
      // ours now would throw the agent's ranges away before the reload could take them in.
      deferred.push({ key: it.key, rel: it.rel });
      continue;
    }
    if (disk && writtenSince && disk.sha256 === hash) {
      const incoming = runsFromEntry(disk, current.origins, (o) => origins.intern(o));
      runs = overlayRuns(runs, incoming, it.text.length, (_i, b) => b === NO_ORIGIN || isUnknown(b));
      merges.push({ key: it.key, runs, text: it.text, version: it.version });
    }
    changes[it.rel] = entryFromRuns(it.text, runs, (id) => origins.get(id), table, input.now);
    if (runs.length) texts.set(hash, it.text);
  }
  if (Object.keys(changes).length === 0) return { update: undefined, merges, deferred };
  return { update: { state: withFiles(current, changes, table.toJSON()), texts }, merges, deferred };
}
