/**
 * Hand-off of ships between sectors, the bookkeeping half (the sending half is the czar driver in
 * net/). A ship that crosses its sector's edge is marked `leaving` by the old czar, which sends
 * the ship to the new sector's czar as a room action; the new czar adds it and keeps a receipt
 * (unit id → hops); only when the action is confirmed does the old czar delete its copy.
 *
 * Why nothing is lost or duplicated:
 * - The old copy exists until the new czar confirmed, and a czar that takes over the old sector
 *   finds it still marked (or re-marks it when its replica was older) and sends it again.
 * - Every hand-off carries `hops + 1`, so the receiver accepts each hop at most once: a retry,
 *   however late, finds the receipt (or a newer copy) and is answered `duplicate`, which
 *   completes the sender's side just as an acceptance does.
 * - Between acceptance and deletion both sectors hold the ship; readers count the copy with the
 *   most hops ({@link newerCopy}), so the ship is seen once.
 */
import { SEEN_LIMIT } from './constants.js';
import type { Factory, Rect, SectorData, UnitData } from './model.js';

/** What a hand-off action carries: the ship as it crossed, with its next hop number. */
export interface HandoffPayload {
  readonly id: string;
  readonly owner: string;
  readonly hp: number;
  /** Where it crossed (integer world units, inside the receiving sector). */
  readonly x: number;
  readonly y: number;
  readonly tx: number;
  readonly ty: number;
  /** The hop this hand-off is: the sender's `hops + 1`. */
  readonly hops: number;
  /** Key of the sending sector (for the log). */
  readonly from: string;
}

/** The hand-off of `unit`, which the old czar has just rebased to its crossing point. */
export function departure(id: string, unit: UnitData, from: string): HandoffPayload {
  return { id, owner: unit.owner, hp: unit.hp, x: unit.x, y: unit.y, tx: unit.tx, ty: unit.ty, hops: unit.hops + 1, from };
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Validates a hand-off payload from the network; undefined when it is not one. */
export function parseHandoff(value: unknown): HandoffPayload | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const coord = (c: unknown): c is number => isInt(c, -1e7, 1e7);
  if (!isText(v['id'], 64) || !isText(v['owner'], 64) || !isText(v['from'], 24)) return undefined;
  if (!isInt(v['hp'], 1, 255) || !isInt(v['hops'], 1, 65_535)) return undefined;
  if (!coord(v['x']) || !coord(v['y']) || !coord(v['tx']) || !coord(v['ty'])) return undefined;
  return { id: v['id'], owner: v['owner'], hp: v['hp'], x: v['x'], y: v['y'], tx: v['tx'], ty: v['ty'], hops: v['hops'], from: v['from'] };
}

/** True when (x, y) lies in the half-open rectangle. */
export function inside(r: Rect, x: number, y: number): boolean {
  return x >= r.minX && x < r.maxX && y >= r.minY && y < r.maxY;
}

/** What the receiving czar did with a hand-off. Both answers complete the sender's side. */
export type ArrivalResult = 'accepted' | 'duplicate';

/**
 * The receiving czar's side: adds the ship (its path re-anchored at `tick`, the receiver's clock)
 * unless this hop was accepted before. Throws when the ship is not in this sector: the sender
 * then stops the ship where it is instead.
 */
export function acceptArrival(s: SectorData, p: HandoffPayload, bounds: Rect, tick: number, make: Factory): ArrivalResult {
  if (!inside(bounds, p.x, p.y)) throw new Error(`ship ${p.id} at (${p.x}, ${p.y}) is not in this sector`);
  const receipt = s.seen.get(p.id);
  if (receipt !== undefined && receipt >= p.hops) return 'duplicate';
  const existing = s.units.get(p.id);
  if (existing && existing.hops >= p.hops) return 'duplicate';
  // A ship that comes back replaces its own stale leaving copy (its deletion then finds nothing to do).
  s.units.set(p.id, make.unit({ owner: p.owner, x: p.x, y: p.y, tx: p.tx, ty: p.ty, t0: tick, hp: p.hp, hops: p.hops, leaving: '' }));
  // Re-inserting moves the receipt to the young end of the insertion order that pruning follows.
  s.seen.delete(p.id);
  s.seen.set(p.id, p.hops);
  pruneSeen(s);
  s.arrivals += 1;
  s.lastFrom = p.from;
  return 'accepted';
}

/** Drops the oldest receipts of ships no longer here until at most `limit` remain. Returns how many went. */
export function pruneSeen(s: SectorData, limit: number = SEEN_LIMIT): number {
  if (s.seen.size <= limit) return 0;
  const drop: string[] = [];
  let excess = s.seen.size - limit;
  for (const id of s.seen.keys()) {
    if (excess === 0) break;
    if (s.units.has(id)) continue;
    drop.push(id);
    excess--;
  }
  for (const id of drop) s.seen.delete(id);
  return drop.length;
}

/**
 * The sending czar's side, once the receiver confirmed hop `hops`: deletes the old copy if it is
 * still the one that left. Returns whether it deleted.
 */
export function completeDeparture(s: SectorData, id: string, hops: number): boolean {
  const u = s.units.get(id);
  if (!u || u.leaving === '' || u.hops + 1 !== hops) return false;
  s.units.delete(id);
  return true;
}

/**
 * The sending czar's side when the receiver refused the ship: it stays here, stopped at the
 * nearest point inside this sector.
 */
export function abortDeparture(s: SectorData, id: string, tick: number, bounds: Rect): boolean {
  const u = s.units.get(id);
  if (!u || u.leaving === '') return false;
  const x = Math.min(bounds.maxX - 1, Math.max(bounds.minX, u.x));
  const y = Math.min(bounds.maxY - 1, Math.max(bounds.minY, u.y));
  u.x = u.tx = x;
  u.y = u.ty = y;
  u.t0 = tick;
  u.leaving = '';
  return true;
}

/** True when copy `a` of a ship supersedes copy `b` (more hops: it was handed on later). */
export function newerCopy(a: Pick<UnitData, 'hops'>, b: Pick<UnitData, 'hops'>): boolean {
  return a.hops > b.hops;
}
