import * as fs from 'fs';
import * as path from 'path';
import { v4 as uuidv4 } from 'uuid';
import { buildManifest, sameClaims } from '../core/manifest/build';
import { Manifest, ManifestFile } from '../core/manifest/schema';
import { maxTrackedBytes } from '../core/persistence/tracking';
import { hasMessageContent, messageCommentChar } from '../core/trailers/commentChar';
import { TRAILER_AI_ASSISTED, TRAILER_ASSISTED_BY, Trailer, buildTrailers } from '../core/trailers/trailers';
import { VERSION } from '../version';
import { riskTexts } from './riskTexts';
import { GitResult, configValue, findRepoRoot, gitDir as getGitDir, gitText, resolveCommit, workTreeDirsAndHead } from '../git/git';
import { HOOK_WRITTEN_FILE, PREPARED_MESSAGE_FILE } from '../git/hooks';
import { attachPendingNote, readPendingNote, readStagedManifest, writePendingNote } from '../git/manifestStore';
import { StagedContribution, computeStagedChange } from '../governance/stagedContribution';
import { applyTrailers, parseTrailers } from '../git/trailers';
import { effectivePolicy, readCommittedPolicy } from './effectivePolicy';
import { CarriedProvenance, carriedManifest, detectRewrite, manifestOfCommit, withUnknownLines } from './rewriteCarry';
import { SNAPSHOT_SCHEMA, SNAPSHOT_VERSION, HookSnapshot, rangesForBlob, readSnapshot, snapshotPath } from './snapshot';
import { writeFileAtomicSync } from '../core/persistence/atomicWrite';
import { repoStateDir } from '../core/persistence/repo';
import { StateRanges } from './stateRanges';


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
  /**
   * True for `git commit --amend`; by default detected from the hook's parent command line:
   * `env.AIP_GIT_COMMAND`, or the command line of the process `env.AIP_GIT_PID` names in /proc.
   */
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

/** The command line of the git process that runs the hook, as the hook script passed it (see `hookScript`). */
export function gitCommandLine(env: NodeJS.ProcessEnv): string | undefined {
  if (env.AIP_GIT_COMMAND !== undefined) return env.AIP_GIT_COMMAND;
  const pid = env.AIP_GIT_PID;
  if (!pid || !/^[1-9][0-9]*$/.test(pid)) return undefined;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
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
 * The contribution is computed against HEAD (HEAD's parent when HEAD is replaced: `--amend`, an
 * interactive squash/fixup) from the blobs really being committed (git honours
 * `GIT_INDEX_FILE`, so `git commit -a` and `git commit <path>` are measured on what they commit),
 * with the same code as the extension's staged summary. AI ranges come from the extension's
 * snapshot for the blobs it saw, otherwise from the saved provenance (`state.json`, also written
 * by `ai-provenance checkpoint`); the AI lines of the commits being rewritten (amend, rebase,
 * cherry-pick, squash) are carried onto the new blobs by content (rewriteCarry.ts). Merge
 * commits are left alone, and so is a message with no text (prepare-commit-msg: the editor is
 * about to open; commit-msg: git then aborts the commit). When the user removed our trailers
 * from the message box the snapshot says `suppressed` and nothing is added.
 */
export async function prepareCommitMessage(repoRoot: string, messageFile: string, source = '', options: PrepareOptions = {}): Promise<PrepareResult> {
  if (source === 'merge') return { changed: false, trailers: [], notes: ['merge commit: trailers not added'] };
  // The work tree, the git dir and HEAD in one git process (HEAD apart when that fails), and at
  // the same time the comment character: git reads the same configuration from any folder of the
  // work tree (read again from the work tree's top when the first process finds none).
  const comment = configValue(repoRoot, 'core.commentChar');
  comment.catch(() => undefined);
  // The committed settings are read when the editor left no snapshot: started now too when there
  // is none where most repositories keep it (`<work tree>/.git`). Only when it starts depends on
  // that guess; its result is used only when no snapshot is found in the git dir git names.
  const committed = fs.existsSync(snapshotPath(path.join(repoRoot, '.git'))) ? undefined : readCommittedPolicy(repoRoot);
  committed?.catch(() => undefined);
  const dirs = await workTreeDirsAndHead(repoRoot);
  const root = dirs?.root ?? (await findRepoRoot(repoRoot)) ?? repoRoot;
  const gitDirPath = dirs?.gitDir ?? (await getGitDir(root));
  const head = dirs ? Promise.resolve(dirs.head) : resolveCommit(root, 'HEAD');
  head.catch(() => undefined); // a failure surfaces where it is awaited
  const commentChar = dirs ? comment : configValue(root, 'core.commentChar');
  commentChar.catch(() => undefined);
  const reading: Reading = { head, commentChar, committed: dirs ? committed : undefined };
  if (options.hook !== 'prepare-commit-msg') return prepareIn(root, gitDirPath, messageFile, source, options, reading);
  // The message as this hook leaves it, for commit-msg to compare with (see PREPARED_MESSAGE_FILE):
  // removed first, so that a run that fails leaves none.
  const kept = path.join(repoStateDir({ gitDir: gitDirPath }), PREPARED_MESSAGE_FILE);
  fs.rmSync(kept, { force: true });
  const result = await prepareIn(root, gitDirPath, messageFile, source, options, reading);
  try {
    writeFileAtomicSync(kept, fs.readFileSync(messageFile), { durable: false });
  } catch {
    // Without it commit-msg does the work again.
  }
  return result;
}

/** What git is already reading for the hook: HEAD's commit, and `core.commentChar`. */
interface Reading {
  readonly head: Promise<string | undefined>;
  readonly commentChar: Promise<string | undefined>;
  /** `readCommittedPolicy` of the repository, when started. */
  readonly committed?: Promise<GitResult>;
}

async function prepareIn(root: string, gitDirPath: string, messageFile: string, source: string, options: PrepareOptions, reading: Reading): Promise<PrepareResult> {
  const notes: string[] = [];
  const none = (note?: string): PrepareResult => ({ changed: false, trailers: [], notes: note ? [...notes, note] : notes });
  const env = options.env ?? process.env;
  // commit-msg gets no source: a merge in progress is known by MERGE_HEAD.
  if (fs.existsSync(path.join(gitDirPath, 'MERGE_HEAD'))) return none('merge commit: trailers not added');

  let message: string;
  try {
    message = fs.readFileSync(messageFile, 'utf8');
  } catch (e) {
    return none(`cannot read ${messageFile}: ${(e as Error).message}`);
  }
  const read = readSnapshot(gitDirPath);
  const fromEditor = read !== undefined && !('error' in read) ? read : undefined;
  // Without the editor's snapshot the committed settings are read at the same time.
  const settingsReading = fromEditor ? undefined : hookSnapshot(root, reading.committed);
  settingsReading?.catch(() => undefined);
  const configuredComment = await reading.commentChar.catch(() => undefined);
  const commentChar = messageCommentChar(configuredComment, message);
  // An empty message: prepare-commit-msg leaves it for commit-msg (the editor is about to open);
  // commit-msg leaves it so that git aborts the commit as it would without the hook.
  if (!hasMessageContent(configuredComment, message)) return none();

  const snapProblem = read !== undefined && 'error' in read ? read.error : undefined;
  if (snapProblem) notes.push(`provenance snapshot unreadable (${snapProblem}); using the saved provenance instead`);
  if (fromEditor && fromEditor.trailers !== 'auto') return none(fromEditor.trailers === 'suppressed' ? 'trailers were removed from the message box; not adding them' : 'trailers are turned off');
  let snap: HookSnapshot;
  if (fromEditor) snap = fromEditor;
  else {
    const settings = await settingsReading!;
    notes.push(...settings.problems);
    snap = settings.snapshot;
  }
  const state = StateRanges.read(gitDirPath);
  if (state.problem) notes.push(`${state.problem}; AI text recorded there is not counted`);

  const amend = options.amend ?? isAmendCommand(gitCommandLine(env));
  const head = await reading.head;
  const rewrite = await detectRewrite({ root, gitDir: gitDirPath, amend, head: head ?? null });
  const carried = rewrite ? await CarriedProvenance.load(root, rewrite.originals) : undefined;
  if (rewrite && !amend && !rewrite.squash && !carried?.declaresAi && !(await anyDeclared(root, rewrite.originals))) {
    return none('rewritten commit declared nothing about AI; its message is left as it was');
  }
  const base = rewrite?.replacesHead && head ? ((await resolveCommit(root, 'HEAD^')) ?? null) : 'HEAD';
  const fromState = new Set<string>();
  const change = await computeStagedChange({
    root,
    base,
    resolvedBase: base === 'HEAD' ? (head ?? null) : undefined,
    maxFileBytes: snap.maxFileBytes,
    trivial: snap.policy.value.trivial,
    rangesFor: (f) => {
      const own = snapshotHas(snap, f.path, f.blob) ? rangesForBlob(snap, f.path, f.blob) : state.has(f.path) ? (fromState.add(f.path), state.rangesFor(f.path, f.text)) : [];
      return carried ? [...own, ...carried.rangesFor(f.path, f.text)] : own;
    },
    env,
  });
  notes.push(...change.notes, ...staleNotes(snap, change, fromState));
  if (!change.files.length) return none('nothing to commit in the measured change');

  const files = carried ? withUnknownLines(change.files, carried) : change.files;
  const unknown = files.reduce((n, f) => n + (f.unknownLines ?? 0), 0);
  const aiLines = files.reduce((n, f) => n + f.aiLines, 0);
  const generator = options.generator ?? snap.generator;
  const now = (options.now ?? (() => new Date()))().toISOString();
  const texts = await riskTexts(root, snap.policy.value, files, change.blobs);
  const draft = (id: string): Manifest => {
    const m = buildManifest({ id, createdAt: now, generator, base: change.base, policy: snap.policy.value, policySource: snap.policy.source, files, texts, prompts: snap.prompts });
    return carried?.declaresAi ? carriedManifest(m, carried, unknown, rewrite!.originals) : m;
  };
  let manifest: Manifest | undefined;
  let location: 'repo' | 'notes' | undefined;
  if (aiLines > 0 || unknown > 0) {
    const pendingId = snap.pendingManifestId;
    if (pendingId && snap.manifestLocation === 'repo' && !carried?.declaresAi) {
      const staged = await readStagedManifest(root, pendingId, env);
      if (staged && sameClaims(staged, draft(staged.id))) {
        manifest = staged;
        location = 'repo';
      }
    }
    if (!manifest) {
      // The id of an equal pending manifest is kept (the hooks' own from an earlier run for this
      // commit, or the editor's, which its message box names). What this message names is written
      // to the hooks' own file, which post-commit attaches: the editor's refresh rewrites its file
      // whenever the index or HEAD moves, in the middle of a commit or a rebase too.
      const pending = [readPendingNote(gitDirPath, 'hook'), readPendingNote(gitDirPath, 'editor')].find((p) => p && sameClaims(p, draft(p.id)));
      manifest = pending ?? draft(uuidv4());
      writePendingNote(gitDirPath, manifest, 'hook');
      if (!pending && snap.manifestLocation === 'repo' && fromEditor && !rewrite) notes.push('the manifest staged by the editor does not describe this commit exactly; it is stored as a git note (refs/notes/ai-provenance) instead');
      location = 'notes';
    }
  }

  const decisionSource = manifest ?? draft('00000000-0000-4000-8000-000000000000');
  const trailers = buildTrailers({
    totals: decisionSource.totals,
    flagged: decisionSource.flagged,
    reviewRequired: decisionSource.reviewRequired,
    manifestId: manifest?.id,
    risk: decisionSource.risk?.map((h) => h.id),
  });

  const ours = new Set([...(snap.assistedBy ?? []), ...readHookWritten(gitDirPath)]);
  // A message taken from a commit (--amend, -c/-C <commit>, a rebase or cherry-pick) carries that commit's Assisted-by lines: ours too.
  for (const r of carried?.records ?? []) for (const t of r.manifest.totals.byTool) ours.add(t.model ? `${t.tool}:${t.model}` : t.tool);
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

/**
 * Settings for a commit the extension has not described (no snapshot: VS Code closed, or never
 * opened): the committed `.ai-provenance.json` over the defaults, the manifest as a git note
 * (a hook cannot add a file to the commit being made).
 */
async function hookSnapshot(root: string, committed?: Promise<GitResult>): Promise<{ snapshot: HookSnapshot; problems: readonly string[] }> {
  const policy = await effectivePolicy(root, {}, committed);
  const snapshot: HookSnapshot = {
    schema: SNAPSHOT_SCHEMA,
    version: SNAPSHOT_VERSION,
    writtenAt: new Date(0).toISOString(),
    generator: { name: 'ai-provenance', version: VERSION },
    head: null,
    policy: { source: policy.source, value: policy.value },
    manifestLocation: 'notes',
    maxFileBytes: maxTrackedBytes(undefined),
    trailers: 'auto',
    files: [],
  };
  return { snapshot, problems: policy.problems };
}

function snapshotHas(snap: HookSnapshot, path: string, blob: string): boolean {
  return !!snap.files.find((x) => x.path === path)?.versions.some((v) => v.blob === blob);
}

/** True when one of `commits` carries an AI-Assisted trailer. */
async function anyDeclared(root: string, commits: readonly string[]): Promise<boolean> {
  for (const c of commits) {
    const message = await gitText(['log', '-1', '--format=%B', c], { cwd: root }).catch(() => '');
    if ((await parseTrailers(message, root).catch(() => [])).some((t) => t.key.toLowerCase() === TRAILER_AI_ASSISTED.toLowerCase())) return true;
  }
  return false;
}

/** After a commit: attaches the pending manifest as HEAD's note when HEAD's message names it. */
export async function postCommit(repoRoot: string): Promise<string | undefined> {
  const root = (await findRepoRoot(repoRoot)) ?? repoRoot;
  const dir = await getGitDir(root);
  fs.rmSync(hookWrittenPath(dir), { force: true });
  fs.rmSync(path.join(repoStateDir({ gitDir: dir }), PREPARED_MESSAGE_FILE), { force: true });
  return attachPendingNote(root, dir, (m) => parseTrailers(m, root));
}

function staleNotes(snap: HookSnapshot, change: StagedContribution, fromState: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [p, blob] of change.blobs) {
    if (fromState.has(p)) continue;
    const f = snap.files.find((x) => x.path === p);
    if (f && f.versions.some((v) => v.ranges.length) && !f.versions.some((v) => v.blob === blob)) {
      out.push(`${p} changed after the editor last saw it; its AI lines are not counted`);
    }
  }
  return out;
}

/** `Assisted-by` values of the manifest a commit names (committed file or note). */
async function assistedByOfCommit(root: string, commit: string): Promise<string[]> {
  const m = await manifestOfCommit(root, commit);
  return m ? m.totals.byTool.map((t) => (t.model ? `${t.tool}:${t.model}` : t.tool)) : [];
}

function hookWrittenPath(gitDirPath: string): string {
  return path.join(repoStateDir({ gitDir: gitDirPath }), HOOK_WRITTEN_FILE);
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
  writeFileAtomicSync(hookWrittenPath(gitDirPath), JSON.stringify(values) + '\n', { durable: false });
}
