/**
 * Checkpoint hooks for VS Code's agents: the payloads of VS Code's agent hooks (sessionId, the
 * edit tools' inputs) give the files and the session; tools that do not write record nothing;
 * the installed hook file and launcher, run as VS Code runs them (sh, payload on stdin, in the
 * repository), record an agent edit as `agent` with the session and leave a person's edit of a
 * file the agent only read human. A hook file that is not ours is never replaced.
 */
import * as assert from 'assert';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AGENT_HOOK_FILE, AGENT_NAME, AgentHookConflictError, installAgentHooks } from '../../../src/checkpoint/agentHooks';
import { hookFacts, promptHookFacts, toolInputTexts } from '../../../src/checkpoint/hookPayload';
import { splitByWritten } from '../../../src/checkpoint/writtenText';
import { PersistedState } from '../../../src/core/persistence/schema';
import { StateDir } from '../../../src/core/persistence/stateDir';

const CLI = path.resolve(__dirname, '../../../../dist/cli.js');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=T', ...args], { cwd, encoding: 'utf8' });
}

describe('agent hook payloads (Claude Code and VS Code)', () => {
  it('reads the files of VS Code edit tools and the session from sessionId', () => {
    const base = { sessionId: 'vs-1', cwd: '/w', tool_use_id: 't1', transcript_path: '/tmp/t.json' };
    assert.deepStrictEqual(hookFacts({ ...base, tool_name: 'replace_string_in_file', tool_input: { filePath: '/w/a.ts', oldString: 'x', newString: 'y' } }), {
      paths: ['/w/a.ts'],
      session: 'vs-1',
      cwd: '/w',
      tool: 'replace_string_in_file',
      writtenTexts: ['y'],
    });
    assert.deepStrictEqual(hookFacts({ ...base, tool_name: 'create_file', tool_input: { filePath: 'b.ts', content: 'z' } }).paths, ['b.ts']);
    assert.deepStrictEqual(
      hookFacts({ ...base, tool_name: 'multi_replace_string_in_file', tool_input: { replacements: [{ filePath: 'a.ts' }, { filePath: 'c.ts' }, { filePath: 'a.ts' }, {}] } }).paths,
      ['a.ts', 'c.ts'],
    );
    assert.deepStrictEqual(hookFacts({ ...base, tool_name: 'editFiles', tool_input: { files: ['src/main.ts', 3] } }).paths, ['src/main.ts']);
    const patch = '*** Begin Patch\n*** Update File: /w/a.ts\n@@\n-x\n+y\n*** Add File: /w/new.ts\n+n\n*** Delete File: /w/old.ts\n*** End Patch';
    assert.deepStrictEqual(hookFacts({ ...base, tool_name: 'apply_patch', tool_input: { input: patch, explanation: 'e' } }).paths, ['/w/a.ts', '/w/new.ts']);
  });

  it("reads Claude Code's payload as before", () => {
    assert.deepStrictEqual(hookFacts({ session_id: 's', cwd: '/r', tool_name: 'Edit', tool_input: { file_path: '/r/a.ts' } }), { paths: ['/r/a.ts'], session: 's', cwd: '/r', tool: 'Edit' });
    assert.deepStrictEqual(hookFacts({ tool_name: 'NotebookEdit', tool_input: { notebook_path: 'n.ipynb' } }).paths, ['n.ipynb']);
    assert.deepStrictEqual(hookFacts({ tool_input: { file_path: 'a.ts' } }).paths, ['a.ts']);
  });

  it("reads a UserPromptSubmit payload in VS Code's shape (sessionId, hookEventName) and in Claude Code's (session_id)", () => {
    // VS Code's agent hooks: the common fields (timestamp, cwd, sessionId, hookEventName, transcript_path) and the prompt.
    const vscodePayload = {
      timestamp: '2026-02-09T10:30:00.000Z',
      cwd: '/w',
      sessionId: 'vscode-chat-session://local/YWJj',
      hookEventName: 'UserPromptSubmit',
      transcript_path: '/tmp/transcript.json',
      prompt: 'rename the helper',
    };
    assert.deepStrictEqual(promptHookFacts(vscodePayload), { session: 'vscode-chat-session://local/YWJj', cwd: '/w', prompt: 'rename the helper' });
    const claude = { session_id: 'abc', cwd: '/r', transcript_path: '/t.jsonl', hook_event_name: 'UserPromptSubmit', prompt: 'add a test' };
    assert.deepStrictEqual(promptHookFacts(claude), { session: 'abc', cwd: '/r', prompt: 'add a test' });
    // No event name given: the prompt is read all the same; an empty prompt is a prompt (nothing is kept later).
    assert.deepStrictEqual(promptHookFacts({ sessionId: 's', prompt: '' }), { session: 's', prompt: '' });
    assert.deepStrictEqual(promptHookFacts({ sessionId: 's' }), { session: 's' });
  });

  it('a payload of another event is not a prompt, even when it holds a prompt field', () => {
    const f = promptHookFacts({ sessionId: 's', hookEventName: 'PreToolUse', tool_name: 'create_file', prompt: 'not the person\'s' });
    assert.strictEqual(f.prompt, undefined);
    assert.match(f.notAPrompt ?? '', /PreToolUse event, not UserPromptSubmit/);
    assert.match(promptHookFacts({ session_id: 's', hook_event_name: 'Stop', prompt: 'x' }).notAPrompt ?? '', /Stop event/);
  });

  it('reads what the tool call says it writes', () => {
    assert.deepStrictEqual(toolInputTexts({ filePath: 'a', oldString: 'x', newString: 'y' }), ['y']);
    assert.deepStrictEqual(toolInputTexts({ file_path: 'a', old_string: 'x', new_string: 'y' }), ['y']);
    assert.deepStrictEqual(toolInputTexts({ file_path: 'a', content: 'all' }), ['all']);
    assert.deepStrictEqual(toolInputTexts({ file_path: 'a', edits: [{ new_string: 'p' }, { new_string: 'q' }] }), ['p', 'q']);
    assert.deepStrictEqual(toolInputTexts({ replacements: [{ filePath: 'a', newString: 'r' }] }), ['r']);
    assert.deepStrictEqual(toolInputTexts({ filePath: 'a', code: '// ...existing code...\nfunction f() {}\n// ...existing code...\n' }), ['function f() {}\n']);
    assert.deepStrictEqual(toolInputTexts({ input: '*** Begin Patch\n*** Update File: a\n@@\n ctx\n-old\n+new 1\n+new 2\n ctx\n+tail\n*** End Patch' }), ['new 1\nnew 2\n', 'tail\n']);
    assert.strictEqual(toolInputTexts({ files: ['a'] }), undefined);
    assert.deepStrictEqual(toolInputTexts({ filePath: 'a', newString: '' }), []);
  });

  it('of the inserted text, only what lies inside a written text is the agent\'s', () => {
    const text = 'A typed\nconst agent = 1;\nB';
    const spans = [{ start: 0, length: 8 }, { start: 8, length: 17 }];
    assert.deepStrictEqual(splitByWritten(text, spans, ['const agent = 1;\n']), { agent: [{ start: 8, length: 17 }], unproven: [{ start: 0, length: 8 }] });
    // One span across a written text and the person's text around it is split.
    assert.deepStrictEqual(splitByWritten(text, [{ start: 2, length: 22 }], ['agent = 1']), {
      agent: [{ start: 14, length: 9 }],
      unproven: [{ start: 2, length: 12 }, { start: 23, length: 1 }],
    });
    assert.deepStrictEqual(splitByWritten(text, spans, []), { agent: [], unproven: spans });
  });

  it('a tool that does not write is not an edit, even when it names a file', () => {
    for (const tool of ['read_file', 'run_in_terminal', 'Read', 'Bash', 'grep_search']) {
      const f = hookFacts({ sessionId: 's', tool_name: tool, tool_input: { filePath: 'a.ts', file_path: 'a.ts' } });
      assert.deepStrictEqual(f.paths, [], tool);
      assert.match(f.notAnEdit ?? '', /is not an edit tool/, tool);
    }
  });
});

describe('Install Agent Hooks: hook file and launcher', function () {
  this.timeout(60000);
  let repo: string;
  beforeEach(() => {
    repo = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'aip-agent-hooks-')));
    git(repo, 'init', '-q');
    fs.writeFileSync(path.join(repo, 'a.ts'), 'one\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'init');
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  /** Runs the hook file's command for `event` as VS Code does: a shell in the repository, payload on stdin. */
  function runHook(event: 'PreToolUse' | 'PostToolUse' | 'UserPromptSubmit', payload: Record<string, unknown>): { status: number | null; stdout: string; stderr: string } {
    const file = JSON.parse(fs.readFileSync(path.join(repo, AGENT_HOOK_FILE), 'utf8')) as { hooks: Record<string, Array<{ type: string; command: string }>> };
    const [entry] = file.hooks[event];
    assert.strictEqual(entry.type, 'command');
    const r = spawnSync('sh', ['-c', entry.command], { cwd: repo, input: JSON.stringify({ hookEventName: event, cwd: repo, ...payload }), encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  const agentRuns = (): Array<[string, string, string | undefined]> => {
    const state: PersistedState = new StateDir(path.join(repo, '.git', 'ai-provenance'), { info() {}, warn() {}, error() {} }, 'test').read();
    const runs = state.files['a.ts']?.runs ?? [];
    return runs
      .map((r) => [r.text, state.origins[r.origin - 1]] as const)
      .filter(([, o]) => o.kind === 'agent')
      .map(([text, o]) => [text, o.tool, o.requestId]);
  };

  it('records an edit tool call as agent with the session; a read tool call around a person\'s edit records nothing', async () => {
    assert.ok(fs.existsSync(CLI), `${CLI} missing (npm run test:unit builds it)`);
    const r = await installAgentHooks({ root: repo, cliPath: CLI, nodePath: process.execPath });
    assert.strictEqual(r.hookFile, path.join(repo, AGENT_HOOK_FILE));
    assert.ok(fs.statSync(r.launcher).mode & 0o100, 'launcher is executable');
    assert.ok(!fs.readFileSync(r.hookFile, 'utf8').includes(CLI), 'the shared hook file names no path of this machine');

    const read = { sessionId: 'vs-7', tool_name: 'read_file', tool_use_id: 'r1', tool_input: { filePath: path.join(repo, 'a.ts') } };
    assert.strictEqual(runHook('PreToolUse', read).status, 0);
    fs.writeFileSync(path.join(repo, 'a.ts'), 'one\ntyped by the person\n');
    const post = runHook('PostToolUse', read);
    assert.strictEqual(post.status, 0);
    assert.strictEqual(post.stdout, '', 'nothing on stdout (VS Code reads it as the hook output)');
    assert.deepStrictEqual(agentRuns(), []);

    const edit = { sessionId: 'vs-7', tool_name: 'replace_string_in_file', tool_use_id: 'e1', tool_input: { filePath: path.join(repo, 'a.ts'), oldString: 'typed by the person\n', newString: 'typed by the person\nwritten by the agent\n' } };
    assert.strictEqual(runHook('PreToolUse', edit).status, 0);
    // The agent's edit, and meanwhile the person types a line at the top of the same file.
    fs.writeFileSync(path.join(repo, 'a.ts'), 'by the person, during the call\none\ntyped by the person\nwritten by the agent\n');
    const after = runHook('PostToolUse', edit);
    assert.strictEqual(after.status, 0, after.stderr);
    assert.deepStrictEqual(agentRuns(), [['written by the agent\n', AGENT_NAME, 'vs-7']]);
    const state: PersistedState = new StateDir(path.join(repo, '.git', 'ai-provenance'), { info() {}, warn() {}, error() {} }, 'test').read();
    const kinds = state.files['a.ts'].runs.map((r) => [r.text, state.origins[r.origin - 1].kind]);
    assert.deepStrictEqual(kinds, [['by the person, during the call\n', 'unknown'], ['written by the agent\n', 'agent']], 'the line typed during the call is not the agent\'s');
  });

  it("UserPromptSubmit (VS Code's payload) keeps the session's prompt, redacted, and the session's edit carries it; another session's edit does not", async () => {
    const r = await installAgentHooks({ root: repo, cliPath: CLI, nodePath: process.execPath });
    const hooks = (JSON.parse(fs.readFileSync(r.hookFile, 'utf8')) as { hooks: Record<string, unknown[]> }).hooks;
    assert.deepStrictEqual(Object.keys(hooks).sort(), ['PostToolUse', 'PreToolUse', 'UserPromptSubmit']);
    // Assembled here so that the test source does not itself look like a leaked token.
    const secret = ['ghp_', 'Pr0mpt'.repeat(7)].join('');
    const session = 'vscode-chat-session://local/c2Vzc2lvbi0x';
    const transcript = path.join(repo, 'transcript.json');
    const submitted = runHook('UserPromptSubmit', { timestamp: '2026-02-09T10:30:00.000Z', sessionId: session, transcript_path: transcript, prompt: `add a farewell line; token ${secret}` });
    assert.strictEqual(submitted.status, 0, submitted.stderr);
    assert.strictEqual(submitted.stdout, '', 'nothing on stdout (VS Code reads it as the hook output)');

    const edit = (id: string, sessionId: string, line: string) => ({ sessionId, transcript_path: transcript, tool_name: 'insert_edit_into_file', tool_use_id: id, tool_input: { filePath: path.join(repo, 'a.ts'), code: `// ...existing code...\n${line}` } });
    assert.strictEqual(runHook('PreToolUse', edit('e1', session, 'farewell\n')).status, 0);
    fs.writeFileSync(path.join(repo, 'a.ts'), 'one\nfarewell\n');
    assert.strictEqual(runHook('PostToolUse', edit('e1', session, 'farewell\n')).status, 0);
    assert.strictEqual(runHook('PreToolUse', edit('e2', 'vscode-chat-session://local/b3RoZXI=', 'other\n')).status, 0);
    fs.writeFileSync(path.join(repo, 'a.ts'), 'one\nfarewell\nother\n');
    assert.strictEqual(runHook('PostToolUse', edit('e2', 'vscode-chat-session://local/b3RoZXI=', 'other\n')).status, 0);

    const state: PersistedState = new StateDir(path.join(repo, '.git', 'ai-provenance'), { info() {}, warn() {}, error() {} }, 'test').read();
    const trail = state.files['a.ts'].runs.map((run) => {
      const o = state.origins[run.origin - 1];
      return [run.text, o.kind, o.requestId, o.prompt, o.transcript];
    });
    assert.deepStrictEqual(trail, [
      ['farewell\n', 'agent', session, 'add a farewell line; token [REDACTED:github-token]', transcript],
      ['other\n', 'agent', 'vscode-chat-session://local/b3RoZXI=', undefined, transcript],
    ]);
    for (const file of fs.readdirSync(path.join(repo, '.git', 'ai-provenance'), { recursive: true }) as string[]) {
      const full = path.join(repo, '.git', 'ai-provenance', file);
      if (fs.statSync(full).isFile()) assert.ok(!fs.readFileSync(full, 'utf8').includes(secret), `the token reached ${file}`);
    }
  });

  it('the hook file does nothing and exits 0 where the launcher is not installed (a teammate without the extension)', async () => {
    await installAgentHooks({ root: repo, cliPath: CLI, nodePath: process.execPath });
    fs.rmSync(path.join(repo, '.git', 'ai-provenance', 'agent-hook.sh'));
    const edit = { sessionId: 's', tool_name: 'create_file', tool_input: { filePath: path.join(repo, 'a.ts') } };
    assert.strictEqual(runHook('PreToolUse', edit).status, 0);
    fs.writeFileSync(path.join(repo, 'a.ts'), 'one\nagent\n');
    assert.strictEqual(runHook('PostToolUse', edit).status, 0);
    assert.deepStrictEqual(agentRuns(), []);
  });

  it('installing again updates the launcher; a hook file of that name that is not ours is left as it is', async () => {
    await installAgentHooks({ root: repo, cliPath: '/old/cli.js', nodePath: process.execPath });
    const r = await installAgentHooks({ root: repo, cliPath: CLI, nodePath: process.execPath });
    assert.ok(fs.readFileSync(r.launcher, 'utf8').includes(CLI));
    const theirs = '{ "hooks": { "PostToolUse": [{ "type": "command", "command": "./lint.sh" }] } }\n';
    fs.writeFileSync(r.hookFile, theirs);
    await assert.rejects(installAgentHooks({ root: repo, cliPath: CLI, nodePath: process.execPath }), AgentHookConflictError);
    assert.strictEqual(fs.readFileSync(r.hookFile, 'utf8'), theirs);
  });
});
