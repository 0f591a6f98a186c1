/**
 * The players shard: who plays, in which colour, from which peer, and where each starts.
 */
import { homeFor } from './galaxy.js';
import type { HelloAction } from './actions.js';
import type { Factory, PlayersData } from './model.js';

/**
 * Colours players choose from, in the order they are handed out: each pair at least 19 apart in
 * CIEDE2000 (the first eight at least 25), all bright enough on the dark galaxy, none close to
 * the neutral grey of unowned things or to the white of the selection.
 */
export const PALETTE: readonly string[] = ['#ff4d4d', '#3b8eff', '#3ee06a', '#ffd60a', '#c040ff', '#00e5ff', '#ff8a1a', '#ff9ad5', '#a86a3c', '#c8c0ff'];

/**
 * The `n`-th colour handed out once every palette colour is taken (rooms of more than ten):
 * hues a golden angle apart, so they never repeat exactly.
 */
export function extraColour(n: number): string {
  const hue = (n * 137.508 + 20) % 360;
  return hslHex(hue, 0.75, 0.62 + 0.1 * (n % 2));
}

function hslHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): string => {
    const k = (n + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** Where a player starts, as the players czar answers a hello, and the colour it got. */
export interface Welcome {
  readonly home: string;
  readonly x: number;
  readonly y: number;
  readonly index: number;
  /** The colour asked for, or the first free palette colour if another player has it. */
  readonly colour: string;
}

/**
 * The colour `player` gets: `wanted` if it is a palette colour no other player has, else the first
 * palette colour nobody has, else an {@link extraColour} nobody has. Two players never share a
 * colour, and colours outside the palette (an old profile, a hand-made hello) are not kept, so
 * every colour in a room is one of the clearly distinct ones while the palette lasts.
 */
export function freeColour(state: PlayersData, player: string, wanted: string): string {
  const taken = new Set<string>();
  state.players.forEach((p, id) => {
    if (id !== player) taken.add(p.colour);
  });
  if (PALETTE.includes(wanted) && !taken.has(wanted)) return wanted;
  const free = PALETTE.find((c) => !taken.has(c));
  if (free !== undefined) return free;
  for (let n = 0; ; n++) {
    const c = extraColour(n);
    if (!taken.has(c)) return c;
  }
}

/**
 * Registers a player (or updates name, colour and peer when it comes back from another peer,
 * e.g. after a reload) and returns its start. Starts go by arrival order and never change; a
 * colour another player has is swapped for a free one, so every player stays recognisable.
 */
export function applyHello(state: PlayersData, hello: HelloAction, peer: string, make: Factory): Welcome {
  const colour = freeColour(state, hello.player, hello.colour);
  const known = state.players.get(hello.player);
  if (known) {
    known.name = hello.name;
    known.colour = colour;
    known.peer = peer;
    return { home: known.home, x: known.hx, y: known.hy, index: known.index, colour };
  }
  const index = state.players.size;
  const home = homeFor(index);
  state.players.set(hello.player, make.player({ name: hello.name, colour, peer, home: home.key, hx: home.x, hy: home.y, index }));
  return { home: home.key, x: home.x, y: home.y, index, colour };
}

/** True when `peer` speaks for `player` (may order its ships). */
export function speaksFor(state: PlayersData | undefined, player: string, peer: string): boolean {
  return state?.players.get(player)?.peer === peer;
}
