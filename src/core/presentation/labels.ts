/**
 * Words people read for origins and times. Pure: no `vscode` import, so it is unit-tested directly.
 */
import { OriginKind } from '../provenance/origin';

const KIND_LABELS: Record<OriginKind, string> = {
  inline: 'Inline completion',
  inlinePartial: 'Inline completion (partly accepted)',
  nextEdit: 'Next edit suggestion',
  chat: 'Chat (insert / apply)',
  inlineChat: 'Inline chat',
  agent: 'Agent edit',
  'paste-from-ai': 'Pasted from an AI tool',
  manual: 'Marked as AI by hand',
  unknown: 'Unknown (changed outside the editor)',
};

/** A short sentence-case label for an origin kind, e.g. `Inline completion`. */
export function kindLabel(kind: OriginKind): string {
  return KIND_LABELS[kind] ?? kind;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `2026-11-24 09:31 UTC`: the same for everyone, whatever their locale. */
export function formatUtc(timestamp: number): string {
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return 'unknown time';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 days ago`, relative to `now` (both ms since the epoch). */
export function formatAgo(timestamp: number, now: number): string {
  const seconds = Math.round((now - timestamp) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 0) return 'in the future';
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? '1 day ago' : `${days} days ago`;
}

/**
 * How a share is written. `round`: nearest whole percent, as the status bar writes a file's share
 * (fileShare.percent). `floor`: rounded down but never `0%` for a non-zero share (`<1%`), as the
 * commit policy and the trailers write the staged change's share. Both give `0%` for an empty
 * denominator.
 */
export type PercentMode = 'round' | 'floor';

export function formatPercent(part: number, whole: number, mode: PercentMode = 'round'): string {
  if (whole <= 0 || part <= 0) return '0%';
  if (mode === 'round') return `${Math.round((100 * part) / whole)}%`;
  const p = Math.floor((part * 100) / whole);
  return p === 0 ? '<1%' : `${p}%`;
}

/** `line 4` or `lines 4–9` (1-based lines in, as shown). */
export function formatLineSpan(startLine: number, endLine: number): string {
  return startLine === endLine ? `line ${startLine}` : `lines ${startLine}\u2013${endLine}`;
}
