import { describe, expect, it } from 'vitest';
import { SHIP_SPEED } from './constants.js';
import { arrived, formation, positionAt } from './motion.js';

describe('motion', () => {
  const path = { x: 0, y: 0, tx: 100, ty: 0, t0: 10 };

  it('is at the start before t0 and at t0', () => {
    expect(positionAt(path, 5, { x: 0, y: 0 })).toEqual({ x: 0, y: 0 });
    expect(positionAt(path, 10, { x: 0, y: 0 })).toEqual({ x: 0, y: 0 });
  });

  it('moves SHIP_SPEED per tick, fractional ticks included', () => {
    expect(positionAt(path, 12, { x: 0, y: 0 }).x).toBeCloseTo(2 * SHIP_SPEED, 9);
    expect(positionAt(path, 12.5, { x: 0, y: 0 }).x).toBeCloseTo(2.5 * SHIP_SPEED, 9);
  });

  it('stops at the target and reports arrival', () => {
    const ticks = Math.ceil(100 / SHIP_SPEED);
    expect(arrived(path, 10 + ticks - 1)).toBe(false);
    expect(arrived(path, 10 + ticks)).toBe(true);
    expect(positionAt(path, 10 + ticks + 50, { x: 0, y: 0 })).toEqual({ x: 100, y: 0 });
  });

  it('handles a zero-length path', () => {
    const still = { x: 5, y: 7, tx: 5, ty: 7, t0: 0 };
    expect(positionAt(still, 3, { x: 0, y: 0 })).toEqual({ x: 5, y: 7 });
    expect(arrived(still, 0)).toBe(true);
  });

  it('lays out distinct formation slots centred on the origin', () => {
    const slots = formation(9, 10);
    expect(slots).toHaveLength(9);
    expect(new Set(slots.map((s) => `${s.dx},${s.dy}`)).size).toBe(9);
    expect(slots.reduce((a, s) => a + s.dx, 0)).toBe(0);
    expect(slots.reduce((a, s) => a + s.dy, 0)).toBe(0);
    expect(formation(0, 10)).toEqual([]);
  });
});
