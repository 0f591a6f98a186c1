/**
 * The players shard: who plays, in which colour, from which peer, and where each starts.
 */
import { homeFor } from './galaxy.js';
import type { HelloAction } from './actions.js';
import type { Factory, PlayersData } from './model.js';

/** Colours players choose from; a clash is resolved to the first free one. */
export const PALETTE: readonly string[] = ['#ff6b6b', '#4dabf7', '#69db7c', '#ffd43b', '#da77f2', '#ff922b', '#38d9a9', '#f783ac', '#a9e34b', '#74c0fc'];

/** Where a player starts, as the players czar answers a hello, and the colour it got. */
export interface Welcome {
  readonly home: string;
  readonly x: number;
  readonly y: number;
  readonly index: number;
  /** The colour asked for, or the first free palette colour if another player has it. */
  readonly colour: string;
}

/** `wanted` unless another player has it; then the first palette colour nobody has (or `wanted`). */
export function freeColour(state: PlayersData, player: string, wanted: string): string {
  const taken = new Set<string>();
  state.players.forEach((p, id) => {
    if (id !== player) taken.add(p.colour);
  });
  if (!taken.has(wanted)) return wanted;
  return PALETTE.find((c) => !taken.has(c)) ?? wanted;
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
