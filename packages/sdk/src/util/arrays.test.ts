import { describe, expect, it } from 'vitest';
import { sameItems } from './arrays.js';

describe('sameItems', () => {
  it('is true for the same items in the same order, false otherwise', () => {
    expect(sameItems([], [])).toBe(true);
    expect(sameItems(['a', 'b'], ['a', 'b'])).toBe(true);
    expect(sameItems([1, 2, 3], [1, 2, 3])).toBe(true);
    expect(sameItems(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(sameItems(['a'], ['a', 'b'])).toBe(false);
    expect(sameItems([1, 2], [1, 3])).toBe(false);
  });
});
