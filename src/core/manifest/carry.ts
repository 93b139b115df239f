import { AiRange, mapRanges } from '../contribution/mapRanges';
import { Origin } from '../provenance/origin';
import { ManifestFile, rangeText, sha256Hex } from './schema';

/**
 * Carrying a commit's AI lines onto a rewritten version of it (amend, rebase, cherry-pick,
 * squash), by content. Pure: the caller reads the texts from git.
 *
 * The original manifest says which lines of the original commit's text were AI. Those lines are
 * turned into character ranges of that text and moved onto the new text line by line with
 * {@link mapRanges} (only lines found unchanged carry anything). The new commit is then measured
 * as any commit is (added lines against its new parent), so a line counts again only where the
 * rewritten commit still adds it. AI lines whose text did not survive unchanged are "lost": the
 * record keeps their number, so a caller can count lines that replace them as `unknown`.
 */

/**
 * The AI ranges of a manifest file, as whole lines of `text` (the committed text it describes),
 * with the conversation each range names (its request or session id, and what the manifest kept
 * of the prompt: the text, or only its hash), so that a rewrite keeps the reasoning trail.
 */
export function manifestRangesInText(text: string, file: ManifestFile): AiRange[] {
  const starts = lineStarts(text);
  const conversations = new Map((file.conversations ?? []).map((c) => [c.id, c]));
  const out: AiRange[] = [];
  for (const r of file.ranges) {
    if (r.endLine > starts.length) continue;
    let lines: string;
    try {
      lines = rangeText(text, r.startLine, r.endLine);
    } catch {
      continue;
    }
    // A range whose text is not what the manifest hashed is not this text's: carry nothing.
    if (sha256Hex(lines) !== r.sha256) continue;
    const start = starts[r.startLine - 1];
    const end = start + lines.length;
    if (end <= start) continue;
    const c = r.conversation !== undefined ? conversations.get(r.conversation) : undefined;
    const origin: Origin = {
      kind: r.kind,
      tool: r.tool,
      timestamp: 0,
      ...(r.model !== undefined ? { model: r.model } : {}),
      ...(c ? { requestId: c.id } : {}),
      ...(c?.prompt !== undefined ? { prompt: c.prompt } : c?.promptSha256 !== undefined ? { promptSha256: c.promptSha256 } : {}),
      ...(c?.transcript !== undefined ? { transcript: c.transcript } : {}),
    };
    out.push({ start, end, text: text.slice(start, end), origin });
  }
  return out;
}

export interface CarriedFile {
  /** Ranges in offsets of the new text. */
  readonly ranges: AiRange[];
  /** AI lines of the original with at least one character that did not survive unchanged. */
  readonly lostLines: number;
  /** AI lines (non-blank) placed in the new text. */
  readonly keptLines: number;
}

/** Moves `ranges` (offsets of `oldText`) onto `newText` and counts the AI lines that did not survive. */
export function carryRanges(oldText: string, ranges: readonly AiRange[], newText: string): CarriedFile {
  const moved = mapRanges(oldText, newText, ranges);
  const kept = moved.reduce((n, r) => n + countLines(r.text), 0);
  const before = ranges.reduce((n, r) => n + countLines(r.text), 0);
  return { ranges: moved, lostLines: Math.max(0, before - kept), keptLines: kept };
}

/** Lines with a non-blank character in `text`. */
function countLines(text: string): number {
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}
