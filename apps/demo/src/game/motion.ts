/**
 * Straight-line motion: where a ship is at a tick, given its path. Pure and allocation-free
 * (results go into a caller's object), because the renderer calls it for every ship every frame.
 */
import { SHIP_SPEED } from './constants.js';

/** The fields of a path (a subset of `UnitData`). */
export interface Path {
  readonly x: number;
  readonly y: number;
  readonly tx: number;
  readonly ty: number;
  readonly t0: number;
}

/** A mutable point to write results into. */
export interface MutablePoint {
  x: number;
  y: number;
}

/**
 * Writes the position at `tick` (fractional ticks allowed) into `out`. Before `t0` the ship is at
 * its start; after it covers the distance it stays at the target.
 */
export function positionAt(p: Path, tick: number, out: MutablePoint): MutablePoint {
  return positionOf(p.x, p.y, p.tx, p.ty, p.t0, tick, out);
}

/** {@link positionAt} on loose numbers, for the renderer's typed arrays. */
export function positionOf(x: number, y: number, tx: number, ty: number, t0: number, tick: number, out: MutablePoint): MutablePoint {
  const dx = tx - x;
  const dy = ty - y;
  const dist = Math.sqrt(dx * dx + dy * dy);
  const travelled = (tick > t0 ? tick - t0 : 0) * SHIP_SPEED;
  if (travelled >= dist) {
    out.x = tx;
    out.y = ty;
  } else {
    const f = travelled / dist;
    out.x = x + dx * f;
    out.y = y + dy * f;
  }
  return out;
}

/** True when the ship has reached its target by `tick`. */
export function arrived(p: Path, tick: number): boolean {
  const dist = Math.hypot(p.tx - p.x, p.ty - p.y);
  return (tick > p.t0 ? tick - p.t0 : 0) * SHIP_SPEED >= dist;
}

/**
 * Offsets of a square formation of `count` ships, `spacing` apart, centred on (0, 0), filled
 * row by row. Slot order is stable, so the same order gives every ship the same slot.
 */
export function formation(count: number, spacing: number): Array<{ dx: number; dy: number }> {
  const n = Math.max(0, Math.floor(count));
  const side = Math.ceil(Math.sqrt(n));
  const out: Array<{ dx: number; dy: number }> = [];
  const half = (side - 1) / 2;
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / side);
    const col = i % side;
    out.push({ dx: Math.round((col - half) * spacing), dy: Math.round((row - half) * spacing) });
  }
  return out;
}
