/**
 * Seeded fixtures for authority tests: random but reproducible peer ids and shard ids.
 */
import { asPeerId, type PeerId } from '../transport/types.js';
import { randomBetween, randomInt, type Rng, type SeededRng } from '../util/rng.js';
import { shardId, type ShardId } from './ids.js';
import type { Placement } from './rendezvous.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';

/** `n` distinct peer ids of 6–21 characters (nanoid-like). */
export function randomPeers(rng: Rng, n: number): PeerId[] {
  const out = new Set<string>();
  while (out.size < n) {
    const len = randomBetween(rng, 6, 21);
    let id = '';
    for (let i = 0; i < len; i++) id += ALPHABET[randomInt(rng, ALPHABET.length)];
    out.add(id);
  }
  return [...out].map(asPeerId);
}

/** `n` shard ids shaped like sector ids. */
export function sectorShards(n: number): ShardId[] {
  return Array.from({ length: n }, (_, i) => shardId(`sector/${i % 7}/${i}`));
}

/** A shuffled copy (Fisher–Yates). */
export function shuffled<T>(rng: SeededRng, items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** How many shards each peer is czar of (first element of each succession). */
export function czarCounts(shards: readonly ShardId[], czarOf: (s: ShardId) => PeerId | undefined): Map<PeerId, number> {
  const counts = new Map<PeerId, number>();
  for (const s of shards) {
    const c = czarOf(s);
    if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  return counts;
}

/**
 * A pure random placement: each (peer, shard) pair gets a tier in 0..tiers-1 drawn once from `rng`
 * and remembered, so every call for the pair answers alike (as a placement must).
 */
export function randomPlacement(rng: SeededRng, tiers: number): Placement {
  const memo = new Map<string, number>();
  return (peer, shard) => {
    const k = `${peer}\n${shard}`;
    let t = memo.get(k);
    if (t === undefined) memo.set(k, (t = randomInt(rng, tiers)));
    return t;
  };
}
