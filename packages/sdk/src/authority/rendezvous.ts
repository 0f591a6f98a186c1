/**
 * Rendezvous (highest-random-weight) hashing: for a shard, every peer gets a pseudo-random score
 * from hash(shard, peer); the highest score is the czar, the next ones are its backups in order.
 * All peers compute the same order from the same peer set, with no messages, and a peer joining
 * or leaving only moves the shards it wins or held (minimal disruption).
 *
 * Weighted variant (capacity): score = -weight / ln(u), u = hash01(shard, peer). A peer with
 * weight w then wins a share w / Σw of shards (Schindelhauer & Schomaker, "Weighted distributed
 * hash tables", 2005).
 */
import { ArgumentError } from '../errors.js';
import type { PeerId } from '../transport/types.js';
import { detLn, lanesOf, pairHash52, unitInterval, type Lanes } from './hash.js';
import type { ShardId } from './ids.js';

/**
 * Locality of authority: a tier for a peer on a shard, lower first. A succession orders the peers
 * by tier, then by score within a tier, so the czar and backups of a shard come from its lowest
 * tier that has eligible peers (e.g. the players whose home is in a sector, then its neighbours',
 * then anyone). Every peer must compute the same tiers: a pure function of the two ids, returning
 * a small integer >= 0 (see `sectorPlacement` in the spatial layer).
 */
export interface Placement {
  (peer: PeerId, shard: ShardId): number;
  /**
   * Optional, for speed in rooms of thousands: indexes the eligible peers of a view once and
   * returns a lookup that lists, for a shard, at least `atLeast` of them when it can, such that
   * every peer it leaves out has a higher tier than every peer it lists (whole tiers, lowest
   * first), or `undefined` when it cannot tell. A succession's head of `k` peers
   * ({@link AuthorityView.head}) then ranks only the `atLeast = k` it lists.
   */
  readonly near?: (peers: readonly PeerId[]) => (shard: ShardId, atLeast?: number) => readonly PeerId[] | undefined;
}

/** Capacity weight per peer; a peer that is absent has weight 1. Weights must be finite and > 0. */
export type PeerWeights = ReadonlyMap<PeerId, number>;

/** A peer with its precomputed hash lanes and weight, ready to be ranked for many shards. */
export interface RankEntry {
  readonly peer: PeerId;
  readonly lanes: Lanes;
  readonly weight: number;
}

/** Default weight of a peer without an entry in {@link PeerWeights}. */
export const DEFAULT_WEIGHT = 1;

/** Throws {@link ArgumentError} unless every weight is a finite number > 0. */
export function validateWeights(weights: PeerWeights | undefined): void {
  if (!weights) return;
  for (const [peer, w] of weights) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w <= 0) {
      throw new ArgumentError(`Weight of peer ${peer} is ${String(w)}: use a finite number > 0 (put the peer in standby to exclude it).`, {
        peer,
        weight: w,
      });
    }
  }
}

/**
 * Builds rank entries for a peer set: duplicates removed, weights looked up. The input order does
 * not matter (ranking sorts), so callers may pass any iterable.
 */
export function rankEntries(peers: Iterable<PeerId>, weights?: PeerWeights): RankEntry[] {
  validateWeights(weights);
  const seen = new Set<PeerId>();
  const out: RankEntry[] = [];
  for (const peer of peers) {
    if (seen.has(peer)) continue;
    seen.add(peer);
    out.push({ peer, lanes: lanesOf(peer), weight: weights?.get(peer) ?? DEFAULT_WEIGHT });
  }
  return out;
}

/** A peer's tier and score for one shard; sorted by {@link byScore}, the succession. */
export interface Scored {
  readonly peer: PeerId;
  readonly h: number;
  readonly score: number;
  /** From the {@link Placement}; 0 without one. */
  readonly tier: number;
}

/** Scores one prepared entry for a shard (see {@link scorePrepared}); `tier` from the placement. */
export function scoreEntry(shard: Lanes, e: RankEntry, weighted: boolean, tier = 0): Scored {
  const h = pairHash52(shard, e.lanes);
  // -w / ln(u) grows with u, so with equal weights both branches give the same order.
  const score = weighted ? -e.weight / detLn(unitInterval(h)) : h;
  return { peer: e.peer, h, score, tier };
}

/** Succession order: lowest tier first, then highest score; total and independent of input order. */
export function byScore(x: Scored, y: Scored): number {
  if (x.tier !== y.tier) return x.tier - y.tier;
  if (x.score !== y.score) return y.score - x.score;
  if (x.h !== y.h) return y.h - x.h;
  // Ties are astronomically rare, but the order must still be total and input-independent.
  return x.peer < y.peer ? -1 : x.peer > y.peer ? 1 : 0;
}

/**
 * The scores of prepared entries for a shard, in succession order: index 0 is the czar, then the
 * backups. `weighted` false skips the logarithm (all weights equal: the raw hash already orders
 * the peers).
 */
export function scorePrepared(shard: Lanes, entries: readonly RankEntry[], weighted: boolean, tierOf?: (peer: PeerId) => number): Scored[] {
  const scored = entries.map((e) => scoreEntry(shard, e, weighted, tierOf?.(e.peer) ?? 0));
  scored.sort(byScore);
  return scored;
}

/** True when some entry has a weight other than {@link DEFAULT_WEIGHT}. */
export function hasWeights(entries: readonly RankEntry[]): boolean {
  return entries.some((e) => e.weight !== DEFAULT_WEIGHT);
}

/**
 * The succession of `shard` among `peers`: index 0 is the czar, then the backups in order.
 * Identical on every peer for the same set, whatever the input order; duplicates are ignored.
 * With `weights`, a peer's expected share of shards is proportional to its weight.
 *
 * @example
 * ```ts
 * const [czar, ...backups] = rankPeers(shardId('world'), ['a', 'b', 'c'].map(asPeerId));
 * ```
 */
export function rankPeers(shard: ShardId, peers: readonly PeerId[], weights?: PeerWeights, placement?: Placement): PeerId[] {
  const entries = rankEntries(peers, weights);
  return scorePrepared(lanesOf(shard), entries, hasWeights(entries), placement && ((p) => checkedTier(placement, p, shard))).map((s) => s.peer);
}

/** A placement's tier, or an {@link ArgumentError} naming the pair when it is not an integer >= 0. */
export function checkedTier(placement: Placement, peer: PeerId, shard: ShardId): number {
  const t = placement(peer, shard);
  if (!Number.isInteger(t) || t < 0) throw new ArgumentError(`Placement gave tier ${String(t)} to ${peer} on ${shard}: return an integer >= 0.`, { peer, shard, tier: t });
  return t;
}
