/**
 * A stable fingerprint of a shard's whole state, to check that replicas converged (tests now,
 * anti-entropy digests later).
 */
import { Encoder, type Schema } from '@colyseus/schema';
import { ErrorCode, WireError } from '../errors.js';
import { canonicalCopy } from './canonical.js';

/** 64-bit FNV-1a digest as 16 lowercase hex digits. */
export type StateHash = string & { readonly __brand: 'StateHash' };

/**
 * FNV-1a, 64-bit, over `bytes`. Computed in four 16-bit limbs so it needs neither BigInt nor
 * anything beyond exact double arithmetic (every intermediate stays below 2^31).
 *
 * @example
 * ```ts
 * fnv1a64(new TextEncoder().encode('hello')); // 'a430d84680aabd0b'
 * ```
 */
export function fnv1a64(bytes: Uint8Array): StateHash {
  // Offset basis 0xcbf29ce484222325, little-endian limbs.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i] as number;
    // Multiply by the prime 0x100000001b3 = 2^40 + 0x1b3.
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    let t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    h0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    h1 = t1 & 0xffff;
    t3 += t2 >>> 16;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  const hex = (n: number): string => n.toString(16).padStart(4, '0');
  return (hex(h3) + hex(h2) + hex(h1) + hex(h0)) as StateHash;
}

/**
 * Hash of the full state: FNV-1a 64 over `encodeAll()` of a fresh encoder on a canonical copy
 * (map keys sorted, see {@link canonicalCopy}).
 *
 * A fresh encoder numbers references in walk order and the copy fixes map order, so replicas
 * holding the same values hash the same whichever writer built them. Array order is part of the
 * state and counts. Cost: one copy and one full encode, so call it for checks, not every tick.
 * Throws {@link WireError} `malformed-frame` when the state holds values its schema does not
 * allow (decoded from corrupted bytes).
 *
 * @example
 * ```ts
 * if (stateHash(mine) !== stateHash(theirs)) console.warn('replicas differ');
 * ```
 */
export function stateHash(state: Schema): StateHash {
  const copy = canonicalCopy(state);
  let bytes: Uint8Array;
  try {
    bytes = new Encoder(copy).encodeAll();
  } catch (cause) {
    throw new WireError(
      ErrorCode.MalformedFrame,
      'The shard state cannot be re-encoded (it holds values its schema does not allow): apply a fresh snapshot.',
      { reason: 'corrupt-state' },
      { cause },
    );
  }
  return fnv1a64(bytes);
}
