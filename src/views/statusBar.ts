import * as vscode from 'vscode';
import { LineAttributionIndex } from '../core/presentation/lineIndex';
import { fileShare } from '../core/provenance/fileShare';
import { throttled } from '../core/scheduling/scheduling';
import { Services, storeKey } from '../services';

/** Extra lines for the tooltip, e.g. the staged change's share, supplied by the commit flow. */
export interface StatusBarSection {
  /** Markdown lines, or undefined when there is nothing to say. */
  tooltipLines(): string[] | undefined;
  readonly onDidChange: vscode.Event<void>;
}

export interface StatusBarState {
  readonly text: string;
  readonly tooltip: string;
  readonly visible: boolean;
}

const DEBOUNCE_MS = 50;

/**
 * `$(sparkle) AI 37%`: the AI share of the active file's non-blank lines. Refreshed at most every
 * 50 ms after an edit, never on the keystroke itself; the counts are kept per line
 * (`LineAttributionIndex`), so a refresh works out the changed lines only.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly sections: StatusBarSection[] = [];
  private readonly refreshSoon = throttled(() => this.refresh(), DEBOUNCE_MS);
  private state: StatusBarState = { text: '', tooltip: '', visible: false };

  constructor(
    private readonly services: Services,
    private readonly reasonNotTracked: (d: vscode.TextDocument) => string | undefined,
  ) {
    this.item = vscode.window.createStatusBarItem('status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'AI Provenance';
    this.item.command = 'aiProvenance.showReport';
    this.disposables.push(
      this.item,
      services.store.onDidChange((key) => {
        const active = vscode.window.activeTextEditor?.document;
        if (active && storeKey(active.uri) === key) this.schedule();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('aiProvenance')) this.schedule();
      }),
      vscode.commands.registerCommand('aiProvenance.internal.statusBar', () => {
        this.refresh();
        return this.state;
      }),
    );
    this.refresh();
  }

  /** Adds tooltip lines from another part (the staged change summary). */
  addSection(section: StatusBarSection): vscode.Disposable {
    this.sections.push(section);
    const sub = section.onDidChange(() => this.schedule());
    this.schedule();
    return new vscode.Disposable(() => {
      sub.dispose();
      this.sections.splice(this.sections.indexOf(section), 1);
    });
  }

  private schedule(): void {
    this.refreshSoon.schedule();
  }

  private refresh(): void {
    const config = vscode.workspace.getConfiguration('aiProvenance');
    const editor = vscode.window.activeTextEditor;
    const extra = this.sections.flatMap((s) => s.tooltipLines() ?? []);
    if (!config.get<boolean>('statusBar.enabled', true) || !editor) {
      this.show({ text: '', tooltip: '', visible: false });
      return;
    }
    const document = editor.document;
    const doc = this.services.store.get(storeKey(document.uri));
    if (!doc) {
      const why = this.reasonNotTracked(document);
      if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') {
        this.show({ text: '', tooltip: '', visible: false });
        return;
      }
      this.show({
        text: '$(sparkle) AI –',
        tooltip: [`**AI Provenance**: this file is not tracked${why ? ` (${why})` : ''}.`, ...extra].join('\n\n'),
        visible: true,
      });
      return;
    }
    // Out of step (the store has not applied the latest change): counted over the text as it is.
    const share = LineAttributionIndex.settled(doc, document)?.summary() ?? fileShare(doc, document.getText());
    const lines = [
      `**AI Provenance** — ${vscode.workspace.asRelativePath(document.uri)}`,
      `AI lines: ${share.aiLines} of ${share.nonBlankLines} non-blank lines (${share.percent}%)`,
      share.tools.length ? `Tools: ${share.tools.join(', ')}` : 'No AI-produced text recorded in this file.',
      ...extra,
      'Click to open the report.',
    ];
    this.show({ text: `$(sparkle) AI ${share.percent}%`, tooltip: lines.join('\n\n'), visible: true });
  }

  private show(state: StatusBarState): void {
    this.state = state;
    if (!state.visible) {
      this.item.hide();
      return;
    }
    this.item.text = state.text;
    this.item.tooltip = new vscode.MarkdownString(state.tooltip);
    this.item.accessibilityInformation = { label: state.text.replace('$(sparkle) ', '').replace('–', 'not tracked') };
    this.item.show();
  }

  dispose(): void {
    this.refreshSoon.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
