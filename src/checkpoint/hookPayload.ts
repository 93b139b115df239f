/**
 * What an agent hook's JSON payload (on stdin) says about one tool call: the files it edits, the
 * session and the folder it ran in. Two shapes come in:
 *
 * - Claude Code (`.claude/settings*.json`): `session_id`, `cwd`, `tool_name`, and
 *   `tool_input.file_path` (Edit, Write, MultiEdit) or `tool_input.notebook_path` (NotebookEdit).
 * - VS Code's agent hooks (Preview; `.github/hooks/*.json`, Copilot agent mode and the other
 *   harnesses): `sessionId`, `cwd`, `tool_name`, `tool_use_id`, `transcript_path`, and a
 *   `tool_input` in the form of that tool: `filePath` (create_file, replace_string_in_file,
 *   insert_edit_into_file), `replacements[].filePath` (multi_replace_string_in_file), `files`
 *   (editFiles), or a patch text in `input` (apply_patch: `*** Update File: <path>` lines).
 *
 * A prompt hook (`UserPromptSubmit`, both shapes) gives the session and the prompt: see
 * `promptHookFacts`.
 *
 * VS Code's hook files have no matcher: a hook runs for every tool call, reads and terminal
 * commands included. A tool whose name does not say it writes (read_file, run_in_terminal, ...)
 * is left alone, so that a person's edit of a file the agent only read never falls between a
 * before and an after. Pure: no I/O.
 */

export interface HookFacts {
  /** Paths the tool call edits, as the payload gives them (relative to `cwd` or absolute). */
  readonly paths: readonly string[];
  readonly session?: string;
  readonly cwd?: string;
  readonly tool?: string;
  /**
   * The texts the tool call says it writes, when its input carries them (new_string, content,
   * newString, code, the `+` lines of a patch); undefined when it does not (then every inserted
   * character is the agent's, as before).
   */
  readonly writtenTexts?: readonly string[];
  /** Set when the tool call is not an edit: nothing is to be recorded, and that is no problem. */
  readonly notAnEdit?: string;
}

/** Tool names that write files: Claude Code's, and VS Code's edit tools by what their name says. */
const EDIT_TOOL = /(edit|write|replace|create|insert|patch)/i;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Paths named by an apply_patch text (`*** Add File: p`, `*** Update File: p`, `*** Move to: p`). */
export function patchPaths(patch: string): string[] {
  const out: string[] = [];
  for (const m of patch.matchAll(/^\*\*\* (?:Add File|Update File|Move to): (.+?)\s*$/gm)) out.push(m[1]);
  return out;
}

/** The files a tool call's `tool_input` names, in order, without repeats. */
export function toolInputPaths(input: unknown): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [];
  const o = input as Record<string, unknown>;
  const found: string[] = [];
  for (const key of ['file_path', 'notebook_path', 'filePath']) {
    const v = str(o[key]);
    if (v) found.push(v);
  }
  found.push(...strings(o.files));
  if (Array.isArray(o.replacements)) {
    for (const r of o.replacements) {
      if (typeof r === 'object' && r !== null) {
        const v = str((r as Record<string, unknown>).filePath) ?? str((r as Record<string, unknown>).file_path);
        if (v) found.push(v);
      }
    }
  }
  const patch = str(o.input) ?? str(o.patch);
  if (patch && patch.includes('*** ')) found.push(...patchPaths(patch));
  return [...new Set(found)];
}

/** The `+` lines of a patch text, each run of consecutive ones as one text (with its line breaks). */
export function patchAddedTexts(patch: string): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  for (const line of patch.split(/\r?\n/)) {
    if (line.startsWith('+') && !line.startsWith('+++')) cur.push(line.slice(1));
    else if (cur.length) {
      out.push(`${cur.join('\n')}\n`);
      cur = [];
    }
  }
  if (cur.length) out.push(`${cur.join('\n')}\n`);
  return out;
}

/** Text between the "...existing code..." placeholders of an insert_edit_into_file `code`. */
function codeSegments(code: string): string[] {
  return code.split(/^.*\.\.\.\s*existing code\s*\.\.\..*$\r?\n?/gim).filter((s) => s.trim().length > 0);
}

/** What a tool call's `tool_input` says it writes; undefined when it names no text. */
export function toolInputTexts(input: unknown): string[] | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const o = input as Record<string, unknown>;
  const texts: string[] = [];
  let named = false;
  const add = (v: unknown) => {
    if (typeof v === 'string') {
      named = true;
      if (v) texts.push(v);
    }
  };
  for (const key of ['new_string', 'content', 'newString']) add(o[key]);
  if (typeof o.code === 'string') {
    named = true;
    texts.push(...codeSegments(o.code));
  }
  for (const list of [o.edits, o.replacements]) {
    if (!Array.isArray(list)) continue;
    for (const e of list) if (typeof e === 'object' && e !== null) for (const key of ['new_string', 'newString']) add((e as Record<string, unknown>)[key]);
  }
  const patch = typeof o.input === 'string' ? o.input : typeof o.patch === 'string' ? o.patch : undefined;
  if (patch && patch.includes('*** ')) {
    named = true;
    texts.push(...patchAddedTexts(patch));
  }
  return named ? texts : undefined;
}

/** What a prompt hook's payload says: the session and the prompt the person submitted. */
export interface PromptHookFacts {
  readonly session?: string;
  readonly cwd?: string;
  readonly prompt?: string;
  /** Set when the payload is another hook event's (a hook file wired to the wrong command). */
  readonly notAPrompt?: string;
}

/** Hook event names that carry the person's prompt (Claude Code and VS Code; Copilot CLI's own name). */
const PROMPT_EVENTS = new Set(['UserPromptSubmit', 'userPromptSubmitted']);

/**
 * The facts of a prompt hook's payload (Claude Code's and VS Code's `UserPromptSubmit`): the session
 * from `session_id` (Claude Code) or `sessionId` (VS Code), the `prompt` text, the `cwd`. The event's
 * name (`hook_event_name`, or `hookEventName` in VS Code), when given, must be the prompt event.
 */
export function promptHookFacts(payload: Record<string, unknown>): PromptHookFacts {
  const session = str(payload.session_id) ?? str(payload.sessionId);
  const cwd = str(payload.cwd);
  const event = str(payload.hook_event_name) ?? str(payload.hookEventName);
  const where = { ...(session ? { session } : {}), ...(cwd ? { cwd } : {}) };
  if (event && !PROMPT_EVENTS.has(event)) return { ...where, notAPrompt: `the payload is a ${event} event, not UserPromptSubmit; no prompt kept` };
  return { ...where, ...(typeof payload.prompt === 'string' ? { prompt: payload.prompt } : {}) };
}

/** The facts of a parsed payload object (not null, not an array). */
export function hookFacts(payload: Record<string, unknown>): HookFacts {
  const tool = str(payload.tool_name);
  const session = str(payload.session_id) ?? str(payload.sessionId);
  const cwd = str(payload.cwd);
  if (tool && !EDIT_TOOL.test(tool)) return { paths: [], session, cwd, tool, notAnEdit: `${tool} is not an edit tool; nothing to record` };
  const writtenTexts = toolInputTexts(payload.tool_input);
  return { paths: toolInputPaths(payload.tool_input), session, cwd, tool, ...(writtenTexts ? { writtenTexts } : {}) };
}
