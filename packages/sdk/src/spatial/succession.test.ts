import { describe, expect, it } from 'vitest';
import { shardId } from '../authority/ids.js';
import { AuthorityView } from '../authority/view.js';
import { ArgumentError } from '../errors.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import { SeededRng, randomInt } from '../util/rng.js';
import type { Placement } from '../authority/rendezvous.js';
import { PLACEMENT_TIERS, homeOf, sectorPlacement, withHome } from './placement.js';
import { key, sector } from './sector.js';
import { SuccessionHeads, reachableSectors } from './succession.js';

describe('SuccessionHeads', () => {
  it('[S21] keeps the head of the view’s succession of every shard, in the same order', () => {
    for (const seed of [1, 2, 3]) {
      const rng = new SeededRng(seed);
      const n = 1 + randomInt(rng, 80);
      const peers = Array.from({ length: n }, (_, i) => asPeerId(`p${seed}-${i}-${randomInt(rng, 1_000)}`));
      const standby = peers.filter(() => rng.next() < 0.1);
      const view = new AuthorityView({ version: 1, peers, standby });
      const depth = 1 + randomInt(rng, 4);
      const heads = new SuccessionHeads(peers, standby, depth);
      for (let s = 0; s < 50; s++) {
        const shard = `s0:${randomInt(rng, 64)},${randomInt(rng, 64)}`;
        const expected = view.succession(shardId(shard)).slice(0, depth);
        expect(heads.top(shard), `seed ${seed}, shard ${shard}`).toEqual(expected);
        for (const p of peers) {
          const rank = view.rankOf(p, shardId(shard));
          expect(heads.rankOf(p, shard), `seed ${seed}, shard ${shard}, peer ${p}`).toBe(rank < depth ? rank : -1);
        }
      }
    }
  });

  it('shares one table per view and depth, whatever the order of the peers', () => {
    const a = ['x', 'y', 'z'].map(asPeerId);
    const first = SuccessionHeads.shared(a, [], 2);
    expect(SuccessionHeads.shared([...a].reverse(), [], 2)).toBe(first);
    expect(SuccessionHeads.shared(a, [], 3)).not.toBe(first);
    expect(SuccessionHeads.shared(a, [asPeerId('x')], 2)).not.toBe(first);
  });

  it('is empty with no eligible peer and rejects a depth below 1', () => {
    const none: PeerId[] = [];
    expect(new SuccessionHeads(none, [], 3).top('s0:0,0')).toEqual([]);
    expect(new SuccessionHeads([asPeerId('a')], [asPeerId('a')], 1).rankOf(asPeerId('a'), 's0:0,0')).toBe(-1);
    expect(() => new SuccessionHeads(none, [], 0)).toThrow(ArgumentError);
  });
});

/** Peers with homes in a small patch of the map (a few at scale 1, a few with no home). */
function placedPeers(rng: SeededRng, n: number, seed: number): PeerId[] {
  return Array.from({ length: n }, (_, i) => {
    const base = `p${seed}x${i}`;
    switch (randomInt(rng, 8)) {
      case 0:
        return asPeerId(base);
      case 1:
        return withHome(base, sector(randomInt(rng, 6) - 1, randomInt(rng, 6) - 1, 1));
      default:
        return withHome(base, sector(randomInt(rng, 10) - 2, randomInt(rng, 10) - 2, 0));
    }
  });
}

/** Sector shards over and around the patch, at scales 0 to 2, region shards, and a non-sector one. */
function placedShards(rng: SeededRng, n: number): string[] {
  return Array.from({ length: n }, () => {
    const scale = randomInt(rng, 3);
    const s = sector(randomInt(rng, 14) - 4, randomInt(rng, 14) - 4, 0);
    const at = scale === 0 ? s : sector(s.x >> scale, s.y >> scale, scale);
    switch (randomInt(rng, 6)) {
      case 0:
        return `region:${key(at)}`;
      case 1:
        return 'world';
      default:
        return key(at);
    }
  });
}

describe('SuccessionHeads with a placement [S27]', () => {
  it('[S27] keeps the head of the view’s succession under the same placement, standby peers left out', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const rng = new SeededRng(seed);
      const peers = placedPeers(rng, 2 + randomInt(rng, 60), seed);
      const standby = peers.filter(() => rng.next() < 0.15);
      const placement = sectorPlacement();
      const view = new AuthorityView({ version: 1, peers, standby, placement });
      const depth = 1 + randomInt(rng, 4);
      const heads = new SuccessionHeads(peers, standby, depth, placement);
      expect(heads.placement).toBe(placement);
      for (const shard of placedShards(rng, 80)) {
        const expected = view.succession(shardId(shard)).slice(0, depth);
        expect(heads.top(shard), `seed ${seed}, depth ${depth}, shard ${shard}`).toEqual(expected);
        for (const p of peers) {
          const rank = view.rankOf(p, shardId(shard));
          expect(heads.rankOf(p, shard), `seed ${seed}, shard ${shard}, peer ${p}`).toBe(rank < depth ? rank : -1);
        }
      }
    }
  });

  it('[S27] AuthorityView.head from the placement’s near index equals the head of the full succession, for every k', () => {
    for (const seed of [11, 12, 13, 14, 15, 16, 17, 18]) {
      const rng = new SeededRng(seed);
      const peers = placedPeers(rng, 2 + randomInt(rng, 80), seed);
      const standby = peers.filter(() => rng.next() < 0.15);
      const placement = sectorPlacement();
      expect(placement.near).toBeDefined();
      // One view answers heads only (the index path), the other ranks everyone.
      const fast = new AuthorityView({ version: 1, peers, standby, placement });
      const full = new AuthorityView({ version: 1, peers, standby, placement });
      for (const shard of placedShards(rng, 80)) {
        const id = shardId(shard);
        for (const k of [0, 1, 2, 3, 5, 8]) {
          const expected = full.succession(id).slice(0, k);
          expect(fast.head(id, k), `seed ${seed}, shard ${shard}, k ${k}`).toEqual(expected);
          for (const p of peers) {
            const rank = full.rankOf(p, id);
            expect(fast.rankWithin(p, id, k), `seed ${seed}, shard ${shard}, k ${k}, peer ${p}`).toBe(rank >= 0 && rank < k ? rank : -1);
          }
        }
        expect(fast.czarOf(id), `seed ${seed}, shard ${shard}`).toBe(full.succession(id)[0]);
        expect(fast.backupsOf(id, 2), `seed ${seed}, shard ${shard}`).toEqual(full.succession(id).slice(1, 3));
      }
    }
  });

  it('[S21] a table derived from the previous view’s heads equals one ranked afresh, through joins, leaves and standby', () => {
    for (const seed of [31, 32, 33, 34]) {
      const rng = new SeededRng(seed);
      const pool = placedPeers(rng, 120, seed);
      const placement = seed % 2 === 0 ? sectorPlacement() : undefined;
      const shards = placedShards(rng, 60);
      let live = pool.slice(0, 10);
      let previous: SuccessionHeads | undefined;
      for (let step = 0; step < 25; step++) {
        // Mostly joins (a wave), sometimes departures, a few in standby.
        const joins = pool.filter((p) => !live.includes(p) && rng.next() < 0.05);
        const stays = live.filter(() => rng.next() > (step % 5 === 4 ? 0.2 : 0));
        live = [...stays, ...joins];
        const standby = live.filter(() => rng.next() < 0.05);
        const derived = new SuccessionHeads(live, standby, 3, placement, previous);
        const fresh = new SuccessionHeads(live, standby, 3, placement);
        // Asked for a subset each time, so some heads are derived and some ranked anew.
        for (const shard of shards) if (rng.next() < 0.8) expect(derived.top(shard), `seed ${seed}, step ${step}, ${shard}`).toEqual(fresh.top(shard));
        previous = derived;
      }
    }
  });

  it('[S27] fills the head from the lowest tiers: the sector’s own peers, then its neighbours’, then anyone', () => {
    const placement = sectorPlacement();
    const inside = [withHome('in1', sector(2, 3, 0)), withHome('in2', sector(2, 3, 0))];
    const near = [withHome('nb1', sector(3, 3, 0)), withHome('nb2', sector(1, 4, 0))];
    const far = Array.from({ length: 20 }, (_, i) => withHome(`far${i}`, sector(10 + i, -7, 0)));
    const heads = new SuccessionHeads([...far, ...near, ...inside], [], 5, placement);
    const top = heads.top('s0:2,3');
    expect(new Set(top.slice(0, 2))).toEqual(new Set(inside));
    expect(new Set(top.slice(2, 4))).toEqual(new Set(near));
    expect(far).toContain(top[4]);
    // An inside peer in standby makes room for the next tier, never for a farther peer first.
    const resting = new SuccessionHeads([...far, ...near, ...inside], [inside[0]!], 3, placement).top('s0:2,3');
    expect(resting[0]).toBe(inside[1]);
    expect(new Set(resting.slice(1))).toEqual(new Set(near));
  });

  it('[S27] shared tables never mix placements: same peers, different placements, different heads', () => {
    const rng = new SeededRng(9);
    const peers = placedPeers(rng, 30, 9);
    const local = sectorPlacement();
    // The opposite preference: a sector's own peers last.
    const remote: Placement = (peer, shard) => PLACEMENT_TIERS.elsewhere - local(peer, shard);
    const shards = placedShards(rng, 100);
    const a = SuccessionHeads.shared(peers, [], 3, local);
    const b = SuccessionHeads.shared(peers, [], 3, remote);
    const none = SuccessionHeads.shared(peers, [], 3);
    expect(b).not.toBe(a);
    expect(none).not.toBe(a);
    expect(none).not.toBe(b);
    expect(SuccessionHeads.shared([...peers].reverse(), [], 3, local)).toBe(a);
    expect(SuccessionHeads.shared(peers, [], 3, remote)).toBe(b);
    const views = new Map<Placement | undefined, AuthorityView>([
      [local, new AuthorityView({ version: 1, peers, placement: local })],
      [remote, new AuthorityView({ version: 1, peers, placement: remote })],
      [undefined, new AuthorityView({ version: 1, peers })],
    ]);
    let differ = 0;
    for (const shard of shards) {
      for (const [heads, placement] of [
        [a, local],
        [b, remote],
        [none, undefined],
      ] as const) {
        expect(heads.top(shard), `${shard}`).toEqual(views.get(placement)!.succession(shardId(shard)).slice(0, 3));
      }
      if (a.top(shard).join() !== b.top(shard).join()) differ++;
    }
    // Where a sector has placed peers the two placements disagree; the tables must show it.
    expect(differ).toBeGreaterThan(shards.length / 4);
  });

  it('[S27] rejects a bad tier from the placement with an ArgumentError', () => {
    const heads = new SuccessionHeads([asPeerId('a'), asPeerId('b')], [], 1, () => 0.5);
    expect(() => heads.top('s0:0,0')).toThrow(ArgumentError);
  });

  it('[S27] reachableSectors holds every sector a peer is in the head of, sparse or dense, in a bounded world', () => {
    let checked = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const rng = new SeededRng(seed);
      const side = 4 + randomInt(rng, 20);
      const n = 1 + randomInt(rng, side * side);
      const peers = Array.from({ length: n }, (_, i) => withHome(`p${i}`, sector(randomInt(rng, side), randomInt(rng, side), 0)));
      const placement = sectorPlacement();
      const depth = 1 + randomInt(rng, 3);
      const heads = new SuccessionHeads(peers, [], depth, placement);
      const inWorld = (k: string): boolean => {
        const m = /^s0:(-?\d+),(-?\d+)$/.exec(k);
        return m !== null && +m[1]! >= 0 && +m[2]! >= 0 && +m[1]! < side && +m[2]! < side;
      };
      for (const p of peers.slice(0, 5)) {
        const mine = reachableSectors(heads, placement, homeOf(p)!, inWorld);
        let headed = 0;
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side; x++) {
            const k = key(sector(x, y, 0));
            if (heads.rankOf(p, k) < 0) continue;
            headed++;
            expect(mine.has(k), `seed ${seed}: ${p} heads ${k} (side ${side}, ${n} peers, depth ${depth})`).toBe(true);
          }
        }
        checked += headed;
        // It prunes: in a room with many more peers than the depth, far fewer than the whole map.
        if (n >= 8 * depth && side >= 12) expect(mine.size, `seed ${seed}`).toBeLessThan(side * side);
      }
    }
    // Not vacuous: the peers checked head hundreds of sectors between them.
    expect(checked).toBeGreaterThan(100);
  });
});
