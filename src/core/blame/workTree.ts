/**
 * What the live provenance state (`state.json`) says about the lines of a file's current text:
 * the uncommitted lines of a work-tree blame take their origin from here. Pure.
 *
 * A line is AI when most of its non-whitespace characters carry an AI origin (the rule of the
 * status bar and the commit flow). When the state describes exactly this text, the other lines are
 * `human` (or `unknown` where text from disk dominates). When the text has changed since (e.g.
 * unsaved edits were recorded, or the file changed outside the editor), the AI text found again is
 * still AI and every other line is `unknown`: nothing is claimed that the state cannot show.
 */
import { restoreEntry } from '../persistence/entries';
import { PersistedFile } from '../persistence/schema';
import { attributeLines } from '../provenance/lineShare';
import { Origin, isAiKind } from '../provenance/origin';
import { UncommittedLine } from './lineOrigins';

export interface WorkTreeInput {
  /** The file's current text. */
  readonly text: string;
  /** The state's entry for the file. */
  readonly entry: PersistedFile;
  /** The state's origin table (`PersistedState.origins`). */
  readonly origins: readonly Origin[];
  /** The text an entry with this hash described, when kept. */
  readonly oldText?: (hash: string) => string | undefined;
}

/** Per 1-based line number, what the state says (every line of the text has an entry). */
export function workTreeLines(input: WorkTreeInput): Map<number, UncommittedLine> {
  const table: Origin[] = [];
  const ids = new Map<Origin, number>();
  const intern = (o: Origin): number => {
    let id = ids.get(o);
    if (id === undefined) {
      table.push(o);
      id = table.length;
      ids.set(o, id);
    }
    return id;
  };
  const restored = restoreEntry({ entry: input.entry, stateOrigins: input.origins, text: input.text, intern, oldText: input.oldText ?? (() => undefined) });
  const runs = [...restored.runs].sort((a, b) => a.start - b.start);
  const exact = restored.how === 'exact';
  const origin = (id: number): Origin | undefined => table[id - 1];
  const ai = attributeLines(input.text, runs, (id) => {
    const o = origin(id);
    return !!o && isAiKind(o.kind);
  });
  const unknown = exact ? attributeLines(input.text, runs, (id) => origin(id)?.kind === 'unknown') : undefined;
  const out = new Map<number, UncommittedLine>();
  const count = input.text.split('\n').length;
  for (let line = 1; line <= count; line++) out.set(line, { status: exact ? 'human' : 'unknown' });
  for (const l of unknown?.lines ?? []) out.set(l.line + 1, { status: 'unknown', kind: 'unknown', tool: origin(l.origin)?.tool });
  for (const l of ai.lines) {
    const o = origin(l.origin)!;
    out.set(l.line + 1, {
      status: 'ai',
      kind: o.kind,
      tool: o.tool,
      ...(o.model ? { model: o.model } : {}),
      ...(o.requestId ? { conversation: o.requestId } : {}),
      recordedAt: o.timestamp,
    });
  }
  return out;
}
