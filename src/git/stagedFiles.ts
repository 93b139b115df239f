import { blobSizes, streamBlobs } from './blobs';
import { FileDiff } from './patch';
import { StagedDiffEntry, blobPair, stagedPatch } from './stagedDiff';

/** What git says of one staged file: its diff against the base, its staged bytes and, for a binary pair, the base version's size. */
export interface StagedFileRead {
  readonly entry: StagedDiffEntry;
  /** Undefined when git printed no diff for the file. */
  readonly diff: FileDiff | undefined;
  /** The staged content. */
  readonly bytes: Buffer;
  /** Size of the base version, when git calls the pair binary and there is one (the size may be why). */
  readonly oldSize?: number;
}

/**
 * Reads the staged files `reads` (neither deleted nor submodules) of the change against `against`
 * (a commit id or the empty tree): their diffs and their staged texts. Two git processes run side
 * by side, the diff of those files (`stagedPatch`) and the reading of their staged texts (one
 * `git cat-file --batch`); both are read as git writes them, and `onFile` gets a file as soon as
 * its diff and its text are in, while git works on the next ones. The base version is never read.
 * At the end come the files git printed no diff for (a type change, a rename or mode change
 * without a content change) and binary pairs, with the sizes of their base versions (one
 * `--batch-check`). `listed` is the number of files in the whole change (`stagedPatch` diffs all
 * of it when `reads` is most of it). Each entry of `reads` is handed over once.
 */
export async function readStagedFiles(
  root: string,
  against: string,
  reads: readonly StagedDiffEntry[],
  listed: number,
  options: { readonly env?: NodeJS.ProcessEnv; readonly maxFileBytes: number },
  onFile: (file: StagedFileRead) => void,
): Promise<void> {
  const diffs = new Map<string, FileDiff>();
  const bytesOf = new Map<string, Buffer>();
  const handed = new Set<StagedDiffEntry>();
  const byPair = group(reads, blobPair);
  const byBlob = group(reads, (e) => e.newBlob!);
  const tryHand = (e: StagedDiffEntry): void => {
    const diff = diffs.get(blobPair(e));
    const bytes = bytesOf.get(e.newBlob!);
    // A binary pair waits for the end: the size of its base version may be why git calls it binary.
    if (!diff || !bytes || handed.has(e) || (diff.binary && e.oldBlob)) return;
    handed.add(e);
    onFile({ entry: e, diff, bytes });
  };
  const results = await Promise.allSettled([
    stagedPatch(root, against, reads, listed, options, (pair, diff) => {
      diffs.set(pair, diff);
      for (const e of byPair.get(pair) ?? []) tryHand(e);
    }),
    streamBlobs(root, byBlob.keys(), (id, bytes) => {
      bytesOf.set(id, bytes);
      for (const e of byBlob.get(id) ?? []) tryHand(e);
    }),
  ]);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  const rest = reads.filter((e) => !handed.has(e));
  const binaryOld = (e: StagedDiffEntry): boolean => !!diffOf(diffs, e)?.binary && !!e.oldBlob && e.oldMode !== '160000';
  const oldSizes = await blobSizes(root, rest.filter(binaryOld).map((e) => e.oldBlob!));
  for (const e of rest) {
    const diff = diffOf(diffs, e);
    const oldSize = diff?.binary && e.oldBlob ? oldSizes.get(e.oldBlob) : undefined;
    handed.add(e);
    onFile({ entry: e, diff, bytes: bytesOf.get(e.newBlob!)!, ...(oldSize !== undefined ? { oldSize } : {}) });
  }
}

/** `items` by `key`, in their order. */
function group<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/**
 * The diff of an entry: by its blob pair; for a type change (a symbolic link that became a file),
 * git patches a deletion and an addition, so the addition's. Undefined when git printed none.
 */
function diffOf(diffs: ReadonlyMap<string, FileDiff>, e: StagedDiffEntry): FileDiff | undefined {
  const hit = diffs.get(blobPair(e));
  if (hit || !e.newBlob) return hit;
  return e.oldBlob === e.newBlob ? { binary: false, added: [] } : diffs.get(blobPair({ ...e, oldBlob: undefined }));
}
