/**
 * MEASUREMENT HARNESS ONLY (not a test, not a VS Code emulation): the smallest stand-in for the
 * `vscode` module that lets the extension bundle load in plain Node and run `activate()`, so the
 * benchmark can time activation. The few classes and values the extension reads are implemented;
 * every other API member is an inert stub: functions return a disposable stub, events never fire,
 * promises from the stub resolve to undefined. Nothing here says whether the extension works.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** API members that were touched, for the report ("vscode.window.createStatusBarItem", ...). */
export const touched = new Set<string>();

const INERT = Symbol('inert');

/** A callable, constructible stub whose every property is another stub. */
function stub(name: string): unknown {
  const fn = function () {
    return undefined;
  };
  return new Proxy(fn, {
    get(_target, prop) {
      if (prop === INERT) return true;
      if (typeof prop === 'symbol') return undefined;
      // Never thenable: awaiting a stub must not hang.
      if (prop === 'then') return undefined;
      if (prop === 'dispose') return () => undefined;
      if (prop === 'toString') return () => `[stub ${name}]`;
      if (prop === 'length') return 0;
      return stub(`${name}.${String(prop)}`);
    },
    apply() {
      touched.add(name);
      return stub(`${name}()`);
    },
    construct() {
      touched.add(`new ${name}`);
      return stub(`new ${name}()`) as object;
    },
  });
}

/** An object whose listed members are real and whose other members are stubs. */
function partial<T extends object>(name: string, members: T): T {
  return new Proxy(members, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver);
      if (typeof prop === 'symbol' || prop === 'then') return undefined;
      return stub(`${name}.${String(prop)}`);
    },
  });
}

class Disposable {
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((d) => d.dispose()));
  }
  constructor(private readonly fn: () => unknown) {}
  dispose(): void {
    this.fn();
  }
}

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>, thisArgs?: unknown, disposables?: Disposable[]): Disposable => {
    const bound: Listener<T> = thisArgs ? listener.bind(thisArgs) : listener;
    this.listeners.add(bound);
    const d = new Disposable(() => this.listeners.delete(bound));
    disposables?.push(d);
    return d;
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

/** An event that never fires. */
function noEvent(name: string) {
  return (_listener: unknown, _thisArgs?: unknown, disposables?: Disposable[]): Disposable => {
    touched.add(name);
    const d = new Disposable(() => undefined);
    disposables?.push(d);
    return d;
  };
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
  isBefore(o: Position): boolean {
    return this.line < o.line || (this.line === o.line && this.character < o.character);
  }
  isEqual(o: Position): boolean {
    return this.line === o.line && this.character === o.character;
  }
  translate(dl = 0, dc = 0): Position {
    return new Position(this.line + dl, this.character + dc);
  }
  with(line = this.line, character = this.character): Position {
    return new Position(line, character);
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: Position | number, b: Position | number, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c!, d!) : (b as Position);
  }
  get isEmpty(): boolean {
    return this.start.isEqual(this.end);
  }
}

class Selection extends Range {
  constructor(
    readonly anchor: Position,
    readonly active: Position,
  ) {
    super(anchor, active);
  }
}

class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query: string,
    readonly fragment: string,
  ) {}
  static file(p: string): Uri {
    return new Uri('file', '', p.replace(/\\/g, '/'), '', '');
  }
  static parse(value: string): Uri {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
    return m ? new Uri(m[1], m[2] ?? '', m[3] ?? '', m[4] ?? '', m[5] ?? '') : new Uri('file', '', value, '', '');
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return base.with({ path: path.posix.join(base.path, ...parts) });
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: { scheme?: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
    return new Uri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path, change.query ?? this.query, change.fragment ?? this.fragment);
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, path: this.path };
  }
}

class Memento {
  private readonly data = new Map<string, unknown>();
  get<T>(key: string, defaultValue?: T): T | undefined {
    return this.data.has(key) ? (this.data.get(key) as T) : defaultValue;
  }
  update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, value);
    return Promise.resolve();
  }
  keys(): readonly string[] {
    return [...this.data.keys()];
  }
  setKeysForSync(): void {}
}

class ThemeColor {
  constructor(readonly id: string) {}
}
class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}
class MarkdownString {
  isTrusted = false;
  supportThemeIcons = false;
  constructor(public value = '') {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
  appendText(s: string): this {
    this.value += s;
    return this;
  }
  appendCodeblock(s: string): this {
    this.value += `\n\`\`\`\n${s}\n\`\`\`\n`;
    return this;
  }
}
class TreeItem {
  constructor(
    public label: unknown,
    public collapsibleState?: number,
  ) {}
}
class RelativePattern {
  constructor(
    readonly base: unknown,
    readonly pattern: string,
  ) {}
}
class CancellationTokenSource {
  token = { isCancellationRequested: false, onCancellationRequested: noEvent('CancellationToken.onCancellationRequested') };
  cancel(): void {
    this.token.isCancellationRequested = true;
  }
  dispose(): void {}
}

function configuration(section?: string) {
  return {
    get<T>(key: string, defaultValue?: T): T | undefined {
      touched.add(`workspace.getConfiguration(${section ?? ''}).get(${key})`);
      return defaultValue;
    },
    has: () => false,
    inspect: () => undefined,
    update: () => Promise.resolve(),
  };
}

/** A log output channel that discards what is written. */
function outputChannel(name: string) {
  return partial('OutputChannel', {
    name,
    logLevel: 2,
    onDidChangeLogLevel: noEvent('OutputChannel.onDidChangeLogLevel'),
    append: () => undefined,
    appendLine: () => undefined,
    replace: () => undefined,
    clear: () => undefined,
    show: () => undefined,
    hide: () => undefined,
    dispose: () => undefined,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  });
}

function statusBarItem() {
  return partial('StatusBarItem', { text: '', tooltip: undefined as unknown, command: undefined as unknown, name: '', show: () => undefined, hide: () => undefined, dispose: () => undefined });
}

const enums = {
  StatusBarAlignment: { Left: 1, Right: 2 },
  ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  OverviewRulerLane: { Left: 1, Center: 2, Right: 4, Full: 7 },
  DecorationRangeBehavior: { OpenOpen: 0, ClosedClosed: 1, OpenClosed: 2, ClosedOpen: 3 },
  TextDocumentChangeReason: { Undo: 1, Redo: 2 },
  TextEditorSelectionChangeKind: { Keyboard: 1, Mouse: 2, Command: 3 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  EndOfLine: { LF: 1, CRLF: 2 },
  FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  UIKind: { Desktop: 1, Web: 2 },
  InlineCompletionTriggerKind: { Invoke: 0, Automatic: 1 },
};

/** What a harness drives: the events VS Code would fire and the state it would show. */
export interface MockControl {
  readonly onDidChangeTextDocument: EventEmitter<unknown>;
  readonly onDidOpenTextDocument: EventEmitter<unknown>;
  readonly onDidCloseTextDocument: EventEmitter<unknown>;
  readonly onDidChangeActiveTextEditor: EventEmitter<unknown>;
  readonly onDidChangeVisibleTextEditors: EventEmitter<unknown>;
  /** Mutable: `window.activeTextEditor`, `window.visibleTextEditors`, `workspace.textDocuments`. */
  readonly window: { activeTextEditor: unknown; visibleTextEditors: unknown[] };
  readonly workspace: { textDocuments: unknown[] };
  /** Handlers registered with `commands.registerCommand`. */
  readonly commands: Map<string, (...args: unknown[]) => unknown>;
}

export let mockControl: MockControl | undefined;

/**
 * Extensions reported by `vscode.extensions.all`: a typical installation (about 40, one of them an
 * inline-completion provider). Like VS Code, each read returns new objects.
 */
function installedExtensions(): unknown[] {
  const ids = ['github.copilot', 'github.copilot-chat', 'ms-python.python', 'dbaeumer.vscode-eslint', 'esbenp.prettier-vscode', 'eamodio.gitlens'];
  for (let i = 0; ids.length < 40; i++) ids.push(`vscode.builtin-${i}`);
  return ids.map((id) => ({ id, isActive: true, packageJSON: { name: id.split('.')[1], categories: ['Other'] }, extensionPath: `/ext/${id}` }));
}

/** The mock module; `extensionRoot` is where the extension's files are. */
export function createVscodeMock(extensionRoot: string): Record<string, unknown> {
  const onDidChangeTextDocument = new EventEmitter<unknown>();
  const onDidOpenTextDocument = new EventEmitter<unknown>();
  const onDidCloseTextDocument = new EventEmitter<unknown>();
  const onDidChangeActiveTextEditor = new EventEmitter<unknown>();
  const onDidChangeVisibleTextEditors = new EventEmitter<unknown>();
  const commandHandlers = new Map<string, (...args: unknown[]) => unknown>();
  const window = partial('window', {
    createOutputChannel: (name: string) => {
      touched.add('window.createOutputChannel');
      return outputChannel(name);
    },
    createStatusBarItem: () => {
      touched.add('window.createStatusBarItem');
      return statusBarItem();
    },
    activeTextEditor: undefined as unknown,
    visibleTextEditors: [] as unknown[],
    onDidChangeActiveTextEditor: onDidChangeActiveTextEditor.event,
    onDidChangeVisibleTextEditors: onDidChangeVisibleTextEditors.event,
    onDidChangeTextEditorSelection: noEvent('window.onDidChangeTextEditorSelection'),
    onDidChangeWindowState: noEvent('window.onDidChangeWindowState'),
    onDidChangeActiveColorTheme: noEvent('window.onDidChangeActiveColorTheme'),
    state: { focused: true, active: true },
    tabGroups: partial('window.tabGroups', { all: [], onDidChangeTabs: noEvent('window.tabGroups.onDidChangeTabs'), onDidChangeTabGroups: noEvent('window.tabGroups.onDidChangeTabGroups') }),
    showInformationMessage: () => Promise.resolve(undefined),
    showWarningMessage: () => Promise.resolve(undefined),
    showErrorMessage: () => Promise.resolve(undefined),
  });
  const workspace = partial('workspace', {
    getConfiguration: (section?: string) => configuration(section),
    workspaceFolders: undefined,
    textDocuments: [] as unknown[],
    isTrusted: true,
    name: undefined,
    onDidChangeTextDocument: onDidChangeTextDocument.event,
    onDidOpenTextDocument: onDidOpenTextDocument.event,
    onDidCloseTextDocument: onDidCloseTextDocument.event,
    onDidSaveTextDocument: noEvent('workspace.onDidSaveTextDocument'),
    onWillSaveTextDocument: noEvent('workspace.onWillSaveTextDocument'),
    onDidChangeConfiguration: noEvent('workspace.onDidChangeConfiguration'),
    onDidChangeWorkspaceFolders: noEvent('workspace.onDidChangeWorkspaceFolders'),
    onDidGrantWorkspaceTrust: noEvent('workspace.onDidGrantWorkspaceTrust'),
    onDidRenameFiles: noEvent('workspace.onDidRenameFiles'),
    onDidDeleteFiles: noEvent('workspace.onDidDeleteFiles'),
    onDidCreateFiles: noEvent('workspace.onDidCreateFiles'),
    onWillRenameFiles: noEvent('workspace.onWillRenameFiles'),
    getWorkspaceFolder: () => undefined,
    asRelativePath: (p: unknown) => String(p),
    findFiles: () => Promise.resolve([]),
    createFileSystemWatcher: () => partial('FileSystemWatcher', { onDidChange: noEvent('watcher.onDidChange'), onDidCreate: noEvent('watcher.onDidCreate'), onDidDelete: noEvent('watcher.onDidDelete'), dispose: () => undefined }),
    registerTextDocumentContentProvider: () => new Disposable(() => undefined),
    fs: partial('workspace.fs', {
      readFile: (uri: Uri) => fs.promises.readFile(uri.fsPath).then((b) => new Uint8Array(b)),
      writeFile: (uri: Uri, data: Uint8Array) => fs.promises.mkdir(path.dirname(uri.fsPath), { recursive: true }).then(() => fs.promises.writeFile(uri.fsPath, data)),
      createDirectory: (uri: Uri) => fs.promises.mkdir(uri.fsPath, { recursive: true }).then(() => undefined),
      stat: (uri: Uri) => fs.promises.stat(uri.fsPath).then((s) => ({ type: s.isDirectory() ? 2 : 1, size: s.size, ctime: s.ctimeMs, mtime: s.mtimeMs })),
      readDirectory: (uri: Uri) => fs.promises.readdir(uri.fsPath, { withFileTypes: true }).then((es) => es.map((e) => [e.name, e.isDirectory() ? 2 : 1])),
      delete: (uri: Uri) => fs.promises.rm(uri.fsPath, { recursive: true, force: true }),
    }),
  });
  const commands = partial('commands', {
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
      touched.add(`commands.registerCommand(${id})`);
      commandHandlers.set(id, handler);
      return new Disposable(() => commandHandlers.delete(id));
    },
    registerTextEditorCommand: (id: string) => {
      touched.add(`commands.registerTextEditorCommand(${id})`);
      return new Disposable(() => undefined);
    },
    executeCommand: (id: string, ...args: unknown[]) => {
      const handler = commandHandlers.get(id);
      return Promise.resolve(handler ? handler(...args) : undefined);
    },
    getCommands: () => Promise.resolve([]),
  });
  const extensions = partial('extensions', {
    getExtension: () => undefined,
    get all() {
      return installedExtensions();
    },
    onDidChange: noEvent('extensions.onDidChange'),
  });
  mockControl = {
    onDidChangeTextDocument,
    onDidOpenTextDocument,
    onDidCloseTextDocument,
    onDidChangeActiveTextEditor,
    onDidChangeVisibleTextEditors,
    window: window as unknown as MockControl['window'],
    workspace: workspace as unknown as MockControl['workspace'],
    commands: commandHandlers,
  };
  const env = partial('env', { appName: 'Benchmark harness', appRoot: '', language: 'en', machineId: 'bench', sessionId: 'bench', uiKind: 1, remoteName: undefined, clipboard: partial('env.clipboard', { readText: () => Promise.resolve(''), writeText: () => Promise.resolve() }) });
  return partial('vscode', {
    version: '1.139.0',
    Disposable,
    EventEmitter,
    Position,
    Range,
    Selection,
    Uri,
    ThemeColor,
    ThemeIcon,
    MarkdownString,
    TreeItem,
    CancellationTokenSource,
    RelativePattern,
    ...enums,
    window,
    workspace,
    commands,
    extensions,
    env,
    languages: partial('languages', { registerHoverProvider: () => new Disposable(() => undefined), registerCodeLensProvider: () => new Disposable(() => undefined), createDiagnosticCollection: () => stub('DiagnosticCollection') }),
    scm: partial('scm', { inputBox: undefined }),
    l10n: partial('l10n', { t: (message: string | { message: string }, ...args: unknown[]) => String(typeof message === 'string' ? message : message.message).replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)])) }),
  });
}

/** An `ExtensionContext` with in-memory state and storage under a fresh temporary directory. */
export function createExtensionContext(vscode: Record<string, unknown>, extensionRoot: string): Record<string, unknown> {
  const U = vscode.Uri as typeof Uri;
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'aiprov-bench-storage-'));
  return partial('ExtensionContext', {
    subscriptions: [] as { dispose(): unknown }[],
    workspaceState: new Memento(),
    globalState: new Memento(),
    secrets: partial('secrets', { get: () => Promise.resolve(undefined), store: () => Promise.resolve(), delete: () => Promise.resolve(), onDidChange: noEvent('secrets.onDidChange') }),
    extensionUri: U.file(extensionRoot),
    extensionPath: extensionRoot,
    asAbsolutePath: (rel: string) => path.join(extensionRoot, rel),
    storageUri: U.file(path.join(storage, 'workspace')),
    storagePath: path.join(storage, 'workspace'),
    globalStorageUri: U.file(path.join(storage, 'global')),
    globalStoragePath: path.join(storage, 'global'),
    logUri: U.file(path.join(storage, 'log')),
    logPath: path.join(storage, 'log'),
    extensionMode: 1,
    extension: partial('Extension', { id: 'ai-provenance.ai-provenance', extensionPath: extensionRoot, packageJSON: JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8')) }),
    environmentVariableCollection: stub('environmentVariableCollection'),
    _storageDir: storage,
  });
}
