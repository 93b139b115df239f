/**
 * The fenced code blocks of a Markdown text (CommonMark fences: a line of at least three backticks
 * or tildes, indented at most three spaces, closed by a line of the same character at least as
 * long). A block left open runs to the end of the text, as a chat answer still streaming shows it.
 */
export function fencedCodeBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const lines = markdown.split(/\r\n|\r|\n/);
  let fence: { char: string; length: number; indent: number } | undefined;
  let body: string[] = [];
  for (const line of lines) {
    const m = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(line);
    if (!fence) {
      if (m && !(m[2][0] === '`' && m[3].includes('`'))) {
        fence = { char: m[2][0], length: m[2].length, indent: m[1].length };
        body = [];
      }
      continue;
    }
    if (m && m[2][0] === fence.char && m[2].length >= fence.length && m[3].trim() === '') {
      blocks.push(body.join('\n'));
      fence = undefined;
      continue;
    }
    // Content lines lose up to the fence's own indentation.
    let strip = 0;
    while (strip < fence.indent && line[strip] === ' ') strip++;
    body.push(line.slice(strip));
  }
  if (fence) blocks.push(body.join('\n'));
  return blocks;
}
