/** `ai-provenance blame <file> [<rev>]`: which lines an AI wrote, in which commit, with which tool. */
import * as fs from 'fs';
import * as path from 'path';
import { blameJson, renderBlamePorcelain, renderBlameTable } from '../../core/blame/format';
import { GitError, GitRepo } from '../../governance/git';
import { blameFile } from '../../governance/blame';
import { bool, list, parseArgs, str } from '../args';
import { emit, withGit, withGitAsync } from '../common';
import { CliIo, EXIT_OK, UsageError, cliGit } from '../io';

export const help = `Usage: ai-provenance blame <file> [<rev>] [options]

For every line of <file> at <rev> (default: the work tree), the commit that last changed it, as
git blame finds it, and what that commit's record says: whether the line is AI (with kind, tool
and model), human or unknown, the review the commit needed and who reviewed it. Records are the
AI-Provenance trailer's manifest (committed under .ai-provenance/ or a note under
refs/notes/ai-provenance); a commit without one is human when it declares AI-Assisted: no and
unknown otherwise. Uncommitted lines come from the provenance the editor keeps for the work tree
(<git dir>/ai-provenance/state.json); without an entry for the file they are unknown.
blame reports what commits claim; use \`verify\` to check the claims.

git blame options passed through (git's meaning, and git's blame.ignoreRevsFile setting applies):
  -w                        Ignore whitespace when finding the commit of a line
  -M[<n>]                   Follow lines moved within the file
  -C[<n>]                   Also follow lines moved or copied from other files (repeat for more)
  --ignore-rev <rev>        Ignore the changes of <rev> (repeatable)
  --ignore-revs-file <file> Ignore the revisions listed in <file> (repeatable)

Options:
  --porcelain               Machine-readable output in the shape of git blame --porcelain,
                            with ai, ai-basis, ai-kind, ai-tool, ai-model fields per line and
                            ai-record, ai-flagged, ai-review-required, ai-reviewed-by per commit
  --json                    JSON output
  --contents <file>         Blame this text as the file's current version (- reads standard input),
                            as git blame --contents does; e.g. an editor's unsaved buffer
  --review-trailer <key>    Trailer that records a review (repeatable; default Reviewed-by)
  -o, --output <file>       Write to a file instead of stdout
  --repo <dir>              Repository to read (default: the one holding <file>)
  --notes-ref <ref>         Notes ref holding manifests (default: refs/notes/ai-provenance)
  -h, --help                Show this help

Exit codes: 0 ok, 2 usage or repository error.
`;

const SPEC = {
  repo: { type: 'string' },
  'notes-ref': { type: 'string' },
  porcelain: { type: 'boolean' },
  json: { type: 'boolean' },
  'review-trailer': { type: 'string', multiple: true },
  output: { type: 'string', alias: 'o' },
  'ignore-rev': { type: 'string', multiple: true },
  'ignore-revs-file': { type: 'string', multiple: true },
  contents: { type: 'string' },
} as const;

/** Takes git blame's short options (-w, -M[n], -C[n]) out of `argv`; they have no long form here. */
function takeGitShortOptions(argv: string[]): { rest: string[]; git: string[] } {
  const rest: string[] = [];
  const git: string[] = [];
  let positional = false;
  for (const a of argv) {
    if (!positional && /^(-w|-M\d*|-C\d*)$/.test(a)) git.push(a);
    else {
      if (a === '--') positional = true;
      rest.push(a);
    }
  }
  return { rest, git };
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { rest, git } = takeGitShortOptions(argv);
  const args = parseArgs(rest, SPEC);
  if (args.positionals.length === 0) throw new UsageError("missing <file>; see 'ai-provenance blame --help'");
  if (args.positionals.length > 2) throw new UsageError(`too many arguments (${args.positionals.join(' ')}); expected <file> [<rev>]`);
  if (bool(args, 'porcelain') && bool(args, 'json')) throw new UsageError('give at most one of --porcelain and --json');
  const [file, rev] = args.positionals;
  const repoDir = str(args, 'repo');
  const full = path.resolve(io.cwd, file);
  const start = repoDir ? path.resolve(io.cwd, repoDir) : nearestDir(full);
  const repo = withGit(() => GitRepo.open(start, cliGit(io)));
  const rel = relativeTo(repo.root, full);
  if (rel === undefined) throw new UsageError(`${file} is outside the repository ${repo.root}`);
  for (const r of list(args, 'ignore-rev')) git.push(`--ignore-rev=${r}`);
  for (const f of list(args, 'ignore-revs-file')) git.push(`--ignore-revs-file=${path.resolve(io.cwd, f)}`);
  const contentsArg = str(args, 'contents');
  const contents = contentsArg === undefined ? undefined : readContents(io, contentsArg);
  const result = await withGitAsync(async () => {
    if (rev === undefined && contents === undefined && !fs.existsSync(full)) throw new GitError('failed', `no such file in the work tree: ${file}`);
    return blameFile(repo, { path: rel, rev, gitOptions: git, contents, notesRef: str(args, 'notes-ref'), reviewTrailers: list(args, 'review-trailer') });
  });
  for (const w of result.warnings) io.err(`ai-provenance blame: warning: ${w}\n`);
  const view = { path: result.path, rev: result.rev, lines: result.lines, records: result.records, commits: result.blame.commits };
  const text = bool(args, 'json') ? JSON.stringify(blameJson(view), null, 2) + '\n' : bool(args, 'porcelain') ? renderBlamePorcelain(view) : renderBlameTable(view);
  emit(args, io, text);
  return EXIT_OK;
}

function readContents(io: CliIo, from: string): string {
  try {
    return fs.readFileSync(from === '-' ? 0 : path.resolve(io.cwd, from), 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read --contents ${from}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The folder to look for the repository from: the file's own, or its nearest existing parent. */
function nearestDir(full: string): string {
  let dir = path.dirname(full);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** `full` relative to `root` with `/`, resolving symbolic links of the folders (e.g. /tmp). */
function relativeTo(root: string, full: string): string | undefined {
  const real = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  };
  const r = real(root);
  const dir = real(nearestDir(full));
  const joined = path.join(dir, path.relative(nearestDir(full), full));
  const rel = path.relative(r, joined);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel === '') return undefined;
  return rel.split(path.sep).join('/');
}
