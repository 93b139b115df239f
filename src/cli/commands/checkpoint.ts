/**
 * `ai-provenance checkpoint`: records what an agent working outside the editor wrote.
 *
 *   ai-provenance checkpoint --agent claude-code --before [paths...]
 *   ai-provenance checkpoint --agent claude-code [--model m] [--session id] --after [paths...]
 *   ai-provenance checkpoint --agent claude-code --hook --before|--after   (reads a hook's JSON on stdin)
 *   ai-provenance checkpoint --agent claude-code --hook --prompt           (UserPromptSubmit: the session's prompt, Claude Code's or VS Code's)
 */
import * as fs from 'fs';
import * as path from 'path';
import { CheckpointError, RepoPaths, checkpointAfter, checkpointBefore, promptsPath } from '../../checkpoint/checkpoint';
import { saveSessionPrompt, sessionPrompt } from '../../checkpoint/sessionPrompts';
import { repoStateDir } from '../../core/persistence/repo';
import { HOOK_PENDING_MAX_AGE_MS, PENDING_MAX_AGE_MS, PendingError } from '../../checkpoint/pending';
import { hookFacts, promptHookFacts } from '../../checkpoint/hookPayload';
import { LockTimeoutError } from '../../core/persistence/lock';
import { parseArgs, bool, str } from '../args';
import { CliIo, EXIT_OK, EXIT_USAGE, UsageError, cliGit, readStdin } from '../io';
import { GitError, gitTextSync } from '../../git/git';

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
  --hook                Read a hook payload (JSON) on stdin: the tool's file (tool_input.file_path,
                        filePath, files, replacements, an apply_patch text) gives the paths and
                        session_id or sessionId the session (Claude Code's and VS Code's
                        PreToolUse/PostToolUse hooks); a tool whose name says it does not write
                        (read_file, run_in_terminal) records nothing
  --prompt              With --hook, instead of --before/--after: keep the payload's prompt (secrets
                        redacted) as its session's last prompt (the UserPromptSubmit hook of Claude
                        Code, session_id, and of VS Code's agent hooks, sessionId); the session's
                        --after attaches it, and transcript_path, to what the agent writes
  -C, --repo <dir>      Repository (default: the current directory)

Exit codes: 0 ok, 2 usage or repository error (no git repository, no pending --before, ...).
With --hook the exit code is always 0 (a hook never blocks the agent): problems are printed on
stderr and logged in <git dir>/ai-provenance/checkpoints/hook.log. A --before snapshot that
gets no --after within 10 minutes (12 hours without --hook), or that a newer --before of the
same file replaces, is dropped and never used.
`;

const SPEC = {
  agent: { type: 'string' },
  model: { type: 'string' },
  session: { type: 'string' },
  before: { type: 'boolean' },
  after: { type: 'boolean' },
  hook: { type: 'boolean' },
  prompt: { type: 'boolean' },
  repo: { type: 'string', alias: 'C' },
} as const;

/** Finds the repository of `dir` (its working tree root and git directory). */
function findRepo(dir: string, gitPath: string): { root: string; gitDir: string } {
  try {
    const out = gitTextSync(['rev-parse', '--show-toplevel', '--absolute-git-dir'], { cwd: dir, git: gitPath })
      .split(/\r?\n/)
      .filter(Boolean);
    if (out.length < 2) throw new Error('unexpected git output');
    return { root: path.resolve(out[0]), gitDir: path.resolve(out[1]) };
  } catch (e) {
    if (e instanceof GitError && e.kind === 'git-missing') throw new UsageError(`git was not found (spawn ${gitPath} ENOENT); the checkpoint needs git`);
    const why = e instanceof GitError ? e.stderr || e.message : (e as Error).message;
    throw new UsageError(`${dir} is not in a git repository (${String(why).trim().split('\n')[0]})`);
  }
}

/**
 * Runs the command. Every problem is one line on stderr, never a stack trace: exit 2 by hand; with
 * `--hook` always exit 0, and the line also goes to `<git dir>/ai-provenance/checkpoints/hook.log`
 * when the repository is known. Claude Code reads exit 2 from a PreToolUse hook as "block this
 * tool call": a provenance hook must never stop the agent.
 */
export async function run(args: string[], io: CliIo, stdin: () => string = readStdin): Promise<number> {
  const hook = args.includes('--hook');
  let repo: RepoPaths | undefined;
  try {
    return await checkpoint(args, io, stdin, (r) => (repo = r));
  } catch (e) {
    const message = problemLine(e);
    io.err(`ai-provenance checkpoint: ${message}\n`);
    if (!hook) return EXIT_USAGE;
    if (repo) logHookProblem(repo, args, message);
    return EXIT_OK;
  }
}

/** One line for any error: its message (first line), with the code of a system error. */
function problemLine(e: unknown): string {
  if (e instanceof UsageError || e instanceof CheckpointError || e instanceof PendingError || e instanceof LockTimeoutError) return e.message.split('\n')[0];
  const err = e as NodeJS.ErrnoException;
  const what = err && typeof err.message === 'string' ? err.message.split('\n')[0] : String(e);
  return err?.code ? `${what.slice(0, 300)} (${err.code})` : `unexpected problem: ${what.slice(0, 300)}`;
}

function logHookProblem(repo: RepoPaths, args: string[], message: string): void {
  try {
    const file = path.join(repo.gitDir, 'ai-provenance', 'checkpoints', 'hook.log');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if ((fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 1_000_000) fs.renameSync(file, `${file}.1`);
    fs.appendFileSync(file, `${new Date().toISOString()} ${args.filter((a) => a.startsWith('--')).join(' ')}: ${message}\n`);
  } catch {
    /* the log is a courtesy; stderr has the line */
  }
}

async function checkpoint(args: string[], io: CliIo, stdin: () => string, foundRepo: (repo: RepoPaths) => void): Promise<number> {
  const parsed = parseArgs(args, SPEC);
  const agent = str(parsed, 'agent');
  if (!agent) throw new UsageError('missing --agent <name>');
  const before = bool(parsed, 'before');
  const after = bool(parsed, 'after');
  const promptHook = bool(parsed, 'prompt');
  if (promptHook && (before || after || !bool(parsed, 'hook'))) throw new UsageError('--prompt goes with --hook alone (no --before or --after)');
  if (!promptHook && before === after) throw new UsageError('give exactly one of --before and --after');
  let paths = parsed.positionals;
  let session = str(parsed, 'session');
  let cwd = io.cwd;
  const hook = bool(parsed, 'hook');
  let writtenTexts: readonly string[] | undefined;
  let payload: Record<string, unknown> = {};
  let promptText = '';
  if (hook) {
    const raw = stdin();
    try {
      const v = raw.trim() ? (JSON.parse(raw) as unknown) : {};
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError('--hook: the payload on stdin is not a JSON object');
      payload = v as Record<string, unknown>;
    } catch (e) {
      throw e instanceof UsageError ? e : new UsageError('--hook: stdin is not JSON');
    }
    if (promptHook) {
      const facts = promptHookFacts(payload);
      if (facts.notAPrompt) throw new UsageError(`--prompt: ${facts.notAPrompt}`);
      if (facts.cwd && !str(parsed, 'repo')) cwd = facts.cwd;
      if (facts.session && !session) session = facts.session;
      if (!session) throw new UsageError('--prompt: the payload names no session (session_id or sessionId)');
      if (facts.prompt === undefined) throw new UsageError('--prompt: the payload has no prompt');
      promptText = facts.prompt;
    } else {
      const facts = hookFacts(payload);
      if (facts.notAnEdit) {
        io.err(`ai-provenance checkpoint: ${facts.notAnEdit}\n`);
        return EXIT_OK;
      }
      if (facts.cwd && !str(parsed, 'repo')) cwd = facts.cwd;
      if (paths.length === 0) paths = [...facts.paths];
      if (facts.session && !session) session = facts.session;
      writtenTexts = facts.writtenTexts;
      if (paths.length === 0) throw new UsageError('--hook: the payload names no file (tool_input.file_path or filePath); nothing to record');
    }
  }
  const gitPath = cliGit(io);
  const repo = findRepo(path.resolve(cwd, str(parsed, 'repo') ?? '.'), gitPath);
  foundRepo(repo);
  const log = { info: (m: string) => io.err(`${m}\n`), warn: (m: string) => io.err(`warning: ${m}\n`), error: (m: string) => io.err(`error: ${m}\n`) };
  const prompts = promptsPath(repoStateDir(repo), agent);
  if (promptHook) {
    const kept = saveSessionPrompt(repoStateDir(repo), prompts, session!, promptText, Date.now());
    io.out(`checkpoint prompt (${agent}): ${kept ? `${kept.length} character(s) kept for session ${session}` : 'empty prompt, nothing kept'}\n`);
    return EXIT_OK;
  }
  const transcript = typeof payload.transcript_path === 'string' && payload.transcript_path ? payload.transcript_path : undefined;
  const prompt = session ? sessionPrompt(prompts, session, Date.now()) : undefined;
  const opts = {
    repo,
    agent,
    model: str(parsed, 'model'),
    session,
    ...(prompt ? { prompt } : {}),
    ...(transcript ? { transcript } : {}),
    paths,
    cwd,
    git: gitPath,
    log,
    writtenTexts,
    maxPendingAgeMs: hook ? HOOK_PENDING_MAX_AGE_MS : PENDING_MAX_AGE_MS,
  };
  {
    if (before) {
      const r = checkpointBefore(opts);
      io.out(`checkpoint before (${agent}): ${r.files} file(s) snapshotted\n`);
    } else {
      const r = await checkpointAfter(opts);
      for (const f of r.files) io.out(`${f.status} ${f.path}: ${f.inserted} character(s) by ${agent}\n`);
      for (const s of r.skipped) io.out(`skipped ${s.path}: ${s.reason}\n`);
      io.out(`checkpoint after (${agent}): ${r.files.length} file(s) recorded, ${r.unchanged} unchanged\n`);
    }
  }
  return EXIT_OK;
}

