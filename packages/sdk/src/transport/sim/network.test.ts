import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../errors.js';
import { VirtualClock } from '../../util/clock.js';
import { SeededRng, randomInt } from '../../util/rng.js';
import { MAX_MESSAGE_BYTES, type Channel, type PeerId } from '../types.js';
import type { MeshPolicy } from '../mesh.js';
import { SimNetwork } from './network.js';

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);
const connectedAll = (net: SimNetwork, n: number): boolean => net.transports().every((t) => t.peers().length === n - 1);

describe('SimNetwork joining', () => {
  it('connects a joiner to everyone in its room after one link latency, on both sides', () => {
    const net = new SimNetwork({ seed: 1, defaultLink: { latencyMs: 40 } });
    const a = net.join('a');
    const b = net.join('b');
    const joined: Array<[string, string, number]> = [];
    a.on('peer-joined', (e) => joined.push(['a', e.peer, net.now()]));
    b.on('peer-joined', (e) => joined.push(['b', e.peer, net.now()]));
    net.run(39);
    expect(a.peers()).toEqual([]);
    expect(() => a.send(b.localId, 'control', bytes(1))).toThrow(expect.objectContaining({ code: ErrorCode.UnknownPeer }));
    net.run(1);
    // Same instant on both sides; the peer that was dialled hears first.
    expect(joined).toEqual([
      ['a', 'b', 40],
      ['b', 'a', 40],
    ]);
    expect(a.peers()).toEqual([b.localId]);
  });

  it('keeps rooms apart on one network', () => {
    const net = new SimNetwork({ seed: 2 });
    const r1 = [net.join('x1', { room: 'one' }), net.join('x2', { room: 'one' })];
    const r2 = [net.join('y1', { room: 'two' }), net.join('y2', { room: 'two' }), net.join('y3', { room: 'two' })];
    net.run(100);
    expect(r1.map((t) => t.peers())).toEqual([['x2'], ['x1']]);
    expect(r2.map((t) => t.peers().length)).toEqual([2, 2, 2]);
    expect(net.roomMembers('two')).toEqual(['y1', 'y2', 'y3']);
    expect(() => r1[0]!.send('y1' as PeerId, 'control', bytes(1))).toThrow(expect.objectContaining({ code: ErrorCode.UnknownPeer }));
  });

  it('draws ids from the seed: same seed, same ids; distinct within a network', () => {
    const ids = (seed: number): string[] => {
      const net = new SimNetwork({ seed });
      return Array.from({ length: 20 }, () => net.join().localId);
    };
    expect(ids(5)).toEqual(ids(5));
    expect(new Set(ids(5)).size).toBe(20);
    expect(ids(5)).not.toEqual(ids(6));
    expect(ids(5)[0]).toMatch(/^sim-[0-9a-z]{8}$/);
  });

  it('lets a MeshPolicy choose whom a joiner dials', () => {
    const seen: Array<readonly PeerId[]> = [];
    // A star: everyone dials only the first peer of the room.
    const star: MeshPolicy = (_self, candidates) => {
      seen.push([...candidates]); // the list is only valid during the call
      return candidates.slice(0, 1).concat(['not-a-candidate' as PeerId]);
    };
    const net = new SimNetwork({ seed: 3, transport: { mesh: star } });
    const ts = ['hub', 's1', 's2', 's3'].map((id) => net.join(id));
    net.run(100);
    expect(seen).toEqual([[], ['hub'], ['hub', 's1'], ['hub', 's1', 's2']]);
    expect(ts.map((t) => t.peers())).toEqual([['s1', 's2', 's3'], ['hub'], ['hub'], ['hub']]);
  });

  it('dial() repairs a mesh the policy left partial, and reports a dial to a stranger', () => {
    const none: MeshPolicy = () => [];
    const net = new SimNetwork({ seed: 5, transport: { mesh: none } });
    const a = net.join('a');
    const b = net.join('b');
    net.join('elsewhere', { room: 'other' });
    net.run(100);
    expect(a.peers()).toEqual([]);
    const errors: string[] = [];
    a.on('error', (e) => errors.push(e.code));
    a.dial(b.localId);
    a.dial(b.localId); // already dialing: no second connection
    net.run(10);
    expect(a.peers()).toEqual([b.localId]);
    expect(b.peers()).toEqual([a.localId]);
    a.dial(b.localId); // already connected: nothing happens
    a.dial('elsewhere' as PeerId);
    net.run(100);
    expect(errors).toEqual([ErrorCode.PeerConnectionFailed]);
    expect(net.stats().links.filter((l) => l.from === 'a' && l.to === 'b').length).toBe(1);
  });

  it('validates ids and options', () => {
    const net = new SimNetwork({ seed: 4 });
    expect(() => net.join('')).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArgument }));
    expect(() => net.join('a', { keepAliveMs: 0 })).toThrow(/keepAliveMs/);
    expect(() => net.join('a', { room: '' })).toThrow(/room/);
    expect(() => net.join('a', { keepAliveMs: 5_000 })).toThrow(/must exceed keepAliveMs/);
    expect(() => new SimNetwork({ seed: 1, transport: { peerTimeoutMs: 500 } })).toThrow(/must exceed keepAliveMs/);
    expect(() => net.crash('ghost')).toThrow(/ghost/);
    expect(() => new SimNetwork({ seed: 1.5 })).toThrow(/seed/);
    net.join('a');
    expect(() => net.join('a')).toThrow(expect.objectContaining({ code: ErrorCode.PeerIdUnavailable }));
  });
});

describe('SimTransport sends', () => {
  it('rejects bad sends with the documented codes', () => {
    const net = new SimNetwork({ seed: 10 });
    const a = net.join('a');
    const b = net.join('b');
    net.run(20);
    const code = (fn: () => void): string | undefined => {
      try {
        fn();
      } catch (err) {
        return (err as { code?: string }).code;
      }
      return undefined;
    };
    expect(code(() => a.send('zz' as PeerId, 'state', bytes(1)))).toBe(ErrorCode.UnknownPeer);
    expect(code(() => a.send(b.localId, 'fast' as Channel, bytes(1)))).toBe(ErrorCode.InvalidArgument);
    expect(code(() => a.send(b.localId, 'state', [1, 2] as unknown as Uint8Array))).toBe(ErrorCode.InvalidMessage);
    expect(code(() => a.send(b.localId, 'control', new Uint8Array(MAX_MESSAGE_BYTES + 1)))).toBe(ErrorCode.InvalidMessage);
    expect(code(() => a.send(b.localId, 'control', new Uint8Array(MAX_MESSAGE_BYTES)))).toBeUndefined();
    expect(a.bufferedAmount('zz' as PeerId, 'state')).toBe(0);
    void a.close();
    expect(code(() => a.send(b.localId, 'state', bytes(1)))).toBe(ErrorCode.Closed);
    net.run(20);
    expect(net.stats().total.sent).toBe(1);
  });

  it('copies on send, so the sender may reuse its buffer', () => {
    const net = new SimNetwork({ seed: 11 });
    const a = net.join('a');
    const b = net.join('b');
    net.run(20);
    const got: Uint8Array[] = [];
    b.on('message', (m) => got.push(m.data));
    const buf = bytes(1, 2, 3, 4);
    a.send(b.localId, 'control', buf.subarray(1, 3));
    buf.fill(0);
    a.send(b.localId, 'state', buf);
    net.run(20);
    expect(got.map((d) => Array.from(d))).toEqual([
      [2, 3],
      [0, 0, 0, 0],
    ]);
    expect(got[0]!.buffer).not.toBe(buf.buffer);
  });

  it('never surfaces keep-alives as messages, yet they keep idle peers connected', () => {
    const net = new SimNetwork({ seed: 12 });
    const ts = [net.join('a'), net.join('b'), net.join('c')];
    let messages = 0;
    for (const t of ts) t.on('message', () => messages++);
    net.run(60_000);
    expect(messages).toBe(0);
    expect(connectedAll(net, 3)).toBe(true);
    expect(net.stats().internal).toBeGreaterThan(300); // 6 links x ~60 keep-alives
    expect(net.stats().total.sent).toBe(0);
  });
});

describe('SimNetwork time and stats', () => {
  it('runUntil stops at the instant the predicate holds, or reports failure at the budget', () => {
    const clock = new VirtualClock(1_000);
    const net = new SimNetwork({ seed: 20, clock, defaultLink: { latencyMs: 25 } });
    const a = net.join('a');
    net.join('b');
    expect(net.runUntil(() => a.peers().length === 1, 1_000)).toBe(true);
    expect(clock.now()).toBe(1_025);
    expect(net.runUntil(() => false, 500)).toBe(false);
    expect(clock.now()).toBe(1_525);
  });

  it('counts per link and per peer, and resets', () => {
    const net = new SimNetwork({ seed: 21 });
    const a = net.join('a');
    const b = net.join('b');
    const c = net.join('c');
    net.run(20);
    a.send(b.localId, 'control', new Uint8Array(10));
    a.send(c.localId, 'state', new Uint8Array(20));
    b.send(a.localId, 'state', new Uint8Array(5));
    net.run(20);
    const s = net.stats();
    expect(s.total).toMatchObject({ sent: 3, delivered: 3, bytesSent: 35, bytesDelivered: 35 });
    expect(s.control.sent).toBe(1);
    expect(s.state.sent).toBe(2);
    const ab = s.links.find((l) => l.from === 'a' && l.to === 'b')!;
    expect(ab.control).toMatchObject({ sent: 1, delivered: 1, bytesSent: 10 });
    expect(net.peerStats('a').sent).toMatchObject({ sent: 2, bytesSent: 30 });
    expect(net.peerStats('a').received).toMatchObject({ delivered: 1, bytesDelivered: 5 });
    // Snapshots do not move with the network.
    a.send(b.localId, 'control', new Uint8Array(1));
    expect(ab.control.sent).toBe(1);
    net.resetStats();
    expect(net.stats().total.sent).toBe(0);
  });

  it('dispose() stops everything without events', () => {
    const net = new SimNetwork({ seed: 22 });
    const a = net.join('a');
    const b = net.join('b');
    net.run(20);
    let events = 0;
    for (const t of [a, b]) for (const e of ['peer-left', 'closed', 'message'] as const) t.on(e, () => events++);
    a.send(b.localId, 'control', bytes(1));
    net.dispose();
    net.run(10_000);
    expect(events).toBe(0);
    expect(a.closed && b.closed).toBe(true);
    expect(() => net.join('c')).toThrow(expect.objectContaining({ code: ErrorCode.Closed }));
  });
});

describe('SimNetwork determinism', () => {
  /** A chaotic run: random traffic, partition, heal, crash, pause. Returns every event with its time. */
  function trace(seed: number): string[] {
    const net = new SimNetwork({
      seed,
      defaultLink: { latencyMs: 15, jitterMs: 40, loss: 0.05, duplicate: 0.03, reorder: 0.1, bandwidthBytesPerSec: 200_000 },
    });
    const traffic = new SeededRng(seed ^ 0x7777);
    const out: string[] = [];
    const ts = Array.from({ length: 5 }, () => net.join());
    for (const t of ts) {
      const me = t.localId;
      t.on('peer-joined', (e) => out.push(`${net.now().toFixed(3)} ${me} joined ${e.peer}`));
      t.on('peer-left', (e) => out.push(`${net.now().toFixed(3)} ${me} left ${e.peer} ${e.reason}`));
      t.on('message', (e) => out.push(`${net.now().toFixed(3)} ${me} ${e.channel} ${e.peer} ${Array.from(e.data).join('.')}`));
    }
    for (let step = 0; step < 400; step++) {
      if (step === 40) net.partition([ts[0]!.localId, ts[1]!.localId]);
      if (step === 180) net.heal();
      if (step === 220) net.crash(ts[4]!.localId);
      if (step === 260) net.pause(ts[3]!.localId, 1_500);
      const from = ts[randomInt(traffic, 4)]!;
      const peers = from.peers();
      if (!from.crashed && peers.length > 0) {
        const to = peers[randomInt(traffic, peers.length)]!;
        const channel: Channel = randomInt(traffic, 2) === 0 ? 'control' : 'state';
        from.send(to, channel, Uint8Array.from({ length: 1 + randomInt(traffic, 6) }, () => randomInt(traffic, 256)));
      }
      net.run(50);
    }
    net.run(10_000);
    return out;
  }

  it('replays the same trace from the same seed and a different one from another seed', () => {
    for (const seed of [1, 99, 12345]) {
      const first = trace(seed);
      expect(first.length, `seed ${seed}: trace too short to mean anything`).toBeGreaterThan(300);
      expect(first.some((l) => l.includes(' left ')), `seed ${seed}: the chaos produced no leave`).toBe(true);
      expect(trace(seed), `seed ${seed}`).toEqual(first);
      expect(trace(seed + 1), `seeds ${seed} and ${seed + 1}`).not.toEqual(first);
    }
  });
});
