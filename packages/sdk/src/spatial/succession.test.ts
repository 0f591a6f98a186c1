import { describe, expect, it } from 'vitest';
import { shardId } from '../authority/ids.js';
import { AuthorityView } from '../authority/view.js';
import { ArgumentError } from '../errors.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { SuccessionHeads } from './succession.js';

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
