import { Decoder, Encoder } from '@colyseus/schema';
import { describe, expect, it } from 'vitest';
import { applySpawn } from '../game/actions.js';
import { SECTORS } from '../game/galaxy.js';
import type { SectorData } from '../game/model.js';
import { stepSector } from '../game/sim.js';
import { Sector, schemaFactory } from './schema.js';

describe('schema state', () => {
  it('runs the rules and round-trips through the encoder exactly', () => {
    const home = SECTORS[14]!;
    const state = new Sector();
    const data: SectorData = state;
    applySpawn(data, 'p1', home.bounds.minX + 500, home.bounds.minY + 500, 10, 0, home.bounds, schemaFactory);
    data.units.forEach((u) => {
      u.tx = home.bounds.maxX + 200;
    });
    for (let t = 1; t < 120; t++) stepSector(data, { key: home.key, bounds: home.bounds, tick: t, make: schemaFactory });
    const copy = new Sector();
    new Decoder(copy).decode(new Encoder(state).encodeAll());
    expect(copy.toJSON()).toEqual(state.toJSON());
    expect(copy.units.size).toBe(10);
    expect([...copy.units.values()].every((u) => u.leaving !== '')).toBe(true);
    expect(copy.planets.length).toBeGreaterThan(0);
  });
});
