import * as fs from 'fs';
import { DEFAULT_PROMPT_MODE, isPromptMode } from '../core/manifest/conversations';
import * as path from 'path';
import * as vscode from 'vscode';
import { AiRange } from '../core/contribution/mapRanges';
import { ManifestLocation, PolicySource } from '../core/manifest/schema';
import { repoRelative } from '../core/persistence/repo';
import { Policy } from '../core/policy/policy';
import { isAiKind } from '../core/provenance/origin';
import { Debouncer, Disposables, RerunningTask } from '../core/scheduling/scheduling';
import { Trailer } from '../core/trailers/trailers';
import { gitDir as getGitDir } from '../git/git';
import { hooksInstalled, installHooks } from '../git/hooks';
import { attachPendingNote } from '../git/manifestStore';
import { parseTrailers } from '../git/trailers';
import { Services } from '../services';
import { effectivePolicy } from './effectivePolicy';
import { MessageBox } from './messageBox';
import { FlowRepository } from './repositories';
import { HookSnapshot, readSnapshot } from './snapshot';
import { RefreshResult, WorkingProvenance, refreshStagedState } from './stagedState';

const REFRESH_DEBOUNCE_MS = 400;

/** Facts about a repository's staged change, for the report and status bar. */
export interface RepositoryStagedFacts {
  readonly root: string;
  readonly change: RefreshResult['change'];
  readonly decision: RefreshResult['decision'];
  readonly trailers: readonly Trailer[];
  readonly manifest?: { readonly id: string };
}

/** What a repository's flow needs from the commit flow of all repositories. */
export interface RepoFlowOwner {
  readonly services: Services;
  reportGitError(e: unknown, root: string): void;
  /** A repository's staged facts changed. */
  fireChanged(): void;
}

/** Repo-relative path of `uri` in `root`, or undefined when outside. */
export function relativeTo(root: string, uri: vscode.Uri): string | undefined {
  return uri.scheme === 'file' ? repoRelative(root, uri.fsPath) : undefined;
}

/** The path of the command line the hooks run (in this version of the extension). */
export function cliPath(services: Services): string {
  return services.context.asAbsolutePath(path.join('dist', 'cli.js'));
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

/**
 * The commit flow of one repository: keeps the staged change's contribution, manifest, trailers
 * and hook snapshot up to date (a debounced refresh, run again when asked while running), and
 * writes the trailers into its message box (./messageBox.ts) when it has one.
 */
export class RepoFlow implements vscode.Disposable {
  readonly root: string;
  private gitDir: string | undefined;
  /** Refreshes one at a time; asked while one runs, it runs once more after. */
  private readonly refresher = new RerunningTask(
    async () => {
      try {
        await this.refreshOnce();
      } catch (e) {
        this.flow.reportGitError(e, this.root);
      }
    },
    () => this.disposed,
  );
  private readonly debounced = new Debouncer(() => void this.refreshNow(), REFRESH_DEBOUNCE_MS);
  private latest: RefreshResult | undefined;
  private head: string | undefined;
  private readonly disposables = new Disposables();
  private readonly box: MessageBox | undefined;
  private badPolicyShown: string | undefined;
  private disposed = false;

  constructor(
    private readonly flow: RepoFlowOwner,
    private readonly repo: FlowRepository,
  ) {
    this.root = repo.rootUri.fsPath;
    this.disposables.add(this.debounced, repo.state.onDidChange(() => this.onRepoState()));
    if (repo.onDidCommit) this.disposables.add(repo.onDidCommit(() => void this.afterCommit()));
    this.head = repo.state.HEAD?.commit;
    this.box = repo.inputBox
      ? new MessageBox(repo.inputBox, {
          root: this.root,
          log: flow.services.log,
          trailers: () => this.latest?.trailers,
          schedule: () => this.schedule(),
          reportError: (e) => this.flow.reportGitError(e, this.root),
        })
      : undefined;
  }

  /** False for a repository reached without the Git extension: there is no message box. */
  get hasMessageBox(): boolean {
    return !!this.box;
  }

  isFor(repo: FlowRepository): boolean {
    return this.repo === repo;
  }

  facts(): RepositoryStagedFacts | undefined {
    const l = this.latest;
    if (!l) return undefined;
    return { root: this.root, change: l.change, decision: l.decision, trailers: l.trailers, ...(l.manifest ? { manifest: { id: l.manifest.id } } : {}) };
  }

  schedule(): void {
    if (this.disposed) return;
    this.debounced.schedule();
  }

  /** Runs a refresh (serialised: a request during a run runs once more afterwards). */
  refreshNow(): Promise<void> {
    return this.refresher.run();
  }

  restoreTrailers(): void {
    this.box?.restoreTrailers();
    this.schedule();
  }

  async refreshHookScripts(): Promise<void> {
    try {
      if (!vscode.workspace.isTrusted || !(await hooksInstalled(this.root))) return;
      // Re-point installed hooks at this version of the extension (its path changes on update).
      await installHooks({ root: this.root, cliPath: cliPath(this.flow.services), nodePath: process.execPath });
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
    this.box?.afterCommit();
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
    const prompts = config.get<string>('manifest.prompts', DEFAULT_PROMPT_MODE);
    const maxMB = config.get<number>('maxFileSizeMB', 10);
    const previous = readSnapshot(dir);
    const result = await refreshStagedState({
      root: this.root,
      gitDir: dir,
      policy,
      manifestLocation: location,
      prompts: isPromptMode(prompts) ? prompts : DEFAULT_PROMPT_MODE,
      maxFileBytes: Math.max(0.1, maxMB) * 1024 * 1024,
      generator: { name: 'ai-provenance', version: String(this.flow.services.context.extension.packageJSON.version ?? '0.0.0') },
      trailers: !trailersEnabled ? 'off' : this.box?.suppressed ? 'suppressed' : 'auto',
      assistedBy: this.box?.assistedBy ?? [],
      working: this.working(),
      previous: previous && !('error' in previous) ? (previous as HookSnapshot) : undefined,
    });
    this.latest = result;
    if (result.empty) this.box?.nothingStaged();
    for (const n of result.change.notes) this.flow.services.log.debug(`commit flow: ${n}`);
    this.flow.fireChanged();
    if (trailersEnabled) this.box?.updateWhenIdle();
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
      const rel = relativeTo(this.root, uri);
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

  dispose(): void {
    this.disposed = true;
    this.box?.dispose();
    this.disposables.dispose();
  }
}
