/**
 * The data the report webview draws: plain JSON, built here without `vscode` so it is unit-tested,
 * and posted to media/report.js, which only renders it.
 */
import { attributeLines } from '../provenance/lineShare';
import { Origin, toolLabel } from '../provenance/origin';
import { DocumentProvenance } from '../provenance/provenanceStore';
import { PlacedAiRange, placeAiRanges } from './lineSpans';
import { formatAgo, formatLineSpan, formatPercent, formatUtc, kindLabel, PercentMode } from './labels';
import type { HistorySection } from './historySection';

/** At most this many range rows are sent for the current file; the rest are counted. */
export const REPORT_MAX_RANGE_ROWS = 500;

/**
 * One bar of a chart: `value` of `total`. The current file's shares are written as the status bar
 * writes them (nearest percent); the staged change's as the trailers do (rounded down, `<1%`).
 */
export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly total: number;
  /** 0..100, for the bar's length. */
  readonly percent: number;
  /** `42%`. */
  readonly percentLabel: string;
  /** `12 of 40 lines`. */
  readonly detail: string;
}

export interface RangeRow {
  /** 1-based first line, for "reveal". */
  readonly line: number;
  /** `line 4` / `lines 4–9`. */
  readonly lines: string;
  readonly kind: string;
  readonly kindLabel: string;
  readonly tool: string;
  readonly model: string;
  /** The prompt behind the range (redacted when captured), '' when none was recorded. */
  readonly prompt: string;
  readonly time: string;
  readonly ago: string;
  readonly chars: number;
}

export type FileSection =
  | {
      readonly state: 'tracked';
      readonly path: string;
      readonly aiLines: number;
      readonly nonBlankLines: number;
      readonly share: Bar;
      /** AI lines per tool label (`tool` or `tool:model`), most first. */
      readonly tools: Bar[];
      readonly ranges: RangeRow[];
      /** Ranges not sent because of REPORT_MAX_RANGE_ROWS. */
      readonly rangesOmitted: number;
    }
  | { readonly state: 'none'; readonly message: string };

/** The staged change, as the commit flow summarises it (see src/views/report/stagedSummary.ts). */
export interface StagedInput {
  readonly files: readonly {
    readonly path: string;
    /** Lines of the staged change attributed to AI. */
    readonly aiLines: number;
    /** Lines of the staged change that count (added or changed, non-blank). */
    readonly lines: number;
    /** AI lines per tool label. */
    readonly tools: Readonly<Record<string, number>>;
  }[];
  /** The trailers the commit will get, each `Key: value`. */
  readonly trailers: readonly string[];
  /** Free-form notes from the commit flow (policy verdict, manifest path...). */
  readonly notes?: readonly string[];
}

export type StagedSection =
  | {
      readonly state: 'available';
      readonly total: Bar;
      readonly files: Bar[];
      readonly tools: Bar[];
      readonly trailers: string[];
      readonly notes: string[];
    }
  | { readonly state: 'empty'; readonly message: string; readonly trailers: string[] }
  | { readonly state: 'unavailable'; readonly message: string };

export interface ReportModel {
  readonly generatedAt: string;
  readonly file: FileSection;
  readonly staged: StagedSection;
  /** The committed lines of the current file by commit and tool (historySection.ts). */
  readonly history: HistorySection;
}

export function bar(label: string, value: number, total: number, mode: PercentMode = 'round'): Bar {
  const percent = total > 0 ? Math.max(0, Math.min(100, (value / total) * 100)) : 0;
  return { label, value, total, percent, percentLabel: formatPercent(value, total, mode), detail: `${value} of ${total} lines` };
}

function byValueThenLabel(a: Bar, b: Bar): number {
  return b.value - a.value || a.label.localeCompare(b.label);
}

export interface FileInput {
  /** Workspace-relative path (or the URI when outside a workspace). */
  readonly path: string;
  readonly nonBlankLines: number;
  /** The origin of each AI line (majority rule of lineShare.attributeLines), one entry per line. */
  readonly aiLineOrigins: readonly Origin[];
  /** The AI ranges of the file in document order, placed on lines. */
  readonly ranges: readonly PlacedAiRange[];
}

/**
 * The file input for `doc`, whose document text is `text` (the caller checks they are in step).
 * Lines are counted as the status bar counts them (lineShare.attributeLines, majority rule).
 */
export function fileInputOf(path: string, doc: DocumentProvenance, text: string, lineOf: (offset: number) => number): FileInput {
  const share = attributeLines(text, doc.rope.taggedRuns(), (id) => doc.isAi(id));
  const aiLineOrigins: Origin[] = [];
  for (const l of share.lines) {
    const o = doc.origins.get(l.origin);
    if (o) aiLineOrigins.push(o);
  }
  return { path, nonBlankLines: share.nonBlankLines, aiLineOrigins, ranges: placeAiRanges(doc.ranges(), lineOf) };
}

export function buildFileSection(input: FileInput | undefined, now: number, noneMessage = 'Open a file to see its AI ranges.'): FileSection {
  if (!input) return { state: 'none', message: noneMessage };
  const perTool = new Map<string, number>();
  for (const o of input.aiLineOrigins) {
    const label = toolLabel(o);
    perTool.set(label, (perTool.get(label) ?? 0) + 1);
  }
  const aiLines = input.aiLineOrigins.length;
  const tools = [...perTool].map(([label, n]) => bar(label, n, input.nonBlankLines)).sort(byValueThenLabel);
  const rows: RangeRow[] = input.ranges.slice(0, REPORT_MAX_RANGE_ROWS).map((r) => ({
    line: r.startLine + 1,
    lines: formatLineSpan(r.startLine + 1, r.endLine + 1),
    kind: r.origin.kind,
    kindLabel: kindLabel(r.origin.kind),
    tool: r.origin.tool,
    model: r.origin.model ?? '',
    prompt: r.origin.prompt ?? '',
    time: formatUtc(r.origin.timestamp),
    ago: formatAgo(r.origin.timestamp, now),
    chars: r.visibleChars,
  }));
  return {
    state: 'tracked',
    path: input.path,
    aiLines,
    nonBlankLines: input.nonBlankLines,
    share: bar('AI', aiLines, input.nonBlankLines),
    tools,
    ranges: rows,
    rangesOmitted: Math.max(0, input.ranges.length - REPORT_MAX_RANGE_ROWS),
  };
}

export function buildStagedSection(input: StagedInput | undefined, unavailableMessage: string): StagedSection {
  if (!input) return { state: 'unavailable', message: unavailableMessage };
  const files = input.files.filter((f) => f.lines > 0);
  if (files.length === 0) {
    return { state: 'empty', message: 'Nothing is staged, or the staged change has no lines that count.', trailers: [...input.trailers] };
  }
  let ai = 0;
  let lines = 0;
  const perTool = new Map<string, number>();
  for (const f of files) {
    ai += f.aiLines;
    lines += f.lines;
    for (const [label, n] of Object.entries(f.tools)) perTool.set(label, (perTool.get(label) ?? 0) + n);
  }
  return {
    state: 'available',
    total: bar('Staged change', ai, lines, 'floor'),
    files: files.map((f) => bar(f.path, f.aiLines, f.lines, 'floor')).sort((a, b) => b.percent - a.percent || a.label.localeCompare(b.label)),
    tools: [...perTool].filter(([, n]) => n > 0).map(([label, n]) => bar(label, n, lines, 'floor')).sort(byValueThenLabel),
    trailers: [...input.trailers],
    notes: [...(input.notes ?? [])],
  };
}

export function buildReportModel(file: FileSection, staged: StagedSection, now: number, history: HistorySection = { state: 'none', message: 'Open a file to see its history.' }): ReportModel {
  return { generatedAt: formatUtc(now), file, staged, history };
}
