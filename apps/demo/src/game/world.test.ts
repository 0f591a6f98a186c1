import { spatial } from '@anarchy/sdk';
import { describe, expect, it } from 'vitest';
import { SHIP_HP, SHIP_SPEED } from './constants.js';
import { SECTORS } from './galaxy.js';
import { plainSector, type SectorData, type UnitData } from './model.js';
import { WorldTable } from './world.js';

const ship = (owner: string, x: number, y: number, more: Partial<UnitData> = {}): UnitData => ({ owner, x, y, tx: x, ty: y, t0: 0, hp: SHIP_HP, hops: 0, leaving: '', ...more });

describe('WorldTable', () => {
  it('lists each ship once, keeping the copy with the most hops', () => {
    const states = new Map<number, SectorData>([[0, plainSector()], [1, plainSector()]]);
    states.get(0)!.units.set('a.0', ship('a', 10, 10, { leaving: SECTORS[1]!.key }));
    states.get(1)!.units.set('a.0', ship('a', 20, 10, { hops: 1 }));
    states.get(1)!.units.set('b.0', ship('b', 30, 10));
    const w = new WorldTable();
    w.rebuild((i) => states.get(i));
    expect(w.count).toBe(2);
    expect(w.sector[w.indexOf('a.0')]).toBe(1);
    expect(w.indexOf('zz')).toBe(-1);
    expect(w.summary(1)).toEqual(spatial.summarize([{ owner: 'a' }, { owner: 'b' }]));
    expect(w.summary(0).count).toBe(0);
    expect(w.ownerKeys).toEqual(['a', 'b']);
    expect(w.ownerIdx[w.indexOf('b.0')]).toBe(1);
  });

  it('grows past its initial capacity and positions rows by their sector tick', () => {
    const s = plainSector();
    for (let i = 0; i < 1000; i++) s.units.set(`a.${i}`, ship('a', i, 0, { tx: i + 1000, t0: 5 }));
    const w = new WorldTable();
    w.rebuild((i) => (i === 3 ? s : undefined));
    expect(w.count).toBe(1000);
    const ticks = new Float64Array(SECTORS.length);
    ticks[3] = 7;
    w.update(ticks);
    expect(w.x[w.indexOf('a.999')]).toBeCloseTo(999 + 2 * SHIP_SPEED, 3);
    expect(w.moving[0]).toBe(1);
  });
});
