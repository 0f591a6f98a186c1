/** The majority rule ([R26]) on its own: stable views, majorities, ties, graceful leaves. */
import { describe, expect, it } from 'vitest';
import { QuorumTracker } from './quorum.js';

const STABLE = 1_000;

/** A tracker for `self` that has seen `members` (all reachable) long enough to settle on them. */
function settled(self: string, members: string[]): QuorumTracker {
  const q = new QuorumTracker(self, STABLE, 0);
  q.update(members, members, 0);
  q.evaluate(STABLE);
  return q;
}

describe('QuorumTracker', () => {
  it('[R26] a new peer is ok alone but not settled (opens no term) during its first stableMs', () => {
    const q = new QuorumTracker('a', STABLE, 0);
    q.update(['a'], ['a'], 0);
    expect(q.status).toBe('ok');
    expect(q.settled(STABLE - 1)).toBe(false);
    expect(q.settled(STABLE)).toBe(true);
  });

  it('[R23] votes confirm a term by the same majority as the status: self counts, ties need the lowest id', () => {
    const q = settled('b', ['a', 'b', 'c', 'd']);
    expect(q.isMajority([])).toBe(false);
    expect(q.isMajority(['c'])).toBe(false); // b and c: half, without the lowest id
    expect(q.isMajority(['a'])).toBe(true); // b and a: half, with the lowest id
    expect(q.isMajority(['c', 'd'])).toBe(true);
    expect(q.isMajority(['x', 'y', 'z'])).toBe(false); // not members of the stable view
    expect(settled('a', ['a']).isMajority([])).toBe(true);
  });

  it('[R26] strictly more than half of the stable view keeps writing; less is degraded', () => {
    const q = settled('a', ['a', 'b', 'c', 'd', 'e']);
    q.update(['a', 'b', 'c'], ['a', 'b', 'c', 'd', 'e'], 2_000);
    expect(q.status).toBe('ok');
    expect(q.snapshot()).toEqual({ status: 'ok', reachable: 3, stable: 5 });
    q.update(['a', 'b'], ['a', 'b', 'c', 'd', 'e'], 2_100);
    expect(q.status).toBe('degraded');
  });

  it('[R26] exactly half keeps writing only with the lowest id of the stable view', () => {
    const low = settled('a', ['a', 'b', 'c', 'd']);
    low.update(['a', 'b'], ['a', 'b'], 2_000);
    expect(low.status).toBe('ok');
    const high = settled('c', ['a', 'b', 'c', 'd']);
    high.update(['c', 'd'], ['c', 'd'], 2_000);
    expect(high.status).toBe('degraded');
  });

  it('[R26] the minority side never shrinks its reference, so it stays degraded however long the cut lasts', () => {
    const q = settled('d', ['a', 'b', 'c', 'd', 'e']);
    q.update(['d', 'e'], ['d', 'e'], 2_000);
    expect(q.evaluate(60_000)).toBe(false);
    expect(q.status).toBe('degraded');
    expect(q.stableView()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('[R26] the majority side adopts its smaller view after stableMs, so it survives a second loss', () => {
    const q = settled('a', ['a', 'b', 'c', 'd', 'e']);
    q.update(['a', 'b', 'c'], ['a', 'b', 'c'], 2_000);
    q.evaluate(2_000 + STABLE);
    expect(q.stableView()).toEqual(['a', 'b', 'c']);
    q.update(['a', 'b'], ['a', 'b'], 4_000);
    expect(q.status).toBe('ok');
  });

  it('[R26] members that join count at once: a later split is judged against the larger room', () => {
    const q = settled('e', ['a', 'b', 'c']);
    q.update(['a', 'b', 'c', 'd', 'e'], ['a', 'b', 'c', 'd', 'e'], 2_000);
    expect(q.snapshot().stable).toBe(5);
    q.update(['d', 'e'], ['d', 'e'], 2_100);
    expect(q.status).toBe('degraded');
  });

  it('[R26] a peer that left on purpose stops counting at once', () => {
    const q = settled('c', ['a', 'b', 'c', 'd']);
    q.update(['c', 'd'], ['c', 'd'], 2_000);
    expect(q.status).toBe('degraded');
    expect(q.forget('a', 2_000)).toBe(true);
    expect(q.status).toBe('ok');
    expect(q.snapshot()).toEqual({ status: 'ok', reachable: 2, stable: 3 });
  });
});
