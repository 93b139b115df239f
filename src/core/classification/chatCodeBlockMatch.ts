import type { ChatCodeBlock } from '../chat/chatAnswers';

/**
 * Decides whether inserted text came from a code block of a chat answer ("Insert at Cursor", or a
 * copy of the block pasted by hand). The code blocks come from the chat sessions VS Code keeps in
 * the workspace storage (see `ChatHistory`): an insertion is attributed to chat only when its
 * content is found in one of them. Ordinary pastes and formatting therefore never match: the rule
 * is about content, not size.
 */

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

/** Normalised and framed by line breaks, so that containment means whole lines. */
function framed(text: string): string {
  return `\n${normaliseCode(text)}\n`;
}

/** True when the inserted text is long enough to be matched at all. */
export function isMatchable(inserted: string): boolean {
  return inserted.replace(/\s/g, '').length >= MIN_MATCH_CHARS;
}

/**
 * The code block `inserted` is (a contiguous part of, by whole lines), the most recent when several
 * are; only blocks of answers that completed by `at` (when given) count.
 */
export function findChatCodeBlock(inserted: string, codeBlocks: readonly ChatCodeBlock[], at?: number): ChatCodeBlock | undefined {
  let best: ChatCodeBlock | undefined;
  for (const block of chatCodeBlocksContaining(inserted, codeBlocks, at)) {
    if (!best || (block.completedAt ?? 0) > (best.completedAt ?? 0)) best = block;
  }
  return best;
}

/**
 * Every code block `inserted` is (a contiguous part of, by whole lines), in the given order; only
 * blocks of answers that completed by `at` (when given) count. Empty when `inserted` is too short
 * to be matched at all.
 */
export function chatCodeBlocksContaining(inserted: string, codeBlocks: readonly ChatCodeBlock[], at?: number): ChatCodeBlock[] {
  if (!isMatchable(inserted)) return [];
  const needle = framed(inserted);
  // Whole-line containment: the needle starts and ends on line boundaries of the block.
  return codeBlocks.filter((block) => !(at !== undefined && block.completedAt !== undefined && block.completedAt > at) && framed(block.text).includes(needle));
}

/** True when `inserted` is (by whole lines) part of one of the code blocks. */
export function matchesChatCodeBlock(inserted: string, codeBlocks: readonly ChatCodeBlock[]): boolean {
  return findChatCodeBlock(inserted, codeBlocks) !== undefined;
}

/** How many times `inserted` occurs in `text` by whole lines (both normalised as above). */
export function codeOccurrences(text: string, inserted: string): number {
  const hay = framed(text);
  const needle = framed(inserted);
  let count = 0;
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + 1)) count++;
  return count;
}
