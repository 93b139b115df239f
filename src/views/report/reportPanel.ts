import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { Services, storeKey } from '../../services';
import { buildFileSection, fileInputOf, buildReportModel, buildStagedSection, FileSection, ReportModel, StagedSection } from '../../core/presentation/reportModel';
import { reportPage } from '../../core/presentation/reportHtml';
import { StagedSource, isUnavailable, loadStagedSummary, onDidChangeStaged } from './stagedSummary';
import { HistorySection } from '../../core/presentation/historySection';
import { Debouncer, throttled } from '../../core/scheduling/scheduling';
import { fileHistory } from './history';

export const SHOW_REPORT_COMMAND = 'aiProvenance.showReport';
export const REPORT_VIEW_TYPE = 'aiProvenance.report';

/** Current-file changes reach the panel at most this often. */
const FILE_DEBOUNCE_MS = 150;
/** Staged facts reach the panel at most this often. */
const STAGED_DEBOUNCE_MS = 100;

/** Messages the webview script sends (media/report.js). */
type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'refresh' }
  | { readonly type: 'reveal'; readonly line: number }
  | { readonly type: 'copyTrailers' };

function nonce(): string {
  return crypto.randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

/** The page: strict CSP, our stylesheet and script from media/, nothing remote, nothing inline. */
export function reportHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  return reportPage({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'report.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'report.css')).toString(),
    nonce: nonce(),
  });
}

/**
 * The report panel: one at a time, beside the editor. Shows the staged change's AI share (per
 * file, per tool, the trailers the commit will get) and the ranges of the last active file, and
 * follows the store.
 */
export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];
  /** The document the file section describes: the last active text editor's. */
  private document: vscode.TextDocument | undefined;
  private file: FileSection = buildFileSection(undefined, Date.now());
  private staged: StagedSection = { state: 'unavailable', message: 'Computing the staged change\u2026' };
  private stagedGeneration = 0;
  private history: HistorySection = { state: 'none', message: 'Open a file to see its history.' };
  /** The document the history was last computed for. */
  private historyFor: vscode.TextDocument | undefined;
  /** The blame running for the history; `again` when the document was saved meanwhile. */
  private historyRun: { readonly document: vscode.TextDocument | undefined; again: boolean } | undefined;
  private readonly fileSoon = new Debouncer(() => this.updateFile(), 0);
  private readonly stagedSoon = throttled(() => void this.updateStaged(false), STAGED_DEBOUNCE_MS);
  private ready = false;

  constructor(
    private readonly services: Services,
    private readonly stagedSource: StagedSource | undefined,
  ) {
    this.document = vscode.window.activeTextEditor?.document;
    this.disposables.push(
      vscode.commands.registerCommand(SHOW_REPORT_COMMAND, () => this.show()),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // Focusing the panel leaves no active editor: keep describing the last file then.
        if (!editor || editor.document === this.document) return;
        this.document = editor.document;
        this.scheduleFile(0);
        void this.updateHistory();
      }),
      // History is blamed again when the file is saved, never on a keystroke.
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc === this.document) void this.updateHistory(true);
      }),
      services.store.onDidChange((key) => {
        if (!this.panel) return;
        if (this.document && storeKey(this.document.uri) === key) this.scheduleFile(FILE_DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc === this.document) {
          this.document = undefined;
          this.scheduleFile(0);
          void this.updateHistory();
        }
      }),
    );
  }

  /** Opens (or reveals) the panel; resolves with the data it shows once computed. */
  async show(): Promise<ReportModel> {
    if (this.panel) {
      this.panel.reveal(undefined, true);
    } else {
      this.open();
    }
    this.updateFile();
    // The history is blamed in the background (a separate process); it is posted when ready.
    if (this.historyFor !== this.document) void this.updateHistory();
    await this.updateStaged(false);
    return this.model();
  }

  private open(): void {
    const media = vscode.Uri.joinPath(this.services.context.extensionUri, 'media');
    const panel = vscode.window.createWebviewPanel(
      REPORT_VIEW_TYPE,
      'AI Provenance',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [media], retainContextWhenHidden: false },
    );
    panel.iconPath = vscode.Uri.joinPath(media, 'gutter-ai.svg');
    this.panel = panel;
    this.ready = false;
    panel.webview.html = reportHtml(panel.webview, this.services.context.extensionUri);
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((m: FromWebview) => this.onMessage(m)),
      // The commit flow re-measures the staged change when the index or the provenance changes.
      onDidChangeStaged(this.stagedSource, () => this.scheduleStaged()),
      panel.onDidChangeViewState((e) => {
        // A hidden webview is torn down (no retained context); its script says `ready` again.
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        for (const d of this.panelDisposables) d.dispose();
        this.panelDisposables = [];
        this.panel = undefined;
        this.ready = false;
        // Closed, it does not follow saves: a new panel blames the file again.
        this.historyFor = undefined;
      }),
    ];
  }

  private onMessage(m: FromWebview): void {
    switch (m?.type) {
      case 'ready':
        this.ready = true;
        this.post();
        break;
      case 'refresh':
        this.updateFile();
        void this.updateStaged(true);
        void this.updateHistory(true);
        break;
      case 'reveal':
        void this.reveal(m.line);
        break;
      case 'copyTrailers':
        if (this.staged.state !== 'unavailable' && this.staged.trailers.length > 0) {
          void vscode.env.clipboard.writeText(this.staged.trailers.join('\n'));
          void vscode.window.setStatusBarMessage('AI Provenance: trailers copied', 3000);
        }
        break;
    }
  }

  private async reveal(line: number): Promise<void> {
    const document = this.document;
    if (!document || !Number.isInteger(line) || line < 1) return;
    const position = new vscode.Position(Math.min(line - 1, document.lineCount - 1), 0);
    const editor = await vscode.window.showTextDocument(document, { preserveFocus: false, preview: false, viewColumn: vscode.ViewColumn.One });
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private scheduleFile(delay: number): void {
    if (!this.panel) return;
    this.fileSoon.schedule(delay);
  }

  private scheduleStaged(): void {
    if (!this.panel) return;
    this.stagedSoon.schedule();
  }

  private updateFile(): void {
    this.file = this.computeFile();
    this.post();
  }

  private computeFile(): FileSection {
    const now = Date.now();
    const document = this.document;
    if (!document) return buildFileSection(undefined, now, 'Open a file in an editor to see its AI ranges.');
    const path = vscode.workspace.asRelativePath(document.uri, false);
    const doc = this.services.store.get(storeKey(document.uri));
    if (!doc) return buildFileSection(undefined, now, `${path} is not tracked (too large, not a text file, or capture is off).`);
    const text = document.getText();
    if (doc.rope.length !== text.length) return this.file; // the store is catching up; keep what is shown
    return buildFileSection(fileInputOf(path, doc, text, (offset) => document.positionAt(offset).line), now);
  }

  private async updateStaged(recompute: boolean): Promise<void> {
    const generation = ++this.stagedGeneration;
    let section: StagedSection;
    try {
      const result = await loadStagedSummary(this.stagedSource, this.document?.uri, recompute);
      section = isUnavailable(result) ? buildStagedSection(undefined, result.unavailable) : buildStagedSection(result, '');
    } catch (err) {
      this.services.log.warn(`report: staged summary failed: ${err instanceof Error ? err.message : String(err)}`);
      section = buildStagedSection(undefined, `The staged change could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (generation !== this.stagedGeneration) return; // a newer computation is on its way
    this.staged = section;
    this.post();
  }

  /** Blames the current file in the background (the command line's process) for the History section. */
  private async updateHistory(force = false): Promise<void> {
    if (!this.panel) return;
    const document = this.document;
    // One blame per document at a time: a save meanwhile asks for one more after it.
    const running = this.historyRun;
    if (running && running.document === document) {
      if (force) running.again = true;
      return;
    }
    const run = { document, again: false };
    this.historyRun = run;
    if (this.historyFor !== document) {
      this.history = { state: 'computing', message: 'Reading the history of this file\u2026' };
      this.post();
    }
    const section = await fileHistory(this.services.context.asAbsolutePath('dist/cli.js'), document);
    if (this.historyRun !== run) return; // another file became current meanwhile
    this.historyRun = undefined;
    this.history = section;
    this.historyFor = document;
    this.post();
    if (run.again) void this.updateHistory(true);
  }

  private model(): ReportModel {
    return buildReportModel(this.file, this.staged, Date.now(), this.history);
  }

  private post(): void {
    if (!this.panel || !this.ready) return;
    void this.panel.webview.postMessage({ type: 'model', model: this.model() });
  }

  dispose(): void {
    this.fileSoon.dispose();
    this.stagedSoon.dispose();
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Registers `aiProvenance.showReport` and the panel behind it. */
export function registerReport(services: Services, staged: StagedSource | undefined): vscode.Disposable {
  return new ReportPanel(services, staged);
}
