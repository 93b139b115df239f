import { Origin, isOriginKind, originKey } from './origin';

/** Id 0 stands for text with no recorded origin (typed by a person, or there before tracking). */
export const NO_ORIGIN = 0;

/**
 * Interns origins so that runs store a small integer and equal origins compare by id.
 * Ids are stable for the lifetime of the table and are what persisted state refers to.
 */
export class OriginTable {
  private readonly byId: Origin[] = [undefined as unknown as Origin];
  private readonly byKey = new Map<string, number>();

  intern(origin: Origin): number {
    const key = originKey(origin);
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;
    const id = this.byId.length;
    this.byId.push(Object.freeze({ ...origin }));
    this.byKey.set(key, id);
    return id;
  }

  get(id: number): Origin | undefined {
    return id === NO_ORIGIN ? undefined : this.byId[id];
  }

  get size(): number {
    return this.byId.length - 1;
  }

  toJSON(): Origin[] {
    return this.byId.slice(1);
  }

  /** Rebuilds a table from `toJSON()` output; ids are preserved. Throws on malformed input. */
  static fromJSON(value: unknown): OriginTable {
    if (!Array.isArray(value)) throw new Error('origin table: expected an array');
    const table = new OriginTable();
    value.forEach((item, index) => {
      const o = item as Partial<Origin> | null;
      if (!o || !isOriginKind(o.kind) || typeof o.tool !== 'string' || typeof o.timestamp !== 'number') {
        throw new Error(`origin table: entry ${index + 1} is not a valid origin`);
      }
      const clean: Origin = {
        kind: o.kind,
        tool: o.tool,
        timestamp: o.timestamp,
        ...(typeof o.model === 'string' ? { model: o.model } : {}),
        ...(typeof o.requestId === 'string' ? { requestId: o.requestId } : {}),
        ...(typeof o.copiedFrom === 'string' ? { copiedFrom: o.copiedFrom } : {}),
        ...(typeof o.prompt === 'string' ? { prompt: o.prompt } : {}),
        ...(typeof o.transcript === 'string' ? { transcript: o.transcript } : {}),
      };
      const id = table.byId.length;
      table.byId.push(Object.freeze(clean));
      // A duplicate key keeps its first id for interning; later ids still resolve.
      if (!table.byKey.has(originKey(clean))) table.byKey.set(originKey(clean), id);
    });
    return table;
  }
}
