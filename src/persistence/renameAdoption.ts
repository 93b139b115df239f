import * as fs from 'fs';
import { withFiles } from '../core/persistence/entries';
import { PersistedFile, PersistedState } from '../core/persistence/schema';
import { StateDir } from '../core/persistence/stateDir';
import { VanishedFile } from '../core/persistence/renames';
import { findRenameSource } from './renameDetection';

/**
 * A file with no saved provenance appeared (created on disk, or opened): when git calls it a
 * rename of a file whose provenance is saved in the same place and which no longer exists (`mv`,
 * `git mv` in a terminal), that provenance moves to it. The entry moves as it is (it names the
 * text it describes); restoring it re-anchors it onto the new text like any outside change.
 */

/** Vanished files looked at, newest saved first (each costs a text read and a file in git's diff). */
const MAX_CANDIDATES = 20;

/** Sizes too far apart for git's default threshold (50%) to pair them (loosely: lengths are in characters, git counts bytes). */
function sizesCanPair(a: number, b: number): boolean {
  const small = Math.min(a, b);
  const large = Math.max(a, b);
  return large === 0 || small * 3 >= large;
}

export interface Adoption {
  /** The saved path the provenance came from. */
  readonly from: string;
  /** The state after the move. */
  readonly state: PersistedState;
  readonly entry: PersistedFile;
}

/**
 * Moves the entry of a vanished file to `rel` when git pairs them; undefined when nothing moved.
 * `absolute(rel)` is the file a saved path names; only files `eligible` says may be looked at are
 * (default all); `trusted` false (git must not run) does nothing.
 */
export async function adoptVanishedEntry(
  dir: StateDir,
  state: PersistedState,
  rel: string,
  text: string,
  absolute: (rel: string) => string,
  trusted: boolean,
  eligible: (file: string) => boolean = () => true,
): Promise<Adoption | undefined> {
  if (!trusted || state.files[rel]) return undefined;
  const candidates = Object.entries(state.files)
    .filter(([other, entry]) => other !== rel && sizesCanPair(entry.length, text.length) && eligible(absolute(other)) && !fs.existsSync(absolute(other)))
    .sort((x, y) => y[1].updatedAt - x[1].updatedAt)
    .slice(0, MAX_CANDIDATES);
  const vanished: (VanishedFile & { entry: PersistedFile })[] = [];
  for (const [other, entry] of candidates) {
    const old = dir.readText(entry.sha256);
    if (old !== undefined) vanished.push({ rel: other, text: old, entry });
  }
  const n = await findRenameSource(vanished, rel, text);
  if (n === undefined) return undefined;
  const from = vanished[n].rel;
  let moved: PersistedFile | undefined;
  const next = await dir.update((current) => {
    const entry = current.files[from];
    if (!entry || current.files[rel] || entry.sha256 !== vanished[n].entry.sha256) return undefined;
    moved = entry;
    return { state: withFiles(current, { [rel]: entry, [from]: undefined }) };
  });
  return moved ? { from, state: next, entry: moved } : undefined;
}
