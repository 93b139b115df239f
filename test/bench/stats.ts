/**
 * Timing and statistics helpers for the benchmark. Figures are medians and percentiles of many
 * samples; goals are judged on ratios measured in the same run where possible, because the machine
 * may be shared and absolute timings are noisy.
 */
import { rng } from '../unit/seededRandom';

/** Nanoseconds from a monotonic high-resolution clock. */
export function nowNs(): bigint {
  return process.hrtime.bigint();
}

export interface Summary {
  readonly samples: number;
  /** All in microseconds. */
  readonly medianUs: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
  readonly maxUs: number;
}

/** Value at quantile `q` (0..1) of sorted values, nearest-rank. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Summarises samples given in nanoseconds. */
export function summarizeNs(samplesNs: Float64Array | readonly number[]): Summary {
  const sorted = Float64Array.from(samplesNs).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const us = (ns: number): number => ns / 1000;
  return {
    samples: sorted.length,
    medianUs: us(quantile(sorted, 0.5)),
    p90Us: us(quantile(sorted, 0.9)),
    p99Us: us(quantile(sorted, 0.99)),
    meanUs: us(sorted.length ? sum / sorted.length : NaN),
    maxUs: us(sorted.length ? sorted[sorted.length - 1] : NaN),
  };
}

/** Median of plain numbers. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Median cost of reading the clock twice with nothing in between, in nanoseconds; per-sample
 * timings include it once. Reported next to the figures (and not subtracted from them).
 */
export function timerOverheadNs(iterations = 200_000): number {
  const samples = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = nowNs();
    samples[i] = Number(nowNs() - t0);
  }
  return summarizeNs(samples).medianUs * 1000;
}

/** Formats microseconds with a sensible number of digits. */
export function fmtUs(us: number): string {
  if (!Number.isFinite(us)) return 'n/a';
  if (us >= 1000) return `${(us / 1000).toFixed(us >= 100_000 ? 0 : 2)} ms`;
  if (us >= 100) return `${us.toFixed(0)} µs`;
  if (us >= 10) return `${us.toFixed(1)} µs`;
  return `${us.toFixed(2)} µs`;
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return 'n/a';
  return r >= 100 ? `${r.toFixed(0)}x` : `${r.toFixed(1)}x`;
}

export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (Math.abs(bytes) >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
  if (Math.abs(bytes) >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes.toFixed(0)} B`;
}

/** Renders rows as a fixed-width text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Deterministic pseudo-random numbers, so every run replays the same session: the unit tests'
 * seeded generator (test/unit/seededRandom.ts), with the helpers the sessions use.
 */
export class Rng {
  private readonly source: () => number;
  constructor(seed: number) {
    this.source = rng(seed);
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.source();
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}
