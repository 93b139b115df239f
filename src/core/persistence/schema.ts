import { createHash } from 'crypto';
import { Origin } from '../provenance/origin';
import { OriginTable } from '../provenance/originTable';

/**
 * The persisted provenance of one repository (or of the files outside any repository), as written
 * to `<git dir>/ai-provenance/state.json`. Pure: parsing and building, no I/O.
 *
 * {
 *   "schema": "ai-provenance/state", "version": 1, "writtenAt": <ms>, "writer": "<id>",
 *   "origins": [Origin, ...],                      // run.origin = index + 1
 *   "files": { "<repo-relative path>": {
 *       "sha256": "<hex of the UTF-8 text the runs describe>", "length": <UTF-16 units>,
 *       "updatedAt": <ms>,
 *       "runs": [ { "offset": n, "length": n, "origin": id, "text": "<exact characters>" }, ... ] } }
 * }
 */

export const STATE_SCHEMA = 'ai-provenance/state';
export const STATE_VERSION = 1;

export interface PersistedRun {
  readonly offset: number;
  readonly length: number;
  /** 1-based index into `PersistedState.origins`. */
  readonly origin: number;
  readonly text: string;
}

export interface PersistedFile {
  readonly sha256: string;
  readonly length: number;
  readonly updatedAt: number;
  readonly runs: PersistedRun[];
}

export interface PersistedState {
  readonly schema: typeof STATE_SCHEMA;
  readonly version: typeof STATE_VERSION;
  readonly writtenAt: number;
  /** Who wrote it last (`extension:<session>` or `cli:<agent>`), to tell own writes from others'. */
  readonly writer?: string;
  readonly origins: Origin[];
  readonly files: Record<string, PersistedFile>;
}

/** Why a state file could not be used. */
export class StateFileError extends Error {
  constructor(
    readonly reason: 'corrupt' | 'future-version',
    message: string,
  ) {
    super(message);
    this.name = 'StateFileError';
  }
}

export function emptyState(writer?: string): PersistedState {
  return { schema: STATE_SCHEMA, version: STATE_VERSION, writtenAt: 0, ...(writer ? { writer } : {}), origins: [], files: {} };
}

/** SHA-256 (hex) of the UTF-8 encoding of `text`. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * Parses and validates a state file. Throws `StateFileError` when the whole file is unusable
 * (not JSON, wrong schema, a version newer than this code knows, a bad origin table). A single
 * malformed file entry is dropped and reported in `warnings`; the rest is kept.
 */
export function parseState(json: string): { state: PersistedState; warnings: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new StateFileError('corrupt', `not valid JSON (${(e as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new StateFileError('corrupt', 'not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.schema !== STATE_SCHEMA) throw new StateFileError('corrupt', `unexpected schema ${JSON.stringify(v.schema)}`);
  if (typeof v.version !== 'number' || !Number.isInteger(v.version) || v.version < 1) throw new StateFileError('corrupt', `invalid version ${JSON.stringify(v.version)}`);
  if (v.version > STATE_VERSION) {
    throw new StateFileError('future-version', `written by a newer version of AI Provenance (state version ${v.version}; this version reads ${STATE_VERSION})`);
  }
  let origins: Origin[];
  try {
    origins = OriginTable.fromJSON(v.origins).toJSON();
  } catch (e) {
    throw new StateFileError('corrupt', (e as Error).message);
  }
  if (!v.files || typeof v.files !== 'object' || Array.isArray(v.files)) throw new StateFileError('corrupt', '"files" is not an object');
  const warnings: string[] = [];
  const files: Record<string, PersistedFile> = {};
  for (const [path, entry] of Object.entries(v.files as Record<string, unknown>)) {
    const problem = checkFile(entry, origins.length);
    if (problem) warnings.push(`entry for ${path} dropped: ${problem}`);
    else files[path] = entry as PersistedFile;
  }
  return {
    state: {
      schema: STATE_SCHEMA,
      version: STATE_VERSION,
      writtenAt: typeof v.writtenAt === 'number' ? v.writtenAt : 0,
      ...(typeof v.writer === 'string' ? { writer: v.writer } : {}),
      origins,
      files,
    },
    warnings,
  };
}

function checkFile(entry: unknown, originCount: number): string | undefined {
  if (!entry || typeof entry !== 'object') return 'not an object';
  const f = entry as Record<string, unknown>;
  if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) return 'bad sha256';
  if (!isCount(f.length)) return 'bad length';
  if (!Array.isArray(f.runs)) return 'runs is not an array';
  let end = 0;
  for (const r of f.runs as unknown[]) {
    const run = r as Record<string, unknown> | null;
    if (!run || !isCount(run.offset) || !isCount(run.length) || run.length === 0) return 'bad run';
    if (!isCount(run.origin) || run.origin < 1 || run.origin > originCount) return `run refers to unknown origin ${JSON.stringify(run.origin)}`;
    if (typeof run.text !== 'string' || run.text.length !== run.length) return 'run text does not match its length';
    if (run.offset < end || run.offset + run.length > f.length) return 'runs overlap or exceed the text';
    end = run.offset + run.length;
  }
  if (f.updatedAt !== undefined && typeof f.updatedAt !== 'number') return 'bad updatedAt';
  return undefined;
}

export function serializeState(state: PersistedState): string {
  return JSON.stringify(state);
}

/**
 * Returns `state` with only the origins its files use, renumbered in order of first use, so that
 * origin tables do not grow without bound as files come and go.
 */
export function compactOrigins(state: PersistedState): PersistedState {
  const table = new OriginTable();
  const files: Record<string, PersistedFile> = {};
  for (const [path, f] of Object.entries(state.files)) {
    files[path] = { ...f, runs: f.runs.map((r) => ({ ...r, origin: table.intern(state.origins[r.origin - 1]) })) };
  }
  return { ...state, origins: table.toJSON(), files };
}
