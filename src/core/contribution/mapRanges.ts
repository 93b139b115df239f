import DiffMatchPatch from 'diff-match-patch';
import { Origin } from '../provenance/origin';

/** An AI-produced range of some text: `[start, end)` in that text, and the exact characters. */
export interface AiRange {
  readonly start: number;
  readonly end: number;
  readonly origin: Origin;
  /** The characters at `[start, end)`; a range whose text is not found there does not count. */
  readonly text: string;
}

const DIFF_TIMEOUT_SECONDS = 2;

/**
 * Moves `ranges` (offsets in `fromText`) onto `toText`, e.g. from a document's working-copy text
 * to the text staged in the index (partially staged files, CRLF working copy vs LF index).
 *
 * Conservative, line by line: the two texts are diffed by lines (a line's content compared
 * without its `\r\n` / `\n` terminator) and only lines found unchanged carry their AI characters
 * over; a line that differs in any character, or is absent from `toText`, carries nothing (no
 * coincidental character matches inside rewritten lines). The `\n` of a matched line maps to the
 * `\n` of its counterpart; a `\r` present on one side only is dropped. Each range thus keeps
 * exactly its unchanged parts; every returned range satisfies `toText.slice(start, end) === text`.
 * Adjacent pieces of one range are merged. Output is sorted by `start`.
 */
export function mapRanges(fromText: string, toText: string, ranges: readonly AiRange[]): AiRange[] {
  const valid = ranges.filter((r) => r.end > r.start && fromText.startsWith(r.text, r.start) && r.text.length === r.end - r.start);
  if (fromText === toText) return [...valid].sort((a, b) => a.start - b.start);
  if (!valid.length) return [];
  const equal = equalSegments(fromText, toText);

  const out: AiRange[] = [];
  const sorted = [...valid].sort((x, y) => x.start - y.start);
  let seg = 0;
  for (const r of sorted) {
    while (seg < equal.length && equal[seg][0] + equal[seg][2] <= r.start) seg++;
    let pending: { start: number; end: number } | undefined;
    for (let s = seg; s < equal.length && equal[s][0] < r.end; s++) {
      const [fa, tb, len] = equal[s];
      const from = Math.max(fa, r.start);
      const to = Math.min(fa + len, r.end);
      if (to <= from) continue;
      const start = tb + (from - fa);
      const end = tb + (to - fa);
      if (pending && pending.end === start) pending.end = end;
      else {
        if (pending) out.push(piece(toText, pending, r.origin));
        pending = { start, end };
      }
    }
    if (pending) out.push(piece(toText, pending, r.origin));
  }
  return out.sort((x, y) => x.start - y.start);
}

interface LineInfo {
  readonly start: number;
  /** Length without terminator. */
  readonly content: number;
  /** Terminator: '', '\n' or '\r\n'. */
  readonly eol: string;
}

function lineInfos(text: string): { infos: LineInfo[]; keys: string[] } {
  const infos: LineInfo[] = [];
  const keys: string[] = [];
  for (const [start, raw] of linesWithStarts(text)) {
    const eol = raw.endsWith('\r\n') ? '\r\n' : raw.endsWith('\n') ? '\n' : '';
    const content = raw.length - eol.length;
    infos.push({ start, content, eol });
    keys.push(text.substr(start, content));
  }
  return { infos, keys };
}

function linesWithStarts(text: string): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  let at = 0;
  for (const l of splitLines(text)) {
    out.push([at, l]);
    at += l.length;
  }
  return out;
}

/** Segments `[fromStart, toStart, length]` of characters unchanged between the texts, in order. */
function equalSegments(fromText: string, toText: string): Array<[number, number, number]> {
  const a = lineInfos(fromText);
  const b = lineInfos(toText);
  const pairs = matchLines(a.keys, b.keys);
  const segs: Array<[number, number, number]> = [];
  const push = (f: number, t: number, n: number): void => {
    if (n <= 0) return;
    const last = segs[segs.length - 1];
    if (last && last[0] + last[2] === f && last[1] + last[2] === t) last[2] += n;
    else segs.push([f, t, n]);
  };
  for (const [i, j] of pairs) {
    const x = a.infos[i];
    const y = b.infos[j];
    push(x.start, y.start, x.content);
    if (x.eol && x.eol === y.eol) push(x.start + x.content, y.start + y.content, x.eol.length);
    else if (x.eol && y.eol) push(x.start + x.content + x.eol.length - 1, y.start + y.content + y.eol.length - 1, 1);
  }
  return segs;
}

/** Pairs `[i, j]` of equal lines of a and b in a longest-common-subsequence-like matching. */
function matchLines(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pairs.push([pre, pre++]);
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const aMid = a.slice(pre, a.length - suf);
  const bMid = b.slice(pre, b.length - suf);
  if (aMid.length && bMid.length) {
    const codes = encodeLines(aMid, bMid);
    if (codes) {
      const dmp = new DiffMatchPatch();
      dmp.Diff_Timeout = DIFF_TIMEOUT_SECONDS;
      let i = pre;
      let j = pre;
      for (const [op, chars] of dmp.diff_main(codes[0], codes[1], false)) {
        if (op === DiffMatchPatch.DIFF_EQUAL) for (let k = 0; k < chars.length; k++) pairs.push([i++, j++]);
        else if (op === DiffMatchPatch.DIFF_DELETE) i += chars.length;
        else j += chars.length;
      }
    }
  }
  for (let k = suf; k > 0; k--) pairs.push([a.length - k, b.length - k]);
  return pairs;
}

/** One UTF-16 code unit per distinct line; undefined past 65,535 distinct lines. */
function encodeLines(a: readonly string[], b: readonly string[]): [string, string] | undefined {
  const ids = new Map<string, number>();
  const enc = (lines: readonly string[]): string | undefined => {
    const codes: number[] = [];
    for (const l of lines) {
      let id = ids.get(l);
      if (id === undefined) {
        id = ids.size + 1;
        if (id > 0xffff) return undefined;
        ids.set(l, id);
      }
      codes.push(id);
    }
    let s = '';
    for (let i = 0; i < codes.length; i += 8192) s += String.fromCharCode(...codes.slice(i, i + 8192));
    return s;
  };
  const x = enc(a);
  const y = x === undefined ? undefined : enc(b);
  return x === undefined || y === undefined ? undefined : [x, y];
}

function piece(text: string, p: { start: number; end: number }, origin: Origin): AiRange {
  return { start: p.start, end: p.end, origin, text: text.slice(p.start, p.end) };
}

/** Splits at `\n`, each line keeping its terminator; no empty last line for a text ending in `\n`. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let from = 0;
  while (from < text.length) {
    const nl = text.indexOf('\n', from);
    const to = nl === -1 ? text.length : nl + 1;
    lines.push(text.slice(from, to));
    from = to;
  }
  return lines;
}
