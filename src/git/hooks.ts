import * as fs from 'fs';
import * as path from 'path';
import { gitPath, runGit } from './git';
import { repoRelative } from '../core/persistence/repo';
import { HOOK_NOTE_FILE, PENDING_NOTE_FILE } from './manifestStore';

/**
 * Installing the opt-in git hooks that write AI Provenance trailers into commits made from a
 * terminal (or any git client): `prepare-commit-msg` and `commit-msg` merge the trailers,
 * `post-commit` attaches a pending manifest as a git note, `post-rewrite` makes sure each commit
 * an amend or a rebase made has a record (`git rebase --apply` runs none of the others). No
 * `vscode` import.
 *
 * - The hooks folder is the one git uses (`git rev-parse --git-path hooks`, which honours
 *   `core.hooksPath`).
 * - A hook already there is never replaced: it is renamed `<name>.pre-ai-provenance` and our
 *   script runs it first with the same arguments; its failure fails the commit as before.
 *   A hook file tracked in the repository (a shared `core.hooksPath` folder) is not touched; the
 *   result says how to add the call by hand.
 * - Installing again updates our scripts in place (new extension path) without chaining twice.
 * - Our part never fails a commit: when the CLI is missing it prints a note and exits 0.
 */

export const HOOK_MARKER = '# ai-provenance-hook v1';
export const HOOK_NAMES = ['prepare-commit-msg', 'commit-msg', 'post-commit', 'post-rewrite'] as const;
export type InstalledHookName = (typeof HOOK_NAMES)[number];
export const CHAINED_SUFFIX = '.pre-ai-provenance';

/**
 * Files of the hooks in the repository's state folder (`<git dir>/ai-provenance`):
 * - the `Assisted-by` values a hook wrote into the message being committed;
 * - the message as `prepare-commit-msg` left it. `commit-msg` finds the same text when nothing
 *   changed it since (`git commit -m`, `-F`, `-C`, an editor closed unchanged): it would do the
 *   same work again for the same result, so the script stops without starting Node.
 * `post-commit` removes both; it starts Node only when a manifest waits to become a note.
 */
export const HOOK_WRITTEN_FILE = 'hook-assisted-by.json';
export const PREPARED_MESSAGE_FILE = 'hook-message.txt';

export interface HookInstallOptions {
  readonly root: string;
  /** Absolute path of the bundled CLI (`dist/cli.js`). */
  readonly cliPath: string;
  /** A node executable (VS Code's own runtime works with ELECTRON_RUN_AS_NODE=1, which the script sets). */
  readonly nodePath: string;
}

export interface HookInstallResult {
  readonly hooksDir: string;
  /** Hooks now running AI Provenance. */
  readonly installed: InstalledHookName[];
  /** Existing hooks kept and chained (renamed to `<name>.pre-ai-provenance`). */
  readonly chained: InstalledHookName[];
  /** Hooks left alone, with the reason and what to do. */
  readonly skipped: Array<{ readonly name: InstalledHookName; readonly reason: string }>;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The text of our hook script for `name`. */
export function hookScript(name: InstalledHookName, cliPath: string, nodePath: string): string {
  const wantsCommand = name === 'prepare-commit-msg' || name === 'commit-msg';
  // post-rewrite reads git's "<old> <new>" lines on stdin: kept in a file, so that the hook
  // chained before ours reads them too. Its status does not stop ours (git ignores it anyway).
  const stdin = name === 'post-rewrite';
  const state = '"$(git rev-parse --absolute-git-dir 2>/dev/null)/ai-provenance"';
  // The fast paths: only a state folder git names (or the one beside the message file git hands
  // over) is read, and any doubt (no git directory, no cmp, a different message) runs the hook's
  // program as before.
  const fastPath: Record<InstalledHookName, string[]> = {
    'prepare-commit-msg': [],
    'commit-msg': [
      '# The message prepare-commit-msg left, unchanged since: nothing to do again. git hands the',
      '# message in a file of its git directory (.git/COMMIT_EDITMSG): the copy is looked for next',
      '# to it first (no git process), then where git names the git directory.',
      'case "$1" in */*) kept="${1%/*}/ai-provenance/' + PREPARED_MESSAGE_FILE + '";; *) kept=;; esac',
      'if [ -n "$kept" ] && [ -f "$kept" ] && cmp -s "$1" "$kept" 2>/dev/null; then exit 0; fi',
      `state=${state}`,
      `if cmp -s "$1" "$state/${PREPARED_MESSAGE_FILE}" 2>/dev/null; then exit 0; fi`,
    ],
    'post-rewrite': [],
    'post-commit': [
      '# The commit is made: the files of its hooks go; Node starts only for a manifest waiting to be its note.',
      'gitdir="$(git rev-parse --absolute-git-dir 2>/dev/null)"',
      'if [ -n "$gitdir" ]; then',
      `  rm -f "$gitdir/ai-provenance/${HOOK_WRITTEN_FILE}" "$gitdir/ai-provenance/${PREPARED_MESSAGE_FILE}"`,
      `  if [ ! -f "$gitdir/ai-provenance/${HOOK_NOTE_FILE}" ] && [ ! -f "$gitdir/ai-provenance/${PENDING_NOTE_FILE}" ]; then exit 0; fi`,
      'fi',
    ],
  };
  return [
    '#!/bin/sh',
    `${HOOK_MARKER}: installed by AI Provenance ("AI Provenance: Install Commit Hook" or \`ai-provenance install\`).`,
    `# A ${name} hook that was here before is kept as ${name}${CHAINED_SUFFIX} and runs first.`,
    // The hook's folder without a dirname process (git runs a hook by a path with a slash).
    `case "$0" in */*) chained="\${0%/*}/${name}${CHAINED_SUFFIX}";; *) chained="./${name}${CHAINED_SUFFIX}";; esac`,
    ...(stdin
      ? [
          'pairs="$(mktemp "${TMPDIR:-/tmp}/ai-provenance-rewrite.XXXXXX")" || exit 0',
          'trap \'rm -f "$pairs"\' EXIT',
          'cat > "$pairs"',
          'status=0',
          'if [ -x "$chained" ]; then "$chained" "$@" < "$pairs" || status=$?; fi',
        ]
      : ['if [ -x "$chained" ]; then "$chained" "$@" || exit $?; fi']),
    `cli=${shQuote(cliPath)}`,
    `node=${shQuote(nodePath)}`,
    'if [ ! -f "$cli" ]; then',
    `  echo "ai-provenance: $cli not found (updated or removed); run 'AI Provenance: Install Commit Hook' or 'ai-provenance install' again" >&2`,
    '  exit 0',
    'fi',
    ...fastPath[name],
    'if [ ! -x "$node" ]; then node=node; fi',
    // The git command that runs the hook (to tell an amend): where /proc has it, the program
    // reads it there (no process started here); elsewhere ps gives it.
    ...(wantsCommand
      ? ['if [ -r "/proc/$PPID/cmdline" ]; then AIP_GIT_PID=$PPID; export AIP_GIT_PID', 'else AIP_GIT_COMMAND="$(ps -o args= -p "$PPID" 2>/dev/null)"; export AIP_GIT_COMMAND; fi']
      : []),
    `ELECTRON_RUN_AS_NODE=1 "$node" "$cli" hook ${name} "$@"${stdin ? ' < "$pairs"' : ''} || echo "ai-provenance: ${name} hook failed; commit not affected" >&2`,
    stdin ? 'exit $status' : 'exit 0',
    '',
  ].join('\n');
}

function isOurs(file: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8').includes(HOOK_MARKER);
  } catch {
    return false;
  }
}

async function isTracked(root: string, file: string): Promise<boolean> {
  const rel = repoRelative(root, file);
  if (rel === undefined) return false; // outside the working tree
  const r = await runGit(['ls-files', '--error-unmatch', '--', rel], { cwd: root, okCodes: [1] });
  return r.code === 0;
}

export async function installHooks(options: HookInstallOptions): Promise<HookInstallResult> {
  const hooksDir = await gitPath(options.root, 'hooks');
  fs.mkdirSync(hooksDir, { recursive: true });
  const result: HookInstallResult = { hooksDir, installed: [], chained: [], skipped: [] };
  for (const name of HOOK_NAMES) {
    const file = path.join(hooksDir, name);
    const script = hookScript(name, options.cliPath, options.nodePath);
    if (fs.existsSync(file) && !isOurs(file)) {
      if (await isTracked(options.root, file)) {
        result.skipped.push({
          name,
          reason: `${file} is tracked in the repository; add this line to it by hand: ELECTRON_RUN_AS_NODE=1 ${shQuote(options.nodePath)} ${shQuote(options.cliPath)} hook ${name} "$@"`,
        });
        continue;
      }
      const chained = file + CHAINED_SUFFIX;
      if (fs.existsSync(chained)) {
        result.skipped.push({ name, reason: `both ${file} and ${chained} exist; move one of them away and install again` });
        continue;
      }
      fs.renameSync(file, chained);
      result.chained.push(name);
    }
    const tmp = `${file}.ai-provenance-tmp`;
    fs.writeFileSync(tmp, script, { mode: 0o755 });
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, file);
    result.installed.push(name);
  }
  return result;
}

/** True when our `prepare-commit-msg` hook is installed in the repository's hooks folder. */
export async function hooksInstalled(root: string): Promise<boolean> {
  return isOurs(path.join(await gitPath(root, 'hooks'), 'prepare-commit-msg'));
}

/** Removes our hooks and puts back the hooks they chained. Returns the names removed. */
export async function uninstallHooks(root: string): Promise<InstalledHookName[]> {
  const hooksDir = await gitPath(root, 'hooks');
  const removed: InstalledHookName[] = [];
  for (const name of HOOK_NAMES) {
    const file = path.join(hooksDir, name);
    if (!isOurs(file)) continue;
    fs.rmSync(file);
    const chained = file + CHAINED_SUFFIX;
    if (fs.existsSync(chained)) fs.renameSync(chained, file);
    removed.push(name);
  }
  return removed;
}
