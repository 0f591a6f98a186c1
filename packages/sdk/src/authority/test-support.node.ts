/**
 * Seeded fixtures for authority tests: random but reproducible peer ids and shard ids.
 */
import { asPeerId, type PeerId } from '../transport/types.js';
import { randomBetween, randomInt, type Rng, type SeededRng } from '../util/rng.js';
import { shardId, type ShardId } from './ids.js';

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
