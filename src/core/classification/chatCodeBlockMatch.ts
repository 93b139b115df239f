/**
 * Decides whether inserted text came from a code block of a chat answer ("Insert at Cursor", or a
 * copy of the block pasted by hand). VS Code shows each code block of a chat answer in a text
 * document of scheme `vscode-chat-code-block`, so an extension can read their text; an insertion is
 * attributed to chat only when its content is found in one of them. Ordinary pastes and formatting
 * therefore never match: the rule is about content, not size.
 */

/** Schemes of documents that hold chat code blocks. */
export const CHAT_CODE_BLOCK_SCHEMES: readonly string[] = ['vscode-chat-code-block'];

/** An insertion must have at least this many non-whitespace characters to be matched. */
export const MIN_MATCH_CHARS = 16;

/** Lines trimmed, blank lines dropped, line endings unified: insertion may re-indent. */
export function normaliseCode(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join('\n');
}

/** True when `inserted` is (a contiguous part of, by whole lines) one of the code blocks. */
export function matchesChatCodeBlock(inserted: string, codeBlocks: readonly string[]): boolean {
  const needle = normaliseCode(inserted);
  if (needle.replace(/\s/g, '').length < MIN_MATCH_CHARS) return false;
  for (const block of codeBlocks) {
    const hay = normaliseCode(block);
    if (hay === needle) return true;
    // Whole-line containment: the needle must start and end on line boundaries of the block.
    const index = `\n${hay}\n`.indexOf(`\n${needle}\n`);
    if (index !== -1) return true;
  }
  return false;
}
