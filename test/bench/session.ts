import { Run } from '../../src/core/provenance/attributionRope';
import { Origin } from '../../src/core/provenance/origin';
import { NO_ORIGIN, OriginTable } from '../../src/core/provenance/originTable';
import { ChangeAttribution, TextChange } from '../../src/core/provenance/provenanceStore';
import { BaselineRange } from './arrayScanBaseline';
import { Rng } from './stats';

/**
 * Generated editing sessions for the benchmark. A document is built with a given number of
 * attributed ranges (AI runs separated by human text), then a session of change events is
 * replayed on it: typing bursts, backspaces, word and selection deletions, pastes, inline accepts
 * (whole and partial), multi-cursor typing and deletions, and multi-hunk agent edits. Cursor jumps
 * land anywhere in the file, so a change is as likely near the end as near the start.
 * Everything is seeded: each run replays the same sessions.
 */

export type EventKind =
  | 'type'
  | 'enter'
  | 'backspace'
  | 'deleteWord'
  | 'replaceSelection'
  | 'paste'
  | 'inlineAccept'
  | 'inlineAcceptWord'
  | 'multiCursorType'
  | 'multiCursorDelete'
  | 'agentEdit';

export interface SessionEvent {
  readonly kind: EventKind;
  /** In the coordinates of the text before the event, non-overlapping (as VS Code reports them). */
  readonly changes: readonly TextChange[];
  readonly attribution: ChangeAttribution;
}

export interface GeneratedDocument {
  readonly rangeCount: number;
  readonly length: number;
  /** Every run, attributed or not, in order; attributed runs carry their text. */
  readonly runs: readonly Run[];
  /** Origins interned (in this order) before the document is used; run origins are their ids. */
  readonly origins: readonly Origin[];
}

const HUMAN: ChangeAttribution = { type: 'human' };
const CODE_CHARS = 'abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789     ();{}[]=.,:+-*<>"\'\n';

/** Fresh (flat, unshared) code-like text of `length` characters. */
export function makeText(rng: Rng, length: number): string {
  const codes: number[] = new Array(length);
  for (let i = 0; i < length; i++) codes[i] = CODE_CHARS.charCodeAt(Math.floor(rng.next() * CODE_CHARS.length));
  let s = '';
  for (let i = 0; i < length; i += 4096) s += String.fromCharCode(...codes.slice(i, i + 4096));
  return s;
}

const BASE_ORIGINS = 16;

function baseOrigin(i: number): Origin {
  const kinds: Origin['kind'][] = ['inline', 'chat', 'agent', 'inlinePartial'];
  return { kind: kinds[i % kinds.length], tool: i % 2 ? 'github.copilot' : 'claude-code', model: `model-${i % 3}`, requestId: `seed-${i}`, timestamp: 1_700_000_000_000 + i };
}

/**
 * A document with `rangeCount` attributed ranges: AI runs of 8..72 characters separated by human
 * text of 8..72 characters (about 80 characters per range, e.g. 8 MB at 100,000 ranges).
 */
export function makeDocument(rangeCount: number, seed: number): GeneratedDocument {
  const rng = new Rng(seed);
  const origins = Array.from({ length: BASE_ORIGINS }, (_, i) => baseOrigin(i));
  const runs: Run[] = [];
  let length = 0;
  for (let i = 0; i < rangeCount; i++) {
    const gap = rng.int(8, 72);
    runs.push({ length: gap, origin: NO_ORIGIN });
    const len = rng.int(8, 72);
    runs.push({ length: len, origin: 1 + rng.int(0, BASE_ORIGINS - 1), text: makeText(rng, len) });
    length += gap + len;
  }
  const tail = rng.int(8, 72);
  runs.push({ length: tail, origin: NO_ORIGIN });
  length += tail;
  return { rangeCount, length, runs, origins };
}

/** An origin table with the document's origins interned, so run origin ids resolve. */
export function originTableFor(doc: GeneratedDocument): OriginTable {
  const table = new OriginTable();
  for (const o of doc.origins) table.intern(o);
  return table;
}

/** The document's attributed ranges as the baseline stores them (fresh objects). */
export function baselineRangesOf(doc: GeneratedDocument): BaselineRange[] {
  const out: BaselineRange[] = [];
  let pos = 0;
  for (const run of doc.runs) {
    if (run.origin !== NO_ORIGIN) out.push({ start: pos, end: pos + run.length, origin: run.origin });
    pos += run.length;
  }
  return out;
}

/** A session of `eventCount` change events for a document of `documentLength` characters. */
export function makeSession(documentLength: number, eventCount: number, seed: number): SessionEvent[] {
  const rng = new Rng(seed);
  const events: SessionEvent[] = [];
  let length = documentLength;
  let cursor = rng.int(0, length);
  let request = 0;
  let lastAi: ChangeAttribution | undefined;
  const aiOrigin = (kind: Origin['kind'], tool: string): ChangeAttribution => ({
    type: 'origin',
    origin: { kind, tool, model: 'gpt-4o', requestId: `req-${seed}-${++request}`, timestamp: 1_700_000_000_000 + request },
  });
  const push = (kind: EventKind, changes: TextChange[], attribution: ChangeAttribution): void => {
    for (const c of changes) length += c.text.length - c.deleteLength;
    events.push({ kind, changes, attribution });
  };

  while (events.length < eventCount) {
    if (rng.chance(0.04)) cursor = rng.int(0, length);
    cursor = Math.max(0, Math.min(cursor, length));
    const r = rng.next();
    if (r < 0.5) {
      const ch = CODE_CHARS[rng.int(0, 26)];
      push('type', [{ offset: cursor, deleteLength: 0, text: ch }], HUMAN);
      cursor += 1;
    } else if (r < 0.55) {
      const text = '\n' + ' '.repeat(rng.int(0, 3) * 2);
      push('enter', [{ offset: cursor, deleteLength: 0, text }], HUMAN);
      cursor += text.length;
    } else if (r < 0.68) {
      if (cursor === 0) continue;
      push('backspace', [{ offset: cursor - 1, deleteLength: 1, text: '' }], HUMAN);
      cursor -= 1;
    } else if (r < 0.72) {
      const n = Math.min(cursor, rng.int(2, 40));
      if (n === 0) continue;
      push('deleteWord', [{ offset: cursor - n, deleteLength: n, text: '' }], HUMAN);
      cursor -= n;
    } else if (r < 0.75) {
      const n = Math.min(length - cursor, rng.int(1, 30));
      push('replaceSelection', [{ offset: cursor, deleteLength: n, text: CODE_CHARS[rng.int(0, 26)] }], HUMAN);
      cursor += 1;
    } else if (r < 0.78) {
      const text = makeText(rng, rng.int(10, 400));
      push('paste', [{ offset: cursor, deleteLength: 0, text }], HUMAN);
      cursor += text.length;
    } else if (r < 0.84) {
      // A whole suggestion; sometimes replacing the 1..3 characters typed before it.
      const typed = rng.chance(0.3) ? Math.min(cursor, rng.int(1, 3)) : 0;
      const text = makeText(rng, rng.int(10, 300));
      lastAi = aiOrigin('inline', 'github.copilot');
      push('inlineAccept', [{ offset: cursor - typed, deleteLength: typed, text }], lastAi);
      cursor += text.length - typed;
    } else if (r < 0.87) {
      // Next word of the last suggestion: same origin, so it extends the range just accepted.
      const text = makeText(rng, rng.int(3, 12));
      lastAi = lastAi ?? aiOrigin('inlinePartial', 'github.copilot');
      push('inlineAcceptWord', [{ offset: cursor, deleteLength: 0, text }], lastAi);
      cursor += text.length;
    } else if (r < 0.97) {
      // 2..8 cursors on following lines; typing a character or deleting one at each.
      const k = rng.int(2, 8);
      const del = rng.chance(0.3);
      const changes: TextChange[] = [];
      let at = cursor;
      for (let j = 0; j < k && at <= length; j++) {
        if (del) {
          if (at > 0 && (changes.length === 0 || at - 1 >= changes[changes.length - 1].offset + 1)) changes.push({ offset: at - 1, deleteLength: 1, text: '' });
        } else {
          changes.push({ offset: at, deleteLength: 0, text: CODE_CHARS[rng.int(0, 26)] });
        }
        at += rng.int(30, 90);
      }
      if (changes.length === 0) continue;
      push(del ? 'multiCursorDelete' : 'multiCursorType', changes, HUMAN);
      cursor += del ? -1 : 1;
    } else {
      // An agent's edit: 2..5 hunks across the file, each replacing up to 200 characters.
      const k = rng.int(2, 5);
      const starts = Array.from({ length: k }, () => rng.int(0, length)).sort((a, b) => a - b);
      const changes: TextChange[] = [];
      let min = 0;
      for (const s of starts) {
        const offset = Math.max(s, min);
        if (offset > length) break;
        const deleteLength = Math.min(length - offset, rng.int(0, 200));
        changes.push({ offset, deleteLength, text: makeText(rng, rng.int(20, 400)) });
        min = offset + deleteLength + 1;
      }
      push('agentEdit', changes, aiOrigin('agent', 'claude-code'));
    }
  }
  return events;
}

/** Number of content changes in a session (a multi-cursor event has several). */
export function contentChangeCount(events: readonly SessionEvent[]): number {
  let n = 0;
  for (const e of events) n += e.changes.length;
  return n;
}
