import { describe, expect, it } from 'vitest';
import { isShardId } from '../authority/ids.js';
import { ArgumentError } from '../errors.js';
import { SeededRng, randomBetween } from '../util/rng.js';
import {
  MAX_SCALE,
  ancestorAt,
  bounds,
  children,
  compareSectors,
  contains,
  coordRange,
  fromPoint,
  isSectorId,
  key,
  neighbours,
  parent,
  parseKey,
  sector,
  sectorEquals,
  tryParseKey,
  worldBounds,
  type SectorId,
} from './sector.js';
import { sectorForShard, shardForSector } from './shard.js';
import { SEEDS, randomSector, randomWorldCoord } from './test-support.node.js';

const SIZES = [1, 3, 0.1, 64, 1000.5];

describe('sector ids', () => {
  it('[S1] accepts the corners of the world at every scale', () => {
    for (let s = 0; s <= MAX_SCALE; s++) {
      const { min, max } = coordRange(s);
      expect(max - min + 1).toBe(2 ** (MAX_SCALE + 1 - s));
      for (const [x, y] of [
        [min, min],
        [max, max],
        [min, max],
        [0, -1],
      ] as const) {
        expect(sector(x, y, s)).toEqual({ x, y, scale: s });
        expect(isSectorId({ x, y, scale: s })).toBe(true);
      }
    }
  });

  it('[S1] has four root sectors, one per quadrant', () => {
    expect(coordRange(MAX_SCALE)).toEqual({ min: -1, max: 0 });
    expect(() => sector(1, 0, MAX_SCALE)).toThrow(ArgumentError);
  });

  it.each([
    ['x past the edge', 2 ** 24, 0, 0],
    ['x before the edge', 0, -(2 ** 24) - 1, 0],
    ['past the edge at scale 5', 2 ** 19, 0, 5],
    ['fractional x', 0.5, 0, 0],
    ['NaN y', 0, Number.NaN, 0],
    ['infinite x', Number.POSITIVE_INFINITY, 0, 0],
    ['scale too large', 0, 0, MAX_SCALE + 1],
    ['negative scale', 0, 0, -1],
    ['fractional scale', 0, 0, 1.5],
  ])('[S1] rejects %s with an ArgumentError', (_name, x, y, s) => {
    expect(() => sector(x, y, s)).toThrow(ArgumentError);
    expect(isSectorId({ x, y, scale: s })).toBe(false);
  });

  it('[S1] isSectorId rejects non-objects and normalises -0', () => {
    for (const v of [null, undefined, 3, 's0:0,0', {}, { x: '1', y: 0, scale: 0 }]) expect(isSectorId(v)).toBe(false);
    expect(Object.is(sector(-0, -0, 0).x, 0)).toBe(true);
    expect(key(sector(-0, 0, 0))).toBe('s0:0,0');
  });

  it('[S2] parent floors negative coordinates', () => {
    expect(parent(sector(-1, -1, 0))).toEqual({ x: -1, y: -1, scale: 1 });
    expect(parent(sector(-3, 3, 0))).toEqual({ x: -2, y: 1, scale: 1 });
    expect(parent(sector(-2, -4, 2))).toEqual({ x: -1, y: -2, scale: 3 });
    expect(parent(sector(0, -1, MAX_SCALE))).toBeUndefined();
    expect(children(sector(5, -5, 0))).toEqual([]);
  });

  it.each(SEEDS)('[S2] parent and children are inverse (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 500; i++) {
      const id = randomSector(rng);
      const kids = children(id);
      expect(kids, `seed ${seed} ${key(id)}`).toHaveLength(id.scale === 0 ? 0 : 4);
      for (const c of kids) {
        expect(isSectorId(c), `seed ${seed} ${key(c)}`).toBe(true);
        expect(parent(c), `seed ${seed} ${key(c)}`).toEqual(id);
      }
      expect(new Set(kids.map(key)).size).toBe(kids.length);
      const p = parent(id);
      if (p) {
        expect(isSectorId(p), `seed ${seed} ${key(id)}`).toBe(true);
        expect(children(p).filter((c) => sectorEquals(c, id)), `seed ${seed} ${key(id)}`).toHaveLength(1);
      } else {
        expect(id.scale, `seed ${seed}`).toBe(MAX_SCALE);
      }
    }
  });

  it('[S3] a point on a border belongs to the sector on its right and below; negatives floor', () => {
    expect(fromPoint(0, 0, 0, 10)).toEqual({ x: 0, y: 0, scale: 0 });
    expect(fromPoint(-0.001, -10, 0, 10)).toEqual({ x: -1, y: -1, scale: 0 });
    expect(fromPoint(-10.001, 9.999, 0, 10)).toEqual({ x: -2, y: 0, scale: 0 });
    expect(fromPoint(-1, 39.99, 2, 10)).toEqual({ x: -1, y: 0, scale: 2 });
    expect(fromPoint(40, -40, 2, 10)).toEqual({ x: 1, y: -1, scale: 2 });
  });

  it('[S3] the world edges: minimum included, maximum excluded', () => {
    const w = worldBounds(2);
    expect(w).toEqual({ minX: -(2 ** 25), minY: -(2 ** 25), maxX: 2 ** 25, maxY: 2 ** 25 });
    expect(fromPoint(w.minX, w.minY, 0, 2)).toEqual({ x: -(2 ** 24), y: -(2 ** 24), scale: 0 });
    expect(fromPoint(w.maxX - 0.5, w.maxY - 0.5, 0, 2)).toEqual({ x: 2 ** 24 - 1, y: 2 ** 24 - 1, scale: 0 });
    expect(fromPoint(w.minX, w.maxY - 1, MAX_SCALE, 2)).toEqual({ x: -1, y: 0, scale: MAX_SCALE });
    expect(() => fromPoint(w.maxX, 0, 0, 2)).toThrow(ArgumentError);
    expect(() => fromPoint(0, w.minY - 1, MAX_SCALE, 2)).toThrow(ArgumentError);
    expect(() => fromPoint(Number.NaN, 0, 0, 2)).toThrow(ArgumentError);
    expect(() => fromPoint(0, 0, 0, 0)).toThrow(ArgumentError);
    expect(() => fromPoint(0, 0, 0, -1)).toThrow(ArgumentError);
    expect(() => fromPoint(0, 0, 0, Number.MAX_VALUE)).toThrow(ArgumentError);
    expect(() => fromPoint(0, 0, MAX_SCALE + 1, 1)).toThrow(ArgumentError);
  });

  it.each(SEEDS)('[S3] fromPoint and bounds contain the point at every scale, consistent across scales (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    let checked = 0;
    for (const size of SIZES) {
      for (let i = 0; i < 300; i++) {
        const px = randomWorldCoord(rng, size);
        const py = randomWorldCoord(rng, size);
        const base = fromPoint(px, py, 0, size);
        for (let s = 0; s <= MAX_SCALE; s++) {
          const id = fromPoint(px, py, s, size);
          const b = bounds(id, size);
          const inside = b.minX <= px && px < b.maxX && b.minY <= py && py < b.maxY;
          // Plain checks in the hot loop (expect() per step would dominate the run time).
          if (!isSectorId(id) || !inside || !sectorEquals(ancestorAt(base, s), id)) {
            expect.fail(`seed ${seed} size ${size} point (${px}, ${py}) scale ${s} -> ${key(id)} bounds ${JSON.stringify(b)}`);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(SIZES.length * 300 * (MAX_SCALE + 1));
  });

  it.each(SEEDS)('[S3] bounds of the children tile the parent (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 500; i++) {
      const id = randomSector(rng, randomBetween(rng, 1, MAX_SCALE));
      const size = SIZES[i % SIZES.length]!;
      const b = bounds(id, size);
      const [c00, c10, c01, c11] = children(id).map((c) => bounds(c, size));
      const msg = `seed ${seed} ${key(id)} size ${size}`;
      expect([c00!.minX, c00!.minY, c11!.maxX, c11!.maxY], msg).toEqual([b.minX, b.minY, b.maxX, b.maxY]);
      expect(c00!.maxX, msg).toBe(c10!.minX);
      expect(c00!.maxY, msg).toBe(c01!.minY);
    }
  });

  it('[S4] has 8 neighbours inside, 5 on an edge and 3 in a corner', () => {
    const { min, max } = coordRange(3);
    expect(neighbours(sector(0, 0, 3))).toHaveLength(8);
    expect(neighbours(sector(min, 5, 3))).toHaveLength(5);
    expect(neighbours(sector(max, max, 3))).toHaveLength(3);
    expect(neighbours(sector(-1, 0, MAX_SCALE)).map(key)).toEqual(['s24:-1,-1', 's24:0,-1', 's24:0,0']);
  });

  it.each(SEEDS)('[S4] neighbours are symmetric, distinct, adjacent and in the world (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 400; i++) {
      const id = randomSector(rng);
      const ns = neighbours(id);
      expect(new Set(ns.map(key)).size, `seed ${seed} ${key(id)}`).toBe(ns.length);
      for (const n of ns) {
        const msg = `seed ${seed} ${key(id)} -> ${key(n)}`;
        expect(isSectorId(n), msg).toBe(true);
        expect(n.scale, msg).toBe(id.scale);
        expect(Math.max(Math.abs(n.x - id.x), Math.abs(n.y - id.y)), msg).toBe(1);
        expect(neighbours(n).some((m) => sectorEquals(m, id)), msg).toBe(true);
      }
    }
  });

  it.each(SEEDS)('[S5] contains is ancestor-or-self and transitive (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 2000; i++) {
      const c = randomSector(rng, randomBetween(rng, 0, MAX_SCALE));
      const b = ancestorAt(c, randomBetween(rng, c.scale, MAX_SCALE));
      const a = ancestorAt(b, randomBetween(rng, b.scale, MAX_SCALE));
      const msg = `seed ${seed} ${key(a)} ⊇ ${key(b)} ⊇ ${key(c)}`;
      expect(contains(a, b) && contains(b, c) && contains(a, c) && contains(c, c), msg).toBe(true);
      // An unrelated sector at the same scale as b is contained by a only if it lies under it.
      const other = randomSector(rng, b.scale);
      expect(contains(a, other), msg).toBe(sectorEquals(ancestorAt(other, a.scale), a));
      if (c.scale < b.scale) expect(contains(c, b), msg).toBe(false);
    }
  });

  it('[S5] ancestorAt rejects a finer scale', () => {
    expect(() => ancestorAt(sector(0, 0, 4), 3)).toThrow(ArgumentError);
    expect(() => ancestorAt(sector(0, 0, 4), MAX_SCALE + 1)).toThrow(ArgumentError);
    expect(ancestorAt(sector(-5, 9, 0), 3)).toEqual({ x: -1, y: 1, scale: 3 });
  });

  it.each(SEEDS)('[S6] key and parseKey round-trip, and keys are short shard ids (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 2000; i++) {
      const id = randomSector(rng);
      const k = key(id);
      expect(parseKey(k), `seed ${seed} ${k}`).toEqual(id);
      expect(key(parseKey(k)), `seed ${seed}`).toBe(k);
      expect(k.length, `seed ${seed} ${k}`).toBeLessThanOrEqual(22);
      expect(isShardId(k), `seed ${seed} ${k}`).toBe(true);
    }
    expect(key(sector(-(2 ** 24), -(2 ** 24), 0))).toBe('s0:-16777216,-16777216');
  });

  it.each([
    '',
    's',
    's0:0',
    's0:0,0,0',
    'S0:0,0',
    's25:0,0',
    's00:0,0',
    's01:0,0',
    's0:01,0',
    's0:-0,0',
    's0:+1,0',
    's0:0.5,0',
    's0:1e3,0',
    ' s0:0,0',
    's0:0,0 ',
    's0:0,0\n',
    's1:8388608,0',
    's0:16777216,0',
    's0:-16777217,0',
    's24:1,0',
    's0:9999999999,0',
  ])('[S6] parseKey rejects %j with an ArgumentError', (text) => {
    expect(tryParseKey(text)).toBeUndefined();
    expect(() => parseKey(text)).toThrow(ArgumentError);
  });

  it('[S6] parseKey rejects non-strings without an untyped throw', () => {
    expect(() => parseKey(42 as unknown as string)).toThrow(ArgumentError);
    expect(parseKey('s1:8388607,-8388608')).toEqual({ x: 8388607, y: -8388608, scale: 1 });
  });

  it.each(SEEDS)('[S8] compareSectors is a total order agreeing with sectorEquals (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const ids: SectorId[] = [];
    for (let i = 0; i < 300; i++) ids.push(randomSector(rng, randomBetween(rng, 20, MAX_SCALE)));
    for (let i = 0; i < 300; i++) {
      const a = ids[i]!;
      const b = ids[(i * 7 + 3) % ids.length]!;
      const msg = `seed ${seed} ${key(a)} vs ${key(b)}`;
      expect(compareSectors(a, b) === 0, msg).toBe(sectorEquals(a, b));
      expect(Math.sign(compareSectors(a, b)), msg).toBe(0 - Math.sign(compareSectors(b, a)));
      expect(sectorEquals(a, b), msg).toBe(key(a) === key(b));
    }
    const sorted = [...ids].sort(compareSectors);
    for (let i = 1; i < sorted.length; i++) expect(compareSectors(sorted[i - 1]!, sorted[i]!), `seed ${seed}`).toBeLessThanOrEqual(0);
    expect([...ids].reverse().sort(compareSectors), `seed ${seed}`).toEqual(sorted);
  });

  it('[S8] orders by scale, then y, then x', () => {
    const ids = [sector(1, 0, 1), sector(0, 1, 0), sector(1, 0, 0), sector(-1, 0, 0), sector(5, -1, 0)];
    expect([...ids].sort(compareSectors).map(key)).toEqual(['s0:5,-1', 's0:-1,0', 's0:1,0', 's0:0,1', 's1:1,0']);
  });
});

describe('sector shards', () => {
  it.each(SEEDS)('[S12] a sector is the shard named by its key, and back (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 500; i++) {
      const id = randomSector(rng);
      const shard = shardForSector(id);
      expect(shard, `seed ${seed}`).toBe(key(id));
      expect(sectorForShard(shard), `seed ${seed} ${shard}`).toEqual(id);
    }
  });

  it('[S12] a shard that is not a sector maps to no sector', () => {
    for (const s of ['lobby', 'chat', 's0:01,0', 's99:0,0']) expect(sectorForShard(s)).toBeUndefined();
  });
});
