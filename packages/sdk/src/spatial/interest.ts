/**
 * Interest: the sectors a player wants updates for. A view rectangle becomes the sectors it
 * touches plus one ring of neighbours ([S9]), so a unit walking into view is already replicated;
 * zoomed out, {@link summaryScaleFor} picks a coarser scale whose sectors carry only summaries.
 */
import { ArgumentError } from '../errors.js';
import { MAX_SCALE, cellOf, compareSectors, coordRange, fromPoint, key, neighbours, sectorSide, type Rect, type SectorId } from './sector.js';

/**
 * Most sectors one interest query may return (64 × 64). A larger answer means the view is too
 * wide for its scale: pick the scale with {@link summaryScaleFor}.
 */
export const MAX_INTEREST_SECTORS = 4096;

/** Default for {@link SummaryScaleOptions.maxSectorsAcross}: with the neighbour ring, at most 11 × 11 sectors. */
export const DEFAULT_MAX_SECTORS_ACROSS = 8;

function checkRect(rect: Rect): void {
  const { minX, minY, maxX, maxY } = rect;
  if (![minX, minY, maxX, maxY].every((v) => typeof v === 'number' && Number.isFinite(v)) || minX > maxX || minY > maxY) {
    throw new ArgumentError(`View rectangle ${JSON.stringify(rect)} is invalid: use finite numbers with minX <= maxX and minY <= maxY.`, { rect });
  }
}

/**
 * Sectors at `scale` that overlap the closed rectangle `rect` (world units), plus their
 * 8-neighbours, clipped to the world, sorted by {@link compareSectors} ([S9]). A rectangle wholly
 * outside the world gives `[]`. Throws {@link ArgumentError} past {@link MAX_INTEREST_SECTORS}.
 *
 * @example
 * ```ts
 * const view = interestFromRect({ minX: 0, minY: 0, maxX: 150, maxY: 50 }, 0, 100);
 * room.setInterest(view.map(key)); // 12 sectors: 2 in view and the 10 around them
 * ```
 */
export function interestFromRect(rect: Rect, scale: number, sectorSize: number): SectorId[] {
  checkRect(rect);
  fromPoint(0, 0, scale, sectorSize); // validates scale and sectorSize with the usual messages
  const side = sectorSide(scale, sectorSize);
  const { min, max } = coordRange(scale);
  const x0 = Math.max(min, cellOf(rect.minX, side) - 1);
  const x1 = Math.min(max, cellOf(rect.maxX, side) + 1);
  const y0 = Math.max(min, cellOf(rect.minY, side) - 1);
  const y1 = Math.min(max, cellOf(rect.maxY, side) + 1);
  if (x0 > x1 || y0 > y1) return [];
  const count = (x1 - x0 + 1) * (y1 - y0 + 1);
  if (count > MAX_INTEREST_SECTORS) {
    throw new ArgumentError(
      `The view covers ${count} sectors at scale ${scale}; the limit is ${MAX_INTEREST_SECTORS}. Use a coarser scale (see summaryScaleFor).`,
      { count, scale },
    );
  }
  const out: SectorId[] = [];
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) out.push({ x, y, scale });
  return out;
}

/**
 * `ids` plus their 8-neighbours, without duplicates, sorted by {@link compareSectors} ([S9]).
 *
 * @example
 * ```ts
 * interestFromSectors([sector(5, 5, 1)]).length; // 9: the sector and its 8 neighbours
 * ```
 */
export function interestFromSectors(ids: Iterable<SectorId>): SectorId[] {
  const set = new InterestSet();
  for (const id of ids) {
    set.add(id);
    for (const n of neighbours(id)) set.add(n);
  }
  return set.values();
}

/** Options of {@link summaryScaleFor}. */
export interface SummaryScaleOptions {
  /** Most sectors the view may span on its wider axis. Default {@link DEFAULT_MAX_SECTORS_ACROSS}. */
  readonly maxSectorsAcross?: number;
  /** Finest scale to return, e.g. the scale at which units are replicated one by one. Default 0. */
  readonly minScale?: number;
}

/**
 * The finest scale (at least `minScale`) at which a view `viewWidth` world units wide spans at
 * most `maxSectorsAcross` sectors ([S10]); {@link MAX_SCALE} when even that is too fine. Pass the
 * larger of the view's width and height.
 *
 * @example
 * ```ts
 * summaryScaleFor(3200, 100); // 2: a 3,200-unit view spans 8 sectors of 400
 * ```
 */
export function summaryScaleFor(viewWidth: number, sectorSize: number, options: SummaryScaleOptions = {}): number {
  const across = options.maxSectorsAcross ?? DEFAULT_MAX_SECTORS_ACROSS;
  const minScale = options.minScale ?? 0;
  if (!(viewWidth >= 0) || !Number.isFinite(viewWidth)) {
    throw new ArgumentError(`viewWidth ${String(viewWidth)} is invalid: use a finite number of world units >= 0.`, { viewWidth });
  }
  if (!Number.isInteger(across) || across < 1) {
    throw new ArgumentError(`maxSectorsAcross ${String(across)} is invalid: use an integer >= 1.`, { maxSectorsAcross: across });
  }
  fromPoint(0, 0, minScale, sectorSize); // validates minScale and sectorSize
  let s = minScale;
  while (s < MAX_SCALE && viewWidth > across * sectorSide(s, sectorSize)) s++;
  return s;
}

/** What changed between two interest sets: sectors to subscribe to and to unsubscribe from. */
export interface InterestDiff {
  /** In the new set, not in the old one. Sorted by {@link compareSectors}. */
  readonly entered: SectorId[];
  /** In the old set, not in the new one. Sorted by {@link compareSectors}. */
  readonly left: SectorId[];
}

/**
 * A set of sectors keyed by {@link key}, with the diff a moving view needs ([S11]).
 *
 * @example
 * ```ts
 * const watching = new InterestSet(interestFromSectors([home]));
 * const { entered, left } = watching.replace(interestFromSectors([next]));
 * room.setInterest(watching.values().map(key)); // subscribe to `entered`, drop `left`
 * ```
 */
export class InterestSet implements Iterable<SectorId> {
  private readonly byKey = new Map<string, SectorId>();

  constructor(ids: Iterable<SectorId> = []) {
    for (const id of ids) this.add(id);
  }

  /** Number of sectors. */
  get size(): number {
    return this.byKey.size;
  }

  /** Adds `id`; true if it was not there. */
  add(id: SectorId): boolean {
    const k = key(id);
    if (this.byKey.has(k)) return false;
    this.byKey.set(k, { x: id.x, y: id.y, scale: id.scale });
    return true;
  }

  /** Removes `id`; true if it was there. */
  remove(id: SectorId): boolean {
    return this.byKey.delete(key(id));
  }

  has(id: SectorId): boolean {
    return this.byKey.has(key(id));
  }

  /** The sectors, sorted by {@link compareSectors}. */
  values(): SectorId[] {
    return [...this.byKey.values()].sort(compareSectors);
  }

  [Symbol.iterator](): Iterator<SectorId> {
    return this.values()[Symbol.iterator]();
  }

  /** What moving from this set to `next` enters and leaves ([S11]); this set is unchanged. */
  diff(next: Iterable<SectorId>): InterestDiff {
    const target = next instanceof InterestSet ? next : new InterestSet(next);
    const entered = target.values().filter((id) => !this.has(id));
    const left = this.values().filter((id) => !target.has(id));
    return { entered, left };
  }

  /** Becomes `next` and returns the {@link diff} that took it there. */
  replace(next: Iterable<SectorId>): InterestDiff {
    const d = this.diff(next);
    for (const id of d.left) this.remove(id);
    for (const id of d.entered) this.add(id);
    return d;
  }
}
