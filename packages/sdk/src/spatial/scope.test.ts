import { describe, expect, it } from 'vitest';
import { rankPeers } from '../authority/rendezvous.js';
import { shardId } from '../authority/ids.js';
import { asPeerId } from '../transport/types.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { sectorPlacement, withHome } from './placement.js';
import { MembershipScope } from './scope.js';
import { ancestorAt, key, sector } from './sector.js';
import { regionShard } from './world-state.js';

describe('MembershipScope [S28]', () => {
  // Regions of 4×4 leaf sectors (regionScale 2, leafScale 0); home in region (1, 1).
  const home = sector(5, 5, 0);
  const scope = new MembershipScope(home, [home], 2, 0);

  it('admits peers homed in the core region and the regions around it, and peers with no home', () => {
    expect(scope.admits(withHome('a', sector(4, 4, 0)))).toBe(true);
    expect(scope.admits(withHome('a', sector(0, 0, 0)))).toBe(true); // region (0, 0)
    expect(scope.admits(withHome('a', sector(11, 11, 0)))).toBe(true); // region (2, 2)
    expect(scope.admits(withHome('a', sector(12, 5, 0)))).toBe(false); // region (3, 1)
    expect(scope.admits(withHome('a', sector(-1, 5, 0)))).toBe(false); // region (-1, 1)
    expect(scope.admits(asPeerId('nohome'))).toBe(true);
    // A home coarser than a region says nothing about where in it: admitted.
    expect(scope.admits(withHome('a', sector(9, 9, 3)))).toBe(true);
  });

  it('decides shards in the core, and the sectors next to its home; not the rest', () => {
    expect(scope.decides('s0:7,7')).toBe(true); // core region
    expect(scope.decides(regionShard(sector(1, 1, 2)))).toBe(true);
    expect(scope.decides('s0:8,5')).toBe(false); // region (2, 1), two from home
    expect(scope.decides(regionShard(sector(2, 1, 2)))).toBe(true); // next to home's region
    expect(scope.decides(regionShard(sector(3, 1, 2)))).toBe(false);
    const edge = new MembershipScope(sector(7, 5, 0), [sector(7, 5, 0)], 2, 0);
    expect(edge.decides('s0:8,6')).toBe(true); // next to its home, across the region border
    expect(edge.decides('s0:9,6')).toBe(false);
    expect(scope.decides('lobby')).toBe(true);
    expect(scope.decides('s3:0,0')).toBe(true); // coarser than regions: not placed by this scope
  });

  it('covers 4 rings around a sector of the core (one region of 4 sectors on), 3 around one next to the home outside it, none elsewhere', () => {
    expect(scope.coveredRing('s0:4,7')).toBe(4);
    expect(scope.coveredRing(regionShard(sector(1, 1, 2)))).toBe(1);
    expect(scope.coveredRing(regionShard(sector(2, 2, 2)))).toBe(0);
    const edge = new MembershipScope(sector(7, 5, 0), [sector(7, 5, 0)], 2, 0);
    expect(edge.coveredRing('s0:8,6')).toBe(3);
    expect(edge.coveredRing('s0:9,6')).toBe(-1);
    expect(scope.coveredRing('lobby')).toBe(-1);
  });

  it('lists the shards it decides by choice: its core region and sectors, the regions and sectors around its home', () => {
    const listed = new Set(scope.decidedShards(0));
    expect(listed.size).toBe(9 + 16);
    for (const k of listed) expect(scope.decides(k), k).toBe(true);
    expect(listed.has(regionShard(sector(0, 0, 2)))).toBe(true);
    expect(listed.has('s0:7,4')).toBe(true);
    const edge = new MembershipScope(sector(7, 5, 0), [sector(7, 5, 0)], 2, 0);
    expect(new Set(edge.decidedShards(0)).has('s0:8,6')).toBe(true);
  });

  it('the view also widens the core: a watched sector far away brings its region in', () => {
    const wide = new MembershipScope(home, [home, sector(20, 20, 0)], 2, 0);
    expect(wide.admits(withHome('a', sector(22, 23, 0)))).toBe(true);
    expect(wide.decides('s0:21,21')).toBe(true);
    expect(wide.coreKey).not.toBe(scope.coreKey);
    expect(new MembershipScope(home, [sector(4, 6, 0)], 2, 0).coreKey).toBe(scope.coreKey);
  });

  it('regions one leaf wide reach two regions out', () => {
    const thin = new MembershipScope(sector(5, 5, 1), [sector(5, 5, 1)], 1, 1);
    expect(thin.admits(withHome('a', sector(7, 3, 1)))).toBe(true);
    expect(thin.admits(withHome('a', sector(8, 5, 1)))).toBe(false);
  });

  it('property: for every shard it decides, the head of its succession among the admitted peers is the head among all peers (dense rooms)', () => {
    const seed = 2801;
    const rng = new SeededRng(seed);
    const placement = sectorPlacement();
    const side = 24; // 6×6 regions of 4×4 sectors
    // About 2 peers per sector: every sector has 3 or more peers in or next to it.
    const peers = Array.from({ length: 2 * side * side }, (_, i) => withHome(`p${i}`, sector(randomInt(rng, side), randomInt(rng, side), 0)));
    for (let trial = 0; trial < 20; trial++) {
      const h = sector(randomInt(rng, side), randomInt(rng, side), 0);
      const s = new MembershipScope(h, [h], 2, 0);
      const seen = peers.filter((p) => s.admits(p));
      expect(seen.length, `seed ${seed}`).toBeLessThan(peers.length);
      const region = ancestorAt(h, 2);
      const shards: string[] = [];
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (region.x + dx >= 0 && region.y + dy >= 0 && region.x + dx < side / 4 && region.y + dy < side / 4) shards.push(regionShard(sector(region.x + dx, region.y + dy, 2)));
      for (let y = region.y * 4; y < region.y * 4 + 4; y++) for (let x = region.x * 4; x < region.x * 4 + 4; x++) shards.push(shardId(key(sector(x, y, 0))));
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (h.x + dx >= 0 && h.y + dy >= 0 && h.x + dx < side && h.y + dy < side) shards.push(shardId(key(sector(h.x + dx, h.y + dy, 0))));
      for (const shard of shards) {
        expect(s.decides(shard), `seed ${seed}: ${shard}`).toBe(true);
        const all = rankPeers(shardId(shard), peers, undefined, placement).slice(0, 3);
        const mine = rankPeers(shardId(shard), seen, undefined, placement).slice(0, 3);
        expect(mine, `seed ${seed}: home ${key(h)}, shard ${shard}`).toEqual(all);
      }
    }
  });
});
