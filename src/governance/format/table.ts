/** Plain-text tables for terminals and CI logs. */
import { plainText } from './plainText';

export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
  /** Longer cells are cut with an ellipsis. */
  readonly max?: number;
}

export function renderTable(columns: Column[], rows: string[][]): string {
  const cells = rows.map((r) => r.map((c, i) => clip(plainText(c ?? ''), columns[i]?.max)));
  const widths = columns.map((col, i) => Math.max(col.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    columns
      .map((col, i) => (col.align === 'right' ? (r[i] ?? '').padStart(widths[i]) : (r[i] ?? '').padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = [fmt(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)];
  return lines.join('\n') + '\n';
}

function clip(s: string, max: number | undefined): string {
  if (!max || s.length <= max) return s;
  return s.slice(0, Math.max(0, max - 1)) + '…';
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '0%';
  return `${Math.round((100 * part) / whole)}%`;
}
