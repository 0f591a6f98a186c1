/**
 * Field specs: the one description of each message's fields from which encoding, decoding with
 * validation, TypeScript types and random test values are all derived. Adding a message is
 * adding a spec; nothing else has to learn about it.
 */
import { type Reader, type Writer, badValue, decodeUtf8, malformed, wellFormedUtf8 } from './codec.js';

/** Largest u32. */
export const U32_MAX = 0xffffffff;

/** Longest string shard id, in UTF-8 bytes. */
export const MAX_SHARD_ID_BYTES = 64;

/**
 * A shard as named on the wire: a compact u32 (1–5 bytes) or a string id of 1–64 UTF-8 bytes.
 * Layers above choose; numbers are cheaper for per-tick traffic.
 */
export type ShardRef = number | string;

export type FieldSpec =
  | { readonly kind: 'u32' }
  | { readonly kind: 'f64' }
  | { readonly kind: 'shard' }
  | { readonly kind: 'string'; readonly maxBytes: number }
  | { readonly kind: 'bytes'; readonly maxBytes: number }
  | { readonly kind: 'rest'; readonly maxBytes: number }
  | { readonly kind: 'list'; readonly of: FieldSpec; readonly maxItems: number }
  | { readonly kind: 'struct'; readonly fields: StructSpec };

/** Named fields in wire order (object key order is the order on the wire). Never empty. */
export type StructSpec = { readonly [name: string]: FieldSpec };

/** The TypeScript value of a field spec. */
export type ValueOf<F extends FieldSpec> = F extends { readonly kind: 'u32' | 'f64' }
  ? number
  : F extends { readonly kind: 'shard' }
    ? ShardRef
    : F extends { readonly kind: 'string' }
      ? string
      : F extends { readonly kind: 'bytes' | 'rest' }
        ? Uint8Array
        : F extends { readonly kind: 'list'; readonly of: infer I extends FieldSpec }
          ? readonly ValueOf<I>[]
          : F extends { readonly kind: 'struct'; readonly fields: infer S extends StructSpec }
            ? StructValue<S>
            : never;

/** The TypeScript value of a struct spec. */
export type StructValue<S extends StructSpec> = { readonly [K in keyof S]: ValueOf<S[K]> };

/** Unsigned 32-bit integer, varint-encoded (1–5 bytes). */
export const u32 = { kind: 'u32' } as const;
/** IEEE 754 double, 8 bytes little-endian, finite only (timestamps). */
export const f64 = { kind: 'f64' } as const;
/** A {@link ShardRef}. */
export const shard = { kind: 'shard' } as const;
/** UTF-8 string with a varint byte length. */
export const string = (maxBytes: number) => ({ kind: 'string', maxBytes }) as const;
/** Opaque bytes with a varint length. */
export const bytes = (maxBytes: number) => ({ kind: 'bytes', maxBytes }) as const;
/**
 * Opaque bytes filling the rest of the message body, without a length prefix (the frame or batch
 * entry already delimits the body). Only allowed as the last field of a message; saves a byte or
 * two on every delta.
 */
export const rest = (maxBytes: number) => ({ kind: 'rest', maxBytes }) as const;
/** Varint count, then the items. */
export const list = <F extends FieldSpec>(of: F, maxItems: number) => ({ kind: 'list', of, maxItems }) as const;
/** Fields in order, no framing of its own. */
export const struct = <S extends StructSpec>(fields: S) => ({ kind: 'struct', fields }) as const;

const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX;

/** Encodes `value` per `spec`, validating as it goes; throws an `ArgumentError` naming `path`. */
export function writeField(w: Writer, spec: FieldSpec, value: unknown, path: string): void {
  switch (spec.kind) {
    case 'u32':
      if (!isU32(value)) throw badValue(path, 'an integer in [0, 2^32)', value);
      w.varuint(value);
      return;
    case 'f64':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw badValue(path, 'a finite number', value);
      w.f64(value);
      return;
    case 'shard':
      if (isU32(value)) {
        w.varuint(value * 2);
        return;
      }
      const b = typeof value === 'string' ? wellFormedUtf8(value) : undefined;
      if (b) {
        if (b.length >= 1 && b.length <= MAX_SHARD_ID_BYTES) {
          w.varuint(b.length * 2 + 1);
          w.raw(b);
          return;
        }
      }
      throw badValue(path, `a u32 or a string of 1–${MAX_SHARD_ID_BYTES} UTF-8 bytes`, value);
    case 'string': {
      const b = typeof value === 'string' ? wellFormedUtf8(value) : undefined;
      if (!b) throw badValue(path, 'a well-formed string', value);
      if (b.length > spec.maxBytes) throw badValue(path, `at most ${spec.maxBytes} UTF-8 bytes`, value);
      w.lenBytes(b);
      return;
    }
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw badValue(path, 'a Uint8Array', value);
      if (value.length > spec.maxBytes) throw badValue(path, `at most ${spec.maxBytes} bytes`, `${value.length} bytes`);
      w.lenBytes(value);
      return;
    case 'rest':
      if (!(value instanceof Uint8Array)) throw badValue(path, 'a Uint8Array', value);
      if (value.length > spec.maxBytes) throw badValue(path, `at most ${spec.maxBytes} bytes`, `${value.length} bytes`);
      w.raw(value);
      return;
    case 'list':
      if (!Array.isArray(value) || value.length > spec.maxItems) throw badValue(path, `an array of at most ${spec.maxItems} items`, value);
      w.varuint(value.length);
      for (let i = 0; i < value.length; i++) writeField(w, spec.of, value[i], `${path}[${i}]`);
      return;
    case 'struct':
      if (typeof value !== 'object' || value === null) throw badValue(path, 'an object', value);
      writeStruct(w, spec.fields, value as Record<string, unknown>, path);
      return;
  }
}

/** Encodes each field of `spec` from `value` in spec order. */
export function writeStruct(w: Writer, spec: StructSpec, value: Readonly<Record<string, unknown>>, path: string): void {
  for (const name in spec) writeField(w, spec[name]!, value[name], `${path}.${name}`);
}

/** Decodes one field, validating ranges; throws a `malformed-frame` WireError. */
export function readField(r: Reader, spec: FieldSpec, path: string): unknown {
  switch (spec.kind) {
    case 'u32': {
      const v = r.varuint();
      if (v > U32_MAX) throw malformed('out-of-range', `${path} = ${v} exceeds u32`);
      return v;
    }
    case 'f64': {
      const v = r.f64();
      if (!Number.isFinite(v)) throw malformed('out-of-range', `${path} is not a finite number`);
      return v;
    }
    case 'shard': {
      const tag = r.varuint();
      if (tag % 2 === 0) {
        if (tag / 2 > U32_MAX) throw malformed('out-of-range', `${path} exceeds u32`);
        return tag / 2;
      }
      const n = (tag - 1) / 2;
      if (n < 1 || n > MAX_SHARD_ID_BYTES) throw malformed('too-long', `${path} is a string of ${n} bytes, allowed 1–${MAX_SHARD_ID_BYTES}`);
      return decodeUtf8(r.take(n), path);
    }
    case 'string':
      return r.string(spec.maxBytes, path);
    case 'bytes':
      return r.lenBytes(spec.maxBytes, path);
    case 'rest':
      if (r.remaining > spec.maxBytes) throw malformed('too-long', `${path} is ${r.remaining} bytes, the limit is ${spec.maxBytes}`);
      return r.take(r.remaining);
    case 'list': {
      const n = r.varuint();
      if (n > spec.maxItems) throw malformed('too-many-items', `${path} has ${n} items, the limit is ${spec.maxItems}`);
      // Every item takes at least one byte: a count beyond the bytes left is a lie, and checking
      // it here keeps the allocation below bounded by the input size.
      if (n > r.remaining) throw malformed('truncated', `${path} claims ${n} items in ${r.remaining} bytes`);
      const out: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = readField(r, spec.of, path);
      return out;
    }
    case 'struct':
      return readStruct(r, spec.fields, {});
  }
}

/** Decodes each field of `spec` into `into` (returned). */
export function readStruct(r: Reader, spec: StructSpec, into: Record<string, unknown>): Record<string, unknown> {
  // Errors name the field, not its full path: building paths on the hot path costs more than
  // the extra precision is worth.
  for (const name in spec) into[name] = readField(r, spec[name]!, name);
  return into;
}
