import { describe, expect, it } from 'vitest';
import { ArgumentError, ErrorCode } from '../errors.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import { SeededRng, randomBetween, randomInt } from '../util/rng.js';
import { shardId } from './ids.js';
import { lanesOf } from './hash.js';
import { byScore, checkedTier, rankPeers, scoreEntry, type Placement } from './rendezvous.js';
import { czarCounts, randomPeers, randomPlacement, sectorShards, shuffled } from './test-support.node.js';

const SEEDS = [1, 2, 3, 42, 1337];

describe('rankPeers', () => {
  it('returns every distinct peer once, czar first', () => {
    const peers = [asPeerId('a'), asPeerId('b'), asPeerId('a'), asPeerId('c')];
    const order = rankPeers(shardId('s'), peers);
    expect([...order].sort()).toEqual(['a', 'b', 'c']);
  });

  it('gives an empty succession for no peers and the peer itself for one', () => {
    expect(rankPeers(shardId('s'), [])).toEqual([]);
    expect(rankPeers(shardId('s'), [asPeerId('solo')])).toEqual(['solo']);
  });

  it.each(SEEDS)('is independent of input order (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let round = 0; round < 20; round++) {
      const peers = randomPeers(rng, randomBetween(rng, 1, 24));
      const shard = shardId(`shard-${rng.nextUint32()}`);
      const expected = rankPeers(shard, peers);
      for (let k = 0; k < 5; k++) expect(rankPeers(shard, shuffled(rng, peers)), `seed ${seed}`).toEqual(expected);
    }
  });

  it.each(SEEDS)('balances czars: 10,000 shards over 16 peers, each within ±30% of the mean (seed %i)', (seed) => {
    const peers = randomPeers(new SeededRng(seed), 16);
    const shards = sectorShards(10_000);
    const counts = czarCounts(shards, (s) => rankPeers(s, peers)[0]);
    const mean = shards.length / peers.length;
    for (const p of peers) {
      const c = counts.get(p) ?? 0;
      expect(c, `seed ${seed} peer ${p}`).toBeGreaterThan(mean * 0.7);
      expect(c, `seed ${seed} peer ${p}`).toBeLessThan(mean * 1.3);
    }
  });

  it.each(SEEDS)('removing a peer only drops it from each succession (minimal disruption, seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const peers = randomPeers(rng, 12);
    const gone = peers[randomInt(rng, peers.length)] as PeerId;
    const rest = peers.filter((p) => p !== gone);
    for (const shard of sectorShards(2000)) {
      const before = rankPeers(shard, peers);
      const after = rankPeers(shard, rest);
      // Stronger than "only its shards move": the whole backup order is preserved, so the new
      // czar of each of its shards is exactly its first backup.
      expect(after, `seed ${seed} shard ${shard}`).toEqual(before.filter((p) => p !== gone));
    }
  });

  it.each(SEEDS)('adding a peer takes over about 1/n of the shards and nothing else moves (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const peers = randomPeers(rng, 10);
    const [joiner] = randomPeers(rng, 11).filter((p) => !peers.includes(p)) as [PeerId];
    const shards = sectorShards(10_000);
    let taken = 0;
    for (const shard of shards) {
      const before = rankPeers(shard, peers);
      const after = rankPeers(shard, [...peers, joiner]);
      expect(after.filter((p) => p !== joiner), `seed ${seed} shard ${shard}`).toEqual(before);
      if (after[0] !== before[0]) {
        expect(after[0]).toBe(joiner);
        taken++;
      }
    }
    const expected = shards.length / (peers.length + 1);
    expect(taken, `seed ${seed}`).toBeGreaterThan(expected * 0.7);
    expect(taken, `seed ${seed}`).toBeLessThan(expected * 1.3);
  });

  it.each(SEEDS)('weights skew czar shares in proportion (seed %i)', (seed) => {
    const peers = randomPeers(new SeededRng(seed), 6);
    const [heavy, light] = peers as [PeerId, PeerId];
    const weights = new Map<PeerId, number>([
      [heavy, 3],
      [light, 0.5],
    ]);
    const shards = sectorShards(10_000);
    const counts = czarCounts(shards, (s) => rankPeers(s, peers, weights)[0]);
    const total = 3 + 0.5 + 4; // four peers at the default weight 1
    const share = (p: PeerId): number => (counts.get(p) ?? 0) / shards.length;
    expect(share(heavy), `seed ${seed}`).toBeGreaterThan((3 / total) * 0.85);
    expect(share(heavy), `seed ${seed}`).toBeLessThan((3 / total) * 1.15);
    expect(share(light), `seed ${seed}`).toBeGreaterThan((0.5 / total) * 0.7);
    expect(share(light), `seed ${seed}`).toBeLessThan((0.5 / total) * 1.3);
    for (const p of peers.slice(2)) expect(share(p), `seed ${seed}`).toBeLessThan(share(heavy));
    for (const p of peers.slice(2)) expect(share(p), `seed ${seed}`).toBeGreaterThan(share(light));
  });

  it('weighted ranking keeps minimal disruption and order independence', () => {
    const rng = new SeededRng(99);
    const peers = randomPeers(rng, 8);
    const weights = new Map(peers.map((p, i) => [p, 1 + i] as const));
    const gone = peers[3] as PeerId;
    for (const shard of sectorShards(1000)) {
      const before = rankPeers(shard, peers, weights);
      expect(rankPeers(shard, shuffled(rng, peers), weights)).toEqual(before);
      expect(rankPeers(shard, peers.filter((p) => p !== gone), weights)).toEqual(before.filter((p) => p !== gone));
    }
  });

  it('explicit weights of 1 give the unweighted order', () => {
    const peers = randomPeers(new SeededRng(5), 10);
    const ones = new Map(peers.map((p) => [p, 1] as const));
    const twos = new Map(peers.map((p) => [p, 2] as const));
    for (const shard of sectorShards(500)) {
      const plain = rankPeers(shard, peers);
      expect(rankPeers(shard, peers, ones)).toEqual(plain);
      expect(rankPeers(shard, peers, twos)).toEqual(plain);
    }
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects weight %s with an ArgumentError', (w) => {
    const p = asPeerId('p');
    expect(() => rankPeers(shardId('s'), [p], new Map([[p, w]]))).toThrow(ArgumentError);
  });
});


/** The succession a placement must give: by tier, then the unplaced order within each tier (a stable sort). */
function byTierThenUnplaced(unplaced: readonly PeerId[], tierOf: (p: PeerId) => number): PeerId[] {
  return unplaced
    .map((p, i) => ({ p, i, t: tierOf(p) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.p);
}

describe('rankPeers with a placement [S27]', () => {
  it.each(SEEDS)('[S27] orders by tier, then by the unplaced order within each tier (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    for (let round = 0; round < 40; round++) {
      const peers = randomPeers(rng, randomBetween(rng, 1, 30));
      const placement = randomPlacement(rng, randomBetween(rng, 1, 4));
      for (let k = 0; k < 10; k++) {
        const shard = shardId(`shard-${rng.nextUint32()}`);
        const expected = byTierThenUnplaced(rankPeers(shard, peers), (p) => placement(p, shard));
        expect(rankPeers(shard, peers, undefined, placement), `seed ${seed}, round ${round}, ${shard}`).toEqual(expected);
        expect(rankPeers(shard, shuffled(rng, peers), undefined, placement), `seed ${seed}, round ${round}, ${shard}`).toEqual(expected);
      }
    }
  });

  it.each(SEEDS)('[S27] with weights: by tier, then the weighted order within each tier (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const peers = randomPeers(rng, 12);
    const weights = new Map(peers.map((p) => [p, randomBetween(rng, 1, 5)] as const));
    const placement = randomPlacement(rng, 3);
    for (const shard of sectorShards(300)) {
      const expected = byTierThenUnplaced(rankPeers(shard, peers, weights), (p) => placement(p, shard));
      expect(rankPeers(shard, peers, weights, placement), `seed ${seed}, ${shard}`).toEqual(expected);
    }
  });

  it('[S27] a placement giving every peer the same tier leaves the order as it is', () => {
    const peers = randomPeers(new SeededRng(6), 10);
    for (const shard of sectorShards(300)) {
      const plain = rankPeers(shard, peers);
      expect(rankPeers(shard, peers, undefined, () => 0)).toEqual(plain);
      expect(rankPeers(shard, peers, undefined, () => 7)).toEqual(plain);
    }
  });

  it('[S27] puts a lower tier first whatever its score, and keeps minimal disruption within the placement', () => {
    const rng = new SeededRng(11);
    const peers = randomPeers(rng, 10);
    const [near, far] = peers as [PeerId, PeerId];
    // `near` is alone in tier 0, `far` alone in the last tier, on every shard.
    const placement: Placement = (p) => (p === near ? 0 : p === far ? 2 : 1);
    for (const shard of sectorShards(500)) {
      const order = rankPeers(shard, peers, undefined, placement);
      expect(order[0]).toBe(near);
      expect(order[order.length - 1]).toBe(far);
      const gone = peers[2 + randomInt(rng, peers.length - 2)] as PeerId;
      expect(rankPeers(shard, peers.filter((p) => p !== gone), undefined, placement)).toEqual(order.filter((p) => p !== gone));
    }
  });

  it('[S27] byScore compares the tier before the score', () => {
    const low = scoreEntry(lanesOf('s'), { peer: asPeerId('a'), lanes: lanesOf('a'), weight: 1 }, false, 1);
    const high = { ...low, peer: asPeerId('b'), score: low.score + 1, h: low.h + 1, tier: 0 };
    expect(byScore(high, low)).toBeLessThan(0);
    expect(byScore(low, high)).toBeGreaterThan(0);
    expect(byScore({ ...high, tier: 1 }, low)).toBeLessThan(0);
    expect(scoreEntry(lanesOf('s'), { peer: asPeerId('a'), lanes: lanesOf('a'), weight: 1 }, false).tier).toBe(0);
  });

  it.each([Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY])('[S27] checkedTier rejects tier %s with an ArgumentError naming the peer and the shard', (tier) => {
    const peer = asPeerId('peer-x7');
    const shard = shardId('s0:4,-2');
    const placement: Placement = () => tier;
    let caught: unknown;
    try {
      checkedTier(placement, peer, shard);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ArgumentError);
    const err = caught as ArgumentError;
    expect(err.code).toBe(ErrorCode.InvalidArgument);
    expect(err.message).toContain('peer-x7');
    expect(err.message).toContain('s0:4,-2');
    expect(err.message).toContain('integer >= 0');
    expect(err.details).toMatchObject({ peer, shard });
    expect(Object.is(err.details['tier'], tier)).toBe(true);
    // rankPeers checks every tier it is given.
    expect(() => rankPeers(shard, [asPeerId('ok'), peer], undefined, (p) => (p === peer ? tier : 0))).toThrow(ArgumentError);
  });

  it('[S27] checkedTier returns a valid tier as is', () => {
    expect(checkedTier(() => 0, asPeerId('a'), shardId('s'))).toBe(0);
    expect(checkedTier(() => 3, asPeerId('a'), shardId('s'))).toBe(3);
  });
});
