/**
 * A minimal JSON Schema validator for the subset used by the schemas in this project:
 * type, const, enum, properties, required, additionalProperties, items, minItems,
 * minLength, minimum, maximum, pattern, not, format (uuid, date-time), and local `$ref`
 * to `#/$defs/...`. Unsupported keywords are reported as schema errors so that a schema
 * silently relying on them cannot pass.
 */

export type JsonSchema = { [key: string]: unknown };

export interface SchemaError {
  /** JSON pointer of the offending value, '' for the root. */
  readonly path: string;
  readonly message: string;
}

const KNOWN = new Set([
  '$schema', '$id', '$defs', '$ref', 'title', 'description', 'type', 'const', 'enum', 'properties', 'required',
  'additionalProperties', 'items', 'minItems', 'minLength', 'minimum', 'maximum', 'pattern', 'not', 'format',
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function validateJson(value: unknown, schema: JsonSchema): SchemaError[] {
  const errors: SchemaError[] = [];
  check(value, schema, schema, '', errors);
  return errors;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref '${ref}'`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  if (!node || typeof node !== 'object') throw new Error(`unresolved $ref '${ref}'`);
  return node as JsonSchema;
}

function check(v: unknown, s: JsonSchema, root: JsonSchema, path: string, errors: SchemaError[]): void {
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`schema keyword '${k}' is not supported`);
  if (typeof s.$ref === 'string') {
    check(v, resolveRef(root, s.$ref), root, path, errors);
  }
  const err = (message: string) => errors.push({ path, message });

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(v, t))) {
      err(`expected ${types.join(' or ')}, got ${typeOf(v)}`);
      return;
    }
  }
  if ('const' in s && JSON.stringify(v) !== JSON.stringify(s.const)) err(`must be ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    err(`must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if (s.not && typeof s.not === 'object') {
    const sub: SchemaError[] = [];
    check(v, s.not as JsonSchema, root, path, sub);
    if (sub.length === 0) err('matches a forbidden form');
  }
  if (typeof v === 'string') {
    if (typeof s.minLength === 'number' && [...v].length < s.minLength) err(`must have at least ${s.minLength} character(s)`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) err(`must match /${s.pattern}/`);
    if (s.format === 'uuid' && !UUID.test(v)) err('must be a UUID');
    if (s.format === 'date-time' && (!DATE_TIME.test(v) || Number.isNaN(Date.parse(v)))) err('must be an RFC 3339 date-time');
  }
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) err(`must be >= ${s.minimum}`);
    if (typeof s.maximum === 'number' && v > s.maximum) err(`must be <= ${s.maximum}`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) err(`must have at least ${s.minItems} item(s)`);
    if (s.items && typeof s.items === 'object') {
      v.forEach((item, i) => check(item, s.items as JsonSchema, root, `${path}/${i}`, errors));
    }
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    if (Array.isArray(s.required)) {
      for (const r of s.required as string[]) if (!(r in obj)) err(`missing required property '${r}'`);
    }
    for (const [k, child] of Object.entries(obj)) {
      const childPath = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (Object.prototype.hasOwnProperty.call(props, k)) {
        check(child, props[k], root, childPath, errors);
      } else if (s.additionalProperties === false) {
        errors.push({ path: childPath, message: `property '${k}' is not allowed` });
      } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        check(child, s.additionalProperties as JsonSchema, root, childPath, errors);
      }
    }
  }
}
