// "AI Provenance: Install Agent Hooks" in a real VS Code, on every host. The hook file it writes is
// run here as VS Code's agent hooks run it (a shell in the repository, the tool call as JSON on
// stdin, in VS Code's payload form); no Copilot agent session runs in the test hosts, so the
// edit tool call itself is played by writing the file to disk between the two hooks.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import { EXTENSION_ID, closeAllEditors, hostTag, moveToEnd, openScratchFile, typeText, waitFor, workspaceFolder } from './support/host';

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

interface Installed {
  readonly hookFile: string;
  readonly launcher: string;
}

/** Runs the hook file's command for `event` as VS Code does; resolves with its exit code. */
function runHook(root: string, hookFile: string, event: 'PreToolUse' | 'PostToolUse', payload: Record<string, unknown>): number | null {
  const file = JSON.parse(fs.readFileSync(hookFile, 'utf8')) as { hooks: Record<string, Array<{ type: string; command: string }>> };
  const [entry] = file.hooks[event];
  assert.strictEqual(entry.type, 'command');
  const r = spawnSync('sh', ['-c', entry.command], { cwd: root, input: JSON.stringify({ hook_event_name: event, cwd: root, ...payload }), encoding: 'utf8', timeout: 30_000 });
  assert.strictEqual(r.stdout, '', 'nothing on stdout (VS Code reads it as the hook output)');
  return r.status;
}

describe(`agent hooks ${hostTag()}`, function () {
  this.timeout(90_000);
  let installed: Installed | undefined;
  let createdGithub = false;

  after(async () => {
    await closeAllEditors();
    if (installed) {
      fs.rmSync(createdGithub ? path.join(workspaceFolder().uri.fsPath, '.github') : installed.hookFile, { recursive: true, force: true });
      fs.rmSync(installed.launcher, { force: true });
    }
  });

  it(`Install Agent Hooks writes VS Code's hook file; an edit tool call through it is agent with the session, and the line the person typed stays human ${hostTag()}`, async () => {
    const a = await api();
    const root = workspaceFolder().uri.fsPath;
    createdGithub = !fs.existsSync(path.join(root, '.github'));
    installed = await vscode.commands.executeCommand<Installed | undefined>('aiProvenance.installAgentHooks', root);
    assert.ok(installed, 'the command installed nothing (see the log)');
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
    assert.strictEqual(runHook(root, installed.hookFile, 'PreToolUse', call), 0);
    fs.writeFileSync(doc.uri.fsPath, 'const a = 1;\nconst typed = 2;\nconst byAgent = 3;\n');
    assert.strictEqual(runHook(root, installed.hookFile, 'PostToolUse', call), 0);

    const shown = () => a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind, r.tool, r.requestId]);
    await waitFor(() => shown().some((r) => r[1] === 'agent'), 20_000, `the agent's edit was never recorded (ranges: ${JSON.stringify(shown())})`);
    assert.deepStrictEqual(shown(), [['const byAgent = 3;\n', 'agent', 'vscode-agent', 'vscode-agent-session-1']]);
  });
});
