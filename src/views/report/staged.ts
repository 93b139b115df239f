import * as vscode from 'vscode';
import { Services } from '../../services';
import { StagedInput } from '../../core/presentation/reportModel';

/** What the report shows when no staged summary can be computed, and why. */
export interface StagedUnavailable {
  readonly unavailable: string;
}

/**
 * The staged change's contribution summary and the trailers the next commit will get, as the
 * commit flow computes them for the workspace folder of `resource` (or the first folder).
 */
export async function loadStagedSummary(services: Services, resource: vscode.Uri | undefined): Promise<StagedInput | StagedUnavailable> {
  void services;
  void resource;
  return { unavailable: 'The staged change summary comes from the commit integration, which this build does not include yet.' };
}

export function isUnavailable(value: StagedInput | StagedUnavailable): value is StagedUnavailable {
  return (value as StagedUnavailable).unavailable !== undefined;
}
