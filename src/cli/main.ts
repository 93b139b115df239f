/**
 * The `ai-provenance` command-line tool (bundled to dist/cli-main.js, which dist/cli.js loads with a
 * code cache: launcher.ts).
 * No VS Code dependency: it runs in CI on a plain checkout.
 *
 * Subcommands are listed in COMMANDS; each is loaded lazily and must export
 *   `help: string` and `run(args: string[], io: CliIo): Promise<number>`.
 * Adding a subcommand is a one-line edit to the table below.
 */
import { CliIo, EXIT_USAGE, UsageError, processIo } from './io';
import { VERSION } from '../version';
import { useGitExecutable } from '../git/git';

export interface CliCommandModule {
  readonly help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<CliCommandModule>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  verify: { summary: 'Check trailers, manifests and policy for each commit of a range', load: () => import('./commands/verify') },
  review: { summary: 'Pull-request gate: required review level, reviewers, approvals, Markdown summary', load: () => import('./commands/review') },
  stats: { summary: 'AI share per commit, author, tool/model, file and period', load: () => import('./commands/stats') },
  blame: { summary: 'Which lines of a file an AI wrote: commit, tool, model and review per line', load: () => import('./commands/blame') },
  export: { summary: 'Export provenance of a range (Agent Trace v0.1.0 records)', load: () => import('./commands/export') },
  checkpoint: { summary: 'Record what an agent outside the editor wrote (--before / --after)', load: () => import('./commands/checkpoint') },
  reattach: { summary: 'Rebuild the manifest of a squash- or rebase-merged commit from the pull request commits', load: () => import('./commands/reattach') },
  install: { summary: 'Install the commit hooks in a repository (same hooks as the extension installs)', load: () => import('./commands/install') },
  uninstall: { summary: 'Remove the commit hooks and put back the hooks they chained', load: () => import('./commands/uninstall') },
  hook: { summary: 'Run a git hook of AI Provenance (installed by the extension)', load: () => import('./commands/hook') },
};

export { VERSION } from '../version';

export function usage(): string {
  const width = Math.max(0, ...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: ai-provenance <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `ai-provenance <command> --help` for the options of a command.',
    'Exit codes: 0 ok, 1 policy or verification failure, 2 usage or repository error.',
    '',
  ].join('\n');
}

/** Runs one command line (without the node and script arguments); resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0] && COMMANDS[rest[0]]) {
      io.out((await COMMANDS[rest[0]].load()).help);
      return 0;
    }
    // A bare call is a usage error: the usage goes to stderr, like every other error.
    if (name === undefined) {
      io.err(usage());
      return EXIT_USAGE;
    }
    io.out(usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.err(`ai-provenance: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  const mod = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(mod.help);
    return 0;
  }
  try {
    return await mod.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`ai-provenance ${name}: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

/** Runs the command line of this process and sets its exit code. */
export function start(): void {
  // The git of this process (the hooks' runs): decided once, from the environment.
  useGitExecutable(process.env.AI_PROVENANCE_GIT);
  runCli(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`ai-provenance: internal error: ${e instanceof Error ? e.stack || e.message : String(e)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}

// Run directly (`node dist/cli-main.js`), not through the launcher (dist/cli.js, launcher.ts).
if (require.main === module) start();
