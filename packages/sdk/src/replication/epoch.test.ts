import { describe, expect, it } from 'vitest';
import { term } from '../authority/ids.js';
import { asPeerId } from '../transport/types.js';
import { compareEpochs, formatEpoch, sameEpoch, writerTag } from './epoch.js';

const e = (n: number, czar: string) => ({ term: term(n), czar: asPeerId(czar) });

describe('epochs', () => {
  it('[R7] order terms by number, then by czar id, identically everywhere', () => {
    expect(compareEpochs(e(1, 'z'), e(2, 'a'))).toBeLessThan(0);
    expect(compareEpochs(e(2, 'a'), e(2, 'b'))).toBeLessThan(0);
    expect(compareEpochs(e(2, 'b'), e(2, 'a'))).toBeGreaterThan(0);
    expect(compareEpochs(e(3, 'q'), e(3, 'q'))).toBe(0);
    const sorted = [e(2, 'b'), e(1, 'c'), e(2, 'a'), e(1, 'a')].sort(compareEpochs).map(formatEpoch);
    expect(sorted).toEqual(['1@a', '1@c', '2@a', '2@b']);
    expect(sameEpoch(e(1, 'a'), e(1, 'a'))).toBe(true);
    expect(sameEpoch(e(1, 'a'), undefined)).toBe(false);
    expect(formatEpoch(undefined)).toBe('none');
  });

  it('[R8] writer tags are stable 32-bit values that tell peers apart', () => {
    expect(writerTag(asPeerId('alice'))).toBe(writerTag(asPeerId('alice')));
    const tags = new Set(Array.from({ length: 2000 }, (_, i) => writerTag(asPeerId(`peer${i}`))));
    expect(tags.size).toBe(2000);
    for (const t of tags) expect(Number.isInteger(t) && t >= 0 && t <= 0xffff_ffff).toBe(true);
  });
});
