import { describe, expect, it } from 'vitest';
import { CAPTURE_STEP, COMBAT_RANGE, DAMAGE_PER_ENEMY, MAX_ATTACKERS } from './constants.js';
import type { PlanetData } from './model.js';
import { captureStep, combatDamage, hasOpponents, majority, type Fleet } from './rules.js';

const fleet = (ships: Array<[string, number, number]>): Fleet => ({
  owners: ships.map((s) => s[0]),
  xs: ships.map((s) => s[1]),
  ys: ships.map((s) => s[2]),
  length: ships.length,
});
const none = fleet([]);

describe('combat', () => {
  it('damages ships within range of an enemy, not friends or far enemies', () => {
    const ours = fleet([['a', 0, 0], ['a', 10, 0], ['b', COMBAT_RANGE, 0], ['b', 1000, 0]]);
    const d = combatDamage(ours, none);
    // Each a has one b in range (the border distance counts); the near b has both a.
    expect([...d]).toEqual([DAMAGE_PER_ENEMY, DAMAGE_PER_ENEMY, DAMAGE_PER_ENEMY * 2, 0]);
  });

  it('counts enemies of other sectors and caps attackers', () => {
    const ours = fleet([['a', 0, 0]]);
    const others = fleet(Array.from({ length: MAX_ATTACKERS + 3 }, (_, i): [string, number, number] => ['b', i, 0]));
    expect([...combatDamage(ours, others)]).toEqual([MAX_ATTACKERS * DAMAGE_PER_ENEMY]);
  });

  it('does not depend on ship order', () => {
    const ships: Array<[string, number, number]> = [['a', 0, 0], ['b', 30, 0], ['c', 60, 0], ['a', 90, 10]];
    const d1 = [...combatDamage(fleet(ships), none)];
    const d2 = [...combatDamage(fleet([...ships].reverse()), none)].reverse();
    expect(d2).toEqual(d1);
  });

  it('knows when nobody can fight', () => {
    expect(hasOpponents(fleet([['a', 0, 0], ['a', 1, 1]]), none)).toBe(false);
    expect(hasOpponents(fleet([['a', 0, 0]]), fleet([['b', 1, 1]]))).toBe(true);
    expect(hasOpponents(none, none)).toBe(false);
  });
});

describe('capture', () => {
  const planet = (p: Partial<PlanetData> = {}): PlanetData => ({ x: 0, y: 0, r: 20, owner: '', capturer: '', progress: 0, lastMade: 0, made: 0, ...p });

  it('needs a strict majority', () => {
    expect(majority(new Map([['a', 2], ['b', 2]]))).toBeUndefined();
    expect(majority(new Map([['a', 3], ['b', 2]]))).toBe('a');
    expect(majority(new Map())).toBeUndefined();
  });

  it('captures a neutral planet after 100 / CAPTURE_STEP ticks of majority', () => {
    const p = planet();
    const steps = Math.ceil(100 / CAPTURE_STEP);
    for (let i = 1; i < steps; i++) expect(captureStep(p, 'a', i)).toBe('progress');
    expect(captureStep(p, 'a', steps)).toBe('captured');
    expect(p).toMatchObject({ owner: 'a', capturer: '', progress: 100, lastMade: steps });
  });

  it('restarts when another player takes over the capture', () => {
    const p = planet({ capturer: 'a', progress: 60 });
    captureStep(p, 'b', 1);
    expect(p).toMatchObject({ capturer: 'b', progress: CAPTURE_STEP, owner: '' });
  });

  it('neutralises an owned planet before another player can take it', () => {
    const p = planet({ owner: 'a', progress: CAPTURE_STEP * 2 });
    expect(captureStep(p, 'b', 1)).toBe('progress');
    expect(captureStep(p, 'b', 2)).toBe('neutralised');
    expect(p).toMatchObject({ owner: '', capturer: 'b', progress: 0 });
  });

  it('lets the owner restore its hold, and nothing happens without a majority', () => {
    const p = planet({ owner: 'a', progress: 50 });
    expect(captureStep(p, 'a', 1)).toBe('progress');
    expect(p.progress).toBe(50 + CAPTURE_STEP);
    expect(captureStep(p, undefined, 2)).toBe('none');
    expect(captureStep(planet({ owner: 'a', progress: 100 }), 'a', 3)).toBe('none');
  });
});
