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

/**
 * The connection cap for dials made after joining: an optional dial happens only while the peer
 * holds (or is opening) fewer than `maxConnections` connections. A required dial (a replica must
 * reach its shard's czar: snapshots and repairs come from the czar only, [R8], [R14]) is made
 * anyway and counted in {@link ConnectionBudget.overCap}. Connections others open to this peer
 * are never refused (a transport accepts every dial), so the cap bounds what a peer asks for,
 * not what it is asked. One budget per transport.
 *
 * @example
 * ```ts
 * const budget = new ConnectionBudget(transport, 24);
 * budget.dial(czarOfWatchedSector, true); // required: always
 * budget.dial(randomPeer); // optional: only under the cap
 * ```
 */
export class ConnectionBudget {
  /** Optional dials refused because the cap was reached. */
  refused = 0;
  /** Required dials made beyond the cap. */
  overCap = 0;
  private readonly pending = new Set<PeerId>();
  private readonly off: () => void;

  constructor(
    private readonly transport: Transport,
    readonly maxConnections: number = DEFAULT_MAX_CONNECTIONS,
  ) {
    checkCount('maxConnections', maxConnections, 1);
    this.off = transport.on('peer-joined', ({ peer }) => this.pending.delete(peer));
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

  /** Forgets unanswered dials (e.g. after a membership change made them moot), freeing their budget. */
  clearPending(): void {
    this.pending.clear();
  }

  /** Stops listening to the transport. */
  dispose(): void {
    this.off();
  }
}
