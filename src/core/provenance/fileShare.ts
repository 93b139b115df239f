import { attributeLines } from './lineShare';
import { toolLabel } from './origin';
import { DocumentProvenance } from './provenanceStore';

/** AI share of one document's current text. */
export interface FileShareSummary {
  /** Non-blank lines most of whose non-whitespace characters are AI-produced. */
  readonly aiLines: number;
  readonly nonBlankLines: number;
  readonly aiCharacters: number;
  /** Tool labels (`tool` or `tool:model`) of the AI text present, most characters first (then by label). */
  readonly tools: string[];
  /** Whole percent of non-blank lines that are AI (0 when the file is empty). */
  readonly percent: number;
}

/** Sorts `[label, characters]` pairs by characters, most first, then by label. */
export function byCharactersThenLabel(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

export function fileShare(doc: DocumentProvenance, text: string): FileShareSummary {
  const runs = doc.rope.taggedRuns();
  const share = attributeLines(text, runs, (id) => doc.isAi(id));
  const perTool = new Map<string, number>();
  // The tool label of each origin id met (null: not AI), worked out once per origin, not per run.
  const labels = new Map<number, string | null>();
  let aiCharacters = 0;
  for (const r of runs) {
    let label = labels.get(r.origin);
    if (label === undefined) {
      const o = doc.origins.get(r.origin);
      label = o && doc.isAi(r.origin) ? toolLabel(o) : null;
      labels.set(r.origin, label);
    }
    if (label === null) continue;
    aiCharacters += r.length;
    perTool.set(label, (perTool.get(label) ?? 0) + r.length);
  }
  const tools = [...perTool.entries()].sort(byCharactersThenLabel).map(([t]) => t);
  const percent = share.nonBlankLines === 0 ? 0 : Math.round((100 * share.attributedLines) / share.nonBlankLines);
  return { aiLines: share.attributedLines, nonBlankLines: share.nonBlankLines, aiCharacters, tools, percent };
}
