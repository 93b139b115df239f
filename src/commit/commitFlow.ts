import * as path from 'path';
import * as vscode from 'vscode';
import { restoreTrailersUnavailable } from '../core/gitExtension/commitMode';
import { GitError } from '../git/git';
import { Services } from '../services';
import { registerHookCommands } from './hookCommands';
import { RepoFlow, RepositoryStagedFacts, relativeTo } from './repoFlow';
import { FlowRepository, RepositorySource } from './repositories';
import { stagedTooltipLines } from './stagedTooltip';

export type { RepositoryStagedFacts } from './repoFlow';

/**
 * The commit flow in the editor: for every git repository the built-in Git extension opens, keeps
 * the staged change's contribution, manifest, trailers and hook snapshot up to date as files are
 * staged and unstaged and as provenance changes (./repoFlow.ts), and writes the trailers into the
 * Source Control message box (./messageBox.ts, which holds the rules). Without the Git extension
 * (disabled, `git.enabled: false`) the repositories are found and watched with the git executable
 * and everything but the message box still works (see ./repositories.ts and
 * src/core/gitExtension/commitMode.ts). The hook commands are in ./hookCommands.ts.
 *
 * The status bar and the report get the flow from `extension.ts` (no module singleton).
 */
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
      registerHookCommands({
        services,
        start: () => this.start(),
        repositories: () => [...this.repos.values()],
        gitNotFound: () => this.source.gitNotFound,
        reportGitError: (e, root) => this.reportGitError(e, root),
      }),
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
  stagedFacts(uri?: vscode.Uri): RepositoryStagedFacts | undefined {
    return this.repoFor(uri)?.facts();
  }

  /** Recomputes now and returns the facts of the repository holding `uri` (or the first one). */
  async refresh(uri?: vscode.Uri): Promise<RepositoryStagedFacts | undefined> {
    const r = this.repoFor(uri);
    if (!r) return undefined;
    await r.refreshNow();
    return r.facts();
  }

  /** Status bar tooltip lines: the staged change's AI share. */
  tooltipLines(): string[] | undefined {
    const shares = [];
    for (const r of this.repos.values()) {
      const f = r.facts();
      if (f) shares.push({ name: path.basename(r.root), files: f.change.files, flagged: f.decision.flagged });
    }
    return stagedTooltipLines(shares, this.repos.size > 1);
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
        if (relativeTo(r.root, uri) !== undefined && (!best || r.root.length > best.root.length)) best = r;
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
      if (relativeTo(r.root, uri) === undefined) continue;
      known = true;
      r.schedule();
    }
    if (!known) this.source.noteFile(uri);
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

/** Starts the commit flow; disposing it disposes everything it created. */
export function startCommitFlow(services: Services): CommitFlow {
  const flow = new CommitFlow(services);
  void flow.start();
  return flow;
}
