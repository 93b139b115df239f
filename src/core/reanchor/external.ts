import { Origin } from '../provenance/origin';
import { ChangeAttribution } from '../provenance/provenanceStore';

/**
 * Text that arrives from disk with no checkpoint telling who wrote it is `unknown`: never human,
 * never AI. These helpers give every part of the extension the same origin for it.
 */

/** Tool label of text that changed on disk outside the editor. */
export const EXTERNAL_CHANGE_TOOL = 'disk';

/** The origin of text that arrived from disk with no checkpoint. */
export function unknownOrigin(now: number = Date.now(), tool: string = EXTERNAL_CHANGE_TOOL): Origin {
  return { kind: 'unknown', tool, timestamp: now };
}

/**
 * How to attribute the content changes of an open document whose text was reloaded from disk with
 * no checkpoint (pass to `DocumentProvenance.applyChanges`).
 */
export function externalChangeAttribution(now: number = Date.now()): ChangeAttribution {
  return { type: 'origin', origin: unknownOrigin(now) };
}
