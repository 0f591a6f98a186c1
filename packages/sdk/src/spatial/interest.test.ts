import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { SeededRng, randomBetween } from '../util/rng.js';
import { InterestSet, MAX_INTEREST_SECTORS, interestFromRect, interestFromSectors, summaryScaleFor } from './interest.js';
import { MAX_SCALE, compareSectors, fromPoint, isSectorId, key, neighbours, sector, sectorSide, worldBounds, type Rect, type SectorId } from './sector.js';
import { SEEDS, randomSector } from './test-support.node.js';

const SIZE = 16;

function keys(ids: Iterable<SectorId>): string[] {
  return [...ids].map(key).sort();
}

/** Oracle: a sector is of interest iff its 3×3 neighbourhood block meets the closed rectangle. */
function oracle(rect: Rect, scale: number, sectorSize: number): string[] {
  const side = sectorSide(scale, sectorSize);
  const out: string[] = [];
  for (let x = Math.floor(rect.minX / side) - 3; x <= Math.floor(rect.maxX / side) + 3; x++) {
    for (let y = Math.floor(rect.minY / side) - 3; y <= Math.floor(rect.maxY / side) + 3; y++) {
      const meets = (x - 1) * side <= rect.maxX && (x + 2) * side > rect.minX && (y - 1) * side <= rect.maxY && (y + 2) * side > rect.minY;
      if (meets && isSectorId({ x, y, scale })) out.push(key({ x, y, scale }));
    }
  }
  return out.sort();
}

function randomRect(rng: SeededRng, scale: number): Rect {
  const side = sectorSide(scale, SIZE);
  const edge = worldBounds(SIZE).maxX;
  const cx = rng.next() < 0.3 ? (rng.next() < 0.5 ? -edge : edge) + (rng.next() - 0.5) * 4 * side : (rng.next() * 2 - 1) * Math.min(edge, side * 100);
  const cy = (rng.next() * 2 - 1) * Math.min(edge, side * 100);
  const w = rng.next() < 0.2 ? 0 : rng.next() * side * 6;
  const h = rng.next() * side * 6;
  // Sometimes snap to a border, where off-by-one errors live.
  const minX = rng.next() < 0.3 ? Math.round(cx / side) * side : cx;
  return { minX, minY: cy, maxX: minX + w, maxY: cy + h };
}

describe('interest', () => {
  it('[S9] a view inside one sector wants that sector and its 8 neighbours', () => {
    const got = interestFromRect({ minX: 1, minY: 1, maxX: 15, maxY: 15 }, 0, SIZE);
    expect(keys(got)).toEqual(keys([sector(0, 0, 0), ...neighbours(sector(0, 0, 0))]));
    expect(got).toEqual([...got].sort(compareSectors));
  });

  it.each(SEEDS)('[S9] interestFromRect matches the oracle, at the world edges too (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 300; i++) {
      const scale = randomBetween(rng, 0, MAX_SCALE);
      const rect = randomRect(rng, scale);
      const got = interestFromRect(rect, scale, SIZE);
      expect(keys(got), `seed ${seed} scale ${scale} rect ${JSON.stringify(rect)}`).toEqual(oracle(rect, scale, SIZE));
    }
  });

  it('[S9] a view wholly outside the world wants nothing', () => {
    const edge = worldBounds(SIZE).maxX;
    expect(interestFromRect({ minX: edge + 2 * SIZE, minY: 0, maxX: edge + 5 * SIZE, maxY: 10 }, 0, SIZE)).toEqual([]);
    expect(interestFromRect({ minX: -1e300, minY: -1e300, maxX: -1e299, maxY: -1e299 }, 3, SIZE)).toEqual([]);
  });

  it('[S9] rejects invalid rectangles and views too wide for the scale', () => {
    expect(() => interestFromRect({ minX: 1, minY: 0, maxX: 0, maxY: 1 }, 0, SIZE)).toThrow(ArgumentError);
    expect(() => interestFromRect({ minX: 0, minY: 0, maxX: Number.NaN, maxY: 1 }, 0, SIZE)).toThrow(ArgumentError);
    expect(() => interestFromRect({ minX: 0, minY: 0, maxX: 1, maxY: 1 }, MAX_SCALE + 1, SIZE)).toThrow(ArgumentError);
    const side = Math.sqrt(MAX_INTEREST_SECTORS) * SIZE;
    expect(() => interestFromRect({ minX: 0, minY: 0, maxX: side, maxY: side }, 0, SIZE)).toThrow(ArgumentError);
  });

  it.each(SEEDS)('[S9] interestFromSectors is the sectors plus their neighbours, once each (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 100; i++) {
      const ids = Array.from({ length: randomBetween(rng, 0, 6) }, () => randomSector(rng, randomBetween(rng, 20, 24)));
      const got = interestFromSectors(ids);
      const expected = new Set(ids.flatMap((id) => [id, ...neighbours(id)]).map(key));
      expect(keys(got), `seed ${seed}`).toEqual([...expected].sort());
      expect(got, `seed ${seed}`).toEqual([...got].sort(compareSectors));
    }
  });

  it.each(SEEDS)('[S10] summaryScaleFor picks the finest scale that keeps the view within maxSectorsAcross (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 300; i++) {
      const width = rng.next() < 0.1 ? 0 : SIZE * 2 ** (rng.next() * 30);
      const across = randomBetween(rng, 1, 16);
      const minScale = randomBetween(rng, 0, 6);
      const s = summaryScaleFor(width, SIZE, { maxSectorsAcross: across, minScale });
      const msg = `seed ${seed} width ${width} across ${across} min ${minScale} -> ${s}`;
      expect(s, msg).toBeGreaterThanOrEqual(minScale);
      if (s < MAX_SCALE) expect(width, msg).toBeLessThanOrEqual(across * sectorSide(s, SIZE));
      if (s > minScale) expect(width, msg).toBeGreaterThan(across * sectorSide(s - 1, SIZE));
      if (s < MAX_SCALE) {
        const view = interestFromRect({ minX: -width / 3, minY: -width / 3, maxX: width - width / 3, maxY: width - width / 3 }, s, SIZE);
        expect(view.length, msg).toBeLessThanOrEqual((across + 3) ** 2);
      }
    }
    expect(summaryScaleFor(1e30, SIZE)).toBe(MAX_SCALE);
    expect(() => summaryScaleFor(-1, SIZE)).toThrow(ArgumentError);
    expect(() => summaryScaleFor(10, SIZE, { maxSectorsAcross: 0 })).toThrow(ArgumentError);
  });

  it('[S11] InterestSet add, remove and has', () => {
    const set = new InterestSet();
    const a = sector(1, -1, 2);
    expect(set.add(a)).toBe(true);
    expect(set.add({ x: 1, y: -1, scale: 2 })).toBe(false);
    expect(set.has(sector(1, -1, 2))).toBe(true);
    expect(set.has(sector(1, -1, 3))).toBe(false);
    expect(set.size).toBe(1);
    expect(set.remove(a)).toBe(true);
    expect(set.remove(a)).toBe(false);
    expect(set.size).toBe(0);
  });

  it.each(SEEDS)('[S11] diff gives exactly the entered and left sectors, and replace applies it (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let i = 0; i < 200; i++) {
      const pool = Array.from({ length: 12 }, () => randomSector(rng, randomBetween(rng, 22, 24)));
      const a = pool.filter(() => rng.next() < 0.5);
      const b = pool.filter(() => rng.next() < 0.5);
      const set = new InterestSet(a);
      const d = set.diff(b);
      const ka = new Set(a.map(key));
      const kb = new Set(b.map(key));
      const msg = `seed ${seed}`;
      expect(keys(d.entered), msg).toEqual([...kb].filter((k) => !ka.has(k)).sort());
      expect(keys(d.left), msg).toEqual([...ka].filter((k) => !kb.has(k)).sort());
      expect(d.entered, msg).toEqual([...d.entered].sort(compareSectors));
      expect(keys(set), msg).toEqual([...ka].sort());
      expect(set.replace(b), msg).toEqual(d);
      expect(keys(set), msg).toEqual([...kb].sort());
    }
  });

  it('[S11] panning one sector right enters one column and leaves one', () => {
    const view = new InterestSet(interestFromRect({ minX: 0, minY: 0, maxX: 47, maxY: 47 }, 0, SIZE));
    const d = view.replace(interestFromRect({ minX: 16, minY: 0, maxX: 63, maxY: 47 }, 0, SIZE));
    expect(keys(d.entered)).toEqual(keys([-1, 0, 1, 2, 3].map((y) => sector(4, y, 0))));
    expect(keys(d.left)).toEqual(keys([-1, 0, 1, 2, 3].map((y) => sector(-1, y, 0))));
    expect(fromPoint(63, 0, 0, SIZE)).toEqual(sector(3, 0, 0));
  });
});
