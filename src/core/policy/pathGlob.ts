/**
 * Path globs of the policy (`infra/**`, `**\/auth/**`, `*.lock`), matched against repository
 * paths with `/` separators. A glob with no `/` matches a file name at any depth (as in
 * `.gitignore`); one with a `/` matches from the repository root. `**` matches any number of
 * folders, `*` anything but `/`, `?` one character but `/`, `{a,b}` either, `[abc]` one of.
 * No `vscode` import.
 */

export type PathMatcher = (path: string) => boolean;

/** Compiles `globs` into one matcher (true when any glob matches); throws on a malformed glob. */
export function compileGlobs(globs: readonly string[]): PathMatcher {
  const res = globs.map(globToRegExp);
  return (path) => res.some((re) => re.test(path));
}

/** The regular expression a glob stands for; throws an Error naming the problem. */
export function globToRegExp(glob: string): RegExp {
  if (!glob || /[\0\r\n]/.test(glob)) throw new Error(`invalid glob ${JSON.stringify(glob)}`);
  const anchored = glob.replace(/^\.\//, '');
  const body = anchored.startsWith('/') ? anchored.slice(1) : anchored.includes('/') ? anchored : `**/${anchored}`;
  let out = '';
  let braces = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '*') {
      if (body[i + 1] === '*') {
        // `**/` any folders (or none); a trailing `**` anything below.
        const slash = body[i + 2] === '/';
        const atStart = i === 0 || body[i - 1] === '/';
        if (!atStart) throw new Error(`invalid glob ${JSON.stringify(glob)}: ** must be a whole path segment`);
        if (slash) {
          out += '(?:[^/]+/)*';
          i += 2;
        } else if (i + 2 === body.length) {
          out += '.*';
          i += 1;
        } else throw new Error(`invalid glob ${JSON.stringify(glob)}: ** must be a whole path segment`);
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = body.indexOf(']', i + 2);
      if (end < 0) throw new Error(`invalid glob ${JSON.stringify(glob)}: unclosed [`);
      let set = body.slice(i + 1, end);
      const negate = set.startsWith('!') || set.startsWith('^');
      if (negate) set = set.slice(1);
      out += `[${negate ? '^' : ''}${set.replace(/[\\\]^]/g, (m) => '\\' + m)}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else out += c.replace(/[.+^$()|\\/{}]/g, (m) => '\\' + m);
  }
  if (braces) throw new Error(`invalid glob ${JSON.stringify(glob)}: unclosed {`);
  return new RegExp(`^${out}$`);
}
