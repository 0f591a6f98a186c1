import { describe, expect, it } from 'vitest';
import { shardId } from '../authority/ids.js';
import { ArgumentError } from '../errors.js';
import { isValidPeerId } from '../transport/peerjs/peer-id.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { PLACEMENT_TIERS, homeOf, sectorPlacement, withHome } from './placement.js';
import { MAX_SCALE, coordRange, key, neighbours, sector, type SectorId } from './sector.js';

/** A valid sector anywhere in the world, edges included often. */
function randomSector(rng: SeededRng): SectorId {
  const scale = randomInt(rng, MAX_SCALE + 1);
  const { min, max } = coordRange(scale);
  const pick = (): number => {
    switch (randomInt(rng, 4)) {
      case 0:
        return min;
      case 1:
        return max;
      case 2:
        return Math.min(max, Math.max(min, randomInt(rng, 5) - 2));
      default:
        return min + Math.floor(rng.next() * (max - min + 1));
    }
  };
  return sector(pick(), pick(), scale);
}

describe('withHome / homeOf [S27]', () => {
  it('[S27] writes the documented tag and reads it back', () => {
    expect(withHome('k3x9q', sector(4, -2, 0))).toBe('k3x9q-h0_4_n2');
    expect(homeOf(asPeerId('k3x9q-h0_4_n2'))).toEqual({ x: 4, y: -2, scale: 0 });
    expect(withHome('a-b_c', sector(0, 0, 3))).toBe('a-b_c-h3_0_0');
    expect(homeOf(withHome('a-b_c', sector(0, 0, 3)))).toEqual({ x: 0, y: 0, scale: 3 });
  });

  it('[S27] round-trips every sector, negative coordinates, every scale and the world’s edges included, as a valid peer id', () => {
    const rng = new SeededRng(27);
    const bases = ['k3x9q', 'abcdefghij0123456789', 'p-1', 'player_7-x'];
    const edges: SectorId[] = [];
    for (let scale = 0; scale <= MAX_SCALE; scale++) {
      const { min, max } = coordRange(scale);
      edges.push(sector(min, min, scale), sector(max, max, scale), sector(min, max, scale), sector(-1, 0, scale), sector(0, -1, scale));
    }
    const homes = [...edges, ...Array.from({ length: 500 }, () => randomSector(rng))];
    for (const home of homes) {
      for (const base of bases) {
        const id = withHome(base, home);
        expect(homeOf(id), `${base} ${key(home)} → ${id}`).toEqual(home);
        expect(isValidPeerId(id), `${id}`).toBe(true);
        expect(id.startsWith(`${base}-h`)).toBe(true);
      }
    }
  });

  it('[S27] keeps the longest tag (scale 0, both coordinates at the negative edge) within a peer id', () => {
    const { min } = coordRange(0);
    const id = withHome('abcdefghij0123456789', sector(min, min, 0));
    expect(id).toBe(`abcdefghij0123456789-h0_n${-min}_n${-min}`);
    expect(isValidPeerId(id)).toBe(true);
  });

  it.each([
    'k3x9q',
    '',
    'k3x9q-h',
    'k3x9q-h0',
    'k3x9q-h0_1',
    'k3x9q-h0_1_',
    'k3x9q-h_1_2',
    'k3x9q-h0_1_2x',
    'k3x9q-h0_1_2-more',
    'k3x9q-h0_-1_2',
    'k3x9q-h0_1.5_2',
    'k3x9q-h0_nn1_2',
    'k3x9q-h0_123456789_0',
    'k3x9q-h25_0_0',
    'k3x9q-h100_0_0',
    'k3x9q-h0_16777216_0',
    'k3x9q-h0_0_n16777217',
    'k3x9q-h24_1_0',
    'k3x9q-h24_0_n2',
    'k3x9q_h0_1_2',
    'k3x9q-H0_1_2',
  ])('[S27] homeOf(%j) is undefined: no home or a malformed one', (id) => {
    expect(homeOf(asPeerId(id))).toBeUndefined();
  });

  it.each(['', '-a', 'a-', 'a--b', 'a_-b', 'a b', 'a/b', 'ä', 'a.b', '_'])('[S27] withHome rejects the base %j with an ArgumentError', (base) => {
    expect(() => withHome(base, sector(0, 0, 0))).toThrow(ArgumentError);
  });

  it('[S27] withHome rejects a base that would make the id longer than a peer id may be', () => {
    const { min } = coordRange(0);
    const far = sector(min, min, 0);
    const tag = withHome('a', far).length - 1;
    const longest = 'b'.repeat(64 - tag);
    expect(isValidPeerId(withHome(longest, far))).toBe(true);
    expect(() => withHome(`${longest}c`, far)).toThrow(ArgumentError);
    expect(() => withHome('x'.repeat(60), sector(0, 0, 0))).toThrow(ArgumentError);
  });

  it.each([
    { x: 1.5, y: 0, scale: 0 },
    { x: 0, y: 0, scale: 25 },
    { x: 16_777_216, y: 0, scale: 0 },
    { x: 0, y: Number.NaN, scale: 0 },
    { x: 1, y: 0, scale: 24 },
  ])('[S27] withHome rejects a home that is no sector (%j) with an ArgumentError', (home) => {
    expect(() => withHome('k3x9q', home as SectorId)).toThrow(ArgumentError);
  });
});

describe('sectorPlacement [S27]', () => {
  const placement = sectorPlacement();
  const place = (peer: PeerId, shard: string): number => placement(peer, shardId(shard));
  const at = (x: number, y: number, scale = 0) => withHome('p', sector(x, y, scale));

  it('[S27] a home inside the sector is tier inside, the 8 around it near, every ring farther its distance', () => {
    const s = sector(2, 3, 0);
    expect(place(at(2, 3), key(s))).toBe(PLACEMENT_TIERS.inside);
    const ring = neighbours(s);
    expect(ring).toHaveLength(8);
    for (const n of ring) expect(place(at(n.x, n.y), key(s)), key(n)).toBe(PLACEMENT_TIERS.near);
    for (const [dx, dy, tier] of [
      [2, 0, 2],
      [-2, 0, 2],
      [0, 2, 2],
      [2, 2, 2],
      [-2, 1, 2],
      [1, -3, 3],
      [-3, -3, 3],
      [4, 0, 4],
      [0, -4, 4],
      [5, 5, 5],
      [-40, 7, 40],
    ] as const) {
      expect(place(at(2 + dx, 3 + dy), key(s)), `${dx},${dy}`).toBe(tier);
    }
    expect([PLACEMENT_TIERS.inside, PLACEMENT_TIERS.near]).toEqual([0, 1]);
    // Above the farthest two homes can be apart, so no distance ties with it.
    const { min, max } = coordRange(0);
    expect(place(at(min, min), key(sector(max, max, 0)))).toBeLessThan(PLACEMENT_TIERS.elsewhere);
  });

  it('[S27] ranks the same on negative coordinates and across the origin', () => {
    expect(place(at(-1, -1), 's0:-1,-1')).toBe(PLACEMENT_TIERS.inside);
    expect(place(at(0, 0), 's0:-1,-1')).toBe(PLACEMENT_TIERS.near);
    expect(place(at(1, -1), 's0:-1,-1')).toBe(2);
    expect(place(at(3, -1), 's0:-1,-1')).toBe(4);
    const { min } = coordRange(0);
    expect(place(at(min, min), key(sector(min + 1, min, 0)))).toBe(PLACEMENT_TIERS.near);
  });

  it('[S27] a home finer than the shard counts by its ancestor at the shard’s scale', () => {
    // Home (5, 6) at scale 0 lies in (1, 1) at scale 2 and in (2, 3) at scale 1.
    const home = at(5, 6);
    expect(place(home, 's2:1,1')).toBe(PLACEMENT_TIERS.inside);
    expect(place(home, 'region:s2:1,1')).toBe(PLACEMENT_TIERS.inside);
    expect(place(home, 's1:2,3')).toBe(PLACEMENT_TIERS.inside);
    expect(place(home, 's2:0,0')).toBe(PLACEMENT_TIERS.near);
    expect(place(home, 'region:s2:2,2')).toBe(PLACEMENT_TIERS.near);
    expect(place(home, 's1:3,4')).toBe(PLACEMENT_TIERS.near);
    expect(place(home, 's2:3,1')).toBe(2);
    expect(place(home, 'region:s2:-1,1')).toBe(2);
    expect(place(home, 'region:s2:5,1')).toBe(4);
    // Negative coordinates round down (floor), not toward zero.
    expect(place(at(-1, -5), 's2:-1,-2')).toBe(PLACEMENT_TIERS.inside);
    expect(place(at(-1, -5), 's2:0,-2')).toBe(PLACEMENT_TIERS.near);
  });

  it('[S27] a home coarser than the shard is elsewhere, even over the same ground', () => {
    const home = at(1, 1, 2); // covers s0:4..7,4..7
    expect(place(home, 's0:5,5')).toBe(PLACEMENT_TIERS.elsewhere);
    expect(place(home, 's1:2,2')).toBe(PLACEMENT_TIERS.elsewhere);
    expect(place(home, 's1:9,9')).toBe(PLACEMENT_TIERS.elsewhere);
    expect(place(home, 'region:s1:2,2')).toBe(PLACEMENT_TIERS.elsewhere);
    expect(place(home, 's2:1,1')).toBe(PLACEMENT_TIERS.inside);
  });

  it.each(['world', 'score', 's0:02,3', 's0:2', 'S0:2,3', 'region:world', 'region:s0:2,3x', 's25:0,0', 'sector/2/3', 'xs0:2,3'])(
    '[S27] a shard %j that names no sector puts everyone elsewhere',
    (shard) => {
      expect(place(at(2, 3), shard)).toBe(PLACEMENT_TIERS.elsewhere);
      expect(place(asPeerId('plain'), shard)).toBe(PLACEMENT_TIERS.elsewhere);
    },
  );

  it('[S27] a peer without a home, or with a malformed one, is elsewhere on every shard', () => {
    for (const peer of ['plain', 'k3x9q-h25_0_0', 'k3x9q-h0_1.5_2', 'a-h0_2'].map(asPeerId)) {
      for (const shard of ['s0:2,3', 's0:0,0', 'region:s2:0,0', 's24:0,0']) expect(place(peer, shard), `${peer} on ${shard}`).toBe(PLACEMENT_TIERS.elsewhere);
    }
  });

  it('[S27] near lists whole tiers, lowest first, at least atLeast peers when the view has them placed', () => {
    for (const seed of [21, 22, 23, 24, 25, 26]) {
      const rng = new SeededRng(seed);
      // Dense, sparse and clustered rooms, homes at several scales, some peers with no home.
      const spread = [4, 40, 400][seed % 3]!;
      const peers = Array.from({ length: 1 + randomInt(rng, 120) }, (_, i) =>
        rng.next() < 0.1 ? asPeerId(`plain${i}`) : withHome(`p${i}`, sector(randomInt(rng, spread) - spread / 2, randomInt(rng, spread) - spread / 2, randomInt(rng, 10) === 0 ? 1 : 0)),
      );
      const lookup = placement.near!(peers);
      for (let j = 0; j < 60; j++) {
        const s = sector(randomInt(rng, 2 * spread) - spread, randomInt(rng, 2 * spread) - spread, randomInt(rng, 3));
        const shard = shardId(rng.next() < 0.2 ? `region:${key(s)}` : key(s));
        const atLeast = 1 + randomInt(rng, 6);
        const listed = lookup(shard, atLeast) ?? [];
        const tiers = new Map(peers.map((p) => [p, placement(p, shard)]));
        const placed = peers.filter((p) => tiers.get(p)! < PLACEMENT_TIERS.elsewhere);
        const where = `seed ${seed}, ${shard}, atLeast ${atLeast}`;
        expect(new Set(listed).size, where).toBe(listed.length);
        expect(listed.length, where).toBeGreaterThanOrEqual(Math.min(atLeast, placed.length));
        const top = Math.max(-1, ...listed.map((p) => tiers.get(p)!));
        expect(top, where).toBeLessThan(PLACEMENT_TIERS.elsewhere);
        for (const p of peers) if (!listed.includes(p)) expect(tiers.get(p)!, `${where}: ${p} left out`).toBeGreaterThan(top);
      }
    }
  });

  it('[S27] answers the same from a fresh instance and on repeated calls (every peer must agree)', () => {
    const rng = new SeededRng(5);
    const fresh = sectorPlacement();
    const other = (peer: PeerId, shard: string): number => fresh(peer, shardId(shard));
    for (let i = 0; i < 300; i++) {
      const home = sector(randomInt(rng, 9) - 4, randomInt(rng, 9) - 4, randomInt(rng, 3));
      const s = sector(randomInt(rng, 9) - 4, randomInt(rng, 9) - 4, randomInt(rng, 4));
      const shard = randomInt(rng, 2) === 0 ? key(s) : `region:${key(s)}`;
      const peer = withHome(`p${i}`, home);
      const t = place(peer, shard);
      expect(other(peer, shard), `${peer} on ${shard}`).toBe(t);
      expect(place(peer, shard)).toBe(t);
      expect(t === PLACEMENT_TIERS.elsewhere || (Number.isInteger(t) && t >= 0 && t <= 8)).toBe(true);
    }
  });
});
