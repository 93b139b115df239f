// "AI Provenance: Install Agent Hooks" in a real VS Code, on every host. The hook file it writes is
// run here as VS Code's agent hooks run it (a shell in the repository, the tool call as JSON on
// stdin, in VS Code's payload form); no Copilot agent session runs in the test hosts, so the
// edit tool call itself is played by writing the file to disk between the two hooks.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import { EXTENSION_ID, closeAllEditors, hostTag, moveToEnd, openScratchFile, typeText, waitFor, waitForFileWatcher, workspaceFolder } from './support/host';
import { InstalledHooks, installAgentHooks, runHookCommand } from './support/agentHooks';

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

/** What the hooks printed on stderr (shown when the test fails). */
const hookErrors: string[] = [];

async function runHook(root: string, hookFile: string, event: 'PreToolUse' | 'PostToolUse', payload: Record<string, unknown>): Promise<number | null> {
  const r = await runHookCommand(root, hookFile, event, { hook_event_name: event, cwd: root, ...payload });
  if (r.stderr) hookErrors.push(`${event}: ${r.stderr}`);
  return r.status;
}

describe(`agent hooks ${hostTag()}`, function () {
  this.timeout(150_000);
  let installed: InstalledHooks | undefined;

  // The edit tool call below is played by a write to disk, which only the file watcher brings in.
  before(async () => waitForFileWatcher());

  after(async () => {
    await closeAllEditors();
    installed?.remove();
  });

  it(`Install Agent Hooks writes VS Code's hook file; an edit tool call through it is agent with the session, and the line the person typed stays human ${hostTag()}`, async () => {
    const a = await api();
    const root = workspaceFolder().uri.fsPath;
    installed = await installAgentHooks(root);
    assert.strictEqual(installed.hookFile, path.join(root, '.github', 'hooks', 'ai-provenance.json'));
    assert.ok(fs.existsSync(installed.launcher), installed.launcher);

    const editor = await openScratchFile('agent-hook.js', 'const a = 1;\n');
    const doc = editor.document;
    moveToEnd(editor);
    await typeText('const typed = 2;\n');
    await doc.save();
    const call = {
      sessionId: 'vscode-agent-session-1',
      tool_name: 'replace_string_in_file',
      tool_use_id: 'tool-1',
      transcript_path: path.join(root, 'no-transcript.json'),
      tool_input: { filePath: doc.uri.fsPath, oldString: 'const typed = 2;\n', newString: 'const typed = 2;\nconst byAgent = 3;\n' },
    };
    assert.strictEqual(await runHook(root, installed.hookFile, 'PreToolUse', call), 0);
    fs.writeFileSync(doc.uri.fsPath, 'const a = 1;\nconst typed = 2;\nconst byAgent = 3;\n');
    assert.strictEqual(await runHook(root, installed.hookFile, 'PostToolUse', call), 0);

    const shown = () => a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind, r.tool, r.requestId]);
    // VS Code's file watcher brings the agent's text into the open editor; on a loaded machine
    // that can take a while.
    await waitFor(() => doc.getText().includes('byAgent'), 60_000, 'the editor never reloaded the file the agent wrote');
    await waitFor(() => shown().some((r) => r[1] === 'agent'), 20_000, 'the agent edit was never recorded').catch((e: Error) => {
      let saved = 'none';
      try {
        const state = JSON.parse(fs.readFileSync(path.join(root, '.git', 'ai-provenance', 'state.json'), 'utf8'));
        saved = JSON.stringify({ writer: state.writer, origins: state.origins, entry: state.files?.[path.basename(doc.uri.fsPath)] });
      } catch (err) {
        saved = (err as Error).message;
      }
      throw new Error(`${e.message} (ranges: ${JSON.stringify(shown())}; hooks said: ${hookErrors.join(' | ') || 'nothing'}; state.json: ${saved})`);
    });
    assert.deepStrictEqual(shown(), [['const byAgent = 3;\n', 'agent', 'vscode-agent', 'vscode-agent-session-1']]);
  });
});
