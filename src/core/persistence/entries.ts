import { Origin } from '../provenance/origin';
import { OriginTable } from '../provenance/originTable';
import { AnchoredRun, ReanchorStats, reanchor } from '../reanchor/reanchor';
import { runsMatching } from '../reanchor/merge';
import { PersistedFile, PersistedState, sha256 } from './schema';

/** Conversions between persisted file entries and runs in a live origin table. Pure. */

/** A file entry for `text` and its runs (origin ids of `origins`), interning into `stateOrigins`. */
export function entryFromRuns(text: string, runs: readonly AnchoredRun[], origins: (id: number) => Origin | undefined, stateOrigins: OriginTable, now = Date.now()): PersistedFile {
  const out = [];
  for (const r of runs) {
    const o = origins(r.origin);
    if (!o || r.length <= 0) continue;
    out.push({ offset: r.start, length: r.length, origin: stateOrigins.intern(o), text: r.text });
  }
  return { sha256: sha256(text), length: text.length, updatedAt: now, runs: out };
}

/** The runs of an entry with origin ids of the live table (`intern`). */
export function runsFromEntry(entry: PersistedFile, stateOrigins: readonly Origin[], intern: (o: Origin) => number): AnchoredRun[] {
  const ids = new Map<number, number>();
  return entry.runs.map((r) => {
    let id = ids.get(r.origin);
    if (id === undefined) {
      id = intern(stateOrigins[r.origin - 1]);
      ids.set(r.origin, id);
    }
    return { start: r.offset, length: r.length, origin: id, text: r.text };
  });
}

export type RestoreHow = 'exact' | 'reanchored' | 'searched';

export interface Restored {
  readonly runs: AnchoredRun[];
  readonly how: RestoreHow;
  /** Characters that lost their marks (changed, or no longer matching). */
  readonly lost: number;
  readonly stats?: ReanchorStats;
}

export interface RestoreInput {
  readonly entry: PersistedFile;
  readonly stateOrigins: readonly Origin[];
  /** The file's current text. */
  readonly text: string;
  readonly intern: (o: Origin) => number;
  /** The text the entry described, when kept (by SHA-256). */
  readonly oldText: (hash: string) => string | undefined;
  /** Origin id given to text that is new since the entry (text from disk with no checkpoint). */
  readonly insertedOrigin?: number;
  /** Precomputed sha256 of `text`. */
  readonly textHash?: string;
}

/**
 * The runs of `entry` for `text`: restored exactly when the text is the one the entry describes
 * (same SHA-256), else re-anchored (diff against the kept old text, or by search without it).
 */
export function restoreEntry(input: RestoreInput): Restored {
  const runs = runsFromEntry(input.entry, input.stateOrigins, input.intern);
  const hash = input.textHash ?? sha256(input.text);
  if (hash === input.entry.sha256 && input.text.length === input.entry.length) {
    const ok = runsMatching(input.text, runs);
    const lost = runs.reduce((n, r) => n + r.length, 0) - ok.reduce((n, r) => n + r.length, 0);
    return { runs: ok, how: 'exact', lost };
  }
  const old = input.oldText(input.entry.sha256);
  const result = reanchor(old, runs, input.text, old !== undefined && input.insertedOrigin !== undefined ? { insertedOrigin: input.insertedOrigin } : {});
  return { runs: result.runs, how: result.diffed ? 'reanchored' : 'searched', lost: result.stats.lost, stats: result.stats };
}

/** A copy of `state` with `files` changed (undefined deletes the entry). */
export function withFiles(state: PersistedState, changes: Record<string, PersistedFile | undefined>, origins?: readonly Origin[]): PersistedState {
  const files = { ...state.files };
  for (const [path, entry] of Object.entries(changes)) {
    if (entry && entry.runs.length > 0) files[path] = entry;
    else delete files[path];
  }
  return { ...state, origins: origins ? [...origins] : state.origins, files };
}
