import { spatial } from '@anarchy/sdk';
import { describe, expect, it } from 'vitest';
import { GALAXY_HALF, GAMEPLAY_SCALE, SECTOR_SIZE } from './constants.js';
import { GALAXY_BOUNDS, SECTORS, clampToGalaxy, homeFor, planetsFor, sectorAt } from './galaxy.js';

describe('galaxy', () => {
  it('has (2·GALAXY_HALF)² gameplay sectors keyed by spatial.key', () => {
    expect(SECTORS).toHaveLength((2 * GALAXY_HALF) ** 2);
    for (const s of SECTORS) expect(spatial.parseKey(s.key)).toEqual(s.id);
  });

  it('finds the same sector as spatial.fromPoint, borders included', () => {
    const points = [[0, 0], [-1, -1], [999, 999], [1000, 0], [-3000, -3000], [2999, 2999], [-1000, 999.5]] as const;
    for (const [x, y] of points) expect(sectorAt(x, y)?.key).toBe(spatial.key(spatial.fromPoint(x, y, GAMEPLAY_SCALE, SECTOR_SIZE)));
    expect(sectorAt(GALAXY_BOUNDS.maxX, 0)).toBeUndefined();
    expect(sectorAt(0, GALAXY_BOUNDS.minY - 1)).toBeUndefined();
  });

  it('clamps targets inside the galaxy to integers', () => {
    expect(clampToGalaxy(1e6, -1e6)).toEqual({ x: GALAXY_BOUNDS.maxX - 20, y: GALAXY_BOUNDS.minY + 20 });
    expect(clampToGalaxy(10.4, -0.2)).toEqual({ x: 10, y: 0 });
  });

  it('generates the same planets for a key, inside their sector', () => {
    for (const s of SECTORS) {
      const planets = planetsFor(s.key);
      expect(planets).toEqual(planetsFor(s.key));
      expect(planets.length).toBeGreaterThanOrEqual(1);
      for (const p of planets) expect(sectorAt(p.x, p.y)?.key).toBe(s.key);
    }
    expect(planetsFor('not-a-sector')).toEqual([]);
  });

  it('gives the first players distinct start sectors inside the galaxy', () => {
    const homes = Array.from({ length: 16 }, (_, i) => homeFor(i));
    expect(new Set(homes.map((h) => h.key)).size).toBe(16);
    for (const h of [...homes, homeFor(16), homeFor(40)]) expect(sectorAt(h.x, h.y)?.key).toBe(h.key);
    expect(homeFor(16)).not.toEqual(homeFor(0));
  });
});
