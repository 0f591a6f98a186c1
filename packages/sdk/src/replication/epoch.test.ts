import { describe, expect, it } from 'vitest';
import { term } from '../authority/ids.js';
import { asPeerId } from '../transport/types.js';
import { compareClaims, compareEpochs, epochKey, formatEpoch, sameEpoch, writerTag } from './epoch.js';

const e = (n: number, czar: string, tag = writerTag(asPeerId(czar))) => ({ term: term(n), czar: asPeerId(czar), tag });

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

  it('[R7] two instances of one id claiming the same number open two distinct terms (seed 42228)', () => {
    // p3 opened (2, p3), crashed and came back under its id knowing nothing of it: its new
    // instance claims number 2 again. The instance tags keep the two terms apart everywhere.
    const p3 = asPeerId('p3');
    const before = e(2, 'p3', writerTag(p3, 0x1234_5678));
    const after = e(2, 'p3', writerTag(p3, 0x9abc_def0));
    expect(before.tag).not.toBe(after.tag);
    expect(sameEpoch(before, after)).toBe(false);
    expect(compareEpochs(before, after)).toBe(-compareEpochs(after, before));
    expect(compareEpochs(before, after)).not.toBe(0);
    expect(epochKey(before)).not.toBe(epochKey(after));
    // Still ordered by number first: a higher number from the old life outranks the new one's.
    expect(compareEpochs(e(3, 'p3', before.tag), after)).toBeGreaterThan(0);
  });

  it('[R7] a term known confirmed outranks a same-number rival, whatever the czar ids; numbers still come first (seed 30201)', () => {
    const majority = e(2, 'p1');
    const minority = e(2, 'p3');
    expect(compareEpochs(minority, majority)).toBeGreaterThan(0);
    expect(compareClaims(minority, false, majority, true)).toBeLessThan(0);
    expect(compareClaims(majority, true, minority, false)).toBeGreaterThan(0);
    expect(compareClaims(minority, false, majority, false)).toBeGreaterThan(0);
    expect(compareClaims(majority, true, majority, false)).toBe(0);
    expect(compareClaims(e(3, 'p0'), false, majority, true)).toBeGreaterThan(0);
  });

  it('[R8] writer tags are stable 32-bit values that tell peers and instances apart', () => {
    expect(writerTag(asPeerId('alice'))).toBe(writerTag(asPeerId('alice')));
    expect(writerTag(asPeerId('alice'), 7)).toBe(writerTag(asPeerId('alice'), 7));
    const tags = new Set(Array.from({ length: 2000 }, (_, i) => writerTag(asPeerId(`peer${i}`))));
    expect(tags.size).toBe(2000);
    const lives = new Set(Array.from({ length: 2000 }, (_, i) => writerTag(asPeerId('p3'), i * 0x9e37_79b9)));
    expect(lives.size).toBe(2000);
    for (const t of [...tags, ...lives]) expect(Number.isInteger(t) && t >= 0 && t <= 0xffff_ffff).toBe(true);
  });
});
