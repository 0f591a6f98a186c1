import { describe, expect, it } from 'vitest';
import { asPeerId, type PeerId } from '../transport/types.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { relayHops, relayKey, relayOrder, relayTargets } from './gossip.js';

const peers = (n: number): PeerId[] => Array.from({ length: n }, (_, i) => asPeerId(`peer-${i}`));

/** Every peer's targets for one message; returns how many copies each peer receives and after how many hops. */
function spread(members: readonly PeerId[], czar: PeerId, key: number, fanout: number, redundancy: number): { copies: Map<PeerId, number>; hops: Map<PeerId, number> } {
  const copies = new Map<PeerId, number>();
  const hops = new Map<PeerId, number>([[czar, 0]]);
  let frontier = [czar];
  for (let hop = 1; frontier.length > 0; hop++) {
    const next: PeerId[] = [];
    for (const sender of frontier) {
      for (const t of relayTargets(members, czar, sender, key, { fanout, redundancy })) {
        copies.set(t, (copies.get(t) ?? 0) + 1);
        if (!hops.has(t)) {
          hops.set(t, hop);
          next.push(t);
        }
      }
    }
    frontier = next;
  }
  return { copies, hops };
}

describe('gossip relay plan', () => {
  it('[R15] direct mode: the czar sends to every peer, each peer to one ring neighbour (2 copies each, 1 hop)', () => {
    const members = peers(8);
    const czar = members[3]!;
    const { copies, hops } = spread(members, czar, relayKey('s', 1, 1, 0), members.length, 2);
    expect(relayTargets(members, czar, czar, 7, { fanout: 8, redundancy: 2 }).sort()).toEqual(members.filter((p) => p !== czar).sort());
    for (const p of members) {
      if (p === czar) continue;
      expect(copies.get(p)).toBe(2);
      expect(hops.get(p)).toBe(1);
    }
    expect(copies.has(czar)).toBe(false);
  });

  it('[R15] gossip mode reaches every peer in ⌈log_f N⌉ hops, the czar sending only `fanout` copies (property, 300 random rooms)', () => {
    const seed = 4242;
    const rng = new SeededRng(seed);
    for (let i = 0; i < 300; i++) {
      const n = 2 + randomInt(rng, 120);
      const fanout = 2 + randomInt(rng, 16);
      const redundancy = 1 + randomInt(rng, 3);
      const members = peers(n);
      const czar = members[randomInt(rng, n)]!;
      const key = rng.nextUint32();
      const { copies, hops } = spread(members, czar, key, fanout, redundancy);
      const label = `seed ${seed} case ${i}: n ${n} f ${fanout} r ${redundancy}`;
      expect(relayTargets(members, czar, czar, key, { fanout, redundancy }).length, label).toBe(Math.min(fanout, n - 1));
      for (const p of members) {
        if (p === czar) continue;
        expect(hops.get(p), `${label}: ${p} unreached`).toBeDefined();
        expect(hops.get(p)!, label).toBeLessThanOrEqual(relayHops(n - 1, fanout));
        // [R16]: layer 1 gets min(r, 2) copies (when it has 2+ peers); later layers r (when the parent layer has r peers).
        expect(copies.get(p)!, label).toBeGreaterThanOrEqual(Math.min(redundancy, 2, Math.min(fanout, n - 1)));
      }
    }
  });

  it('[R16] redundancy 3: peers beyond layer 1 get three copies from three distinct parents', () => {
    const members = peers(32);
    const czar = members[0]!;
    const key = relayKey('w0', 4, 99, 0x0d);
    const order = relayOrder(members.filter((p) => p !== czar).sort(), key);
    const layer2 = order.slice(16);
    const { copies } = spread(members, czar, key, 16, 3);
    for (const p of layer2) expect(copies.get(p)).toBe(3);
    for (const p of order.slice(0, 16)) expect(copies.get(p)).toBe(2);
  });

  it('[R15] the same plan on every peer whatever the order of its member list; the relay order rotates per message', () => {
    const members = peers(40);
    const shuffled = relayOrder(members, 12345);
    for (const self of members) {
      expect(relayTargets(shuffled, members[5]!, self, 777, { fanout: 8, redundancy: 2 })).toEqual(relayTargets(members, members[5]!, self, 777, { fanout: 8, redundancy: 2 }));
    }
    expect(relayOrder(members, relayKey('s', 1, 1, 0))).not.toEqual(relayOrder(members, relayKey('s', 1, 2, 0)));
  });

  it('[R15] a peer missing from the view forwards nothing; a lone czar sends nothing', () => {
    const members = peers(20);
    expect(relayTargets(members, members[0]!, asPeerId('stranger'), 1, { fanout: 4, redundancy: 2 })).toEqual([]);
    expect(relayTargets([members[0]!], members[0]!, members[0]!, 1, { fanout: 4, redundancy: 2 })).toEqual([]);
    expect(relayHops(0, 4)).toBe(0);
    expect(relayHops(63, 16)).toBe(2);
    expect(relayHops(63, 63)).toBe(1);
  });
});
