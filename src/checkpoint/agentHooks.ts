import * as fs from 'fs';
import * as path from 'path';
import { gitPath } from '../git/git';

/**
 * Installing checkpoint hooks for the agents that run inside VS Code (Copilot agent mode and the
 * other harnesses of VS Code's agent hooks, Preview). VS Code loads hook files from
 * `.github/hooks/*.json` of the workspace; `PreToolUse` and `PostToolUse` get the tool call as
 * JSON on stdin, which `ai-provenance checkpoint --hook` reads (see hookPayload.ts). So each edit
 * tool call is checkpointed around itself and its inserted text becomes origin `agent`, tool
 * `AGENT_NAME`, with VS Code's session id, as Claude Code's hooks do; `UserPromptSubmit` keeps the
 * prompt of the session, which then goes with that text (redacted, as Claude Code's does).
 *
 * Two files, like the git hooks (hooks.ts):
 * - `.github/hooks/ai-provenance.json`, in the work tree and meant to be shared, holds no path of
 *   this machine: its command runs the launcher below when it exists and otherwise does nothing,
 *   so a teammate without the extension is not bothered. It always exits 0 (VS Code reads exit 2 as
 *   "block").
 * - the launcher, `<git dir>/ai-provenance/agent-hook.sh` (never committed), names this machine's
 *   node and the extension's `dist/cli.js`; installing again updates it.
 * A hook file of that name that is not ours is never replaced.
 */

export const AGENT_NAME = 'vscode-agent';
export const AGENT_HOOK_FILE = path.join('.github', 'hooks', 'ai-provenance.json');
/** The launcher, relative to the git directory (resolved with `git rev-parse --git-path`). */
export const AGENT_LAUNCHER = 'ai-provenance/agent-hook.sh';
const MARKER = '# ai-provenance-agent-hook v1';

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What the launcher is run for: before and after a tool call, and when the person submits a prompt. */
export type HookPhase = 'before' | 'after' | 'prompt';

/** The command a hook file entry runs for `phase`: the launcher when present, else nothing; exit 0. */
export function hookCommand(phase: HookPhase): string {
  return `sh -c 'f="$(git rev-parse --git-path ${AGENT_LAUNCHER} 2>/dev/null)" && [ -f "$f" ] && sh "$f" --${phase}; exit 0'`;
}

/**
 * The hook file's content (VS Code's hook file format): `PreToolUse`/`PostToolUse` checkpoint each
 * tool call; `UserPromptSubmit` keeps the session's prompt (redacted) for the reasoning trail of
 * what the agent then writes (`checkpoint --hook --prompt`).
 */
export function hookFileText(): string {
  const entry = (phase: HookPhase) => [{ type: 'command', command: hookCommand(phase), timeout: 30 }];
  return `${JSON.stringify({ hooks: { UserPromptSubmit: entry('prompt'), PreToolUse: entry('before'), PostToolUse: entry('after') } }, null, 2)}\n`;
}

/** The launcher script: runs the bundled CLI's checkpoint with the payload on stdin; exit 0 always. */
export function launcherScript(cliPath: string, nodePath: string): string {
  return [
    '#!/bin/sh',
    `${MARKER}: installed by "AI Provenance: Install Agent Hooks"; run by ${AGENT_HOOK_FILE.split(path.sep).join('/')}.`,
    `cli=${shQuote(cliPath)}`,
    `node=${shQuote(nodePath)}`,
    'if [ ! -f "$cli" ]; then',
    `  echo "ai-provenance: $cli not found (updated or removed); run 'AI Provenance: Install Agent Hooks' again" >&2`,
    '  exit 0',
    'fi',
    'if [ ! -x "$node" ]; then node=node; fi',
    `ELECTRON_RUN_AS_NODE=1 "$node" "$cli" checkpoint --agent ${AGENT_NAME} --hook "$@" >&2 || true`,
    'exit 0',
    '',
  ].join('\n');
}

/** Whether `text` is a hook file we wrote (its commands run our launcher). */
export function isOurHookFile(text: string): boolean {
  try {
    const v = JSON.parse(text) as { hooks?: Record<string, Array<{ command?: unknown }>> };
    const all = Object.values(v.hooks ?? {}).flat();
    return all.length > 0 && all.every((h) => typeof h.command === 'string' && h.command.includes(AGENT_LAUNCHER));
  } catch {
    return false;
  }
}

export interface AgentHookInstall {
  readonly hookFile: string;
  readonly launcher: string;
}

export class AgentHookConflictError extends Error {}

/** Writes the hook file into `root` and the launcher into the repository's git directory. */
export async function installAgentHooks(opts: { root: string; cliPath: string; nodePath: string }): Promise<AgentHookInstall> {
  const hookFile = path.join(opts.root, AGENT_HOOK_FILE);
  const existing = fs.existsSync(hookFile) ? fs.readFileSync(hookFile, 'utf8') : undefined;
  if (existing !== undefined && !isOurHookFile(existing)) {
    throw new AgentHookConflictError(`${AGENT_HOOK_FILE} exists and is not ours; left as it is (add our commands to it by hand: see the README)`);
  }
  const launcher = path.resolve(opts.root, await gitPath(opts.root, AGENT_LAUNCHER));
  fs.mkdirSync(path.dirname(launcher), { recursive: true });
  fs.writeFileSync(launcher, launcherScript(opts.cliPath, opts.nodePath), { mode: 0o755 });
  fs.chmodSync(launcher, 0o755);
  if (existing !== hookFileText()) {
    fs.mkdirSync(path.dirname(hookFile), { recursive: true });
    fs.writeFileSync(hookFile, hookFileText());
  }
  return { hookFile, launcher };
}
