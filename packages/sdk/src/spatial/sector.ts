/**
 * Sector ids: the cells of a quadtree over the game world. Pure functions only; every peer
 * computes the same ids, keys and bounds from the same inputs.
 *
 * World extent ([S1]): at scale `s` both coordinates lie in `[-2^(MAX_SCALE - s), 2^(MAX_SCALE - s) - 1]`,
 * so scale 0 is a grid of 2^25 × 2^25 sectors centred on the origin and the top scale
 * ({@link MAX_SCALE}) holds four root sectors, one per quadrant. Every coordinate fits an int32,
 * so `>>` is floor division by a power of two for negative values too.
 */
import { ArgumentError } from '../errors.js';

/** Coarsest scale. Each scale up doubles a sector's side; 24 leaves a 2^25-sector-wide world at scale 0. */
export const MAX_SCALE = 24;

/**
 * One cell of the quadtree. `scale` 0 is the smallest; a sector at scale `s` is `2^s` scale-0
 * sectors wide. Build one with {@link sector} (validated) or read one with {@link parseKey}.
 */
export interface SectorId {
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

/** An axis-aligned rectangle in world units. Sector bounds are half-open: `[minX, maxX) × [minY, maxY)`. */
export interface Rect {
  readonly minX: number;
  readonly minY: number;
  readonly maxX: number;
  readonly maxY: number;
}

/**
 * Smallest and largest coordinate at `scale` ([S1]).
 *
 * @example
 * ```ts
 * coordRange(24); // { min: -1, max: 0 }: four root sectors
 * coordRange(0); // { min: -16777216, max: 16777215 }
 * ```
 */
export function coordRange(scale: number): { readonly min: number; readonly max: number } {
  const half = 2 ** (MAX_SCALE - scale);
  return { min: -half, max: half - 1 };
}

function isScale(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_SCALE;
}

function inRange(v: unknown, scale: number): v is number {
  if (typeof v !== 'number' || !Number.isInteger(v)) return false;
  const half = 2 ** (MAX_SCALE - scale);
  return v >= -half && v < half;
}

/**
 * True when `value` is a valid {@link SectorId} ([S1]): integer fields, scale 0..MAX_SCALE, coordinates in range.
 *
 * @example
 * ```ts
 * isSectorId({ x: 1, y: 2, scale: 0 }); // true
 * isSectorId({ x: 1.5, y: 2, scale: 0 }); // false
 * ```
 */
export function isSectorId(value: unknown): value is SectorId {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return isScale(v.scale) && inRange(v.x, v.scale) && inRange(v.y, v.scale);
}

/**
 * A validated sector id ([S1]). Throws {@link ArgumentError} outside the world.
 *
 * @example
 * ```ts
 * const home = sector(3, -2, 0); // { x: 3, y: -2, scale: 0 }
 * sector(0, 0, 25); // throws ArgumentError: scale past MAX_SCALE
 * ```
 */
export function sector(x: number, y: number, scale: number): SectorId {
  if (!isScale(scale)) {
    throw new ArgumentError(`Sector scale ${String(scale)} is invalid: use an integer in 0..${MAX_SCALE}.`, { scale });
  }
  if (!inRange(x, scale) || !inRange(y, scale)) {
    const { min, max } = coordRange(scale);
    throw new ArgumentError(
      `Sector (${String(x)}, ${String(y)}) at scale ${scale} is outside the world: use integers in ${min}..${max} at this scale.`,
      { x, y, scale },
    );
  }
  // Normalise -0 so keys and equality never see two zeros.
  return { x: x + 0, y: y + 0, scale };
}

/**
 * Side of a sector at `scale`, in world units.
 *
 * @example
 * ```ts
 * sectorSide(3, 100); // 800 world units
 * ```
 */
export function sectorSide(scale: number, sectorSize: number): number {
  return sectorSize * 2 ** scale;
}

function checkSectorSize(sectorSize: number): void {
  if (typeof sectorSize !== 'number' || !(sectorSize > 0) || !Number.isFinite(sectorSize * 2 ** (MAX_SCALE + 1))) {
    throw new ArgumentError(`sectorSize ${String(sectorSize)} is invalid: pass the side of a scale-0 sector, a positive finite number of world units.`, {
      sectorSize,
    });
  }
}

/**
 * The world covered by all sectors, in world units (half-open, [S1]).
 *
 * @example
 * ```ts
 * worldBounds(1); // { minX: -16777216, minY: -16777216, maxX: 16777216, maxY: 16777216 }
 * ```
 */
export function worldBounds(sectorSize: number): Rect {
  checkSectorSize(sectorSize);
  const edge = sectorSize * 2 ** MAX_SCALE;
  return { minX: -edge, minY: -edge, maxX: edge, maxY: edge };
}

/**
 * Floor of `p / side`, corrected so that `c * side <= p < (c + 1) * side` holds with the very
 * float products {@link bounds} computes: a rounded quotient can land one off near a border.
 *
 * @example
 * ```ts
 * cellOf(250, 100); // 2
 * cellOf(-0.5, 100); // -1 (floors)
 * ```
 */
export function cellOf(p: number, side: number): number {
  let c = Math.floor(p / side);
  // Far outside the world the quotient is not exact anyway, and c + 1 may equal c.
  if (!Number.isSafeInteger(c) || Math.abs(c) > 2 ** 40) return c;
  while (c * side > p) c--;
  while ((c + 1) * side <= p) c++;
  return c;
}

/**
 * The sector at `scale` holding the world point (px, py) ([S3]). Sectors are half-open, so a
 * point on a border belongs to the sector on its right / below; negative points floor.
 * Throws {@link ArgumentError} for a non-finite point or one outside {@link worldBounds}.
 *
 * @example
 * ```ts
 * fromPoint(250, -10, 0, 100); // { x: 2, y: -1, scale: 0 }
 * fromPoint(250, -10, 2, 100); // { x: 0, y: -1, scale: 2 }
 * ```
 */
export function fromPoint(px: number, py: number, scale: number, sectorSize: number): SectorId {
  checkSectorSize(sectorSize);
  if (!isScale(scale)) {
    throw new ArgumentError(`Sector scale ${String(scale)} is invalid: use an integer in 0..${MAX_SCALE}.`, { scale });
  }
  if (!Number.isFinite(px) || !Number.isFinite(py)) {
    throw new ArgumentError(`Point (${String(px)}, ${String(py)}) is not finite; pass world coordinates as finite numbers.`, { px, py });
  }
  const side = sectorSide(scale, sectorSize);
  const x = cellOf(px, side);
  const y = cellOf(py, side);
  if (!inRange(x, scale) || !inRange(y, scale)) {
    const w = worldBounds(sectorSize);
    throw new ArgumentError(
      `Point (${px}, ${py}) is outside the world [${w.minX}, ${w.maxX}) on both axes: keep units inside it or use a larger sectorSize.`,
      { px, py, sectorSize },
    );
  }
  return { x: x + 0, y: y + 0, scale };
}

/**
 * The sector's area in world units, half-open `[minX, maxX) × [minY, maxY)` ([S3]).
 *
 * @example
 * ```ts
 * bounds(sector(2, -1, 0), 100); // { minX: 200, minY: -100, maxX: 300, maxY: 0 }
 * ```
 */
export function bounds(id: SectorId, sectorSize: number): Rect {
  checkSectorSize(sectorSize);
  const side = sectorSide(id.scale, sectorSize);
  return { minX: id.x * side, minY: id.y * side, maxX: (id.x + 1) * side, maxY: (id.y + 1) * side };
}

/**
 * The sector one scale up, holding this one ([S2]); `undefined` at {@link MAX_SCALE}.
 *
 * @example
 * ```ts
 * parent(sector(-3, 5, 0)); // { x: -2, y: 2, scale: 1 }
 * ```
 */
export function parent(id: SectorId): SectorId | undefined {
  if (id.scale >= MAX_SCALE) return undefined;
  return { x: id.x >> 1, y: id.y >> 1, scale: id.scale + 1 };
}

/**
 * The four sectors one scale down ([S2]), in the order (0,0), (1,0), (0,1), (1,1) relative to
 * `(2x, 2y)`; none at scale 0.
 *
 * @example
 * ```ts
 * children(sector(1, 0, 1)).map(key); // ['s0:2,0', 's0:3,0', 's0:2,1', 's0:3,1']
 * ```
 */
export function children(id: SectorId): SectorId[] {
  if (id.scale === 0) return [];
  const x = id.x * 2;
  const y = id.y * 2;
  const s = id.scale - 1;
  return [
    { x, y, scale: s },
    { x: x + 1, y, scale: s },
    { x, y: y + 1, scale: s },
    { x: x + 1, y: y + 1, scale: s },
  ];
}

/**
 * The ancestor-or-self of `id` at `scale` ([S5]). Throws {@link ArgumentError} when `scale` is finer than `id`.
 *
 * @example
 * ```ts
 * ancestorAt(sector(5, 6, 0), 2); // { x: 1, y: 1, scale: 2 }
 * ```
 */
export function ancestorAt(id: SectorId, scale: number): SectorId {
  if (!isScale(scale) || scale < id.scale) {
    throw new ArgumentError(`ancestorAt scale ${String(scale)} is invalid: use an integer in ${id.scale}..${MAX_SCALE}.`, { scale, id });
  }
  const d = scale - id.scale;
  return d === 0 ? id : { x: id.x >> d, y: id.y >> d, scale };
}

/**
 * True when `outer` is `inner` or one of its ancestors ([S5]).
 *
 * @example
 * ```ts
 * contains(sector(0, 0, 2), sector(3, 1, 0)); // true
 * contains(sector(3, 1, 0), sector(0, 0, 2)); // false
 * ```
 */
export function contains(outer: SectorId, inner: SectorId): boolean {
  if (outer.scale < inner.scale) return false;
  const d = outer.scale - inner.scale;
  return inner.x >> d === outer.x && inner.y >> d === outer.y;
}

/**
 * Visits the cells on ring `r` around (`x`, `y`): those at Chebyshev distance exactly `r` (the
 * cell itself for `r` 0, its 8 neighbours for 1, `8r` cells past that), side by side.
 *
 * @example
 * ```ts
 * forEachOnRing(4, 7, 1, (x, y) => console.log(key(sector(x, y, 0)))); // the 8 around s0:4,7
 * ```
 */
export function forEachOnRing(x: number, y: number, r: number, visit: (x: number, y: number) => void): void {
  if (r === 0) return visit(x, y);
  for (let d = -r; d < r; d++) {
    visit(x + d, y - r);
    visit(x + r, y + d);
    visit(x - d, y + r);
    visit(x - r, y - d);
  }
}

/**
 * The up to eight sectors around `id` at the same scale ([S4]), row by row from the top left;
 * at the world's edge only the ones that exist.
 *
 * @example
 * ```ts
 * neighbours(sector(0, 0, 0)).length; // 8
 * const ring = neighbours(fromPoint(unit.x, unit.y, 0, 100)); // where a unit can go next
 * ```
 */
export function neighbours(id: SectorId): SectorId[] {
  const { min, max } = coordRange(id.scale);
  const out: SectorId[] = [];
  for (let dy = -1; dy <= 1; dy++) {
    const y = id.y + dy;
    if (y < min || y > max) continue;
    for (let dx = -1; dx <= 1; dx++) {
      if (dx === 0 && dy === 0) continue;
      const x = id.x + dx;
      if (x < min || x > max) continue;
      out.push({ x, y, scale: id.scale });
    }
  }
  return out;
}

/**
 * Same sector ([S8]).
 *
 * @example
 * ```ts
 * sectorEquals(sector(1, 1, 0), parseKey('s0:1,1')); // true
 * ```
 */
export function sectorEquals(a: SectorId, b: SectorId): boolean {
  return a.x === b.x && a.y === b.y && a.scale === b.scale;
}

/**
 * Total order ([S8]): by scale, then y, then x (row-major within a scale). For `Array.prototype.sort`.
 *
 * @example
 * ```ts
 * const sorted = [sector(9, 0, 0), sector(0, 1, 0)].sort(compareSectors); // (9, 0) first: row-major
 * ```
 */
export function compareSectors(a: SectorId, b: SectorId): number {
  return a.scale - b.scale || a.y - b.y || a.x - b.x;
}

/**
 * Canonical text key `s<scale>:<x>,<y>` ([S6]), e.g. `s3:-12,7`: at most 22 printable ASCII
 * characters, so it is a valid shard id, and one sector has exactly one key.
 *
 * @example
 * ```ts
 * key(sector(2, -1, 0)); // 's0:2,-1', also the shard id of the sector
 * const bySector = new Map([[key(home), units]]);
 * ```
 */
export function key(id: SectorId): string {
  return `s${id.scale}:${id.x},${id.y}`;
}

const KEY_PATTERN = /^s(0|[1-9][0-9]?):(0|-?[1-9][0-9]{0,8}),(0|-?[1-9][0-9]{0,8})$/;

/**
 * Parses a {@link key}; `undefined` for anything that is not the canonical key of a sector in the world.
 *
 * @example
 * ```ts
 * tryParseKey('s3:-4,7'); // { x: -4, y: 7, scale: 3 }
 * tryParseKey('s0:02,1'); // undefined: not canonical
 * ```
 */
export function tryParseKey(text: string): SectorId | undefined {
  if (typeof text !== 'string' || text.length > 22) return undefined;
  const m = KEY_PATTERN.exec(text);
  if (!m) return undefined;
  const scale = Number(m[1]);
  const x = Number(m[2]);
  const y = Number(m[3]);
  if (!isScale(scale) || !inRange(x, scale) || !inRange(y, scale)) return undefined;
  return { x, y, scale };
}

/**
 * Parses a {@link key} ([S6]). Throws {@link ArgumentError} for anything else, including non-canonical spellings.
 *
 * @example
 * ```ts
 * const id = parseKey('s3:-4,7'); // { x: -4, y: 7, scale: 3 }
 * parseKey('lobby'); // throws ArgumentError
 * ```
 */
export function parseKey(text: string): SectorId {
  const id = tryParseKey(text);
  if (id === undefined) {
    throw new ArgumentError(
      `${JSON.stringify(String(text)).slice(0, 40)} is not a sector key: expected "s<scale>:<x>,<y>" as produced by key(), e.g. "s3:-12,7".`,
      { text },
    );
  }
  return id;
}
