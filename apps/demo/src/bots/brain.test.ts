import { SeededRng } from '@anarchy/sdk';
import { describe, expect, it } from 'vitest';
import { SHIP_HP } from '../game/constants.js';
import { plainSector } from '../game/model.js';
import { WorldTable } from '../game/world.js';
import { decide } from './brain.js';

function world(moving: boolean): WorldTable {
  const s = plainSector();
  for (let i = 0; i < 10; i++) s.units.set(`bot.${i}`, { owner: 'bot', x: i * 10, y: 0, tx: moving ? 900 : i * 10, ty: 0, t0: 0, hp: SHIP_HP, hops: 0, leaving: '' });
  s.units.set('other.0', { owner: 'other', x: 0, y: 0, tx: 0, ty: 0, t0: 0, hp: SHIP_HP, hops: 0, leaving: '' });
  const w = new WorldTable();
  w.rebuild((i) => (i === 0 ? s : undefined));
  w.update(new Float64Array(64));
  return w;
}

describe('bot brain', () => {
  const planets = [
    { x: 500, y: 0, owner: '' },
    { x: 100, y: 100, owner: 'bot' },
    { x: -2000, y: 0, owner: 'other' },
  ];

  it('sends its own idle ships, mostly to planets it does not own', () => {
    const seed = 5;
    const rng = new SeededRng(seed);
    let toPlanets = 0;
    for (let k = 0; k < 50; k++) {
      const o = decide(world(false), 'bot', planets, rng);
      expect(o, `seed ${seed}`).toBeDefined();
      expect(o!.ids.length).toBeGreaterThanOrEqual(5);
      expect(o!.ids.every((id) => id.startsWith('bot.'))).toBe(true);
      if (planets.some((p) => p.owner !== 'bot' && p.x === o!.x && p.y === o!.y)) toPlanets++;
    }
    expect(toPlanets, `seed ${seed}`).toBeGreaterThan(35);
  });

  it('waits while every ship is flying', () => {
    expect(decide(world(true), 'bot', planets, new SeededRng(1))).toBeUndefined();
  });
});
