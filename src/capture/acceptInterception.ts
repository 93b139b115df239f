import * as vscode from 'vscode';
import { hasLegacyWordAcceptBinding, LEGACY_WORD_ACCEPT_CONTEXT_KEY } from '../core/classification/acceptKeybindings';
import { CursorLine, PendingAccept } from '../core/classification/pendingAccept';
import { storeKey } from '../services';
import { inlineToolName } from './inlineTool';
import { whyNotTracked } from './trackable';

/**
 * Our keybindings for Tab, Ctrl/Cmd+Right and the accept-line command carry the same `when` clauses
 * as VS Code's own accept bindings, so the user sees no difference: we note that an accept was
 * requested, then run VS Code's accept command. The change that command produces is classified
 * as AI by `classifyChange` (next version of the same document, at the suggestion's position).
 * On VS Code Stable this is how accepted inline completions are recognised at all. Hosts older
 * than 1.103 bind Ctrl+Right by an older rule; a context key set here selects our binding that
 * mirrors it (`core/classification/acceptKeybindings.ts`).
 */
type AcceptKind = PendingAccept['kind'];

const BUILTIN_ACCEPT: Record<'full' | 'word' | 'line', string> = {
  full: 'editor.action.inlineSuggest.commit',
  word: 'editor.action.inlineSuggest.acceptNextWord',
  line: 'editor.action.inlineSuggest.acceptNextLine',
};

export class AcceptInterception implements vscode.Disposable {
  private current: PendingAccept | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly selfId: string, private readonly log: vscode.LogOutputChannel) {
    this.disposables.push(
      vscode.commands.registerCommand('aiProvenance.acceptInlineSuggestion', (args?: { kind?: string }) =>
        this.accept('full', args?.kind === 'nextEdit' ? 'nextEdit' : 'inline'),
      ),
      vscode.commands.registerCommand('aiProvenance.acceptInlineSuggestionWord', () => this.accept('word', 'inlinePartial')),
      vscode.commands.registerCommand('aiProvenance.acceptInlineSuggestionLine', () => this.accept('line', 'inlinePartial')),
    );
    const legacy = hasLegacyWordAcceptBinding(vscode.version);
    if (legacy) log.info(`VS Code ${vscode.version}: Ctrl+Right accepts by the rule of hosts before 1.103; mirroring it`);
    void vscode.commands.executeCommand('setContext', LEGACY_WORD_ACCEPT_CONTEXT_KEY, legacy);
  }

  /** The accept waiting for its change, if any. */
  get pending(): PendingAccept | undefined {
    return this.current;
  }

  /** Called by capture once the change after an accept was seen (used or not). */
  clear(documentKey: string): void {
    if (this.current?.documentKey === documentKey) this.current = undefined;
  }

  private async accept(which: 'full' | 'word' | 'line', kind: AcceptKind): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    let mine: PendingAccept | undefined;
    if (editor && !whyNotTracked(editor.document)) {
      const doc = editor.document;
      const cursors: CursorLine[] = editor.selections.map((s) => {
        const line = doc.lineAt(s.active.line);
        return { offset: doc.offsetAt(s.active), lineStart: doc.offsetAt(line.range.start), lineText: line.text };
      });
      mine = { documentKey: storeKey(doc.uri), kind, version: doc.version, cursors, at: Date.now(), tool: inlineToolName(this.selfId) };
      this.current = mine;
    }
    try {
      await vscode.commands.executeCommand(BUILTIN_ACCEPT[which]);
    } catch (err) {
      this.log.warn(`accepting the inline suggestion failed: ${String(err)}`);
    } finally {
      // The accept's change reaches us before the command returns; give a late one a moment,
      // then forget the accept so that an accept that inserted nothing marks nothing.
      setTimeout(() => {
        if (mine && this.current === mine) this.current = undefined;
      }, 1000);
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
