import { describe, expect, it } from 'vitest';
import { SeededRng } from '../util/rng.js';
import { ConnectionBudget, DEFAULT_MAX_CONNECTIONS, fullMesh, interestMesh, randomMesh } from './mesh.js';
import { SimNetwork } from './sim/index.js';
import { asPeerId, type PeerId } from './types.js';

const ids = (n: number, prefix = 'p'): PeerId[] => Array.from({ length: n }, (_, i) => asPeerId(`${prefix}${i}`));
const ctx = (seed = 1) => ({ room: 'r', now: 0, rng: new SeededRng(seed) });

describe('fullMesh', () => {
  it('dials every candidate', () => {
    const [a, b, c] = ['a', 'b', 'c'].map(asPeerId) as [ReturnType<typeof asPeerId>, ReturnType<typeof asPeerId>, ReturnType<typeof asPeerId>];
    expect(fullMesh(b, [a, c], ctx())).toEqual([a, c]);
    expect(fullMesh(a, [], ctx())).toEqual([]);
  });
});

describe('randomMesh', () => {
  it('dials k distinct candidates, or all of them when fewer', () => {
    const candidates = ids(100);
    const picked = randomMesh(5)(asPeerId('me'), candidates, ctx(3));
    expect(new Set(picked).size).toBe(5);
    for (const p of picked) expect(candidates).toContain(p);
    expect(randomMesh(5)(asPeerId('me'), ids(3), ctx())).toEqual(ids(3));
    expect(() => randomMesh(-1)).toThrow(/integer/);
  });
});

describe('interestMesh', () => {
  it('dials the peers sharing interest first, then random ones, at most half the cap', () => {
    const candidates = ids(200);
    const sharing = ids(30);
    const policy = interestMesh({ sharing: () => sharing, maxConnections: 24, random: 2 });
    const picked = policy(asPeerId('me'), candidates, ctx(9));
    expect(picked).toHaveLength(12);
    expect(picked.slice(0, 10)).toEqual(sharing.slice(0, 10));
    for (const p of picked.slice(10)) expect(sharing.slice(0, 10)).not.toContain(p);
    expect(new Set(picked).size).toBe(12);
    // Few sharing peers: the rest of the half goes to random ones.
    const few = interestMesh({ sharing: () => ids(3) })(asPeerId('me'), candidates, ctx(2));
    expect(few).toHaveLength(DEFAULT_MAX_CONNECTIONS / 2);
    expect(few.slice(0, 3)).toEqual(ids(3));
    expect(() => interestMesh({ sharing: () => [], maxConnections: 0 })).toThrow(/maxConnections/);
  });

  it('keeps a 2,000-peer simulated room near the cap when interest is local', () => {
    const net = new SimNetwork({ seed: 5, transport: { keepAliveMs: 60_000, peerTimeoutMs: 120_000 } });
    const n = 2_000;
    const side = Math.sqrt(n);
    const at = (i: number): [number, number] => [i % side, Math.floor(i / side)];
    // Peers share interest when within 2 cells: the nearest ones first.
    const sharing = (self: PeerId): PeerId[] => {
      const [x, y] = at(Number(self.slice(1)));
      const out: Array<[number, PeerId]> = [];
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
        const j = (y + dy) * side + (x + dx);
        if ((dx || dy) && x + dx >= 0 && x + dx < side && j >= 0 && j < n) out.push([Math.abs(dx) + Math.abs(dy), asPeerId(`p${j}`)]);
      }
      return out.sort((a, b) => a[0] - b[0]).map(([, p]) => p);
    };
    const mesh = interestMesh({ sharing, maxConnections: 24 });
    const ts = ids(n).map((id) => net.join(id, { mesh }));
    net.run(1_000);
    const degrees = ts.map((t) => t.peers().length);
    expect(Math.max(...degrees)).toBeLessThanOrEqual(24);
    expect(degrees.reduce((a, b) => a + b, 0) / n).toBeLessThanOrEqual(24);
    expect(Math.min(...degrees)).toBeGreaterThanOrEqual(3);
    net.dispose();
  });
});

describe('ConnectionBudget', () => {
  it('dials under the cap only, counting refusals, and frees pending dials once they connect', () => {
    const net = new SimNetwork({ seed: 1, transport: { mesh: () => [] } });
    const peers = ids(6).map((id) => net.join(id));
    const me = peers[0]!;
    const budget = new ConnectionBudget(me, 3);
    expect(budget.dial(asPeerId('p1'))).toBe(true);
    expect(budget.dial(asPeerId('p1'))).toBe(true);
    expect(budget.dial(asPeerId('p2'))).toBe(true);
    expect(budget.dial(asPeerId('p3'))).toBe(true);
    expect(budget.used).toBe(3);
    expect(budget.dial(asPeerId('p4'))).toBe(false);
    expect(budget.refused).toBe(1);
    net.run(100);
    expect(me.peers()).toHaveLength(3);
    expect(budget.used).toBe(3);
    expect(budget.dial(asPeerId('p5'))).toBe(false);
    expect(budget.refused).toBe(2);
    // A required dial goes through the cap, and is counted.
    expect(budget.dial(asPeerId('p5'), true)).toBe(true);
    expect(budget.overCap).toBe(1);
    net.run(100);
    expect(me.peers()).toHaveLength(4);
    expect(budget.dial(me.localId)).toBe(false);
    budget.dispose();
    net.dispose();
  });

  it('prunes down to the cap: only connections not kept, past their grace, oldest first; both sides stay in the room', () => {
    const net = new SimNetwork({ seed: 2, transport: { mesh: () => [] } });
    const peers = ids(7).map((id) => net.join(id));
    const me = peers[0]!;
    const budget = new ConnectionBudget(me, 3, { graceMs: 1_000, protectMs: 10_000 });
    for (const p of ids(4).slice(1)) budget.dial(p, true);
    net.run(100);
    // Two more connect to us: over the cap (3) by 2.
    peers[4]!.dial(me.localId);
    peers[5]!.dial(me.localId);
    net.run(100);
    expect(me.peers()).toHaveLength(5);
    const left: string[] = [];
    peers[1]!.on('peer-left', ({ peer, reason }) => left.push(`${peer}:${reason}`));
    const keep = new Set<PeerId>([asPeerId('p2')]);
    // Within the grace nothing goes.
    expect(budget.prune(net.now(), (p) => keep.has(p))).toBe(0);
    net.run(500);
    expect(budget.prune(net.now(), (p) => keep.has(p))).toBe(0);
    net.run(600);
    // p1..p5 all first seen at the same prune; ties by id: p1 and p3 go (p2 is kept).
    expect(budget.prune(net.now(), (p) => keep.has(p))).toBe(2);
    expect(budget.hungUp).toBe(2);
    expect([...me.peers()].sort()).toEqual(['p2', 'p4', 'p5']);
    net.run(100);
    expect(left).toEqual(['p0:hung-up']);
    expect(peers[3]!.peers()).not.toContain(me.localId);
    // Under the cap: nothing more, even unkept.
    expect(budget.prune(net.now(), () => false)).toBe(0);
    budget.dispose();
    net.dispose();
  });

  it('keeps a peer that dialled back after a hang-up for protectMs, then may prune it again', () => {
    const net = new SimNetwork({ seed: 3, transport: { mesh: () => [] } });
    const peers = ids(4).map((id) => net.join(id));
    const me = peers[0]!;
    const budget = new ConnectionBudget(me, 1, { graceMs: 0, protectMs: 5_000 });
    budget.dial(asPeerId('p1'), true);
    budget.dial(asPeerId('p2'), true);
    net.run(100);
    expect(budget.prune(net.now(), (p) => p === asPeerId('p1'))).toBe(1);
    net.run(100);
    // p2 needs us: it dials back.
    peers[2]!.dial(me.localId);
    net.run(100);
    expect(budget.redialled).toBe(1);
    expect(budget.prune(net.now(), (p) => p === asPeerId('p1'))).toBe(0);
    net.run(4_000);
    expect(budget.prune(net.now(), (p) => p === asPeerId('p1'))).toBe(0);
    net.run(1_100);
    expect(budget.prune(net.now(), (p) => p === asPeerId('p1'))).toBe(1);
    // A peer we dial again ourselves is not "dialled back".
    net.run(100);
    budget.dial(asPeerId('p2'), true);
    net.run(100);
    expect(budget.redialled).toBe(1);
    expect(budget.prune(net.now(), (p) => p === asPeerId('p1'))).toBe(1);
    expect(() => new ConnectionBudget(me, 3, { graceMs: -1 })).toThrow(/graceMs/);
    budget.dispose();
    net.dispose();
  });
});
