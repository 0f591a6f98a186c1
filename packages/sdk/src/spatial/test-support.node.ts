/**
 * Seeded generators for the spatial property tests. Values lean on the places bugs hide: the
 * world's edges, the origin, -1, and points exactly on sector borders.
 */
import { randomBetween, randomInt, type Rng } from '../util/rng.js';
import { MAX_SCALE, coordRange, sectorSide, type SectorId } from './sector.js';

/** Seeds every property test runs with; printed in each assertion message. */
export const SEEDS = [1, 2, 3, 42, 0xdecaf];

/** A coordinate in range at `scale`, biased toward edges, 0 and -1. */
export function randomCoord(rng: Rng, scale: number): number {
  const { min, max } = coordRange(scale);
  const r = rng.next();
  if (r < 0.1) return min;
  if (r < 0.2) return max;
  if (r < 0.3) return randomBetween(rng, Math.max(min, -2), Math.min(max, 1));
  if (r < 0.5) return randomBetween(rng, Math.max(min, -40), Math.min(max, 40));
  return randomBetween(rng, min, max);
}

/** A valid sector, at `scale` if given, otherwise at a random scale. */
export function randomSector(rng: Rng, scale: number = randomBetween(rng, 0, MAX_SCALE)): SectorId {
  return { x: randomCoord(rng, scale), y: randomCoord(rng, scale), scale };
}

/** A world coordinate for `sectorSize`: anywhere, near the origin, on a sector border or at the edge. */
export function randomWorldCoord(rng: Rng, sectorSize: number): number {
  const edge = sectorSide(MAX_SCALE, sectorSize);
  const r = rng.next();
  if (r < 0.05) return -edge;
  if (r < 0.1) return edge - sectorSide(0, sectorSize) * (0.5 + rng.next() / 2);
  if (r < 0.35) {
    // exactly on a border at some scale
    const side = sectorSide(randomBetween(rng, 0, MAX_SCALE), sectorSize);
    const n = Math.floor(edge / side);
    return randomBetween(rng, -n, n - 1) * side;
  }
  if (r < 0.6) return (rng.next() * 2 - 1) * sectorSize * 50;
  return (rng.next() * 2 - 1) * edge;
}

/** Picks one element. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[randomInt(rng, items.length)]!;
}
