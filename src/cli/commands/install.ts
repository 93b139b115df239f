/** `ai-provenance install` / `ai-provenance uninstall`: the commit hooks, from the command line. */
import * as fs from 'fs';
import * as path from 'path';
import { findRepoRoot } from '../../git/git';
import { HOOK_NAMES, installHooks, uninstallHooks } from '../../git/hooks';
import { parseArgs, str } from '../args';
import { CliIo, EXIT_OK, EXIT_USAGE, UsageError } from '../io';

export const help = `Usage: ai-provenance install [-C <dir>]
       ai-provenance uninstall [-C <dir>]

install: puts the commit hooks (${HOOK_NAMES.join(', ')}) into the hooks folder git uses for
the repository (core.hooksPath is honoured), the same hooks the extension's "Install Commit Hook"
installs, with the same rules: a hook already there is kept as <name>.pre-ai-provenance and still
runs first (its failure still stops the commit); a hook file tracked in the repository is not
touched (you are told the line to add); installing again updates our hooks in place. The hooks
run this copy of the command with the node that runs it now. They never block a commit.

With the hooks, a commit made in a terminal gets the trailers and the manifest (as a git note)
also with VS Code closed: the AI text recorded by \`ai-provenance checkpoint\` (agents) or by the
extension is read from <git dir>/ai-provenance/state.json.

uninstall: removes our hooks and puts back the hooks they chained.

Options:
  -C, --repo <dir>   Repository (default: the current directory)
  -h, --help         Show this help

Exit codes: 0 ok, 2 usage or repository error.
`;

const SPEC = { repo: { type: 'string', alias: 'C' } } as const;

/** The launcher of this command-line tool (dist/cli.js beside the running program). */
export function cliScriptPath(): string {
  const beside = path.join(__dirname, 'cli.js');
  if (fs.existsSync(beside)) return beside;
  const script = process.argv[1];
  return script ? fs.realpathSync(script) : beside;
}

async function repoRoot(argv: string[], io: CliIo): Promise<string> {
  const args = parseArgs(argv, SPEC);
  if (args.positionals.length) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const dir = path.resolve(io.cwd, str(args, 'repo') ?? '.');
  const root = fs.existsSync(dir) ? await findRepoRoot(dir).catch(() => undefined) : undefined;
  if (!root) throw new UsageError(`not a git repository (or git is missing): ${dir}`);
  return root;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const root = await repoRoot(argv, io);
  const cliPath = cliScriptPath();
  const r = await installHooks({ root, cliPath, nodePath: process.execPath });
  io.out(`installed ${r.installed.join(', ') || 'nothing'} in ${r.hooksDir}\n`);
  if (r.chained.length) io.out(`your existing ${r.chained.join(', ')} hook(s) were kept (${HOOK_NAMES[0]}.pre-ai-provenance, ...) and still run first\n`);
  for (const s of r.skipped) io.err(`${s.name} skipped: ${s.reason}\n`);
  io.out(`the hooks run ${cliPath} with ${process.execPath}\n`);
  return r.skipped.length && !r.installed.length ? EXIT_USAGE : EXIT_OK;
}

export async function runUninstall(argv: string[], io: CliIo): Promise<number> {
  const root = await repoRoot(argv, io);
  const removed = await uninstallHooks(root);
  io.out(removed.length ? `removed ${removed.join(', ')} (hooks that were there before are back)\n` : 'no hook of AI Provenance was installed\n');
  return EXIT_OK;
}
