/**
 * The room actions of the game and what a czar does with them. Every action is validated here,
 * at the boundary: a peer can send anything. Handlers throw an `Error` whose message reaches the
 * sender (the SDK rejects its `act()` with `action-rejected`).
 */
import { MAX_FLEET, SHIP_HP } from './constants.js';
import { clampToGalaxy } from './galaxy.js';
import { parseHandoff, type HandoffPayload } from './handoff.js';
import type { Factory, Rect, SectorData } from './model.js';
import { formation, positionAt, type MutablePoint } from './motion.js';

/** One ship's new target. */
export type MoveOrder = readonly [id: string, tx: number, ty: number];

/** Actions aimed at a sector shard. */
export type SectorAction =
  /** Player `player` orders its ships (in this sector) to fly to new targets. */
  | { readonly type: 'move'; readonly player: string; readonly orders: readonly MoveOrder[] }
  /** A czar hands a ship over (see handoff.ts). */
  | { readonly type: 'enter'; readonly unit: HandoffPayload }
  /** Player `player` asks for its starting fleet at (x, y) in this sector. */
  | { readonly type: 'spawn'; readonly player: string; readonly x: number; readonly y: number; readonly count: number };

/** Action aimed at the players shard. */
export interface HelloAction {
  readonly type: 'hello';
  readonly player: string;
  readonly name: string;
  readonly colour: string;
}

/** Most orders in one move action (a big selection is split across actions). */
export const MAX_ORDERS_PER_ACTION = 500;

const PLAYER_ID = /^[A-Za-z0-9_-]{1,32}$/;
const COLOUR = /^#[0-9a-f]{6}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCoord = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 1e7;

/** True for a well-formed player id (what profiles generate). */
export function isPlayerId(v: unknown): v is string {
  return typeof v === 'string' && PLAYER_ID.test(v);
}

/** Validates a sector action; throws with a message for the sender otherwise. */
export function parseSectorAction(value: unknown): SectorAction {
  if (!isObject(value)) throw new Error('action must be an object');
  switch (value['type']) {
    case 'move': {
      const orders = value['orders'];
      if (!isPlayerId(value['player'])) throw new Error('move: bad player id');
      if (!Array.isArray(orders) || orders.length === 0 || orders.length > MAX_ORDERS_PER_ACTION) throw new Error('move: orders must be a non-empty array');
      const out: MoveOrder[] = [];
      for (const o of orders) {
        if (!Array.isArray(o) || o.length !== 3 || typeof o[0] !== 'string' || o[0].length > 64 || !isCoord(o[1]) || !isCoord(o[2])) {
          throw new Error('move: each order is [unitId, x, y]');
        }
        out.push([o[0], o[1], o[2]]);
      }
      return { type: 'move', player: value['player'], orders: out };
    }
    case 'enter': {
      const unit = parseHandoff(value['unit']);
      if (!unit) throw new Error('enter: malformed ship');
      return { type: 'enter', unit };
    }
    case 'spawn': {
      const { player, x, y, count } = value;
      if (!isPlayerId(player)) throw new Error('spawn: bad player id');
      if (!isCoord(x) || !isCoord(y)) throw new Error('spawn: bad position');
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_FLEET) throw new Error(`spawn: count must be 1..${MAX_FLEET}`);
      return { type: 'spawn', player, x, y, count };
    }
    default:
      throw new Error(`unknown action type ${JSON.stringify(value['type'])}`);
  }
}

/** Validates a players-shard action; throws with a message for the sender otherwise. */
export function parseHello(value: unknown): HelloAction {
  if (!isObject(value) || value['type'] !== 'hello') throw new Error('expected a hello action');
  const { player, name, colour } = value;
  if (!isPlayerId(player)) throw new Error('hello: bad player id');
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 24) throw new Error('hello: name must be 1–24 characters');
  if (typeof colour !== 'string' || !COLOUR.test(colour)) throw new Error('hello: colour must be #rrggbb');
  return { type: 'hello', player, name: name.trim(), colour };
}

const scratch: MutablePoint = { x: 0, y: 0 };

/**
 * Applies a move: each listed ship that `player` owns and that is here (not leaving) starts from
 * where it is at `tick` towards its target (clamped into the galaxy). Returns the ids applied;
 * the sender retries the others at the ship's new sector.
 */
export function applyMove(s: SectorData, player: string, orders: readonly MoveOrder[], tick: number): string[] {
  const applied: string[] = [];
  for (const [id, tx, ty] of orders) {
    const u = s.units.get(id);
    if (!u || u.owner !== player || u.leaving !== '') continue;
    positionAt(u, tick, scratch);
    const target = clampToGalaxy(tx, ty);
    u.x = Math.round(scratch.x) + 0;
    u.y = Math.round(scratch.y) + 0;
    u.tx = target.x;
    u.ty = target.y;
    u.t0 = tick;
    applied.push(id);
  }
  return applied;
}

/** Spacing of formation slots, in world units. */
export const FORMATION_SPACING = 22;

/**
 * Creates `player`'s starting fleet around (x, y), clamped into this sector, unless it was
 * created here before. Ship ids are `<player>.<n>`. Returns the number created (0 when it existed).
 */
export function applySpawn(s: SectorData, player: string, x: number, y: number, count: number, tick: number, bounds: Rect, make: Factory): number {
  if (s.spawned.has(player)) return 0;
  const n = Math.min(MAX_FLEET, Math.max(1, Math.floor(count)));
  const margin = 30;
  const slots = formation(n, FORMATION_SPACING);
  let i = 0;
  for (const slot of slots) {
    const px = Math.round(Math.min(bounds.maxX - margin, Math.max(bounds.minX + margin, x + slot.dx)));
    const py = Math.round(Math.min(bounds.maxY - margin, Math.max(bounds.minY + margin, y + slot.dy)));
    s.units.set(`${player}.${i}`, make.unit({ owner: player, x: px, y: py, tx: px, ty: py, t0: tick, hp: SHIP_HP, hops: 0, leaving: '' }));
    i++;
  }
  s.spawned.set(player, true);
  return n;
}

/**
 * Targets for a selection ordered to (x, y): a square formation around the point, slots given in
 * the order of `ships` sorted by distance to the point (nearest ships take the nearest slots
 * along the way, so groups do not cross through each other much).
 */
export function planMove(ships: ReadonlyArray<{ readonly id: string; readonly x: number; readonly y: number }>, x: number, y: number): MoveOrder[] {
  const sorted = [...ships].sort((a, b) => Math.hypot(a.x - x, a.y - y) - Math.hypot(b.x - x, b.y - y) || (a.id < b.id ? -1 : 1));
  const slots = formation(sorted.length, FORMATION_SPACING);
  return sorted.map((s, i) => {
    const slot = slots[i]!;
    const t = clampToGalaxy(x + slot.dx, y + slot.dy);
    return [s.id, t.x, t.y] as const;
  });
}
