/**
 * The head of every shard's succession (czar and first backups) under one membership view,
 * without ranking every peer: a world asks "am I among the first `1 + backups` of this sector?"
 * for every sector of the map on every view change, and a full ranking per sector is
 * O(peers · log peers) each, O(sectors · peers · log peers) per peer per view change. A partial
 * selection is O(peers) per sector, and the tables are shared by every world of the process that
 * sees the same view (a simulation runs hundreds of peers in one process; they agree on the view
 * most of the time), so the work is done once per distinct view, not once per peer.
 *
 * The order is exactly {@link AuthorityView.succession}'s for unweighted peers (by placement tier
 * when there is a placement, then `pairHash52(shard, peer)` descending, ties by peer id); the
 * tests check it against the view.
 */
import { lanesOf, pairHash52, type Lanes } from '../authority/hash.js';
import { byScore, checkedTier, rankEntries, scoreEntry, scorePrepared, type Placement } from '../authority/rendezvous.js';
import { shardId, type ShardId } from '../authority/ids.js';
import { ArgumentError } from '../errors.js';
import type { PeerId } from '../transport/types.js';
import { forEachOnRing, key, type SectorId } from './sector.js';

/** Distinct views whose tables are kept (most recently used first out last). */
const SHARED_TABLES = 4;
/** More joiners than this since the previous table: rank afresh rather than merge. */
const MAX_DERIVED_JOINS = 64;

const shared = new Map<string, SuccessionHeads>();
/** A number per placement function, so shared tables never mix placements. */
const placementIds = new WeakMap<Placement, number>();
let nextPlacementId = 1;

function placementKey(placement: Placement | undefined): number {
  if (!placement) return 0;
  let id = placementIds.get(placement);
  if (id === undefined) placementIds.set(placement, (id = nextPlacementId++));
  return id;
}

/**
 * Czar and first backups of each shard under one set of eligible peers; computed per shard on
 * first use and cached.
 *
 * @example
 * ```ts
 * const heads = SuccessionHeads.shared(room.peers(), room.membership.standby(), 1 + 2);
 * if (heads.rankOf(room.self, 's0:3,4') >= 0) world.declare('s0:3,4'); // czar or one of 2 backups
 * ```
 */
export class SuccessionHeads {
  /** Eligible peers (live, not in standby), sorted. */
  readonly eligible: readonly PeerId[];
  /** How many of each succession are kept: the czar and `depth - 1` backups. */
  readonly depth: number;
  private readonly lanes: readonly Lanes[];
  private readonly cache = new Map<string, readonly PeerId[]>();
  private nearLookup: ((shard: ShardId, atLeast?: number) => readonly PeerId[] | undefined) | null | undefined;
  /** The table of the view before, for speed only (one link deep): see {@link SuccessionHeads.shared}. */
  private previous: SuccessionHeads | undefined;
  /** Peers that joined (indices into `eligible`) and left since `previous`; null: rank afresh. */
  private changes: { readonly joined: readonly number[]; readonly left: ReadonlySet<PeerId> } | null | undefined;

  /**
   * Heads of depth `depth` over `peers` minus `standby` (duplicates ignored).
   *
   * @example
   * ```ts
   * const heads = new SuccessionHeads(['a', 'b', 'c'].map(asPeerId), [], 2);
   * heads.top('s0:0,0'); // e.g. ['c', 'a']
   * ```
   */
  constructor(
    peers: Iterable<PeerId>,
    standby: Iterable<PeerId>,
    depth: number,
    /** The room's placement (`Room.placement`), so the heads match its view. */
    readonly placement?: Placement,
    /**
     * The table of the previous view, for speed only: a head it knows is derived from it and the
     * peers that joined since (unless one of that head left), instead of ranking anew. The result
     * is identical either way.
     */
    previous?: SuccessionHeads,
  ) {
    if (!Number.isInteger(depth) || depth < 1) throw new ArgumentError(`Succession depth ${String(depth)} is invalid: use an integer >= 1.`, { depth });
    const away = new Set(standby);
    this.eligible = [...new Set(peers)].filter((p) => !away.has(p)).sort();
    this.depth = depth;
    this.lanes = this.eligible.map(lanesOf);
    if (previous) this.follow(previous);
  }

  /**
   * The heads for this view, shared with every other caller that passes the same view and depth
   * (the last few distinct views are kept).
   *
   * @example
   * ```ts
   * const heads = SuccessionHeads.shared(room.peers(), room.membership.standby(), 3);
   * const czar = heads.top('region:s2:0,0')[0];
   * ```
   */
  static shared(peers: Iterable<PeerId>, standby: Iterable<PeerId>, depth: number, placement?: Placement, previous?: SuccessionHeads): SuccessionHeads {
    const fresh = new SuccessionHeads(peers, standby, depth, placement);
    const id = `${depth}|${placementKey(placement)}|${fresh.eligible.join('\n')}`;
    const hit = shared.get(id);
    if (hit) {
      shared.delete(id);
      shared.set(id, hit);
      return hit;
    }
    if (previous) fresh.follow(previous);
    shared.set(id, fresh);
    if (shared.size > SHARED_TABLES) shared.delete(shared.keys().next().value!);
    return fresh;
  }

  /**
   * The first `depth` peers of the succession of `shard`, czar first.
   *
   * @example
   * ```ts
   * const [czar, firstBackup] = heads.top('s0:3,4');
   * ```
   */
  top(shard: string): readonly PeerId[] {
    let out = this.cache.get(shard);
    if (!out) {
      const lanes = lanesOf(shard);
      out = Object.freeze(this.derive(shard, lanes) ?? this.select(shard, lanes));
      this.cache.set(shard, out);
    }
    return out;
  }

  /**
   * The head from the previous table's: its members that are still eligible all are, and nothing
   * ranked below them before can pass them, so the new head is the best `depth` of that head and
   * the joiners. Undefined when it does not apply (no previous head, or a member of it left).
   */
  private derive(name: string, shard: Lanes): PeerId[] | undefined {
    const prev = this.previous;
    const before = prev?.cache.get(name);
    if (!prev || !before) return undefined;
    const changes = this.changesSincePrevious(prev);
    if (!changes || before.some((p) => changes.left.has(p))) return undefined;
    const placement = this.placement;
    const id = shardId(name);
    const tier = (p: PeerId): number => (placement ? checkedTier(placement, p, id) : 0);
    const scored = before.map((p) => scoreEntry(shard, { peer: p, lanes: lanesOf(p), weight: 1 }, false, tier(p)));
    for (const i of changes.joined) scored.push(scoreEntry(shard, { peer: this.eligible[i]!, lanes: this.lanes[i]!, weight: 1 }, false, tier(this.eligible[i]!)));
    return scored
      .sort(byScore)
      .slice(0, Math.min(this.depth, this.eligible.length))
      .map((x) => x.peer);
  }

  /** Derives heads from `previous` when it ranks alike (same depth and placement); one link deep. */
  private follow(previous: SuccessionHeads): void {
    if (previous === this || previous.depth !== this.depth || previous.placement !== this.placement) return;
    previous.previous = undefined;
    previous.changes = undefined;
    this.previous = previous;
  }

  private changesSincePrevious(prev: SuccessionHeads): { readonly joined: readonly number[]; readonly left: ReadonlySet<PeerId> } | null {
    if (this.changes !== undefined) return this.changes;
    const mine = new Set(this.eligible);
    const theirs = new Set(prev.eligible);
    const joined: number[] = [];
    for (let i = 0; i < this.eligible.length && joined.length <= MAX_DERIVED_JOINS; i++) if (!theirs.has(this.eligible[i]!)) joined.push(i);
    this.changes = joined.length > MAX_DERIVED_JOINS ? null : { joined, left: new Set(prev.eligible.filter((p) => !mine.has(p))) };
    return this.changes;
  }

  /**
   * Position of `peer` in the succession of `shard` (0 czar, 1 first backup, …), or -1 when it is
   * not among the first `depth` (or not eligible).
   *
   * @example
   * ```ts
   * const rank = heads.rankOf(room.self, 's0:3,4'); // -1, 0, 1 or 2 with depth 3
   * ```
   */
  rankOf(peer: PeerId, shard: string): number {
    return this.top(shard).indexOf(peer);
  }

  /** Insertion into a sorted window of `depth` candidates: O(peers) for a small depth. */
  private select(name: string, shard: Lanes): PeerId[] {
    const k = Math.min(this.depth, this.eligible.length);
    const placement = this.placement;
    const id = shardId(name);
    // With an index, the peers near the shard come before all others: rank them alone if enough.
    if (this.nearLookup === undefined) this.nearLookup = placement?.near?.(this.eligible) ?? null;
    const near = this.nearLookup?.(id, k);
    if (placement && near && near.length >= k) {
      return scorePrepared(shard, rankEntries(near), false, (p) => checkedTier(placement, p, id))
        .slice(0, k)
        .map((x) => x.peer);
    }
    const topT: number[] = [];
    const topH: number[] = [];
    const topI: number[] = [];
    // Strictly before (lower tier, or same tier and higher hash): `eligible` is sorted, so among
    // equal keys the earlier index is the smaller id and keeps its place, as the view orders them.
    const before = (t: number, h: number, j: number): boolean => t < topT[j]! || (t === topT[j]! && h > topH[j]!);
    for (let i = 0; i < this.eligible.length; i++) {
      const t = placement ? checkedTier(placement, this.eligible[i]!, id) : 0;
      if (topH.length === k && topT[k - 1]! < t) continue;
      const h = pairHash52(shard, this.lanes[i]!);
      if (topH.length === k && !before(t, h, k - 1)) continue;
      let j = topH.length === k ? k - 1 : topH.length;
      while (j > 0 && before(t, h, j - 1)) {
        topT[j] = topT[j - 1]!;
        topH[j] = topH[j - 1]!;
        topI[j] = topI[j - 1]!;
        j--;
      }
      topT[j] = t;
      topH[j] = h;
      topI[j] = i;
    }
    return topI.map((i) => this.eligible[i]!);
  }
}

/**
 * The sectors of `home`'s scale that a peer whose home is in `home` may be in the head of, under
 * a distance placement ([S27], `sectorPlacement`): found ring by ring around `home` instead of
 * ranking every sector of the map (10,000 at 10,000 peers, on every view change while a room is
 * too sparse to scope its membership, [S28]).
 *
 * On ring `r` the peer is tier `r`, so it can be in the head of a sector there only if fewer than
 * `depth` peers are nearer, that is if the head's last peer is tier `r` or more (the sector is
 * "open"). A sector on ring `r + 1` has a neighbour on ring `r` (one step toward `home`) whose
 * nearer peers are all nearer to it too; so once a whole ring is closed, every ring past it is,
 * and the rings up to the first closed one (or past the world, `inWorld` false on a whole ring)
 * hold every sector the peer may head. The set may hold more (closed sectors of those rings).
 *
 * @example
 * ```ts
 * const heads = SuccessionHeads.shared(room.peers(), [], 3, placement);
 * const mine = reachableSectors(heads, placement, sector(4, 7, 0), (k) => world.has(k));
 * ```
 */
export function reachableSectors(heads: SuccessionHeads, placement: Placement, home: SectorId, inWorld: (sectorKey: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (let r = 0; ; r++) {
    let any = false;
    let open = false;
    const visit = (x: number, y: number): void => {
      const k = key({ x, y, scale: home.scale });
      if (!inWorld(k)) return;
      any = true;
      out.add(k);
      if (open) return;
      const last = heads.top(k)[heads.depth - 1];
      open = last === undefined || checkedTier(placement, last, shardId(k)) >= r;
    };
    forEachOnRing(home.x, home.y, r, visit);
    if (!any || !open) return out;
  }
}
