/**
 * Process-independent input/output for the command-line tool, so commands can be run
 * in-process by tests and by the real entry point alike.
 */
import * as fs from 'fs';
export interface CliIo {
  /** Working directory the command acts on. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** A policy or verification check failed. */
export const EXIT_VIOLATION = 1;
/** Bad usage, not a repository, bad revision range, git missing. */
export const EXIT_USAGE = 2;

/** An error that the dispatcher reports as a single message and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** All of this process's standard input ('' when there is none or it cannot be read). */
export function readStdin(): string {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  };
}

/** Collects output in memory (used by tests and by commands that post-process output). */
export function memoryIo(cwd: string, env: NodeJS.ProcessEnv = process.env): CliIo & { stdout: string; stderr: string } {
  const io = {
    cwd,
    env,
    stdout: '',
    stderr: '',
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
  };
  return io;
}

/** The git executable of a command line run: its `AI_PROVENANCE_GIT`, else `git` (passed to the git runner). */
export function cliGit(io: Pick<CliIo, 'env'>): string {
  return io.env.AI_PROVENANCE_GIT || 'git';
}
