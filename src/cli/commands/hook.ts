import { parseRewritePairs, postRewrite } from '../../commit/postRewrite';
import { readStdin } from '../io';
import { HookName, postCommit, prepareCommitMessage } from '../../commit/prepareCommitMessage';

/**
 * `ai-provenance hook <name> [args...]`: what the installed git hooks run. Shaped as a CLI
 * subcommand module (`help` + `run(args, io)`), so the CLI's command table registers it with
 * `hook: { summary: 'Run a git hook of AI Provenance (installed by the extension)', load: () => import('./commands/hook') }`.
 * Always exits 0: a provenance problem never blocks a commit; notes go to stderr.
 */

/** The subset of the CLI's io this command uses. */
export interface HookIo {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

export const help = [
  'Usage: ai-provenance hook <prepare-commit-msg|commit-msg|post-commit|post-rewrite> [hook arguments]',
  '',
  'Run by the git hooks that "AI Provenance: Install Commit Hook" installs:',
  '  prepare-commit-msg <file> [source] [sha]  merge AI Provenance trailers into the message',
  '  commit-msg <file>                         the same, after the editor (for `git commit` without -m)',
  '  post-commit                               attach a pending manifest as the commit\'s git note',
  '  post-rewrite <amend|rebase>               (git\'s "<old> <new>" lines on stdin) give each rewritten',
  '                                            commit a record: the old one\'s AI lines carried, as a note',
  'Never fails a commit: problems are printed on stderr and the exit code is 0.',
  '',
].join('\n');

export async function run(args: string[], io: HookIo, stdin: () => string = readStdin): Promise<number> {
  const [name, file, source, sha] = args as [HookName | 'post-rewrite' | undefined, string?, string?, string?];
  try {
    if (name === 'post-rewrite') {
      const r = await postRewrite(io.cwd, parseRewritePairs(stdin()));
      for (const n of r.notes) io.err(`ai-provenance: ${n}\n`);
      return 0;
    }
    if (name === 'post-commit') {
      const id = await postCommit(io.cwd);
      if (id) io.err(`ai-provenance: manifest ${id} stored as a git note\n`);
      return 0;
    }
    if ((name === 'prepare-commit-msg' || name === 'commit-msg') && file) {
      const r = await prepareCommitMessage(io.cwd, file, source ?? '', { hook: name, sha, env: io.env });
      for (const n of r.notes) io.err(`ai-provenance: ${n}\n`);
      return 0;
    }
    io.err(help);
    return 0;
  } catch (e) {
    io.err(`ai-provenance: ${name ?? 'hook'}: ${(e as Error).message}; commit not affected\n`);
    return 0;
  }
}
