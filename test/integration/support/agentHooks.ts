// Runs the commands of the hook file that "AI Provenance: Install Agent Hooks" writes, as VS Code's
// agent hooks run them: a shell in the repository, the event as JSON on stdin.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export type HookEvent = 'UserPromptSubmit' | 'PreToolUse' | 'PostToolUse';

export interface HookRun {
  readonly status: number | null;
  /** What the hook printed on stderr (its progress lines, or why it recorded nothing). */
  readonly stderr: string;
}

/**
 * Runs the one command the hook file has for `event` with `input` on stdin. In another process
 * while this extension host keeps running, as VS Code runs it: a synchronous run would stop the
 * extension in the middle of a save that holds the state lock, and the hook would time out on it.
 */
export async function runHookCommand(root: string, hookFile: string, event: HookEvent, input: Record<string, unknown>): Promise<HookRun> {
  const file = JSON.parse(fs.readFileSync(hookFile, 'utf8')) as { hooks: Record<string, Array<{ type: string; command: string }> | undefined> };
  const entries = file.hooks[event];
  assert.ok(entries && entries.length === 1, `the hook file has no ${event} command`);
  assert.strictEqual(entries[0].type, 'command');
  const child = spawn('sh', ['-c', entries[0].command], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin.end(JSON.stringify(input));
  const timer = setTimeout(() => child.kill(), 30_000);
  try {
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    assert.strictEqual(stdout, '', 'nothing on stdout (VS Code reads it as the hook output)');
    return { status, stderr: stderr.trim() };
  } finally {
    clearTimeout(timer);
  }
}

/** What "AI Provenance: Install Agent Hooks" wrote. */
export interface InstalledHooks {
  readonly hookFile: string;
  readonly launcher: string;
  /** Takes away what was written (the `.github` folder too when the command created it). */
  remove(): void;
}

/** Runs "AI Provenance: Install Agent Hooks" for the repository at `root`. */
export async function installAgentHooks(root: string): Promise<InstalledHooks> {
  const github = path.join(root, '.github');
  const createdGithub = !fs.existsSync(github);
  const installed = await vscode.commands.executeCommand<{ hookFile: string; launcher: string } | undefined>('aiProvenance.installAgentHooks', root);
  assert.ok(installed, 'the command installed nothing (see the log)');
  return {
    ...installed,
    remove: () => {
      fs.rmSync(createdGithub ? github : installed.hookFile, { recursive: true, force: true });
      fs.rmSync(installed.launcher, { force: true });
    },
  };
}
