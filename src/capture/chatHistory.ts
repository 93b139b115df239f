import * as vscode from 'vscode';
import { ChatCodeBlock, ChatRequestRecord, chatCodeBlocksOf, chatRequestsOf } from '../core/chat/chatAnswers';
import { readChatSession } from '../core/chat/chatSessionLog';

/** Answers older than this are not matched. */
const RECENT_MS = 7 * 24 * 60 * 60 * 1000;
/** Session files larger than this are skipped (a clear log line says so). */
const MAX_SESSION_BYTES = 32 * 1024 * 1024;
/** Changes to the folder are read this long after the last one. */
const REFRESH_DEBOUNCE_MS = 200;

interface SessionFile {
  readonly mtime: number;
  readonly size: number;
  readonly blocks: readonly ChatCodeBlock[];
  readonly requests: readonly ChatRequestRecord[];
}

const NOTHING: Pick<SessionFile, 'blocks' | 'requests'> = { blocks: [], requests: [] };

/**
 * The code blocks of recent chat answers, read from the chat sessions VS Code stores for this
 * workspace (`<workspace storage>/chatSessions/*.jsonl`, the folder next to this extension's own
 * workspace storage). This works on VS Code Stable, where chat answers are not otherwise visible to
 * extensions: VS Code writes a session a few seconds after each answer completes. Each block comes
 * with the model and request VS Code recorded; the requests themselves (id, session, prompt, the
 * edits their answers made to files) are kept too, for the prompt of a chat edit.
 *
 * Reading is asynchronous and happens only when the folder changes (or when asked); the change
 * handler reads the cached blocks, so typing never waits for it.
 */
export class ChatHistory implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly files = new Map<string, SessionFile>();
  private cached: readonly ChatCodeBlock[] = [];
  private requests = new Map<string, ChatRequestRecord>();
  private editing: readonly ChatRequestRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private again = false;
  private readonly problems = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the known code blocks changed. */
  readonly onDidChange = this.changed.event;
  readonly folder: vscode.Uri | undefined;

  constructor(context: vscode.ExtensionContext, private readonly log: vscode.LogOutputChannel) {
    this.folder = chatSessionsFolder(context);
    this.disposables.push(this.changed);
    if (!this.folder) {
      log.info('chat history: no storage folder, so chat code blocks cannot be matched in this window');
      return;
    }
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.folder, '*.{jsonl,json}'));
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.refreshSoon()),
      watcher.onDidChange(() => this.refreshSoon()),
      watcher.onDidDelete(() => this.refreshSoon()),
    );
    this.refreshSoon();
  }

  /** The code blocks of the chat answers of the last days (cached: costs nothing). */
  codeBlocks(): readonly ChatCodeBlock[] {
    return this.cached;
  }

  /** The stored request with this id (cached: costs nothing). */
  request(requestId: string): ChatRequestRecord | undefined {
    return this.requests.get(requestId);
  }

  /** The stored requests whose answers edited files (cached: costs nothing). */
  editingRequests(): readonly ChatRequestRecord[] {
    return this.editing;
  }

  /** Reads the folder again shortly (changes come in bursts). */
  refreshSoon(): void {
    if (!this.folder) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }

  /** Reads the session files that changed; resolves true when the known blocks changed. */
  refresh(): Promise<boolean> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.readFolder().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.refreshSoon();
      }
    });
    return this.running;
  }

  private async readFolder(): Promise<boolean> {
    const folder = this.folder;
    if (!folder) return false;
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(folder);
    } catch {
      // No chat session stored yet (or chat is not used): nothing to match.
      entries = [];
    }
    const now = Date.now();
    const seen = new Set<string>();
    let changed = false;
    for (const [name, type] of entries) {
      if (type !== vscode.FileType.File || !/\.jsonl?$/.test(name)) continue;
      const uri = vscode.Uri.joinPath(folder, name);
      let stat: vscode.FileStat;
      try {
        stat = await vscode.workspace.fs.stat(uri);
      } catch {
        continue;
      }
      if (now - stat.mtime > RECENT_MS) continue;
      seen.add(name);
      const known = this.files.get(name);
      if (known && known.mtime === stat.mtime && known.size === stat.size) continue;
      this.files.set(name, { mtime: stat.mtime, size: stat.size, ...(await this.readSession(uri, stat.size, now)) });
      changed = true;
    }
    for (const name of [...this.files.keys()]) {
      if (!seen.has(name)) {
        this.files.delete(name);
        changed = true;
      }
    }
    if (changed) {
      this.cached = [...this.files.values()].flatMap((f) => f.blocks);
      this.requests = new Map([...this.files.values()].flatMap((f) => f.requests.map((r) => [r.requestId, r] as const)));
      this.editing = [...this.requests.values()].filter((r) => r.edits !== undefined);
      this.changed.fire();
    }
    return changed;
  }

  private async readSession(uri: vscode.Uri, size: number, now: number): Promise<Pick<SessionFile, 'blocks' | 'requests'>> {
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    if (size > MAX_SESSION_BYTES) {
      this.warnOnce(name, `chat history: ${name} is ${(size / 1048576).toFixed(1)} MB, above ${MAX_SESSION_BYTES / 1048576} MB; its code blocks are not matched`);
      return NOTHING;
    }
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const read = readChatSession(text);
      if (read.problem) this.log.debug(`chat history: ${name}: ${read.problem}`);
      if (!read.session) return NOTHING;
      return {
        blocks: chatCodeBlocksOf(read.session).filter((b) => b.completedAt === undefined || now - b.completedAt <= RECENT_MS),
        requests: chatRequestsOf(read.session),
      };
    } catch (err) {
      this.warnOnce(name, `chat history: could not read ${name}: ${err instanceof Error ? err.message : String(err)}`);
      return NOTHING;
    }
  }

  private warnOnce(key: string, message: string): void {
    if (this.problems.has(key)) return;
    this.problems.add(key);
    this.log.warn(message);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * Where VS Code keeps this window's chat sessions: `chatSessions` beside this extension's workspace
 * storage, or `emptyWindowChatSessions` beside its global storage in a window without a folder.
 */
function chatSessionsFolder(context: vscode.ExtensionContext): vscode.Uri | undefined {
  if (context.storageUri) return vscode.Uri.joinPath(context.storageUri, '..', 'chatSessions');
  if (context.globalStorageUri) return vscode.Uri.joinPath(context.globalStorageUri, '..', 'emptyWindowChatSessions');
  return undefined;
}
