/**
 * Who writes which shard under one membership view. Every peer builds an {@link AuthorityView}
 * from the same live-peer set and gets the same czar and the same ordered backups for every
 * shard, so a failover needs no election: the next backup simply takes over.
 *
 * A view is immutable. Its per-shard cache therefore lives exactly as long as the membership
 * version it was computed for; a membership change builds a new view (see {@link AuthorityView.next})
 * and {@link diffCzars} tells which shards changed hands.
 */
import { ArgumentError } from '../errors.js';
import type { PeerId } from '../transport/types.js';
import { lanesOf } from './hash.js';
import type { ShardId } from './ids.js';
import { byScore, checkedTier, hasWeights, rankEntries, scoreEntry, scorePrepared, type PeerWeights, type Placement, type RankEntry, type Scored } from './rendezvous.js';

/** What an {@link AuthorityView} is built from. */
export interface AuthorityViewInit {
  /** Version of the membership view (monotonic per room); carried for logs and diffs. */
  readonly version: number;
  /** Live peers, in any order; duplicates are ignored. */
  readonly peers: Iterable<PeerId>;
  /**
   * Live peers set aside (hidden tab, low battery, just joined and still syncing): never czar or
   * backup while in standby, but still members. Ids not in `peers` are ignored.
   */
  readonly standby?: Iterable<PeerId>;
  /** Capacity weights (default 1 each); see {@link rankPeers}. */
  readonly weights?: PeerWeights;
  /** Locality tiers (default: one tier for all); see {@link Placement}. */
  readonly placement?: Placement;
  /**
   * The view this one follows, for speed only: a succession is then derived from the previous
   * view's (scores of the peers that stayed are kept, only the newcomers are hashed) instead of
   * hashing every peer again. The result is identical either way.
   */
  readonly previous?: AuthorityView;
}

/** One shard whose czar differs between two views. `undefined` means no eligible peer. */
export interface CzarChange {
  readonly shard: ShardId;
  readonly from: PeerId | undefined;
  readonly to: PeerId | undefined;
}

/**
 * Czar and backups of every shard under one membership view. Pure and cached per shard.
 *
 * @example
 * ```ts
 * const view = new AuthorityView({ version: 1, peers: ['a', 'b', 'c'].map(asPeerId) });
 * const world = shardId('world');
 * console.log(view.czarOf(world), view.backupsOf(world, 2));
 * ```
 */
export class AuthorityView {
  /** Membership version this view was computed from. */
  readonly version: number;
  /** Live peers, deduplicated and sorted. */
  readonly peers: readonly PeerId[];
  /** Live peers that may hold authority (peers minus standby), sorted. */
  readonly eligible: readonly PeerId[];
  /** Live peers in standby, sorted. */
  readonly standby: readonly PeerId[];
  private readonly weights: PeerWeights | undefined;
  private readonly placement: Placement | undefined;
  private readonly entries: readonly RankEntry[];
  private readonly weighted: boolean;
  private readonly eligibleSet: ReadonlySet<PeerId>;
  private readonly peerSet: ReadonlySet<PeerId>;
  private readonly cache = new Map<ShardId, readonly PeerId[]>();
  private readonly scored = new Map<ShardId, readonly Scored[]>();
  /** Heads of successions ranked from the placement's `near` lookup alone (see {@link AuthorityView.head}). */
  private readonly heads = new Map<ShardId, readonly PeerId[]>();
  private nearLookup: ((shard: ShardId, atLeast?: number) => readonly PeerId[] | undefined) | null | undefined;
  private entryOf: Map<PeerId, RankEntry> | undefined;
  /** See {@link AuthorityViewInit.previous}; only one link deep, so views never chain in memory. */
  private previous: AuthorityView | undefined;
  private joinedSincePrevious: readonly RankEntry[] | undefined;

  constructor(init: AuthorityViewInit) {
    if (!Number.isSafeInteger(init.version) || init.version < 0) {
      throw new ArgumentError(`View version ${String(init.version)} is invalid: use a non-negative safe integer.`, { version: init.version });
    }
    this.version = init.version;
    const peers = [...new Set(init.peers)].sort();
    const standbySet = new Set(init.standby ?? []);
    this.peers = peers;
    this.eligible = peers.filter((p) => !standbySet.has(p));
    this.standby = peers.filter((p) => standbySet.has(p));
    this.eligibleSet = new Set(this.eligible);
    this.peerSet = new Set(peers);
    this.weights = init.weights;
    this.placement = init.placement;
    this.entries = rankEntries(this.eligible, init.weights);
    this.weighted = hasWeights(this.entries);
    const prev = init.previous;
    if (prev && prev.weights === this.weights && prev.weighted === this.weighted && prev.placement === this.placement) {
      prev.previous = undefined;
      prev.joinedSincePrevious = undefined;
      // Only its scores serve this view; its other caches would be held for nothing while a
      // peer keeps it (they are rebuilt if it is asked again).
      prev.cache.clear();
      prev.heads.clear();
      prev.entryOf = undefined;
      prev.nearLookup = undefined;
      this.previous = prev;
    }
  }

  /**
   * A view for the next membership version. Fields left out of `changes` are carried over
   * (the standby peers still live, the weights and the placement); `version` defaults to this
   * version + 1.
   */
  next(changes: Partial<AuthorityViewInit>): AuthorityView {
    const weights = changes.weights ?? this.weights;
    const placement = changes.placement ?? this.placement;
    return new AuthorityView({
      version: changes.version ?? this.version + 1,
      peers: changes.peers ?? this.peers,
      standby: changes.standby ?? this.standby,
      ...(weights ? { weights } : {}),
      ...(placement ? { placement } : {}),
      previous: this,
    });
  }

  /** The whole succession of `shard`: czar first, then every other eligible peer in backup order. */
  succession(shard: ShardId): readonly PeerId[] {
    let order = this.cache.get(shard);
    if (!order) {
      const scored = this.scoresOf(shard);
      order = Object.freeze(scored.map((x) => x.peer));
      this.cache.set(shard, order);
    }
    return order;
  }

  /** The eligible peers' scores for `shard`, in succession order (derived from the previous view's when it has them). */
  private scoresOf(shard: ShardId): readonly Scored[] {
    const prev = this.previous;
    const before = prev?.scored.get(shard);
    let scored: Scored[];
    const tierOf = this.tierOf(shard);
    if (prev && before) {
      this.joinedSincePrevious ??= this.entries.filter((e) => !prev.eligibleSet.has(e.peer));
      const lanes = lanesOf(shard);
      const joined = this.joinedSincePrevious.map((e) => scoreEntry(lanes, e, this.weighted, tierOf?.(e.peer) ?? 0)).sort(byScore);
      scored = [];
      let j = 0;
      for (const x of before) {
        if (!this.eligibleSet.has(x.peer)) continue;
        while (j < joined.length && byScore(joined[j]!, x) < 0) scored.push(joined[j++]!);
        scored.push(x);
      }
      while (j < joined.length) scored.push(joined[j++]!);
    } else {
      scored = scorePrepared(lanesOf(shard), this.entries, this.weighted, tierOf);
    }
    this.scored.set(shard, scored);
    return scored;
  }

  /**
   * The first `k` peers of the succession of `shard`, czar first: always `succession(shard)`'s
   * first `k`. With a placement that has a `near` index and at least `k` eligible peers near the
   * shard, only those are ranked (the others come after them), so a czar lookup in a room of
   * thousands costs what its neighbourhood does, not the room.
   */
  head(shard: ShardId, k: number): readonly PeerId[] {
    const full = this.cache.get(shard);
    if (full) return full.length <= k ? full : full.slice(0, k);
    const known = this.heads.get(shard);
    if (known && known.length >= k) return known.length === k ? known : known.slice(0, k);
    const near = this.nearOf(shard, k);
    if (near && near.length >= k) {
      const entryOf = (this.entryOf ??= new Map(this.entries.map((e) => [e.peer, e])));
      const scored = scorePrepared(lanesOf(shard), near.map((p) => entryOf.get(p)!), this.weighted, this.tierOf(shard));
      const out = Object.freeze(scored.map((x) => x.peer));
      this.heads.set(shard, out);
      return out.length === k ? out : out.slice(0, k);
    }
    const order = this.succession(shard);
    return order.length <= k ? order : order.slice(0, k);
  }

  /** The placement's tier of each peer on `shard`, checked; undefined without a placement. */
  private tierOf(shard: ShardId): ((peer: PeerId) => number) | undefined {
    const placement = this.placement;
    return placement && ((p: PeerId) => checkedTier(placement, p, shard));
  }

  /** The placement's peers nearest `shard`, at least `k` when it has them (eligible ones), or undefined without an index. */
  private nearOf(shard: ShardId, k: number): readonly PeerId[] | undefined {
    if (this.nearLookup === undefined) this.nearLookup = this.placement?.near?.(this.eligible) ?? null;
    return this.nearLookup?.(shard, k);
  }

  /**
   * Position of `peer` among the first `k` of the succession of `shard`, or -1 when it is not
   * among them (or not eligible): `rankOf` for the ranks that matter, without ranking the room.
   */
  rankWithin(peer: PeerId, shard: ShardId, k: number): number {
    if (!this.eligibleSet.has(peer)) return -1;
    return this.head(shard, k).indexOf(peer);
  }

  /** The czar of `shard`, or `undefined` when no peer is eligible. */
  czarOf(shard: ShardId): PeerId | undefined {
    return this.head(shard, 1)[0];
  }

  /** The first `n` backups of `shard`, in takeover order (fewer when fewer peers are eligible). */
  backupsOf(shard: ShardId, n: number): PeerId[] {
    if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`Backup count ${String(n)} is invalid: use an integer >= 0.`, { n });
    return this.head(shard, 1 + n).slice(1);
  }

  /** True when `peer` is the czar of `shard` in this view. */
  isCzar(peer: PeerId, shard: ShardId): boolean {
    return this.czarOf(shard) === peer;
  }

  /**
   * Position of `peer` in the succession of `shard`: 0 czar, 1 first backup, …; -1 when the peer
   * is not eligible (absent or standby).
   */
  rankOf(peer: PeerId, shard: ShardId): number {
    if (!this.eligibleSet.has(peer)) return -1;
    return this.succession(shard).indexOf(peer);
  }

  /** True when `peer` is live in this view (standby included). */
  has(peer: PeerId): boolean {
    return this.peerSet.has(peer);
  }

  /** Shards whose czar changes from `prev` to `next`, in the order of `shards`. */
  static diff(prev: AuthorityView, next: AuthorityView, shards: Iterable<ShardId>): CzarChange[] {
    return diffCzars(prev, next, shards);
  }
}

/**
 * Shards whose czar changes from `prev` to `next`, in the order of `shards` (duplicates once).
 *
 * @example
 * ```ts
 * const before = new AuthorityView({ version: 1, peers: ['a', 'b', 'c'].map(asPeerId) });
 * const after = before.next({ version: 2, peers: ['a', 'b'].map(asPeerId) });
 * for (const { shard, from, to } of diffCzars(before, after, [shardId('world')])) console.log(shard, from, '→', to);
 * ```
 */
export function diffCzars(prev: AuthorityView, next: AuthorityView, shards: Iterable<ShardId>): CzarChange[] {
  const out: CzarChange[] = [];
  const seen = new Set<ShardId>();
  for (const shard of shards) {
    if (seen.has(shard)) continue;
    seen.add(shard);
    const from = prev.czarOf(shard);
    const to = next.czarOf(shard);
    if (from !== to) out.push({ shard, from, to });
  }
  return out;
}
