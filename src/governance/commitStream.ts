/**
 * The commits of a whole range from one `git log --no-walk=unsorted --stdin`, read as git writes
 * them and handed out in order, a chunk at a time. git is paused (its pipe fills) while more than
 * `highWater` commits wait, so memory holds a bounded number of commits whatever the range's
 * length, and git works on the next commits while the caller works on these.
 *
 * Each commit's record starts with the marker `\x01<id>\0` (see `COMMIT_FORMAT`). As the ids come
 * in the order they were given, the end of a record is the marker of the next id. A marker found
 * inside a record's fields (a crafted message or path) is not taken: the record before it must
 * be complete (every field ended by its NUL); the patch that may follow the fields has no NUL
 * (git shows no binary content), so it cannot hold a marker.
 *
 * Diff kinds: `numstat`: lines per file against the first parent (as `git diff-tree --numstat
 * --no-renames`); `changes`: the changed paths (`--raw -M`) and git's diff of each (`-p -U0`,
 * the commit flow's options), as `GitRepo.prefetchChanges` reads them with `diff-tree`. Merges
 * come without a diff (git log shows none for them).
 */
import { startGit } from '../git/git';
import { FileDiff, parsePatch } from '../git/patch';
import { ByteQueue } from './byteQueue';
import { ChangedPath, parseRawChanges } from './commitChanges';
import { AddedLines, COMMIT_FIELDS, COMMIT_FORMAT, CommitInfo, commitFromFields, commitLogArgs, parseNumstat } from './commitLog';

export type StreamDiff = 'none' | 'numstat' | 'changes';

export interface StreamedCommit {
  readonly info: CommitInfo;
  /** `numstat`: lines added and deleted per file. */
  readonly added?: AddedLines[];
  /** `changes`: the changed paths, and the diff of each blob pair (see `parsePatch`). */
  readonly paths?: ChangedPath[];
  readonly diffs?: Map<string, FileDiff>;
}

/** `git log` for {@link StreamDiff} `changes`: the options of `GitRepo.prefetchChanges`, fixed against the configuration that porcelain reads. */
export function changesLogArgs(): string[] {
  return [
    'log', '--no-walk=unsorted', '--no-show-signature', '-z', '--root', '-r', '-M', '--raw', '--no-abbrev',
    '-p', '-U0', '--inter-hunk-context=0', '--full-index', '--diff-algorithm=myers', '--indent-heuristic', '--no-color', '--no-ext-diff', '--no-textconv',
    '--ignore-submodules=none', '--submodule=short', '-O/dev/null', `--format=${COMMIT_FORMAT}`, '--stdin',
  ];
}

const NUL = 0;
const NL = 0x0a;
const COLON = 0x3a;

export class CommitStream {
  private readonly child;
  private readonly bytes = new ByteQueue();
  /** Index of the commit whose record is being read. */
  private current = 0;
  /** Where to look for the next marker, from the start of the unread bytes. */
  private searchFrom = 0;
  private readonly ready: StreamedCommit[] = [];
  private ended = false;
  private broken = false;
  private paused = false;
  private wake: (() => void) | undefined;

  constructor(
    cwd: string,
    git: string,
    private readonly shas: readonly string[],
    private readonly diff: StreamDiff,
    private readonly highWater: number,
  ) {
    const args = diff === 'changes' ? changesLogArgs() : commitLogArgs(diff === 'numstat');
    this.child = startGit(args, { cwd, git, env: { GIT_OPTIONAL_LOCKS: '0' } }, (code) => this.finish(code === 0));
    this.child.stdout.on('data', (chunk: Buffer) => this.read(chunk));
    this.child.stdin.end(shas.join('\n') + '\n');
  }

  /**
   * The next `n` commits in order; fewer when git failed or its output could not be read (the
   * caller reads those itself).
   */
  async take(n: number): Promise<StreamedCommit[]> {
    while (this.ready.length < n && !this.ended) {
      this.resume();
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const out = this.ready.splice(0, n);
    if (this.ready.length < this.highWater) this.resume();
    return out;
  }

  /** Stops git (when the caller stops early). */
  close(): void {
    if (!this.ended) this.child.kill();
    this.ended = true;
  }

  private resume(): void {
    if (this.paused && !this.ended) {
      this.paused = false;
      this.child.stdout.resume();
    }
  }

  private read(chunk: Buffer): void {
    if (this.broken) return;
    this.bytes.push(chunk);
    for (;;) {
      if (this.current + 1 >= this.shas.length) break; // the last record ends with the output
      const marker = Buffer.from(`\u0001${this.shas[this.current + 1]}\0`, 'latin1');
      const all = this.bytes.view();
      const at = all.indexOf(marker, Math.max(1, this.searchFrom));
      if (at < 0) {
        this.searchFrom = Math.max(1, all.length - marker.length + 1);
        break;
      }
      const record = all.subarray(0, at);
      if (!fieldsComplete(record, this.diff)) {
        this.searchFrom = at + 1;
        continue;
      }
      if (!this.accept(record)) return;
      this.bytes.skip(at);
      this.searchFrom = 0;
    }
    if (this.ready.length >= this.highWater && !this.paused) {
      this.paused = true;
      this.child.stdout.pause();
    }
    this.notify();
  }

  /** Parses a complete record of the current commit; false (and nothing more is read) when it is not that commit's. */
  private accept(record: Buffer): boolean {
    const commit = parseRecord(record, this.diff);
    if (!commit || commit.info.sha !== this.shas[this.current]) {
      this.broken = true;
      return false;
    }
    this.ready.push(commit);
    this.current++;
    return true;
  }

  private finish(ok: boolean): void {
    // The last record is taken only from a git that finished well, and only when whole.
    if (ok && !this.broken && this.current === this.shas.length - 1) {
      const record = this.bytes.view();
      if (fieldsComplete(record, this.diff) && !patchHasNul(record, this.diff)) this.accept(record);
    }
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * True when every field of `record` ends with its NUL: the commit's own fields, then the diff's
 * records (`changes`: each `:` record with its one or two paths, up to the empty field before
 * the patch). A marker found inside a field leaves that field without its end.
 */
function fieldsComplete(record: Buffer, diff: StreamDiff): boolean {
  const pos = headerEnd(record);
  if (pos === undefined) return false;
  return diff === 'none' ? pos === record.length : diffEnd(record, pos, diff) !== undefined;
}

/** Where the diff records after the commit's fields (at `pos`) end, or undefined when one is cut. */
function diffEnd(record: Buffer, pos: number, diff: StreamDiff): { fieldsEnd: number; patchStart: number } | undefined {
  if (pos < record.length && record[pos] === NL) pos++;
  while (pos < record.length) {
    if (diff === 'changes' && record[pos] === NUL) return { fieldsEnd: pos, patchStart: pos + 1 };
    const nul = record.indexOf(NUL, pos);
    if (nul < 0) return undefined;
    if (diff === 'changes') {
      if (record[pos] !== COLON) return undefined;
      const status = record[record.lastIndexOf(0x20, nul) + 1];
      const paths = status === 0x52 /* R */ || status === 0x43 /* C */ ? 2 : 1;
      pos = nul + 1;
      for (let k = 0; k < paths; k++) {
        const end = record.indexOf(NUL, pos);
        if (end < 0) return undefined;
        pos = end + 1;
      }
    } else {
      pos = nul + 1;
    }
  }
  return { fieldsEnd: pos, patchStart: pos };
}

function patchHasNul(record: Buffer, diff: StreamDiff): boolean {
  if (diff !== 'changes') return false;
  const fields = headerEnd(record);
  const end = fields === undefined ? undefined : diffEnd(record, fields, diff);
  return !end || record.indexOf(NUL, end.patchStart) >= 0;
}

function headerEnd(record: Buffer): number | undefined {
  let pos = 0;
  for (let i = 0; i < COMMIT_FIELDS; i++) {
    const nul = record.indexOf(NUL, pos);
    if (nul < 0) return undefined;
    pos = nul + 1;
  }
  return pos;
}

/** One complete record (see {@link fieldsComplete}). */
function parseRecord(record: Buffer, diff: StreamDiff): StreamedCommit | undefined {
  const fields: string[] = [];
  let pos = 0;
  for (let i = 0; i < COMMIT_FIELDS; i++) {
    const nul = record.indexOf(NUL, pos);
    if (nul < 0) return undefined;
    fields.push(record.toString('utf8', pos, nul));
    pos = nul + 1;
  }
  const info = commitFromFields(fields, false);
  if (diff === 'none') return { info };
  if (diff === 'numstat') {
    const added: AddedLines[] = [];
    for (const rec of record.toString('utf8', pos).split('\0')) {
      const e = parseNumstat(rec.replace(/^\n/, ''));
      if (e) added.push(e);
    }
    return { info, added };
  }
  const end = diffEnd(record, pos, diff);
  if (!end) return undefined;
  const fieldsStart = pos < record.length && record[pos] === NL ? pos + 1 : pos;
  const raw = record.toString('utf8', fieldsStart, end.fieldsEnd);
  const paths = parseRawChanges(`${info.sha}\0${raw}`, new Set([info.sha])).get(info.sha) ?? [];
  return { info, paths, diffs: parsePatch(record.subarray(end.patchStart)) };
}
