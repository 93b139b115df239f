/**
 * The claims of a manifest checked against the commit itself. Everything git can prove is
 * recomputed and a mismatch fails the commit: each file's content hash, the committed text of
 * each AI range, the added lines and characters of each file (git's own diff, counted as the
 * commit flow counts them), why a file was not analysed (from its blob: bytes, size, mode,
 * encoding), that every changed file is listed, and that a range marked trivial is of a kind the
 * policy lets be trivial. What git cannot prove (that the ranges are all the AI lines) is the
 * trust boundary the README describes.
 *
 * Cost: linear in the manifest and the commit's diff; the git processes are the batched reads
 * of `forEachCommitProvenance` (none per file).
 */
import { computeFileContribution } from '../core/contribution/contribution';
import { LineSpan } from '../core/contribution/lineSpan';
import { MANIFEST_DIR, Manifest, ManifestFile, sha256Hex } from '../core/manifest/schema';
import { looksBinary, maxTrackedBytes } from '../core/persistence/tracking';
import { Policy } from '../core/policy/policy';
import { decodeUtf8 } from '../git/git';
import { ChangedPath, CommitChange, GitRepo, diffKey } from './git';
import { RuleId, Severity } from './findings';

export type AddFinding = (rule: RuleId, message: string, extra?: { severity?: Severity; file?: string; line?: number; endLine?: number }) => void;

/** The smallest size limit a user can set (`aiProvenance.maxFileSizeMB` minimum 0.1): a file at or under it is never too large. */
const SMALLEST_LIMIT_BYTES = maxTrackedBytes(0.1);

const GITLINK = '160000';
const SYMLINK = '120000';

/** The diff git shows for a changed path, or undefined when it printed none (see the commit flow's `diffOf`). */
function diffOf(change: CommitChange, c: ChangedPath): { binary: boolean; added: readonly LineSpan[] } | undefined {
  const hit = change.diffs.get(diffKey(c));
  if (hit || !c.newBlob) return hit;
  if (c.oldBlob === c.newBlob) return { binary: false, added: [] };
  // A type change (a symbolic link that became a file) is patched as a deletion and an addition.
  return change.diffs.get(diffKey({ ...c, oldBlob: undefined }));
}

export function checkContent(repo: GitRepo, sha: string, parent: string | undefined, m: Manifest, policy: Policy | undefined, add: AddFinding): void {
  const change = repo.changes(sha, parent);
  const changed = new Map<string, ChangedPath>();
  for (const c of change.paths) changed.set(c.path, c);
  // With rename detection an old path shows only as the source of a rename; a deletion listed by
  // the manifest for it is still a deletion.
  const renamedFrom = new Set<string>();
  for (const c of change.paths) if (c.oldPath !== undefined && c.status.startsWith('R')) renamedFrom.add(c.oldPath);

  // Deletions the diff does not confirm are looked up in the blobs read ahead in one batch. A path
  // with a line break cannot be batched and would cost a git process each (a crafted manifest of
  // many could stall CI): it is not looked up, as the entry is an error either way.
  const exists = (path: string): boolean => !/[\r\n]/.test(path) && repo.blob(sha, path) !== undefined;

  for (const f of m.files) {
    const c = changed.get(f.path);
    if (f.status === 'deleted') {
      if ((c && c.status === 'D') || (!c && renamedFrom.has(f.path) && !exists(f.path))) continue;
      if (exists(f.path)) add('file-hash-mismatch', `${f.path} is listed as deleted but exists in the commit`, { file: f.path });
      else add('file-missing', `${f.path} is listed as deleted but the commit does not delete it`, { file: f.path });
      continue;
    }
    if (f.skipped === 'submodule') {
      if (!c || c.newMode !== GITLINK || !c.newBlob) add('skip-mismatch', `${f.path} is listed as a submodule but the commit changes no submodule there`, { file: f.path });
      else if (sha256Hex(c.newBlob) !== f.sha256) add('file-hash-mismatch', `${f.path}: submodule commit ${c.newBlob.slice(0, 12)} does not match the manifest's hash`, { file: f.path });
      continue;
    }
    const blob = repo.blob(sha, f.path);
    if (!blob) {
      add('file-missing', `${f.path} is listed in the manifest but is not in the commit`, { file: f.path });
      continue;
    }
    const actual = sha256Hex(blob);
    if (actual !== f.sha256) {
      add('file-hash-mismatch', `${f.path}: committed content has SHA-256 ${actual.slice(0, 12)}…, the manifest says ${f.sha256?.slice(0, 12)}…`, { file: f.path, line: 1 });
      // The ranges are still checked one by one (which of them the change touched).
      const text = f.skipped === undefined ? decodeUtf8(blob) : undefined;
      if (text !== undefined) checkRanges(f, text, policy, add);
      continue;
    }
    if (!c) {
      add('manifest-mismatch', `${f.path} is listed in the manifest but the commit does not change it`, { file: f.path });
      continue;
    }
    if (f.skipped !== undefined) {
      checkSkipReason(repo, f, c, blob, add);
      continue;
    }
    if (c.newMode === GITLINK || c.newMode === SYMLINK) {
      add('skip-mismatch', `${f.path} is a ${c.newMode === GITLINK ? 'submodule' : 'symbolic link'} but the manifest lists it as text`, { file: f.path });
      continue;
    }
    const text = decodeUtf8(blob);
    if (text === undefined) {
      add('skip-mismatch', `${f.path} is not UTF-8 text but the manifest lists it as analysed`, { file: f.path });
      continue;
    }
    checkCounts(f, diffOf(change, c), text, add);
    checkRanges(f, text, policy, add);
  }

  // Every file the commit changes is listed: a file left out hides its lines from the share.
  const listed = new Set(m.files.map((f) => f.path));
  for (const c of change.paths) {
    if (c.path === MANIFEST_DIR || c.path.startsWith(`${MANIFEST_DIR}/`) || listed.has(c.path)) continue;
    if (c.status === 'D' || (c.oldPath !== undefined && listed.has(c.oldPath))) {
      add('manifest-mismatch', `${c.path} is ${c.status === 'D' ? 'deleted' : 'changed'} by the commit but not listed in the manifest`, { severity: 'warning', file: c.path });
      continue;
    }
    add('file-unlisted', `${c.path} is changed by the commit but not listed in the manifest (every changed file must be)`, { file: c.path });
  }
}

/** A reason for not analysing a file must be true of its committed blob. */
function checkSkipReason(repo: GitRepo, f: ManifestFile, c: ChangedPath, blob: Buffer, add: AddFinding): void {
  const old = c.oldBlob && c.oldMode !== GITLINK ? repo.object(c.oldBlob) : undefined;
  const no = (why: string): void => add('skip-mismatch', `${f.path} is listed as not analysed (${f.skipped}) but ${why}`, { file: f.path, line: 1 });
  switch (f.skipped) {
    case 'symlink':
      if (c.newMode !== SYMLINK) no(`the commit has a ${c.newMode === GITLINK ? 'submodule' : 'regular file'} there (mode ${c.newMode})`);
      return;
    case 'binary':
      if (c.newMode === SYMLINK) no('it is a symbolic link');
      else if (!looksBinary(blob) && !(old && looksBinary(old))) no('it is text: no NUL byte in the first 8000 bytes of either version');
      return;
    case 'too-large': {
      const size = Math.max(blob.length, old?.length ?? 0);
      if (size <= SMALLEST_LIMIT_BYTES) no(`it is ${size} bytes, under the smallest size limit (${SMALLEST_LIMIT_BYTES} bytes)`);
      return;
    }
    case 'not-utf8':
      if (decodeUtf8(blob) !== undefined) no('it is valid UTF-8');
      return;
  }
}

/** Added lines and characters as git's diff shows them, counted as the commit flow counts them. */
function checkCounts(f: ManifestFile, diff: { binary: boolean; added: readonly LineSpan[] } | undefined, text: string, add: AddFinding): void {
  if (!diff || diff.binary) {
    // No diff to count from (git's attributes call the file binary): at most every line is added.
    const lines = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (f.addedLines > lines) add('counts-mismatch', `${f.path}: the manifest claims ${f.addedLines} added lines, the committed file has ${lines}`, { file: f.path });
    return;
  }
  const counted = computeFileContribution({ text, added: diff.added, ranges: [], trivial: { kinds: [], maxCharacters: 0, singleLine: true } });
  const problems: string[] = [];
  if (counted.addedLines !== f.addedLines) problems.push(`${f.addedLines} added lines, git's diff shows ${counted.addedLines}`);
  if (counted.addedCharacters !== f.addedCharacters) problems.push(`${f.addedCharacters} added characters, git's diff shows ${counted.addedCharacters}`);
  if (problems.length) add('counts-mismatch', `${f.path}: the manifest claims ${problems.join('; ')}`, { file: f.path });
  // AI lines are added lines.
  let s = 0;
  for (const r of f.ranges) {
    while (s < diff.added.length && diff.added[s].start + diff.added[s].count < r.startLine) s++;
    const span = diff.added[s];
    if (!span || span.start + 1 > r.startLine || span.start + span.count < r.endLine) {
      add('range-invalid', `${f.path}: AI lines ${r.startLine}-${r.endLine} are not all lines this commit adds`, { file: f.path, line: r.startLine, endLine: r.endLine });
    }
  }
}

/** Each range's committed text (hash) and triviality. Lines are found once per file, so the cost is linear. */
function checkRanges(f: ManifestFile, text: string, policy: Policy | undefined, add: AddFinding): void {
  if (f.ranges.length === 0) return;
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  for (const r of f.ranges) {
    if (r.endLine > starts.length) {
      add('range-invalid', `${f.path}: AI lines ${r.startLine}-${r.endLine}: line range ${r.startLine}-${r.endLine} is beyond the end of the text (${starts.length} lines)`, { file: f.path, line: r.startLine });
      continue;
    }
    // rangeText(text, startLine, endLine): the lines joined with \n, without the last one's \n.
    const end = r.endLine < starts.length ? starts[r.endLine] - 1 : text.length;
    if (sha256Hex(text.slice(starts[r.startLine - 1], end)) !== r.sha256) {
      add('range-hash-mismatch', `${f.path}: committed text of AI lines ${r.startLine}-${r.endLine} does not match the manifest's hash`, { file: f.path, line: r.startLine, endLine: r.endLine });
    }
    if (r.trivial && policy) {
      const rule = policy.trivial;
      if (!rule.kinds.includes(r.kind) || rule.maxCharacters < 2) {
        const allowed = rule.kinds.length && rule.maxCharacters >= 2 ? `only ${rule.singleLine ? 'single-line ' : ''}edits of kind ${rule.kinds.join(', ')} under ${rule.maxCharacters} characters` : 'no AI edit';
        add('trivial-mismatch', `${f.path}: AI lines ${r.startLine}-${r.endLine} (${r.kind}) are marked trivial, but the policy makes ${allowed} trivial`, {
          file: f.path,
          line: r.startLine,
          endLine: r.endLine,
        });
      }
    }
  }
}
