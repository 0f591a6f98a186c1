import { describe, expect, it } from 'vitest';
import { SeededRng, randomBetween, randomInt } from '../util/rng.js';
import { rollUp, summarize, type SectorSummary } from './summary.js';
import { SEEDS } from './test-support.node.js';

const OWNERS = ['alice', 'bob', 'carol', '__proto__', 'constructor'];

describe('summaries', () => {
  it('[S19] counts units per owner', () => {
    const s = summarize([{ owner: 'bob' }, { owner: 'alice' }, { owner: 'bob' }], 7);
    expect(s.count).toBe(3);
    expect({ ...s.owners }).toEqual({ alice: 1, bob: 2 });
    expect(Object.keys(s.owners)).toEqual(['alice', 'bob']);
    expect(s.activity).toBe(7);
    expect(summarize([])).toMatchObject({ count: 0, activity: 0 });
    expect(Object.keys(summarize([]).owners)).toEqual([]);
  });

  it('[S19] an owner named __proto__ is an ordinary key', () => {
    const s = summarize([{ owner: '__proto__' }, { owner: '__proto__' }]);
    expect(Object.keys(s.owners)).toEqual(['__proto__']);
    expect(s.owners['__proto__']).toBe(2);
  });

  it.each(SEEDS)('[S19] rolling up child summaries equals summarizing all their units (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let round = 0; round < 200; round++) {
      const kids = Array.from({ length: 4 }, () => ({
        units: Array.from({ length: randomBetween(rng, 0, 20) }, () => ({ owner: OWNERS[randomInt(rng, OWNERS.length)]! })),
        activity: randomBetween(rng, 0, 50),
      }));
      const parts: SectorSummary[] = kids.map((k) => summarize(k.units, k.activity));
      const whole = summarize(
        kids.flatMap((k) => k.units),
        kids.reduce((a, k) => a + k.activity, 0),
      );
      const msg = `seed ${seed} round ${round}`;
      const rolled = rollUp(parts);
      expect(rolled.count, msg).toBe(whole.count);
      expect(rolled.activity, msg).toBe(whole.activity);
      expect(Object.entries(rolled.owners), msg).toEqual(Object.entries(whole.owners));
      // Associative: rolling up in two steps gives the same.
      const twoStep = rollUp([rollUp(parts.slice(0, 2)), rollUp(parts.slice(2))]);
      expect(Object.entries(twoStep.owners), msg).toEqual(Object.entries(whole.owners));
      expect(twoStep.count, msg).toBe(whole.count);
    }
  });
});
