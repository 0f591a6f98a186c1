import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { SimNetwork } from '../transport/sim/network.js';
import { VirtualClock } from '../util/clock.js';
import { SeededRng } from '../util/rng.js';
import { SWIM_DEFAULTS, resolveSwimOptions } from './options.js';
import { SwimMembership } from './swim.js';

const base = () => {
  const net = new SimNetwork({ seed: 1 });
  return { transport: net.join('a'), clock: new VirtualClock(), rng: new SeededRng(1) };
};

describe('SwimOptions', () => {
  it('fills in the documented defaults', () => {
    expect(resolveSwimOptions(base())).toEqual(SWIM_DEFAULTS);
    expect(resolveSwimOptions({ ...base(), probeIntervalMs: 50 }).probeIntervalMs).toBe(50);
  });

  it('refuses values outside their range with an ArgumentError naming the option', () => {
    const bad: Array<Record<string, number>> = [
      { probeIntervalMs: 0 },
      { probeIntervalMs: Number.NaN },
      { probeFanout: 1.5 },
      { indirectProbes: -1 },
      { maxPiggyback: 33 },
      { probeTimeoutMs: 500, maxProbeTimeoutMs: 100 },
      { suspicionMinMs: 5_000, suspicionMaxMs: 1_000 },
    ];
    for (const b of bad) {
      expect(() => resolveSwimOptions({ ...base(), ...b }), JSON.stringify(b)).toThrow(ArgumentError);
    }
    expect(() => new SwimMembership({ ...base(), probeFanout: 0 })).toThrow(/probeFanout/);
  });
});
