import { describe, expect, it } from 'vitest';
import { ArgumentError, ErrorCode, WireError } from '../errors.js';
import { SeededRng, randomBetween, randomInt } from '../util/rng.js';
import { Reader, Writer, budgetFor } from '../wire/codec.js';
import { MAX_SECTOR_BYTES, decodeSector, encodeSector, readSector, writeSector } from './codec.js';
import { MAX_SCALE, coordRange, key, sector } from './sector.js';
import { SEEDS, randomSector } from './test-support.node.js';

function reason(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WireError);
    expect((err as WireError).code).toBe(ErrorCode.MalformedFrame);
    return (err as WireError).details.reason;
  }
  return 'no error';
}

describe('sector binary form', () => {
  it('[S7] takes 3 bytes near the origin and at most 9 anywhere', () => {
    expect([...encodeSector(sector(0, -1, 4))]).toEqual([4, 0, 1]);
    expect(encodeSector(sector(-(2 ** 24), 2 ** 24 - 1, 0))).toHaveLength(MAX_SECTOR_BYTES);
    expect(encodeSector(sector(-1, 0, MAX_SCALE))).toHaveLength(3);
  });

  it.each(SEEDS)('[S7] round-trips every sector, alone and in a stream (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const ids = Array.from({ length: 1000 }, () => randomSector(rng));
    const w = new Writer();
    for (const id of ids) {
      const bytes = encodeSector(id);
      expect(bytes.length, `seed ${seed} ${key(id)}`).toBeLessThanOrEqual(MAX_SECTOR_BYTES);
      expect(decodeSector(bytes), `seed ${seed} ${key(id)}`).toEqual(id);
      writeSector(w, id);
    }
    const out = w.finish();
    const r = new Reader(out, 0, out.length, budgetFor(out.length));
    expect(ids.map(() => readSector(r)), `seed ${seed}`).toEqual(ids);
    r.expectEnd('stream');
  });

  it('[S7] rejects bytes that name no sector with a malformed-frame WireError', () => {
    expect(reason(() => decodeSector(new Uint8Array([MAX_SCALE + 1, 0, 0])))).toBe('out-of-range');
    // zig-zag 2^24 at scale 1 is x = 2^23, one past the edge
    const w = new Writer();
    w.u8(1);
    w.varuint(2 ** 24);
    w.varuint(0);
    expect(reason(() => decodeSector(w.finish()))).toBe('out-of-range');
    expect(reason(() => decodeSector(new Uint8Array([MAX_SCALE, 4, 0])))).toBe('out-of-range');
    expect(reason(() => decodeSector(new Uint8Array([0, 0])))).toBe('truncated');
    expect(reason(() => decodeSector(new Uint8Array([])))).toBe('truncated');
    expect(reason(() => decodeSector(new Uint8Array([0, 0, 0, 0])))).toBe('trailing-bytes');
    expect(reason(() => decodeSector(new Uint8Array([0, 0x80, 0x00, 0])))).toBe('non-canonical-varint');
  });

  it.each(SEEDS)('[S7] random bytes decode to a valid sector that re-encodes identically, or fail typed (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = Uint8Array.from({ length: randomBetween(rng, 0, 10) }, () => (i % 2 === 0 ? randomInt(rng, 256) : randomInt(rng, 30)));
      let id;
      try {
        id = decodeSector(bytes);
      } catch (err) {
        if (!(err instanceof WireError)) expect.fail(`seed ${seed} bytes ${[...bytes]}: ${String(err)}`);
        continue;
      }
      decoded++;
      const { min, max } = coordRange(id.scale);
      if (id.x < min || id.x > max || id.y < min || id.y > max || ![...encodeSector(id)].every((b, j) => b === bytes[j])) {
        expect.fail(`seed ${seed} bytes ${[...bytes]} -> ${key(id)}`);
      }
    }
    expect(decoded, `seed ${seed}`).toBeGreaterThan(0);
  });

  it('[S7] refuses to encode an invalid sector', () => {
    expect(() => encodeSector({ x: 2 ** 24, y: 0, scale: 0 })).toThrow(ArgumentError);
    expect(() => encodeSector({ x: 0.5, y: 0, scale: 0 })).toThrow(ArgumentError);
  });
});
