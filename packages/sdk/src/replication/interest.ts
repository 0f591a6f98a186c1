/**
 * Interest-scoped delivery: who receives which shard. Without it every peer holds a replica of
 * every shard; with it a shard's deltas, position frames and snapshots go only to its
 * **audience**: the peers that announced interest in it, plus its czar and backups, which always
 * receive everything for the shards whose succession they are in (they take over from their
 * replica). Rules (tests cite them):
 *
 * - [I1] Audience of a shard under a view = (czar and first `backups` backups by the view) ∪
 *   (peers whose last announcement lists the shard), restricted to live members, sorted. A shard
 *   for which `scoped` is false has the whole view as its audience (lobby, chat, …).
 * - [I2] A peer announces its whole interest set (`interest`, code 60) with a `seq` that grows
 *   with every change: to every connected peer when it changes and to each peer that connects.
 *   A receiver keeps, per peer, the announcement with the highest `seq` and forgets the peer when
 *   its connection closes.
 * - [I3] The relay plan ([R15], [R16]) of a scoped shard is computed over its audience instead
 *   of the whole view, so a peer outside the audience neither receives nor forwards it.
 * - [I4] Snapshots pushed by a czar (opening a term, to a joiner, to a peer behind) and repair
 *   ranges go only to the audience, and a peer outside a shard's audience asks for neither. A
 *   handoff or a copy ([R12], [R13]) goes to the successor whatever its interest (it is in the
 *   succession anyway).
 * - [I5] A peer that becomes interested announces first and declares (or asks) second, on the
 *   same reliable channel, so the czar knows it before the request for state arrives.
 *
 * The engine consults a {@link DeliveryFilter}; {@link InterestTable} is the one built from
 * announcements, `InterestExchange` (interest-wire.ts) carries them.
 */
import type { AuthorityView } from '../authority/view.js';
import type { ShardId } from '../authority/ids.js';
import type { PeerId } from '../transport/types.js';

/** What the replication engine asks before it sends a shard's state to a peer ([I1], [I3], [I4]). */
export interface DeliveryFilter {
  /** The audience of `shard` ([I1]): the members the relay plan is computed over, sorted. */
  members(shard: ShardId, view: AuthorityView, backups: number): readonly PeerId[];
  /** True when `peer` is in the audience of `shard` under `view`. */
  wants(peer: PeerId, shard: ShardId, view: AuthorityView, backups: number): boolean;
}

/** Options of an {@link InterestTable}. */
export interface InterestTableOptions {
  /**
   * Shards whose delivery follows interest; the others go to everyone, as without a filter.
   * Default: every shard is scoped.
   */
  readonly scoped?: (shard: string) => boolean;
}

interface Announcement {
  readonly seq: number;
  readonly shards: ReadonlySet<string>;
}

interface CachedMembers {
  readonly view: AuthorityView;
  readonly backups: number;
  readonly version: number;
  readonly members: readonly PeerId[];
}

/**
 * Per peer, the interest set it announced last ([I2]), indexed by shard, and this peer's own.
 * Implements {@link DeliveryFilter}; audiences are cached per (view, table version).
 */
export class InterestTable implements DeliveryFilter {
  private readonly byPeer = new Map<PeerId, Announcement>();
  private readonly byShard = new Map<string, Set<PeerId>>();
  private readonly scoped: (shard: string) => boolean;
  private readonly cache = new Map<string, CachedMembers>();
  private own = new Set<string>();
  private versionNo = 0;

  constructor(
    /** This peer. */
    readonly self: PeerId,
    options: InterestTableOptions = {},
  ) {
    this.scoped = options.scoped ?? (() => true);
  }

  /** Increases on every change of any peer's interest (this one's included). */
  get version(): number {
    return this.versionNo;
  }

  /** True when `shard`'s delivery follows interest. */
  isScoped(shard: string): boolean {
    return this.scoped(shard);
  }

  /** Sets this peer's own interest (it is part of every audience it names). Returns true if it changed. */
  setOwn(shards: Iterable<string>): boolean {
    const next = new Set(shards);
    if (sameSet(next, this.own)) return false;
    this.reindex(this.self, this.own, next);
    this.own = next;
    this.versionNo++;
    return true;
  }

  /** This peer's own interest, sorted. */
  ownShards(): string[] {
    return [...this.own].sort();
  }

  /**
   * Records `peer`'s announcement ([I2]); ignored (false) unless `seq` is above the last one kept
   * for that peer. Returns true when it was recorded.
   */
  update(peer: PeerId, seq: number, shards: Iterable<string>): boolean {
    if (peer === this.self) return false;
    const prev = this.byPeer.get(peer);
    if (prev && seq <= prev.seq) return false;
    const next = new Set(shards);
    this.reindex(peer, prev?.shards ?? new Set(), next);
    this.byPeer.set(peer, { seq, shards: next });
    this.versionNo++;
    return true;
  }

  /** Forgets `peer` (its connection closed, [I2]). */
  forget(peer: PeerId): void {
    const prev = this.byPeer.get(peer);
    if (!prev) return;
    this.reindex(peer, prev.shards, new Set());
    this.byPeer.delete(peer);
    this.versionNo++;
  }

  /** The shards `peer` announced (this peer: its own), sorted; empty if unknown. */
  interestsOf(peer: PeerId): string[] {
    if (peer === this.self) return this.ownShards();
    return [...(this.byPeer.get(peer)?.shards ?? [])].sort();
  }

  /** Peers (this one included) known to be interested in `shard`. */
  interested(shard: string): ReadonlySet<PeerId> {
    return this.byShard.get(shard) ?? EMPTY;
  }

  members(shard: ShardId, view: AuthorityView, backups: number): readonly PeerId[] {
    if (!this.scoped(shard)) return view.peers;
    const hit = this.cache.get(shard);
    if (hit && hit.view === view && hit.backups === backups && hit.version === this.versionNo) return hit.members;
    const out = new Set<PeerId>(view.head(shard, 1 + backups));
    for (const p of this.interested(shard)) if (view.has(p)) out.add(p);
    const members = [...out].sort();
    if (this.cache.size > 4096) this.cache.clear();
    this.cache.set(shard, { view, backups, version: this.versionNo, members });
    return members;
  }

  wants(peer: PeerId, shard: ShardId, view: AuthorityView, backups: number): boolean {
    if (!this.scoped(shard)) return true;
    if (this.interested(shard).has(peer)) return true;
    return view.rankWithin(peer, shard, 1 + backups) >= 0;
  }

  private reindex(peer: PeerId, before: ReadonlySet<string>, after: ReadonlySet<string>): void {
    for (const s of before) {
      if (after.has(s)) continue;
      const set = this.byShard.get(s);
      set?.delete(peer);
      if (set && set.size === 0) this.byShard.delete(s);
    }
    for (const s of after) {
      if (before.has(s)) continue;
      let set = this.byShard.get(s);
      if (!set) this.byShard.set(s, (set = new Set()));
      set.add(peer);
    }
  }
}

const EMPTY: ReadonlySet<PeerId> = new Set();

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
