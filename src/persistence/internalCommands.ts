import * as vscode from 'vscode';
import type { Persistence } from './persistence';

/**
 * The internal commands the in-host tests use: `aiProvenance.internal.flushProvenance` (write
 * now), `aiProvenance.internal.provenanceLocation` (where a file's provenance is saved) and
 * `aiProvenance.internal.reloadPersistence` (simulates a window reload: saves synchronously as on
 * deactivation, forgets the provenance of open documents, and restores it from disk).
 */
export function registerInternalCommands(
  persistence: { current(): Persistence | undefined; restart(): Promise<void> },
): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('aiProvenance.internal.flushProvenance', async () => {
      await persistence.current()?.flush();
      return true;
    }),
    vscode.commands.registerCommand('aiProvenance.internal.provenanceLocation', async (uri: vscode.Uri) => {
      const r = await persistence.current()?.resolve(uri);
      return r ? { statePath: r.loc.dir.statePath, key: r.rel, kind: r.loc.kind } : undefined;
    }),
    vscode.commands.registerCommand('aiProvenance.internal.reloadPersistence', async () => {
      await persistence.restart();
      return true;
    }),
  );
}
