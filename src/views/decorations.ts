import * as vscode from 'vscode';
import { Services, storeKey } from '../services';
import { LineSpan, placeAiRanges } from '../core/presentation/lineSpans';
import { LineAttributionIndex } from '../core/presentation/lineIndex';
import { hoverMarkdown } from '../core/presentation/hover';
import { DocumentProvenance } from '../core/provenance/provenanceStore';
import { throttled } from '../core/scheduling/scheduling';

/** Setting section and keys of the decorations. */
const SECTION = 'aiProvenance.decorations';

export const TOGGLE_DECORATIONS_COMMAND = 'aiProvenance.toggleDecorations';
const INTERNAL_STATE_COMMAND = 'aiProvenance.internal.decorations';

/** What `aiProvenance.internal.decorations` returns. */
export interface DecorationState {
  readonly enabled: boolean;
  /**
   * Each visible editor: the line spans (0-based, inclusive) it shows marked around its visible
   * lines, and how many exact AI ranges it highlights there.
   */
  readonly editors: { readonly uri: string; readonly lines: [number, number][]; readonly characters: number }[];
}
const SHOW_REPORT_COMMAND = 'aiProvenance.showReport';

/** Store changes are applied to the visible editors at most this often. */
export const DECORATION_DEBOUNCE_MS = 100;

/** Lines marked beyond the visible ones, above and below (at least; a screenful when taller). */
const WINDOW_MARGIN_LINES = 200;

interface DecorationSettings {
  readonly enabled: boolean;
  readonly gutterIcon: boolean;
  readonly overviewRuler: boolean;
  readonly highlightText: boolean;
  readonly hover: boolean;
}

function readSettings(): DecorationSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    enabled: c.get<boolean>('enabled', true),
    gutterIcon: c.get<boolean>('gutterIcon', true),
    overviewRuler: c.get<boolean>('overviewRuler', true),
    highlightText: c.get<boolean>('highlightText', false),
    hover: c.get<boolean>('hover', true),
  };
}

/**
 * The document's provenance: `undefined` when the document is not tracked, `'lagging'` when the
 * store has not yet applied the document's latest change (its listener fires again once it has).
 */
function provenanceOf(services: Services, document: vscode.TextDocument): DocumentProvenance | 'lagging' | undefined {
  const doc = services.store.get(storeKey(document.uri));
  if (!doc) return undefined;
  const last = document.lineAt(document.lineCount - 1);
  const length = document.offsetAt(last.rangeIncludingLineBreak.end);
  return doc.rope.length === length ? doc : 'lagging';
}

/** What one editor shows: line spans (0-based, inclusive) and the number of exact-text ranges. */
interface Shown {
  readonly lines: LineSpan[];
  readonly characters: number;
  /** The lines marks were drawn for (the visible lines and a margin). */
  readonly from: number;
  readonly to: number;
  /** The overview ruler marks drawn (the index gives the same array while they cannot have moved). */
  readonly ruler: LineSpan[] | undefined;
  /** The document's version, its provenance's version, the highlight setting and the lines they were drawn for. */
  readonly drawn: string;
}

/** The visible lines of `editor` with a margin above and below, within `0..lineCount - 1`. */
function drawnWindow(editor: vscode.TextEditor, lineCount: number): { from: number; to: number } {
  const visible = editor.visibleRanges;
  const first = visible.length ? visible[0].start.line : 0;
  const last = visible.length ? visible[visible.length - 1].end.line : 0;
  const margin = Math.max(WINDOW_MARGIN_LINES, last - first + 1);
  return { from: Math.max(0, first - margin), to: Math.min(lineCount - 1, last + margin) };
}

/**
 * Marks AI-produced lines in the visible editors (a left border in `aiProvenance.aiGutter`, a
 * gutter icon, an overview ruler mark) and, when asked, the exact AI characters; explains the
 * range under the mouse in a hover. Follows the store with a short debounce and touches only
 * visible editors. The lines come from the document's `LineAttributionIndex` (worked out per
 * changed line), and only the visible lines and a margin around them are marked, drawn again when
 * scrolling leaves that margin; the overview ruler gets marks for the whole file at its own
 * resolution (`LineAttributionIndex.rulerSpans`). A refresh costs O(changed + visible lines).
 */
export class AiDecorations implements vscode.Disposable {
  private settings = readSettings();
  private lineType: vscode.TextEditorDecorationType | undefined;
  private textType: vscode.TextEditorDecorationType | undefined;
  private rulerType: vscode.TextEditorDecorationType | undefined;
  private readonly pending = new Set<string>();
  private pendingAll = false;
  private readonly flushSoon = throttled(() => this.flush(), DECORATION_DEBOUNCE_MS);
  private readonly disposables: vscode.Disposable[] = [];
  /** Editors that currently show marks, with the line spans last applied (0-based, inclusive). */
  private readonly decorated = new Map<vscode.TextEditor, Shown>();

  constructor(private readonly services: Services) {
    this.createTypes();
    this.disposables.push(
      services.store.onDidChange((key) => this.onStoreChange(key)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      vscode.window.onDidChangeTextEditorVisibleRanges((e) => this.onScroll(e.textEditor)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION)) this.onSettingsChange();
      }),
      vscode.languages.registerHoverProvider('*', { provideHover: (d, p) => this.provideHover(d, p) }),
      vscode.commands.registerCommand(TOGGLE_DECORATIONS_COMMAND, () => toggleDecorations()),
      // For the in-host tests: what each visible editor shows right now.
      vscode.commands.registerCommand(INTERNAL_STATE_COMMAND, () => this.state()),
    );
    this.schedule();
  }

  state(): DecorationState {
    return {
      enabled: this.settings.enabled,
      editors: vscode.window.visibleTextEditors.map((e) => ({
        uri: e.document.uri.toString(),
        lines: (this.decorated.get(e)?.lines ?? []).map((s): [number, number] => [s.startLine, s.endLine]),
        characters: this.decorated.get(e)?.characters ?? 0,
      })),
    };
  }

  private createTypes(): void {
    this.lineType?.dispose();
    this.textType?.dispose();
    this.rulerType?.dispose();
    const s = this.settings;
    const media = vscode.Uri.joinPath(this.services.context.extensionUri, 'media');
    this.lineType = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      borderColor: new vscode.ThemeColor('aiProvenance.aiGutter'),
      borderStyle: 'solid',
      borderWidth: '0 0 0 2px',
      backgroundColor: new vscode.ThemeColor('aiProvenance.aiLineBackground'),
      gutterIconPath: s.gutterIcon ? vscode.Uri.joinPath(media, 'gutter-ai.svg') : undefined,
      gutterIconSize: '70%',
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.textType = vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('aiProvenance.aiTextBackground'),
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    this.rulerType = s.overviewRuler
      ? vscode.window.createTextEditorDecorationType({
          isWholeLine: true,
          overviewRulerColor: new vscode.ThemeColor('aiProvenance.overviewRuler'),
          overviewRulerLane: vscode.OverviewRulerLane.Left,
          rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
        })
      : undefined;
  }

  private onSettingsChange(): void {
    const before = this.settings;
    this.settings = readSettings();
    const s = this.settings;
    if (before.gutterIcon !== s.gutterIcon || before.overviewRuler !== s.overviewRuler) {
      this.createTypes(); // disposing the old types removes their marks from every editor
      this.decorated.clear();
    }
    this.schedule();
  }

  private onStoreChange(key: string): void {
    if (!this.settings.enabled) return;
    for (const editor of vscode.window.visibleTextEditors) {
      if (storeKey(editor.document.uri) === key) {
        this.schedule(key);
        return;
      }
    }
  }

  /** Scrolled: drawn again once the visible lines leave the lines marked around them. */
  private onScroll(editor: vscode.TextEditor): void {
    if (!this.settings.enabled) return;
    const shown = this.decorated.get(editor);
    const visible = editor.visibleRanges;
    if (shown && visible.length && visible[0].start.line >= shown.from && visible[visible.length - 1].end.line <= shown.to) return;
    const key = storeKey(editor.document.uri);
    if (this.services.store.get(key)) this.schedule(key);
  }

  /** Refreshes the visible editors of `key` (or all visible editors) after the debounce. */
  private schedule(key?: string): void {
    if (key === undefined) this.pendingAll = true;
    else this.pending.add(key);
    this.flushSoon.schedule();
  }

  private flush(): void {
    const all = this.pendingAll;
    const keys = new Set(this.pending);
    this.pending.clear();
    this.pendingAll = false;
    const visible = new Set(vscode.window.visibleTextEditors);
    for (const editor of [...this.decorated.keys()]) if (!visible.has(editor)) this.decorated.delete(editor);
    for (const editor of visible) {
      if (all || keys.has(storeKey(editor.document.uri))) this.refresh(editor);
    }
  }

  private refresh(editor: vscode.TextEditor): void {
    const lineType = this.lineType!;
    const textType = this.textType!;
    const document = editor.document;
    const doc = this.settings.enabled ? this.services.store.get(storeKey(document.uri)) : undefined;
    if (!doc) {
      if (this.decorated.delete(editor)) {
        editor.setDecorations(lineType, []);
        editor.setDecorations(textType, []);
        if (this.rulerType) editor.setDecorations(this.rulerType, []);
      }
      return;
    }
    const index = LineAttributionIndex.settled(doc, document);
    if (!index) return; // VS Code has moved the marks with the edit; redrawn on the store's next change
    const { from, to } = drawnWindow(editor, index.lineCount);
    // Versions change with every edit and every provenance change: same versions, same marks.
    const drawn = `${document.version}:${doc.version}:${this.settings.highlightText}:${from}:${to}`;
    if (this.decorated.get(editor)?.drawn === drawn) return;
    const spans = index.spansIn(from, to);
    editor.setDecorations(
      lineType,
      spans.map((s) => new vscode.Range(s.startLine, 0, s.endLine, 0)),
    );
    const ruler = this.rulerType ? index.rulerSpans() : undefined;
    if (this.rulerType && ruler && ruler !== this.decorated.get(editor)?.ruler) {
      editor.setDecorations(
        this.rulerType,
        ruler.map((s) => new vscode.Range(s.startLine, 0, s.endLine, 0)),
      );
    }
    let characters = 0;
    if (this.settings.highlightText) {
      const position = (offset: number): vscode.Position => {
        const p = index.positionAt(offset);
        return new vscode.Position(p.line, p.character);
      };
      const placed = placeAiRanges(doc.rangesIn(index.lineStart(from), index.lineStart(to + 1)), (o) => index.positionAt(o).line);
      characters = placed.length;
      editor.setDecorations(
        textType,
        placed.map((r) => new vscode.Range(position(r.start), position(r.end))),
      );
    } else {
      editor.setDecorations(textType, []);
    }
    this.decorated.set(editor, { lines: spans, characters, from, to, ruler, drawn });
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.settings.enabled || !this.settings.hover) return undefined;
    const doc = provenanceOf(this.services, document);
    if (!doc || doc === 'lagging') return undefined;
    const offset = document.offsetAt(position);
    const placed = placeAiRanges(doc.rangesIn(offset, offset + 1), (o) => document.positionAt(o).line);
    const md = hoverMarkdown(placed, { now: Date.now(), reportCommand: SHOW_REPORT_COMMAND });
    if (!md) return undefined;
    const markdown = new vscode.MarkdownString(md);
    markdown.isTrusted = { enabledCommands: [SHOW_REPORT_COMMAND] };
    const first = placed[0];
    return new vscode.Hover(markdown, new vscode.Range(document.positionAt(first.start), document.positionAt(first.end)));
  }

  dispose(): void {
    this.flushSoon.dispose();
    for (const d of this.disposables) d.dispose();
    this.lineType?.dispose();
    this.textType?.dispose();
  }
}

/** Flips `aiProvenance.decorations.enabled` where it is set (workspace folder, workspace or user). */
export async function toggleDecorations(): Promise<boolean> {
  const resource = vscode.window.activeTextEditor?.document.uri;
  const config = vscode.workspace.getConfiguration(SECTION, resource);
  const info = config.inspect<boolean>('enabled');
  const next = !config.get<boolean>('enabled', true);
  const target =
    info?.workspaceFolderValue !== undefined && resource
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : info?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await config.update('enabled', next, target);
  return next;
}

/** Registers the editor decorations, their hover and the toggle command. */
export function registerDecorations(services: Services): vscode.Disposable {
  return new AiDecorations(services);
}
