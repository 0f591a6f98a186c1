import { describe, expect, it } from 'vitest';
import { SHIP_HP } from './constants.js';
import { SECTORS, sectorAt } from './galaxy.js';
import { VIEW_MARGIN, cellRange, interestingSectors, sameRange } from './interest.js';
import { plainSector, type SectorData, type UnitData } from './model.js';
import { WorldTable } from './world.js';

const ship = (owner: string, x: number, y: number, more: Partial<UnitData> = {}): UnitData => ({ owner, x, y, tx: x, ty: y, t0: 0, hp: SHIP_HP, hops: 0, leaving: '', ...more });
const key = (x: number, y: number): string => sectorAt(x, y)!.key;
const empty = new WorldTable();

describe('interest', () => {
  it('maps a view to the sectors it touches, with a margin, clamped to the galaxy', () => {
    // A view of the top-left sector's middle: only it, until the margin reaches the next ones.
    expect(cellRange({ minX: -2800, minY: -2800, maxX: -2200, maxY: -2200 })).toEqual({ x0: 0, y0: 0, x1: 0, y1: 0 });
    expect(cellRange({ minX: -2800, minY: -2800, maxX: -2200, maxY: -2200 }, VIEW_MARGIN)).toEqual({ x0: 0, y0: 0, x1: 1, y1: 1 });
    // Larger than the galaxy: everything; off the galaxy: nothing.
    expect(cellRange({ minX: -9000, minY: -9000, maxX: 9000, maxY: 9000 })).toEqual({ x0: 0, y0: 0, x1: 5, y1: 5 });
    expect(cellRange({ minX: 3500, minY: 0, maxX: 4000, maxY: 100 })).toBeUndefined();
    expect(sameRange(cellRange({ minX: 0, minY: 0, maxX: 10, maxY: 10 }), { x0: 3, y0: 3, x1: 3, y1: 3 })).toBe(true);
    expect(sameRange(undefined, { x0: 3, y0: 3, x1: 3, y1: 3 })).toBe(false);
  });

  it('declares what is seen, where own ships are and go, own planets, and the neighbours of simulated sectors with ships near the edge', () => {
    const states = new Map<number, SectorData>();
    const at = (x: number, y: number): SectorData => {
      const i = sectorAt(x, y)!.index;
      if (!states.has(i)) states.set(i, plainSector());
      return states.get(i)!;
    };
    // Own ship flying from the top-left sector two sectors right; another player's ship far away.
    at(-2500, -2500).units.set('me.0', ship('me', -2500, -2500, { tx: -500, ty: -2500 }));
    at(2500, 2500).units.set('you.0', ship('you', 2500, 2500));
    // A ship 100 units inside the west edge of a sector this peer simulates.
    at(2100, -2500).units.set('you.1', ship('you', 2100, -2500));
    const w = new WorldTable();
    w.rebuild((i) => states.get(i));
    w.update(new Float64Array(SECTORS.length));
    const got = interestingSectors({
      view: cellRange({ minX: 100, minY: 100, maxX: 900, maxY: 900 }),
      world: w,
      player: 'me',
      planets: [sectorAt(-2500, 1500)!.index],
      // Simulated: the sector with the ship near its edge, and one whose only ship is in its middle.
      czarOf: [sectorAt(2500, -2500)!.index, sectorAt(2500, 2500)!.index],
    });
    const want = [
      key(500, 500), // seen
      key(-2500, -2500), key(-1500, -2500), key(-500, -2500), // own ship's path
      key(-2500, 1500), // own planet
      key(2500, -2500), key(1500, -2500), key(1500, -1500), key(2500, -1500), // simulated, ship near the edge: and its neighbours
      key(2500, 2500), // simulated, ship in the middle: no neighbours
    ].sort();
    expect(got).toEqual(want);
  });

  it('declares every sector without a view, and none of them for a view off the galaxy with nothing else', () => {
    expect(interestingSectors({ view: 'all', world: empty, player: 'me', planets: [], czarOf: [] })).toEqual(SECTORS.map((s) => s.key).sort());
    expect(interestingSectors({ view: undefined, world: empty, player: 'me', planets: [], czarOf: [] })).toEqual([]);
  });
});
