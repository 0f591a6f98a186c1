import { describe, expect, it } from 'vitest';
import { HEARTBEAT_TICKS, PRODUCTION_TICKS, SHIP_HP, SHIP_SPEED } from './constants.js';
import { SECTOR_BY_KEY, SECTORS, planetsFor } from './galaxy.js';
import { plainFactory, plainSector, type SectorData, type UnitData } from './model.js';
import { initSector, isIdle, stepSector, type StepContext } from './sim.js';

const home = SECTORS[14]!; // an inner sector: neighbours on every side
const ctx = (tick: number, extra: Partial<StepContext> = {}): StepContext => ({ key: home.key, bounds: home.bounds, tick, make: plainFactory, ...extra });
const ship = (owner: string, x: number, y: number, more: Partial<UnitData> = {}): UnitData => ({ owner, x, y, tx: x, ty: y, t0: 0, hp: SHIP_HP, hops: 0, leaving: '', ...more });
const fresh = (): SectorData => {
  const s = plainSector();
  s.ready = true; // no planets unless a test adds them
  return s;
};
const cx = home.bounds.minX + 500;
const cy = home.bounds.minY + 500;

describe('stepSector', () => {
  it('fills in the generated planets once', () => {
    const s = plainSector();
    expect(initSector(s, home.key, plainFactory)).toBe(true);
    expect([...s.planets].map((p) => ({ x: p.x, y: p.y, r: p.r }))).toEqual(planetsFor(home.key));
    expect(initSector(s, home.key, plainFactory)).toBe(false);
  });

  it('writes nothing in a quiet sector', () => {
    const s = fresh();
    s.units.set('a.0', ship('a', cx, cy));
    s.tick = 1;
    const r = stepSector(s, ctx(2));
    expect(r.changed).toBe(false);
    expect(s.tick).toBe(1);
    expect(isIdle(fresh())).toBe(true);
    expect(isIdle(s)).toBe(false);
  });

  it('re-anchors the tick at least every heartbeat while ships move', () => {
    const s = fresh();
    s.units.set('a.0', ship('a', cx, cy, { tx: cx + 400 }));
    const written: number[] = [];
    for (let t = 1; t <= 3 * HEARTBEAT_TICKS; t++) if (stepSector(s, ctx(t)).changed) written.push(t);
    expect(written).toEqual([HEARTBEAT_TICKS, 2 * HEARTBEAT_TICKS, 3 * HEARTBEAT_TICKS]);
  });

  it('marks a ship crossing the edge as leaving and reports its hand-off', () => {
    const s = fresh();
    const east = SECTOR_BY_KEY.get(SECTORS[15]!.key)!;
    s.units.set('a.0', ship('a', home.bounds.maxX - 3, cy, { tx: home.bounds.maxX + 300, t0: 0 }));
    const r = stepSector(s, ctx(1));
    expect(r.departures).toHaveLength(1);
    const d = r.departures[0]!;
    expect(d).toMatchObject({ id: 'a.0', owner: 'a', hops: 1, from: home.key, y: cy, tx: home.bounds.maxX + 300 });
    expect(d.x).toBe(home.bounds.maxX - 3 + SHIP_SPEED);
    expect(s.units.get('a.0')).toMatchObject({ leaving: east.key, x: d.x, t0: 1 });
    // A leaving ship is no longer simulated here: no second hand-off.
    expect(stepSector(s, ctx(2)).departures).toHaveLength(0);
  });

  it('destroys ships in a fight, symmetric in who is first', () => {
    const s = fresh();
    s.units.set('a.0', ship('a', cx, cy, { hp: 2 }));
    s.units.set('b.0', ship('b', cx + 10, cy, { hp: 50 }));
    const r = stepSector(s, ctx(1));
    expect(r.destroyed).toBe(1);
    expect(s.units.has('a.0')).toBe(false);
    expect(s.units.get('b.0')!.hp).toBeLessThan(50);
  });

  it('lets enemies from a neighbouring sector hurt our ships', () => {
    const s = fresh();
    s.units.set('a.0', ship('a', home.bounds.maxX - 5, cy));
    stepSector(s, ctx(1, { foreign: [{ owner: 'b', x: home.bounds.maxX + 20, y: cy }] }));
    expect(s.units.get('a.0')!.hp).toBeLessThan(SHIP_HP);
  });

  it('captures a planet with the most ships and then builds ships there', () => {
    const s = fresh();
    s.planets.push({ x: cx, y: cy, r: 20, owner: '', capturer: '', progress: 0, lastMade: 0, made: 0 });
    s.units.set('a.0', ship('a', cx + 40, cy));
    s.units.set('a.1', ship('a', cx - 40, cy));
    s.units.set('b.0', ship('b', cx, cy + 120)); // in capture range, out of combat range
    let capturedAt = -1;
    for (let t = 1; t < 100 && capturedAt < 0; t++) if (stepSector(s, ctx(t)).captures.length > 0) capturedAt = t;
    const planet = [...s.planets][0]!;
    expect(planet.owner).toBe('a');
    let built = 0;
    for (let t = capturedAt + 1; t <= capturedAt + PRODUCTION_TICKS; t++) built += stepSector(s, ctx(t)).built;
    expect(built).toBe(1);
    expect([...s.units.values()].filter((u) => u.owner === 'a')).toHaveLength(3);
  });

  it('is deterministic: the same state and ticks give the same result', () => {
    const run = (): string => {
      const s = fresh();
      s.planets.push({ x: cx, y: cy, r: 20, owner: '', capturer: '', progress: 0, lastMade: 0, made: 0 });
      for (let i = 0; i < 10; i++) s.units.set(`a.${i}`, ship('a', cx - 300 + i * 7, cy, { tx: cx + 600, ty: cy + i * 30 }));
      for (let i = 0; i < 8; i++) s.units.set(`b.${i}`, ship('b', cx + 200, cy - 100 + i * 9, { tx: cx - 600 }));
      const log: string[] = [];
      for (let t = 1; t < 200; t++) {
        const r = stepSector(s, ctx(t));
        log.push(`${r.destroyed}/${r.departures.map((d) => d.id).join(',')}`);
      }
      return JSON.stringify({ log, units: [...s.units.entries()].sort(), planets: [...s.planets] });
    };
    expect(run()).toBe(run());
  });
});
