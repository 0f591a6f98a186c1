import { describe, expect, it } from 'vitest';
import { WireError } from '../errors.js';
import { SeededRng } from '../util/rng.js';
import { randomBytes } from './arbitrary.js';
import { compressionPays, deflate, inflateExact, worthCompressing } from './compress.js';

const reason = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    if (err instanceof WireError) return err.details['reason'];
    throw err;
  }
  return 'accepted';
};

describe('compress', () => {
  it('[W19] inflates exactly the declared size and nothing else', () => {
    const raw = new TextEncoder().encode('abcabcabc'.repeat(100));
    const packed = deflate(raw);
    expect(inflateExact(packed, raw.length)).toEqual(raw);
    expect(reason(() => inflateExact(packed, raw.length - 1))).toBe('inflate-failed');
    expect(reason(() => inflateExact(packed, raw.length + 1))).toBe('inflate-failed');
    expect(reason(() => inflateExact(Uint8Array.from([0xff, 0xff, 0xff]), 10))).toBe('inflate-failed');
    expect(reason(() => inflateExact(new Uint8Array(0), 10))).toBe('inflate-failed');
  });

  it('[W23] a decompression bomb cannot allocate past the declared size', () => {
    const bomb = deflate(new Uint8Array(8 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(16 * 1024);
    expect(reason(() => inflateExact(bomb, 1024))).toBe('inflate-failed');
  });

  it('[W19] counts compression as paying only when it saves at least 1/16', () => {
    expect(compressionPays(1600, 1500)).toBe(true);
    expect(compressionPays(1600, 1501)).toBe(false);
    expect(compressionPays(10, 9)).toBe(true);
    expect(compressionPays(10, 10)).toBe(false);
  });

  it('[W19] skips a full pass over large incompressible bodies but not over compressible ones', () => {
    expect(worthCompressing(randomBytes(new SeededRng(1), 100_000))).toBe(false);
    expect(worthCompressing(new Uint8Array(100_000).fill(3))).toBe(true);
    // Small bodies are always tried: the sample would be the whole body anyway.
    expect(worthCompressing(randomBytes(new SeededRng(1), 5000))).toBe(true);
  });
});
