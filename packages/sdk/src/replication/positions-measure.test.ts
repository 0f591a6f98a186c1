import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { measureBytesPerMovingUnit, resolveWorkload, simulateMovement } from './positions-measure.js';

describe('measureBytesPerMovingUnit', () => {
  // Sizes are deterministic for a seed, so asserting them is safe (unlike timings).
  const result = measureBytesPerMovingUnit();

  it('meets the target on the default workload: ours ≤ 4 bytes per moving unit per tick', () => {
    expect(result.ours).toBeLessThanOrEqual(4);
    expect(result.movingUnitTicks).toBeGreaterThan(500 * 200 * 0.6);
  });

  it('beats every baseline on the same workload', () => {
    expect(result.ours).toBeLessThan(result.schemaInt16);
    expect(result.schemaInt16).toBeLessThan(result.schema);
    expect(result.schema).toBeLessThan(result.json);
    expect(result.schemaInt16Unit).toBe('dm');
    expect(result.keyframeShare).toBeGreaterThan(0);
    expect(result.keyframeShare).toBeLessThan(0.5);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const small = { units: 100, ticks: 40 };
    expect(measureBytesPerMovingUnit({ ...small, seed: 4 })).toEqual(measureBytesPerMovingUnit({ ...small, seed: 4 }));
    expect(measureBytesPerMovingUnit({ ...small, seed: 4 }).ours).not.toBe(measureBytesPerMovingUnit({ ...small, seed: 5 }).ours);
  });

  it('uses int16 centimetres when the world fits, and stays under target at higher speed', () => {
    const r = measureBytesPerMovingUnit({ units: 200, ticks: 60, worldSize: 300, speed: 4 });
    expect(r.schemaInt16Unit).toBe('cm');
    expect(r.ours).toBeLessThanOrEqual(4);
    expect(r.schemaInt16).toBeGreaterThan(r.ours * 2);
  });

  it('keeps units inside the world', () => {
    const w = resolveWorkload({ units: 50, ticks: 400, speed: 20, worldSize: 50 });
    for (const frame of simulateMovement(w)) {
      for (const p of frame) {
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x).toBeLessThanOrEqual(50);
        expect(p.y).toBeGreaterThanOrEqual(0);
        expect(p.y).toBeLessThanOrEqual(50);
      }
    }
  });

  it('rejects impossible workloads with ArgumentError', () => {
    expect(() => measureBytesPerMovingUnit({ units: 0 })).toThrow(ArgumentError);
    expect(() => measureBytesPerMovingUnit({ worldSize: 5000 })).toThrow(ArgumentError);
    expect(() => measureBytesPerMovingUnit({ speed: -1 })).toThrow(ArgumentError);
  });
});
