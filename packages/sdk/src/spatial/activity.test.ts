import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { SeededRng, randomBetween, randomInt, type Rng } from '../util/rng.js';
import { SectorActivity, type HandOff, type Point } from './activity.js';
import { rebalancePolicy } from './rebalance.js';
import { MAX_SCALE, bounds, children, coordRange, fromPoint, key, sector, sectorEquals, worldBounds, type SectorId } from './sector.js';
import { SEEDS } from './test-support.node.js';

const SIZE = 10;

function inside(p: Point, id: SectorId): boolean {
  const b = bounds(id, SIZE);
  return b.minX <= p.x && p.x < b.maxX && b.minY <= p.y && p.y < b.maxY;
}

/** Brute-force check of [S13]/[S14] against a model of unit positions; a message or undefined. */
function violation(act: SectorActivity, model: ReadonlyMap<string, Point>, rng: Rng): string | undefined {
  const leaves = act.activeSectors();
  if (act.size !== model.size) return `size ${act.size} != ${model.size}`;
  let total = 0;
  const seen = new Set<string>();
  for (const leaf of leaves) {
    const here = act.unitsIn(leaf);
    if (act.load(leaf).units !== here.length) return `${key(leaf)} counts ${act.load(leaf).units}, holds ${here.length}`;
    total += here.length;
    for (const u of here) {
      if (seen.has(u)) return `unit ${u} is in two active sectors`;
      seen.add(u);
    }
  }
  if (total !== model.size) return `active sectors hold ${total} units, expected ${model.size}`;
  const { min, max } = coordRange(MAX_SCALE);
  let roots = 0;
  for (let x = min; x <= max; x++) for (let y = min; y <= max; y++) roots += act.load(sector(x, y, MAX_SCALE)).units;
  if (roots !== model.size) return `root sectors count ${roots}, expected ${model.size}`;
  for (const [u, p] of model) {
    const holders = leaves.filter((l) => inside(p, l));
    if (holders.length !== 1) return `unit ${u} at (${p.x}, ${p.y}) lies in ${holders.length} active sectors`;
    if (!sectorEquals(act.sectorOf(u)!, holders[0]!)) return `sectorOf(${u}) is ${key(act.sectorOf(u)!)}, not ${key(holders[0]!)}`;
  }
  for (let i = 0; i < 10; i++) {
    // Half the probes around a unit, so they see non-zero counts and activity.
    const near = rng.next() < 0.5 ? [...model.values()][randomInt(rng, model.size)] : undefined;
    const at = near ?? { x: (rng.next() - 0.5) * 2000, y: (rng.next() - 0.5) * 2000 };
    const probe = fromPoint(at.x, at.y, randomBetween(rng, 0, 8), SIZE);

    const expected = [...model.values()].filter((p) => inside(p, probe)).length;
    if (act.load(probe).units !== expected) return `load(${key(probe)}) is ${act.load(probe).units}, expected ${expected}`;
    if (probe.scale > 0) {
      const sum = children(probe).reduce((a, c) => a + act.load(c).activity, 0);
      if (act.load(probe).activity !== sum) return `activity of ${key(probe)} is ${act.load(probe).activity}, its children sum to ${sum}`;
    }
  }
  return undefined;
}

describe('SectorActivity', () => {
  it('[S13] places units into new active sectors at the default scale', () => {
    const act = new SectorActivity({ sectorSize: SIZE, scale: 2 });
    expect(act.place('a', { x: 5, y: 5 })).toEqual(sector(0, 0, 2));
    expect(act.place('b', { x: -0.5, y: 39 })).toEqual(sector(-1, 0, 2));
    expect(act.place('c', { x: 39.9, y: 0 })).toEqual(sector(0, 0, 2));
    expect(act.activeSectors()).toEqual([sector(-1, 0, 2), sector(0, 0, 2)]);
    expect(act.load(sector(0, 0, 2))).toEqual({ units: 2, activity: 2 });
    expect(act.size).toBe(3);
    expect(() => act.place('a', { x: 0, y: 0 })).toThrow(ArgumentError);
  });

  it('[S13] hands a unit off only when it crosses into another active sector', () => {
    const act = new SectorActivity({ sectorSize: SIZE, scale: 2 });
    act.place('a', { x: 5, y: 5 });
    // across scale-0 borders, inside the same scale-2 active sector: no hand-off
    expect(act.move('a', { x: 5, y: 5 }, { x: 35, y: 25 })).toBeUndefined();
    // placement 1, plus the move once in the cell it left and once in the cell it entered
    expect(act.load(sector(0, 0, 2))).toEqual({ units: 1, activity: 3 });
    expect(act.load(sector(3, 2, 0))).toEqual({ units: 1, activity: 1 });
    expect(act.move('a', { x: 35, y: 25 }, { x: 36, y: 26 })).toBeUndefined();
    expect(act.load(sector(3, 2, 0)).activity).toBe(2);
    expect(act.load(sector(-1, -1, MAX_SCALE)).activity).toBe(0);
    expect(act.load(sector(0, 0, MAX_SCALE)).activity).toBe(4);
    const h = act.move('a', { x: 35, y: 25 }, { x: -1, y: 25 });
    expect(h).toEqual({ unit: 'a', from: sector(0, 0, 2), to: sector(-1, 0, 2) });
    expect(act.sectorOf('a')).toEqual(sector(-1, 0, 2));
    expect(act.sectorAt({ x: 1, y: 1 })).toEqual(sector(0, 0, 2));
    expect(act.load(sector(0, 0, 2)).units).toBe(0);
    expect(act.remove('a')).toEqual(sector(-1, 0, 2));
    expect(act.remove('a')).toBeUndefined();
    expect(act.size).toBe(0);
  });

  it('[S13] a rejected move changes nothing', () => {
    const act = new SectorActivity({ sectorSize: SIZE, scale: 1 });
    act.place('a', { x: 5, y: 5 });
    const before = JSON.stringify([act.activeSectors(), act.load(sector(0, 0, 1)), act.sectorOf('a')]);
    expect(() => act.move('a', { x: 15, y: 5 }, { x: 25, y: 5 })).toThrow(ArgumentError);
    expect(() => act.move('a', { x: 5, y: 5 }, { x: worldBounds(SIZE).maxX, y: 5 })).toThrow(ArgumentError);
    expect(() => act.move('a', { x: 5, y: 5 }, { x: Number.NaN, y: 5 })).toThrow(ArgumentError);
    expect(() => act.move('ghost', { x: 5, y: 5 }, { x: 6, y: 5 })).toThrow(ArgumentError);
    expect(JSON.stringify([act.activeSectors(), act.load(sector(0, 0, 1)), act.sectorOf('a')])).toBe(before);
  });

  it('validates its options', () => {
    expect(() => new SectorActivity({ sectorSize: 0, scale: 2 })).toThrow(ArgumentError);
    expect(() => new SectorActivity({ sectorSize: SIZE, scale: MAX_SCALE + 1 })).toThrow(ArgumentError);
    expect(() => new SectorActivity({ sectorSize: SIZE, scale: 2, resolution: 3 })).toThrow(ArgumentError);
    const act = new SectorActivity({ sectorSize: SIZE, scale: 3, resolution: 1 });
    expect(() => act.load(sector(0, 0, 0))).toThrow(ArgumentError);
  });

  it.each(SEEDS)('[S13] thousands of random moves conserve units and keep each in exactly one active sector (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const act = new SectorActivity<string>({ sectorSize: SIZE, scale: 3 });
    const policy = rebalancePolicy({ splitAbove: 8, mergeBelow: 3, coldRounds: 2, activityWeight: 0.1 });
    const model = new Map<string, Point>();
    const randomPoint = (): Point =>
      rng.next() < 0.7 ? { x: (rng.next() - 0.5) * 200, y: (rng.next() - 0.5) * 200 } : { x: (rng.next() - 0.5) * 2000, y: (rng.next() - 0.5) * 2000 };
    let next = 0;
    let handOffs = 0;
    let reshapes = 0;
    for (let step = 0; step < 4000; step++) {
      const r = rng.next();
      const msg = `seed ${seed} step ${step}`;
      if (r < 0.05 || model.size < 5) {
        const u = `u${next++}`;
        const p = randomPoint();
        act.place(u, p);
        model.set(u, p);
      } else if (r < 0.08) {
        const u = [...model.keys()][randomInt(rng, model.size)]!;
        act.remove(u);
        model.delete(u);
      } else {
        const u = [...model.keys()][randomInt(rng, model.size)]!;
        const from = model.get(u)!;
        // Mostly short steps that cross borders often; sometimes a teleport.
        const to = rng.next() < 0.9 ? { x: from.x + (rng.next() - 0.5) * 30, y: from.y + (rng.next() - 0.5) * 30 } : randomPoint();
        const was = act.sectorOf(u)!;
        const h: HandOff | undefined = act.move(u, from, to);
        model.set(u, to);
        const now = act.sectorOf(u)!;
        if (h) {
          handOffs++;
          if (!sectorEquals(h.from, was) || !sectorEquals(h.to, now) || sectorEquals(was, now) || h.unit !== u) {
            expect.fail(`${msg}: hand-off ${JSON.stringify(h)} but ${key(was)} -> ${key(now)}`);
          }
        } else if (!sectorEquals(was, now)) {
          expect.fail(`${msg}: ${u} moved ${key(was)} -> ${key(now)} without a hand-off`);
        }
        if (!inside(to, now)) expect.fail(`${msg}: ${u} at (${to.x}, ${to.y}) is not inside ${key(now)}`);
      }
      if (step % 50 === 49) reshapes += act.rebalance(policy).splits.length;
      if (step % 250 === 249) expect(violation(act, model, rng), msg).toBeUndefined();
    }
    expect(handOffs, `seed ${seed}`).toBeGreaterThan(100);
    expect(reshapes, `seed ${seed}`).toBeGreaterThan(0);
  });

  it.each(SEEDS)('[S18] under a constant load the active sectors settle and stay put (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const act = new SectorActivity({ sectorSize: SIZE, scale: 4 });
    const policy = rebalancePolicy({ splitAbove: 6, mergeBelow: 2, coldRounds: 2, activityWeight: 0.5 });
    const points: Point[] = [];
    for (let i = 0; i < 150; i++) {
      const p = rng.next() < 0.5 ? { x: rng.next() * 80, y: rng.next() * 80 } : { x: (rng.next() - 0.5) * 3000, y: (rng.next() - 0.5) * 3000 };
      // Each unit jitters inside its own scale-0 sector every round: constant activity, no hand-offs.
      const cell = fromPoint(p.x, p.y, 0, SIZE);
      points.push({ x: cell.x * SIZE + 1, y: cell.y * SIZE + 1 });
      act.place(`u${i}`, points[i]!);
    }
    const jitter = (): void => {
      for (let i = 0; i < points.length; i += 3) {
        const p = points[i]!;
        expect(act.move(`u${i}`, p, { x: p.x + 5, y: p.y + 5 })).toBeUndefined();
        act.move(`u${i}`, { x: p.x + 5, y: p.y + 5 }, p);
      }
    };
    let changes = 0;
    for (let r = 0; r < 40; r++) {
      jitter();
      const plan = act.rebalance(policy);
      changes += plan.splits.length + plan.merges.length + plan.dropped.length;
    }
    expect(changes, `seed ${seed}`).toBeGreaterThan(0);
    const settled = act.activeSectors();
    for (let r = 0; r < 30; r++) {
      jitter();
      const plan = act.rebalance(policy);
      expect([plan.splits, plan.merges, plan.dropped], `seed ${seed} round ${r}`).toEqual([[], [], []]);
    }
    expect(act.activeSectors(), `seed ${seed}`).toEqual(settled);
    const model = new Map(points.map((p, i) => [`u${i}`, p] as const));
    expect(violation(act, model, rng), `seed ${seed}`).toBeUndefined();
  });

  it('[S19] summarizes the units of any sector by owner', () => {
    const act = new SectorActivity<number>({ sectorSize: SIZE, scale: 1 });
    act.place(1, { x: 1, y: 1 });
    act.place(2, { x: 12, y: 1 });
    act.place(3, { x: -5, y: 1 });
    const owner = (u: number): string => (u % 2 === 0 ? 'even' : 'odd');
    const s = act.summaryOf(sector(0, 0, 1), owner);
    expect(s.count).toBe(2);
    expect({ ...s.owners }).toEqual({ even: 1, odd: 1 });
    expect(s.activity).toBe(2);
    expect({ ...act.summaryOf(sector(-1, 0, 3), owner).owners }).toEqual({ odd: 1 });
    expect(act.summaryOf(sector(0, 0, 3), owner).count).toBe(2);
  });
});
