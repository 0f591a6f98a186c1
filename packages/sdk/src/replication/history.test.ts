import { describe, expect, it } from 'vitest';
import { DeltaHistory } from './history.js';
import { SeenSet } from './seen-set.js';

const b = (n: number): Uint8Array => new Uint8Array([n & 0xff]);

describe('delta history', () => {
  it('[R14] keeps the last `capacity` deltas of a term and knows which ranges it can serve', () => {
    const h = new DeltaHistory(4);
    expect(h.covers(1, 1)).toBe(false);
    for (let s = 1; s <= 6; s++) h.push(s, b(s));
    expect(h.covers(3, 6)).toBe(true);
    expect(h.covers(2, 6)).toBe(false);
    expect(h.covers(5, 7)).toBe(false);
    expect(h.get(2)).toBeUndefined();
    expect([...h.get(5)!]).toEqual([5]);
    h.push(9, b(9)); // not contiguous: the ring restarts
    expect(h.covers(6, 6)).toBe(false);
    expect([...h.get(9)!]).toEqual([9]);
    h.reset();
    expect(h.get(9)).toBeUndefined();
  });
});

describe('seen set', () => {
  it('[R16] reports first sightings and forgets the oldest keys past its capacity', () => {
    const s = new SeenSet(3);
    expect(s.add('a')).toBe(true);
    expect(s.add('a')).toBe(false);
    s.add('b');
    s.add('c');
    s.add('d');
    expect(s.size).toBe(3);
    expect(s.has('a')).toBe(false);
    expect(s.has('d')).toBe(true);
  });
});
