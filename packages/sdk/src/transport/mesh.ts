/**
 * Who dials whom, for every transport. A joiner asks its {@link MeshPolicy} which of the peers
 * already in the room to dial; those peers accept. Full mesh is the default; a partial mesh (each
 * peer connected to a few others, gossip doing the rest) plugs in here without touching transports.
 */
import { ArgumentError } from '../errors.js';
import { randomInt, type Rng } from '../util/rng.js';
import type { PeerId, Transport } from './types.js';

/** What a {@link MeshPolicy} may look at besides the candidates. */
export interface MeshContext {
  /** The room being joined. */
  readonly room: string;
  /** Time of the join on the transport's clock. */
  readonly now: number;
  /** A seeded stream reserved for mesh decisions, so they replay from the network seed. */
  readonly rng: Rng;
}

/**
 * Picks the peers `self` dials when it joins, from `candidates` (peers already in the room, in
 * join order). Ids not among the candidates are ignored. The dialled peers accept every dial.
 * `candidates` may be a live list, valid only during the call: copy it to keep it. Must be a
 * pure function of its arguments.
 */
export type MeshPolicy = (self: PeerId, candidates: readonly PeerId[], ctx: MeshContext) => readonly PeerId[];

/** Connects to everyone already in the room. */
export const fullMesh: MeshPolicy = (_self, candidates) => candidates;

/**
 * Default cap on connections per peer of the partial meshes. Chromium refuses new peer
 * connections after about 500 in a page's lifetime, and a full mesh stalls past a few dozen
 * peers (every delta leaves once per connection); 24 leaves room for a 3 × 3 interest
 * neighbourhood's czars, the peers that watch this peer's shards and a few random links.
 */
export const DEFAULT_MAX_CONNECTIONS = 24;

/** Default random links of {@link interestMesh}: enough, with the interest links, for membership gossip to reach everyone. */
export const DEFAULT_RANDOM_LINKS = 2;

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new ArgumentError(`${name} must be an integer >= ${min}, got ${String(v)}.`, { [name]: v });
}

/** Up to `k` distinct candidates drawn with `rng`, skipping `taken` (Floyd-style rejection; O(k) for k ≪ n). */
function drawRandom(candidates: readonly PeerId[], k: number, rng: Rng, taken: ReadonlySet<PeerId>): PeerId[] {
  const out: PeerId[] = [];
  const n = candidates.length;
  if (k <= 0 || n === 0) return out;
  const picked = new Set<PeerId>();
  // A bounded number of draws: with most candidates taken, give up rather than loop.
  for (let tries = 0; out.length < k && tries < 4 * k + 16; tries++) {
    const p = candidates[randomInt(rng, n)]!;
    if (picked.has(p) || taken.has(p)) continue;
    picked.add(p);
    out.push(p);
  }
  return out;
}

/**
 * Dials `k` peers picked at random from the seeded mesh stream: a sparse random graph (connected
 * with high probability for k ≥ 3) for membership gossip; the layers above grow it with
 * `Transport.dial` toward the peers they share shards with.
 *
 * @example
 * ```ts
 * const transport = net.join('p7', { mesh: randomMesh(2) });
 * ```
 */
export function randomMesh(k: number): MeshPolicy {
  checkCount('k', k, 0);
  return (_self, candidates, ctx) => (candidates.length <= k ? [...candidates] : drawRandom(candidates, k, ctx.rng, new Set()));
}

/** Options of {@link interestMesh}. */
export interface InterestMeshOptions {
  /**
   * The peers `self` shares interest with, best first (most shared shards, or nearest). Ids not in
   * the room are skipped by the transport. Called once per join.
   */
  readonly sharing: (self: PeerId) => Iterable<PeerId>;
  /** Cap on connections per peer ({@link DEFAULT_MAX_CONNECTIONS}); a joiner dials at most half (the other half is for peers that join later and dial it). */
  readonly maxConnections?: number;
  /** Random dials for gossip, within the joiner's half. Default {@link DEFAULT_RANDOM_LINKS}. */
  readonly random?: number;
}

/**
 * A partial mesh: a joiner dials the peers it shares interest with (best first) plus `random`
 * random ones, at most `maxConnections / 2` in all. At a uniform density a peer receives about as
 * many dials from later joiners as it makes, so it ends near the cap; `ConnectionBudget` keeps
 * later dials (`Transport.dial`) under it.
 *
 * @example
 * ```ts
 * const mesh = interestMesh({ sharing: (self) => nearestPeers(self), maxConnections: 24 });
 * const transport = await PeerJsTransport.join({ signalUrl, room, mesh });
 * ```
 */
export function interestMesh(options: InterestMeshOptions): MeshPolicy {
  const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const random = options.random ?? DEFAULT_RANDOM_LINKS;
  checkCount('maxConnections', max, 1);
  checkCount('random', random, 0);
  const dials = Math.max(1, Math.floor(max / 2));
  const interestDials = Math.max(0, dials - Math.min(random, dials));
  return (self, candidates, ctx) => {
    const out: PeerId[] = [];
    const taken = new Set<PeerId>([self]);
    if (interestDials > 0) {
      for (const p of options.sharing(self)) {
        if (taken.has(p)) continue;
        taken.add(p);
        out.push(p);
        if (out.length >= interestDials) break;
      }
    }
    for (const p of drawRandom(candidates, dials - out.length, ctx.rng, taken)) out.push(p);
    return out;
  };
}

/** How long a new connection is safe from {@link ConnectionBudget.prune}, by default. */
export const DEFAULT_PRUNE_GRACE_MS = 5_000;
/** How long a peer that dialled back after a hang-up is safe from it, by default. */
export const DEFAULT_PRUNE_PROTECT_MS = 30_000;

/** When {@link ConnectionBudget.prune} may hang up a connection. */
export interface PruneOptions {
  /** A connection open for less than this is kept (default {@link DEFAULT_PRUNE_GRACE_MS}). */
  readonly graceMs?: number;
  /** A peer that dialled back after a hang-up is kept this long (default {@link DEFAULT_PRUNE_PROTECT_MS}). */
  readonly protectMs?: number;
}

/**
 * The connection cap for dials made after joining: an optional dial happens only while the peer
 * holds (or is opening) fewer than `maxConnections` connections. A required dial (a replica must
 * reach its shard's czar: snapshots and repairs come from the czar only, [R8], [R14]) is made
 * anyway and counted in {@link ConnectionBudget.overCap}. A transport accepts every dial, so
 * connections others open, and required dials, can take a peer over the cap; {@link
 * ConnectionBudget.prune} hangs up the ones it no longer needs to come back under it. One budget
 * per transport.
 *
 * @example
 * ```ts
 * const budget = new ConnectionBudget(transport, 24);
 * budget.dial(czarOfWatchedSector, true); // required: always
 * budget.dial(randomPeer); // optional: only under the cap
 * budget.prune(clock.now(), (peer) => needed.has(peer)); // every second or so
 * ```
 */
export class ConnectionBudget {
  /** Optional dials refused because the cap was reached. */
  refused = 0;
  /** Required dials made beyond the cap. */
  overCap = 0;
  /** Connections hung up by {@link ConnectionBudget.prune}. */
  hungUp = 0;
  /** Peers that dialled this one again after it hung up on them (protected for a while since). */
  redialled = 0;
  private readonly pending = new Set<PeerId>();
  /** When `prune` first saw each open connection (no later than it opened). */
  private readonly seen = new Map<PeerId, number>();
  /** Peers hung up on, until they connect again. */
  private readonly hungUpOn = new Set<PeerId>();
  /** Peers that dialled back after a hang-up: when `prune` first saw that (NaN until it does). */
  private readonly protectedSince = new Map<PeerId, number>();
  private readonly off: Array<() => void>;

  constructor(
    private readonly transport: Transport,
    readonly maxConnections: number = DEFAULT_MAX_CONNECTIONS,
    private readonly prunePolicy: PruneOptions = {},
  ) {
    checkCount('maxConnections', maxConnections, 1);
    checkCount('graceMs', prunePolicy.graceMs ?? DEFAULT_PRUNE_GRACE_MS, 0);
    checkCount('protectMs', prunePolicy.protectMs ?? DEFAULT_PRUNE_PROTECT_MS, 0);
    this.off = [
      transport.on('peer-joined', ({ peer }) => {
        const ours = this.pending.delete(peer);
        this.seen.delete(peer);
        // Dialled back by the peer we hung up on: it needs this connection for something `keep`
        // cannot see from here (a shard it thinks we write, a relay), so it stays for a while.
        if (this.hungUpOn.delete(peer) && !ours) {
          this.protectedSince.set(peer, Number.NaN);
          this.redialled++;
        }
      }),
      transport.on('peer-left', ({ peer }) => this.seen.delete(peer)),
    ];
  }

  /** Connections open plus dials not answered yet. */
  get used(): number {
    return this.transport.peers().length + this.pending.size;
  }

  /**
   * Dials `peer` unless connected or already dialled; an optional dial (the default) only under
   * the cap. True when connected or a dial is on its way.
   */
  dial(peer: PeerId, required = false): boolean {
    const t = this.transport;
    if (t.closed || peer === t.localId) return false;
    if (this.pending.has(peer) || t.peers().includes(peer)) return true;
    if (this.used >= this.maxConnections) {
      if (!required) {
        this.refused++;
        return false;
      }
      this.overCap++;
    }
    this.pending.add(peer);
    t.dial(peer);
    return true;
  }

  /**
   * Hangs up connections this peer does not need until at most `maxConnections` remain, or none
   * is left that may go: a connection goes only if `keep(peer)` is false, it has been open for
   * `graceMs` (a new one's purpose may not be known yet: its peer announces its interest right
   * after connecting), and its peer did not dial back after an earlier hang-up within `protectMs`.
   * Oldest first. Returns how many were hung up. Call it every second or so with the clock's time.
   */
  prune(now: number, keep: (peer: PeerId) => boolean): number {
    const t = this.transport;
    if (t.closed) return 0;
    const peers = t.peers();
    for (const p of peers) if (!this.seen.has(p)) this.seen.set(p, now);
    const protectMs = this.prunePolicy.protectMs ?? DEFAULT_PRUNE_PROTECT_MS;
    for (const [p, since] of this.protectedSince) {
      if (Number.isNaN(since)) this.protectedSince.set(p, now);
      else if (now - since >= protectMs) this.protectedSince.delete(p);
    }
    let excess = peers.length - this.maxConnections;
    if (excess <= 0) return 0;
    const graceMs = this.prunePolicy.graceMs ?? DEFAULT_PRUNE_GRACE_MS;
    const victims = peers
      .filter((p) => now - this.seen.get(p)! >= graceMs && !this.protectedSince.has(p) && !keep(p))
      .sort((a, b) => this.seen.get(a)! - this.seen.get(b)! || (a < b ? -1 : 1));
    let n = 0;
    for (const p of victims) {
      if (excess-- <= 0) break;
      this.hungUpOn.add(p);
      t.hangUp(p);
      n++;
    }
    this.hungUp += n;
    return n;
  }

  /** Forgets unanswered dials (e.g. after a membership change made them moot), freeing their budget. */
  clearPending(): void {
    this.pending.clear();
  }

  /** Stops listening to the transport. */
  dispose(): void {
    for (const off of this.off) off();
  }
}
