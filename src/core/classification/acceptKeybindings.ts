/**
 * Which of VS Code's own inline-accept keybindings a host has, so that ours (which must carry the
 * same `when` clauses, see `capture/acceptInterception.ts`) match them on every supported version.
 *
 * Ctrl/Cmd+Right -> `editor.action.inlineSuggest.acceptNextWord`: up to 1.100 (seen in the shipped
 * workbench of 1.90.2, 1.99.3 and 1.100.3) it fires whenever `!editorReadonly &&
 * inlineSuggestionVisible`; from 1.103 (seen in 1.103.2 and later) also only when
 * `cursorBeforeGhostText && !accessibilityModeEnabled`. That context key does not exist on the
 * older hosts, so a binding that names it never fires there while VS Code's own does, and the
 * accepted word would go unrecorded. 1.101 and 1.102 could not be checked (no build to run); they
 * are treated as old, which at worst makes Ctrl+Right there accept a word the user's own
 * binding would not have (the word is then recorded, correctly, as AI).
 */
export const LEGACY_WORD_ACCEPT_CONTEXT_KEY = 'aiProvenance.legacyWordAcceptBinding';

/** First VS Code version whose Ctrl+Right accept binding requires `cursorBeforeGhostText`. */
const CURSOR_BEFORE_GHOST_TEXT_SINCE: readonly [number, number] = [1, 103];

/**
 * True when VS Code `version` (`vscode.version`, e.g. `1.90.2` or `1.139.0-insider`) binds
 * Ctrl+Right to accept the next word without the `cursorBeforeGhostText` condition. An
 * unreadable version counts as new (the binding of today's VS Code).
 */
export function hasLegacyWordAcceptBinding(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const [sinceMajor, sinceMinor] = CURSOR_BEFORE_GHOST_TEXT_SINCE;
  return major < sinceMajor || (major === sinceMajor && minor < sinceMinor);
}
