import { describe, expect, it } from 'vitest';
import { qrModules, qrSvg } from './qr.js';

describe('qr', () => {
  it('encodes a room link as a square code with finder patterns', () => {
    const m = qrModules('http://127.0.0.1:5173/?room=AbCdEfGhIj');
    const n = m.length;
    expect(n).toBeGreaterThanOrEqual(25); // version 2 or above for ~40 bytes at level M
    expect((n - 17) % 4).toBe(0);
    // The top-left finder: a dark 7×7 ring around a light ring around a dark 3×3 core.
    expect(m[0]!.slice(0, 7).every(Boolean)).toBe(true);
    expect(m[1]![1]).toBe(false);
    expect(m[3]![3]).toBe(true);
    expect(qrSvg('hello')).toMatch(/^<svg[^>]*>.*<\/svg>$/s);
  });
});
