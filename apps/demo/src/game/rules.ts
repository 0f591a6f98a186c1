/**
 * Combat and capture, as pure functions over positions. The czar of a sector applies them to its
 * own ships and planets each tick; ships of neighbouring sectors (read from their replicas) can
 * hurt ours, and ours theirs in their czar's step, so fights across a border are symmetric.
 */
import { CAPTURE_STEP, COMBAT_RANGE, DAMAGE_PER_ENEMY, MAX_ATTACKERS } from './constants.js';
import type { PlanetData } from './model.js';

/** Ships at positions with owners: parallel arrays, index i is one ship. */
export interface Fleet {
  readonly owners: readonly string[];
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
  readonly length: number;
}

/**
 * Damage each ship of `ours` takes this tick: `DAMAGE_PER_ENEMY` per enemy ship (of `ours` or
 * `others`) within `COMBAT_RANGE`, counting at most `MAX_ATTACKERS`. Order-independent: all
 * damage is computed from the positions before any is applied.
 */
export function combatDamage(ours: Fleet, others: Fleet): Int32Array {
  const damage = new Int32Array(ours.length);
  for (let i = 0; i < ours.length; i++) {
    const n = enemiesNear(ours, i, others, enemiesNear(ours, i, ours, 0));
    damage[i] = n * DAMAGE_PER_ENEMY;
  }
  return damage;
}

/** `found` plus the enemies of ship `i` of `ours` in `f` within range, stopping at `MAX_ATTACKERS`. */
function enemiesNear(ours: Fleet, i: number, f: Fleet, found: number): number {
  const r2 = COMBAT_RANGE * COMBAT_RANGE;
  const owner = ours.owners[i];
  const x = ours.xs[i]!;
  const y = ours.ys[i]!;
  let n = found;
  for (let j = 0; j < f.length && n < MAX_ATTACKERS; j++) {
    if (f.owners[j] === owner) continue; // also skips ship i itself
    const dx = f.xs[j]! - x;
    const dy = f.ys[j]! - y;
    if (dx * dx + dy * dy <= r2) n++;
  }
  return n;
}

/** True when the fleets hold ships of at least two owners (only then can anyone fight). */
export function hasOpponents(a: Fleet, b: Fleet): boolean {
  const first = a.length > 0 ? a.owners[0] : b.length > 0 ? b.owners[0] : undefined;
  if (first === undefined) return false;
  for (let i = 0; i < a.length; i++) if (a.owners[i] !== first) return true;
  for (let i = 0; i < b.length; i++) if (b.owners[i] !== first) return true;
  return false;
}

/** The owner with strictly the most ships in `counts`, or undefined (none, or a tie). */
export function majority(counts: ReadonlyMap<string, number>): string | undefined {
  let best: string | undefined;
  let bestN = 0;
  let tie = false;
  for (const [owner, n] of counts) {
    if (n > bestN) {
      best = owner;
      bestN = n;
      tie = false;
    } else if (n === bestN) {
      tie = true;
    }
  }
  return tie || bestN === 0 ? undefined : best;
}

/** What a capture step did to a planet. */
export type CaptureEvent = 'none' | 'progress' | 'neutralised' | 'captured';

/**
 * One tick of capture at a planet whose surroundings hold `top` as the strict majority (or
 * nobody):
 * - owner in majority: its hold recovers up to 100;
 * - another player in majority at an owned planet: the hold drops, at 0 the planet turns neutral;
 * - a player in majority at a neutral planet: its progress grows (restarting if someone else was
 *   capturing), at 100 it owns the planet.
 * Mutates `p`; `tick` stamps a capture so production starts a full period later.
 */
export function captureStep(p: PlanetData, top: string | undefined, tick: number): CaptureEvent {
  if (top === undefined) return 'none';
  if (p.owner !== '') {
    if (top === p.owner) {
      if (p.progress >= 100) return 'none';
      p.progress = Math.min(100, p.progress + CAPTURE_STEP);
      return 'progress';
    }
    p.progress = Math.max(0, p.progress - CAPTURE_STEP);
    if (p.progress > 0) return 'progress';
    p.owner = '';
    p.capturer = top;
    return 'neutralised';
  }
  if (p.capturer !== top) {
    p.capturer = top;
    p.progress = 0;
  }
  p.progress = Math.min(100, p.progress + CAPTURE_STEP);
  if (p.progress < 100) return 'progress';
  p.owner = top;
  p.capturer = '';
  p.lastMade = tick;
  return 'captured';
}
