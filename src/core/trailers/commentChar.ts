/**
 * Which lines of a commit message git will drop as comments, as far as the message file a hook
 * receives can tell. Pure.
 *
 * git adds its comment block (the "Please enter the commit message" lines, the status, and with
 * `-v` a scissors line and the diff) only when it opens the editor, and only then does its
 * default clean-up strip comment lines. With `core.commentChar=auto` git picks the first of
 * `#;@!$%^&|:` that starts no line of the message, so the character is read from the block
 * itself. A message without such a block (`git commit -m`, `-F`) has no comments: a `#` line
 * the user wrote there is kept by git, so it must stay where it is, before our trailers.
 */

/** Characters git tries, in order, for `core.commentChar=auto`. */
export const AUTO_COMMENT_CHARS = '#;@!$%^&|:';

/** Stands for "no line is a comment": no line of a message starts with it. */
export const NO_COMMENT = '\u0000';

const SCISSORS = / -{8,} >8 -{8,}$/;

/**
 * The comment character of `message` given git's `core.commentChar` setting (undefined: `#`),
 * or {@link NO_COMMENT} when the message holds no comment block of git's.
 */
export function messageCommentChar(configured: string | undefined, message: string): string {
  const candidates = configured === undefined || configured === '' ? ['#'] : configured === 'auto' ? [...AUTO_COMMENT_CHARS] : [configured[0]];
  const lines = message.split('\n');
  for (const c of candidates) if (lines.some((l) => l.startsWith(c) && SCISSORS.test(l))) return c;
  // The block git appends: the last lines of the message, blank or starting with the character,
  // with at least two comment lines (git's shortest block has two).
  for (const c of candidates) {
    let comments = 0;
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i];
      if (l.trim() === '') continue;
      if (!l.startsWith(c)) break;
      comments++;
    }
    if (comments >= 2) return c;
  }
  return NO_COMMENT;
}

/**
 * True when `message` has a line that is neither blank nor possibly a comment (before any scissors
 * line). Any line starting with the configured character (for `auto`: with any character git may
 * pick) counts as a comment here, whether or not git's block is recognised: a message of comments
 * only must reach git unchanged, so that git aborts the commit as it would without the hooks.
 */
export function hasMessageContent(configured: string | undefined, message: string): boolean {
  const chars = configured === undefined || configured === '' ? '#' : configured === 'auto' ? AUTO_COMMENT_CHARS : configured[0];
  for (const l of message.split('\n')) {
    if (l.length && chars.includes(l[0])) {
      if (SCISSORS.test(l)) return false;
      continue;
    }
    if (l.trim() !== '') return true;
  }
  return false;
}
