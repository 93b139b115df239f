import * as vscode from 'vscode';
import { Services, storeKey } from '../services';

/**
 * For what capture missed: mark the selection as AI-generated (asking for the tool), or clear AI
 * marks from it. Both are ordinary provenance: a mark is recorded with kind `manual`.
 */
export function registerManualMarks(services: Services, track: (d: vscode.TextDocument) => boolean): vscode.Disposable {
  const selectionSpans = (editor: vscode.TextEditor) =>
    editor.selections.filter((s) => !s.isEmpty).map((s) => ({ start: editor.document.offsetAt(s.start), text: editor.document.getText(s) }));

  return vscode.Disposable.from(
    vscode.commands.registerCommand('aiProvenance.markSelectionAsAi', async (toolArg?: string) => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || !track(editor.document)) {
        void vscode.window.showWarningMessage('AI Provenance: open a tracked file and select the AI-generated text first.');
        return;
      }
      const spans = selectionSpans(editor);
      if (spans.length === 0) {
        void vscode.window.showWarningMessage('AI Provenance: select the AI-generated text first.');
        return;
      }
      const tool =
        typeof toolArg === 'string' && toolArg
          ? toolArg
          : await vscode.window.showInputBox({ title: 'Mark selection as AI-generated', prompt: 'Which tool produced it?', value: 'unnamed AI tool' });
      if (!tool) return;
      const doc = services.store.get(storeKey(editor.document.uri))!;
      services.store.batch(() => {
        for (const s of spans) doc.setOrigin(s.start, s.text, { kind: 'manual', tool, timestamp: Date.now() });
      });
      services.log.info(`marked ${spans.reduce((n, s) => n + s.text.length, 0)} chars as AI (${tool}) by hand in ${editor.document.uri.toString()}`);
    }),
    vscode.commands.registerCommand('aiProvenance.clearSelectionMarks', () => {
      const editor = vscode.window.activeTextEditor;
      const doc = editor && services.store.get(storeKey(editor.document.uri));
      if (!editor || !doc) return;
      services.store.batch(() => {
        for (const s of selectionSpans(editor)) doc.setOrigin(s.start, s.text, undefined);
      });
      services.log.info(`cleared AI marks from the selection in ${editor.document.uri.toString()}`);
    }),
  );
}
