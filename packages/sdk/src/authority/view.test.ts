import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { shardId, type ShardId } from './ids.js';
import { rankPeers, type Placement } from './rendezvous.js';
import { czarCounts, randomPeers, randomPlacement, sectorShards, shuffled } from './test-support.node.js';
import { AuthorityView, diffCzars } from './view.js';

const SEEDS = [3, 17, 2024];

describe('AuthorityView', () => {
  it('answers czar, backups and ranks from the rendezvous order', () => {
    const peers = randomPeers(new SeededRng(1), 7);
    const view = new AuthorityView({ version: 1, peers });
    for (const shard of sectorShards(200)) {
      const order = rankPeers(shard, peers);
      expect(view.succession(shard)).toEqual(order);
      expect(view.czarOf(shard)).toBe(order[0]);
      expect(view.backupsOf(shard, 2)).toEqual(order.slice(1, 3));
      expect(view.backupsOf(shard, 100)).toEqual(order.slice(1));
      expect(view.isCzar(order[0] as PeerId, shard)).toBe(true);
      expect(view.isCzar(order[1] as PeerId, shard)).toBe(false);
      expect(view.rankOf(order[2] as PeerId, shard)).toBe(2);
    }
  });

  it('is the same on every peer whatever order each learned the membership in', () => {
    const rng = new SeededRng(8);
    const peers = randomPeers(rng, 9);
    const a = new AuthorityView({ version: 4, peers });
    const b = new AuthorityView({ version: 4, peers: shuffled(rng, peers) });
    for (const shard of sectorShards(500)) expect(b.succession(shard)).toEqual(a.succession(shard));
  });

  it.each(SEEDS)('never makes a standby peer czar or backup (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const peers = randomPeers(rng, 10);
    const standby = peers.filter(() => randomInt(rng, 3) === 0);
    const view = new AuthorityView({ version: 1, peers, standby });
    expect(view.standby).toEqual([...standby].sort());
    for (const shard of sectorShards(1000)) {
      const succession = view.succession(shard);
      expect(succession).toHaveLength(peers.length - standby.length);
      for (const s of standby) {
        expect(succession, `seed ${seed}`).not.toContain(s);
        expect(view.backupsOf(shard, peers.length)).not.toContain(s);
        expect(view.rankOf(s, shard)).toBe(-1);
        expect(view.has(s)).toBe(true);
      }
    }
  });

  it('has no czar when every peer is in standby or the view is empty', () => {
    const p = asPeerId('p');
    const shard = shardId('s');
    for (const view of [new AuthorityView({ version: 0, peers: [] }), new AuthorityView({ version: 0, peers: [p], standby: [p] })]) {
      expect(view.czarOf(shard)).toBeUndefined();
      expect(view.backupsOf(shard, 3)).toEqual([]);
      expect(view.isCzar(p, shard)).toBe(false);
    }
  });

  it('ignores standby ids that are not live peers', () => {
    const view = new AuthorityView({ version: 1, peers: [asPeerId('a')], standby: [asPeerId('ghost')] });
    expect(view.standby).toEqual([]);
    expect(view.czarOf(shardId('s'))).toBe('a');
  });

  it('caches each shard for the life of the view', () => {
    const view = new AuthorityView({ version: 1, peers: randomPeers(new SeededRng(2), 5) });
    const shard = shardId('s');
    expect(view.succession(shard)).toBe(view.succession(shard));
    expect(Object.isFrozen(view.succession(shard))).toBe(true);
  });

  it('balances 10,000 shards over 16 peers within ±30% of the mean, with 2 of 18 in standby', () => {
    const peers = randomPeers(new SeededRng(12), 18);
    const view = new AuthorityView({ version: 1, peers, standby: peers.slice(0, 2) });
    const shards = sectorShards(10_000);
    const counts = czarCounts(shards, (s) => view.czarOf(s));
    expect(counts.size).toBe(16);
    for (const [, c] of counts) {
      expect(c).toBeGreaterThan(625 * 0.7);
      expect(c).toBeLessThan(625 * 1.3);
    }
  });

  it('next() bumps the version and carries standby and weights over', () => {
    const [a, b, c] = [asPeerId('a'), asPeerId('b'), asPeerId('c')];
    const weights = new Map([[a, 5]]);
    const v1 = new AuthorityView({ version: 7, peers: [a, b], standby: [b], weights });
    const v2 = v1.next({ peers: [a, b, c] });
    expect(v2.version).toBe(8);
    expect(v2.standby).toEqual([b]);
    expect(v2.eligible).toEqual([a, c]);
    const shards = sectorShards(300);
    for (const s of shards) expect(v2.succession(s)).toEqual(rankPeers(s, [a, c], weights));
  });

  it('rejects bad arguments with ArgumentError', () => {
    expect(() => new AuthorityView({ version: -1, peers: [] })).toThrow(ArgumentError);
    const view = new AuthorityView({ version: 0, peers: [asPeerId('a')] });
    expect(() => view.backupsOf(shardId('s'), -1)).toThrow(ArgumentError);
    expect(() => new AuthorityView({ version: 0, peers: [asPeerId('a')], weights: new Map([[asPeerId('a'), 0]]) })).toThrow(ArgumentError);
  });
});

/** One step of a room's life: up to 3 joins from `pool`, up to 2 departures, a fresh standby set. */
function churn(rng: SeededRng, pool: readonly PeerId[], before: ReadonlySet<PeerId>): { members: Set<PeerId>; standby: Set<PeerId> } {
  const members = new Set(before);
  for (let k = randomInt(rng, 4); k > 0; k--) members.add(pool[randomInt(rng, pool.length)]!);
  for (let k = randomInt(rng, 3); k > 0 && members.size > 1; k--) members.delete([...members][randomInt(rng, members.size)]!);
  return { members, standby: new Set([...members].filter(() => randomInt(rng, 8) === 0)) };
}

describe('AuthorityView following a previous view', () => {
  it('gives the same successions as a view built from scratch, over random joins, departures and standbys', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new SeededRng(seed);
      const pool = Array.from({ length: 60 }, (_, i) => asPeerId(`p${i}-${seed}`));
      let members = new Set(pool.slice(0, 1 + randomInt(rng, 30)));
      let standby: Set<PeerId>;
      const shards = Array.from({ length: 12 }, (_, i) => shardId(`s${i}`));
      let view = new AuthorityView({ version: 0, peers: members });
      for (let step = 1; step <= 25; step++) {
        // Ask for some successions only: a view derives those the previous one had computed.
        for (const s of shards) if (randomInt(rng, 2) === 0) view.succession(s);
        ({ members, standby } = churn(rng, pool, members));
        const next = new AuthorityView({ version: step, peers: members, standby, previous: view });
        const fresh = new AuthorityView({ version: step, peers: members, standby });
        for (const s of shards) expect(next.succession(s), `seed ${seed}, step ${step}, ${s}`).toEqual(fresh.succession(s));
        view = next;
      }
    }
  });
});

describe('diffCzars', () => {
  it.each(SEEDS)('when a czar leaves, lists exactly its shards, each going to its first backup (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const peers = randomPeers(rng, 8);
    const gone = peers[randomInt(rng, peers.length)] as PeerId;
    const prev = new AuthorityView({ version: 1, peers });
    const next = prev.next({ peers: peers.filter((p) => p !== gone) });
    const shards = sectorShards(3000);
    const changes = AuthorityView.diff(prev, next, shards);
    const owned = shards.filter((s) => prev.czarOf(s) === gone);
    expect(changes.map((c) => c.shard), `seed ${seed}`).toEqual(owned);
    for (const c of changes) {
      expect(c.from).toBe(gone);
      expect(c.to).toBe(prev.backupsOf(c.shard, 1)[0]);
    }
  });

  it('reports a peer entering standby like a departure, and leaving standby like a join', () => {
    const peers = randomPeers(new SeededRng(4), 6);
    const p = peers[0] as PeerId;
    const live = new AuthorityView({ version: 1, peers });
    const resting = live.next({ standby: [p] });
    const shards = sectorShards(2000);
    const out = diffCzars(live, resting, shards);
    expect(out.length).toBe(shards.filter((s) => live.czarOf(s) === p).length);
    expect(out.every((c) => c.from === p && c.to !== p)).toBe(true);
    const back = diffCzars(resting, resting.next({ standby: [] }), shards);
    expect(back.map((c) => c.shard)).toEqual(out.map((c) => c.shard));
    expect(back.every((c) => c.to === p)).toBe(true);
  });

  it('reports undefined when the last eligible peer goes, and lists a shard once', () => {
    const a = asPeerId('a');
    const s: ShardId = shardId('s');
    const prev = new AuthorityView({ version: 1, peers: [a] });
    const next = prev.next({ peers: [] });
    expect(diffCzars(prev, next, [s, s])).toEqual([{ shard: s, from: a, to: undefined }]);
    expect(diffCzars(prev, prev, [s])).toEqual([]);
  });
});


describe('AuthorityView with a placement [S27]', () => {
  it.each(SEEDS)('[S27] gives the successions of rankPeers with the same placement, standby peers left out (seed %i)', (seed) => {
    const rng = new SeededRng(seed);
    const peers = randomPeers(rng, 12);
    const standby = peers.filter(() => randomInt(rng, 4) === 0);
    const placement = randomPlacement(rng, 3);
    const view = new AuthorityView({ version: 1, peers, standby, placement });
    const eligible = peers.filter((p) => !standby.includes(p));
    for (const shard of sectorShards(500)) {
      const order = rankPeers(shard, eligible, undefined, placement);
      expect(view.succession(shard), `seed ${seed}, ${shard}`).toEqual(order);
      expect(view.czarOf(shard)).toBe(order[0]);
      expect(view.backupsOf(shard, 2)).toEqual(order.slice(1, 3));
    }
  });

  it('[S27] rejects a bad tier when a succession is asked for', () => {
    const view = new AuthorityView({ version: 1, peers: [asPeerId('a'), asPeerId('b')], placement: () => -1 });
    expect(() => view.succession(shardId('s'))).toThrow(ArgumentError);
  });

  it('[S27] following a previous view gives the same successions as a fresh view, over random joins, departures and standbys', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rng = new SeededRng(seed);
      const placement = randomPlacement(rng, 1 + randomInt(rng, 4));
      const pool = Array.from({ length: 60 }, (_, i) => asPeerId(`p${i}-${seed}`));
      let members = new Set(pool.slice(0, 1 + randomInt(rng, 30)));
      let standby: Set<PeerId>;
      const shards = Array.from({ length: 12 }, (_, i) => shardId(`s${i}`));
      let view = new AuthorityView({ version: 0, peers: members, placement });
      for (let step = 1; step <= 25; step++) {
        for (const s of shards) if (randomInt(rng, 2) === 0) view.succession(s);
        ({ members, standby } = churn(rng, pool, members));
        // Alternate the two ways of following: the constructor and next(), which carries the placement.
        const next =
          step % 2 === 0
            ? new AuthorityView({ version: step, peers: members, standby, placement, previous: view })
            : view.next({ peers: members, standby: [...standby] });
        const fresh = new AuthorityView({ version: step, peers: members, standby, placement });
        for (const s of shards) {
          expect(next.succession(s), `seed ${seed}, step ${step}, ${s}`).toEqual(fresh.succession(s));
          expect(fresh.succession(s), `seed ${seed}, step ${step}, ${s}`).toEqual(rankPeers(s, [...members].filter((p) => !standby.has(p)), undefined, placement));
        }
        view = next;
      }
    }
  });

  it('[S27] next() carries the placement over, and replaces it when given one', () => {
    const rng = new SeededRng(31);
    const peers = randomPeers(rng, 8);
    const a = randomPlacement(rng, 3);
    const b = randomPlacement(rng, 3);
    const shards = sectorShards(300);
    const v1 = new AuthorityView({ version: 1, peers: peers.slice(0, 6), placement: a });
    for (const s of shards) v1.succession(s);
    const v2 = v1.next({ peers });
    for (const s of shards) expect(v2.succession(s), s).toEqual(rankPeers(s, peers, undefined, a));
    const v3 = v2.next({ placement: b });
    for (const s of shards) expect(v3.succession(s), s).toEqual(rankPeers(s, peers, undefined, b));
    const v4 = v3.next({ peers: peers.slice(2) });
    for (const s of shards) expect(v4.succession(s), s).toEqual(rankPeers(s, peers.slice(2), undefined, b));
  });

  it('[S27] a view whose previous had another placement (or none) is still correct', () => {
    for (const seed of SEEDS) {
      const rng = new SeededRng(seed);
      const peers = randomPeers(rng, 10);
      const a = randomPlacement(rng, 3);
      const b = randomPlacement(rng, 3);
      const shards = sectorShards(200);
      const cases: Array<[Placement | undefined, Placement | undefined]> = [
        [a, b],
        [undefined, a],
        [a, undefined],
      ];
      for (const [before, after] of cases) {
        const prev = new AuthorityView({ version: 1, peers: peers.slice(0, 7), ...(before ? { placement: before } : {}) });
        for (const s of shards) prev.succession(s); // cached, so a wrong derivation would reuse its tiers
        const next = new AuthorityView({ version: 2, peers, previous: prev, ...(after ? { placement: after } : {}) });
        let differ = 0;
        for (const s of shards) {
          const expected = rankPeers(s, peers, undefined, after);
          expect(next.succession(s), `seed ${seed}, ${s}`).toEqual(expected);
          if (rankPeers(s, peers, undefined, before).join() !== expected.join()) differ++;
        }
        // The two placements really order these peers differently: keeping the old tiers would show.
        expect(differ, `seed ${seed}`).toBeGreaterThan(shards.length / 2);
      }
    }
  });
});
