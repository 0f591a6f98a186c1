/**
 * Hot/cold policy of the scale-adaptive quadtree, as a pure function: given the active sectors,
 * each sector's load and the policy's memory from the previous round, {@link planRebalance}
 * returns the next active set. It splits hot sectors ([S15]), merges cold siblings into their
 * parent ([S16]) and drops sectors that stayed empty ([S17]). The split and merge thresholds are
 * tested against the same sector's load, so with `mergeBelow <= splitAbove` a constant load can
 * never both split and re-merge a sector: the layout settles and stays put ([S18]).
 */
import { ArgumentError } from '../errors.js';
import { SectorLayout } from './layout.js';
import { MAX_SCALE, children, compareSectors, key, parent, type SectorId } from './sector.js';

/** What a sector costs: resident units and unit events (place, move, remove) in the last round. */
export interface SectorLoad {
  readonly units: number;
  readonly activity: number;
}

/** Thresholds of {@link planRebalance}. Build one with {@link rebalancePolicy}. */
export interface RebalancePolicy {
  /** A sector whose load exceeds this splits into its children ([S15]). */
  readonly splitAbove: number;
  /** Sibling sectors merge when their parent's load stays below this ([S16]); at most `splitAbove`. */
  readonly mergeBelow: number;
  /** Consecutive cold (or empty) rounds before a merge (or a drop), so a blip does not reshape shards. */
  readonly coldRounds: number;
  /** Load = units + activityWeight × activity. */
  readonly activityWeight: number;
  /** No split below this scale. */
  readonly minScale: number;
  /** No merge above this scale. */
  readonly maxScale: number;
}

/**
 * Defaults: a shard splits past 64 units (or the equivalent in traffic: four unit events weigh
 * one resident unit) and merges back below 16, a quarter, so a sector that just split is far
 * from merging. Three rounds of hysteresis.
 */
export const DEFAULT_REBALANCE_POLICY: RebalancePolicy = Object.freeze({
  splitAbove: 64,
  mergeBelow: 16,
  coldRounds: 3,
  activityWeight: 0.25,
  minScale: 0,
  maxScale: MAX_SCALE,
});

function fail(field: string, value: unknown, expected: string): never {
  throw new ArgumentError(`Rebalance policy ${field} ${String(value)} is invalid: ${expected}.`, { field, value });
}

/**
 * {@link DEFAULT_REBALANCE_POLICY} with `overrides`, validated. Throws {@link ArgumentError}.
 *
 * @example
 * ```ts
 * const policy = rebalancePolicy({ splitAbove: 64, mergeBelow: 16 });
 * rebalancePolicy({ splitAbove: 10, mergeBelow: 20 }); // throws ArgumentError: would flap
 * ```
 */
export function rebalancePolicy(overrides: Partial<RebalancePolicy> = {}): RebalancePolicy {
  const p = { ...DEFAULT_REBALANCE_POLICY, ...overrides };
  if (!(p.splitAbove > 0) || !Number.isFinite(p.splitAbove)) fail('splitAbove', p.splitAbove, 'use a positive finite number');
  if (!(p.mergeBelow >= 0) || !(p.mergeBelow <= p.splitAbove)) {
    fail('mergeBelow', p.mergeBelow, `use a number in 0..splitAbove (${p.splitAbove}), or sectors would split and merge in turn`);
  }
  if (!Number.isInteger(p.coldRounds) || p.coldRounds < 1) fail('coldRounds', p.coldRounds, 'use an integer >= 1');
  if (!(p.activityWeight >= 0) || !Number.isFinite(p.activityWeight)) fail('activityWeight', p.activityWeight, 'use a finite number >= 0');
  if (!Number.isInteger(p.minScale) || p.minScale < 0 || p.minScale > MAX_SCALE) fail('minScale', p.minScale, `use an integer in 0..${MAX_SCALE}`);
  if (!Number.isInteger(p.maxScale) || p.maxScale < p.minScale || p.maxScale > MAX_SCALE) {
    fail('maxScale', p.maxScale, `use an integer in minScale (${p.minScale})..${MAX_SCALE}`);
  }
  return Object.freeze(p);
}

/**
 * The single number thresholds are compared with.
 *
 * @example
 * ```ts
 * loadValue({ units: 40, activity: 100 }, DEFAULT_REBALANCE_POLICY); // 65 = 40 + 0.25 × 100
 * ```
 */
export function loadValue(load: SectorLoad, policy: RebalancePolicy): number {
  return load.units + policy.activityWeight * load.activity;
}

/** Input of {@link planRebalance}. */
export interface RebalanceInput {
  /** The active sectors now; they must not overlap. */
  readonly leaves: Iterable<SectorId>;
  /** Load of any sector (leaves, their parents and children); must be additive in units. */
  readonly load: (id: SectorId) => SectorLoad;
  readonly policy: RebalancePolicy;
  /** `memory` of the previous plan; empty on the first round. */
  readonly memory?: ReadonlyMap<string, number>;
}

/** A hot sector replaced by those of its children that hold units. */
export interface SectorSplit {
  readonly sector: SectorId;
  readonly into: SectorId[];
}

/** Cold sibling sectors replaced by their parent. */
export interface SectorMerge {
  readonly sector: SectorId;
  readonly from: SectorId[];
}

/** Result of one {@link planRebalance} round. Lists are sorted by {@link compareSectors}. */
export interface RebalancePlan {
  /** The active sectors after this round: non-overlapping, covering every sector with units that the input covered. */
  readonly leaves: SectorId[];
  readonly splits: SectorSplit[];
  readonly merges: SectorMerge[];
  /** Active sectors removed because they stayed empty for `coldRounds` rounds ([S17]). */
  readonly dropped: SectorId[];
  /** Consecutive cold rounds per sector key; pass it to the next round. */
  readonly memory: ReadonlyMap<string, number>;
}

/**
 * One round of the hot/cold policy. In order: drop leaves empty for `coldRounds` rounds
 * ([S17]); merge the leaf children of a parent whose load stayed below `mergeBelow` for
 * `coldRounds` rounds, when no deeper leaf lies under it and it is at most `maxScale` ([S16]);
 * split every other leaf above `splitAbove` and above `minScale` into its children that hold
 * units ([S15]). Each sector moves at most one scale per round. Pure: the same input gives the
 * same plan. Throws {@link ArgumentError} if `leaves` overlap.
 *
 * @example
 * ```ts
 * const plan = planRebalance({
 *   leaves: [sector(0, 0, 1)],
 *   load: (id) => ({ units: id.scale === 1 ? 100 : 25, activity: 0 }),
 *   policy: rebalancePolicy({ splitAbove: 64 }),
 * });
 * plan.leaves.map(key); // ['s0:0,0', 's0:1,0', 's0:0,1', 's0:1,1']: the hot sector split
 * ```
 */
export function planRebalance(input: RebalanceInput): RebalancePlan {
  const { policy } = input;
  const memory = input.memory ?? new Map<string, number>();
  const layout = new SectorLayout(input.leaves);
  const next = new Map<string, number>();
  const cold = (id: SectorId): boolean => {
    const k = key(id);
    const rounds = (memory.get(k) ?? 0) + 1;
    if (rounds >= policy.coldRounds) return true;
    next.set(k, rounds);
    return false;
  };

  const dropped: SectorId[] = [];
  for (const leaf of layout.leaves()) {
    if (input.load(leaf).units === 0 && cold(leaf)) {
      layout.remove(leaf);
      dropped.push(leaf);
    }
  }

  const merges: SectorMerge[] = [];
  const candidates = new Map<string, SectorId>();
  for (const leaf of layout.leaves()) {
    const p = parent(leaf);
    if (p && p.scale <= policy.maxScale) candidates.set(key(p), p);
  }
  const created = new Set<string>();
  // Coarse first: a parent whose child merges this round still has deeper leaves when it is
  // examined, so nothing climbs two scales in one round.
  for (const p of [...candidates.values()].sort((a, b) => compareSectors(b, a))) {
    const from = children(p).filter((c) => layout.has(c));
    if (from.length !== layout.leavesBelow(p)) continue;
    if (loadValue(input.load(p), policy) >= policy.mergeBelow) continue;
    if (!cold(p)) continue;
    for (const c of from) {
      layout.remove(c);
      next.delete(key(c));
    }
    layout.add(p);
    created.add(key(p));
    merges.push({ sector: p, from });
  }

  const splits: SectorSplit[] = [];
  for (const leaf of layout.leaves()) {
    if (created.has(key(leaf)) || leaf.scale <= policy.minScale) continue;
    if (loadValue(input.load(leaf), policy) <= policy.splitAbove) continue;
    const into = children(leaf).filter((c) => input.load(c).units > 0);
    if (into.length === 0) continue;
    layout.remove(leaf);
    next.delete(key(leaf));
    for (const c of into) layout.add(c);
    splits.push({ sector: leaf, into });
  }

  merges.sort((a, b) => compareSectors(a.sector, b.sector));
  return { leaves: layout.leaves(), splits, merges, dropped, memory: next };
}
