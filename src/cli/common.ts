/** Pieces shared by the governance subcommands. */
import * as fs from 'fs';
import * as path from 'path';
import { GitError } from '../git/git';
import { GitRepo } from '../governance/git';
import { withoutBom } from '../core/json/jsonValue';
import { ParsedArgs, str } from './args';
import { CliIo, UsageError, cliGit } from './io';

/** Options every repository command accepts. */
export const REPO_OPTIONS = {
  repo: { type: 'string', alias: 'C' },
  'notes-ref': { type: 'string' },
} as const;

/** Help lines of {@link REPO_OPTIONS}, with descriptions starting at column `column`. */
export function repoHelp(column: number): string {
  return [
    ['-C, --repo <dir>', 'Repository to read (default: the current directory)'],
    ['--notes-ref <ref>', 'Notes ref holding manifests (default: refs/notes/ai-provenance)'],
  ]
    .map(([o, d]) => `  ${o.padEnd(column - 2)}${d}`)
    .join('\n');
}

export function openRepo(args: ParsedArgs, io: CliIo): GitRepo {
  const dir = path.resolve(io.cwd, str(args, 'repo') ?? '.');
  return withGit(() => GitRepo.open(dir, cliGit(io)));
}

/** Runs `fn`, turning git and repository problems into usage errors (exit code 2). */
export function withGit<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asUsage(e);
  }
}

/** Same as {@link withGit} for asynchronous work. */
export async function withGitAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asUsage(e);
  }
}

function asUsage(e: unknown): unknown {
  if (e instanceof GitError) return new UsageError(e.message);
  return e;
}

export function requireRange(args: ParsedArgs, command: string): string[] {
  if (args.positionals.length === 0) {
    throw new UsageError(`missing <rev-range> (e.g. origin/main..HEAD); see 'ai-provenance ${command} --help'`);
  }
  return args.positionals;
}

/** Writes `text` to `--output <file>` when given, else to stdout. */
export function emit(args: ParsedArgs, io: CliIo, text: string): void {
  const out = str(args, 'output');
  if (!out) {
    io.out(text);
    return;
  }
  const file = path.resolve(io.cwd, out);
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

export function readJsonFile(io: CliIo, file: string, what: string): unknown {
  const full = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(full, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${full}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(withoutBom(text));
  } catch (e) {
    throw new UsageError(`${what} ${full} is not valid JSON: ${(e as Error).message}`);
  }
}
