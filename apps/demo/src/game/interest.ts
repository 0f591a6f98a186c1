/**
 * Which sectors a peer needs, with the room's interest-scoped delivery on (the SDK's `interest`
 * option): a sector's deltas reach only its czar, its backups and the peers that declared it. A
 * player declares
 *
 * - what it sees: the sectors under the view, plus half a sector around it, so ships flying in
 *   are there before they show (zoomed out to the whole galaxy this is every sector, so the
 *   overview and its summaries stay complete);
 * - where its own ships are and are going (every sector in the box from a ship's path start to
 *   its target), so it can always select and order them, and the sectors of its planets;
 * - the neighbours of a sector it simulates while ships there are near its edge: combat reads
 *   enemies across the border from the neighbours' replicas (and only near the border, so a
 *   sector whose ships keep to its middle needs no neighbour).
 *
 * A peer without a view (a bot) declares every sector. Pure: session.ts declares the result.
 */
import { spatial } from '@anarchy/sdk';
import { COMBAT_RANGE, GALAXY_HALF, GAMEPLAY_SIDE, SHIP_SPEED, TICK_MS } from './constants.js';
import { SECTORS } from './galaxy.js';
import type { Rect } from './model.js';
import type { WorldTable } from './world.js';

/** How far past the view's edges sectors are still received, in world units. */
export const VIEW_MARGIN = GAMEPLAY_SIDE / 2;

/**
 * A simulated sector watches its neighbours while a ship of it is this close to its edge, in
 * world units: combat range, plus 3 s of flight (a recheck every 0.5 s, then a snapshot to fetch).
 */
export const EDGE_WATCH = COMBAT_RANGE + (3_000 / TICK_MS) * SHIP_SPEED;

/** Sectors per row of the galaxy. */
const ROW = 2 * GALAXY_HALF;

/** The inclusive range of sector columns and rows a world box touches, clamped to the galaxy. */
export interface CellRange {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

const cell = (v: number): number => Math.min(ROW - 1, Math.max(0, Math.floor(v / GAMEPLAY_SIDE) + GALAXY_HALF));

/**
 * Columns and rows of the sectors the box (minX, minY)–(maxX, maxY) touches, grown by `margin`
 * world units on every side, or undefined when it misses the galaxy.
 *
 * @example
 * ```ts
 * cellRange(camera.view(), VIEW_MARGIN); // { x0: 0, y0: 0, x1: 2, y1: 1 } for a view of the top-left corner
 * ```
 */
export function cellRange(box: Rect, margin = 0): CellRange | undefined {
  const edge = GALAXY_HALF * GAMEPLAY_SIDE;
  const minX = box.minX - margin;
  const minY = box.minY - margin;
  const maxX = box.maxX + margin;
  const maxY = box.maxY + margin;
  if (maxX < -edge || maxY < -edge || minX >= edge || minY >= edge) return undefined;
  return { x0: cell(minX), y0: cell(minY), x1: cell(maxX), y1: cell(maxY) };
}

/** True when two ranges are the same (both undefined included). */
export function sameRange(a: CellRange | undefined, b: CellRange | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.x0 === b.x0 && a.y0 === b.y0 && a.x1 === b.x1 && a.y1 === b.y1);
}

function markRange(out: Uint8Array, r: CellRange | undefined): void {
  if (!r) return;
  for (let y = r.y0; y <= r.y1; y++) for (let x = r.x0; x <= r.x1; x++) out[y * ROW + x] = 1;
}

/** What {@link interestingSectors} looks at. */
export interface InterestInput {
  /** The sectors the view touches ({@link cellRange} of the view with {@link VIEW_MARGIN}); `'all'` without a view. */
  readonly view: CellRange | undefined | 'all';
  /** The ship table, positioned (`positionsAt`). */
  readonly world: WorldTable;
  /** This peer's player id. */
  readonly player: string;
  /** Sector indices (into `SECTORS`) holding a planet of this player. */
  readonly planets: Iterable<number>;
  /** Sector indices this peer is czar of (each is received anyway; its neighbours when ships are near its edge). */
  readonly czarOf: Iterable<number>;
}

/** Neighbour indices of every sector (the 8 around it that exist). */
const NEIGHBOURS: readonly (readonly number[])[] = SECTORS.map((s) =>
  spatial
    .neighbours(s.id)
    .map((n) => SECTORS.findIndex((o) => o.key === spatial.key(n)))
    .filter((i) => i >= 0),
);

/**
 * The sector keys this peer should declare, sorted (see the module comment).
 *
 * @example
 * ```ts
 * room.setInterest(interestingSectors({ view: cellRange(cam.view(), VIEW_MARGIN), world, player, planets: [], czarOf: [] }), 'sectors');
 * ```
 */
export function interestingSectors(input: InterestInput): string[] {
  if (input.view === 'all') return SECTORS.map((s) => s.key).sort();
  const want = new Uint8Array(SECTORS.length);
  markRange(want, input.view);
  const w = input.world;
  for (let i = 0; i < w.count; i++) {
    if (w.owners[i] !== input.player) continue;
    want[w.sector[i]!] = 1;
    const box = { minX: Math.min(w.x0[i]!, w.tx[i]!), minY: Math.min(w.y0[i]!, w.ty[i]!), maxX: Math.max(w.x0[i]!, w.tx[i]!), maxY: Math.max(w.y0[i]!, w.ty[i]!) };
    markRange(want, cellRange(box));
  }
  for (const i of input.planets) want[i] = 1;
  const czar = new Uint8Array(SECTORS.length);
  for (const i of input.czarOf) czar[i] = want[i] = 1;
  const watched = new Uint8Array(SECTORS.length);
  for (let i = 0; i < w.count; i++) {
    const s = w.sector[i]!;
    if (!czar[s] || watched[s]) continue;
    const b = SECTORS[s]!.bounds;
    const x = w.x[i]!;
    const y = w.y[i]!;
    if (x - b.minX < EDGE_WATCH || b.maxX - x < EDGE_WATCH || y - b.minY < EDGE_WATCH || b.maxY - y < EDGE_WATCH) {
      watched[s] = 1;
      for (const n of NEIGHBOURS[s] ?? []) want[n] = 1;
    }
  }
  const out: string[] = [];
  for (let i = 0; i < SECTORS.length; i++) if (want[i]) out.push(SECTORS[i]!.key);
  return out.sort();
}
