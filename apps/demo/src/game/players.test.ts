import { describe, expect, it } from 'vitest';
import { homeFor } from './galaxy.js';
import { plainFactory, type PlayerData, type PlayersData } from './model.js';
import { PALETTE, applyHello, speaksFor } from './players.js';

describe('players', () => {
  it('gives starts by arrival order and keeps them when a player comes back', () => {
    const state: PlayersData = { players: new Map<string, PlayerData>() };
    const a = applyHello(state, { type: 'hello', player: 'a', name: 'A', colour: '#ff0000' }, 'peer-a', plainFactory);
    const b = applyHello(state, { type: 'hello', player: 'b', name: 'B', colour: '#00ff00' }, 'peer-b', plainFactory);
    expect(a).toEqual({ home: homeFor(0).key, x: homeFor(0).x, y: homeFor(0).y, index: 0, colour: '#ff0000' });
    expect(b.index).toBe(1);
    const again = applyHello(state, { type: 'hello', player: 'a', name: 'A2', colour: '#0000ff' }, 'peer-a2', plainFactory);
    expect(again).toEqual({ ...a, colour: '#0000ff' });
    expect(state.players.get('a')).toMatchObject({ name: 'A2', colour: '#0000ff', peer: 'peer-a2' });
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
});
