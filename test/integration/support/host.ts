// Helpers for tests that run inside the VS Code extension host (see test/integration/index.ts).
import * as vscode from 'vscode';
import * as fs from 'fs';

/**
 * Which host the suite runs in:
 * - `proposed`: code-server's build as shipped, which enables proposed APIs for every extension
 *   (so `TextDocumentChangeEvent.detailedReason` reaches extensions that do not declare it);
 * - `stock`: the same build with that switch off, as in VS Code Stable;
 * - `oldest`: the oldest VS Code we support (1.90, code-server 4.90.3), which has no edit-source
 *   reason at all and no language-model provider API;
 * - `unknown`: not started by our harness (e.g. under @vscode/test-electron with a downloaded build).
 */
export type HostVariant = 'proposed' | 'stock' | 'oldest' | 'unknown';

export function hostVariant(): HostVariant {
  const v = process.env.AI_PROVENANCE_TEST_HOST;
  return v === 'proposed' || v === 'stock' || v === 'oldest' ? v : 'unknown';
}

/** A tag to put in test names, e.g. `[host: stock]`. */
export function hostTag(): string {
  return `[host: ${hostVariant()}]`;
}

export const EXTENSION_ID = 'ai-provenance.ai-provenance';
export const FIXTURE_EXTENSION_ID = 'ai-provenance-tests.ai-fixture';

/** What the fixture extension (test/fixtures/ai-fixture) returns from `activate`. */
export interface FixtureApi {
  readonly SINGLE_LINE_TRIGGER: string;
  readonly SINGLE_LINE_COMPLETION: string;
  readonly MULTI_LINE_TRIGGER: string;
  readonly MULTI_LINE_COMPLETION: string;
  readonly LM_VENDOR: string;
  readonly MODEL_ID: string;
  readonly MODEL_FAMILY: string;
  readonly CHAT_PARTICIPANT_ID: string;
  readonly CHAT_CODE: string;
  readonly CHAT_CODE_BLOCK: string;
  readonly CHAT_ANSWER: string;
  readonly TRAIL_TRIGGER: string;
  readonly TRAIL_CODE: string;
  readonly stats: {
    inlineRequests: number;
    inlineItemsProvided: number;
    refusedSchemes: string[];
    lmRequests: number;
    chatRequests: number;
  };
  readonly lmRegistered: boolean;
  readonly chatRegistered: boolean;
  readonly errors: string[];
}

/** Activates the fixture extension and returns its exports; throws when it is not loaded. */
export async function fixture(): Promise<FixtureApi> {
  const ext = vscode.extensions.getExtension<FixtureApi>(FIXTURE_EXTENSION_ID);
  if (!ext) throw new Error(`fixture extension ${FIXTURE_EXTENSION_ID} is not loaded in this host`);
  return ext.activate();
}

/**
 * Sends `query` (e.g. `@fixture write code`) from the chat view with the fixture's model chosen.
 * Without a chosen model the chat answers "Language model unavailable" before any participant is
 * asked, and an extension without the proposed `chatProvider` API cannot make its model the
 * default, so the request names the model.
 */
export async function sendFixtureChat(query: string): Promise<void> {
  const fx = await fixture();
  await vscode.commands.executeCommand('workbench.action.chat.open', {
    query,
    isPartialQuery: false,
    modelSelector: { vendor: fx.LM_VENDOR, id: fx.MODEL_ID },
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `predicate` until it returns a truthy value and resolves with that value; rejects after
 * `timeoutMs` with `message` (and the last error the predicate threw, if any).
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs = 5000,
  message = 'condition not met',
  intervalMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${message}${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves with the first event (that passes `filter`) fired within `timeoutMs`, else rejects. */
export function waitForEvent<T>(
  event: vscode.Event<T>,
  timeoutMs = 5000,
  filter: (e: T) => boolean = () => true,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`waitForEvent timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = event((e) => {
      if (!filter(e)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e);
    });
  });
}

/** The first workspace folder (the harness opens a temporary git repository). */
export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  return folder;
}

const SCRATCH_COUNTER = Symbol.for('aiProvenance.test.scratchCounter');

function nextScratchNumber(): number {
  const g = globalThis as unknown as Record<symbol, number | undefined>;
  g[SCRATCH_COUNTER] = (g[SCRATCH_COUNTER] ?? 0) + 1;
  return g[SCRATCH_COUNTER]!;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a new file with `content` into the workspace folder, opens it in an editor and
 * returns the editor. The name gets a counter and the host variant so tests do not collide.
 */
export async function openScratchFile(baseName: string, content = ''): Promise<vscode.TextEditor> {
  const dot = baseName.lastIndexOf('.');
  const stem = dot > 0 ? baseName.slice(0, dot) : baseName;
  const ext = dot > 0 ? baseName.slice(dot) : '';
  // Each suite file is its own bundle, so a counter of this module alone would restart in every
  // suite and name a file an earlier suite left behind (with its provenance): the counter lives on
  // the global object, and a name already taken is never reused.
  let uri: vscode.Uri;
  do {
    const name = `${stem}-${hostVariant()}-${nextScratchNumber()}${ext}`;
    uri = vscode.Uri.joinPath(workspaceFolder().uri, name);
  } while (await exists(uri));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Types `text` at the cursor of the active editor as the keyboard would (auto-closing etc. apply). */
export async function typeText(text: string): Promise<void> {
  await vscode.commands.executeCommand('type', { text });
}

/** Moves the cursor of `editor` to the end of the document. */
export function moveToEnd(editor: vscode.TextEditor): void {
  const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
  editor.selection = new vscode.Selection(end, end);
}

/**
 * Asks for inline suggestions at the cursor and accepts the first one with the built-in
 * `editor.action.inlineSuggest.commit`, retrying until the document changes. Resolves with
 * the document text after the accept.
 */
export async function triggerAndAcceptInline(
  editor: vscode.TextEditor,
  timeoutMs = 10000,
  acceptCommand = 'editor.action.inlineSuggest.commit',
): Promise<string> {
  const before = editor.document.getText();
  return waitFor(
    async () => {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await sleep(150);
      await vscode.commands.executeCommand(acceptCommand);
      const after = editor.document.getText();
      return after !== before ? after : undefined;
    },
    timeoutMs,
    `no inline suggestion was accepted into ${editor.document.uri.toString()}`,
    100,
  );
}

/** Reverts and closes every editor so the next test starts clean. */
export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.files.revert');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * Waits until VS Code's file watcher brings a change on disk into an open document. Right after
 * the workbench starts, the server's watcher may not watch the workspace yet, and a file written
 * then is not reloaded for a minute or more; a suite that writes files outside the editor first
 * thing (agent hooks, checkpoints) calls this before it starts. The probe file is closed and
 * deleted afterwards.
 */
export async function waitForFileWatcher(timeoutMs = 120_000): Promise<void> {
  const editor = await openScratchFile('watch-probe.txt', 'probe 0\n');
  const file = editor.document.uri.fsPath;
  const deadline = Date.now() + timeoutMs;
  try {
    for (let n = 1; ; n++) {
      const text = `probe ${n}\n`;
      fs.writeFileSync(file, text);
      const until = Date.now() + 3000;
      while (Date.now() < until && editor.document.getText() !== text) await sleep(100);
      if (editor.document.getText() === text) return;
      if (Date.now() > deadline) throw new Error(`VS Code's file watcher never reloaded ${file} in ${timeoutMs} ms`);
    }
  } finally {
    await closeAllEditors();
    fs.rmSync(file, { force: true });
  }
}

/** The text of every hover at `position` of the document `uri` (Markdown as the providers wrote it). */
export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : (c as { value: string }).value))
    .join('\n');
}

/**
 * Saves `doc`. VS Code can refuse the first save of a file written to disk a moment ago (its file
 * watcher has not caught up with the write yet): the save is tried again until it succeeds.
 */
export async function saveDocument(doc: vscode.TextDocument, timeoutMs = 10_000): Promise<void> {
  await waitFor(async () => (doc.isDirty ? doc.save() : true), timeoutMs, `could not save ${doc.uri.fsPath}`, 250);
}
