import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { SeededRng, randomBetween, randomInt, type Rng } from '../util/rng.js';
import { SectorLayout } from './layout.js';
import { planRebalance, rebalancePolicy, type RebalancePlan, type RebalancePolicy, type SectorLoad } from './rebalance.js';
import { ancestorAt, children, contains, key, parent, sector, sectorEquals, type SectorId } from './sector.js';
import { SEEDS } from './test-support.node.js';

/** Loads computed by brute force from unit positions (scale-0 sectors) and per-sector activity. */
function loads(units: readonly SectorId[], activity: ReadonlyMap<string, number> = new Map()): (id: SectorId) => SectorLoad {
  return (id) => {
    let n = 0;
    for (const u of units) if (contains(id, u)) n++;
    return { units: n, activity: activity.get(key(id)) ?? 0 };
  };
}

function round(leaves: readonly SectorId[], units: readonly SectorId[], policy: RebalancePolicy, memory?: ReadonlyMap<string, number>): RebalancePlan {
  return planRebalance({ leaves, load: loads(units), policy, ...(memory ? { memory } : {}) });
}

function repeat(n: number, id: SectorId): SectorId[] {
  return Array.from({ length: n }, () => id);
}

/** Checks [S14] and coverage; returns a message for the first violation or undefined. */
function violation(leaves: readonly SectorId[], units: readonly SectorId[]): string | undefined {
  for (let i = 0; i < leaves.length; i++) {
    for (let j = i + 1; j < leaves.length; j++) {
      if (contains(leaves[i]!, leaves[j]!) || contains(leaves[j]!, leaves[i]!)) return `overlap ${key(leaves[i]!)} ${key(leaves[j]!)}`;
    }
  }
  for (const u of units) {
    const n = leaves.filter((l) => contains(l, u)).length;
    if (n !== 1) return `unit at ${key(u)} is in ${n} active sectors`;
  }
  return undefined;
}

describe('rebalancePolicy', () => {
  it('fills defaults and validates', () => {
    expect(rebalancePolicy({ splitAbove: 10, mergeBelow: 2 })).toMatchObject({ splitAbove: 10, mergeBelow: 2, coldRounds: 3 });
    expect(() => rebalancePolicy({ splitAbove: 10, mergeBelow: 11 })).toThrow(ArgumentError);
    expect(() => rebalancePolicy({ splitAbove: 0 })).toThrow(ArgumentError);
    expect(() => rebalancePolicy({ coldRounds: 0 })).toThrow(ArgumentError);
    expect(() => rebalancePolicy({ activityWeight: -1 })).toThrow(ArgumentError);
    expect(() => rebalancePolicy({ minScale: 5, maxScale: 4 })).toThrow(ArgumentError);
    expect(() => rebalancePolicy({ maxScale: 25 })).toThrow(ArgumentError);
  });
});

describe('planRebalance', () => {
  const policy = rebalancePolicy({ splitAbove: 4, mergeBelow: 2, coldRounds: 2, activityWeight: 0.5 });

  it('[S15] splits a hot sector into its children that hold units', () => {
    const units = [...repeat(3, sector(0, 0, 0)), ...repeat(2, sector(3, 3, 0))];
    const plan = round([sector(0, 0, 2)], units, policy);
    expect(plan.splits).toEqual([{ sector: sector(0, 0, 2), into: [sector(0, 0, 1), sector(1, 1, 1)] }]);
    expect(plan.leaves).toEqual([sector(0, 0, 1), sector(1, 1, 1)]);
  });

  it('[S15] counts activity in the load, and never splits at minScale', () => {
    const units = [sector(0, 0, 0), sector(1, 0, 0)];
    const activity = new Map([[key(sector(0, 0, 1)), 6]]);
    const plan = planRebalance({ leaves: [sector(0, 0, 1)], load: loads(units, activity), policy });
    expect(plan.leaves).toEqual([sector(0, 0, 0), sector(1, 0, 0)]);
    const floor = rebalancePolicy({ ...policy, minScale: 1 });
    expect(planRebalance({ leaves: [sector(0, 0, 1)], load: loads(units, activity), policy: floor }).splits).toEqual([]);
  });

  it('[S16] merges cold siblings after coldRounds consecutive cold rounds', () => {
    const units = [sector(0, 0, 0), sector(1, 1, 0)];
    const leaves = [sector(0, 0, 0), sector(1, 1, 0)];
    const cool = rebalancePolicy({ ...policy, mergeBelow: 3 });
    const first = round(leaves, units, cool);
    expect(first.merges).toEqual([]);
    expect(first.leaves).toEqual(leaves);
    const second = round(first.leaves, units, cool, first.memory);
    expect(second.merges).toEqual([{ sector: sector(0, 0, 1), from: leaves }]);
    expect(second.leaves).toEqual([sector(0, 0, 1)]);
  });

  it('[S16] a warm round resets the count, so a fluctuating load never merges', () => {
    const cold = [sector(0, 0, 0)];
    const warm = repeat(3, sector(0, 0, 0));
    let leaves = [sector(0, 0, 0), sector(1, 0, 0)];
    let memory: ReadonlyMap<string, number> = new Map();
    for (let r = 0; r < 20; r++) {
      const plan = round(leaves, r % 2 === 0 ? cold : warm, policy, memory);
      expect(plan.merges, `round ${r}`).toEqual([]);
      leaves = plan.leaves;
      memory = plan.memory;
    }
  });

  it('[S16] does not merge over a deeper active sector or above maxScale', () => {
    const units = [sector(0, 0, 0)];
    const nested = [sector(0, 0, 0), sector(1, 0, 0), sector(1, 1, 1)];
    let plan = round(nested, units, policy);
    plan = round(plan.leaves, units, policy, plan.memory);
    // (0,0,1) merges its two children; (0,0,2) had a deeper leaf, so it waits.
    expect(plan.merges.map((m) => key(m.sector))).toEqual(['s1:0,0']);
    const capped = rebalancePolicy({ ...policy, maxScale: 0 });
    plan = round([sector(0, 0, 0), sector(1, 0, 0)], units, capped);
    plan = round(plan.leaves, units, capped, plan.memory);
    expect(plan.merges).toEqual([]);
  });

  it('[S17] drops a sector that stays empty for coldRounds rounds', () => {
    const units = repeat(2, sector(100, 100, 0)); // load 2: not cold enough to merge
    const leaves = [sector(100, 100, 0), sector(-5, -5, 0)];
    const first = round(leaves, units, policy);
    expect(first.dropped).toEqual([]);
    const second = round(first.leaves, units, policy, first.memory);
    expect(second.dropped).toEqual([sector(-5, -5, 0)]);
    expect(second.leaves).toEqual([sector(100, 100, 0)]);
  });

  it('rejects overlapping active sectors', () => {
    expect(() => round([sector(0, 0, 0), sector(0, 0, 1)], [], policy)).toThrow(ArgumentError);
  });

  it.each(SEEDS)('[S18] random load sequences keep active sectors disjoint and covering every unit (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const p = rebalancePolicy({ splitAbove: 6, mergeBelow: 3, coldRounds: randomBetween(rng, 1, 3), activityWeight: 0.5, maxScale: 6 });
    const units: SectorId[] = [];
    const layout = new SectorLayout();
    const addUnit = (u: SectorId): void => {
      units.push(u);
      const cover = layout.coverFor(u, 3);
      if (cover) layout.add(cover);
    };
    for (let i = 0; i < 40; i++) addUnit(randomBase(rng));
    let leaves = layout.leaves();
    let memory: ReadonlyMap<string, number> = new Map();
    let splits = 0;
    let merges = 0;
    for (let r = 0; r < 60; r++) {
      // Units leave anywhere, arrive inside active sectors or in new ones, and activity is random.
      for (let k = randomInt(rng, 12); k > 0 && units.length > 0; k--) units.splice(randomInt(rng, units.length), 1);
      const current = new SectorLayout(leaves);
      for (let k = randomInt(rng, 12); k > 0; k--) {
        const u = leaves.length > 0 && rng.next() < 0.8 ? randomInside(rng, leaves[randomInt(rng, leaves.length)]!) : randomBase(rng);
        units.push(u);
        const cover = current.coverFor(u, 3);
        if (cover) current.add(cover);
      }
      leaves = current.leaves();
      const activity = new Map<string, number>();
      for (const l of leaves) if (rng.next() < 0.3) activity.set(key(l), randomInt(rng, 20));
      const before = leaves;
      const plan = planRebalance({ leaves, load: loads(units, activity), policy: p, memory });
      const msg = `seed ${seed} round ${r}`;
      expect(violation(plan.leaves, units), msg).toBeUndefined();
      expect(bookkeeping(before, plan), msg).toBeUndefined();
      for (const s of plan.splits) for (const c of s.into) expect(sectorEquals(parent(c)!, s.sector), msg).toBe(true);
      for (const m of plan.merges) expect(m.sector.scale, msg).toBeLessThanOrEqual(p.maxScale);
      splits += plan.splits.length;
      merges += plan.merges.length;
      leaves = plan.leaves;
      memory = plan.memory;
    }
    // The run must exercise both directions, or it proves nothing.
    expect(splits, `seed ${seed}`).toBeGreaterThan(0);
    expect(merges, `seed ${seed}`).toBeGreaterThan(0);
  });

  it.each(SEEDS)('[S18] settles under a constant load and then never changes (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const p = rebalancePolicy({ splitAbove: 5, mergeBelow: 5, coldRounds: 1, activityWeight: 1 });
    const units = Array.from({ length: 120 }, () => (rng.next() < 0.6 ? randomInside(rng, sector(0, 0, 3)) : randomBase(rng)));
    const activity = new Map<string, number>();
    const layout = new SectorLayout();
    for (const u of units) {
      const cover = layout.coverFor(u, 5);
      if (cover) layout.add(cover);
      const hot = ancestorAt(u, randomBetween(rng, 0, 6));
      activity.set(key(hot), (activity.get(key(hot)) ?? 0) + 1);
    }
    const load = loads(units, activity);
    let leaves = layout.leaves();
    let memory: ReadonlyMap<string, number> = new Map();
    let changes = 0;
    for (let r = 0; r < 60; r++) {
      const plan = planRebalance({ leaves, load, policy: p, memory });
      changes += plan.splits.length + plan.merges.length + plan.dropped.length;
      leaves = plan.leaves;
      memory = plan.memory;
    }
    expect(changes, `seed ${seed}`).toBeGreaterThan(0);
    for (let r = 0; r < 30; r++) {
      const plan = planRebalance({ leaves, load, policy: p, memory });
      expect([plan.splits, plan.merges, plan.dropped], `seed ${seed} round ${r}`).toEqual([[], [], []]);
      expect(plan.leaves, `seed ${seed} round ${r}`).toEqual(leaves);
      memory = plan.memory;
    }
    expect(violation(leaves, units), `seed ${seed}`).toBeUndefined();
  });
});

function randomBase(rng: Rng): SectorId {
  return sector(randomBetween(rng, -64, 63), randomBetween(rng, -64, 63), 0);
}

function randomInside(rng: Rng, id: SectorId): SectorId {
  const n = 2 ** id.scale;
  return sector(id.x * n + randomInt(rng, n), id.y * n + randomInt(rng, n), 0);
}

/** The plan's leaves are exactly the input, minus what it removed, plus what it added. */
function bookkeeping(before: readonly SectorId[], plan: RebalancePlan): string | undefined {
  const set = new Set(before.map(key));
  for (const d of plan.dropped) if (!set.delete(key(d))) return `dropped ${key(d)} was not active`;
  for (const m of plan.merges) {
    for (const c of m.from) {
      if (!children(m.sector).some((k) => sectorEquals(k, c))) return `merge ${key(m.sector)} from non-child ${key(c)}`;
      if (!set.delete(key(c))) return `merged ${key(c)} was not active`;
    }
    set.add(key(m.sector));
  }
  for (const s of plan.splits) {
    if (!set.delete(key(s.sector))) return `split ${key(s.sector)} was not active`;
    for (const c of s.into) set.add(key(c));
  }
  const after = plan.leaves.map(key).sort();
  const expected = [...set].sort();
  return after.join() === expected.join() ? undefined : `leaves ${after.join(' ')} != ${expected.join(' ')}`;
}
