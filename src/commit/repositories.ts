import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  CommitMode,
  GitExtensionStatus,
  RepositoryFacts,
  folderDisabledProblem,
  gitExtensionProblem,
  hooksModeLogLine,
  planRepositories,
} from '../core/gitExtension/commitMode';
import { GitError, findRepoRoot, gitDir as getGitDir, resolveCommit } from '../git/git';
import { Services } from '../services';
import { GitAPI, GitBranch, GitExtension, GitInputBox, GitRepository } from './gitApi';
import { repoRelative } from '../core/persistence/repo';
import { RerunningTask } from '../core/scheduling/scheduling';

/**
 * The repositories the commit flow works on, through the built-in Git extension when it is
 * available and through the git executable when it is not (modes and rules in
 * src/core/gitExtension/commitMode.ts). Never throws, never waits for the Git extension for
 * more than {@link GIT_EXTENSION_WAIT_MS} before falling back; switches back when it comes.
 */

/** How long to wait for the Git extension to activate before working without it. */
export const GIT_EXTENSION_WAIT_MS = 30_000;
/** How often a repository handled without the Git extension looks for index and HEAD changes. */
const CLI_POLL_MS = 1000;

/** A repository as the commit flow uses it (a Git extension repository, or {@link CliRepository}). */
export interface FlowRepository {
  readonly rootUri: vscode.Uri;
  /** The Source Control message box; only a Git extension repository has one. */
  readonly inputBox?: GitInputBox;
  readonly state: { readonly HEAD: GitBranch | undefined; readonly onDidChange: vscode.Event<void> };
  readonly onDidCommit?: vscode.Event<void>;
}

/**
 * A repository without the Git extension: changes of the index, HEAD and the reflog are
 * polled (a few `stat` calls a second), saves of its files are listened to.
 */
export class CliRepository implements FlowRepository, vscode.Disposable {
  readonly rootUri: vscode.Uri;
  private head: GitBranch | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly timer: NodeJS.Timeout;
  private readonly saves: vscode.Disposable;
  private signature: string | undefined;
  private polling = false;
  private disposed = false;

  readonly state: FlowRepository['state'];

  private constructor(
    readonly root: string,
    private readonly gitDir: string,
    head: string | undefined,
  ) {
    this.rootUri = vscode.Uri.file(root);
    this.head = head ? { commit: head } : undefined;
    const self = this;
    this.state = {
      get HEAD() {
        return self.head;
      },
      onDidChange: this.changed.event,
    };
    this.timer = setInterval(() => void this.poll(), CLI_POLL_MS);
    this.saves = vscode.workspace.onDidSaveTextDocument((d) => {
      if (d.uri.scheme !== 'file') return;
      if (isInside(root, d.uri.fsPath)) this.changed.fire();
    });
  }

  static async open(root: string): Promise<CliRepository> {
    const dir = await getGitDir(root);
    const repo = new CliRepository(root, dir, await resolveCommit(root, 'HEAD'));
    repo.signature = await repo.readSignature();
    return repo;
  }

  private async readSignature(): Promise<string> {
    const parts = await Promise.all(
      ['index', 'HEAD', path.join('logs', 'HEAD')].map((name) =>
        fs.promises.stat(path.join(this.gitDir, name)).then(
          (s) => `${s.mtimeMs}:${s.size}`,
          () => '-',
        ),
      ),
    );
    return parts.join('|');
  }

  private async poll(): Promise<void> {
    if (this.polling || this.disposed) return;
    this.polling = true;
    try {
      const signature = await this.readSignature();
      if (signature === this.signature) return;
      this.signature = signature;
      const head = await resolveCommit(this.root, 'HEAD').catch(() => this.head?.commit);
      this.head = head ? { commit: head } : undefined;
      if (!this.disposed) this.changed.fire();
    } finally {
      this.polling = false;
    }
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    this.saves.dispose();
    this.changed.dispose();
  }
}

/** The Git extension's API, or its status when the API cannot be had. Never throws. */
async function activateGitExtension(): Promise<{ status: GitExtensionStatus; api?: GitAPI; ext?: GitExtension; detail?: string }> {
  const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!extension) return { status: 'missing' };
  let ext: GitExtension;
  try {
    ext = extension.isActive ? extension.exports : await extension.activate();
  } catch (e) {
    return { status: 'failed', detail: (e as Error).message };
  }
  if (!ext || !ext.enabled) return { status: 'off', ext };
  try {
    return { status: 'ready', api: ext.getAPI(1), ext };
  } catch (e) {
    return { status: 'failed', detail: (e as Error).message, ext };
  }
}

export interface RepositoryEvents {
  open(repo: FlowRepository): void;
  close(repo: FlowRepository): void;
}

/** Finds the repositories, picks each one's mode and tells the commit flow to open and close them. */
export class RepositorySource implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private status: GitExtensionStatus = 'pending';
  private statusDetail: string | undefined;
  private api: GitAPI | undefined;
  private enablementWatched = false;
  /** Running flows' repositories by root. */
  private readonly running = new Map<string, { repo: FlowRepository; mode: Exclude<CommitMode, 'none'> }>();
  /** Roots found with the git executable (workspace folders, files with provenance). */
  private readonly found = new Set<string>();
  /** Directory -> its repository root (null: none), for files outside known repositories. */
  private readonly rootOfDir = new Map<string, string | null>();
  private started: Promise<void> | undefined;
  /** Recomputes which repositories run in which mode, one run at a time (see `reconcile`). */
  private readonly reconciling = new RerunningTask(async () => {
    if (this.disposed) return;
    try {
      await this.reconcileOnce();
    } catch (e) {
      this.services.log.warn(`commit flow: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, () => this.disposed);
  private loggedProblems = new Set<string>();
  private gitMissing = false;
  private disposed = false;

  constructor(
    private readonly services: Services,
    private readonly events: RepositoryEvents,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('git.enabled')) return;
        this.rootOfDir.clear();
        this.reconcile();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.found.clear();
        this.rootOfDir.clear();
        this.reconcile();
      }),
    );
  }

  /** The Git extension's status and the mode of each repository (for tests and messages). */
  describe(): { gitExtension: GitExtensionStatus; repositories: { root: string; mode: Exclude<CommitMode, 'none'> }[] } {
    return { gitExtension: this.status, repositories: [...this.running].map(([root, r]) => ({ root, mode: r.mode })) };
  }

  /** Why there is no message box (undefined when some repository has one). */
  problem(): string | undefined {
    if ([...this.running.values()].some((r) => r.mode === 'scm')) return undefined;
    return gitExtensionProblem(this.status, this.statusDetail) ?? (this.running.size ? folderDisabledProblem([...this.running.keys()][0]) : undefined);
  }

  /** True when git itself could not be run while looking for repositories. */
  get gitNotFound(): boolean {
    return this.gitMissing;
  }

  /** Starts once (later calls wait for the same start): probes the Git extension, finds repositories. */
  start(): Promise<void> {
    this.started ??= this.startOnce();
    return this.started;
  }

  private async startOnce(): Promise<void> {
    const activation = activateGitExtension();
    let timer: NodeJS.Timeout | undefined;
    const first = await Promise.race([
      activation,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), GIT_EXTENSION_WAIT_MS))),
    ]);
    if (timer) clearTimeout(timer);
    if (this.disposed) return;
    if (first) this.useGitExtension(first);
    else {
      this.setStatus('slow', `${GIT_EXTENSION_WAIT_MS / 1000} s`);
      void activation.then((r) => !this.disposed && this.useGitExtension(r));
    }
    await this.reconcileNow();
  }

  private useGitExtension(r: Awaited<ReturnType<typeof activateGitExtension>>): void {
    if (r.ext && !this.enablementWatched) {
      this.enablementWatched = true;
      try {
        // git.enabled turned on later: the Git extension creates its model and says so, before it
        // has finished setting up (getAPI throws until then): ask a moment later.
        this.disposables.push(
          r.ext.onDidChangeEnablement((enabled) => {
            if (enabled) setTimeout(() => void this.retryGitExtension(3), 0);
          }),
        );
      } catch {
        /* an older Git extension without the event */
      }
    }
    if (r.status === 'ready' && r.api && !this.api) {
      const api = r.api;
      this.api = api;
      this.disposables.push(
        api.onDidOpenRepository(() => this.reconcile()),
        api.onDidCloseRepository(() => this.reconcile()),
      );
      if (api.onDidChangeState) this.disposables.push(api.onDidChangeState(() => this.reconcile()));
    }
    this.setStatus(this.api ? 'ready' : r.status, r.detail);
    this.rootOfDir.clear();
    this.reconcile();
  }

  private async retryGitExtension(attempts: number): Promise<void> {
    const r = await activateGitExtension();
    if (this.disposed || this.api) return;
    if (r.status !== 'ready' && attempts > 1) {
      setTimeout(() => void this.retryGitExtension(attempts - 1), 1000);
      return;
    }
    this.useGitExtension(r);
  }

  private setStatus(status: GitExtensionStatus, detail?: string): void {
    this.status = status;
    this.statusDetail = detail;
  }

  /** A file's provenance changed: a repository not known yet may hold it (only looked for without the Git extension). */
  noteFile(uri: vscode.Uri): void {
    if (uri.scheme !== 'file' || this.disposed || !this.started || this.status === 'pending') return;
    for (const root of this.running.keys()) if (isInside(root, uri.fsPath)) return;
    const dir = path.dirname(uri.fsPath);
    if (this.rootOfDir.has(dir)) return;
    this.rootOfDir.set(dir, null);
    // The Git extension decides which repositories it opens; only without it are others looked for.
    if (this.status === 'ready' && gitEnabledFor(uri.fsPath)) return;
    void findRepoRoot(dir).then(
      (root) => {
        this.rootOfDir.set(dir, root ? path.resolve(root) : null);
        if (root && !this.found.has(path.resolve(root))) {
          this.found.add(path.resolve(root));
          this.reconcile();
        }
      },
      (e) => this.noteGitError(e),
    );
  }

  /** Recomputes which repositories run in which mode (serialised; never throws). */
  reconcile(): void {
    if (!this.started || this.disposed) return;
    void this.reconcileNow();
  }

  private reconcileNow(): Promise<void> {
    return this.reconciling.run();
  }

  private async reconcileOnce(): Promise<void> {
    const trusted = vscode.workspace.isTrusted;
    const api = this.status === 'ready' ? this.api : undefined;
    const apiRepos = new Map<string, GitRepository>();
    for (const r of api?.repositories ?? []) apiRepos.set(path.resolve(r.rootUri.fsPath), r);
    const candidates: RepositoryFacts[] = [...apiRepos.keys()].map((root) => ({ root, openInGitExtension: true, gitEnabled: true }));
    const fallback = trusted && this.status !== 'pending' && (this.status !== 'ready' || workspaceHasGitDisabled());
    if (fallback) {
      for (const root of await this.findRoots()) candidates.push({ root, openInGitExtension: false, gitEnabled: gitEnabledFor(root) });
    }
    const current = new Map([...this.running].map(([root, r]) => [root, r.mode] as const));
    const plan = planRepositories(trusted, this.status, current, candidates);
    for (const root of plan.close) {
      const r = this.running.get(root);
      if (!r) continue;
      this.running.delete(root);
      this.events.close(r.repo);
      if (r.repo instanceof CliRepository) r.repo.dispose();
    }
    for (const { root, mode } of plan.open) {
      if (this.disposed) return;
      const old = this.running.get(root);
      if (old) {
        this.running.delete(root);
        this.events.close(old.repo);
        if (old.repo instanceof CliRepository) old.repo.dispose();
      }
      let repo: FlowRepository | undefined = mode === 'scm' ? apiRepos.get(root) : undefined;
      if (mode === 'hooks') {
        try {
          repo = await CliRepository.open(root);
        } catch (e) {
          this.noteGitError(e);
          continue;
        }
        if (this.disposed) return (repo as CliRepository).dispose();
        const problem = gitExtensionProblem(this.status, this.statusDetail) ?? folderDisabledProblem(root);
        if (!this.loggedProblems.has(problem)) {
          this.loggedProblems.add(problem);
          this.services.log.warn(hooksModeLogLine(problem));
        }
      }
      if (!repo) continue;
      this.running.set(root, { repo, mode });
      this.events.open(repo);
    }
  }

  /** Roots of the workspace folders' repositories (and of files seen), found with the git executable. */
  private async findRoots(): Promise<string[]> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file' || this.rootOfDir.has(folder.uri.fsPath)) continue;
      try {
        const root = await findRepoRoot(folder.uri.fsPath);
        this.rootOfDir.set(folder.uri.fsPath, root ? path.resolve(root) : null);
        if (root) this.found.add(path.resolve(root));
      } catch (e) {
        this.noteGitError(e);
      }
    }
    return [...this.found];
  }

  private noteGitError(e: unknown): void {
    if (e instanceof GitError && e.kind === 'git-missing') {
      if (!this.gitMissing) this.services.log.warn(`commit flow: ${e.message}; commit trailers and manifests are not written`);
      this.gitMissing = true;
      return;
    }
    this.services.log.warn(`commit flow: ${e instanceof Error ? e.message : String(e)}`);
  }

  dispose(): void {
    this.disposed = true;
    for (const r of this.running.values()) if (r.repo instanceof CliRepository) r.repo.dispose();
    this.running.clear();
    for (const d of this.disposables) d.dispose();
  }
}

function isInside(root: string, file: string): boolean {
  return repoRelative(root, file) !== undefined;
}

function gitEnabledFor(root: string): boolean {
  return vscode.workspace.getConfiguration('git', vscode.Uri.file(root)).get<boolean>('enabled', true) !== false;
}

/** True when `git.enabled` is false for the window or for some workspace folder. */
function workspaceHasGitDisabled(): boolean {
  if (vscode.workspace.getConfiguration('git').get<boolean>('enabled', true) === false) return true;
  return (vscode.workspace.workspaceFolders ?? []).some((f) => vscode.workspace.getConfiguration('git', f.uri).get<boolean>('enabled', true) === false);
}
