/**
 * `ai-provenance checkpoint`: records what an agent working outside the editor wrote.
 *
 *   ai-provenance checkpoint --agent claude-code --before [paths...]
 *   ai-provenance checkpoint --agent claude-code [--model m] [--session id] --after [paths...]
 *   ai-provenance checkpoint --agent claude-code --hook --before|--after   (reads a hook's JSON on stdin)
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CheckpointError, checkpointAfter, checkpointBefore } from '../../checkpoint/checkpoint';
import { parseArgs, bool, str } from '../args';
import { CliIo, EXIT_OK, EXIT_USAGE, UsageError, processIo } from '../io';

export const help = `Usage: ai-provenance checkpoint --agent <name> (--before | --after) [options] [paths...]

Records the text an agent wrote outside the editor (Claude Code, Codex, scripts) as AI provenance
(origin kind "agent"), in the same state the VS Code extension keeps under <git dir>/ai-provenance/.

  --before              Snapshot the files the agent may change: the given paths, or every file git
                        reports as modified or untracked (tracked clean files are recovered from git)
  --after               Record what changed since --before: inserted text is attributed to the agent;
                        ranges already recorded in those files are re-anchored and kept
  --agent <name>        Agent name (recorded as the tool), e.g. claude-code, codex
  --model <id>          Model id
  --session <id>        Session or request id
  --hook                Read a hook payload (JSON) on stdin: tool_input.file_path gives the path and
                        session_id the session (Claude Code PreToolUse/PostToolUse hooks)
  -C, --repo <dir>      Repository (default: the current directory)

Exit codes: 0 ok, 2 usage or repository error (no git repository, no pending --before, ...).
`;

const SPEC = {
  agent: { type: 'string' },
  model: { type: 'string' },
  session: { type: 'string' },
  before: { type: 'boolean' },
  after: { type: 'boolean' },
  hook: { type: 'boolean' },
  repo: { type: 'string', alias: 'C' },
} as const;

interface HookPayload {
  session_id?: unknown;
  cwd?: unknown;
  tool_input?: { file_path?: unknown; notebook_path?: unknown } | null;
}

function readStdin(): string {
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

/** Finds the repository of `dir` (its working tree root and git directory). */
function findRepo(dir: string, gitPath: string): { root: string; gitDir: string } {
  try {
    const out = execFileSync(gitPath, ['rev-parse', '--show-toplevel', '--absolute-git-dir'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split(/\r?\n/)
      .filter(Boolean);
    if (out.length < 2) throw new Error('unexpected git output');
    return { root: path.resolve(out[0]), gitDir: path.resolve(out[1]) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new UsageError(`git was not found (spawn ${gitPath} ENOENT); the checkpoint needs git`);
    throw new UsageError(`${dir} is not in a git repository (${String(err.stderr ?? err.message).trim().split('\n')[0]})`);
  }
}

export async function run(args: string[], io: CliIo, stdin: () => string = readStdin): Promise<number> {
  const parsed = parseArgs(args, SPEC);
  const agent = str(parsed, 'agent');
  if (!agent) throw new UsageError('missing --agent <name>');
  const before = bool(parsed, 'before');
  const after = bool(parsed, 'after');
  if (before === after) throw new UsageError('give exactly one of --before and --after');
  let paths = parsed.positionals;
  let session = str(parsed, 'session');
  let cwd = io.cwd;
  if (bool(parsed, 'hook')) {
    let payload: HookPayload = {};
    const raw = stdin();
    try {
      payload = raw.trim() ? (JSON.parse(raw) as HookPayload) : {};
    } catch {
      throw new UsageError('--hook: stdin is not JSON');
    }
    if (typeof payload.cwd === 'string' && !str(parsed, 'repo')) cwd = payload.cwd;
    const file = payload.tool_input?.file_path ?? payload.tool_input?.notebook_path;
    if (typeof file === 'string' && paths.length === 0) paths = [file];
    if (typeof payload.session_id === 'string' && !session) session = payload.session_id;
  }
  const gitPath = io.env.AI_PROVENANCE_GIT || 'git';
  const repo = findRepo(path.resolve(cwd, str(parsed, 'repo') ?? '.'), gitPath);
  const log = { info: (m: string) => io.err(`${m}\n`), warn: (m: string) => io.err(`warning: ${m}\n`), error: (m: string) => io.err(`error: ${m}\n`) };
  const opts = { repo, agent, model: str(parsed, 'model'), session, paths, cwd, git: gitPath, log };
  try {
    if (before) {
      const r = checkpointBefore(opts);
      io.out(`checkpoint before (${agent}): ${r.files} file(s) snapshotted\n`);
    } else {
      const r = await checkpointAfter(opts);
      for (const f of r.files) io.out(`${f.status} ${f.path}: ${f.inserted} character(s) by ${agent}\n`);
      for (const s of r.skipped) io.out(`skipped ${s.path}: ${s.reason}\n`);
      io.out(`checkpoint after (${agent}): ${r.files.length} file(s) recorded, ${r.unchanged} unchanged\n`);
    }
  } catch (e) {
    if (e instanceof CheckpointError) {
      io.err(`ai-provenance checkpoint: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  return EXIT_OK;
}

/** Runs `checkpoint` with the process's stdio; resolves to the exit code. */
export async function runCheckpoint(argv: string[]): Promise<number> {
  const io = processIo();
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(help);
    return EXIT_OK;
  }
  try {
    return await run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`ai-provenance checkpoint: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
