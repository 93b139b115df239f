// The reasoning trail of VS Code's agent hooks in a real VS Code, on every host: the hook file that
// "AI Provenance: Install Agent Hooks" writes is run here as VS Code's agent hooks run it (a shell in
// the repository, the event as JSON on stdin, in VS Code's payload form: sessionId, hookEventName,
// prompt). No Copilot agent session runs in the test hosts, so the person's prompt and the edit
// tool call are played by the hooks' payloads and by writing the file between PreToolUse and
// PostToolUse. Independent of the agent hooks suite: its own file, and it removes what it installs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import { EXTENSION_ID, closeAllEditors, hostTag, hoverText, openScratchFile, waitFor, waitForFileWatcher, workspaceFolder } from './support/host';
import { HookEvent, InstalledHooks, installAgentHooks, runHookCommand } from './support/agentHooks';

/** What the hooks printed on stderr (shown when the test fails). */
const hookErrors: string[] = [];

/** Runs the hook file's command for `event` as VS Code does; resolves with its exit code. */
async function runHook(root: string, hookFile: string, event: HookEvent, payload: Record<string, unknown>): Promise<number | null> {
  const r = await runHookCommand(root, hookFile, event, { timestamp: new Date().toISOString(), cwd: root, hookEventName: event, ...payload });
  if (r.stderr) hookErrors.push(`${event}: ${r.stderr}`);
  return r.status;
}

describe(`agent hook prompts ${hostTag()}`, function () {
  this.timeout(150_000);
  let installed: InstalledHooks | undefined;

  // The edit tool call below is played by a write to disk, which only the file watcher brings in.
  before(async () => waitForFileWatcher());

  after(async () => {
    await closeAllEditors();
    installed?.remove();
  });

  it(`UserPromptSubmit through the installed hook file: the agent's edit shows the session's prompt in the hover, the token in it redacted and never on disk ${hostTag()}`, async () => {
    const a = (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
    const root = workspaceFolder().uri.fsPath;
    installed = await installAgentHooks(root);

    const editor = await openScratchFile('agent-prompt.js', 'const start = 1;\n');
    const doc = editor.document;
    // Assembled here so that the test source does not itself look like a leaked token.
    const secret = ['ghp_', 'H00kTr'.repeat(7)].join('');
    const sessionId = 'vscode-chat-session://local/aG9vay1wcm9tcHQ=';
    const transcript = path.join(root, 'no-transcript.json');
    assert.strictEqual(await runHook(root, installed.hookFile, 'UserPromptSubmit', { sessionId, transcript_path: transcript, prompt: `add a stop constant; deploy token ${secret}` }), 0);

    const call = {
      sessionId,
      transcript_path: transcript,
      tool_name: 'replace_string_in_file',
      tool_use_id: 'tool-prompt-1',
      tool_input: { filePath: doc.uri.fsPath, oldString: 'const start = 1;\n', newString: 'const start = 1;\nconst stopAfter = 99;\n' },
    };
    assert.strictEqual(await runHook(root, installed.hookFile, 'PreToolUse', call), 0);
    fs.writeFileSync(doc.uri.fsPath, 'const start = 1;\nconst stopAfter = 99;\n');
    assert.strictEqual(await runHook(root, installed.hookFile, 'PostToolUse', call), 0);

    const shown = () => a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind, r.tool, r.requestId]);
    await waitFor(() => doc.getText().includes('stopAfter'), 60_000, 'the editor never reloaded the file the agent wrote');
    await waitFor(() => shown().some((r) => r[1] === 'agent'), 20_000, 'the agent edit was never recorded').catch((e: Error) => {
      throw new Error(`${e.message} (ranges: ${JSON.stringify(shown())}; hooks said: ${hookErrors.join(' | ') || 'nothing'})`);
    });
    assert.deepStrictEqual(shown(), [['const stopAfter = 99;\n', 'agent', 'vscode-agent', sessionId]]);

    const hover = await waitFor(async () => {
      const text = (await hoverText(doc.uri, new vscode.Position(1, 8))).replace(/\\/g, '');
      return text.includes('Prompt') ? text : undefined;
    }, 10_000, 'the hover over the agent line shows no prompt');
    assert.match(hover, /Prompt \| add a stop constant; deploy token \[REDACTED:github-token\]/, hover);
    assert.ok(!hover.includes(secret), 'the secret is in the hover');

    const stateDir = path.join(root, '.git', 'ai-provenance');
    for (const file of fs.readdirSync(stateDir, { recursive: true }) as string[]) {
      const full = path.join(stateDir, file);
      if (fs.statSync(full).isFile()) assert.ok(!fs.readFileSync(full, 'utf8').includes(secret), `the token reached ${full}`);
    }
  });
});
