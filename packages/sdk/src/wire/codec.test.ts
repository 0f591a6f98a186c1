import { describe, expect, it } from 'vitest';
import { ErrorCode, WireError } from '../errors.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { MAX_VARINT, Reader, Writer, budgetFor, varintLength, wellFormedUtf8 } from './codec.js';

const reader = (bytes: number[] | Uint8Array): Reader => {
  const b = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  return new Reader(b, 0, b.length, budgetFor(b.length));
};

function reason(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    if (err instanceof WireError && err.code === ErrorCode.MalformedFrame) return err.details['reason'];
    throw err;
  }
  throw new Error('expected a malformed-frame WireError');
}

describe('codec', () => {
  it('[W9] round-trips varints at every length boundary and at random', () => {
    const seed = 99;
    const rng = new SeededRng(seed);
    const values = [0, 1, 127, 128, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 49, MAX_VARINT];
    for (let i = 0; i < 500; i++) values.push(randomInt(rng, 2 ** 32), Math.floor(rng.next() * MAX_VARINT));
    for (const v of values) {
      const w = new Writer();
      w.varuint(v);
      const bytes = w.finish();
      expect(bytes.length, `seed ${seed} value ${v}`).toBe(varintLength(v));
      const r = reader(bytes);
      expect(r.varuint()).toBe(v);
      expect(r.remaining).toBe(0);
    }
  });

  it('[W9] rejects non-minimal, overlong and unterminated varints', () => {
    expect(reason(() => reader([0x80, 0x00]).varuint())).toBe('non-canonical-varint');
    expect(reason(() => reader([0xff, 0x80, 0x00]).varuint())).toBe('non-canonical-varint');
    expect(reason(() => reader(new Uint8Array(9).fill(0xff)).varuint())).toBe('varint-too-long');
    // 2^53 does not fit a JS number exactly.
    expect(reason(() => reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]).varuint())).toBe('varint-too-long');
    expect(reason(() => reader([0x80, 0x80]).varuint())).toBe('truncated');
    expect(reason(() => reader([]).varuint())).toBe('truncated');
  });

  it('[W9] bounds-checks every read', () => {
    expect(reason(() => reader([1, 2, 3]).f64())).toBe('truncated');
    expect(reason(() => reader([5, 1, 2]).lenBytes(100, 'x'))).toBe('truncated');
    expect(reason(() => reader([5, 1, 2, 3, 4, 5]).lenBytes(4, 'x'))).toBe('too-long');
    expect(reason(() => reader([2, 0xc3, 0x28]).string(10, 'x'))).toBe('invalid-utf8');
    const r = reader([1, 2]);
    r.u8();
    expect(reason(() => r.expectEnd('x'))).toBe('trailing-bytes');
  });

  it('[W9] keeps a leading byte-order mark and rejects encoded surrogates', () => {
    const w = new Writer();
    w.lenBytes(new TextEncoder().encode('\uFEFFhi'));
    expect(reader(w.finish()).string(10, 's')).toBe('\uFEFFhi');
    expect(reason(() => reader([3, 0xed, 0xa0, 0x80]).string(10, 's'))).toBe('invalid-utf8');
  });

  it('[W23] turns a decode loop that outruns the input into a decode-budget error', () => {
    const bytes = new Uint8Array(4);
    const r = new Reader(bytes, 0, 4, { left: 3 });
    r.u8();
    r.u8();
    r.u8();
    expect(reason(() => r.u8())).toBe('decode-budget');
  });

  it('[W9] writes f64 little-endian and grows its buffer', () => {
    const w = new Writer(16);
    for (let i = 0; i < 100; i++) w.f64(i + 0.5);
    const r = reader(w.finish());
    for (let i = 0; i < 100; i++) expect(r.f64()).toBe(i + 0.5);
    const one = new Writer();
    one.f64(1);
    expect([...one.finish()]).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
  });

  it('wellFormedUtf8: the UTF-8 bytes of any string, the same on a cache hit; undefined for a lone surrogate', () => {
    const rng = new SeededRng(77);
    const enc = new TextEncoder();
    for (let i = 0; i < 2_000; i++) {
      const len = randomInt(rng, 80);
      const s = String.fromCharCode(...Array.from({ length: len }, () => (randomInt(rng, 4) === 0 ? 0x80 + randomInt(rng, 0x700) : 0x20 + randomInt(rng, 0x5f))));
      expect(wellFormedUtf8(s), `seed 77, string ${i}`).toEqual(enc.encode(s));
      expect(wellFormedUtf8(s), `seed 77, string ${i}, cached`).toEqual(enc.encode(s));
    }
    expect(wellFormedUtf8('a\ud800b')).toBeUndefined();
    expect(wellFormedUtf8('\udc00')).toBeUndefined();
    expect(wellFormedUtf8('😀')).toEqual(enc.encode('😀'));
  });
});
