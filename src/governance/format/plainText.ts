/**
 * Untrusted text (paths, subjects, names, messages taken from commits and manifests) made safe
 * for plain-text output: a CI log reads each line on its own, and a line that starts with `::`
 * is a GitHub workflow command. Control characters (C0, DEL, C1) and the Unicode line and
 * paragraph separators are written as escapes (`\n`, `\x1b`, `\u2028`), and a backslash as `\\`,
 * so nothing in a value can end a line, colour the terminal or be read as a command.
 */
export function plainText(s: string): string {
  return s.replace(/[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default: {
        const code = c.charCodeAt(0);
        return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
      }
    }
  });
}
