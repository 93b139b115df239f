import * as vscode from 'vscode';
import { chooseInlineTool, GENERIC_INLINE_TOOL } from '../core/classification/inlineToolChoice';
import { normaliseToolId } from '../core/classification/toolId';

/**
 * On VS Code Stable the edit that accepting an inline suggestion produces does not name its
 * provider. We name the tool when exactly one inline-completion extension is active; otherwise
 * the generic "inline completion". On forks with an inline completion of their own (Cursor,
 * Windsurf, ...) see `core/classification/inlineToolChoice.ts`.
 */
export { GENERIC_INLINE_TOOL };

/** Extensions known to provide inline completions. */
const KNOWN_PROVIDERS = [
  'github.copilot',
  'github.copilot-chat',
  'codeium.codeium',
  'codeium.windsurfpyright',
  'tabnine.tabnine-vscode',
  'supermaven.supermaven',
  'continue.continue',
  'sourcegraph.cody-ai',
  'tabbyml.vscode-tabby',
  'amazonwebservices.amazon-q-vscode',
  'amazonwebservices.aws-toolkit-vscode',
  'google.geminicodeassist',
  'mistralai.mistral-code',
];


let cached: string | undefined;
let watching = false;

/** The tool to record for an inline accept on Stable; cached until extensions or settings change. */
export function inlineToolName(selfId: string): string {
  if (!watching) {
    watching = true;
    vscode.extensions.onDidChange(() => (cached = undefined));
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('aiProvenance.capture.inlineProviders')) cached = undefined;
    });
  }
  // Providers activate lazily, so an empty answer is not cached.
  if (cached !== undefined) return cached;
  const name = computeInlineToolName(selfId);
  if (name !== GENERIC_INLINE_TOOL) cached = name;
  return name;
}

function computeInlineToolName(selfId: string): string {
  const extra = vscode.workspace.getConfiguration('aiProvenance').get<string[]>('capture.inlineProviders', []);
  const known = new Set([...KNOWN_PROVIDERS, ...extra.map((e) => e.toLowerCase())]);
  const active = vscode.extensions.all.filter((e) => e.isActive && e.id.toLowerCase() !== selfId.toLowerCase());
  let candidates = active.filter((e) => known.has(e.id.toLowerCase()));
  if (candidates.length === 0) {
    candidates = active.filter((e) => {
      const categories: unknown = e.packageJSON?.categories;
      return !e.id.startsWith('vscode.') && Array.isArray(categories) && categories.some((c) => c === 'AI' || c === 'Machine Learning');
    });
  }
  return chooseInlineTool(vscode.env.appName ?? '', candidates.map((e) => normaliseToolId(e.id)));
}
