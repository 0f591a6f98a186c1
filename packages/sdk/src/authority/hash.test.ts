import { describe, expect, it } from 'vitest';
import { SeededRng } from '../util/rng.js';
import { detLn, fmix32, hashString32, lanesOf, pairHash52, unitInterval } from './hash.js';

describe('hash', () => {
  it('hashString32 is a fixed function (golden values guard cross-engine determinism)', () => {
    // Pinned: changing these moves every czar in every running room.
    expect([hashString32('', 0), hashString32('a', 0), hashString32('peer-1', 0x9747b28c)]).toEqual([0, 721651713, 733728960]);
    expect(pairHash52(lanesOf('shard-1'), lanesOf('peer-1'))).toBe(2480130459986146);
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
  });

  it('pairHash52 is an integer in [0, 2^52) and unitInterval maps it into (0, 1)', () => {
    const rng = new SeededRng(7);
    for (let i = 0; i < 2000; i++) {
      const h = pairHash52(lanesOf(`s${rng.nextUint32()}`), lanesOf(`p${rng.nextUint32()}`));
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThan(2 ** 52);
    }
    expect(unitInterval(0)).toBeGreaterThan(0);
    expect(unitInterval(2 ** 52 - 1)).toBeLessThan(1);
  });

  it('pairHash52 bits are balanced (each of the top and bottom bits set about half the time)', () => {
    const n = 20_000;
    let top = 0;
    let bottom = 0;
    const peer = lanesOf('peer');
    for (let i = 0; i < n; i++) {
      const h = pairHash52(lanesOf(`shard-${i}`), peer);
      if (h >= 2 ** 51) top++;
      if (h % 2 === 1) bottom++;
    }
    expect(Math.abs(top / n - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(bottom / n - 0.5)).toBeLessThan(0.02);
  });

  it('detLn matches Math.log to within 2 ulp-ish relative error over (0, 1) and beyond', () => {
    const rng = new SeededRng(11);
    const samples = [2 ** -52, 1e-10, 0.5, 0.7071, 0.999999, 1, 1.5, 2, 1000];
    for (let i = 0; i < 5000; i++) samples.push(unitInterval(Math.floor(rng.next() * 2 ** 52)));
    for (const x of samples) {
      const want = Math.log(x);
      const got = detLn(x);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.abs(want) * 1e-15 + 1e-16);
    }
    expect(detLn(1)).toBe(0);
  });
});
