/**
 * `SectorWorld`: units that live in sector shards on top of a {@link Room}, handed from one
 * sector's czar to the next as they move, with interest-scoped replication, per-region summaries
 * for zoomed-out views, and hot/cold rebalancing of the sectors. Rules (tests cite them):
 *
 * - [S20] The world is a rectangle of whole regions (sectors at `regionScale`). Each region's
 *   active sectors (its layout, stored in its region shard) tile it: every point of the world is
 *   in exactly one active sector at every moment, whatever the rebalancing did.
 * - [S21] Shards: a sector's state is the shard named by its key ([S12]), a region's is
 *   `region:<key>`. Once its membership view has rested `stableViewMs` (or every 3 × that under
 *   churn), a peer declares every region shard and every active sector shard (with rebalancing,
 *   also their parents and children) whose succession (czar and backups) it is in, so failover
 *   always finds a replica. A shard not needed for 10 s (outside its succession by a settled
 *   view, not watched, not written by it, not asked for by a hand-off or a spawn) is withdrawn
 *   (`Room.withdrawShard`), so what a peer holds follows where it plays.
 * - [S22] Hand-off: the czar of a sector moves each unit no longer inside it from `units` to
 *   `outbox` under a fresh transfer id (one mutation). Once that write is committed ([R23]: the
 *   first backup holds it, so no failover can bring the unit back into `units`), whoever is czar
 *   of the source sends `{ op: 'in', tid, from, term, czar, seq, … }` to the destination's czar
 *   every `retryMs`, naming a point of the source (term, czar, seq) at which the entry is
 *   committed. The destination applies a transfer id at most once: it records `received[tid]`
 *   with the unit and that point, and once that write is committed marks it `ok`. A source that
 *   sees `ok` in its replica marks the outbox entry `settled` (no czar of the source sends it
 *   again) and deletes it once that mark is committed. A send can arrive late (behind
 *   retransmissions on the ordered channel) after its id was settled and forgotten, so an id the
 *   destination does not hold is judged by its replica of the source: applied only if that
 *   replica, at or past the named point ([R7] order), holds the entry unsettled; ignored if it
 *   holds it settled or no longer holds it (it was applied already); deferred while the replica
 *   is behind the point (the source sends again; the destination watches the source meanwhile).
 *   The destination forgets `received[tid]` once its replica of the source, at or past the
 *   recorded point, no longer holds the entry: the deletion followed the committed settled mark,
 *   so no czar of the source sends it again (a settled mark alone is not enough: a failover may
 *   lose it while uncommitted, and the next czar sends again). Progress is driven by time and
 *   replicated state only, never by promise callbacks.
 * - [S23] Counting: a unit is where its id is a key of `units`; a unit in an `outbox` only is
 *   pending. The ids in all `units` and `outbox` maps are a constant set (no loss), and no id is a
 *   key of two `units` maps (no duplicate), at every moment, across czar crashes.
 * - [S24] Summaries: each active sector's czar publishes, every `summaryMs`, its unit count, units
 *   per owner, activity and units per child sector to its region shard; the region keeps only
 *   summaries of its active sectors. A zoomed-out view watches the region shards in view only: no
 *   unit-level traffic.
 * - [S25] Rebalancing: each region's czar, every `rebalanceMs`, once every active sector of the
 *   region has a fresh summary, runs `planTiledRebalance` with those loads and writes the new
 *   layout; units of a sector that stopped being active are handed off by [S22].
 * - [S26] Interest: a view (a rectangle, or sectors) becomes the active sectors it overlaps plus
 *   neighbours ([S9]); a czar also watches the sectors around the ones it writes and its transfer
 *   partners; regions are watched when zoomed out or with rebalancing. A shard once needed stays
 *   watched 5 s, so interest does not flap.
 * - [S28] Membership that follows space (`scopeMembership`): once its view places enough peers
 *   near every shard it may write, a world keeps the membership of the regions around its home,
 *   view and writes only, acts as an authority only on the shards that scope decides, and follows
 *   the layout of those regions only (scope.ts).
 */
import { shardId } from '../authority/ids.js';
import { ArgumentError } from '../errors.js';
import { REPLICATION_DEFAULTS } from '../replication/engine-types.js';
import { MAX_INTEREST_SHARDS } from '../replication/interest-wire.js';
import type { Room, RoomMetrics } from '../room.js';
import type { ConnectionBudget } from '../transport/mesh.js';
import type { PeerId } from '../transport/types.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { SectorLayout } from './layout.js';
import { SuccessionHeads, reachableSectors } from './succession.js';
import { interestFromRect, interestFromSectors } from './interest.js';
import { rebalancePolicy, type RebalancePolicy, type SectorLoad } from './rebalance.js';
import { homeOf } from './placement.js';
import { MembershipScope } from './scope.js';
import { MAX_SCALE, ancestorAt, bounds as sectorBounds, children, compareSectors, contains, fromPoint, key, neighbours, parseKey, sectorSide, tryParseKey, type Rect, type SectorId } from './sector.js';
import { type SectorSummary } from './summary.js';
import { planTiledRebalance, tile } from './tiling.js';
import {
  ReceivedState,
  RegionState,
  SectorState,
  SummaryState,
  TransferState,
  UnitState,
  regionOfShard,
  regionShard,
  type SpawnAction,
  type SummaryAction,
  type TransferIn,
} from './world-state.js';

/** A shard the world needed stays in its interest this long, in ms, so hand-offs do not make interest flap. */
const INTEREST_LINGER_MS = 5_000;
/** A declared shard not needed for this long is withdrawn ([S21]). */
const WITHDRAW_AFTER_MS = 10_000;
const WITHDRAW_CHECK_MS = 1_000;
/** How often connections over the budget's cap are pruned ([S27]). */
const PRUNE_EVERY_MS = 1_000;

/** Most shards (regions and every sector that may become active) a world may have. */
export const MAX_WORLD_SHARDS = 16_384;

/** Defaults of {@link SectorWorldOptions}' timings, in ms. */
export const WORLD_DEFAULTS = Object.freeze({
  tickMs: 100,
  retryMs: 1_000,
  summaryMs: 1_000,
  rebalanceMs: 2_000,
  maxSectorsAcross: 8,
  stableViewMs: 1_000,
});

/** Options of {@link SectorWorld.create}. */
export interface SectorWorldOptions {
  /** The room; create it with `{ interest: true }` for interest-scoped delivery. */
  readonly room: Room;
  /** The room's clock. */
  readonly clock: Clock;
  /** Side of a scale-0 sector, in world units. */
  readonly sectorSize: number;
  /** The world, in world units: a rectangle of whole regions ([S20]). */
  readonly bounds: Rect;
  /** Scale of regions: the coarsest active sector, and the unit of summaries and layouts. */
  readonly regionScale: number;
  /** Scale of the active sectors before any rebalancing. Default `regionScale - 1` (at least 0). */
  readonly leafScale?: number;
  /** Hot/cold rebalancing ([S25]); `false` (default) keeps the sectors at `leafScale`. */
  readonly rebalance?: Partial<RebalancePolicy> | false;
  /** Interval of the czar duties (hand-offs, summaries), in ms. Default 100. */
  readonly tickMs?: number;
  /** Interval of transfer retries, in ms. Default 1,000. */
  readonly retryMs?: number;
  /** Interval of summaries ([S24]), in ms. Default 1,000. */
  readonly summaryMs?: number;
  /** Interval of rebalancing rounds ([S25]), in ms. Default 2,000. */
  readonly rebalanceMs?: number;
  /** A view wider than this many sectors at `leafScale` shows summaries only. Default 8. */
  readonly maxSectorsAcross?: number;
  /** Shards are taken on (declared as czar or backup) once the membership view has not changed for this long, in ms. Default 1,000. */
  readonly stableViewMs?: number;
  /** With a partial mesh: dial the czar and backups of every shard this peer needs, within the budget. */
  readonly budget?: ConnectionBudget;
  /** The room's `backups` option (default {@link REPLICATION_DEFAULTS}.backups): who must hold a replica of each sector. */
  readonly backups?: number;
  /** Receives a line per hand-off step (debugging a seed). */
  readonly log?: (line: string) => void;
  /**
   * [S28]: keep membership of the peers near this one only ([M31], [R31]: `Room.setScope`),
   * so each peer's share of a large room stays the same however many play. Needs homes in the
   * peer ids (`withHome`) and `sectorPlacement()`. Default false (every peer knows everyone).
   */
  readonly scopeMembership?: boolean;
}

/** A unit as a view shows it. */
export interface WorldUnit {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly owner: string;
  /** Key of the sector shard holding it. */
  readonly sector: string;
}

/** Counters of one peer's {@link SectorWorld}; they only grow. */
export interface WorldStats {
  transfersStarted: number;
  transfersSent: number;
  transfersSettled: number;
  transfersResent: number;
  /** Shards withdrawn because this peer no longer needed them ([S21]). */
  shardsWithdrawn: number;
  transfersApplied: number;
  duplicatesIgnored: number;
  /** Transfers put off because this peer's replica of their source was behind the point they name ([S22]). */
  transfersDeferred: number;
  summariesSent: number;
  splits: number;
  merges: number;
  /**
   * Rounds in which this peer needed more shards than one interest announcement holds
   * (`MAX_INTEREST_SHARDS`): it announced the most needed (its view first) and still holds the
   * rest, as their czar or backup ([I1]) or by the world's own declarations.
   */
  interestTrimmed: number;
}


type ViewSpec = { readonly kind: 'rect'; readonly rect: Rect } | { readonly kind: 'sectors'; readonly ids: readonly SectorId[] } | { readonly kind: 'none' };

/**
 * Units in sector shards over a {@link Room}; see the module comment for the rules.
 *
 * @example
 * ```ts
 * const world = SectorWorld.create({ room, clock, sectorSize: 100, bounds: { minX: 0, minY: 0, maxX: 1600, maxY: 1600 }, regionScale: 3 });
 * world.setView(camera.rect());
 * await world.spawn('tank-7', 120, 340, 'red');
 * setInterval(() => world.moveUnits((u) => steer(u)), 100); // on the czars of their sectors
 * draw(world.units(), world.summaries());
 * ```
 */
export class SectorWorld {
  readonly room: Room;
  readonly sectorSize: number;
  readonly regionScale: number;
  readonly leafScale: number;
  readonly stats: WorldStats = {
    transfersStarted: 0,
    transfersSent: 0,
    transfersSettled: 0,
    transfersResent: 0,
    shardsWithdrawn: 0,
    transfersApplied: 0,
    duplicatesIgnored: 0,
    transfersDeferred: 0,
    summariesSent: 0,
    interestTrimmed: 0,
    splits: 0,
    merges: 0,
  };
  private readonly clock: Clock;
  private readonly bounds: Rect;
  private readonly policy: RebalancePolicy | undefined;
  private readonly t: Required<Omit<SectorWorldOptions, 'room' | 'clock' | 'sectorSize' | 'bounds' | 'regionScale' | 'leafScale' | 'rebalance' | 'budget' | 'backups' | 'log' | 'scopeMembership'>>;
  private readonly budget: ConnectionBudget | undefined;
  private readonly backups: number;
  private readonly log: ((line: string) => void) | undefined;
  private readonly regions: readonly SectorId[];
  /** Every sector that may become active, by key (shared by the worlds of one shape). */
  private readonly potential: ReadonlyMap<string, SectorId>;
  private readonly shape: WorldShape;
  private readonly declared = new Set<string>();
  /** When each declared shard was last needed (declared, or asked for by hand-offs, interest, spawns). */
  private readonly neededAt = new Map<string, number>();
  private withdrawnAt = Number.NEGATIVE_INFINITY;
  private connectionsPrunedAt = Number.NEGATIVE_INFINITY;
  private readonly sentAt = new Map<string, number>();
  /** Hand-off writes this peer made as czar, with the term and delta that carry them ([S22]). */
  private readonly written = new Map<string, { readonly term: number; readonly seq: number }>();
  private shardMetrics: { readonly at: number; readonly shards: RoomMetrics['shards'] } | undefined;
  private readonly activity = new Map<string, number>();
  private readonly summaryAt = new Map<string, number>();
  private readonly rebalanceAt = new Map<string, number>();
  private view: ViewSpec = { kind: 'none' };
  private viewCache: { readonly view: ViewSpec; readonly layout: SectorLayout; readonly shards: readonly string[] } | undefined;
  private aroundCache: { readonly layout: SectorLayout; readonly byShard: Map<string, readonly string[]> } | undefined;
  private authority: SuccessionHeads | undefined;
  private authorityVersion = -1;
  private authorityLayout: SectorLayout | undefined;
  private seenVersion = -1;
  private seenVersionAt = 0;
  private refreshedAt: number;
  /** Per region: its replica's version and its layout entry (see `layout`). */
  private readonly regionEntries = new Map<string, { readonly version: string; readonly entry: string }>();
  private layoutCache: { readonly layout: SectorLayout; readonly stamp: string; readonly content: string; readonly at: number } | undefined;
  /** Sources of transfers put off until this peer's replica of them catches up ([S22]), and until when to watch them. */
  private readonly sourcesWanted = new Map<string, number>();
  /** Shards in the world's interest group, and until when (a shard needed once stays a while: no churn). */
  private readonly interestUntil = new Map<string, number>();
  private readonly prunedAt = new Map<string, number>();
  /** [S28]: the membership scope in force (with `scopeMembership`); undefined: everyone. */
  private scope: MembershipScope | undefined;
  /** [S28]: the regions of the scope's area, in order. */
  private areaRegions: { readonly scope: MembershipScope; readonly regions: readonly SectorId[] } | undefined;
  /** [S28]: the last scope considered, for which core and membership version. */
  private scopeChecked: { readonly coreKey: string; readonly version: number; readonly candidate: MembershipScope } | undefined;
  private readonly scoped: boolean;
  private timer: TimerHandle | undefined;
  private counter = 0;
  private disposed = false;

  private constructor(options: SectorWorldOptions) {
    this.room = options.room;
    this.clock = options.clock;
    this.sectorSize = options.sectorSize;
    this.regionScale = options.regionScale;
    fromPoint(0, 0, this.regionScale, this.sectorSize); // validates both
    this.leafScale = options.leafScale ?? Math.max(0, this.regionScale - 1);
    if (!Number.isInteger(this.leafScale) || this.leafScale < 0 || this.leafScale > this.regionScale) {
      throw new ArgumentError(`leafScale ${String(this.leafScale)} is invalid: use an integer in 0..regionScale (${this.regionScale}).`);
    }
    this.policy =
      options.rebalance === false || options.rebalance === undefined
        ? undefined
        : rebalancePolicy({ minScale: 0, ...options.rebalance, maxScale: Math.min(options.rebalance.maxScale ?? MAX_SCALE, this.regionScale) });
    this.t = {
      tickMs: options.tickMs ?? WORLD_DEFAULTS.tickMs,
      retryMs: options.retryMs ?? WORLD_DEFAULTS.retryMs,
      summaryMs: options.summaryMs ?? WORLD_DEFAULTS.summaryMs,
      rebalanceMs: options.rebalanceMs ?? WORLD_DEFAULTS.rebalanceMs,
      maxSectorsAcross: options.maxSectorsAcross ?? WORLD_DEFAULTS.maxSectorsAcross,
      stableViewMs: options.stableViewMs ?? WORLD_DEFAULTS.stableViewMs,
    };
    for (const [name, v] of Object.entries(this.t)) {
      if (!(Number.isFinite(v) && v >= 0) || (name === 'tickMs' && v <= 0)) throw new ArgumentError(`SectorWorld option ${name} must be a finite number of ms >= 0, got ${String(v)}.`);
    }
    this.budget = options.budget;
    this.scoped = options.scopeMembership ?? false;
    this.refreshedAt = this.clock.now();
    this.backups = options.backups ?? REPLICATION_DEFAULTS.backups;
    this.log = options.log;
    this.bounds = options.bounds;
    const minScale = this.policy ? Math.min(this.policy.minScale, this.leafScale) : this.leafScale;
    this.shape = worldShape(options.bounds, this.sectorSize, this.regionScale, minScale, this.leafScale);
    this.regions = this.shape.regions;
    this.potential = this.shape.potential;
    this.updateScope();
    this.refreshAuthority();
    this.updateInterest();
    this.schedule();
  }

  /**
   * Starts a world on `room`: declares the region shards and the sector shards this peer is in
   * the succession of, and runs the czar duties every `tickMs` on `clock`.
   *
   * @example
   * ```ts
   * const room = Room.create({ transport, clock, interest: true });
   * const world = SectorWorld.create({ room, clock, sectorSize: 100, bounds: { minX: 0, minY: 0, maxX: 800, maxY: 800 }, regionScale: 2 });
   * world.setView({ minX: 0, minY: 0, maxX: 300, maxY: 200 });
   * ```
   */
  static create(options: SectorWorldOptions): SectorWorld {
    return new SectorWorld(options);
  }

  // ------------------------------------------------------------------ views

  /** Watches a view rectangle ([S26]); a view wider than `maxSectorsAcross` sectors shows summaries only. */
  setView(rect: Rect): void {
    this.view = { kind: 'rect', rect };
    this.updateScope();
    this.updateInterest();
  }

  /** Watches these sectors and their neighbours ([S26]). */
  watch(ids: Iterable<SectorId>): void {
    this.view = { kind: 'sectors', ids: [...ids] };
    this.updateScope();
    this.updateInterest();
  }

  /** True when the current view is too wide for units and shows summaries only ([S24]). */
  zoomedOut(): boolean {
    if (this.view.kind !== 'rect') return false;
    const r = this.view.rect;
    return Math.max(r.maxX - r.minX, r.maxY - r.minY) > this.t.maxSectorsAcross * sectorSide(this.leafScale, this.sectorSize);
  }

  /** Sector shards (keys) this peer watches now, sorted. */
  watched(): string[] {
    return [...this.viewShards()].sort();
  }

  /** Units of the watched sectors (from this peer's replicas; empty when zoomed out). */
  units(): WorldUnit[] {
    const out: WorldUnit[] = [];
    for (const shard of this.viewShards()) {
      if (!this.declared.has(shard)) continue;
      this.room.state<SectorState>(shard).units.forEach((u, id) => out.push({ id, x: u.x, y: u.y, owner: u.owner, sector: shard }));
    }
    return out;
  }

  /** Summaries of every active sector, by sector key, from the region shards ([S24]). */
  summaries(): Map<string, SectorSummary> {
    const out = new Map<string, SectorSummary>();
    for (const r of this.regions) {
      if (!this.declared.has(regionShard(r))) continue;
      this.room.state<RegionState>(regionShard(r)).summaries.forEach((s, k) => {
        const owners = Object.create(null) as Record<string, number>;
        s.owners.forEach((n, o) => (owners[o] = n));
        out.set(k, { count: s.count, owners, activity: s.activity });
      });
    }
    return out;
  }

  /**
   * The active sectors of the whole world as this peer knows them ([S20]), sorted; with a
   * membership scope ([S28]), those of the regions around it.
   */
  activeSectors(): SectorId[] {
    return this.layout().leaves();
  }

  /**
   * The active sector holding world point (x, y), or undefined outside the world. Beyond the
   * regions this peer follows (with a membership scope, [S28]) it answers by the default tiling.
   */
  sectorAt(x: number, y: number): SectorId | undefined {
    if (!inside(this.bounds, x, y)) return undefined;
    const at = fromPoint(x, y, this.minScale(), this.sectorSize);
    return this.layout().leafOf(at) ?? (this.scope ? ancestorAt(at, this.leafScale) : undefined);
  }

  /** Keys of every sector shard that may hold units (active or not), sorted. */
  sectorShards(): string[] {
    return [...this.potential.keys()].sort();
  }

  /** True when this peer declared `shard` (it holds a replica). */
  holds(shard: string): boolean {
    return this.declared.has(shard);
  }

  // ------------------------------------------------------------------ units

  /**
   * Places a new unit: an action to the czar of the active sector holding (x, y). Resolves once
   * this peer's replica shows it. Rejects with an {@link ArgumentError} outside the world, and
   * with the room's action errors (`action-timeout`, …).
   */
  spawn(unit: string, px: number, py: number, owner: string): Promise<void> {
    const x = Math.fround(px);
    const y = Math.fround(py);
    const at = this.sectorAt(x, y);
    if (!at || typeof unit !== 'string' || unit.length === 0) {
      return Promise.reject(new ArgumentError(`spawn(${JSON.stringify(unit)}, ${x}, ${y}) needs a non-empty unit id and a point inside the world.`));
    }
    const shard = key(at);
    this.declare(shard);
    const action: SpawnAction = { op: 'spawn', unit, x, y, owner };
    return this.room.act(shard, action).then(() => undefined);
  }

  /**
   * Moves the units of every sector this peer writes: `fn` returns a unit's new position, or
   * undefined to leave it. Positions outside the world are ignored. Units crossing into another
   * active sector are handed off at the next duty tick ([S22]).
   */
  moveUnits(fn: (unit: WorldUnit) => { readonly x: number; readonly y: number } | undefined): number {
    let moved = 0;
    for (const shard of this.declared) {
      if (!this.potential.has(shard) || !this.room.isCzar(shard)) continue;
      this.room.mutate<SectorState, void>(shard, (s) => {
        s.units.forEach((u, id) => {
          const next = fn({ id, x: u.x, y: u.y, owner: u.owner, sector: shard });
          if (!next) return;
          const x = Math.fround(next.x);
          const y = Math.fround(next.y);
          if (!inside(this.bounds, x, y) || (x === u.x && y === u.y)) return;
          u.x = x;
          u.y = y;
          moved++;
          this.bump(shard, 1);
        });
      });
    }
    return moved;
  }

  /** Stops the duty timer. The room stays open. */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  // ------------------------------------------------------------------ duties

  private schedule(): void {
    if (this.disposed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.room.closed) return this.dispose();
      try {
        this.tick();
      } finally {
        this.schedule();
      }
    }, this.t.tickMs);
  }

  /** One round of duties; runs every `tickMs` (call it directly in tests to step). */
  tick(): void {
    if (this.disposed || this.room.closed) return;
    this.updateScope();
    this.refreshAuthority();
    const now = this.clock.now();
    // The regions it writes are in its core, so in the area ([S28]).
    for (const r of this.layoutRegions()) {
      const shard = regionShard(r);
      if (this.declared.has(shard) && this.room.isCzar(shard)) this.regionDuties(r, shard, now);
    }
    const layout = this.layout();
    for (const shard of [...this.declared]) {
      if (!this.potential.has(shard) || !this.room.isCzar(shard)) continue;
      this.sectorDuties(shard, layout, now);
    }
    this.updateInterest();
    this.withdrawIdle(now);
    this.dialNeeds();
    this.pruneConnections(now);
  }

  /**
   * [S27]: with a budget, every `PRUNE_EVERY_MS` hangs up the connections over the cap that this
   * peer does not need (see {@link SectorWorld.connectionNeeds}): the peers it needs, and those
   * that need it by the same rules as far as it can tell — watchers of the shards it writes or
   * backs up (they dial the czar as required, [I1]) and czars of the sectors of the regions it
   * writes (their summaries come to it, [S24]).
   */
  private pruneConnections(now: number): void {
    const budget = this.budget;
    const view = this.authority;
    if (!budget || !view || now - this.connectionsPrunedAt < PRUNE_EVERY_MS) return;
    this.connectionsPrunedAt = now;
    const needs = this.connectionNeeds(view, now);
    const keep = new Set([...needs.czars, ...needs.partners]);
    // The czars of the sectors whose summaries come here: they need this peer as the region's czar.
    const regions = new Set([...needs.mine].filter((s) => this.isRegion(s) && this.room.isCzar(s)));
    if (regions.size > 0) {
      for (const leaf of this.layout().leaves()) {
        if (!regions.has(regionShard(ancestorAt(leaf, this.regionScale)))) continue;
        const czar = view.top(key(leaf))[0];
        if (czar !== undefined) keep.add(czar);
      }
    }
    budget.prune(now, (peer) => keep.has(peer) || this.room.interestOf(peer).some((s) => needs.mine.has(s)));
  }

  /**
   * [S21]: withdraws the shards this peer no longer needs — for `WITHDRAW_AFTER_MS` not asked for
   * by a hand-off, a spawn or its interest, not watched, outside its succession by a settled view,
   * not written by it — so that what a peer holds (and the czars it must reach) follows where it
   * plays, not everywhere it ever was.
   */
  private withdrawIdle(now: number): void {
    if (now - this.withdrawnAt < WITHDRAW_CHECK_MS) return;
    this.withdrawnAt = now;
    const view = this.authority;
    // Only on a settled view: an unsettled one may be about to name this peer a backup again.
    if (!view || this.authorityVersion !== this.room.membership.version()) return;
    for (const shard of [...this.declared]) {
      if (now - (this.neededAt.get(shard) ?? Number.NEGATIVE_INFINITY) < WITHDRAW_AFTER_MS) continue;
      if (this.interestUntil.has(shard) || view.rankOf(this.room.self, shard) >= 0 || this.room.isCzar(shard)) continue;
      try {
        this.room.withdrawShard(shard);
      } catch {
        continue; // handing off right now: next time
      }
      this.declared.delete(shard);
      this.neededAt.delete(shard);
      this.stats.shardsWithdrawn++;
    }
  }

  private sectorDuties(shard: string, layout: SectorLayout, now: number): void {
    const state = this.room.state<SectorState>(shard);
    const writing = this.room.termOf(shard);
    if (!writing) return;
    const committed = this.committedSeqs()[shard]?.committedSeq ?? -1;
    // [S22] Units no longer inside this active sector go to the outbox.
    const leaving: Array<{ id: string; to: string }> = [];
    const own = this.layoutHas(layout, shard) ? sectorBounds(this.potential.get(shard)!, this.sectorSize) : undefined;
    state.units.forEach((u, id) => {
      // Most units stay inside their own active sector: two comparisons, no lookup.
      if (own && inside(own, u.x, u.y)) return;
      const leaf = inside(this.bounds, u.x, u.y) ? layout.leafOf(fromPoint(u.x, u.y, this.minScale(), this.sectorSize)) : undefined;
      if (leaf && key(leaf) !== shard) leaving.push({ id, to: key(leaf) });
    });
    // Outgoing transfers: send until confirmed, then mark settled, then delete ([S22]).
    const settle: string[] = [];
    const drop: string[] = [];
    state.outbox.forEach((tr, tid) => {
      if (tr.settled) {
        if (committed >= this.writtenIn(`${tid}/settled`, writing.term)) drop.push(tid);
        return;
      }
      this.declare(tr.to);
      if (this.room.state<SectorState>(tr.to).received.get(tid)?.ok) {
        settle.push(tid);
        return;
      }
      // Only once the outbox entry is committed: sent earlier, a failover of the source could
      // restore the unit into `units` while the destination holds it too.
      if (committed < this.writtenIn(tid, writing.term)) return;
      // Progress is driven by time and replicated state only, never by the action's promise: a
      // simulation that runs its clock synchronously never gets to the callbacks.
      if (now - (this.sentAt.get(tid) ?? Number.NEGATIVE_INFINITY) < this.t.retryMs) return;
      if (this.sentAt.has(tid)) this.stats.transfersResent++;
      this.sentAt.set(tid, now);
      this.stats.transfersSent++;
      // The entry is in every state of the source from this committed point on, until deleted.
      const action: TransferIn = { op: 'in', tid, from: shard, term: writing.term, czar: writing.czar, seq: committed, unit: tr.unit, x: tr.x, y: tr.y, owner: tr.owner };
      this.log?.(`${now} ${this.room.self} send ${tr.unit} ${shard}->${tr.to} ${tid} committed ${committed}`);
      this.room.act(tr.to, action, { timeoutMs: this.t.retryMs * 2 }).catch(() => undefined);
    });
    // Incoming transfers: confirm once the unit's arrival is committed; forget once the source settled.
    const confirm: string[] = [];
    const forget: string[] = [];
    const pruneDue = now - (this.prunedAt.get(shard) ?? Number.NEGATIVE_INFINITY) >= 1_000;
    if (pruneDue) this.prunedAt.set(shard, now);
    state.received.forEach((rec, tid) => {
      if (!rec.ok) {
        if (committed >= this.writtenIn(`${tid}/in`, writing.term)) confirm.push(tid);
        return;
      }
      if (!pruneDue || !this.potential.has(rec.from)) return;
      this.declare(rec.from);
      // Gone from the source at or past the point it was committed at: its settled mark was
      // committed first, so no czar of the source sends this id again. (Settled alone is not
      // enough: a failover may lose an uncommitted mark, and the new czar would send again.)
      if (this.sourceAt(rec.from, rec) === 'past' && !this.room.state<SectorState>(rec.from).outbox.has(tid)) forget.push(tid);
    });
    if (leaving.length + settle.length + drop.length + confirm.length + forget.length > 0) {
      // These writes go out in the term's next delta: the seq their commitment is measured against.
      const next = writing.seq + 1;
      this.room.mutate<SectorState, void>(shard, (s) => {
        for (const { id, to } of leaving) {
          const u = s.units.get(id);
          if (!u) continue;
          const tr = new TransferState();
          tr.unit = id;
          tr.x = u.x;
          tr.y = u.y;
          tr.owner = u.owner;
          tr.to = to;
          tr.at = now;
          s.units.delete(id);
          const tid = this.transferId(now);
          s.outbox.set(tid, tr);
          this.wrote(tid, writing.term, next);
          this.log?.(`${now} ${this.room.self} out ${id} ${shard}->${to} ${tid} t${writing.term}/${next}`);
          this.stats.transfersStarted++;
          this.bump(shard, 1);
        }
        for (const tid of settle) {
          const tr = s.outbox.get(tid);
          if (!tr) continue;
          tr.settled = true;
          this.wrote(`${tid}/settled`, writing.term, next);
        }
        for (const tid of drop) {
          s.outbox.delete(tid);
          this.log?.(`${now} ${this.room.self} settled ${shard} ${tid}`);
          this.stats.transfersSettled++;
        }
        for (const tid of confirm) {
          const rec = s.received.get(tid);
          if (rec) rec.ok = true;
        }
        for (const tid of forget) s.received.delete(tid);
      });
      for (const tid of drop) this.forgetLocal(tid);
      for (const tid of forget) this.written.delete(`${tid}/in`);
    }
    if (this.layoutHas(layout, shard)) this.publishSummary(shard, now);
  }

  /** Notes that this peer, as czar in `term`, wrote `what` into delta `seq`. */
  private wrote(what: string, term: number, seq: number): void {
    this.written.set(what, { term, seq });
  }

  /**
   * The seq whose commitment makes `what` durable in `term`: the delta this peer wrote it in, or 0
   * (the opening snapshot) when it came with the term's base state from an earlier term.
   */
  private writtenIn(what: string, term: number): number {
    const w = this.written.get(what);
    return w && w.term === term ? w.seq : 0;
  }

  /**
   * Whether this peer's replica of source sector `from` is at or past `point` (then it holds every
   * outbox entry committed by that point that was not deleted since), or behind it ([S22]).
   */
  private sourceAt(from: string, point: { readonly term: number; readonly czar: string; readonly seq: number }): 'past' | 'behind' {
    if (!this.declared.has(from)) return 'behind';
    const at = this.room.termOf(from);
    if (!at) return 'behind';
    // Terms are ordered by number, then czar id ([R7]); a later term holds what was committed in earlier ones.
    if (at.term !== point.term) return at.term > point.term ? 'past' : 'behind';
    if (at.czar !== point.czar) return at.czar > point.czar ? 'past' : 'behind';
    return at.seq >= point.seq ? 'past' : 'behind';
  }

  private forgetLocal(tid: string): void {
    this.written.delete(tid);
    this.written.delete(`${tid}/settled`);
    this.sentAt.delete(tid);
  }

  private publishSummary(shard: string, now: number): void {
    if (now - (this.summaryAt.get(shard) ?? Number.NEGATIVE_INFINITY) < this.t.summaryMs) return;
    const id = this.potential.get(shard)!;
    const region = ancestorAt(id, this.regionScale);
    const state = this.room.state<SectorState>(shard);
    const owners: Record<string, number> = Object.create(null) as Record<string, number>;
    const kids = children(id);
    const perChild = kids.map(() => 0);
    let count = 0;
    state.units.forEach((u) => {
      count++;
      owners[u.owner] = (owners[u.owner] ?? 0) + 1;
      if (kids.length > 0 && inside(this.bounds, u.x, u.y)) {
        const c = fromPoint(u.x, u.y, id.scale - 1, this.sectorSize);
        const i = kids.findIndex((k) => k.x === c.x && k.y === c.y);
        if (i >= 0) perChild[i]!++;
      }
    });
    this.summaryAt.set(shard, now);
    const action: SummaryAction = { op: 'summary', sector: shard, count, activity: this.activity.get(shard) ?? 0, owners, children: perChild };
    this.activity.set(shard, 0);
    this.stats.summariesSent++;
    this.room.act(regionShard(region), action).catch(() => undefined);
  }

  /** [S25] and the region's first layout. */
  private regionDuties(region: SectorId, shard: string, now: number): void {
    const state = this.room.state<RegionState>(shard);
    if (state.leaves.length === 0) {
      this.room.mutate<RegionState, void>(shard, (s) => {
        for (const l of tile(region, this.leafScale)) s.leaves.push(key(l));
      });
      return;
    }
    const policy = this.policy;
    if (!policy || now - (this.rebalanceAt.get(shard) ?? Number.NEGATIVE_INFINITY) < this.t.rebalanceMs) return;
    this.rebalanceAt.set(shard, now);
    const leaves = [...state.leaves].map((k) => parseKey(k));
    const summaries = new Map<string, SummaryState>();
    state.summaries.forEach((s, k) => summaries.set(k, s));
    // Only with every active sector's summary fresh: a missing one would look like an empty sector.
    for (const l of leaves) {
      const s = summaries.get(key(l));
      if (!s || now - s.at > 3 * this.t.summaryMs + this.t.rebalanceMs) return;
    }
    const layout = new SectorLayout(leaves);
    const load = (id: SectorId): SectorLoad => {
      const own = summaries.get(key(id));
      if (own && layout.has(id)) return { units: own.count, activity: own.activity };
      const leaf = layout.leafOf(id);
      if (leaf) {
        if (leaf.scale !== id.scale + 1) return { units: 0, activity: 0 };
        const s = summaries.get(key(leaf));
        const i = children(leaf).findIndex((c) => c.x === id.x && c.y === id.y);
        const units = s && i >= 0 ? (s.children[i] ?? 0) : 0;
        const share = s && s.count > 0 ? units / s.count : 0;
        return { units, activity: s ? Math.round(s.activity * share) : 0 };
      }
      let units = 0;
      let activity = 0;
      for (const l of leaves) {
        if (!contains(id, l)) continue;
        const s = summaries.get(key(l));
        units += s?.count ?? 0;
        activity += s?.activity ?? 0;
      }
      return { units, activity };
    };
    const memory = new Map<string, number>();
    state.memory.forEach((n, k) => memory.set(k, n));
    const plan = planTiledRebalance({ leaves, load, policy, memory });
    const next = plan.leaves.map(key);
    const changed = next.length !== leaves.length || next.some((k, i) => k !== key(leaves[i]!));
    this.stats.splits += plan.splits.length;
    this.stats.merges += plan.merges.length;
    this.room.mutate<RegionState, void>(shard, (s) => {
      s.round++;
      s.memory.forEach((_n, k) => {
        if (!plan.memory.has(k)) s.memory.delete(k);
      });
      for (const [k, n] of plan.memory) if (s.memory.get(k) !== n) s.memory.set(k, n);
      if (!changed) return;
      s.leaves.splice(0, s.leaves.length);
      for (const k of next) s.leaves.push(k);
      const keep = new Set(next);
      s.summaries.forEach((_v, k) => {
        if (!keep.has(k)) s.summaries.delete(k);
      });
    });
  }

  // ------------------------------------------------------------------ handlers

  private onSectorAction(shard: string, state: SectorState, action: unknown, now: number): unknown {
    const a = (action ?? {}) as { op?: unknown; tid?: unknown; from?: unknown; term?: unknown; czar?: unknown; seq?: unknown; unit?: unknown; x?: unknown; y?: unknown; owner?: unknown };
    const { op, tid, from, term, czar, seq, unit, x, y, owner } = a;
    if (typeof unit !== 'string' || unit.length === 0 || typeof x !== 'number' || !Number.isFinite(x) || typeof y !== 'number' || !Number.isFinite(y) || typeof owner !== 'string') {
      throw new Error('expected { op, unit, x, y, owner }');
    }
    if (op === 'in') {
      if (typeof tid !== 'string' || tid.length === 0) throw new Error('a transfer needs a tid');
      if (typeof from !== 'string' || !this.potential.has(from) || from === shard) throw new Error('a transfer needs its source sector');
      if (!isU32(term) || !isU32(seq) || typeof czar !== 'string') throw new Error('a transfer needs the source point { term, czar, seq }');
      const point = { term, czar, seq };
      // An id not held here may still have been applied and forgotten: a late copy (it waited
      // behind retransmissions) of a send made before the source settled it. The source's
      // replica tells, once it is at or past the point the send names.
      const verdict = state.received.has(tid) ? 'dup' : this.sourceAt(from, point);
      const entry = verdict === 'past' ? this.room.state<SectorState>(from).outbox.get(tid) : undefined;
      this.log?.(`${now} ${this.room.self} in ${unit} ${tid} ${verdict === 'past' ? (!entry || entry.settled ? 'late' : state.units.has(unit) ? 'present' : 'add') : verdict}`);
      if (verdict === 'behind') {
        // The source sends again every retryMs; meanwhile watch it, so the replica catches up.
        this.sourcesWanted.set(from, now + INTEREST_LINGER_MS);
        this.stats.transfersDeferred++;
        return 'later';
      }
      if (verdict === 'dup' || !entry || entry.settled) {
        this.stats.duplicatesIgnored++;
        return 'duplicate';
      }
      const rec = new ReceivedState();
      rec.at = now;
      rec.from = from;
      rec.ok = false;
      rec.term = term;
      rec.czar = czar;
      rec.seq = seq;
      state.received.set(tid, rec);
      const at = this.room.termOf(shard);
      if (at) this.wrote(`${tid}/in`, at.term, at.seq + 1);
      if (!state.units.has(unit)) state.units.set(unit, unitState(x, y, owner));
      this.stats.transfersApplied++;
      return 'applied';
    }
    if (op === 'spawn') {
      if (state.units.has(unit)) throw new Error(`unit ${unit} exists`);
      state.units.set(unit, unitState(x, y, owner));
      return 'spawned';
    }
    throw new Error(`unknown op ${String(op)}`);
  }

  private onRegionAction(state: RegionState, action: unknown, now: number): unknown {
    const a = action as Partial<SummaryAction> | null;
    if (!a || a.op !== 'summary' || typeof a.sector !== 'string' || !tryParseKey(a.sector) || !Number.isInteger(a.count) || !Number.isInteger(a.activity)) {
      throw new Error('expected { op: "summary", sector, count, activity, owners, children }');
    }
    // A summary from the czar of a sector that stopped being active (it crossed a rebalance) is stale.
    if (state.leaves.length > 0 && !state.leaves.includes(a.sector)) return 'stale';
    let s = state.summaries.get(a.sector);
    if (!s) {
      s = new SummaryState();
      state.summaries.set(a.sector, s);
    }
    s.count = a.count!;
    s.activity = a.activity!;
    s.at = now;
    const owners = a.owners ?? {};
    s.owners.forEach((_n, o) => {
      if (!Object.hasOwn(owners, o)) s.owners.delete(o);
    });
    for (const [o, n] of Object.entries(owners)) if (Number.isInteger(n) && s.owners.get(o) !== n) s.owners.set(o, n);
    const kids = Array.isArray(a.children) ? a.children : [];
    if (s.children.length !== kids.length || kids.some((n, i) => s.children[i] !== n)) {
      s.children.splice(0, s.children.length);
      for (const n of kids) s.children.push(Number.isInteger(n) && n >= 0 ? n : 0);
    }
    return undefined;
  }

  // ------------------------------------------------------------------ shards, interest, links

  private declare(shard: string): void {
    this.neededAt.set(shard, this.clock.now());
    if (this.declared.has(shard) || this.room.closed) return;
    if (regionOfShard(shard)) {
      this.room.declareShard<RegionState>(shard, RegionState, { onAction: (s, a, ctx) => this.onRegionAction(s, a, ctx.now) });
    } else if (this.potential.has(shard)) {
      this.room.declareShard<SectorState>(shard, SectorState, { onAction: (s, a, ctx) => this.onSectorAction(shard, s, a, ctx.now) });
    } else {
      throw new ArgumentError(`Shard ${shard} is no sector of this world.`, { shard });
    }
    this.declared.add(shard);
  }

  /** [S21]: declare every sector shard whose succession this peer is in, once per view. */
  private refreshAuthority(): void {
    const version = this.room.membership.version();
    const layout = this.layout();
    if (this.authority && version === this.authorityVersion && layout === this.authorityLayout) return;
    // Declarations are forever: wait until the view stopped changing (a joiner first sees only
    // itself and would find itself in the succession of everything).
    const now = this.clock.now();
    if (version !== this.seenVersion) {
      this.seenVersion = version;
      this.seenVersionAt = now;
    }
    // Under constant churn the view never rests: then go with it every few periods anyway.
    if (now - this.seenVersionAt < this.t.stableViewMs && now - this.refreshedAt < 3 * this.t.stableViewMs) return;
    this.refreshedAt = now;
    this.authorityVersion = version;
    this.authorityLayout = layout;
    // Shared with the other worlds of the process that see the same view (see SuccessionHeads).
    this.authority = SuccessionHeads.shared(this.room.peers(), this.room.membership.standby(), 1 + this.backups, this.room.placement, this.authority);
    const reachable = this.reachableLeaves(this.authority);
    for (const shard of [...this.layoutRegions().map(regionShard), ...this.successionCandidates(layout)]) {
      if (this.declared.has(shard) || (this.scope && !this.scope.decides(shard))) continue;
      if (reachable && this.potential.get(shard)?.scale === this.leafScale && !reachable.has(shard)) continue;
      if (this.authority.rankOf(this.room.self, shard) >= 0) this.declare(shard);
    }
  }

  /**
   * [S27]: the leaf sectors this peer may be in the succession of (see {@link reachableSectors}).
   * Undefined (rank every candidate) with rebalancing, or without a placement index or a home in
   * the world.
   */
  private reachableLeaves(heads: SuccessionHeads): Set<string> | undefined {
    const placement = this.room.placement;
    const home = homeOf(this.room.self);
    if (this.policy || !placement?.near || !home || home.scale > this.leafScale) return undefined;
    const h = ancestorAt(home, this.leafScale);
    if (!this.potential.has(key(h))) return undefined;
    return reachableSectors(heads, placement, h, (k) => this.potential.has(k));
  }

  /**
   * Sector shards that may hold units: the active ones and, with rebalancing, their parents and
   * children (a split or merge leaves units there until they are handed on).
   */
  private successionCandidates(layout: SectorLayout): string[] {
    const out = new Set<string>();
    for (const leaf of layout.leaves()) {
      out.add(key(leaf));
      if (!this.policy) continue;
      const up = leaf.scale < this.regionScale ? ancestorAt(leaf, leaf.scale + 1) : undefined;
      if (up) out.add(key(up));
      for (const c of children(leaf)) if (this.potential.has(key(c))) out.add(key(c));
    }
    return [...out];
  }

  private minScale(): number {
    return this.policy ? Math.min(this.policy.minScale, this.leafScale) : this.leafScale;
  }

  /** The active sectors of every region, from the region replicas (the default tiling where none is known yet). */
  private layout(): SectorLayout {
    const now = this.clock.now();
    if (this.layoutCache && this.layoutCache.at === now) return this.layoutCache.layout;
    // The region replicas change only with a new (term, seq): a cheap stamp for the cache.
    const regions = this.layoutRegions();
    // Each declared region's replica version (undefined: not declared).
    const versions = regions.map((r) => {
      if (!this.declared.has(regionShard(r))) return undefined;
      const at = this.room.termOf(regionShard(r));
      return at ? `${at.term}@${at.czar}/${at.seq}` : '-';
    });
    let stamp = this.scope?.coreKey ?? '';
    for (let i = 0; i < regions.length; i++) {
      const version = versions[i];
      if (version === undefined) {
        stamp += 'x|';
        continue;
      }
      stamp += `${version}|`;
      const shard = regionShard(regions[i]!);
      if (version !== '-' && this.room.isCzar(shard)) stamp += `${this.room.state<RegionState>(shard).round}:${this.room.state<RegionState>(shard).leaves.length}|`;
    }
    if (this.layoutCache?.stamp === stamp) {
      this.layoutCache = { ...this.layoutCache, at: now };
      return this.layoutCache.layout;
    }
    // Summaries change the region shards every second; the leaves much more rarely. A region
    // with no leaves written, or leaves equal to its default tiles, is an empty entry, so worlds
    // that know different regions share one layout; an entry is recomputed only when its
    // region's replica changed.
    const written = regions.map((r, i) => (versions[i] === undefined ? undefined : this.room.state<RegionState>(regionShard(r)).leaves));
    const entries = regions.map((r, i) => {
      const leaves = written[i];
      if (!leaves || leaves.length === 0) return '';
      const rk = key(r);
      const version = versions[i]!;
      const known = this.regionEntries.get(rk);
      if (known?.version === version) return known.entry;
      const joined = leaves.join(' ');
      const entry = joined === this.shape.tilesJoined.get(rk) ? '' : joined;
      this.regionEntries.set(rk, { version, entry });
      return entry;
    });
    const content = `${this.shape.id}#${this.scope?.coreKey ?? '*'}#${entries.join('|')}`;
    if (this.layoutCache?.content === content) {
      this.layoutCache = { ...this.layoutCache, stamp, at: now };
      return this.layoutCache.layout;
    }
    let layout = layouts.get(content);
    if (layout) {
      layouts.delete(content);
    } else {
      layout = new SectorLayout();
      for (let i = 0; i < regions.length; i++) {
        const leaves = written[i];
        for (const k of entries[i] !== '' && leaves ? leaves : this.shape.tiles.get(key(regions[i]!))!) {
          const id = tryParseKey(k);
          if (id && this.potential.has(k) && !layout.overlaps(id)) layout.add(id);
        }
      }
    }
    // Shared by the worlds of the process that see the same layout (a simulation runs thousands);
    // nothing changes a layout once built.
    layouts.set(content, layout);
    if (layouts.size > MAX_LAYOUTS) layouts.delete(layouts.keys().next().value!);
    this.layoutCache = { layout, stamp, content, at: now };
    return layout;
  }

  /**
   * Regions whose layout this world follows: every region, or with a membership scope ([S28]) the
   * regions of its area (it holds, watches and decides nothing beyond them).
   */
  private layoutRegions(): readonly SectorId[] {
    const scope = this.scope;
    if (!scope) return this.regions;
    if (this.areaRegions?.scope !== scope) this.areaRegions = { scope, regions: this.regions.filter((r) => scope.inArea(r)) };
    return this.areaRegions.regions;
  }

  private layoutHas(layout: SectorLayout, shard: string): boolean {
    const id = this.potential.get(shard);
    return id !== undefined && layout.has(id);
  }

  /** Active sector shards a view needs: the active sectors covering or inside each sector of interest. */
  private viewShards(): Set<string> {
    const layout = this.layout();
    const hit = this.viewCache;
    if (hit && hit.view === this.view && hit.layout === layout) return new Set(hit.shards);
    const out = new Set<string>();
    if (this.view.kind !== 'none' && !this.zoomedOut()) {
      const ids = this.view.kind === 'rect' ? interestFromRect(clip(this.view.rect, this.bounds), this.leafScale, this.sectorSize) : interestFromSectors(this.view.ids);
      for (const id of ids) this.addActive(layout, id, out);
    }
    this.viewCache = { view: this.view, layout, shards: [...out] };
    return out;
  }

  /** The active sectors around `shard` (its czar must reach their czars), cached per layout. */
  private around(layout: SectorLayout, shard: string): readonly string[] {
    if (this.aroundCache?.layout !== layout) this.aroundCache = { layout, byShard: new Map() };
    let list = this.aroundCache.byShard.get(shard);
    if (!list) {
      const out = new Set<string>();
      for (const n of neighbours(this.potential.get(shard)!)) if (inside(this.bounds, ...centre(n, this.sectorSize))) this.addActive(layout, n, out);
      this.aroundCache.byShard.set(shard, (list = [...out]));
    }
    return list;
  }

  private addActive(layout: SectorLayout, id: SectorId, out: Set<string>): void {
    const leaf = layout.leafOf(id);
    if (leaf) {
      out.add(key(leaf));
      return;
    }
    if (layout.leavesBelow(id) === 0) return;
    for (const c of children(id)) this.addActive(layout, c, out);
  }

  /** Regions a zoomed-out view shows (their summaries), none otherwise. */
  private viewRegions(): SectorId[] {
    return this.view.kind === 'rect' && this.zoomedOut() ? this.regionsIn(this.view.rect) : [];
  }

  /** Regions overlapping `rect`. */
  private regionsIn(rect: Rect): SectorId[] {
    const r = clip(rect, this.bounds);
    return this.regions.filter((g) => {
      const b = sectorBounds(g, this.sectorSize);
      return b.minX <= r.maxX && r.minX < b.maxX && b.minY <= r.maxY && r.minY < b.maxY;
    });
  }

  /** [S26]: the world's interest group. */
  private updateInterest(): void {
    if (this.room.closed) return;
    const now = this.clock.now();
    const shards = this.viewShards();
    // Zoomed out: the summaries of the regions in view; zoomed in or writing: the layouts of the
    // regions of every sector involved (added below, once the sectors are known).
    for (const r of this.viewRegions()) shards.add(regionShard(r));
    const layout = this.layout();
    for (const shard of this.declared) {
      const id = this.potential.get(shard);
      if (!id || !this.room.isCzar(shard)) continue;
      shards.add(shard);
      for (const n of this.around(layout, shard)) shards.add(n);
      const st = this.room.state<SectorState>(shard);
      st.outbox.forEach((tr) => shards.add(tr.to));
      st.received.forEach((rec) => {
        if (this.potential.has(rec.from)) shards.add(rec.from);
      });
    }
    for (const [s, until] of this.sourcesWanted) {
      if (until < now) this.sourcesWanted.delete(s);
      else shards.add(s);
    }
    // The regions of the sectors involved: declared (a czar sends its summaries there), and
    // watched only with rebalancing, whose layouts change; a fixed layout is known without them.
    for (const s of [...shards]) {
      const id = this.potential.get(s);
      if (!id) continue;
      const region = regionShard(ancestorAt(id, this.regionScale));
      if (this.policy) shards.add(region);
      else this.declare(region);
    }
    for (const s of shards) {
      this.declare(s);
      this.interestUntil.set(s, now + INTEREST_LINGER_MS);
    }
    // Leaving an audience and coming back costs a snapshot: keep what was needed a little longer.
    for (const [s, until] of this.interestUntil) if (until < now) this.interestUntil.delete(s);
    // What is needed now comes first (in the order gathered: the view first), then what lingers.
    // A peer writing much of a sparse world may need more than one announcement holds; tick
    // timers must not throw, so the least needed are left out ([I1] still reaches a czar).
    let announced = [...new Set([...shards, ...this.interestUntil.keys()])];
    if (announced.length > MAX_INTEREST_SHARDS) {
      announced = announced.slice(0, MAX_INTEREST_SHARDS);
      this.stats.interestTrimmed++;
    }
    this.room.setInterest(announced.sort(), 'world');
  }

  /**
   * [S28]: with `scopeMembership`, the membership keeps the peers whose home is in the regions
   * around this peer's home, view and writes (see {@link MembershipScope}), once the view places
   * at least `1 + backups` peers within the rings the area covers around every shard that scope
   * decides: then the head of each is the same from the scoped view as from the whole room. Until then (a sparse room, the
   * first joiners), and whenever that stops being so, it keeps everyone.
   */
  private updateScope(): void {
    if (!this.scoped || this.room.closed) return;
    const home = homeOf(this.room.self);
    const near = this.room.placement?.near;
    if (!home || !near) return;
    const core: SectorId[] = [home];
    // The view itself, not its neighbours: the area reaches a region around the core anyway.
    if (this.view.kind === 'sectors') core.push(...this.view.ids);
    if (this.view.kind === 'rect') core.push(...this.regionsIn(this.view.rect));
    // What it writes, so it knows whom to hand it to (a view that moved on, a claim made on a
    // joiner's first view): [R31] lets it act only there.
    for (const shard of this.declared) {
      const id = this.potential.get(shard) ?? regionOfShard(shard);
      if (id && this.room.isCzar(shard)) core.push(id);
    }
    const coreKey = MembershipScope.coreKeyOf(core, this.regionScale);
    const version = this.room.membership.version();
    if (this.scopeChecked?.coreKey === coreKey && this.scopeChecked.version === version) return;
    const candidate = this.scopeChecked?.coreKey === coreKey ? this.scopeChecked.candidate : new MembershipScope(home, core, this.regionScale, this.leafScale);
    this.scopeChecked = { coreKey, version, candidate };
    const lookup = near(this.room.peers());
    const placement = this.room.placement!;
    const need = 1 + this.backups;
    // Settled: the head of the shard's succession (its `need` best placed peers) lies within the
    // rings the area covers, so every peer there ranks it alike from its own scoped view.
    const settled = (shard: string): boolean => {
      if (!this.potential.has(shard) && !this.isRegion(shard)) return true;
      const covered = candidate.coveredRing(shard);
      let within = 0;
      for (const p of lookup(shardId(shard), need) ?? []) if (placement(p, shardId(shard)) <= covered && ++within >= need) return true;
      return false;
    };
    const dense = candidate.decidedShards(this.leafScale).every(settled);
    const next = dense ? candidate : undefined;
    if (next === this.scope) return;
    this.scope = next;
    this.room.setScope(next);
  }

  private isRegion(shard: string): boolean {
    const r = regionOfShard(shard);
    return r !== undefined && this.shape.regionKeys.has(key(r));
  }

  /** With a budget: connect to the czars it needs (always) and its succession partners (within the budget). */
  private dialNeeds(): void {
    const budget = this.budget;
    const view = this.authority;
    if (!budget || !view) return;
    // Czars first, and always: a replica needs its czar (deltas, snapshots, repairs, [R8], [R14]).
    const needs = this.connectionNeeds(view, this.clock.now());
    for (const p of needs.czars) budget.dial(p, true);
    for (const p of needs.partners) budget.dial(p);
  }

  /**
   * The peers this one needs a connection to ([S27]): for every shard it declared and is in the
   * succession of (`mine`), the czar and the backups (`partners`, by rank); for every other shard
   * it uses now — in its interest, asked for within `INTEREST_LINGER_MS` (a spawn, a hand-off),
   * or the region of a sector it writes (its summaries go there, [S24]) — the czar. A shard it
   * only still holds (withdrawn later, [S21]) needs nothing: dialling the czar of such a shard,
   * whose czar hangs up on it by the rules of `pruneConnections`, made peers re-dial in a loop.
   */
  private connectionNeeds(view: SuccessionHeads, now: number): { readonly czars: Set<PeerId>; readonly partners: PeerId[]; readonly mine: Set<string> } {
    const self = this.room.self;
    const czars = new Set<PeerId>();
    const byRank: PeerId[][] = [];
    const mine = new Set<string>();
    const summarised = new Set<string>();
    for (const shard of this.declared) {
      const id = this.potential.get(shard);
      if (id && this.room.isCzar(shard)) summarised.add(regionShard(ancestorAt(id, this.regionScale)));
    }
    for (const shard of this.declared) {
      const succession = view.top(shard);
      if (succession.includes(self)) {
        mine.add(shard);
        succession.forEach((p, rank) => {
          if (p === self) return;
          if (rank === 0) czars.add(p);
          else (byRank[rank] ??= []).push(p);
        });
        continue;
      }
      const czar = succession[0];
      if (czar === undefined) continue;
      const recent = !this.isRegion(shard) && now - (this.neededAt.get(shard) ?? Number.NEGATIVE_INFINITY) < INTEREST_LINGER_MS;
      if (recent || this.interestUntil.has(shard) || summarised.has(shard)) czars.add(czar);
    }
    return { czars, partners: byRank.flat().filter((p) => !czars.has(p)), mine };
  }

  /** Per-shard metrics (the commit points), read once per clock instant. */
  private committedSeqs(): RoomMetrics['shards'] {
    const now = this.clock.now();
    if (this.shardMetrics?.at !== now) this.shardMetrics = { at: now, shards: this.room.metrics().shards };
    return this.shardMetrics.shards;
  }

  private bump(shard: string, n: number): void {
    this.activity.set(shard, (this.activity.get(shard) ?? 0) + n);
  }

  private transferId(now: number): string {
    return `${this.room.self}/${Math.floor(now).toString(36)}/${(this.counter++).toString(36)}`;
  }
}

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

function unitState(x: number, y: number, owner: string): UnitState {
  const u = new UnitState();
  u.x = Math.fround(x);
  u.y = Math.fround(y);
  u.owner = owner;
  return u;
}

function inside(r: Rect, x: number, y: number): boolean {
  return x >= r.minX && x < r.maxX && y >= r.minY && y < r.maxY;
}

function centre(id: SectorId, sectorSize: number): [number, number] {
  const b = sectorBounds(id, sectorSize);
  return [(b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2];
}

function clip(r: Rect, to: Rect): Rect {
  const minX = Math.max(r.minX, to.minX);
  const minY = Math.max(r.minY, to.minY);
  // Bounds are half-open: keep the view inside the last sector.
  const maxX = Math.min(r.maxX, to.maxX - 1e-9 * Math.max(1, Math.abs(to.maxX)));
  const maxY = Math.min(r.maxY, to.maxY - 1e-9 * Math.max(1, Math.abs(to.maxY)));
  return { minX, minY, maxX: Math.max(minX, maxX), maxY: Math.max(minY, maxY) };
}

/** The regions tiling `bounds` ([S20]); throws {@link ArgumentError} unless `bounds` is a rectangle of whole regions. */
/** What every world of the same bounds and scales shares: its regions and sectors. */
interface WorldShape {
  /** Its parameters, as a key. */
  readonly id: string;
  readonly regions: readonly SectorId[];
  readonly regionKeys: ReadonlySet<string>;
  readonly potential: ReadonlyMap<string, SectorId>;
  /** Keys of each region's sectors at the leaf scale (its default layout), by region key. */
  readonly tiles: ReadonlyMap<string, readonly string[]>;
  /** The same, joined by spaces. */
  readonly tilesJoined: ReadonlyMap<string, string>;
}

/** Shapes by their parameters: thousands of worlds in one process (a simulation) share one. */
const shapes = new Map<string, WorldShape>();
const MAX_SHAPES = 8;
/** Layouts by their content (shape, scope and region leaves), shared like shapes. */
const layouts = new Map<string, SectorLayout>();
const MAX_LAYOUTS = 256;

function worldShape(bounds: Rect, sectorSize: number, regionScale: number, minScale: number, leafScale: number): WorldShape {
  const id = `${bounds.minX},${bounds.minY},${bounds.maxX},${bounds.maxY}|${sectorSize}|${regionScale}|${minScale}|${leafScale}`;
  const hit = shapes.get(id);
  if (hit) return hit;
  const regions = regionsOf(bounds, regionScale, sectorSize);
  const potential = new Map<string, SectorId>();
  for (const r of regions) {
    for (let s = minScale; s <= regionScale; s++) {
      if (potential.size + regions.length > MAX_WORLD_SHARDS) {
        throw new ArgumentError(`This world would have more than ${MAX_WORLD_SHARDS} shards: use fewer regions, or fewer scales between rebalance.minScale and regionScale.`);
      }
      for (const sid of tile(r, s)) potential.set(key(sid), sid);
    }
  }
  const shape: WorldShape = { id, regions, regionKeys: new Set(regions.map(key)), potential, tiles: new Map(regions.map((r) => [key(r), tile(r, leafScale).map(key)])), tilesJoined: new Map() };
  for (const [k, list] of shape.tiles) (shape.tilesJoined as Map<string, string>).set(k, list.join(' '));
  shapes.set(id, shape);
  if (shapes.size > MAX_SHAPES) shapes.delete(shapes.keys().next().value!);
  return shape;
}

function regionsOf(bounds: Rect, scale: number, sectorSize: number): SectorId[] {
  const side = sectorSide(scale, sectorSize);
  const vals = [bounds.minX, bounds.minY, bounds.maxX, bounds.maxY];
  if (!vals.every((v) => Number.isFinite(v) && Number.isInteger(v / side)) || bounds.maxX <= bounds.minX || bounds.maxY <= bounds.minY) {
    throw new ArgumentError(`World bounds ${JSON.stringify(bounds)} must be a non-empty rectangle of whole regions (multiples of ${side} world units).`, { bounds });
  }
  const out: SectorId[] = [];
  for (let y = bounds.minY; y < bounds.maxY; y += side) {
    for (let x = bounds.minX; x < bounds.maxX; x += side) out.push(fromPoint(x, y, scale, sectorSize));
  }
  if (out.length > 1024) throw new ArgumentError(`A world of ${out.length} regions is too large: use a coarser regionScale (at most 1,024 regions).`);
  return out.sort(compareSectors);
}
