// Runs the commands of the hook file that "AI Provenance: Install Agent Hooks" writes, as VS Code's
// agent hooks run them: a shell in the repository, the event as JSON on stdin.
import * as assert from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';

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
