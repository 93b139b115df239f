import { TextChange } from '../provenance/provenanceStore';
import { inDocumentOrder } from '../provenance/changeOrder';

/** Where each change's inserted text lies in the text after the event, in document order. */
export interface InsertedSpan {
  readonly start: number;
  readonly text: string;
  /** Inserted without deleting anything (not a replacement). */
  readonly pure: boolean;
}

/**
 * VS Code gives an event's changes in coordinates of the text before the event; this returns
 * where their inserted text ends up afterwards.
 */
export function insertedSpans(changes: readonly Pick<TextChange, 'offset' | 'deleteLength' | 'text'>[]): InsertedSpan[] {
  const sorted = inDocumentOrder(changes);
  const out: InsertedSpan[] = [];
  let shift = 0;
  for (const c of sorted) {
    if (c.text.length > 0) out.push({ start: c.offset + shift, text: c.text, pure: c.deleteLength === 0 });
    shift += c.text.length - c.deleteLength;
  }
  return out;
}
