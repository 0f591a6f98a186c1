/**
 * A bot: a player whose orders come from the brain every 2–5 s. It runs on any session, in the
 * page (`?bots=N`) or in Node (scripts/bots.ts), each with its own room and transport.
 */
import type { Rng } from '@anarchy/sdk';
import type { GameSession } from '../net/session.js';
import { SECTORS } from '../game/galaxy.js';
import { decide, type PlanetView } from './brain.js';

/** Pause between a bot's decisions, in ms: 2 s plus up to 3 s. */
const THINK_MS = 2_000;
const THINK_JITTER_MS = 3_000;

/** Starts giving orders for `session`'s player; returns the function that stops it. */
export function runBot(session: GameSession, rng: Rng): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const think = (): void => {
    if (stopped) return;
    timer = setTimeout(think, THINK_MS + rng.next() * THINK_JITTER_MS);
    if (!session.welcome || session.room.closed) return;
    const planets: PlanetView[] = [];
    for (let i = 0; i < SECTORS.length; i++) for (const p of session.sector(i).planets) planets.push({ x: p.x, y: p.y, owner: p.owner });
    const order = decide(session.positionsAt(), session.profile.playerId, planets, rng);
    if (order) void session.order(order.ids, order.x, order.y);
  };
  timer = setTimeout(think, rng.next() * THINK_JITTER_MS);
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}

/** Names bots get. */
export function botName(n: number): string {
  return `Bot ${n}`;
}
