import { describe, expect, it } from 'vitest';
import { SeededRng, randomInt } from '../util/rng.js';
import { crc32c, crc32cUpdate } from './crc32c.js';

/** The textbook bit-at-a-time definition, to check the sliced tables against. */
function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32c', () => {
  it('[W3] matches the RFC 3720 (B.4) test vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('[W3] agrees with the bit-at-a-time definition on random data of every alignment', () => {
    const seed = 0xc3c;
    const rng = new SeededRng(seed);
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: randomInt(rng, 100) }, () => randomInt(rng, 256));
      const start = randomInt(rng, bytes.length + 1);
      const slice = bytes.subarray(start);
      expect(crc32c(bytes, start), `seed ${seed} case ${n}`).toBe(reference(slice));
    }
  });

  it('[W3] continues across split points', () => {
    const rng = new SeededRng(7);
    const bytes = Uint8Array.from({ length: 257 }, () => randomInt(rng, 256));
    const whole = crc32c(bytes);
    for (const cut of [0, 1, 7, 8, 9, 100, 256, 257]) {
      expect(crc32cUpdate(crc32cUpdate(0, bytes, 0, cut), bytes, cut)).toBe(whole);
    }
  });
});
