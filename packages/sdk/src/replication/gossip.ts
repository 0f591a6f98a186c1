/**
 * Who forwards a czar's message to whom ([R15], [R16]). Every peer computes the same plan from
 * the same membership view, with no coordination: the peers other than the czar are shuffled by a
 * hash of the message (so the relaying work rotates from message to message), then cut into
 * layers. The czar sends to layer 1; each peer of a layer forwards to its share of the next one.
 *
 * - Layer sizes: `min(fanout, N)`, then each layer at most `fanout` times the previous one. In a
 *   small room `fanout` is the whole room: the czar sends to everyone directly, one hop.
 * - Redundancy `r`: a peer of layer 1 gets the czar's copy and, when r ≥ 2, one from the previous
 *   peer of the layer's ring; a peer of a later layer gets one copy from each of `r` parents. A
 *   lost packet then almost never costs a repair round trip: with 1% loss per link a layer-1 peer
 *   misses both its copies 1 time in 5,000, and a layer-2 peer, whose copies each cross two
 *   links, misses all three (r = 3) 1 time in 100,000.
 *
 * With `fanout` f and N other peers the czar sends f copies instead of N, every relay about
 * `r·N/f`, and a message needs ⌈log_f N⌉ hops: 2 for up to 272 peers at f = 16.
 * Peers whose views differ may compute different plans; a peer left out is healed by repair and
 * anti-entropy ([R14], [R17]).
 */
import { fmix32, hashString32 } from '../authority/hash.js';
import type { PeerId } from '../transport/types.js';

/** How a czar's messages spread. */
export interface RelayPlanOptions {
  /** Peers each sender serves per layer. Use the room size for direct sends. */
  readonly fanout: number;
  /** Copies each peer should receive (1: none extra). */
  readonly redundancy: number;
}

const SHARD_SEED = 0x2f6b_9d13;

/**
 * The hash that shuffles the relay order of one message: shard, term, seq and a salt per stream.
 *
 * @example
 * ```ts
 * const key = relayKey('world', 3, 120, 0x0d);
 * ```
 */
export function relayKey(shard: string, term: number, seq: number, salt: number): number {
  let h = hashString32(shard, SHARD_SEED);
  h = fmix32(h ^ Math.imul(term | 0, 0x85eb_ca6b));
  h = fmix32(h ^ Math.imul(seq | 0, 0xc2b2_ae35));
  return fmix32(h ^ salt);
}

/** mulberry32: a tiny deterministic generator, here only to shuffle. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b_79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * `peers` shuffled by `key` (Fisher–Yates on a copy).
 *
 * @example
 * ```ts
 * const order = relayOrder(['a', 'b', 'c'].map(asPeerId), relayKey('world', 3, 120, 0x0d));
 * ```
 */
export function relayOrder(peers: readonly PeerId[], key: number): PeerId[] {
  const out = [...peers];
  const next = generator(key);
  for (let i = out.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * The peers `self` sends (or forwards) one message to. `members` is the membership view (any
 * order, may include `self` and `czar`); `key` is {@link relayKey} of the message. A peer not in
 * the view forwards nothing.
 *
 * @example
 * ```ts
 * const to = relayTargets(view.peers, czar, self, relayKey('world', 3, 120, 0x0d), { fanout: 4, redundancy: 2 });
 * ```
 */
export function relayTargets(members: readonly PeerId[], czar: PeerId, self: PeerId, key: number, options: RelayPlanOptions): PeerId[] {
  const fanout = Math.max(1, Math.floor(options.fanout));
  const redundancy = Math.max(1, Math.floor(options.redundancy));
  const others = [...members].filter((p) => p !== czar).sort();
  const n = others.length;
  if (n === 0) return [];
  const order = relayOrder(others, key);
  let start = 0;
  let size = Math.min(fanout, n);
  if (self === czar) return order.slice(0, size);
  const at = order.indexOf(self);
  if (at < 0) return [];
  while (at >= start + size) {
    start += size;
    size = Math.min(size * fanout, n - start);
  }
  const j = at - start;
  const out: PeerId[] = [];
  if (start === 0 && redundancy >= 2 && size >= 2) {
    // Layer 1's second parent: the previous peer of the ring (the czar is the first). Layer 1 is
    // one hop from the czar, so a second copy already makes a miss rare.
    out.push(order[(j + 1) % size]!);
  }
  const next = start + size;
  const nextSize = Math.min(size * fanout, n - next);
  const parents = Math.min(redundancy, size);
  for (let q = 0; q < nextSize; q++) {
    for (let k = 0; k < parents; k++) {
      if ((q + k) % size === j) {
        out.push(order[next + q]!);
        break;
      }
    }
  }
  return out;
}

/**
 * Hops a message needs to reach `n` other peers with `fanout` (1 when the czar sends to all).
 *
 * @example
 * ```ts
 * relayHops(63, 8); // 2
 * ```
 */
export function relayHops(n: number, fanout: number): number {
  let hops = 0;
  let covered = 0;
  let size = Math.min(fanout, n);
  while (covered < n) {
    covered += size;
    hops++;
    size = Math.min(size * fanout, n - covered);
  }
  return hops;
}
