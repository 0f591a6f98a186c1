import { describe, expect, it } from 'vitest';
import { WireError } from '../errors.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { BitReader, BitWriter, bitWidth, unzigzag, varUintBits, zigzag } from './bits.js';

describe('bits', () => {
  it('bitWidth, zigzag and varUintBits agree with their definitions', () => {
    expect([0, 1, 2, 3, 255, 256, 2 ** 32 - 1].map(bitWidth)).toEqual([0, 1, 2, 2, 8, 9, 32]);
    expect([0, -1, 1, -2, 2].map(zigzag)).toEqual([0, 1, 2, 3, 4]);
    for (const v of [0, 1, -1, 12345, -12345, 2 ** 31 - 1, -(2 ** 31)]) expect(unzigzag(zigzag(v))).toBe(v);
    expect(zigzag(-(2 ** 31))).toBe(2 ** 32 - 1);
    expect([0, 127, 128, 16383, 16384].map(varUintBits)).toEqual([8, 8, 16, 16, 24]);
  });

  it('round-trips random fields of every width 0..32 and varints (seed 21)', () => {
    const rng = new SeededRng(21);
    const fields: Array<[number, number]> = [];
    const w = new BitWriter(4);
    for (let i = 0; i < 5000; i++) {
      const width = randomInt(rng, 33);
      const value = width === 0 ? 0 : Math.floor(rng.next() * 2 ** width);
      fields.push([value, width]);
      if (i % 7 === 0) {
        w.writeVarUint(value);
        fields[fields.length - 1] = [value, -1];
      } else {
        w.write(value, width);
      }
    }
    const r = new BitReader(w.finish(), 'test');
    for (const [value, width] of fields) expect(width === -1 ? r.readVarUint(2 ** 33) : r.read(width)).toBe(value);
    r.end();
  });

  it('throws WireError past the end, on trailing bytes, and on oversized or endless varints', () => {
    const w = new BitWriter();
    w.write(5, 3);
    const bytes = w.finish();
    const r = new BitReader(bytes, 'test');
    expect(r.read(3)).toBe(5);
    r.end();
    expect(() => new BitReader(bytes, 'test').read(9)).toThrow(WireError);
    expect(() => new BitReader(new Uint8Array([1, 0]), 'test').end()).toThrow(WireError);
    expect(() => new BitReader(new Uint8Array([0xff, 0x7f]), 'test').readVarUint(100)).toThrow(WireError);
    expect(() => new BitReader(new Uint8Array(20).fill(0x80), 'test').readVarUint(2 ** 53)).toThrow(WireError);
  });
});
