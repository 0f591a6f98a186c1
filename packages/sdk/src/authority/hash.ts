/**
 * Hashing for rendezvous placement. Every peer must compute bit-identical scores from the same
 * inputs, in any JS engine, so this uses only 32-bit integer ops (`Math.imul`, shifts) and
 * IEEE-754 `+ - * /`, which are exactly specified. `Math.log` is not: engines may differ in the
 * last bit, enough to flip a near-tie between two peers, so {@link detLn} replaces it.
 */

/** MurmurHash3's finaliser: full avalanche of a 32-bit value. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85eb_ca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2_ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3-style 32-bit hash of a string's UTF-16 code units (one mixing round per unit:
 * ids are short, so simplicity beats the 4-byte block loop). Not byte-compatible with murmur3.
 */
export function hashString32(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    let k = Math.imul(s.charCodeAt(i), 0xcc9e_2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b87_3593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe654_6b64) | 0;
  }
  return fmix32(h ^ s.length);
}

/** Two independent 32-bit hashes of one string: enough bits for a 52-bit score. */
export interface Lanes {
  readonly a: number;
  readonly b: number;
}

const SEED_A = 0x9747_b28c;
const SEED_B = 0x5bd1_e995;

/** Hash lanes of an id (shard or peer); precomputed once per id. */
export function lanesOf(id: string): Lanes {
  return { a: hashString32(id, SEED_A), b: hashString32(id, SEED_B) };
}

const TWO_POW_20 = 1_048_576;

/**
 * 52-bit hash of the pair (shard, peer), as an integer in [0, 2^52). Mixing precomputed lanes
 * instead of hashing the concatenated strings keeps a full ranking O(peers) per shard.
 */
export function pairHash52(shard: Lanes, peer: Lanes): number {
  const hi = fmix32((shard.a ^ Math.imul(peer.a, 0xcc9e_2d51)) + 0x9e37_79b9);
  const lo = fmix32((shard.b + Math.imul(peer.b ^ hi, 0x1b87_3593)) | 0);
  return hi * TWO_POW_20 + (lo >>> 12);
}

const TWO_POW_52 = 4_503_599_627_370_496;

/** Maps a 52-bit hash to (0, 1), exactly (h + 0.5 has at most 53 significant bits). */
export function unitInterval(h52: number): number {
  return (h52 + 0.5) / TWO_POW_52;
}

const LN2 = 0.6931471805599453;
const SQRT2 = 1.4142135623730951;
const SQRT_HALF = 0.7071067811865476;

/**
 * Natural logarithm of `x > 0` built from exactly rounded IEEE operations only, so every engine
 * returns the same bits: x = m·2^e with m in [√½, √2), then ln m = 2·atanh(s), s = (m-1)/(m+1),
 * |s| ≤ 0.172, summed to s^25 (truncation error < 1e-19, below double precision).
 */
export function detLn(x: number): number {
  let m = x;
  let e = 0;
  while (m < SQRT_HALF) {
    m *= 2;
    e -= 1;
  }
  while (m >= SQRT2) {
    m /= 2;
    e += 1;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let sum = 0;
  for (let k = 25; k >= 1; k -= 2) sum = sum * s2 + 1 / k;
  return e * LN2 + 2 * s * sum;
}
