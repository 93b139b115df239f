/**
 * Which tool an accepted inline suggestion is recorded with when the editor does not say (VS Code
 * Stable, and forks of VS Code). Pure: the adapter (`capture/inlineTool.ts`) gathers the host's
 * name and the active AI extensions.
 */
export const GENERIC_INLINE_TOOL = 'inline completion';

/**
 * Forks of VS Code whose own inline completion is part of the editor, not an extension, keyed by
 * a word of `vscode.env.appName`, with the tool name we record for it. On these a suggestion may
 * come from the editor itself even when an AI extension is active, so naming that extension would
 * be a guess.
 */
const FORKS_WITH_OWN_INLINE_PROVIDER: readonly (readonly [RegExp, string])[] = [
  [/\bcursor\b/i, 'cursor'],
  [/\bwindsurf\b/i, 'windsurf'],
  [/\btrae\b/i, 'trae'],
  [/\bvoid\b/i, 'void'],
];

/** The fork of VS Code named by `appName` that has its own inline completion, if any. */
export function forkWithOwnInlineProvider(appName: string): string | undefined {
  return FORKS_WITH_OWN_INLINE_PROVIDER.find(([re]) => re.test(appName))?.[1];
}

/**
 * The tool for an inline accept on a host named `appName` where the active inline-completion
 * extensions are `extensionTools` (normalised tool ids):
 * - on a fork with its own inline completion: the fork's (`cursor (built-in)`) when no AI
 *   extension is active, otherwise the generic name (either could have made the suggestion);
 * - elsewhere: the one extension when exactly one is active, otherwise the generic name.
 */
export function chooseInlineTool(appName: string, extensionTools: readonly string[]): string {
  const tools = [...new Set(extensionTools)];
  const fork = forkWithOwnInlineProvider(appName);
  if (fork) return tools.length === 0 ? `${fork} (built-in)` : GENERIC_INLINE_TOOL;
  return tools.length === 1 ? tools[0] : GENERIC_INLINE_TOOL;
}
