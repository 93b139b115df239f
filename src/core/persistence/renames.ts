/**
 * Renames made outside the editor (`mv`, `git mv` in a terminal): a file that appears inherits the
 * saved provenance of a file that vanished when git itself calls the pair a rename. The adapter
 * lays the vanished files' last known texts and the new file's text out in two folders and runs
 * `git diff --no-index --find-renames --name-status -z` over them; these helpers plan that layout
 * and read git's answer. Below git's similarity threshold git reports a deletion and an addition,
 * and nothing is inherited. Pure: no I/O, no `vscode`.
 */

/** A file whose saved provenance may move: its saved path and the text that provenance describes. */
export interface VanishedFile {
  readonly rel: string;
  readonly text: string;
}

/** Where each file goes in the two folders git compares (relative paths, forward slashes). */
export interface RenameLayout {
  /** `old/<n>/<base name>` for each vanished file, in the order given. */
  readonly old: string[];
  /** `new/<base name>` of the file that appeared. */
  readonly added: string;
}

function baseName(rel: string): string {
  const parts = rel.split('/');
  return parts[parts.length - 1] || 'file';
}

/** The layout for `vanished` and the file at `addedRel` (base names kept: git prefers them on ties). */
export function renameLayout(vanished: readonly VanishedFile[], addedRel: string): RenameLayout {
  return { old: vanished.map((v, n) => `old/${n}/${baseName(v.rel)}`), added: `new/${baseName(addedRel)}` };
}

/** A pair git reported as a rename, with its similarity score (0-100). */
export interface RenamePair {
  readonly from: string;
  readonly to: string;
  readonly score: number;
}

/** The renames in the NUL-separated output of `git diff --name-status -z` (other statuses ignored). */
export function parseRenames(fields: readonly string[]): RenamePair[] {
  const out: RenamePair[] = [];
  let i = 0;
  while (i < fields.length) {
    const status = fields[i];
    if (/^[RC]\d*$/.test(status)) {
      if (status[0] === 'R' && i + 2 < fields.length) out.push({ from: fields[i + 1], to: fields[i + 2], score: Number(status.slice(1)) || 0 });
      i += 3;
    } else i += 2;
  }
  return out;
}

/**
 * Which vanished file (index into the layout) git paired with the added file, if any. Paths in
 * git's output are relative to the folder it ran in and may carry a prefix before `old/`/`new/`.
 */
export function renamedFrom(pairs: readonly RenamePair[], layout: RenameLayout): number | undefined {
  const ends = (p: string, tail: string) => p === tail || p.endsWith(`/${tail}`);
  for (const pair of pairs) {
    if (!ends(pair.to, layout.added)) continue;
    const n = layout.old.findIndex((o) => ends(pair.from, o));
    if (n >= 0) return n;
  }
  return undefined;
}
