/**
 * Little-endian bit packing (least significant bit first) for the position stream. Values up to
 * 32 bits wide are split into 16-bit chunks so every intermediate stays a small integer and the
 * bitwise operators never see a sign bit.
 */
import { ErrorCode, WireError } from '../errors.js';

const TWO_POW_16 = 65_536;

/** Number of bits needed to write `v` (0 for 0). `v` must be an integer in [0, 2^32). */
export function bitWidth(v: number): number {
  return v === 0 ? 0 : 32 - Math.clz32(v);
}

/** Zig-zag map of a signed integer (|v| < 2^31) onto [0, 2^32): 0,-1,1,-2… → 0,1,2,3… */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Inverse of {@link zigzag}. */
export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Bits a LEB128 varint of `v` takes (8 per 7-bit group). */
export function varUintBits(v: number): number {
  let bits = 8;
  while (v >= 128) {
    v = Math.floor(v / 128);
    bits += 8;
  }
  return bits;
}

/** Appends bit fields to a growing byte buffer. */
export class BitWriter {
  private buf: Uint8Array;
  private len = 0;
  private acc = 0;
  private nacc = 0;

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Writes the low `width` bits of `value` (width 0..32, value an integer in [0, 2^width)). */
  write(value: number, width: number): void {
    while (width > 0) {
      const chunk = width > 16 ? 16 : width;
      const low = value % TWO_POW_16;
      this.acc |= (low & ((1 << chunk) - 1)) << this.nacc;
      this.nacc += chunk;
      while (this.nacc >= 8) this.pushByte();
      value = Math.floor(value / TWO_POW_16);
      width -= chunk;
    }
  }

  /** LEB128: 7 bits per byte-sized group, high bit set on all but the last. */
  writeVarUint(value: number): void {
    while (value >= 128) {
      this.write((value % 128) | 128, 8);
      value = Math.floor(value / 128);
    }
    this.write(value, 8);
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.len * 8 + this.nacc;
  }

  /** The bytes written, last byte zero-padded. */
  finish(): Uint8Array {
    if (this.nacc > 0) {
      this.nacc = 8;
      this.pushByte();
    }
    return this.buf.slice(0, this.len);
  }

  private pushByte(): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = this.acc & 0xff;
    this.acc >>>= 8;
    this.nacc -= 8;
  }
}

/** Reads bit fields written by {@link BitWriter}; running past the end throws {@link WireError}. */
export class BitReader {
  private pos = 0;
  private acc = 0;
  private nacc = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {}

  /** Reads `width` bits (0..32) as an unsigned integer. */
  read(width: number): number {
    let out = 0;
    let scale = 1;
    while (width > 0) {
      const chunk = width > 16 ? 16 : width;
      while (this.nacc < chunk) {
        if (this.pos >= this.bytes.length) throw this.fail('truncated');
        this.acc |= (this.bytes[this.pos++] as number) << this.nacc;
        this.nacc += 8;
      }
      out += (this.acc & ((1 << chunk) - 1)) * scale;
      this.acc >>>= chunk;
      this.nacc -= chunk;
      scale *= TWO_POW_16;
      width -= chunk;
    }
    return out;
  }

  /** Reads a LEB128 varint no larger than `max` (at most 2^53 - 1). */
  readVarUint(max: number): number {
    let out = 0;
    let scale = 1;
    for (let groups = 0; ; groups++) {
      // 8 groups carry 56 bits, past any max we accept; more is padding abuse.
      if (groups === 8) throw this.fail('varint-too-long');
      const byte = this.read(8);
      out += (byte & 127) * scale;
      if (out > max) throw this.fail('number-out-of-range');
      if (byte < 128) return out;
      scale *= 128;
    }
  }

  /** Whole bytes consumed so far (exact when reads so far add up to whole bytes). */
  get byteOffset(): number {
    return this.pos - (this.nacc >>> 3);
  }

  /** Checks that only zero padding (fewer than 8 bits) is left. */
  end(): void {
    if (this.pos !== this.bytes.length || this.nacc >= 8 || this.acc !== 0) throw this.fail('trailing-bytes');
  }

  /** A {@link WireError} for this stream. */
  fail(reason: string): WireError {
    return new WireError(ErrorCode.MalformedFrame, `A ${this.what} frame is malformed (${reason}): drop it and wait for the next keyframe.`, {
      what: this.what,
      reason,
    });
  }
}
