import { describe, expect, it } from 'vitest';
import { SeededRng } from '../util/rng.js';
import { RttEstimator } from './rtt.js';

describe('RttEstimator', () => {
  it('[M10] gives the cap before any sample and 3 × the first sample after one', () => {
    const r = new RttEstimator();
    expect(r.timeout(80, 1000, 10)).toBe(1000);
    r.sample(40);
    expect(r.smoothed).toBe(40);
    expect(r.timeout(20, 1000, 10)).toBe(120);
  });

  it('[M10] converges to srtt + margin on a steady link, clamped to the floor', () => {
    const r = new RttEstimator();
    for (let i = 0; i < 200; i++) r.sample(40);
    expect(r.timeout(20, 1000, 10)).toBeCloseTo(50, 3);
    expect(r.timeout(80, 1000, 10)).toBe(80);
  });

  it('[M10] covers nearly every sample of a jittery link', () => {
    const seed = 11;
    const rng = new SeededRng(seed);
    const r = new RttEstimator();
    let late = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const rtt = 40 + 100 * rng.next() + 100 * rng.next();
      if (i > 100 && rtt > r.timeout(50, 1000, 10)) late++;
      r.sample(rtt);
    }
    expect(late / n, `seed ${seed}`).toBeLessThan(0.02);
  });

  it('ignores impossible samples', () => {
    const r = new RttEstimator();
    r.sample(Number.NaN);
    r.sample(-1);
    r.sample(Number.POSITIVE_INFINITY);
    expect(r.smoothed).toBeUndefined();
  });
});
