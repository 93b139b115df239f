import { attributeLines } from './lineShare';
import { toolLabel } from './origin';
import { DocumentProvenance } from './provenanceStore';

/** AI share of one document's current text. */
export interface FileShareSummary {
  /** Non-blank lines most of whose non-whitespace characters are AI-produced. */
  readonly aiLines: number;
  readonly nonBlankLines: number;
  readonly aiCharacters: number;
  /** Tool labels (`tool` or `tool:model`) of the AI text present, most characters first. */
  readonly tools: string[];
  /** Whole percent of non-blank lines that are AI (0 when the file is empty). */
  readonly percent: number;
}

export function fileShare(doc: DocumentProvenance, text: string): FileShareSummary {
  const runs = doc.rope.taggedRuns();
  const share = attributeLines(text, runs, (id) => doc.isAi(id));
  const perTool = new Map<string, number>();
  let aiCharacters = 0;
  for (const r of runs) {
    const o = doc.origins.get(r.origin);
    if (!o || !doc.isAi(r.origin)) continue;
    aiCharacters += r.length;
    const label = toolLabel(o);
    perTool.set(label, (perTool.get(label) ?? 0) + r.length);
  }
  const tools = [...perTool.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
  const percent = share.nonBlankLines === 0 ? 0 : Math.round((100 * share.attributedLines) / share.nonBlankLines);
  return { aiLines: share.attributedLines, nonBlankLines: share.nonBlankLines, aiCharacters, tools, percent };
}
