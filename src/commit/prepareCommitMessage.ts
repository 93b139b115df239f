import * as fs from 'fs';
import * as path from 'path';
import { v4 as uuidv4 } from 'uuid';
import { buildManifest, sameClaims } from '../core/manifest/build';
import { Manifest, manifestRepoPath, parseManifest } from '../core/manifest/schema';
import { TRAILER_ASSISTED_BY, Trailer, buildTrailers } from '../core/trailers/trailers';
import { riskTexts } from './riskTexts';
import { configValue, findRepoRoot, gitDir as getGitDir, gitText, resolveCommit } from '../git/git';
import { attachPendingNote, readNote, readPendingNote, readStagedManifest, writePendingNote } from '../git/manifestStore';
import { StagedChange, computeStagedChange } from '../git/stagedChange';
import { applyTrailers, parseTrailers } from '../git/trailers';
import { STATE_DIR, StagedSnapshot, rangesForBlob, readSnapshot, writeFileAtomic } from './snapshot';

const HOOK_WRITTEN_FILE = 'hook-assisted-by.json';

/**
 * What the git hooks do (vscode-free; the CLI's `hook` subcommand calls these):
 * - `prepare-commit-msg` / `commit-msg` → {@link prepareCommitMessage}: computes the contribution of
 *   the change being committed from git and the extension's snapshot (`staged.json`), and merges
 *   our trailers into the message file;
 * - `post-commit` → {@link postCommit}: attaches a pending manifest as the new commit's note.
 *
 * A hook never blocks a commit: problems are reported as notes (printed by the CLI on stderr).
 */

export type HookName = 'prepare-commit-msg' | 'commit-msg' | 'post-commit';

export interface PrepareOptions {
  /** Which hook runs (default `prepare-commit-msg`). */
  readonly hook?: Exclude<HookName, 'post-commit'>;
  /** Third argument of `prepare-commit-msg` (a commit id for source `commit`). */
  readonly sha?: string;
  /** True for `git commit --amend`; by default detected from `env.AIP_GIT_COMMAND` (the hook's parent command line). */
  readonly amend?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly generator?: { readonly name: string; readonly version: string };
  readonly now?: () => Date;
}

export interface PrepareResult {
  /** True when the message file was rewritten. */
  readonly changed: boolean;
  /** The trailers written (empty when nothing was done). */
  readonly trailers: readonly Trailer[];
  readonly manifestId?: string;
  /** Where the manifest will be: already staged in the commit, or a note after the commit. */
  readonly manifestLocation?: 'repo' | 'notes';
  /** Messages for the user (stderr). */
  readonly notes: readonly string[];
}

/** True when a git command line (the parent of a hook) is a `git commit --amend`. */
export function isAmendCommand(commandLine: string | undefined): boolean {
  if (!commandLine) return false;
  const words = commandLine.split(/\s+/);
  const i = words.findIndex((w) => w === 'commit' || w.endsWith('/git-commit'));
  return i !== -1 && words.slice(i + 1).some((w) => w === '--amend');
}

/**
 * Merges AI Provenance's trailers into the commit message in `messageFile` (the hook's first
 * argument; `source` is its second: `message`, `template`, `merge`, `squash`, `commit` or empty).
 *
 * The contribution is computed against HEAD (HEAD's parent for `--amend`) from the blobs really
 * being committed (git honours `GIT_INDEX_FILE`, so `git commit -a` and `git commit <path>` are
 * measured on what they commit); AI ranges come from the extension's snapshot and are used only
 * for blobs the extension saw. Merge commits are left alone. A message with no text yet (the
 * editor is about to open) is left for the `commit-msg` hook, so that aborting the editor still
 * aborts the commit. When the user removed our trailers from the message box the snapshot says
 * `suppressed` and nothing is added.
 */
export async function prepareCommitMessage(repoRoot: string, messageFile: string, source = '', options: PrepareOptions = {}): Promise<PrepareResult> {
  const notes: string[] = [];
  const none = (note?: string): PrepareResult => ({ changed: false, trailers: [], notes: note ? [...notes, note] : notes });
  const hook = options.hook ?? 'prepare-commit-msg';
  const env = options.env ?? process.env;
  if (source === 'merge') return none('merge commit: trailers not added');
  const root = (await findRepoRoot(repoRoot)) ?? repoRoot;
  const gitDirPath = await getGitDir(root);
  const snap = readSnapshot(gitDirPath);
  if (snap === undefined) return none('no provenance snapshot for this repository (open it in VS Code with AI Provenance); trailers not added');
  if ('error' in snap) return none(`provenance snapshot unreadable (${snap.error}); trailers not added`);
  if (snap.trailers !== 'auto') return none(snap.trailers === 'suppressed' ? 'trailers were removed from the message box; not adding them' : 'trailers are turned off');

  let message: string;
  try {
    message = fs.readFileSync(messageFile, 'utf8');
  } catch (e) {
    return none(`cannot read ${messageFile}: ${(e as Error).message}`);
  }
  const commentChar = await commentCharOf(root);
  if (hook === 'prepare-commit-msg' && !hasContent(message, commentChar)) return none();

  const amend = options.amend ?? isAmendCommand(env.AIP_GIT_COMMAND);
  const head = await resolveCommit(root, 'HEAD');
  const base = amend && head ? ((await resolveCommit(root, 'HEAD^')) ?? null) : 'HEAD';
  const change = await computeStagedChange({
    root,
    base,
    maxFileBytes: snap.maxFileBytes,
    trivial: snap.policy.value.trivial,
    rangesFor: (f) => rangesForBlob(snap, f.path, f.blob),
    env,
  });
  notes.push(...change.notes, ...staleNotes(snap, change));
  if (!change.files.length) return none('nothing to commit in the measured change');

  const files = change.files;
  const aiLines = files.reduce((n, f) => n + f.aiLines, 0);
  const generator = options.generator ?? snap.generator;
  const now = (options.now ?? (() => new Date()))().toISOString();
  let manifest: Manifest | undefined;
  let location: 'repo' | 'notes' | undefined;
  const texts = await riskTexts(root, snap.policy.value, files, change.blobs);
  if (aiLines > 0) {
    const draft = (id: string): Manifest =>
      buildManifest({ id, createdAt: now, generator, base: change.base, policy: snap.policy.value, policySource: snap.policy.source, files, texts });
    const pendingId = snap.pendingManifestId;
    if (pendingId && snap.manifestLocation === 'repo') {
      const staged = await readStagedManifest(root, pendingId, env);
      if (staged && sameClaims(staged, draft(staged.id))) {
        manifest = staged;
        location = 'repo';
      }
    }
    if (!manifest) {
      const pending = readPendingNote(gitDirPath);
      if (pending && sameClaims(pending, draft(pending.id))) manifest = pending;
      else {
        manifest = draft(uuidv4());
        writePendingNote(gitDirPath, manifest);
        if (snap.manifestLocation === 'repo') notes.push('the manifest staged by the editor does not describe this commit exactly; it is stored as a git note (refs/notes/ai-provenance) instead');
      }
      location = 'notes';
    }
  }

  const decisionSource = manifest ?? buildManifest({ id: '00000000-0000-4000-8000-000000000000', createdAt: now, generator, base: change.base, policy: snap.policy.value, policySource: snap.policy.source, files, texts });
  const trailers = buildTrailers({
    totals: decisionSource.totals,
    flagged: decisionSource.flagged,
    reviewRequired: decisionSource.reviewRequired,
    manifestId: manifest?.id,
    risk: decisionSource.risk?.map((h) => h.id),
  });

  const ours = new Set([...(snap.assistedBy ?? []), ...readHookWritten(gitDirPath)]);
  // A message taken from a commit (--amend, -c/-C <commit>) carries that commit's Assisted-by lines: ours too.
  const reused = amend && head ? head : source === 'commit' && options.sha ? options.sha : undefined;
  if (reused) for (const v of await assistedByOfCommit(root, reused).catch(() => [] as string[])) ours.add(v);
  const r = await applyTrailers(message, trailers, { cwd: root, ourAssistedBy: ours, commentChar });
  if (r.error) return { changed: false, trailers: [], notes: [...notes, r.error] };
  if (r.changed) fs.writeFileSync(messageFile, r.message);
  // Remember the Assisted-by values we wrote, so that commit-msg (or a retried commit) replaces
  // them instead of taking them for the user's.
  const written = r.added.filter((t) => t.key === TRAILER_ASSISTED_BY).map((t) => t.value);
  const kept = [...ours].filter((v) => r.message.includes(`${TRAILER_ASSISTED_BY}: ${v}`));
  writeHookWritten(gitDirPath, [...new Set([...kept, ...written])]);
  return { changed: r.changed, trailers, manifestId: manifest?.id, manifestLocation: location, notes };
}

/** After a commit: attaches the pending manifest as HEAD's note when HEAD's message names it. */
export async function postCommit(repoRoot: string): Promise<string | undefined> {
  const root = (await findRepoRoot(repoRoot)) ?? repoRoot;
  const dir = await getGitDir(root);
  fs.rmSync(hookWrittenPath(dir), { force: true });
  return attachPendingNote(root, dir, (m) => parseTrailers(m, root));
}

function staleNotes(snap: StagedSnapshot, change: StagedChange): string[] {
  const out: string[] = [];
  for (const [p, blob] of change.blobs) {
    const f = snap.files.find((x) => x.path === p);
    if (f && f.versions.some((v) => v.ranges.length) && !f.versions.some((v) => v.blob === blob)) {
      out.push(`${p} changed after the editor last saw it; its AI lines are not counted`);
    }
  }
  return out;
}

/** `Assisted-by` values of the manifest a commit names (committed file or note). */
async function assistedByOfCommit(root: string, commit: string): Promise<string[]> {
  const message = await gitText(['log', '-1', '--format=%B', commit], { cwd: root });
  const ids = (await parseTrailers(message, root)).filter((t) => t.key.toLowerCase() === 'ai-provenance').map((t) => t.value);
  const id = ids[ids.length - 1];
  if (!id) return [];
  let m: Manifest | undefined = await readNote(root, commit);
  if (!m || m.id !== id) {
    const shown = await gitText(['show', `${commit}:${manifestRepoPath(id)}`], { cwd: root }).catch(() => undefined);
    const p = shown === undefined ? undefined : parseManifest(shown);
    m = p?.ok ? p.value : undefined;
  }
  return m ? m.totals.byTool.map((t) => (t.model ? `${t.tool}:${t.model}` : t.tool)) : [];
}

function hookWrittenPath(gitDirPath: string): string {
  return path.join(gitDirPath, STATE_DIR, HOOK_WRITTEN_FILE);
}

/** `Assisted-by` values a hook wrote into the message being committed (cleared after the commit). */
function readHookWritten(gitDirPath: string): string[] {
  try {
    const v = JSON.parse(fs.readFileSync(hookWrittenPath(gitDirPath), 'utf8')) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function writeHookWritten(gitDirPath: string, values: string[]): void {
  writeFileAtomic(hookWrittenPath(gitDirPath), JSON.stringify(values) + '\n');
}

async function commentCharOf(root: string): Promise<string> {
  const c = await configValue(root, 'core.commentChar').catch(() => undefined);
  return c && c !== 'auto' ? c[0] : '#';
}

function hasContent(message: string, commentChar: string): boolean {
  return message.split('\n').some((l) => l.trim() !== '' && !l.startsWith(commentChar));
}
