/**
 * The byte-level primitives every message is built from: a growable {@link Writer} and a
 * bounds-checked {@link Reader}. Integers are unsigned LEB128 varints, minimal length only, so
 * every value has exactly one encoding ([W9]); that makes a decoded frame re-encode to the very
 * same bytes, which the fuzz oracle and later signatures rely on.
 */
import { ArgumentError, ErrorCode, WireError } from '../errors.js';

/**
 * Why a frame was rejected (`details.reason` of a `malformed-frame` {@link WireError}). Stable:
 * tests and metrics key on them.
 */
export type MalformedReason =
  | 'truncated'
  | 'bad-magic'
  | 'checksum'
  | 'frame-too-large'
  | 'length-mismatch'
  | 'unknown-flags'
  | 'bad-signature-trailer'
  | 'varint-too-long'
  | 'non-canonical-varint'
  | 'out-of-range'
  | 'too-long'
  | 'too-many-items'
  | 'invalid-utf8'
  | 'trailing-bytes'
  | 'bad-batch'
  | 'invalid-message'
  | 'inflate-failed'
  | 'nested-fragment'
  | 'fragment-inconsistent'
  | 'decode-budget';

/**
 * A `malformed-frame` error with a stable `details.reason`: what a decoder throws for bytes it
 * must drop, so the receive pipeline can count rejections by reason.
 *
 * @example
 * ```ts
 * if (bytes.length < HEADER_BYTES) throw malformed('truncated', `${bytes.length} bytes cannot hold a header`);
 * ```
 */
export function malformed(reason: MalformedReason, what: string, details: Record<string, unknown> = {}): WireError {
  return new WireError(
    ErrorCode.MalformedFrame,
    `Dropped a malformed frame (${reason}): ${what}. The sender is buggy or hostile; if it persists, disconnect that peer.`,
    { reason, ...details },
  );
}

/** Largest integer a varint may carry: exact in a JS number. */
export const MAX_VARINT = Number.MAX_SAFE_INTEGER;

/** Bytes a varint of `value` takes. */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

const utf8Encoder = new TextEncoder();
// fatal: reject invalid UTF-8 instead of inventing U+FFFD; ignoreBOM: keep a leading U+FEFF, so
// decoding never changes the string the sender meant.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of `s`. */
export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Short strings whose bytes {@link wellFormedUtf8} remembers: peer and shard ids repeat in every digest. */
const UTF8_CACHE_MAX_CHARS = 64;
const UTF8_CACHE_ENTRIES = 4_096;
const utf8Cache = new Map<string, Uint8Array>();

/**
 * UTF-8 bytes of `s`, or undefined when `s` has a lone surrogate (which UTF-8 cannot carry). The
 * bytes of short strings are cached and shared: callers copy them and never write to them.
 *
 * @example
 * ```ts
 * const b = wellFormedUtf8('s0:3,4'); // Uint8Array(6)
 * ```
 */
export function wellFormedUtf8(s: string): Uint8Array | undefined {
  const hit = utf8Cache.get(s);
  if (hit) return hit;
  if (!isWellFormedString(s)) return undefined;
  const b = utf8Encoder.encode(s);
  if (s.length <= UTF8_CACHE_MAX_CHARS) {
    // Cleared, not evicted one by one: the working set (ids in play) refills it at once.
    if (utf8Cache.size >= UTF8_CACHE_ENTRIES) utf8Cache.clear();
    utf8Cache.set(s, b);
  }
  return b;
}

/** True if `s` has no lone surrogate (which UTF-8 cannot carry and would turn into U+FFFD). */
function isWellFormedString(s: string): boolean {
  return !/\p{Cs}/u.test(s);
}

/** Appends bytes to a buffer that doubles as needed. */
export class Writer {
  private buf: Uint8Array;
  private view: DataView | undefined;
  private pos = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = undefined;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Big-endian u32 (header fields only; message fields use varints). */
  u32be(v: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = v >>> 24;
    b[this.pos++] = v >>> 16;
    b[this.pos++] = v >>> 8;
    b[this.pos++] = v;
  }

  /** Unsigned LEB128; `v` must be an integer in [0, MAX_VARINT] (callers validate). */
  varuint(v: number): void {
    this.ensure(8);
    const b = this.buf;
    if (v < 0x80000000) {
      while (v >= 0x80) {
        b[this.pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[this.pos++] = v;
      return;
    }
    while (v >= 0x80) {
      b[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    b[this.pos++] = v;
  }

  /** Little-endian IEEE 754 double. */
  f64(v: number): void {
    this.ensure(8);
    this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Raw bytes, no length prefix. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Varint length, then the bytes. */
  lenBytes(bytes: Uint8Array): void {
    this.varuint(bytes.length);
    this.raw(bytes);
  }

  /** Overwrites 4 bytes at `offset` with a big-endian u32. */
  patchU32be(offset: number, v: number): void {
    const b = this.buf;
    b[offset] = v >>> 24;
    b[offset + 1] = v >>> 16;
    b[offset + 2] = v >>> 8;
    b[offset + 3] = v;
  }

  /** The bytes written so far, as a view (valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** The bytes written, trimmed to length (a view when the buffer is already exact). */
  finish(): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.slice(0, this.pos);
  }
}

/**
 * Shared across the readers of one frame: every read spends one unit. Each read consumes at
 * least one byte except a zero-length string or bytes, which always follows a one-byte length,
 * so a correct decode spends at most 2 units per byte. Running out means a decode loop that does
 * not consume input: a hang turned into an error ([W23]).
 */
export interface DecodeBudget {
  left: number;
}

/** A budget for decoding `byteLength` bytes. */
export function budgetFor(byteLength: number): DecodeBudget {
  return { left: 2 * byteLength + 16 };
}

/** Reads `bytes[start..end)`; every read is bounds-checked and throws a `malformed-frame` WireError. */
export class Reader {
  private pos: number;
  private view: DataView | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly budget: DecodeBudget,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private spend(): void {
    if (--this.budget.left < 0) throw malformed('decode-budget', 'decoding did more work than the frame size allows');
  }

  private need(n: number, what: string): void {
    if (n > this.end - this.pos) throw malformed('truncated', `${what} needs ${n} bytes, ${this.end - this.pos} left`);
  }

  u8(): number {
    this.spend();
    this.need(1, 'a byte');
    return this.bytes[this.pos++]!;
  }

  /** Unsigned LEB128, minimal length, at most {@link MAX_VARINT}. */
  varuint(): number {
    this.spend();
    const b = this.bytes;
    if (this.pos < this.end) {
      const first = b[this.pos]!;
      if (first < 0x80) {
        this.pos++;
        return first;
      }
    }
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw malformed('truncated', 'a varint runs past the end');
      const byte = b[this.pos++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (byte === 0 && i > 0) throw malformed('non-canonical-varint', 'a varint has a redundant zero byte');
        if (result > MAX_VARINT) throw malformed('varint-too-long', 'a varint exceeds 2^53 - 1');
        return result;
      }
      scale *= 128;
    }
    throw malformed('varint-too-long', 'a varint is longer than 8 bytes');
  }

  f64(): number {
    this.spend();
    this.need(8, 'a float64');
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** `n` bytes as a view into the input (no copy). */
  take(n: number): Uint8Array {
    this.spend();
    this.need(n, 'a byte string');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A varint length (at most `max`) and that many bytes. */
  lenBytes(max: number, what: string): Uint8Array {
    const n = this.varuint();
    if (n > max) throw malformed('too-long', `${what} is ${n} bytes, the limit is ${max}`);
    return this.take(n);
  }

  /** A UTF-8 string of at most `maxBytes` bytes. */
  string(maxBytes: number, what: string): string {
    return decodeUtf8(this.lenBytes(maxBytes, what), what);
  }

  /** Throws unless every byte was consumed. */
  expectEnd(what: string): void {
    if (this.pos !== this.end) throw malformed('trailing-bytes', `${this.end - this.pos} bytes left after ${what}`);
  }
}

/** Decodes strict UTF-8; invalid input is a `malformed-frame` error. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw malformed('invalid-utf8', `${what} is not valid UTF-8`);
  }
}

/** The error for an outgoing value that cannot be encoded (a bug in the caller, not the peer). */
export function badValue(path: string, expected: string, got: unknown): ArgumentError {
  const shown = typeof got === 'string' ? JSON.stringify(got.length > 40 ? `${got.slice(0, 40)}…` : got) : String(got);
  return new ArgumentError(`Cannot encode ${path}: expected ${expected}, got ${shown}. Fix the value before sending.`, { path });
}

/**
 * The `payload-too-large` error: `size` bytes where at most `max` are allowed. Its message tells
 * the user to split the payload or raise `maxPayloadBytes` on every peer.
 *
 * @example
 * ```ts
 * if (snapshot.length > max) throw payloadTooLarge(snapshot.length, max, `The snapshot of shard ${shard}`, { shard });
 * ```
 */
export function payloadTooLarge(size: number, max: number, what: string, details: Record<string, unknown> = {}): WireError {
  return new WireError(
    ErrorCode.PayloadTooLarge,
    `${what} is ${size} bytes, over the ${max}-byte maximum: split it (e.g. a smaller shard) or raise maxPayloadBytes on every peer.`,
    { size, max, ...details },
  );
}
