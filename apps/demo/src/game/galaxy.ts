/**
 * The galaxy: which gameplay sectors exist, where their planets are and where players start.
 * Everything here is derived from constants and keys, so every peer computes the same galaxy.
 */
import { spatial } from '@anarchy/sdk';
import type { Rect, SectorId } from './model.js';
import { GALAXY_HALF, GAMEPLAY_SCALE, GAMEPLAY_SIDE, SECTOR_SIZE } from './constants.js';

/** A gameplay sector: its id, shard key (`spatial.key`) and area. */
export interface SectorInfo {
  readonly id: SectorId;
  readonly key: string;
  readonly bounds: Rect;
  /** Position in {@link SECTORS}. */
  readonly index: number;
}

/** A planet as generated; its owner and capture progress live in the sector's state. */
export interface PlanetSeed {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

function buildSectors(): SectorInfo[] {
  const out: SectorInfo[] = [];
  for (let y = -GALAXY_HALF; y < GALAXY_HALF; y++) {
    for (let x = -GALAXY_HALF; x < GALAXY_HALF; x++) {
      const id = spatial.sector(x, y, GAMEPLAY_SCALE);
      out.push({ id, key: spatial.key(id), bounds: spatial.bounds(id, SECTOR_SIZE), index: out.length });
    }
  }
  return out;
}

/** Every gameplay sector, row by row from the top left. */
export const SECTORS: readonly SectorInfo[] = buildSectors();

/** Gameplay sectors by shard key. */
export const SECTOR_BY_KEY: ReadonlyMap<string, SectorInfo> = new Map(SECTORS.map((s) => [s.key, s]));

/** The playable area in world units (half-open). */
export const GALAXY_BOUNDS: Rect = {
  minX: -GALAXY_HALF * GAMEPLAY_SIDE,
  minY: -GALAXY_HALF * GAMEPLAY_SIDE,
  maxX: GALAXY_HALF * GAMEPLAY_SIDE,
  maxY: GALAXY_HALF * GAMEPLAY_SIDE,
};

/** Ships are kept this far inside the galaxy's edge. */
const EDGE_MARGIN = 20;

/** The gameplay sector holding a world point, or undefined outside the galaxy. */
export function sectorAt(x: number, y: number): SectorInfo | undefined {
  const b = GALAXY_BOUNDS;
  if (!(x >= b.minX && x < b.maxX && y >= b.minY && y < b.maxY)) return undefined;
  const sx = Math.floor(x / GAMEPLAY_SIDE) + GALAXY_HALF;
  const sy = Math.floor(y / GAMEPLAY_SIDE) + GALAXY_HALF;
  return SECTORS[sy * 2 * GALAXY_HALF + sx];
}

/** The nearest integer point inside the galaxy (with a margin), for move targets. */
export function clampToGalaxy(x: number, y: number): { x: number; y: number } {
  const b = GALAXY_BOUNDS;
  const cx = Math.round(Math.min(b.maxX - EDGE_MARGIN, Math.max(b.minX + EDGE_MARGIN, x)));
  const cy = Math.round(Math.min(b.maxY - EDGE_MARGIN, Math.max(b.minY + EDGE_MARGIN, y)));
  return { x: cx + 0, y: cy + 0 };
}

/** FNV-1a of a string: a stable 32-bit hash for deterministic generation. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A small deterministic generator (mulberry32) for galaxy generation. */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Planets keep this far from their sector's edges, so capture never spans two czars. */
const PLANET_MARGIN = 180;

/** The planets of a sector: one or two, at positions derived from its key. */
export function planetsFor(key: string): PlanetSeed[] {
  const info = SECTOR_BY_KEY.get(key);
  if (!info) return [];
  const rnd = mulberry(hash32(key));
  const count = 1 + (rnd() < 0.45 ? 1 : 0);
  const span = GAMEPLAY_SIDE - 2 * PLANET_MARGIN;
  const out: PlanetSeed[] = [];
  for (let i = 0; i < count; i++) {
    let x = 0;
    let y = 0;
    // Two planets of one sector stay apart so their capture ranges barely overlap.
    for (let attempt = 0; attempt < 8; attempt++) {
      x = Math.round(info.bounds.minX + PLANET_MARGIN + rnd() * span);
      y = Math.round(info.bounds.minY + PLANET_MARGIN + rnd() * span);
      const first = out[0];
      if (!first || Math.hypot(first.x - x, first.y - y) > 350) break;
    }
    out.push({ x, y, r: 18 + Math.floor(rnd() * 18) });
  }
  return out;
}

/** Start sectors in the order players arrive: corners first, then edges, then the inner ring. */
const START_CELLS: ReadonlyArray<readonly [number, number]> = [
  [-3, -3], [2, 2], [2, -3], [-3, 2],
  [-1, -3], [0, 2], [2, -1], [-3, 0],
  [-2, -1], [1, 0], [0, -2], [-1, 1],
  [1, -3], [-2, 2], [2, 1], [-3, -2],
];

/** Where the player who arrived `index`-th (0-based) starts: a sector key and a point in it. */
export function homeFor(index: number): { key: string; x: number; y: number } {
  const i = Math.max(0, Math.floor(index));
  const cell = START_CELLS[i % START_CELLS.length]!;
  const lap = Math.floor(i / START_CELLS.length);
  const info = sectorAt(cell[0] * GAMEPLAY_SIDE, cell[1] * GAMEPLAY_SIDE)!;
  // Later laps start around the same sectors, offset so fleets do not stack on one point.
  const angle = lap * 2.4;
  const radius = lap === 0 ? 0 : 120 + 40 * (lap % 4);
  const x = Math.round(info.bounds.minX + GAMEPLAY_SIDE / 2 + Math.cos(angle) * radius);
  const y = Math.round(info.bounds.minY + GAMEPLAY_SIDE / 2 + Math.sin(angle) * radius);
  return { key: info.key, x, y };
}
