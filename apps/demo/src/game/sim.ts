/**
 * One tick of a sector, as its czar runs it: hand-off detection, combat, capture, production.
 * Deterministic: the result depends only on the state, the tick and the neighbours' ships given,
 * never on iteration order, time or randomness. Writes only what changes, so a quiet sector costs
 * no traffic.
 */
import { HEARTBEAT_TICKS, PRODUCTION_CAP, PRODUCTION_TICKS, SHIP_HP } from './constants.js';
import { sectorAt, planetsFor } from './galaxy.js';
import { departure, inside, type HandoffPayload } from './handoff.js';
import type { Factory, Rect, SectorData, UnitData } from './model.js';
import { arrived, positionAt, type MutablePoint } from './motion.js';
import { captureStep, combatDamage, hasOpponents, majority, type Fleet } from './rules.js';
import { CAPTURE_RANGE } from './constants.js';

/** A ship of another sector near this one, at its position this tick. */
export interface ForeignShip {
  readonly owner: string;
  readonly x: number;
  readonly y: number;
}

/** What a step needs besides the state. */
export interface StepContext {
  /** This sector's shard key. */
  readonly key: string;
  readonly bounds: Rect;
  /** The tick being simulated (the czar's clock). */
  readonly tick: number;
  /** Ships of neighbouring sectors within combat range of this one's edge. */
  readonly foreign?: readonly ForeignShip[];
  readonly make: Factory;
}

/** What a step did. */
export interface StepResult {
  /** True when the state was written (a delta will follow). */
  changed: boolean;
  /** Ships that crossed the edge this tick, now marked leaving: send each to its new sector. */
  readonly departures: HandoffPayload[];
  destroyed: number;
  built: number;
  /** Planets that changed owner: index and new owner ('' for neutralised). */
  readonly captures: Array<{ planet: number; owner: string }>;
}

/** Fills in a fresh sector's planets. Returns whether it wrote. */
export function initSector(s: SectorData, key: string, make: Factory): boolean {
  if (s.ready) return false;
  for (const seed of planetsFor(key)) {
    s.planets.push(make.planet({ x: seed.x, y: seed.y, r: seed.r, owner: '', capturer: '', progress: 0, lastMade: 0, made: 0 }));
  }
  s.ready = true;
  return true;
}

const scratch: MutablePoint = { x: 0, y: 0 };

/** Runs tick `ctx.tick` of sector `s`. */
export function stepSector(s: SectorData, ctx: StepContext): StepResult {
  const { tick, bounds, key, make } = ctx;
  const result: StepResult = { changed: initSector(s, key, make), departures: [], destroyed: 0, built: 0, captures: [] };

  // Active ships (not leaving) and their positions now; crossings start hand-offs.
  const ids: string[] = [];
  const units: UnitData[] = [];
  const owners: string[] = [];
  const xs: number[] = [];
  const ys: number[] = [];
  let moving = false;
  s.units.forEach((u, id) => {
    if (u.leaving !== '') return;
    positionAt(u, tick, scratch);
    const x = Math.round(scratch.x) + 0;
    const y = Math.round(scratch.y) + 0;
    if (!inside(bounds, x, y)) {
      const dest = sectorAt(x, y);
      if (dest === undefined) {
        // Targets are clamped inside the galaxy, so this is only reachable through a bad state: stop here.
        u.x = u.tx = Math.min(bounds.maxX - 1, Math.max(bounds.minX, x));
        u.y = u.ty = Math.min(bounds.maxY - 1, Math.max(bounds.minY, y));
        u.t0 = tick;
        result.changed = true;
        return;
      }
      u.x = x;
      u.y = y;
      u.t0 = tick;
      u.leaving = dest.key;
      result.departures.push(departure(id, u, key));
      result.changed = true;
      return;
    }
    if (!moving && !arrived(u, tick)) moving = true;
    ids.push(id);
    units.push(u);
    owners.push(u.owner);
    xs.push(scratch.x);
    ys.push(scratch.y);
  });
  const ours: Fleet = { owners, xs, ys, length: ids.length };

  // Combat.
  const foreign = ctx.foreign ?? [];
  const others: Fleet = { owners: foreign.map((f) => f.owner), xs: foreign.map((f) => f.x), ys: foreign.map((f) => f.y), length: foreign.length };
  const alive = new Uint8Array(ids.length).fill(1);
  if (hasOpponents(ours, others)) {
    const damage = combatDamage(ours, others);
    for (let i = 0; i < ids.length; i++) {
      const d = damage[i]!;
      if (d === 0) continue;
      const u = units[i]!;
      result.changed = true;
      if (u.hp <= d) {
        s.units.delete(ids[i]!);
        alive[i] = 0;
        result.destroyed++;
      } else {
        u.hp -= d;
      }
    }
  }

  // Capture and production, from the survivors.
  const perOwner = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) if (alive[i]) perOwner.set(owners[i]!, (perOwner.get(owners[i]!) ?? 0) + 1);
  const r2 = CAPTURE_RANGE * CAPTURE_RANGE;
  let pi = 0;
  for (const p of s.planets) {
    const near = new Map<string, number>();
    for (let i = 0; i < ids.length; i++) {
      if (!alive[i]) continue;
      const dx = xs[i]! - p.x;
      const dy = ys[i]! - p.y;
      if (dx * dx + dy * dy <= r2) near.set(owners[i]!, (near.get(owners[i]!) ?? 0) + 1);
    }
    const event = captureStep(p, majority(near), tick);
    if (event !== 'none') result.changed = true;
    if (event === 'captured' || event === 'neutralised') result.captures.push({ planet: pi, owner: p.owner });
    if (p.owner !== '' && tick - p.lastMade >= PRODUCTION_TICKS && (perOwner.get(p.owner) ?? 0) < PRODUCTION_CAP) {
      const angle = p.made * 2.39996; // golden angle: new ships spread around the planet
      const x = Math.round(p.x + Math.cos(angle) * (p.r + 24));
      const y = Math.round(p.y + Math.sin(angle) * (p.r + 24));
      s.units.set(`${key}#${pi}.${p.made}`, make.unit({ owner: p.owner, x, y, tx: x, ty: y, t0: tick, hp: SHIP_HP, hops: 0, leaving: '' }));
      perOwner.set(p.owner, (perOwner.get(p.owner) ?? 0) + 1);
      p.made += 1;
      p.lastMade = tick;
      result.built++;
      result.changed = true;
    }
    pi++;
  }

  // Replicas extrapolate the clock from the last written tick: re-anchor it with every write,
  // and at least once a heartbeat while ships move.
  if (result.changed || (moving && tick - s.tick >= HEARTBEAT_TICKS)) {
    s.tick = tick;
    result.changed = true;
  }
  return result;
}

/** True when a step would be a no-op: ready, no ships, no owned planet. The czar skips such sectors. */
export function isIdle(s: SectorData): boolean {
  if (!s.ready || s.units.size > 0) return false;
  for (const p of s.planets) if (p.owner !== '' || p.progress > 0) return false;
  return true;
}
