/**
 * A validated, canonical deep copy of a schema state. It serves two purposes:
 *
 * - Hashing: replication keeps values but not always map iteration order (a key deleted and set
 *   again in one tick moves to the end on the czar and stays in place on replicas), so the copy
 *   sorts map keys; every replica holding the same values then encodes the same bytes.
 * - Validation: the schema decoder turns many corrupted inputs into a "valid" state holding
 *   values its schema does not allow (an `undefined` map key, a string in a number field). The
 *   walk checks each value against its field type and throws {@link WireError} at the first one.
 */
import { ArraySchema, MapSchema, Schema } from '@colyseus/schema';
import { ErrorCode, WireError } from '../errors.js';

interface FieldMeta {
  readonly name: string;
  readonly type: unknown;
  readonly deprecated?: boolean;
}

type SchemaClass = (abstract new (...args: never[]) => Schema) & { readonly [Symbol.metadata]?: unknown };

function corrupt(path: string, what: string): WireError {
  return new WireError(
    ErrorCode.MalformedFrame,
    `The shard state holds a value its schema does not allow at ${path} (${what}); it was decoded from corrupted bytes: apply a fresh snapshot.`,
    { reason: 'corrupt-state', path, what },
  );
}

function fieldsOf(ctor: SchemaClass): FieldMeta[] {
  const metadata = ctor[Symbol.metadata] as Record<string, FieldMeta> | undefined | null;
  const out: FieldMeta[] = [];
  if (!metadata) return out;
  // `for…in` is how the schema library itself enumerates fields (numeric keys, in index order).
  for (const index in metadata) {
    const field = metadata[index];
    if (field && typeof field.name === 'string') out.push(field);
  }
  return out;
}

const STRING_TYPES = new Set(['string']);
const BOOLEAN_TYPES = new Set(['boolean']);

function copyPrimitive(type: string, value: unknown, path: string): unknown {
  if (STRING_TYPES.has(type)) {
    if (typeof value !== 'string') throw corrupt(path, `expected string, got ${typeof value}`);
  } else if (BOOLEAN_TYPES.has(type)) {
    if (typeof value !== 'boolean') throw corrupt(path, `expected boolean, got ${typeof value}`);
  } else if (typeof value !== 'number' && typeof value !== 'bigint') {
    throw corrupt(path, `expected ${type}, got ${typeof value}`);
  }
  return value;
}

function copySchema(value: Schema, path: string): Schema {
  const ctor = value.constructor as SchemaClass;
  // Same construction as Schema#clone: skip user constructors, start change tracking.
  const out = Object.create(ctor.prototype) as Schema;
  Schema.initialize(out);
  const target = out as unknown as Record<string, unknown>;
  const source = value as unknown as Record<string, unknown>;
  for (const field of fieldsOf(ctor)) {
    if (field.deprecated) continue;
    const copied = copyValue(field.type, source[field.name], `${path}.${field.name}`);
    if (copied !== undefined) target[field.name] = copied;
  }
  return out;
}

function copyValue(type: unknown, value: unknown, path: string): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof type === 'string') return copyPrimitive(type, value, path);
  if (typeof type === 'function') {
    if (!(value instanceof (type as SchemaClass))) throw corrupt(path, `expected ${(type as { name?: string }).name ?? 'schema'} instance`);
    return copySchema(value as Schema, path);
  }
  if (type !== null && typeof type === 'object') {
    const spec = type as Record<string, unknown>;
    if ('map' in spec) {
      if (!(value instanceof MapSchema)) throw corrupt(path, 'expected map');
      const out = new MapSchema();
      const keys = [...(value as MapSchema<unknown>).keys()];
      for (const key of keys) if (typeof key !== 'string') throw corrupt(path, `map key of type ${typeof key}`);
      for (const key of (keys as string[]).sort()) {
        const item = (value as MapSchema<unknown>).get(key);
        if (item === undefined || item === null) throw corrupt(`${path}[${JSON.stringify(key)}]`, 'empty map entry');
        out.set(key, copyValue(spec.map, item, `${path}[${JSON.stringify(key)}]`));
      }
      return out;
    }
    if ('array' in spec) {
      if (!(value instanceof ArraySchema)) throw corrupt(path, 'expected array');
      const out = new ArraySchema();
      let i = 0;
      for (const item of value as ArraySchema<unknown>) {
        if (item === undefined || item === null) throw corrupt(`${path}[${i}]`, 'empty array slot');
        out.push(copyValue(spec.array, item, `${path}[${i}]`));
        i++;
      }
      return out;
    }
    if ('quantized' in spec) return copyPrimitive('number', value, path);
  }
  // Sets, collections, streams and custom types: copied as the library clones them, order kept.
  const cloneable = value as { clone?: () => unknown };
  return typeof cloneable.clone === 'function' ? cloneable.clone() : value;
}

/**
 * A deep copy of `state` with map keys sorted, checked against the schema. Throws
 * {@link WireError} `malformed-frame` (details.reason `corrupt-state`) on a value the schema does
 * not allow. The copy is change-tracked and belongs to no encoder.
 *
 * @example
 * ```ts
 * const copy = canonicalCopy(room.state<World>('world')); // map keys sorted, safe to encode anew
 * ```
 */
export function canonicalCopy<S extends Schema>(state: S): S {
  if (!(state instanceof Schema)) throw corrupt('$', 'not a schema instance');
  return copySchema(state, '$') as S;
}
