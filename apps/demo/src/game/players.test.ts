import { describe, expect, it } from 'vitest';
import { homeFor } from './galaxy.js';
import { plainFactory, type PlayerData, type PlayersData } from './model.js';
import { PALETTE, applyHello, extraColour, speaksFor } from './players.js';

const [RED, BLUE, GREEN] = PALETTE as [string, string, string];

describe('players', () => {
  it('gives starts by arrival order and keeps them when a player comes back', () => {
    const state: PlayersData = { players: new Map<string, PlayerData>() };
    const a = applyHello(state, { type: 'hello', player: 'a', name: 'A', colour: RED }, 'peer-a', plainFactory);
    const b = applyHello(state, { type: 'hello', player: 'b', name: 'B', colour: GREEN }, 'peer-b', plainFactory);
    expect(a).toEqual({ home: homeFor(0).key, x: homeFor(0).x, y: homeFor(0).y, index: 0, colour: RED });
    expect(b.index).toBe(1);
    const again = applyHello(state, { type: 'hello', player: 'a', name: 'A2', colour: BLUE }, 'peer-a2', plainFactory);
    expect(again).toEqual({ ...a, colour: BLUE });
    expect(state.players.get('a')).toMatchObject({ name: 'A2', colour: BLUE, peer: 'peer-a2' });
    expect(speaksFor(state, 'a', 'peer-a2')).toBe(true);
    expect(speaksFor(state, 'a', 'peer-a')).toBe(false);
    expect(speaksFor(undefined, 'a', 'peer-a2')).toBe(false);
  });

  it('gives a player whose colour is taken the first free palette colour', () => {
    const state: PlayersData = { players: new Map<string, PlayerData>() };
    applyHello(state, { type: 'hello', player: 'a', name: 'A', colour: PALETTE[0]! }, 'pa', plainFactory);
    const b = applyHello(state, { type: 'hello', player: 'b', name: 'B', colour: PALETTE[0]! }, 'pb', plainFactory);
    expect(b.colour).toBe(PALETTE[1]);
    // Keeping one's own colour is no clash.
    expect(applyHello(state, { type: 'hello', player: 'a', name: 'A', colour: PALETTE[0]! }, 'pa', plainFactory).colour).toBe(PALETTE[0]);
  });

  it('replaces a colour outside the palette with a free palette colour', () => {
    const state: PlayersData = { players: new Map<string, PlayerData>() };
    applyHello(state, { type: 'hello', player: 'a', name: 'A', colour: RED }, 'pa', plainFactory);
    // #38d9a9 was in the old palette, next to two other greens.
    expect(applyHello(state, { type: 'hello', player: 'b', name: 'B', colour: '#38d9a9' }, 'pb', plainFactory).colour).toBe(BLUE);
  });

  it('never gives two players of a room the same colour, even past the palette', () => {
    const state: PlayersData = { players: new Map<string, PlayerData>() };
    // Everybody asks for red: the worst case.
    for (let i = 0; i < 40; i++) applyHello(state, { type: 'hello', player: `p${i}`, name: `P${i}`, colour: RED }, `peer${i}`, plainFactory);
    const colours = [...state.players.values()].map((p) => p.colour);
    expect(new Set(colours).size).toBe(40);
    expect(colours.slice(0, PALETTE.length)).toEqual(PALETTE);
    expect(colours[PALETTE.length]).toBe(extraColour(0));
    for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  });
});
