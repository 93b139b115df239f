/**
 * Joins git's blame of a file with the provenance records of the commits it names: for each line,
 * whether an AI wrote it, with which tool and model, and the review its commit needed. Pure: the
 * blame output and the records are read by the adapter (src/git/blame.ts).
 *
 * A line's origin comes from the commit blame gives it, at the line number and path it had in that
 * commit (manifest ranges are in terms of the commit's own text, as blame's original line is):
 * - the commit has a manifest that lists the file: `ai` when the line is in one of its ranges, else
 *   `human`;
 * - a manifest that does not list the file, lists it as not analysed, or cannot be read: `unknown`;
 * - no manifest and `AI-Assisted: no`: `human`; no manifest otherwise: `unknown`;
 * - the commit is a boundary of a shallow clone (its lines may be older): `unknown`;
 * - not committed yet: from the live provenance state (see workTree.ts), else `unknown`.
 */
import { Manifest, ManifestFile, ManifestRange } from '../manifest/schema';
import { OriginKind } from '../provenance/origin';
import { Trailer, TRAILER_AI_ASSISTED, TRAILER_REVIEW_REQUIRED } from '../trailers/trailers';
import { BlameResult, isUncommitted } from './porcelain';

export type LineStatus = 'ai' | 'human' | 'unknown';

/** Why a line has its status (how the record was read). */
export type LineBasis =
  | 'manifest'
  | 'declared-no-ai'
  | 'undeclared'
  | 'invalid-manifest'
  | 'file-not-in-manifest'
  | 'file-not-analysed'
  | 'shallow-boundary'
  | 'uncommitted'
  | 'uncommitted-untracked';

/** What one commit's record says, as far as blame needs it. */
export interface CommitRecord {
  readonly sha: string;
  readonly author: string;
  readonly authorEmail: string;
  /** Author date, ISO 8601. */
  readonly date: string;
  readonly subject: string;
  /** Value of the last `AI-Assisted` trailer. */
  readonly declared?: string;
  readonly manifest?: Manifest;
  /** A manifest was found but is not valid. */
  readonly manifestInvalid?: boolean;
  /** Where the manifest was found (`file:<path>` or `note:<ref>`). */
  readonly manifestSource?: string;
  /** The review level the commit needed (Review-Required trailer, else the manifest's). */
  readonly reviewRequired?: string;
  /** Values of the review trailers (default `Reviewed-by`). */
  readonly reviewedBy: readonly string[];
  /** The change was flagged as AI-assisted (manifest, else the AI-Assisted trailer). */
  readonly flagged: boolean;
}

/** What the live provenance state says about one uncommitted line. */
export interface UncommittedLine {
  readonly status: LineStatus;
  readonly kind?: OriginKind;
  readonly tool?: string;
  readonly model?: string;
  /** Request or conversation id, when the capture recorded one. */
  readonly conversation?: string;
  /** When the AI text was recorded (ms since the epoch). */
  readonly recordedAt?: number;
}

export interface LineOrigin {
  /** 1-based line number in the blamed text. */
  readonly line: number;
  /** The commit that last changed the line; undefined when not committed yet. */
  readonly commit?: string;
  readonly origLine: number;
  readonly origPath: string;
  readonly status: LineStatus;
  readonly basis: LineBasis;
  readonly kind?: OriginKind;
  readonly tool?: string;
  readonly model?: string;
  readonly trivial?: boolean;
  readonly conversation?: string;
  /** The conversation's prompt (redacted), when the record keeps it (`prompts: text`). */
  readonly prompt?: string;
  /** SHA-256 of the redacted prompt, when the record keeps it (`hash` and `text`). */
  readonly promptSha256?: string;
  readonly recordedAt?: number;
  readonly content: string;
}

export interface Trailered {
  readonly trailers: readonly Trailer[];
}

function last(trailers: readonly Trailer[], key: string): string | undefined {
  const k = key.toLowerCase();
  let v: string | undefined;
  for (const t of trailers) if (t.key.toLowerCase() === k) v = t.value;
  return v;
}

/** A commit's record from its trailers and manifest (as `loadCommitProvenance` reads them). */
export function commitRecord(
  p: {
    readonly info: { readonly sha: string; readonly authorName: string; readonly authorEmail: string; readonly authorDate: string; readonly subject: string };
    readonly trailers: readonly Trailer[];
    readonly raw?: { readonly source: string };
    readonly manifest?: Manifest;
    readonly manifestErrors?: readonly unknown[];
  },
  reviewTrailers: readonly string[] = ['Reviewed-by'],
): CommitRecord {
  const declared = last(p.trailers, TRAILER_AI_ASSISTED);
  const keys = (reviewTrailers.length ? reviewTrailers : ['Reviewed-by']).map((k) => k.toLowerCase());
  const m = p.manifest;
  return {
    sha: p.info.sha,
    author: p.info.authorName,
    authorEmail: p.info.authorEmail,
    date: p.info.authorDate,
    subject: p.info.subject,
    ...(declared !== undefined ? { declared } : {}),
    ...(m ? { manifest: m } : {}),
    ...(p.raw && !m ? { manifestInvalid: true } : {}),
    ...(p.raw ? { manifestSource: p.raw.source } : {}),
    ...(() => {
      const level = last(p.trailers, TRAILER_REVIEW_REQUIRED) ?? (m?.flagged ? m.reviewRequired : undefined);
      return level ? { reviewRequired: level } : {};
    })(),
    reviewedBy: p.trailers.filter((t) => keys.includes(t.key.toLowerCase())).map((t) => t.value),
    flagged: m ? m.flagged : declared === 'yes',
  };
}

export interface JoinInput {
  readonly blame: BlameResult;
  /** Records of the commits blame names (a commit missing here reads as having no record). */
  readonly records: ReadonlyMap<string, CommitRecord>;
  /** Commits that are shallow-clone boundaries (their lines may come from history cut off). */
  readonly shallowBoundaries?: ReadonlySet<string>;
  /** Uncommitted lines by 1-based line number; undefined when the live state has no entry for the file. */
  readonly uncommitted?: ReadonlyMap<number, UncommittedLine>;
}

/** The AI range of `file` holding `line`, by binary search (ranges are sorted and disjoint). */
export function rangeAt(file: ManifestFile, line: number): ManifestRange | undefined {
  const r = file.ranges;
  let lo = 0;
  let hi = r.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (r[mid].endLine < line) lo = mid + 1;
    else if (r[mid].startLine > line) hi = mid - 1;
    else return r[mid];
  }
  return undefined;
}

export function joinBlame(input: JoinInput): LineOrigin[] {
  const fileIndex = new Map<string, Map<string, ManifestFile>>();
  const filesOf = (rec: CommitRecord): Map<string, ManifestFile> => {
    let m = fileIndex.get(rec.sha);
    if (!m) {
      m = new Map();
      for (const f of rec.manifest?.files ?? []) if (f.status !== 'deleted') m.set(f.path, f);
      fileIndex.set(rec.sha, m);
    }
    return m;
  };
  return input.blame.lines.map((l): LineOrigin => {
    const base = { line: l.finalLine, origLine: l.origLine, origPath: l.origPath, content: l.content };
    if (isUncommitted(l.sha)) {
      const u = input.uncommitted?.get(l.finalLine);
      if (!input.uncommitted) return { ...base, status: 'unknown', basis: 'uncommitted-untracked' };
      if (!u) return { ...base, status: 'unknown', basis: 'uncommitted' };
      return {
        ...base,
        status: u.status,
        basis: 'uncommitted',
        ...(u.kind ? { kind: u.kind } : {}),
        ...(u.tool ? { tool: u.tool } : {}),
        ...(u.model ? { model: u.model } : {}),
        ...(u.conversation ? { conversation: u.conversation } : {}),
        ...(u.recordedAt !== undefined ? { recordedAt: u.recordedAt } : {}),
      };
    }
    const commit = { ...base, commit: l.sha };
    if (input.shallowBoundaries?.has(l.sha)) return { ...commit, status: 'unknown', basis: 'shallow-boundary' };
    const rec = input.records.get(l.sha);
    if (!rec) return { ...commit, status: 'unknown', basis: 'undeclared' };
    if (rec.manifest) {
      const file = filesOf(rec).get(l.origPath);
      if (!file) return { ...commit, status: 'unknown', basis: 'file-not-in-manifest' };
      if (file.skipped) return { ...commit, status: 'unknown', basis: 'file-not-analysed' };
      const r = rangeAt(file, l.origLine);
      if (!r) return { ...commit, status: 'human', basis: 'manifest' };
      const c = r.conversation ? file.conversations?.find((x) => x.id === r.conversation) : undefined;
      return {
        ...commit,
        status: 'ai',
        basis: 'manifest',
        kind: r.kind,
        tool: r.tool,
        ...(r.model ? { model: r.model } : {}),
        trivial: r.trivial,
        ...(r.conversation ? { conversation: r.conversation } : {}),
        ...(c?.prompt !== undefined ? { prompt: c.prompt } : {}),
        ...(c?.promptSha256 !== undefined ? { promptSha256: c.promptSha256 } : {}),
      };
    }
    if (rec.manifestInvalid) return { ...commit, status: 'unknown', basis: 'invalid-manifest' };
    if (rec.declared === 'no') return { ...commit, status: 'human', basis: 'declared-no-ai' };
    return { ...commit, status: 'unknown', basis: 'undeclared' };
  });
}

export interface BlameCounts {
  readonly lines: number;
  readonly ai: number;
  readonly human: number;
  readonly unknown: number;
}

export function countLines(origins: readonly LineOrigin[]): BlameCounts {
  let ai = 0;
  let human = 0;
  let unknown = 0;
  for (const o of origins) {
    if (o.status === 'ai') ai++;
    else if (o.status === 'human') human++;
    else unknown++;
  }
  return { lines: origins.length, ai, human, unknown };
}
