/**
 * Reads VS Code's `TextDocumentChangeEvent.detailedReason` (the proposed `textDocumentChangeReason`
 * API). It is not part of the stable API: on VS Code Stable a Marketplace extension never receives
 * it, so everything here is optional and read defensively; capture never depends on it.
 */

/** What an edit source says about a change, normalised. */
export type EditSource =
  | { readonly type: 'typing' }
  /** A paste from the clipboard (`cursor` with kind `paste`). */
  | { readonly type: 'paste' }
  | { readonly type: 'inline'; readonly partial: boolean; readonly nextEdit: boolean; readonly extensionId?: string; readonly requestId?: string }
  | { readonly type: 'chat'; readonly inline: boolean; readonly mode?: string; readonly model?: string; readonly sessionId?: string; readonly requestId?: string; readonly extensionId?: string }
  | { readonly type: 'chatUndo' }
  | { readonly type: 'reloadFromDisk' }
  /** `unknown` is what VS Code reports for a chat block's "Insert at Cursor". */
  | { readonly type: 'unnamed' }
  /** Any other named source: snippet, suggest, codeAction, rename, setValue, formatting... */
  | { readonly type: 'other'; readonly source: string };

function field(metadata: Record<string, unknown>, name: string): string | undefined {
  for (const key of [name, `$${name}`, `$$${name}`]) {
    const v = metadata[key];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}

function flag(metadata: Record<string, unknown>, name: string): boolean {
  for (const key of [name, `$${name}`, `$$${name}`]) {
    if (metadata[key] === true) return true;
  }
  return false;
}

/** Normalises a `detailedReason`; undefined when absent or of a shape we do not know. */
export function readEditSource(detailedReason: unknown): EditSource | undefined {
  if (!detailedReason || typeof detailedReason !== 'object') return undefined;
  const reason = detailedReason as { source?: unknown; metadata?: unknown };
  if (typeof reason.source !== 'string') return undefined;
  const metadata = reason.metadata && typeof reason.metadata === 'object' ? (reason.metadata as Record<string, unknown>) : {};
  switch (reason.source) {
    case 'cursor':
      return metadata.kind === 'paste' ? { type: 'paste' } : { type: 'typing' };
    case 'inlineCompletionAccept':
    case 'inlineCompletionPartialAccept': {
      const languageId = field(metadata, 'languageId');
      const type = field(metadata, 'type');
      const partial =
        reason.source === 'inlineCompletionPartialAccept' || type === 'word' || type === 'line' || languageId === 'word' || languageId === 'line';
      return {
        type: 'inline',
        partial,
        nextEdit: flag(metadata, 'nes'),
        extensionId: field(metadata, 'extensionId'),
        requestId: field(metadata, 'requestUuid') ?? field(metadata, 'requestId'),
      };
    }
    case 'Chat.applyEdits':
    case 'inlineChat.applyEdits':
      return {
        type: 'chat',
        inline: reason.source === 'inlineChat.applyEdits',
        mode: field(metadata, 'mode'),
        model: field(metadata, 'modelId'),
        sessionId: field(metadata, 'sessionId'),
        requestId: field(metadata, 'requestId'),
        extensionId: field(metadata, 'extensionId'),
      };
    case 'Chat.undoEdits':
    case 'Chat.reset':
      return { type: 'chatUndo' };
    case 'reloadFromDisk':
      return { type: 'reloadFromDisk' };
    case 'unknown':
      return { type: 'unnamed' };
    default:
      return { type: 'other', source: reason.source };
  }
}
