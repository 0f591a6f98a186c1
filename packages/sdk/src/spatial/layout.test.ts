import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { SeededRng, randomBetween } from '../util/rng.js';
import { SectorLayout } from './layout.js';
import { ancestorAt, contains, key, sector, type SectorId } from './sector.js';
import { SEEDS } from './test-support.node.js';

/** A sector near the origin, so random ones collide often. */
function nearSector(rng: SeededRng): SectorId {
  const scale = randomBetween(rng, 0, 5);
  const r = 2 ** (5 - scale);
  return sector(randomBetween(rng, -r, r - 1), randomBetween(rng, -r, r - 1), scale);
}

describe('SectorLayout', () => {
  it('[S14] refuses a sector that is, holds or lies inside an active one', () => {
    const layout = new SectorLayout([sector(0, 0, 3)]);
    expect(() => layout.add(sector(0, 0, 3))).toThrow(ArgumentError);
    expect(() => layout.add(sector(1, 1, 0))).toThrow(ArgumentError);
    expect(() => layout.add(sector(0, 0, 5))).toThrow(ArgumentError);
    layout.add(sector(-1, 0, 3));
    expect(layout.size).toBe(2);
    expect(() => new SectorLayout([sector(0, 0, 0), sector(0, 0, 1)])).toThrow(ArgumentError);
  });

  it('[S14] leafOf finds the active ancestor-or-self; remove frees the area', () => {
    const layout = new SectorLayout([sector(-1, -1, 2)]);
    expect(layout.leafOf(sector(-3, -4, 0))).toEqual(sector(-1, -1, 2));
    expect(layout.leafOf(sector(0, 0, 0))).toBeUndefined();
    expect(layout.leavesBelow(sector(-1, -1, 4))).toBe(1);
    expect(layout.remove(sector(-1, -1, 2))).toBe(true);
    expect(layout.remove(sector(-1, -1, 2))).toBe(false);
    expect(layout.leavesBelow(sector(-1, -1, 4))).toBe(0);
    expect(layout.leafOf(sector(-3, -4, 0))).toBeUndefined();
  });

  it('[S14] coverFor takes the coarsest free sector up to the requested scale', () => {
    const layout = new SectorLayout([sector(0, 0, 2)]);
    // (4, 0, 0) lies in (1, 0, 2), whose parent (0, 0, 3) holds the active (0, 0, 2).
    expect(layout.coverFor(sector(4, 0, 0), 4)).toEqual(sector(1, 0, 2));
    expect(layout.coverFor(sector(-1, 0, 0), 4)).toEqual(sector(-1, 0, 4));
    expect(layout.coverFor(sector(-1, 0, 0), 0)).toEqual(sector(-1, 0, 0));
    expect(layout.coverFor(sector(1, 1, 0), 4)).toBeUndefined();
    expect(() => layout.coverFor(sector(0, 0, 3), 3)).toThrow(ArgumentError);
  });

  it.each(SEEDS)('[S14] random adds and removes keep leaves disjoint and lookups exact (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const layout = new SectorLayout();
    const model = new Map<string, SectorId>();
    for (let step = 0; step < 400; step++) {
      const id = nearSector(rng);
      const overlaps = [...model.values()].some((l) => contains(l, id) || contains(id, l));
      if (rng.next() < 0.7) {
        if (overlaps) expect(() => layout.add(id), `seed ${seed} step ${step} ${key(id)}`).toThrow(ArgumentError);
        else {
          layout.add(id);
          model.set(key(id), id);
        }
      } else {
        const victim = [...model.values()][randomBetween(rng, 0, Math.max(0, model.size - 1))];
        if (victim) {
          expect(layout.remove(victim)).toBe(true);
          model.delete(key(victim));
        }
      }
      const probe = sector(randomBetween(rng, -32, 31), randomBetween(rng, -32, 31), 0);
      const owners = [...model.values()].filter((l) => contains(l, probe));
      expect(owners.length, `seed ${seed} step ${step}`).toBeLessThanOrEqual(1);
      expect(layout.leafOf(probe), `seed ${seed} step ${step} ${key(probe)}`).toEqual(owners[0]);
      const up = ancestorAt(probe, randomBetween(rng, 0, 6));
      expect(layout.leavesBelow(up), `seed ${seed} step ${step} ${key(up)}`).toBe(
        [...model.values()].filter((l) => l.scale < up.scale && contains(up, l)).length,
      );
    }
    expect(layout.leaves().map(key).sort(), `seed ${seed}`).toEqual([...model.keys()].sort());
  });
});
