import * as fs from 'fs';
import * as path from 'path';
import { gunzipSync, gzipSync } from 'zlib';
import { removeStaleTempFiles, writeFileAtomic, writeFileAtomicSync } from './atomicWrite';
import { acquireLock, acquireLockSync, LockOptions } from './lock';
import { PersistedState, StateFileError, compactOrigins, emptyState, parseState, serializeState, sha256 } from './schema';

/**
 * One state directory: `<git dir>/ai-provenance/` for a repository, or the extension's storage
 * folder for files outside any repository. Holds
 * - `state.json`: the persisted ranges (see schema.ts), replaced atomically;
 * - `texts/<sha256>.gz`: the text each file entry describes, so that re-anchoring after an outside
 *   change can diff against it (only for entries with ranges; unreferenced ones are removed);
 * - `state.lock`: taken by every writer (extension and CLI) around read-modify-write;
 * - `checkpoints/`: pending agent checkpoints of the CLI.
 * An unusable `state.json` (corrupt, or from a newer version) is renamed to
 * `state.json.corrupt-<timestamp>`, reported once, and tracking continues from an empty state.
 */

export const STATE_FILE = 'state.json';
export const TEXTS_DIR = 'texts';

export interface PersistenceLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A state change: the new state and the texts (by SHA-256) its new entries describe. */
export interface StateUpdate {
  readonly state: PersistedState;
  readonly texts?: ReadonlyMap<string, string>;
}

export class StateDir {
  constructor(
    readonly dir: string,
    private readonly log: PersistenceLog,
    /** Recorded in `writer` of every state written. */
    readonly writer: string,
    private readonly lockOptions: LockOptions = {},
  ) {}

  get statePath(): string {
    return path.join(this.dir, STATE_FILE);
  }

  /** Reads the state; missing is empty; unusable is set aside with a warning and read as empty. */
  read(): PersistedState {
    let raw: string;
    try {
      raw = fs.readFileSync(this.statePath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`cannot read ${this.statePath}: ${(e as Error).message}; continuing without saved provenance`);
      return emptyState();
    }
    try {
      const { state, warnings } = parseState(raw);
      for (const w of warnings) this.log.warn(`${this.statePath}: ${w}`);
      return state;
    } catch (e) {
      if (!(e instanceof StateFileError)) throw e;
      const aside = this.setAside(raw);
      this.log.warn(
        `${this.statePath} is unusable: ${e.message}. ` +
          (aside ? `It was kept as ${aside}. ` : '') +
          'Tracking continues; provenance recorded before this point in this repository is not restored.',
      );
      return emptyState();
    }
  }

  /** Renames an unusable state file out of the way (only if it still holds `raw`). */
  private setAside(raw: string): string | undefined {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const target = `${this.statePath}.corrupt-${stamp}`;
    try {
      if (fs.readFileSync(this.statePath, 'utf8') !== raw) return undefined;
      fs.renameSync(this.statePath, target);
      return target;
    } catch (e) {
      this.log.error(`could not move ${this.statePath} aside: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** The text a file entry with hash `hash` described, if kept and intact. */
  readText(hash: string): string | undefined {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    try {
      const text = gunzipSync(fs.readFileSync(path.join(this.dir, TEXTS_DIR, `${hash}.gz`))).toString('utf8');
      return sha256(text) === hash ? text : undefined;
    } catch {
      return undefined;
    }
  }

  /** Read-modify-write under the lock. `fn` returns undefined to leave the state as it is. */
  async update(fn: (current: PersistedState) => StateUpdate | undefined): Promise<PersistedState> {
    await fs.promises.mkdir(this.dir, { recursive: true });
    const release = await acquireLock(this.dir, this.lockOptions);
    try {
      const current = this.read();
      const next = fn(current);
      if (!next) return current;
      const state = this.finish(next.state);
      for (const [file, data] of this.textsToKeep(state, next.texts)) await writeFileAtomic(file, data);
      await writeFileAtomic(this.statePath, serializeState(state));
      this.collect(state);
      return state;
    } finally {
      release();
    }
  }

  /** Synchronous `update`, for deactivation. */
  updateSync(fn: (current: PersistedState) => StateUpdate | undefined): PersistedState {
    fs.mkdirSync(this.dir, { recursive: true });
    const release = acquireLockSync(this.dir, this.lockOptions);
    try {
      const current = this.read();
      const next = fn(current);
      if (!next) return current;
      const state = this.finish(next.state);
      for (const [file, data] of this.textsToKeep(state, next.texts)) writeFileAtomicSync(file, data);
      writeFileAtomicSync(this.statePath, serializeState(state));
      this.collect(state);
      return state;
    } finally {
      release();
    }
  }

  /** The texts of an update that an entry of `state` refers to and that are not kept yet: file, gzip. */
  private textsToKeep(state: PersistedState, texts: StateUpdate['texts']): [string, Buffer][] {
    const out: [string, Buffer][] = [];
    const hashes = new Set(Object.values(state.files).map((f) => f.sha256));
    for (const [hash, text] of texts ?? []) {
      const file = path.join(this.dir, TEXTS_DIR, `${hash}.gz`);
      if (hashes.has(hash) && !fs.existsSync(file)) out.push([file, gzipSync(Buffer.from(text, 'utf8'))]);
    }
    return out;
  }

  private finish(state: PersistedState): PersistedState {
    return { ...compactOrigins(state), writtenAt: Date.now(), writer: this.writer };
  }

  /** Removes texts no entry refers to and leftovers of interrupted writes. */
  private collect(state: PersistedState): void {
    const keep = new Set(Object.values(state.files).map((f) => `${f.sha256}.gz`));
    const textsDir = path.join(this.dir, TEXTS_DIR);
    try {
      for (const name of fs.readdirSync(textsDir)) {
        if (name.endsWith('.gz') && !keep.has(name)) fs.rmSync(path.join(textsDir, name), { force: true });
      }
    } catch {
      /* no texts yet */
    }
    removeStaleTempFiles(this.statePath);
  }
}
