/**
 * Parses the output of `git blame --porcelain` (also accepts `--line-porcelain`). Pure.
 *
 * Each line of the file is a header `<sha> <orig line> <final line> [<lines in group>]`, then, the
 * first time a commit appears, its details (`author`, `author-mail`, `summary`, `boundary`,
 * `filename`, ...), then the line's content after a TAB. git repeats `filename` for a commit seen
 * again only when that commit's lines come from more than one path; otherwise the path is the one
 * given with the commit's first appearance.
 */

export interface BlameLine {
  /** 1-based line number in the blamed text. */
  readonly finalLine: number;
  /** Full id of the commit that last changed the line (all zeros: not committed yet). */
  readonly sha: string;
  /** 1-based line number in that commit's version of the file (`origPath`). */
  readonly origLine: number;
  /** Path of the file in that commit (differs after a rename, or with -C from another file). */
  readonly origPath: string;
  /** Line content without its newline. */
  readonly content: string;
}

export interface BlameCommit {
  readonly sha: string;
  /** The commit's details in the order git gave them (`author`, `author-time`, `summary`, ...). */
  readonly details: ReadonlyArray<readonly [string, string]>;
  /** True when git marked the commit `boundary` (the bottom of the history blame walked). */
  readonly boundary: boolean;
}

export interface BlameResult {
  readonly lines: BlameLine[];
  /** Commits in the order they first appear. */
  readonly commits: Map<string, BlameCommit>;
}

const HEADER = /^([0-9a-f]{40,64}) (\d+) (\d+)(?: \d+)?$/;

/** True for the id git gives lines that are not committed yet. */
export function isUncommitted(sha: string): boolean {
  return /^0+$/.test(sha);
}

export function parseBlamePorcelain(output: string): BlameResult {
  const lines: BlameLine[] = [];
  const commits = new Map<string, BlameCommit>();
  const pathOf = new Map<string, string>();
  let pos = 0;
  const n = output.length;
  while (pos < n) {
    let nl = output.indexOf('\n', pos);
    if (nl === -1) nl = n;
    const header = output.slice(pos, nl);
    pos = nl + 1;
    if (header === '') continue;
    const m = HEADER.exec(header);
    if (!m) throw new Error(`unexpected line in git blame output: ${header.slice(0, 80)}`);
    const sha = m[1];
    let details: Array<[string, string]> | undefined;
    let filename: string | undefined;
    let boundary = false;
    for (;;) {
      if (pos >= n) throw new Error('git blame output ends inside a line record');
      let end = output.indexOf('\n', pos);
      if (end === -1) end = n;
      const line = output.slice(pos, end);
      pos = end + 1;
      if (line.startsWith('\t')) {
        if (!commits.has(sha)) commits.set(sha, { sha, details: details ?? [], boundary });
        if (filename !== undefined) pathOf.set(sha, filename);
        const origPath = filename ?? pathOf.get(sha);
        if (origPath === undefined) throw new Error(`git blame output gives no file name for commit ${sha}`);
        lines.push({ finalLine: Number(m[3]), sha, origLine: Number(m[2]), origPath, content: line.slice(1) });
        break;
      }
      const sp = line.indexOf(' ');
      const key = sp === -1 ? line : line.slice(0, sp);
      const value = sp === -1 ? '' : line.slice(sp + 1);
      if (key === 'filename') filename = unquote(value);
      else if (key === 'boundary') boundary = true;
      else (details ??= []).push([key, value]);
    }
  }
  return { lines, commits };
}

/** git quotes a file name with unusual characters in C style ("a\tb", octal escapes for bytes). */
export function unquote(name: string): string {
  if (!(name.length >= 2 && name.startsWith('"') && name.endsWith('"'))) return name;
  const bytes: number[] = [];
  const body = name.slice(1, -1);
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1];
    if (/[0-7]/.test(next ?? '')) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
