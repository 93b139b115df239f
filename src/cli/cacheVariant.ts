/**
 * A short name for what a command line will run, so that each kind of run (a hook, `verify`, ...)
 * keeps its own code cache of the functions it uses (codeCache.ts): the command, and for `hook`
 * the hook's name. Anything that is not a plain lower-case word is `other`.
 */
export function cacheVariant(argv: readonly string[]): string {
  const word = (s: string | undefined): string => (s !== undefined && /^[a-z][a-z-]{0,30}$/.test(s) ? s : 'other');
  const command = word(argv[0]);
  return command === 'hook' ? `hook-${word(argv[1])}` : command;
}
