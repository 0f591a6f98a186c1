/**
 * Which sectors hold units, and which active sector (shard) each unit is in ([S13]). Sectors with
 * units become shards; empty ones cost nothing and are dropped by {@link SectorActivity.rebalance}.
 * Units are tracked at the `resolution` scale. Unit counts are kept for every coarser scale too,
 * so a sector's count is one map lookup and a move costs O(scales whose sector changes); activity
 * is kept at `resolution` only and summed up when a coarser sector's load is asked for.
 */
import { ArgumentError } from '../errors.js';
import { SectorLayout } from './layout.js';
import { DEFAULT_REBALANCE_POLICY, planRebalance, type RebalancePlan, type RebalancePolicy, type SectorLoad } from './rebalance.js';
import { MAX_SCALE, contains, fromPoint, key, sectorEquals, type SectorId } from './sector.js';
import { summarize, type SectorSummary } from './summary.js';

/** First index of each scale in {@link cellIndex}: scale `s` has 4^(MAX_SCALE + 1 - s) sectors. */
const LEVEL_START: readonly number[] = (() => {
  const out: number[] = [];
  let acc = 0;
  for (let s = 0; s <= MAX_SCALE; s++) {
    out.push(acc);
    acc += 4 ** (MAX_SCALE + 1 - s);
  }
  return out; // the total, about 1.5e15, stays below 2^53
})();

/** A distinct safe integer for every sector of the world. */
function cellIndex(x: number, y: number, scale: number): number {
  const half = 2 ** (MAX_SCALE - scale);
  return LEVEL_START[scale]! + (x + half) * 2 * half + (y + half);
}

/** A point in world units. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A unit crossed from one active sector into another: the `from` shard's czar hands it to the `to` shard's. */
export interface HandOff<U = string> {
  readonly unit: U;
  readonly from: SectorId;
  readonly to: SectorId;
}

/** Options of {@link SectorActivity}. */
export interface SectorActivityOptions {
  /** Side of a scale-0 sector in world units. */
  readonly sectorSize: number;
  /** Scale of a shard created for a unit in uncovered space (the coarsest free sector up to it). */
  readonly scale: number;
  /** Finest scale tracked: no shard is smaller. Default 0; at most `scale`. */
  readonly resolution?: number;
}

/**
 * Unit bookkeeping over a scale-adaptive set of active sectors ([S13]). Every unit is in exactly
 * one sector at `resolution` and exactly one active sector; the active sectors never overlap
 * ([S14]). Units are identified by any string or number.
 *
 * @example
 * ```ts
 * const activity = new SectorActivity({ sectorSize: 100, scale: 2 });
 * activity.place('tank', { x: 50, y: 50 }); // s2:0,0
 * const handOff = activity.move('tank', { x: 50, y: 50 }, { x: 450, y: 50 });
 * // { unit: 'tank', from: s2:0,0, to: s2:1,0 }: move the unit to the other sector's shard
 * ```
 */
export class SectorActivity<U extends string | number = string> {
  readonly sectorSize: number;
  readonly scale: number;
  readonly resolution: number;
  private readonly unitBase = new Map<U, SectorId>();
  // Keyed by cellIndex(): numbers, not key() strings, since every move updates up to 25 scales.
  private readonly unitCounts = new Map<number, number>();
  /** Unit events per sector at `resolution` only: one map update per event, rolled up on demand. */
  private readonly events = new Map<number, number>();
  private rolledEvents: Map<number, number> | undefined;
  private layout = new SectorLayout();
  private memory: ReadonlyMap<string, number> = new Map();

  constructor(options: SectorActivityOptions) {
    const resolution = options.resolution ?? 0;
    fromPoint(0, 0, options.scale, options.sectorSize); // validates scale and sectorSize
    if (!Number.isInteger(resolution) || resolution < 0 || resolution > options.scale) {
      throw new ArgumentError(`resolution ${String(resolution)} is invalid: use an integer in 0..scale (${options.scale}).`, { resolution });
    }
    this.sectorSize = options.sectorSize;
    this.scale = options.scale;
    this.resolution = resolution;
  }

  /** Number of units. */
  get size(): number {
    return this.unitBase.size;
  }

  private base(p: Point, what: string): SectorId {
    if (typeof p !== 'object' || p === null) throw new ArgumentError(`${what} must be a point { x, y } in world units.`, { point: p });
    return fromPoint(p.x, p.y, this.resolution, this.sectorSize);
  }

  private known(unit: U): SectorId {
    const b = this.unitBase.get(unit);
    if (b === undefined) throw new ArgumentError(`Unit ${String(unit)} is not placed; call place() first.`, { unit });
    return b;
  }

  private static bump(map: Map<number, number>, cell: number, delta: number): void {
    const n = (map.get(cell) ?? 0) + delta;
    if (n === 0) map.delete(cell);
    else map.set(cell, n);
  }

  /** Counts one event in `a` and, if different, one in `b` (both at `resolution`). */
  private touch(a: SectorId, b: SectorId): void {
    SectorActivity.bump(this.events, cellIndex(a.x, a.y, a.scale), 1);
    if (a.x !== b.x || a.y !== b.y) SectorActivity.bump(this.events, cellIndex(b.x, b.y, b.scale), 1);
    this.rolledEvents = undefined;
  }

  /** Activity of every sector coarser than `resolution`, summed from the finest cells. */
  private rolled(): Map<number, number> {
    if (this.rolledEvents) return this.rolledEvents;
    const out = new Map<number, number>();
    const res = this.resolution;
    const half = 2 ** (MAX_SCALE - res);
    for (const [cell, n] of this.events) {
      const i = cell - LEVEL_START[res]!;
      const x = Math.floor(i / (2 * half)) - half;
      const y = (i % (2 * half)) - half;
      for (let s = res + 1, d = 1; s <= MAX_SCALE; s++, d++) SectorActivity.bump(out, cellIndex(x >> d, y >> d, s), n);
    }
    this.rolledEvents = out;
    return out;
  }

  /** Moves one unit of count from `a`'s ancestors to `b`'s (both at `resolution`), stopping where they meet. */
  private shift(a: SectorId | undefined, b: SectorId | undefined): void {
    for (let s = this.resolution, d = 0; s <= MAX_SCALE; s++, d++) {
      if (a && b && a.x >> d === b.x >> d && a.y >> d === b.y >> d) return;
      if (a) SectorActivity.bump(this.unitCounts, cellIndex(a.x >> d, a.y >> d, s), -1);
      if (b) SectorActivity.bump(this.unitCounts, cellIndex(b.x >> d, b.y >> d, s), 1);
    }
  }

  private cover(base: SectorId): SectorId {
    const leaf = this.layout.leafOf(base);
    if (leaf) return leaf;
    const created = this.layout.coverFor(base, this.scale)!;
    this.layout.add(created);
    return created;
  }

  /**
   * Adds `unit` at `at` and returns its active sector, created if no active sector covers the
   * point. Throws {@link ArgumentError} if the unit is already placed or the point is outside the world.
   */
  place(unit: U, at: Point): SectorId {
    const b = this.base(at, 'place() point');
    if (this.unitBase.has(unit)) throw new ArgumentError(`Unit ${String(unit)} is already placed; use move().`, { unit });
    this.unitBase.set(unit, b);
    this.shift(undefined, b);
    this.touch(b, b);
    return this.cover(b);
  }

  /**
   * Moves `unit` from `from` (where it was last reported) to `to`. Returns the hand-off when its
   * active sector changes ([S13]), else `undefined`. Throws {@link ArgumentError}, changing
   * nothing, if the unit is unknown, `from` is not in the sector it was recorded in, or `to` is
   * outside the world.
   */
  move(unit: U, from: Point, to: Point): HandOff<U> | undefined {
    const was = this.known(unit);
    const claimed = this.base(from, 'move() from');
    const now = this.base(to, 'move() to');
    if (claimed.x !== was.x || claimed.y !== was.y) {
      throw new ArgumentError(
        `Unit ${String(unit)} is recorded in sector ${key(was)}, but move() says it came from ${key(claimed)}: pass the position last given to place() or move().`,
        { unit, recorded: key(was), claimed: key(claimed) },
      );
    }
    this.touch(was, now);
    if (now.x === was.x && now.y === was.y) return undefined;
    const fromLeaf = this.layout.leafOf(was)!;
    this.unitBase.set(unit, now);
    this.shift(was, now);
    const toLeaf = this.cover(now);
    return sectorEquals(fromLeaf, toLeaf) ? undefined : { unit, from: fromLeaf, to: toLeaf };
  }

  /** Removes `unit`; returns the active sector it left, or `undefined` if it was not placed. */
  remove(unit: U): SectorId | undefined {
    const b = this.unitBase.get(unit);
    if (b === undefined) return undefined;
    this.unitBase.delete(unit);
    this.shift(b, undefined);
    this.touch(b, b);
    return this.layout.leafOf(b);
  }

  /** The active sector holding `unit`, or `undefined` if it is not placed. */
  sectorOf(unit: U): SectorId | undefined {
    const b = this.unitBase.get(unit);
    return b && this.layout.leafOf(b);
  }

  /** The active sector covering the point `at`, if any. */
  sectorAt(at: Point): SectorId | undefined {
    return this.layout.leafOf(this.base(at, 'sectorAt() point'));
  }

  private checkScale(id: SectorId): void {
    if (id.scale < this.resolution) {
      throw new ArgumentError(`Sector ${key(id)} is finer than the tracked resolution ${this.resolution}; ask about scale ${this.resolution} or coarser.`, {
        sector: key(id),
      });
    }
  }

  /**
   * Units inside `id`, and unit events in it since the last {@link rebalance}: a placement or a
   * removal counts once, a move once in the `resolution` sector it left and once in the one it
   * entered (once if the same), so activity adds up over children like units do. The first query
   * of a coarser sector after an event costs one roll-up over the sectors with events.
   */
  load(id: SectorId): SectorLoad {
    this.checkScale(id);
    const cell = cellIndex(id.x, id.y, id.scale);
    const events = id.scale === this.resolution ? this.events : this.rolled();
    return { units: this.unitCounts.get(cell) ?? 0, activity: events.get(cell) ?? 0 };
  }

  /** Units inside `id` (any scale at or above `resolution`), in placement order. O(units). */
  unitsIn(id: SectorId): U[] {
    this.checkScale(id);
    const out: U[] = [];
    for (const [unit, b] of this.unitBase) if (contains(id, b)) out.push(unit);
    return out;
  }

  /** {@link summarize} of the units in `id`, with its activity ([S19]). O(units). */
  summaryOf(id: SectorId, ownerOf: (unit: U) => string): SectorSummary {
    return summarize(
      this.unitsIn(id).map((u) => ({ owner: ownerOf(u) })),
      this.load(id).activity,
    );
  }

  /** The active sectors (shards), sorted by `compareSectors`. They never overlap and cover every unit. */
  activeSectors(): SectorId[] {
    return this.layout.leaves();
  }

  /**
   * Applies one round of {@link planRebalance} to the active sectors with this activity's loads,
   * then starts a new activity window. Returns the plan: splits and merges move units between
   * shards wholesale (no {@link HandOff} is reported for them). Splits never go below `resolution`.
   */
  rebalance(policy: RebalancePolicy = DEFAULT_REBALANCE_POLICY): RebalancePlan {
    // Loads finer than the tracked resolution are unknown, so no split goes below it.
    const effective = policy.minScale >= this.resolution ? policy : { ...policy, minScale: this.resolution };
    const plan = planRebalance({ leaves: this.layout.leaves(), load: (id) => this.load(id), policy: effective, memory: this.memory });
    this.layout = new SectorLayout(plan.leaves);
    this.memory = plan.memory;
    this.events.clear();
    this.rolledEvents = undefined;
    return plan;
  }
}
