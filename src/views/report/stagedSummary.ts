import * as vscode from 'vscode';
import { StagedInput } from '../../core/presentation/reportModel';
import { StagedReportFacts, stagedInputFrom } from '../../core/presentation/stagedInput';

/** The commit flow, as the report sees it (given by extension.ts, as to the status bar). */
export interface StagedSource {
  /** The latest staged facts of the repository holding `uri` (or the first repository). */
  stagedFacts(uri?: vscode.Uri): (StagedReportFacts & { readonly root: string }) | undefined;
  /** Measures the staged change again and returns its facts. */
  refresh(uri?: vscode.Uri): Promise<(StagedReportFacts & { readonly root: string }) | undefined>;
  /** Fires when a repository's staged facts change. */
  readonly onDidChange: vscode.Event<void>;
}

/** What the report shows when no staged summary can be computed, and why. */
export interface StagedUnavailable {
  readonly unavailable: string;
}

/**
 * The staged change's contribution summary and the trailers the next commit will get, from the
 * commit flow, for the repository holding `resource` (or the first repository). With `recompute`
 * the commit flow measures the index again first; otherwise its latest result is used (it
 * refreshes itself when the index or the provenance changes, and fires `onDidChange`).
 */
export async function loadStagedSummary(flow: StagedSource | undefined, resource: vscode.Uri | undefined, recompute: boolean): Promise<StagedInput | StagedUnavailable> {
  if (!vscode.workspace.isTrusted) {
    return { unavailable: 'This workspace is not trusted: AI Provenance does not run git here, so it cannot read the staged change.' };
  }
  if (!flow) return { unavailable: 'The commit integration is not running (see AI Provenance: Show Log).' };
  const facts = (!recompute && flow.stagedFacts(resource)) || (await flow.refresh(resource));
  if (!facts) return { unavailable: 'No git repository is open for this workspace (or git is not available), so there is no staged change.' };
  const input = stagedInputFrom(facts);
  const trailersOn = vscode.workspace.getConfiguration('aiProvenance', vscode.Uri.file(facts.root)).get<boolean>('trailers.enabled', true);
  if (!trailersOn) {
    return { ...input, trailers: [], notes: [...(input.notes ?? []), 'Trailers are turned off (setting aiProvenance.trailers.enabled): the commit message stays as written.'] };
  }
  return input;
}

/** Fires when the commit flow has new staged facts; a no-op disposable when it is not running. */
export function onDidChangeStaged(flow: StagedSource | undefined, listener: () => void): vscode.Disposable {
  return flow?.onDidChange(listener) ?? new vscode.Disposable(() => undefined);
}

export function isUnavailable(value: StagedInput | StagedUnavailable): value is StagedUnavailable {
  return (value as StagedUnavailable).unavailable !== undefined;
}
