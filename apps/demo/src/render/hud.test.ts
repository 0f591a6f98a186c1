import { describe, expect, it } from 'vitest';
import { rates, sample } from './hud.js';

describe('HUD rates', () => {
  it('turns cumulative metrics into per-second rates', () => {
    const m = (bi: number, bo: number, d: number) => ({
      peers: { p1: { bytesIn: bi, bytesOut: bo, rttMs: 5, srttMs: 5 }, p2: { bytesIn: bi, bytesOut: 0, rttMs: undefined, srttMs: undefined } },
      shards: { a: { role: 'czar', deltasSent: d, deltasApplied: 0 }, b: { role: 'replica', deltasSent: 0, deltasApplied: d } },
    });
    const r = rates(sample(m(1000, 500, 10), 0), sample(m(3000, 1500, 30), 2000));
    expect(r).toEqual({ bytesIn: 2000, bytesOut: 500, deltas: 20 });
  });
});
