/**
 * Branded identifiers of the authority layer. A shard id, a term and a sequence number are all
 * plain strings or numbers at run time; the brands stop a `Seq` from being passed where a `Term`
 * is expected. Values from peers are validated with the constructors below before they are used.
 */
import { ArgumentError } from '../errors.js';

/** Names one shard of the game state. 1–64 printable ASCII characters, no whitespace. */
export type ShardId = string & { readonly __brand: 'ShardId' };

/**
 * A czar's term for one shard: raised by one at each failover, so a higher term wins. u32.
 */
export type Term = number & { readonly __brand: 'Term' };

/** Sequence number of a delta within one (shard, term). u32. */
export type Seq = number & { readonly __brand: 'Seq' };

/** Longest accepted shard id, in characters (it travels in every delta header). */
export const MAX_SHARD_ID_LENGTH = 64;

/** Largest u32: the last valid {@link Term} and {@link Seq}. */
export const MAX_U32 = 0xffff_ffff;

/**
 * True when `value` is a valid shard id (see {@link ShardId}).
 *
 * @example
 * ```ts
 * isShardId('s3:1,2'); // true
 * isShardId('has space'); // false
 * ```
 */
export function isShardId(value: unknown): value is ShardId {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SHARD_ID_LENGTH) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // 0x21..0x7e: printable ASCII without space, so ids print, log and sort the same everywhere.
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Validates and brands a shard id. Throws {@link ArgumentError} when it is not one.
 *
 * @example
 * ```ts
 * const world = shardId('world');
 * const [czar] = rankPeers(world, peers);
 * ```
 */
export function shardId(value: string): ShardId {
  if (!isShardId(value)) {
    throw new ArgumentError(
      `Shard id ${JSON.stringify(String(value)).slice(0, 80)} is invalid: use 1-${MAX_SHARD_ID_LENGTH} printable ASCII characters without spaces.`,
      { value },
    );
  }
  return value;
}

function isU32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_U32;
}

/**
 * Validates and brands a term (integer in 0..2^32-1). Throws {@link ArgumentError} otherwise.
 *
 * @example
 * ```ts
 * const t = term(message.term); // throws on a value no peer could have sent
 * ```
 */
export function term(value: number): Term {
  if (!isU32(value)) throw new ArgumentError(`Term ${String(value)} is invalid: use an integer in 0..${MAX_U32}.`, { value });
  return value as Term;
}

/**
 * Validates and brands a sequence number (integer in 0..2^32-1). Throws {@link ArgumentError} otherwise.
 *
 * @example
 * ```ts
 * const next = seq(last + 1);
 * ```
 */
export function seq(value: number): Seq {
  if (!isU32(value)) throw new ArgumentError(`Seq ${String(value)} is invalid: use an integer in 0..${MAX_U32}.`, { value });
  return value as Seq;
}
