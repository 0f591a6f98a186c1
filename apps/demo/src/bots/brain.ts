/**
 * What a bot decides: every few seconds, send some of its idle ships to a planet it does not own,
 * usually a near one. Pure: the world is given, randomness comes from an injected `Rng`.
 */
import type { Rng } from '@anarchy/sdk';
import type { WorldTable } from '../game/world.js';

/** A planet as the bot sees it. */
export interface PlanetView {
  readonly x: number;
  readonly y: number;
  readonly owner: string;
}

/** An order: ships to a point. */
export interface BotOrder {
  readonly ids: string[];
  readonly x: number;
  readonly y: number;
}

/** The bot's next order, or undefined when it has nothing to send. */
export function decide(w: WorldTable, player: string, planets: readonly PlanetView[], rng: Rng): BotOrder | undefined {
  const idle: number[] = [];
  let mine = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < w.count; i++) {
    if (w.owners[i] !== player) continue;
    mine++;
    sx += w.x[i]!;
    sy += w.y[i]!;
    if (!w.moving[i]) idle.push(i);
  }
  if (idle.length === 0) return undefined;
  const cx = sx / mine;
  const cy = sy / mine;
  const targets = planets.filter((p) => p.owner !== player);
  let x: number;
  let y: number;
  if (targets.length === 0 || rng.next() < 0.1) {
    // Nothing left to take (or a whim): wander near the fleet.
    x = cx + (rng.next() - 0.5) * 1600;
    y = cy + (rng.next() - 0.5) * 1600;
  } else {
    // Nearest three, one of them at random: bots expand outwards but not all the same way.
    const ranked = [...targets].sort((a, b) => Math.hypot(a.x - cx, a.y - cy) - Math.hypot(b.x - cx, b.y - cy));
    const pick = ranked[Math.floor(rng.next() * Math.min(3, ranked.length))]!;
    x = pick.x;
    y = pick.y;
  }
  const share = 0.5 + rng.next() * 0.5;
  const count = Math.max(1, Math.round(idle.length * share));
  const ids: string[] = [];
  for (let k = 0; k < count; k++) ids.push(w.ids[idle[k]!]!);
  return { ids, x, y };
}
