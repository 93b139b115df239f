// "AI Provenance: Install Agent Hooks" in a real VS Code, on every host. The hook file it writes is
// run here as VS Code's agent hooks run it (a shell in the repository, the event as JSON on stdin,
// in VS Code's payload form: timestamp, cwd, hookEventName, sessionId, ...). No Copilot agent
// session runs in the test hosts, so the person's prompt and the edit tool call are played by the
// hooks' payloads and by writing the file to disk between PreToolUse and PostToolUse.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { AiProvenanceApi } from '../../src/api';
import { EXTENSION_ID, closeAllEditors, hostTag, hoverText, moveToEnd, openScratchFile, saveDocument, typeText, waitFor, waitForFileWatcher, workspaceFolder } from './support/host';
import { HookEvent, InstalledHooks, installAgentHooks, runHookCommand } from './support/agentHooks';

async function api(): Promise<AiProvenanceApi> {
  return (await vscode.extensions.getExtension<AiProvenanceApi>(EXTENSION_ID)!.activate()) as AiProvenanceApi;
}

describe(`agent hooks ${hostTag()}`, function () {
  this.timeout(150_000);
  let installed: InstalledHooks;
  /** What the hooks printed on stderr (shown when a test fails). */
  const hookErrors: string[] = [];
  const root = () => workspaceFolder().uri.fsPath;

  before(async () => {
    // The edit tool calls below are played by writes to disk, which only the file watcher brings in.
    await waitForFileWatcher();
    installed = await installAgentHooks(root());
  });

  after(async () => {
    await closeAllEditors();
    installed?.remove();
  });

  /** Runs the hook file's command for `event` as VS Code does; resolves with its exit code. */
  async function runHook(event: HookEvent, payload: Record<string, unknown>): Promise<number | null> {
    const r = await runHookCommand(root(), installed.hookFile, event, { timestamp: new Date().toISOString(), cwd: root(), hookEventName: event, ...payload });
    if (r.stderr) hookErrors.push(`${event}: ${r.stderr}`);
    return r.status;
  }

  /**
   * Plays an edit tool call of the agent session `sessionId` on `doc` (saved), which adds `line`
   * after `after`: PreToolUse, the write to disk, PostToolUse; then waits until the editor has
   * reloaded the file and the agent's line is recorded. Returns the document's ranges as shown.
   */
  async function agentEdit(a: AiProvenanceApi, doc: vscode.TextDocument, sessionId: string, after: string, line: string): Promise<unknown[][]> {
    await agentWrite(doc, sessionId, after, line);
    return agentRecorded(a, doc, line);
  }

  /** The hooks and the write of an edit tool call adding `line` after `after` (see agentEdit). */
  async function agentWrite(doc: vscode.TextDocument, sessionId: string, after: string, line: string): Promise<void> {
    const text = doc.getText();
    const call = {
      sessionId,
      transcript_path: path.join(root(), 'no-transcript.json'),
      tool_name: 'replace_string_in_file',
      tool_use_id: `tool-${sessionId}`,
      tool_input: { filePath: doc.uri.fsPath, oldString: after, newString: `${after}${line}` },
    };
    assert.strictEqual(await runHook('PreToolUse', call), 0);
    fs.writeFileSync(doc.uri.fsPath, text.replace(after, `${after}${line}`));
    assert.strictEqual(await runHook('PostToolUse', call), 0);
  }

  /** Waits until the editor has reloaded `line` and shows an agent range; returns the ranges. */
  async function agentRecorded(a: AiProvenanceApi, doc: vscode.TextDocument, line: string): Promise<unknown[][]> {
    const shown = () => a.getRanges(doc.uri).map((r) => [doc.getText(r.range), r.kind, r.tool, r.requestId]);
    // VS Code's file watcher brings the agent's text into the open editor; on a loaded machine
    // that can take a while.
    await waitFor(() => doc.getText().includes(line), 60_000, 'the editor never reloaded the file the agent wrote');
    await waitFor(() => shown().some((r) => r[1] === 'agent'), 20_000, 'the agent edit was never recorded').catch((e: Error) => {
      let saved = 'none';
      try {
        const state = JSON.parse(fs.readFileSync(path.join(root(), '.git', 'ai-provenance', 'state.json'), 'utf8'));
        saved = JSON.stringify({ writer: state.writer, origins: state.origins, entry: state.files?.[path.basename(doc.uri.fsPath)] });
      } catch (err) {
        saved = (err as Error).message;
      }
      throw new Error(`${e.message} (ranges: ${JSON.stringify(shown())}; hooks said: ${hookErrors.join(' | ') || 'nothing'}; state.json: ${saved})`);
    });
    return shown();
  }

  it(`Install Agent Hooks writes VS Code's hook file; an edit tool call through it is agent with the session, and the line the person typed stays human ${hostTag()}`, async () => {
    const a = await api();
    assert.strictEqual(installed.hookFile, path.join(root(), '.github', 'hooks', 'ai-provenance.json'));
    assert.ok(fs.existsSync(installed.launcher), installed.launcher);

    const editor = await openScratchFile('agent-hook.js', 'const a = 1;\n');
    const doc = editor.document;
    moveToEnd(editor);
    await typeText('const typed = 2;\n');
    await saveDocument(doc);
    const shown = await agentEdit(a, doc, 'vscode-agent-session-1', 'const typed = 2;\n', 'const byAgent = 3;\n');
    assert.deepStrictEqual(shown, [['const byAgent = 3;\n', 'agent', 'vscode-agent', 'vscode-agent-session-1']]);
  });

  it(`UserPromptSubmit through the installed hook file: the agent's edit shows the session's prompt in the hover, the token in it redacted and never on disk ${hostTag()}`, async () => {
    const a = await api();
    const editor = await openScratchFile('agent-prompt.js', 'const start = 1;\n');
    const doc = editor.document;
    // Assembled here so that the test source does not itself look like a leaked token.
    const secret = ['ghp_', 'H00kTr'.repeat(7)].join('');
    const sessionId = 'vscode-chat-session://local/aG9vay1wcm9tcHQ=';
    const transcript = path.join(root(), 'no-transcript.json');
    assert.strictEqual(await runHook('UserPromptSubmit', { sessionId, transcript_path: transcript, prompt: `add a stop constant; deploy token ${secret}` }), 0);

    const shown = await agentEdit(a, doc, sessionId, 'const start = 1;\n', 'const stopAfter = 99;\n');
    assert.deepStrictEqual(shown, [['const stopAfter = 99;\n', 'agent', 'vscode-agent', sessionId]]);

    const hover = await waitFor(async () => {
      const text = (await hoverText(doc.uri, new vscode.Position(1, 8))).replace(/\\/g, '');
      return text.includes('Prompt') ? text : undefined;
    }, 10_000, 'the hover over the agent line shows no prompt');
    assert.match(hover, /Prompt \| add a stop constant; deploy token \[REDACTED:github-token\]/, hover);
    assert.ok(!hover.includes(secret), 'the secret is in the hover');

    const stateDir = path.join(root(), '.git', 'ai-provenance');
    for (const file of fs.readdirSync(stateDir, { recursive: true }) as string[]) {
      const full = path.join(stateDir, file);
      if (fs.statSync(full).isFile()) assert.ok(!fs.readFileSync(full, 'utf8').includes(secret), `the token reached ${full}`);
    }
  });
  it(`the editor saving its provenance after the agent's hooks and before it reloads the file keeps the agent's ranges ${hostTag()}`, async () => {
    const a = await api();
    // VS Code's watcher must not reload these files on its own: the save below has to come between
    // the agent's write and the reload, as it does when the editor's debounced save falls there.
    // The exclusion takes effect when the watcher restarts, a moment later: an attempt where the
    // reload came first anyway proves nothing and is made again.
    const files = vscode.workspace.getConfiguration('files');
    const excluded = files.inspect<Record<string, boolean>>('watcherExclude')?.workspaceValue;
    await files.update('watcherExclude', { ...(excluded ?? {}), '**/agent-race-*.js': true }, vscode.ConfigurationTarget.Workspace);
    const tried: boolean[] = [];
    try {
      for (let attempt = 1; attempt <= 4 && !tried.includes(true); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const editor = await openScratchFile('agent-race.js', 'const first = 1;\n');
        const doc = editor.document;
        await saveDocument(doc);
        const before = doc.getText();
        const session = `vscode-agent-session-race-${attempt}`;
        await agentWrite(doc, session, 'const first = 1;\n', 'const fromAgent = 7;\n');
        // A change of provenance alone (the person marks their first line), saved at once.
        editor.selection = new vscode.Selection(0, 0, 0, 'const first = 1;'.length);
        await vscode.commands.executeCommand('aiProvenance.markSelectionAsAi', 'race-test');
        await vscode.commands.executeCommand('aiProvenance.internal.flushProvenance');
        tried.push(doc.getText() === before);
        // The reload, as the watcher would have brought it (a revert of a clean document reads the disk).
        await vscode.window.showTextDocument(doc);
        await vscode.commands.executeCommand('workbench.action.files.revert');
        const shown = await agentRecorded(a, doc, 'const fromAgent = 7;\n');
        assert.deepStrictEqual(shown.filter((r) => r[1] === 'agent'), [['const fromAgent = 7;\n', 'agent', 'vscode-agent', session]], `attempt ${attempt}`);
        await closeAllEditors();
      }
      assert.ok(tried.includes(true), `the watcher reloaded the file before the save in all ${tried.length} attempts: the case was not tried`);
    } finally {
      await files.update('watcherExclude', excluded, vscode.ConfigurationTarget.Workspace);
    }
  });
});
