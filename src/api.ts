import * as vscode from 'vscode';
import { OriginKind } from './core/provenance/origin';

/**
 * The API returned from `activate()`; other extensions get it with
 * `vscode.extensions.getExtension('ai-provenance.ai-provenance')?.activate()`.
 * Offsets and ranges are in the document's current text.
 */
export interface AiProvenanceApi {
  readonly apiVersion: 1;

  /** Every recorded range of the document (AI kinds and `unknown`), in document order. */
  getRanges(uri: vscode.Uri): ApiRange[];

  /** Recorded ranges that intersect `range`. */
  getRangesIn(uri: vscode.Uri, range: vscode.Range): ApiRange[];

  /** Line share of an open document, or undefined when it is not tracked. */
  getFileShare(uri: vscode.Uri): FileShare | undefined;

  /**
   * Records that the text now in `range` of the open document was produced by an AI tool.
   * Returns false when the document is not open or not tracked.
   */
  recordAiEdit(uri: vscode.Uri, range: vscode.Range, origin: ApiOriginInput): boolean;

  /** Fires with the document's URI whenever its provenance changes. */
  readonly onDidChangeProvenance: vscode.Event<vscode.Uri>;
}

export interface ApiOriginInput {
  /** Extension id or agent name. */
  readonly tool: string;
  readonly model?: string;
  /** Defaults to `chat`. */
  readonly kind?: Exclude<OriginKind, 'unknown'>;
  readonly requestId?: string;
}

export interface ApiRange {
  readonly range: vscode.Range;
  readonly kind: OriginKind;
  readonly tool: string;
  readonly model?: string;
  readonly requestId?: string;
  /** Set on AI text copied from elsewhere: where it was copied from (workspace-relative path). */
  readonly copiedFrom?: string;
  /** When it was recorded, ms since the epoch. */
  readonly timestamp: number;
}

export interface FileShare {
  /** Non-blank lines most of whose non-whitespace characters are AI-produced. */
  readonly aiLines: number;
  readonly nonBlankLines: number;
  readonly aiCharacters: number;
  /** Tool labels (`tool` or `tool:model`) seen in the file. */
  readonly tools: string[];
}
