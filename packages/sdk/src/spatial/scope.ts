/**
 * Membership that follows space ([S28]). With every peer in every peer's view, a room of n
 * players costs each of them n members to track, n joins to hear about and n facts to push on
 * every new connection (measured at 1,024 peers: the SWIM traffic of the last join wave was most
 * of a peer's egress, and the views most of the memory). With authority placed by home ([S27]),
 * the czar and backups of a sector are peers whose home is in it or next to it; so a peer needs
 * to know only the peers near the shards it may hold: this scope admits the peers whose home lies
 * in the regions around its own home and view, and names the shards whose succession it can
 * decide from them.
 */
import { regionOfShard, regionShard } from './world-state.js';
import { homeOf } from './placement.js';
import { ancestorAt, key, tryParseKey, type SectorId } from './sector.js';
import type { PeerId } from '../transport/types.js';

/**
 * The peers and shards of one peer's neighbourhood in a sector world ([S28]): its **core** is the
 * regions of its home and of the sectors it views; its **area** the regions within reach of the
 * core (1 region, 2 when a region is a single leaf sector: enough to hold every peer placed near
 * any sector of the core, [S27]).
 *
 * @example
 * ```ts
 * const scope = new MembershipScope(sector(5, 5, 0), [sector(1, 1, 2)], 2, 0);
 * scope.admits(withHome('abc', sector(9, 2, 0))); // true: region (2, 0) is next to the core
 * scope.decides('s0:5,6'); // true: in the core
 * ```
 */
export class MembershipScope {
  /** Identifies the core: equal keys, equal scopes. */
  readonly coreKey: string;
  private readonly home: SectorId;
  private readonly core: ReadonlySet<string>;
  private readonly coreRegions: readonly SectorId[];
  private readonly area = new Set<string>();
  private readonly regionScale: number;
  /** Regions around the core that the area covers. */
  private readonly reach: number;
  private readonly homes = new Map<PeerId, SectorId | null>();

  /**
   * The {@link coreKey} of a scope whose core holds `core` at `regionScale`: compare before
   * building a scope anew.
   */
  static coreKeyOf(core: readonly SectorId[], regionScale: number): string {
    return [...new Set(core.filter((c) => c.scale <= regionScale).map((c) => key(ancestorAt(c, regionScale))))].sort().join(' ');
  }

  constructor(home: SectorId, core: readonly SectorId[], regionScale: number, leafScale: number) {
    this.home = home;
    this.regionScale = regionScale;
    const regions = core.filter((c) => c.scale <= regionScale).map((c) => ancestorAt(c, regionScale));
    this.core = new Set(regions.map(key));
    this.coreRegions = [...new Map(regions.map((r) => [key(r), r])).values()];
    this.coreKey = MembershipScope.coreKeyOf(regions, regionScale);
    // The block around any sector of the core reaches one region out; a region one leaf wide, two.
    const reach = regionScale - leafScale >= 1 ? 1 : 2;
    this.reach = reach;
    for (const r of regions) {
      for (let dy = -reach; dy <= reach; dy++) for (let dx = -reach; dx <= reach; dx++) this.area.add(`${r.x + dx},${r.y + dy}`);
    }
  }

  /**
   * The shards at `leafScale` and the regions this scope decides by its own choice (see
   * {@link decides}): the regions of the core and those next to the home's, the sectors of the
   * core, and the sectors in or next to the home. A world narrows its membership to this scope
   * only once its view places enough peers near each of them ([S28]).
   */
  decidedShards(leafScale: number): string[] {
    const out = new Set<string>();
    const side = 1 << (this.regionScale - leafScale);
    for (const { x, y } of this.coreRegions) {
      out.add(regionShard({ x, y, scale: this.regionScale }));
      for (let dy = 0; dy < side; dy++) for (let dx = 0; dx < side; dx++) out.add(key({ x: x * side + dx, y: y * side + dy, scale: leafScale }));
    }
    if (this.home.scale <= this.regionScale) {
      const r = ancestorAt(this.home, this.regionScale);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) out.add(regionShard({ x: r.x + dx, y: r.y + dy, scale: this.regionScale }));
    }
    if (this.home.scale <= leafScale) {
      const h = ancestorAt(this.home, leafScale);
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) out.add(key({ x: h.x + dx, y: h.y + dy, scale: leafScale }));
    }
    return [...out];
  }

  /**
   * How many rings (sectors of its own scale) around `shard` the area holds every peer of: a peer
   * placed within them is admitted ([S27]: a tier is a ring). -1 for a shard
   * this scope does not decide, or that is no sector.
   */
  coveredRing(shard: string): number {
    const s = this.placed(shard);
    if (!s) return -1;
    const side = 2 ** (this.regionScale - s.scale);
    // From a sector of the core the area runs `reach` whole regions on; from one next to the home
    // (in a region around the core) at least one sector less.
    if (this.inCore(s)) return this.reach * side;
    return this.nextToHome(s) ? this.reach * side - 1 : -1;
  }

  /** True when `region` (a sector at the region scale) is in the area. */
  inArea(region: SectorId): boolean {
    return region.scale === this.regionScale && this.area.has(`${region.x},${region.y}`);
  }

  /** True when the membership keeps `peer`: no home (not placed by space), or a home in the area. */
  admits(peer: PeerId): boolean {
    let home = this.homes.get(peer);
    if (home === undefined) this.homes.set(peer, (home = homeOf(peer) ?? null));
    return !home || home.scale > this.regionScale || this.inArea(ancestorAt(home, this.regionScale));
  }

  /**
   * True when this peer can tell from its scoped view whether it is in the succession of `shard`:
   * a shard that is no sector, a sector or region in the core, or one this peer's home is in or
   * next to (it may be placed there, [S27]). Elsewhere its view lacks the peers placed first.
   */
  decides(shard: string): boolean {
    const s = this.placed(shard);
    return !s || this.inCore(s) || this.nextToHome(s);
  }

  /** The sector (or region) a shard is about, when it is one this scope places; else undefined. */
  private placed(shard: string): SectorId | undefined {
    const s = tryParseKey(shard) ?? regionOfShard(shard);
    return s && s.scale <= this.regionScale ? s : undefined;
  }

  private inCore(s: SectorId): boolean {
    return this.core.has(key(ancestorAt(s, this.regionScale)));
  }

  /** The home is in `s` or in one of the 8 around it, at `s`'s scale. */
  private nextToHome(s: SectorId): boolean {
    if (this.home.scale > s.scale) return false;
    const h = ancestorAt(this.home, s.scale);
    return Math.max(Math.abs(h.x - s.x), Math.abs(h.y - s.y)) <= 1;
  }
}
