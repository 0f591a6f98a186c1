/**
 * Terms of replication. A term is the pair (number, czar): the number a czar claimed
 * (highest it had seen + 1, [A6]) and the czar's own id. Two peers whose views momentarily differ
 * may claim the same number; their terms are still distinct values, and every peer orders them
 * the same way (number first, then czar id), so replicas never mix the deltas of two writers
 * ([R7], [R8]).
 *
 * Deltas name their czar by a 32-bit {@link writerTag} instead of the full id, which would cost
 * 20+ bytes per delta; the full id travels in snapshots and digests, which open and describe terms.
 */
import { hashString32 } from '../authority/hash.js';
import type { Term } from '../authority/ids.js';
import type { PeerId } from '../transport/types.js';

/** One term of one shard: its number and the only peer that may write in it. */
export interface Epoch {
  readonly term: Term;
  readonly czar: PeerId;
}

/** Seed of {@link writerTag}; distinct from the rendezvous seeds so the hashes are unrelated. */
const WRITER_TAG_SEED = 0x7a3c_51e9;

/**
 * The 32-bit tag that names `czar` in deltas and position frames ([R8]).
 *
 * @example
 * ```ts
 * const fromHeldCzar = delta.writer === writerTag(held.czar);
 * ```
 */
export function writerTag(czar: PeerId): number {
  return hashString32(czar, WRITER_TAG_SEED);
}

/**
 * Total order of terms, identical on every peer: by number, then by czar id (UTF-16 code unit
 * order, which is byte order for the ASCII ids PeerJS allows). Negative when `a` is older.
 *
 * @example
 * ```ts
 * compareEpochs({ term: term(3), czar: asPeerId('a') }, { term: term(3), czar: asPeerId('b') }); // -1
 * ```
 */
export function compareEpochs(a: Epoch, b: Epoch): number {
  if (a.term !== b.term) return a.term < b.term ? -1 : 1;
  if (a.czar === b.czar) return 0;
  return a.czar < b.czar ? -1 : 1;
}

/**
 * True when `a` and `b` are the same term.
 *
 * @example
 * ```ts
 * if (!sameEpoch(held, offered)) console.log('a new term');
 * ```
 */
export function sameEpoch(a: Epoch | undefined, b: Epoch | undefined): boolean {
  return a !== undefined && b !== undefined && a.term === b.term && a.czar === b.czar;
}

/**
 * `term@czar`, for logs and error messages.
 *
 * @example
 * ```ts
 * formatEpoch({ term: term(4), czar: asPeerId('k3j9') }); // '4@k3j9'
 * ```
 */
export function formatEpoch(e: Epoch | undefined): string {
  return e === undefined ? 'none' : `${e.term}@${e.czar}`;
}
