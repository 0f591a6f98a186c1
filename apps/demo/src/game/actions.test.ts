import { describe, expect, it } from 'vitest';
import { SHIP_HP } from './constants.js';
import { SECTORS } from './galaxy.js';
import { applyMove, applySpawn, parseHello, parseSectorAction, planMove } from './actions.js';
import { plainFactory, plainSector, type UnitData } from './model.js';

const home = SECTORS[14]!;
const cx = home.bounds.minX + 500;
const cy = home.bounds.minY + 500;
const ship = (owner: string, x: number, y: number, more: Partial<UnitData> = {}): UnitData => ({ owner, x, y, tx: x, ty: y, t0: 0, hp: SHIP_HP, hops: 0, leaving: '', ...more });

describe('actions', () => {
  it('parses valid actions and rejects malformed ones with a message', () => {
    expect(parseSectorAction({ type: 'move', player: 'p1', orders: [['p1.0', 1, 2]] })).toEqual({ type: 'move', player: 'p1', orders: [['p1.0', 1, 2]] });
    expect(parseSectorAction({ type: 'spawn', player: 'p1', x: 0, y: 0, count: 20 })).toMatchObject({ type: 'spawn', count: 20 });
    expect(() => parseSectorAction({ type: 'move', player: 'p1', orders: [] })).toThrow(/non-empty/);
    expect(() => parseSectorAction({ type: 'move', player: 'p 1', orders: [['a', 1, 2]] })).toThrow(/player/);
    expect(() => parseSectorAction({ type: 'move', player: 'p1', orders: [['a', Infinity, 2]] })).toThrow(/\[unitId, x, y\]/);
    expect(() => parseSectorAction({ type: 'spawn', player: 'p1', x: 0, y: 0, count: 100_000 })).toThrow(/count/);
    expect(() => parseSectorAction({ type: 'enter', unit: { id: 'x' } })).toThrow(/malformed/);
    expect(() => parseSectorAction('move')).toThrow(/object/);
    expect(() => parseSectorAction({ type: 'nuke' })).toThrow(/unknown/);
    expect(parseHello({ type: 'hello', player: 'p1', name: ' Ada ', colour: '#12ab3f' })).toEqual({ type: 'hello', player: 'p1', name: 'Ada', colour: '#12ab3f' });
    expect(() => parseHello({ type: 'hello', player: 'p1', name: 'Ada', colour: 'red' })).toThrow(/colour/);
    expect(() => parseHello({ type: 'hello', player: 'p1', name: '', colour: '#000000' })).toThrow(/name/);
  });

  it('moves only the sender ships that are here and not leaving, from where they are now', () => {
    const s = plainSector();
    s.units.set('p.0', ship('p', cx, cy, { tx: cx + 100, t0: 0 }));
    s.units.set('p.1', ship('p', cx, cy, { leaving: SECTORS[15]!.key }));
    s.units.set('q.0', ship('q', cx, cy));
    const applied = applyMove(s, 'p', [['p.0', cx, cy + 300], ['p.1', 0, 0], ['q.0', 0, 0], ['p.9', 0, 0]], 5);
    expect(applied).toEqual(['p.0']);
    expect(s.units.get('p.0')).toMatchObject({ x: cx + 30, y: cy, tx: cx, ty: cy + 300, t0: 5 });
    expect(s.units.get('q.0')!.tx).toBe(cx);
  });

  it('spawns a fleet once per player, inside the sector', () => {
    const s = plainSector();
    expect(applySpawn(s, 'p', home.bounds.minX, cy, 25, 3, home.bounds, plainFactory)).toBe(25);
    expect(applySpawn(s, 'p', cx, cy, 25, 4, home.bounds, plainFactory)).toBe(0);
    expect(s.units.size).toBe(25);
    s.units.forEach((u, id) => {
      expect(id).toMatch(/^p\.\d+$/);
      expect(u.x).toBeGreaterThanOrEqual(home.bounds.minX);
      expect(u.t0).toBe(3);
    });
  });

  it('plans a formation with one distinct target per ship', () => {
    const ships = Array.from({ length: 12 }, (_, i) => ({ id: `p.${i}`, x: i * 10, y: 0 }));
    const orders = planMove(ships, 500, 500);
    expect(orders.map((o) => o[0]).sort()).toEqual(ships.map((s) => s.id).sort());
    expect(new Set(orders.map((o) => `${o[1]},${o[2]}`)).size).toBe(12);
    for (const o of orders) expect(Math.hypot(o[1] - 500, o[2] - 500)).toBeLessThan(100);
  });
});
