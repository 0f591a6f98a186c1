import { describe, expect, it } from 'vitest';
import { SeededRng, randomInt } from '../util/rng.js';
import { rebalancePolicy, type SectorLoad } from './rebalance.js';
import { children, contains, key, sector, type SectorId } from './sector.js';
import { planTiledRebalance, tile, tiles } from './tiling.js';

describe('tiling', () => {
  it('tile() covers a root exactly at any finer scale', () => {
    const root = sector(-1, 2, 3);
    for (let s = 0; s <= 3; s++) {
      const t = tile(root, s);
      expect(t).toHaveLength(4 ** (3 - s));
      expect(tiles(root, t)).toBe(true);
    }
    expect(tiles(root, tile(root, 1).slice(1))).toBe(false);
    expect(tiles(root, [...tile(root, 2), sector(-8, 16, 0)])).toBe(false);
    expect(tiles(root, [root, ...children(root)])).toBe(false);
  });

  it('[S20] rebalancing keeps a region tiled through splits, merges and empty sectors (seeded loads)', () => {
    for (const seed of [1, 2, 3, 42]) {
      const rng = new SeededRng(seed);
      const region = sector(0, 0, 3);
      const policy = rebalancePolicy({ splitAbove: 40, mergeBelow: 10, coldRounds: 2, minScale: 0, maxScale: 3 });
      let leaves: SectorId[] = tile(region, 2);
      let memory: ReadonlyMap<string, number> = new Map();
      let splits = 0;
      let merges = 0;
      for (let round = 0; round < 60; round++) {
        // Units per scale-0 cell, clustered around a point that wanders.
        const cx = randomInt(rng, 8);
        const cy = randomInt(rng, 8);
        const cells = new Map<string, number>();
        for (const c of tile(region, 0)) {
          const d = Math.abs(c.x - cx) + Math.abs(c.y - cy);
          cells.set(key(c), d <= 1 ? 30 + randomInt(rng, 20) : randomInt(rng, 3));
        }
        const load = (id: SectorId): SectorLoad => {
          let units = 0;
          for (const c of tile(id, 0)) units += cells.get(key(c)) ?? 0;
          return { units, activity: 0 };
        };
        const plan = planTiledRebalance({ leaves, load, policy, memory });
        expect(tiles(region, plan.leaves), `seed ${seed}, round ${round}`).toBe(true);
        expect(plan.dropped).toEqual([]);
        for (const l of plan.leaves) expect(contains(region, l)).toBe(true);
        splits += plan.splits.length;
        merges += plan.merges.length;
        leaves = plan.leaves;
        memory = plan.memory;
      }
      expect(splits, `seed ${seed}`).toBeGreaterThan(0);
      expect(merges, `seed ${seed}`).toBeGreaterThan(0);
    }
  });
});
