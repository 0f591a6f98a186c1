/**
 * Binary form of a sector id for the wire ([S7]): `scale` (u8), then zig-zag varints of `x` and
 * `y`. Zig-zag maps the coordinate range at scale `s` exactly onto `[0, 2^(25 - s))`, so a
 * sector near the origin takes 3 bytes and the worst case (scale 0, far edge) 9.
 */
import { ArgumentError } from '../errors.js';
import { unzigzag, zigzag } from '../replication/bits.js';
import { Reader, Writer, budgetFor, malformed } from '../wire/codec.js';
import { MAX_SCALE, isSectorId, key, type SectorId } from './sector.js';

/** Most bytes one encoded sector id takes. */
export const MAX_SECTOR_BYTES = 9;

/**
 * Appends `id` to `w` ([S7]). Throws {@link ArgumentError} if `id` is not a valid sector.
 *
 * @example
 * ```ts
 * const w = new Writer();
 * writeSector(w, sector(2, -1, 0));
 * const bytes = w.finish(); // [0, 4, 1]
 * ```
 */
export function writeSector(w: Writer, id: SectorId): void {
  if (!isSectorId(id)) {
    throw new ArgumentError(`Cannot encode ${JSON.stringify(id)} as a sector: build it with sector() or fromPoint().`, { id });
  }
  w.u8(id.scale);
  w.varuint(zigzag(id.x));
  w.varuint(zigzag(id.y));
}

/**
 * Reads one sector id ([S7]); a `malformed-frame` WireError for bytes that name no sector.
 *
 * @example
 * ```ts
 * const r = new Reader(bytes, 0, bytes.length, budgetFor(bytes.length));
 * const id = readSector(r); // { x: 2, y: -1, scale: 0 }
 * ```
 */
export function readSector(r: Reader): SectorId {
  const scale = r.u8();
  if (scale > MAX_SCALE) throw malformed('out-of-range', `sector scale ${scale} exceeds ${MAX_SCALE}`);
  const limit = 2 ** (MAX_SCALE + 1 - scale);
  const zx = r.varuint();
  const zy = r.varuint();
  if (zx >= limit || zy >= limit) throw malformed('out-of-range', `sector coordinate outside the world at scale ${scale}`);
  return { x: unzigzag(zx), y: unzigzag(zy), scale };
}

/**
 * `id` as standalone bytes ([S7]).
 *
 * @example
 * ```ts
 * encodeSector(sector(2, -1, 0)); // Uint8Array [0, 4, 1]
 * ```
 */
export function encodeSector(id: SectorId): Uint8Array {
  const w = new Writer(16);
  writeSector(w, id);
  return w.finish();
}

/**
 * Inverse of {@link encodeSector}; every byte must be used. Throws a `malformed-frame` WireError otherwise.
 *
 * @example
 * ```ts
 * decodeSector(new Uint8Array([0, 4, 1])); // { x: 2, y: -1, scale: 0 }
 * decodeSector(new Uint8Array([0, 4])); // throws a malformed-frame WireError
 * ```
 */
export function decodeSector(bytes: Uint8Array): SectorId {
  const r = new Reader(bytes, 0, bytes.length, budgetFor(bytes.length));
  const id = readSector(r);
  r.expectEnd(`sector ${key(id)}`);
  return id;
}
