import * as path from 'path';
import * as vscode from 'vscode';
import { throttled } from '../core/scheduling/scheduling';
import { runProgram } from '../git/git';
import { Services } from '../services';
import { BlameJson, CommitSummary, LineTable, blamedSpans, committedHoverMarkdown, fromBlameJson, shiftLines } from '../core/blame/editorBlame';

/**
 * Opt-in AI blame of committed lines (`aiProvenance.blame.enabled`, *Toggle AI Blame*): a gutter
 * mark on each line that a commit's record says an AI wrote, and a hover naming the commit, tool,
 * model, review and conversation where recorded. Beside the marks of uncommitted AI text
 * (decorations.ts), which it leaves alone.
 *
 * Never in the way of typing: the blame runs in a separate process (`dist/cli.js blame --json
 * --contents -`, the command line's own code, given the editor's text), when an editor becomes
 * visible, when the setting is turned on and after a save; never on a keystroke. Edits move the
 * result as VS Code moves its own blame decorations: edited lines lose their mark until the next
 * save, later lines shift. Commit records are kept per commit for the hovers of every file.
 */

const SECTION = 'aiProvenance.blame';
export const BLAME_ENABLED_SETTING = `${SECTION}.enabled`;
export const TOGGLE_BLAME_COMMAND = 'aiProvenance.toggleBlame';
const INTERNAL_STATE_COMMAND = 'aiProvenance.internal.blame';
/** Marks are redrawn from the moved table at most this often after edits. */
const REDRAW_MS = 100;
const BLAME_TIMEOUT_MS = 60_000;

/** What `aiProvenance.internal.blame` returns (for the in-host tests). */
export interface BlameState {
  readonly enabled: boolean;
  readonly editors: { readonly uri: string; readonly lines: [number, number][]; readonly computing: boolean; readonly error?: string }[];
}

interface DocBlame {
  lines?: LineTable;
  /** Set while a blame runs: the edits made since it started, applied to its result. */
  inflight?: { changes: Array<[number, number, number]> };
  /** Another blame is wanted once the running one ends. */
  again?: boolean;
  error?: string;
}

function enabled(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('enabled', false);
}

export class CommitBlame implements vscode.Disposable {
  private on = enabled();
  private readonly docs = new Map<string, DocBlame>();
  /** Records of commits, shared by all files. */
  private readonly commits = new Map<string, CommitSummary>();
  private type: vscode.TextEditorDecorationType;
  private readonly redrawSoon = throttled(() => {
    for (const e of vscode.window.visibleTextEditors) this.draw(e);
  }, REDRAW_MS);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly cliPath: string;

  constructor(private readonly services: Services) {
    this.cliPath = services.context.asAbsolutePath(path.join('dist', 'cli.js'));
    this.type = this.createType();
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshVisible()),
      vscode.workspace.onDidSaveTextDocument((d) => this.onSave(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.docs.delete(d.uri.toString())),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION)) this.onSettingChange();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refreshVisible()),
      vscode.languages.registerHoverProvider('*', { provideHover: (d, p) => this.provideHover(d, p) }),
      vscode.commands.registerCommand(TOGGLE_BLAME_COMMAND, () => toggleBlame()),
      vscode.commands.registerCommand(INTERNAL_STATE_COMMAND, () => this.state()),
    );
    this.refreshVisible();
  }

  private createType(): vscode.TextEditorDecorationType {
    return vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      gutterIconPath: vscode.Uri.joinPath(this.services.context.extensionUri, 'media', 'gutter-ai-committed.svg'),
      gutterIconSize: '70%',
      overviewRulerColor: new vscode.ThemeColor('aiProvenance.committedOverviewRuler'),
      overviewRulerLane: vscode.OverviewRulerLane.Left,
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
  }

  state(): BlameState {
    return {
      enabled: this.on,
      editors: vscode.window.visibleTextEditors.map((e) => {
        const d = this.docs.get(e.document.uri.toString());
        return { uri: e.document.uri.toString(), lines: d?.lines ? blamedSpans(d.lines) : [], computing: !!d?.inflight, ...(d?.error ? { error: d.error } : {}) };
      }),
    };
  }

  private onSettingChange(): void {
    const now = enabled();
    if (now === this.on) return;
    this.on = now;
    if (!now) {
      this.docs.clear();
      for (const e of vscode.window.visibleTextEditors) e.setDecorations(this.type, []);
      return;
    }
    this.refreshVisible();
  }

  private eligible(doc: vscode.TextDocument): boolean {
    return this.on && doc.uri.scheme === 'file' && vscode.workspace.isTrusted;
  }

  /** Blames the visible documents that have no result yet; draws the others. */
  private refreshVisible(): void {
    if (!this.on) return;
    for (const e of vscode.window.visibleTextEditors) {
      const d = this.docs.get(e.document.uri.toString());
      if (!d) this.compute(e.document);
      else this.draw(e);
    }
  }

  private onSave(doc: vscode.TextDocument): void {
    if (this.eligible(doc) && vscode.window.visibleTextEditors.some((e) => e.document === doc)) this.compute(doc);
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    const d = this.docs.get(e.document.uri.toString());
    if (!d || e.contentChanges.length === 0) return;
    // contentChanges are given against the text before the event, last position first.
    const changes = [...e.contentChanges].sort((a, b) => b.range.start.compareTo(a.range.start));
    for (const c of changes) {
      const inserted = countNewlines(c.text);
      const edit: [number, number, number] = [c.range.start.line, c.range.end.line, inserted];
      if (d.lines) shiftLines(d.lines, ...edit);
      d.inflight?.changes.push(edit);
    }
    if (d.lines) this.scheduleRedraw();
  }

  private scheduleRedraw(): void {
    this.redrawSoon.schedule();
  }

  private draw(editor: vscode.TextEditor): void {
    const d = this.docs.get(editor.document.uri.toString());
    const spans = d?.lines ? blamedSpans(d.lines) : [];
    editor.setDecorations(
      this.type,
      spans.map(([a, b]) => new vscode.Range(a, 0, b, 0)),
    );
  }

  /** Runs the blame of `doc`'s current text in a separate process. */
  private compute(doc: vscode.TextDocument): void {
    if (!this.eligible(doc)) return;
    const key = doc.uri.toString();
    let d = this.docs.get(key);
    if (!d) this.docs.set(key, (d = {}));
    if (d.inflight) {
      d.again = true;
      return;
    }
    const state = d;
    state.inflight = { changes: [] };
    const text = doc.getText();
    runBlame(process.execPath, this.cliPath, doc.uri.fsPath, text).then(
      (json) => {
        const inflight = state.inflight!;
        state.inflight = undefined;
        if (this.docs.get(key) !== state) return; // closed or turned off meanwhile
        const lineCount = text.split('\n').length;
        const result = fromBlameJson(json, lineCount);
        for (const [sha, c] of result.commits) this.commits.set(sha, c);
        for (const edit of inflight.changes) shiftLines(result.lines, ...edit);
        state.lines = result.lines;
        state.error = undefined;
        this.after(doc, state);
      },
      (err: Error) => {
        state.inflight = undefined;
        if (this.docs.get(key) !== state) return;
        state.lines = [];
        state.error = err.message;
        this.services.log.info(`AI blame of ${doc.uri.fsPath} not available: ${err.message}`);
        this.after(doc, state);
      },
    );
  }

  private after(doc: vscode.TextDocument, state: DocBlame): void {
    for (const e of vscode.window.visibleTextEditors) if (e.document === doc) this.draw(e);
    if (state.again) {
      state.again = false;
      this.compute(doc);
    }
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!this.on) return undefined;
    const line = this.docs.get(document.uri.toString())?.lines?.[position.line];
    if (!line) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(committedHoverMarkdown(line, this.commits.get(line.commit))), document.lineAt(position.line).range);
  }

  dispose(): void {
    this.redrawSoon.dispose();
    for (const d of this.disposables) d.dispose();
    this.type.dispose();
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** `node dist/cli.js blame <file> --json --contents -` with `text` on stdin (VS Code's runtime runs it as Node). */
export async function runBlame(node: string, cli: string, file: string, text: string): Promise<BlameJson> {
  const r = await runProgram(node, [cli, 'blame', file, '--json', '--contents', '-'], {
    cwd: path.dirname(file),
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    input: text,
    timeoutMs: BLAME_TIMEOUT_MS,
  });
  if (r.code !== 0) throw new Error(r.stderr.trim().split('\n')[0] || `exit ${r.code}`);
  try {
    return JSON.parse(r.stdout.toString('utf8')) as BlameJson;
  } catch (e) {
    throw new Error(`unreadable blame output: ${(e as Error).message}`);
  }
}

/** Flips `aiProvenance.blame.enabled` for the user. */
export async function toggleBlame(): Promise<boolean> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const info = config.inspect<boolean>('enabled');
  const next = !config.get<boolean>('enabled', false);
  const target = info?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('enabled', next, target);
  return next;
}

export function registerCommitBlame(services: Services): vscode.Disposable {
  return new CommitBlame(services);
}
