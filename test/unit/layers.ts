import * as fs from 'fs';
import * as path from 'path';

/**
 * The layering rules of src, checked over source text (test/unit/layers.test.ts). Layers, lowest
 * first (README, Design):
 *
 *   core                      pure rules and data; imports nothing outside core, no vscode
 *   git                       the one place that starts git; imports only core
 *   governance, checkpoint    command-line domains on top of git; core, git and themselves
 *   capture, persistence,     the editor's parts; they never import each other's siblings
 *   commit, views, commands   listed in FORBIDDEN, nor the command line
 *   cli                       the command line; never the editor's parts, nothing that reaches vscode
 *   extension.ts              wires everything; nothing imports it
 */

export interface LayerBreach {
  /** src-relative path of the file that breaks the rule. */
  readonly file: string;
  readonly rule: 'import' | 'child_process' | 'vscode' | 'size';
  /** The src-relative module the breach leads to (imports). */
  readonly target?: string;
  readonly message: string;
}

export interface LayerException {
  readonly file: string;
  readonly rule: LayerBreach['rule'];
  readonly target?: string;
  /** What removes it. */
  readonly why: string;
}

export const MAX_LINES = 400;

/** The one file that may import child_process. */
export const GIT_RUNNER = 'git/git.ts';

/** What each layer may import from src (its own folder always). Undefined: see FORBIDDEN. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  git: ['core'],
  governance: ['core', 'git'],
  checkpoint: ['core', 'git'],
};

/** Layers an editor-side or command-line layer must not import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  capture: ['persistence', 'commit', 'views', 'commands', 'cli', 'governance', 'checkpoint'],
  persistence: ['capture', 'commit', 'views', 'commands', 'cli', 'governance'],
  commit: ['capture', 'persistence', 'views', 'commands', 'cli'],
  views: ['capture', 'persistence', 'commit', 'commands', 'cli', 'governance', 'checkpoint'],
  commands: ['persistence', 'commit', 'views', 'cli', 'governance', 'checkpoint'],
  cli: ['capture', 'persistence', 'views', 'commands'],
};

/** Layers that never import vscode themselves. */
const NO_VSCODE = ['core', 'git', 'governance', 'checkpoint', 'cli'];

/** Reads every .ts file under `srcDir`: src-relative path (with /) to its text. */
export function readSourceTree(srcDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts')) out.set(path.relative(srcDir, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(srcDir);
  return out;
}

/** The folder a file belongs to ('extension.ts' etc. for files at the top). */
function layerOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : file.slice(0, slash);
}

/** Source text without comments (so that an example in a comment is not an import). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** Module specifiers of every import, export-from, dynamic import and require. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  const src = withoutComments(text);
  for (let m = re.exec(src); m; m = re.exec(src)) out.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return out;
}

/** The src-relative file a relative specifier names (a .ts file of the tree when there is one). */
function resolve(tree: ReadonlyMap<string, string>, from: string, spec: string): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const c of [`${base}.ts`, `${base}/index.ts`]) if (tree.has(c)) return c;
  return base;
}

function lineCount(text: string): number {
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

/** Every breach of the rules in `tree` (src-relative path to text). */
export function checkLayers(tree: ReadonlyMap<string, string>): LayerBreach[] {
  const breaches: LayerBreach[] = [];
  const edges = new Map<string, string[]>();
  const importsVscode = new Set<string>();
  for (const [file, text] of tree) {
    const layer = layerOf(file);
    const targets: string[] = [];
    for (const spec of importsOf(text)) {
      if (spec === 'vscode') {
        importsVscode.add(file);
        if (NO_VSCODE.includes(layer)) breaches.push({ file, rule: 'vscode', message: `${layer} must not import vscode` });
        continue;
      }
      if (spec === 'child_process' || spec === 'node:child_process') {
        if (file !== GIT_RUNNER) breaches.push({ file, rule: 'child_process', message: `only ${GIT_RUNNER} starts processes (git)` });
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = resolve(tree, file, spec);
      if (target.startsWith('..')) continue; // outside src (package.json)
      targets.push(target);
      const to = layerOf(target);
      if (to === layer) continue;
      const allowed = ALLOWED[layer];
      const bad =
        target === 'extension.ts' ||
        (allowed !== undefined && !allowed.includes(to)) ||
        (FORBIDDEN[layer]?.includes(to) ?? false);
      if (bad) breaches.push({ file, rule: 'import', target, message: `${layer} must not import ${to}` });
    }
    edges.set(file, targets);
    const lines = lineCount(text);
    if (lines > MAX_LINES) breaches.push({ file, rule: 'size', message: `${lines} lines (at most ${MAX_LINES})` });
  }
  // The command line runs without VS Code: nothing it loads may import vscode.
  for (const file of tree.keys()) {
    if (layerOf(file) !== 'cli') continue;
    const seen = new Set<string>([file]);
    const todo = [file];
    while (todo.length) {
      const f = todo.pop()!;
      if (f !== file && importsVscode.has(f) && layerOf(f) !== 'cli') {
        breaches.push({ file, rule: 'vscode', target: f, message: `the command line loads ${f}, which imports vscode` });
        continue;
      }
      for (const t of edges.get(f) ?? []) if (!seen.has(t)) seen.add(t), todo.push(t);
    }
  }
  return breaches;
}
