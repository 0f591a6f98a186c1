import { describe, expect, it } from 'vitest';
import { suspicionTimeoutMs } from './suspicion.js';

describe('suspicionTimeoutMs', () => {
  it('[M13] starts at max, falls logarithmically with confirmations and reaches min at k', () => {
    const t = [0, 1, 2, 3, 4].map((c) => suspicionTimeoutMs(c, 3, 300, 3000));
    expect(t[0]).toBe(3000);
    expect(t[1]).toBe(1650); // 3000 - 2700 · log 2 / log 4
    expect(t[2]).toBeLessThan(t[1]!);
    expect(t[3]).toBe(300);
    expect(t[4]).toBe(300);
  });

  it('[M13] stays at max in a room too small for confirmations (k < 1)', () => {
    expect(suspicionTimeoutMs(0, 0, 300, 3000)).toBe(3000);
    expect(suspicionTimeoutMs(5, 0, 300, 3000)).toBe(3000);
  });

  it('[M13] with k = 1, one confirmation is enough for min', () => {
    expect(suspicionTimeoutMs(0, 1, 100, 900)).toBe(900);
    expect(suspicionTimeoutMs(1, 1, 100, 900)).toBe(100);
  });
});
