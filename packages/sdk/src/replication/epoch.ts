/**
 * Terms of replication. A term is (number, czar, tag): the number a czar claimed (highest it had
 * seen + 1, [A6]), the czar's own id and the writer tag of the czar's *instance*. Two peers whose
 * views momentarily differ may claim the same number; their terms are still distinct values, and
 * every peer orders them the same way (number, then czar id, then tag), so replicas never mix the
 * deltas of two writers ([R7], [R8]). The tag tells apart two lives of one id: a peer that crashed
 * and came back under its old id knows nothing of the terms it opened before, and may claim the
 * same number again; its tag (a hash of its id and a random nonce drawn at start) differs, so it
 * never reopens nor continues a term of its previous life ([R7]).
 *
 * Deltas name their writer by the 32-bit tag instead of the full id, which would cost 20+ bytes
 * per delta; the full id travels in snapshots and digests, which open and describe terms.
 */
import { hashString32 } from '../authority/hash.js';
import type { Term } from '../authority/ids.js';
import type { PeerId } from '../transport/types.js';

/** One term of one shard: its number, the only peer that may write in it and that peer's instance tag. */
export interface Epoch {
  readonly term: Term;
  readonly czar: PeerId;
  /** {@link writerTag} of the czar's instance that opened the term. */
  readonly tag: number;
}

/** Seed of {@link writerTag}; distinct from the rendezvous seeds so the hashes are unrelated. */
const WRITER_TAG_SEED = 0x7a3c_51e9;

/**
 * The 32-bit tag that names an instance of `czar` in terms, deltas and position frames ([R7],
 * [R8]): a hash of the id and the instance's `nonce` (a random u32 drawn when the instance starts;
 * 0 names no particular instance, for tools and tests).
 *
 * @example
 * ```ts
 * const fromHeldCzar = delta.writer === held.tag;
 * const mine = writerTag(self, nonce);
 * ```
 */
export function writerTag(czar: PeerId, nonce = 0): number {
  return hashString32(czar, (WRITER_TAG_SEED ^ nonce) >>> 0);
}

/**
 * Total order of terms, identical on every peer: by number, then by czar id (UTF-16 code unit
 * order, which is byte order for the ASCII ids PeerJS allows), then by instance tag. Negative when
 * `a` is older.
 *
 * @example
 * ```ts
 * compareEpochs({ term: term(3), czar: asPeerId('a'), tag: 1 }, { term: term(3), czar: asPeerId('b'), tag: 1 }); // -1
 * ```
 */
export function compareEpochs(a: Epoch, b: Epoch): number {
  if (a.term !== b.term) return a.term < b.term ? -1 : 1;
  if (a.czar !== b.czar) return a.czar < b.czar ? -1 : 1;
  if (a.tag === b.tag) return 0;
  return a.tag >>> 0 < b.tag >>> 0 ? -1 : 1;
}

/**
 * The order in which a peer lets one term displace another ([R7]): by number, then a term known
 * to be *confirmed* (its opening acknowledged by a majority, [R23]) above one not known to be,
 * then {@link compareEpochs}. Two terms of one number are never both confirmed (a peer votes for
 * one term per number), so a term whose writes could commit never loses to a same-number rival
 * that a majority never saw. Negative when `a` ranks lower.
 *
 * @example
 * ```ts
 * compareClaims(minority, false, majority, true); // < 0 even when minority's czar id is higher
 * ```
 */
export function compareClaims(a: Epoch, aConfirmed: boolean, b: Epoch, bConfirmed: boolean): number {
  if (a.term !== b.term) return a.term < b.term ? -1 : 1;
  if (aConfirmed !== bConfirmed && !sameEpoch(a, b)) return aConfirmed ? 1 : -1;
  return compareEpochs(a, b);
}

/**
 * True when `a` and `b` are the same term (same number, czar and instance).
 *
 * @example
 * ```ts
 * if (!sameEpoch(held, offered)) console.log('a new term');
 * ```
 */
export function sameEpoch(a: Epoch | undefined, b: Epoch | undefined): boolean {
  return a !== undefined && b !== undefined && a.term === b.term && a.czar === b.czar && a.tag === b.tag;
}

/**
 * A string naming the term exactly (number, czar and instance tag), for maps and sets.
 *
 * @example
 * ```ts
 * epochKey({ term: term(4), czar: asPeerId('k3j9'), tag: 0x1f }); // '4@k3j9#1f'
 * ```
 */
export function epochKey(e: Epoch): string {
  return `${e.term}@${e.czar}#${(e.tag >>> 0).toString(16)}`;
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
