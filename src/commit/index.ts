import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { AiRange } from '../core/contribution/mapRanges';
import { ManifestLocation, PolicySource } from '../core/manifest/schema';
import { noRepositoryMessage, restoreTrailersUnavailable } from '../core/gitExtension/commitMode';
import { Policy, formatPercent } from '../core/policy/policy';
import { isAiKind } from '../core/provenance/origin';
import { TRAILER_ASSISTED_BY, Trailer } from '../core/trailers/trailers';
import { GitError, gitDir as getGitDir } from '../git/git';
import { hooksInstalled, installHooks, uninstallHooks } from '../git/hooks';
import { attachPendingNote } from '../git/manifestStore';
import { applyTrailers, parseTrailers } from '../git/trailers';
import { Services } from '../services';
import { effectivePolicy } from './effectivePolicy';
import { FlowRepository, RepositorySource } from './repositories';
import { StagedSnapshot, readSnapshot } from './snapshot';
import { RefreshResult, WorkingProvenance, refreshStagedState } from './stagedState';
import { repoRelative } from '../core/persistence/repo';

/**
 * The commit flow in the editor: for every git repository the built-in Git extension opens, keeps
 * the staged change's contribution, manifest, trailers and hook snapshot up to date as files are
 * staged and unstaged and as provenance changes, and writes the trailers into the Source Control
 * message box. Without the Git extension (disabled, `git.enabled: false`) the repositories are
 * found and watched with the git executable and everything but the message box still works
 * (see ./repositories.ts and src/core/gitExtension/commitMode.ts).
 *
 * Message box rules:
 * - Only our own trailer lines are ever replaced; the user's text and trailers stay as typed.
 * - Nothing is written into an empty box (a box holding only trailers would commit them as the
 *   subject); the trailers are added once the user has typed a message and paused.
 * - If the user deletes our trailers (and changes nothing else), that is taken as a decision:
 *   no trailers for this commit, in the box or from the hook, until the next commit or the
 *   command "AI Provenance: Restore Commit Trailers". If the whole message is replaced (e.g. a
 *   generated commit message), the trailers come back.
 * - VS Code's `git.addAICoAuthor` adds `Co-authored-by: Copilot` when it commits; we never write
 *   or remove `Co-authored-by`, so both coexist without duplicates or edits to each other.
 */

const REFRESH_DEBOUNCE_MS = 400;
const BOX_POLL_MS = 1000;
const BOX_IDLE_MS = 1200;

/** Facts about a repository's staged change, for the report and status bar. */
export interface StagedFacts {
  readonly root: string;
  readonly change: RefreshResult['change'];
  readonly decision: RefreshResult['decision'];
  readonly trailers: readonly Trailer[];
  readonly manifest?: { readonly id: string };
}

let current: CommitFlow | undefined;

/** The running commit flow (for the status bar and the report), if the extension started it. */
export function getCommitFlow(): CommitFlow | undefined {
  return current;
}

/** Starts the commit flow; everything it creates is disposed with the returned disposable. */
export function registerCommitFlow(services: Services): vscode.Disposable {
  const flow = new CommitFlow(services);
  current = flow;
  void flow.start();
  return new vscode.Disposable(() => {
    if (current === flow) current = undefined;
    flow.dispose();
  });
}

export class CommitFlow implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly repos = new Map<string, RepoFlow>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a repository's staged facts change. */
  readonly onDidChange = this.changed.event;
  private readonly source: RepositorySource;
  private gitMissingReported = false;

  constructor(readonly services: Services) {
    this.source = new RepositorySource(services, { open: (r) => this.open(r), close: (r) => this.close(r) });
    this.disposables.push(
      this.changed,
      this.source,
      vscode.commands.registerCommand('aiProvenance.installCommitHook', () => this.installHookCommand()),
      vscode.commands.registerCommand('aiProvenance.uninstallCommitHook', () => this.uninstallHookCommand()),
      vscode.commands.registerCommand('aiProvenance.restoreCommitTrailers', () => this.restoreTrailers()),
      // For the in-host tests: the Git extension's status and each repository's mode.
      vscode.commands.registerCommand('aiProvenance.internal.commitFlow', () => this.source.describe()),
      services.store.onDidChange((key) => this.onProvenanceChange(key)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('aiProvenance')) for (const r of this.repos.values()) r.schedule();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.start()),
    );
  }

  async start(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      this.services.log.info('commit flow: workspace not trusted; git is not run and no trailers are written');
      return;
    }
    await this.source.start();
  }

  /** Staged facts of the repository holding `uri` (or the first repository). */
  stagedFacts(uri?: vscode.Uri): StagedFacts | undefined {
    return this.repoFor(uri)?.facts();
  }

  /** Recomputes now and returns the facts of the repository holding `uri` (or the first one). */
  async refresh(uri?: vscode.Uri): Promise<StagedFacts | undefined> {
    const r = this.repoFor(uri);
    if (!r) return undefined;
    await r.refreshNow();
    return r.facts();
  }

  /** Status bar tooltip lines: the staged change's AI share. */
  tooltipLines(): string[] | undefined {
    const lines: string[] = [];
    for (const r of this.repos.values()) {
      const f = r.facts();
      if (!f || !f.change.files.length) continue;
      const totals = f.change.files.reduce((a, x) => ({ ai: a.ai + x.aiLines, added: a.added + x.addedLines }), { ai: 0, added: 0 });
      const name = this.repos.size > 1 ? ` (${path.basename(r.root)})` : '';
      lines.push(`Staged${name}: ${formatPercent(totals.ai, totals.added)} AI (${totals.ai} of ${totals.added} added lines)${f.decision.flagged ? ' \u2014 AI-assisted' : ''}`);
    }
    return lines.length ? lines : undefined;
  }

  /** Repo-relative path of `uri` in `root`, or undefined when outside. */
  static relative(root: string, uri: vscode.Uri): string | undefined {
    return uri.scheme === 'file' ? repoRelative(root, uri.fsPath) : undefined;
  }

  reportGitError(e: unknown, root: string): void {
    if (e instanceof GitError && e.kind === 'git-missing') {
      if (!this.gitMissingReported) {
        this.gitMissingReported = true;
        void vscode.window.showWarningMessage(`AI Provenance: ${e.message}. Commit trailers and manifests are not written.`);
      }
      this.services.log.warn(`commit flow: ${e.message}`);
      return;
    }
    this.services.log.warn(`commit flow (${root}): ${e instanceof Error ? e.message : String(e)}`);
  }

  fireChanged(): void {
    this.changed.fire();
  }

  private repoFor(uri?: vscode.Uri): RepoFlow | undefined {
    if (uri) {
      let best: RepoFlow | undefined;
      for (const r of this.repos.values()) {
        if (CommitFlow.relative(r.root, uri) !== undefined && (!best || r.root.length > best.root.length)) best = r;
      }
      if (best) return best;
    }
    return this.repos.values().next().value;
  }

  private open(repo: FlowRepository): void {
    const root = repo.rootUri.fsPath;
    this.repos.get(root)?.dispose();
    const flow = new RepoFlow(this, repo);
    this.repos.set(root, flow);
    flow.schedule();
    void flow.refreshHookScripts();
  }

  private close(repo: FlowRepository): void {
    const root = repo.rootUri.fsPath;
    const flow = this.repos.get(root);
    if (!flow?.isFor(repo)) return;
    flow.dispose();
    this.repos.delete(root);
    this.fireChanged();
  }

  private onProvenanceChange(key: string): void {
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(key);
    } catch {
      return;
    }
    let known = false;
    for (const r of this.repos.values()) {
      if (CommitFlow.relative(r.root, uri) === undefined) continue;
      known = true;
      r.schedule();
    }
    if (!known) this.source.noteFile(uri);
  }

  private async pickRepo(action: string): Promise<RepoFlow | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('AI Provenance: trust this workspace first; hooks are not installed in untrusted workspaces.');
      return undefined;
    }
    await this.start();
    const repos = [...this.repos.values()];
    if (!repos.length) {
      void vscode.window.showWarningMessage(noRepositoryMessage(this.source.gitNotFound));
      return undefined;
    }
    if (repos.length === 1) return repos[0];
    const active = vscode.window.activeTextEditor?.document.uri;
    const pick = await vscode.window.showQuickPick(
      repos.map((r) => ({ label: path.basename(r.root), description: r.root, repo: r, picked: !!active && CommitFlow.relative(r.root, active) !== undefined })),
      { placeHolder: `Repository to ${action}` },
    );
    return pick?.repo;
  }

  private async installHookCommand(): Promise<void> {
    const repo = await this.pickRepo('install the commit hook in');
    if (!repo) return;
    const cliPath = this.services.context.asAbsolutePath(path.join('dist', 'cli.js'));
    try {
      const r = await installHooks({ root: repo.root, cliPath, nodePath: process.execPath });
      const parts = [`installed ${r.installed.join(', ')} in ${r.hooksDir}`];
      if (r.chained.length) parts.push(`your existing ${r.chained.join(', ')} hook(s) still run first`);
      for (const s of r.skipped) parts.push(`${s.name} skipped: ${s.reason}`);
      this.services.log.info(`commit hook: ${parts.join('; ')}`);
      const msg = `AI Provenance: commit hook ${parts.join('; ')}.`;
      if (r.skipped.length) void vscode.window.showWarningMessage(msg);
      else void vscode.window.showInformationMessage(msg);
      repo.schedule();
    } catch (e) {
      this.reportGitError(e, repo.root);
      void vscode.window.showErrorMessage(`AI Provenance: could not install the commit hook: ${(e as Error).message}`);
    }
  }

  private async uninstallHookCommand(): Promise<void> {
    const repo = await this.pickRepo('remove the commit hook from');
    if (!repo) return;
    try {
      const removed = await uninstallHooks(repo.root);
      void vscode.window.showInformationMessage(
        removed.length ? `AI Provenance: removed ${removed.join(', ')} (hooks that were there before are back).` : 'AI Provenance: no commit hook of ours was installed.',
      );
    } catch (e) {
      void vscode.window.showErrorMessage(`AI Provenance: could not remove the commit hook: ${(e as Error).message}`);
    }
  }

  /** Returns the message shown when no repository has a message box (for tests). */
  private async restoreTrailers(): Promise<string | undefined> {
    if (vscode.workspace.isTrusted) await this.source.start();
    const withBox = [...this.repos.values()].filter((r) => r.hasMessageBox);
    for (const r of withBox) r.restoreTrailers();
    if (withBox.length) return undefined;
    const message = restoreTrailersUnavailable(this.source.problem());
    this.services.log.info(message);
    void vscode.window.showWarningMessage(message);
    return message;
  }

  dispose(): void {
    for (const r of this.repos.values()) r.dispose();
    this.repos.clear();
    for (const d of this.disposables) d.dispose();
  }
}

const documentIds = new WeakMap<vscode.TextDocument, number>();
let nextDocumentId = 1;

/** A number for each open document object (a document closed and opened again gets a new one). */
function documentId(document: vscode.TextDocument): number {
  let id = documentIds.get(document);
  if (id === undefined) {
    id = nextDocumentId++;
    documentIds.set(document, id);
  }
  return id;
}

/** The commit flow of one repository. */
class RepoFlow implements vscode.Disposable {
  readonly root: string;
  private gitDir: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private latest: RefreshResult | undefined;
  private head: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly poll: NodeJS.Timeout | undefined;
  private boxTimer: NodeJS.Timeout | undefined;
  private lastSeenBox: string;
  /** When the box was last seen to change (by the poll). */
  private lastBoxChangeAt = 0;
  /** The box value after our last write (undefined: we have not written since the last commit). */
  private lastWritten: string | undefined;
  /** `Assisted-by` values we wrote into the box. */
  private assistedBy: string[] = [];
  private suppressed = false;
  private badPolicyShown: string | undefined;
  private disposed = false;

  constructor(
    private readonly flow: CommitFlow,
    private readonly repo: FlowRepository,
  ) {
    this.root = repo.rootUri.fsPath;
    this.lastSeenBox = repo.inputBox?.value ?? '';
    this.disposables.push(repo.state.onDidChange(() => this.onRepoState()));
    if (repo.onDidCommit) this.disposables.push(repo.onDidCommit(() => void this.afterCommit()));
    this.head = repo.state.HEAD?.commit;
    this.poll = repo.inputBox ? setInterval(() => this.watchBox(), BOX_POLL_MS) : undefined;
  }

  /** False for a repository reached without the Git extension: there is no message box. */
  get hasMessageBox(): boolean {
    return !!this.repo.inputBox;
  }

  isFor(repo: FlowRepository): boolean {
    return this.repo === repo;
  }

  facts(): StagedFacts | undefined {
    const l = this.latest;
    if (!l) return undefined;
    return { root: this.root, change: l.change, decision: l.decision, trailers: l.trailers, ...(l.manifest ? { manifest: { id: l.manifest.id } } : {}) };
  }

  schedule(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refreshNow();
    }, REFRESH_DEBOUNCE_MS);
  }

  /** Runs a refresh (serialised: a request during a run runs once more afterwards). */
  async refreshNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.refreshOnce();
        } catch (e) {
          this.flow.reportGitError(e, this.root);
        }
      } while (this.again && !this.disposed);
    })();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  restoreTrailers(): void {
    this.suppressed = false;
    this.lastWritten = undefined;
    this.schedule();
  }

  async refreshHookScripts(): Promise<void> {
    try {
      if (!vscode.workspace.isTrusted || !(await hooksInstalled(this.root))) return;
      // Re-point installed hooks at this version of the extension (its path changes on update).
      await installHooks({ root: this.root, cliPath: this.flow.services.context.asAbsolutePath(path.join('dist', 'cli.js')), nodePath: process.execPath });
    } catch (e) {
      this.flow.reportGitError(e, this.root);
    }
  }

  private onRepoState(): void {
    const head = this.repo.state.HEAD?.commit;
    if (head !== this.head) {
      this.head = head;
      void this.afterCommit();
      return;
    }
    this.schedule();
  }

  /** After a commit (from the SCM view, a terminal or anywhere): attach a pending note, start afresh. */
  private async afterCommit(): Promise<void> {
    this.suppressed = false;
    this.lastWritten = undefined;
    this.assistedBy = [];
    try {
      const dir = await this.getGitDir();
      const id = await attachPendingNote(this.root, dir, (m) => parseTrailers(m, this.root));
      if (id) this.flow.services.log.info(`commit flow: manifest ${id} stored as a git note of the new commit`);
    } catch (e) {
      this.flow.reportGitError(e, this.root);
    }
    this.schedule();
  }

  private async getGitDir(): Promise<string> {
    this.gitDir ??= await getGitDir(this.root);
    return this.gitDir;
  }

  private async refreshOnce(): Promise<void> {
    if (this.disposed || !vscode.workspace.isTrusted) return;
    const dir = await this.getGitDir();
    const config = vscode.workspace.getConfiguration('aiProvenance', this.repo.rootUri);
    const policy = await this.policy(config);
    const location = config.get<ManifestLocation>('manifest.location', 'repo') === 'notes' ? 'notes' : 'repo';
    const trailersEnabled = config.get<boolean>('trailers.enabled', true);
    const maxMB = config.get<number>('maxFileSizeMB', 10);
    const previous = readSnapshot(dir);
    const result = await refreshStagedState({
      root: this.root,
      gitDir: dir,
      policy,
      manifestLocation: location,
      maxFileBytes: Math.max(0.1, maxMB) * 1024 * 1024,
      generator: { name: 'ai-provenance', version: String(this.flow.services.context.extension.packageJSON.version ?? '0.0.0') },
      trailers: !trailersEnabled ? 'off' : this.suppressed ? 'suppressed' : 'auto',
      assistedBy: this.assistedBy,
      working: this.working(),
      previous: previous && !('error' in previous) ? (previous as StagedSnapshot) : undefined,
    });
    this.latest = result;
    if (result.empty) this.suppressed = false;
    for (const n of result.change.notes) this.flow.services.log.debug(`commit flow: ${n}`);
    this.flow.fireChanged();
    if (trailersEnabled) this.updateBoxWhenIdle();
  }

  /** Working-copy AI ranges of the files of this repository (open text, or the file on disk). */
  private working(): Map<string, WorkingProvenance> {
    const out = new Map<string, WorkingProvenance>();
    const store = this.flow.services.store;
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
    for (const key of store.keys()) {
      let uri: vscode.Uri;
      try {
        uri = vscode.Uri.parse(key);
      } catch {
        continue;
      }
      const rel = CommitFlow.relative(this.root, uri);
      if (rel === undefined) continue;
      const doc = store.get(key);
      if (!doc) continue;
      const ranges: AiRange[] = doc
        .ranges()
        .filter((r) => isAiKind(r.origin.kind))
        .map((r) => ({ start: r.start, end: r.end, origin: r.origin, text: r.text }));
      if (!ranges.length) continue;
      const document = open.get(key);
      let text = document?.getText();
      if (text === undefined) {
        try {
          text = fs.readFileSync(uri.fsPath, 'utf8');
        } catch {
          continue;
        }
      }
      // An open document's text is known by its version; a file read from disk has no version.
      const version = document ? `${documentId(document)}:${document.version}:${doc.version}` : undefined;
      out.set(rel, { text, ranges, ...(version !== undefined ? { version } : {}) });
    }
    return out;
  }

  /** Settings layer (explicit values only) under the repository's committed `.ai-provenance.json`. */
  private async policy(config: vscode.WorkspaceConfiguration): Promise<{ source: PolicySource; value: Policy }> {
    const explicit = (key: string): unknown => {
      const i = config.inspect(key);
      return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    };
    const p = await effectivePolicy(this.root, {
      nonTrivialLines: explicit('policy.nonTrivialLines'),
      percentOfAddedLines: explicit('policy.percentOfAddedLines'),
      trivialKinds: explicit('policy.trivialKinds'),
      trivialMaxCharacters: explicit('policy.trivialMaxCharacters'),
      reviewRequired: explicit('policy.reviewRequired'),
    });
    const key = p.problems.join('\n');
    if (key && this.badPolicyShown !== key) {
      this.badPolicyShown = key;
      this.flow.services.log.warn(`commit flow: ${key.replace(/\n/g, '; ')}`);
      void vscode.window.showWarningMessage(`AI Provenance: ${p.problems[p.problems.length - 1].split('\n').join(' ')}`);
    }
    return { source: p.source, value: p.value };
  }

  private watchBox(): void {
    if (!this.repo.inputBox) return;
    const value = this.repo.inputBox.value;
    if (value === this.lastSeenBox) return;
    this.lastSeenBox = value;
    this.lastBoxChangeAt = Date.now();
    this.updateBoxWhenIdle();
  }

  /**
   * Writes the trailers once the user has stopped typing: the box must hold what the poll saw, and
   * have held it for BOX_IDLE_MS. Writing into a box being typed in would put the next keys after
   * the trailers.
   */
  private updateBoxWhenIdle(): void {
    const box = this.repo.inputBox;
    if (!box || this.disposed) return;
    if (box.value !== this.lastSeenBox) {
      this.lastSeenBox = box.value;
      this.lastBoxChangeAt = Date.now();
    }
    const wait = BOX_IDLE_MS - (Date.now() - this.lastBoxChangeAt);
    if (this.boxTimer) clearTimeout(this.boxTimer);
    if (wait <= 0) {
      this.boxTimer = undefined;
      void this.updateBox().catch((e) => this.flow.reportGitError(e, this.root));
      return;
    }
    this.boxTimer = setTimeout(() => {
      this.boxTimer = undefined;
      this.updateBoxWhenIdle();
    }, wait);
  }

  /** Puts the current trailers into the message box (see the rules at the top of this file). */
  private async updateBox(): Promise<void> {
    const latest = this.latest;
    const box = this.repo.inputBox;
    if (!latest || this.disposed || !box) return;
    const value = box.value;
    const options = { cwd: this.root, ourAssistedBy: this.assistedBy };
    if (this.lastWritten !== undefined && value !== this.lastWritten && !this.suppressed) {
      const withoutOurs = await applyTrailers(this.lastWritten, [], options);
      if (withoutOurs.changed && withoutOurs.message.trimEnd() === value.trimEnd()) {
        this.suppressed = true;
        this.lastWritten = value;
        this.flow.services.log.info('commit flow: our trailers were removed from the message box; none are added to this commit');
        this.schedule(); // the hook snapshot must say so too
        return;
      }
    }
    if (this.suppressed) return;
    const hasText = value.split('\n').some((l) => l.trim() !== '');
    if (!hasText) return;
    const r = await applyTrailers(value, latest.trailers, options);
    if (r.error) {
      this.flow.services.log.warn(`commit flow: message box not updated: ${r.error}`);
      return;
    }
    const kept = this.assistedBy.filter((v) => latest.trailers.some((t) => t.key === TRAILER_ASSISTED_BY && t.value === v) && r.message.includes(`${TRAILER_ASSISTED_BY}: ${v}`));
    const added = r.added.filter((t) => t.key === TRAILER_ASSISTED_BY).map((t) => t.value);
    const nextAssistedBy = [...new Set([...kept, ...added])];
    if (nextAssistedBy.join('\n') !== this.assistedBy.join('\n')) {
      this.assistedBy = nextAssistedBy;
      this.schedule(); // the hook snapshot records which Assisted-by lines are ours
    }
    if (r.changed) {
      // The user typed meanwhile (or just before, unseen by the poll): wait for the next pause.
      if (box.value !== value || value !== this.lastSeenBox || Date.now() - this.lastBoxChangeAt < BOX_IDLE_MS) return this.updateBoxWhenIdle();
      box.value = r.message;
      this.lastSeenBox = r.message;
    }
    this.lastWritten = r.message;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.boxTimer) clearTimeout(this.boxTimer);
    if (this.poll) clearInterval(this.poll);
    for (const d of this.disposables) d.dispose();
  }
}
