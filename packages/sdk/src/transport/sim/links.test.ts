import { SimLink, type Packet } from './model.js';
import { describe, expect, it } from 'vitest';
import { asPeerId, type Channel, type PeerId } from '../types.js';
import { SeededRng } from '../../util/rng.js';
import { SimNetwork } from './network.js';
import type { LinkOptions } from './options.js';
import type { SimTransport } from './transport.js';

interface Arrival {
  readonly at: number;
  readonly channel: Channel;
  readonly index: number;
}

/** Two connected peers a → b on a network whose links all have `link`; b's arrivals are recorded. */
function pair(seed: number, link: Partial<LinkOptions>, peerTimeoutMs = 5_000) {
  const net = new SimNetwork({ seed, defaultLink: link, transport: { peerTimeoutMs } });
  const a = net.join('a');
  const b = net.join('b');
  const ok = net.runUntil(() => a.peers().includes(b.localId) && b.peers().includes(a.localId), 1_000);
  if (!ok) throw new Error(`a and b did not connect (seed ${seed})`);
  const arrivals: Arrival[] = [];
  b.on('message', (m) => arrivals.push({ at: net.now(), channel: m.channel, index: decode(m.data) }));
  return { net, a, b, arrivals };
}

/** A message carrying its index in its first four bytes, padded to `size`. */
function encode(index: number, size = 4): Uint8Array {
  const bytes = new Uint8Array(Math.max(4, size));
  new DataView(bytes.buffer).setUint32(0, index);
  return bytes;
}
const decode = (data: Uint8Array): number => new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0);

/** Sends `count` messages, one every `gapMs` of virtual time. Returns the send time of each. */
function sendSpaced(net: SimNetwork, from: SimTransport, to: PeerId, channel: Channel, count: number, gapMs: number): number[] {
  const sentAt: number[] = [];
  for (let i = 0; i < count; i++) {
    sentAt.push(net.now());
    from.send(to, channel, encode(i));
    net.run(gapMs);
  }
  return sentAt;
}

const inversions = (xs: readonly number[]): number => xs.reduce((n, x, i) => n + (i > 0 && x < xs[i - 1]! ? 1 : 0), 0);

describe('SimNetwork links', () => {
  it('delays every packet by latency plus jitter in [0, jitterMs), spread over the whole range', () => {
    for (const seed of [1, 2, 3]) {
      const { net, a, b, arrivals } = pair(seed, { latencyMs: 30, jitterMs: 20 });
      const sentAt = sendSpaced(net, a, b.localId, 'state', 400, 1);
      net.run(100);
      expect(arrivals.length, `seed ${seed}`).toBe(400);
      const delays = arrivals.map((r) => r.at - sentAt[r.index]!);
      expect(Math.min(...delays), `seed ${seed}`).toBeGreaterThanOrEqual(30);
      expect(Math.max(...delays), `seed ${seed}`).toBeLessThan(50);
      // Uniform jitter over 400 samples reaches both ends of the range.
      expect(Math.min(...delays), `seed ${seed}`).toBeLessThan(31);
      expect(Math.max(...delays), `seed ${seed}`).toBeGreaterThan(49);
    }
  });

  it('delays exactly by latency when there is no jitter', () => {
    const seed = 7;
    const { net, a, b, arrivals } = pair(seed, { latencyMs: 25 });
    const sentAt = sendSpaced(net, a, b.localId, 'control', 20, 3);
    net.run(50);
    expect(arrivals.map((r) => r.at - sentAt[r.index]!), `seed ${seed}`).toEqual(Array(20).fill(25));
  });

  it('loses about `loss` of state messages and counts them', () => {
    for (const seed of [11, 12, 13]) {
      const { net, a, b, arrivals } = pair(seed, { loss: 0.1 });
      for (let i = 0; i < 5_000; i++) a.send(b.localId, 'state', encode(i));
      net.run(100);
      const rate = 1 - arrivals.length / 5_000;
      // sd of the rate is ~0.42%: a 3-point band is > 7 sd, yet a rate of 0 or 0.2 fails.
      expect(rate, `seed ${seed}`).toBeGreaterThan(0.07);
      expect(rate, `seed ${seed}`).toBeLessThan(0.13);
      const s = net.stats().state;
      expect(s.sent, `seed ${seed}`).toBe(5_000);
      expect(s.lost + s.delivered, `seed ${seed}`).toBe(5_000);
      expect(s.delivered, `seed ${seed}`).toBe(arrivals.length);
    }
  });

  it('duplicates about `duplicate` of state messages, each copy owned separately', () => {
    const seed = 21;
    const { net, a, b } = pair(seed, { duplicate: 0.2 });
    const copies = new Map<number, Uint8Array[]>();
    b.on('message', (m) => {
      const i = decode(m.data);
      copies.set(i, [...(copies.get(i) ?? []), m.data]);
    });
    for (let i = 0; i < 2_000; i++) a.send(b.localId, 'state', encode(i, 8));
    net.run(100);
    const dupes = [...copies.values()].filter((c) => c.length === 2);
    expect(copies.size, `seed ${seed}`).toBe(2_000);
    expect([...copies.values()].every((c) => c.length <= 2), `seed ${seed}`).toBe(true);
    expect(dupes.length / 2_000, `seed ${seed}`).toBeGreaterThan(0.16);
    expect(dupes.length / 2_000, `seed ${seed}`).toBeLessThan(0.24);
    expect(net.stats().state.duplicated, `seed ${seed}`).toBe(dupes.length);
    const [first, second] = dupes[0]!;
    first![5] = 99;
    expect(second![5], `seed ${seed}: a duplicate shares its buffer with the original`).toBe(0);
  });

  it('reorders state messages when `reorder` is set, and not otherwise', () => {
    const seed = 31;
    const steady = pair(seed, { latencyMs: 10 });
    sendSpaced(steady.net, steady.a, steady.b.localId, 'state', 300, 1);
    steady.net.run(100);
    expect(inversions(steady.arrivals.map((r) => r.index)), `seed ${seed}`).toBe(0);

    const shaken = pair(seed, { latencyMs: 10, reorder: 0.2, reorderDelayMs: 40 });
    sendSpaced(shaken.net, shaken.a, shaken.b.localId, 'state', 300, 1);
    shaken.net.run(100);
    expect(shaken.arrivals, `seed ${seed}`).toHaveLength(300);
    const inv = inversions(shaken.arrivals.map((r) => r.index));
    // ~60 held-back packets, each overtaken by several: plenty of inversions, but not a shuffle.
    expect(inv, `seed ${seed}`).toBeGreaterThan(20);
    expect(inv, `seed ${seed}`).toBeLessThan(150);
  });

  it('delivers control messages all, once, in order, under loss, jitter, duplication and reordering', () => {
    for (const seed of [41, 42, 43]) {
      const { net, a, b, arrivals } = pair(seed, { latencyMs: 20, jitterMs: 50, loss: 0.3, duplicate: 0.5, reorder: 0.5 }, 60_000);
      sendSpaced(net, a, b.localId, 'control', 500, 2);
      net.run(30_000);
      expect(arrivals.map((r) => r.index), `seed ${seed}`).toEqual(Array.from({ length: 500 }, (_, i) => i));
      const c = net.stats().control;
      expect(c.retransmits, `seed ${seed}`).toBeGreaterThan(100);
      expect(c.duplicated + c.lost, `seed ${seed}`).toBe(0);
      // Arrival times never decrease on a link.
      expect(arrivals.every((r, i) => i === 0 || r.at >= arrivals[i - 1]!.at), `seed ${seed}`).toBe(true);
    }
  });

  it('turns control loss into retransmission delay: RTO max(200, 2 RTT), doubling per attempt', () => {
    const seed = 51;
    const { net, a, b, arrivals } = pair(seed, { latencyMs: 10, loss: 0.5 }, 120_000);
    // 10 s apart, so no message waits behind another.
    const sentAt = sendSpaced(net, a, b.localId, 'control', 40, 10_000);
    net.run(10_000);
    expect(arrivals, `seed ${seed}`).toHaveLength(40);
    const delays = arrivals.map((r) => r.at - sentAt[r.index]!);
    const allowed = [10, 210, 610, 1_410, 3_010, 6_210];
    expect(delays.filter((d) => !allowed.includes(d)), `seed ${seed}`).toEqual([]);
    expect(new Set(delays).size, `seed ${seed}: loss 0.5 should produce several retry counts`).toBeGreaterThanOrEqual(3);
    expect(net.stats().control.retransmits, `seed ${seed}`).toBe(delays.reduce((n, d) => n + allowed.indexOf(d), 0));
  });

  it('serializes at the bandwidth cap, shares it across channels and reports bufferedAmount', () => {
    const seed = 61;
    const { net, a, b, arrivals } = pair(seed, { latencyMs: 10, bandwidthBytesPerSec: 10_000 });
    const t0 = net.now();
    for (let i = 0; i < 5; i++) a.send(b.localId, 'control', encode(i, 1_000));
    a.send(b.localId, 'state', encode(5, 500));
    expect(a.bufferedAmount(b.localId, 'control')).toBe(5_000);
    expect(a.bufferedAmount(b.localId, 'state')).toBe(500);
    expect(b.bufferedAmount(a.localId, 'control')).toBe(0);
    net.run(250);
    // 1,000 bytes take 100 ms: two messages are out, the third is on the wire.
    expect(a.bufferedAmount(b.localId, 'control')).toBe(3_000);
    net.run(500);
    expect(a.bufferedAmount(b.localId, 'control')).toBe(0);
    expect(a.bufferedAmount(b.localId, 'state')).toBe(0);
    expect(arrivals.map((r) => [r.index, r.at - t0]), `seed ${seed}`).toEqual([
      [0, 110],
      [1, 210],
      [2, 310],
      [3, 410],
      [4, 510],
      [5, 560],
    ]);
  });

  it('applies per-direction overrides on top of the default', () => {
    const seed = 71;
    const { net, a, b, arrivals } = pair(seed, { latencyMs: 10 });
    const back: number[] = [];
    a.on('message', () => back.push(net.now()));
    net.setLink('a', 'b', { latencyMs: 100 });
    expect(net.linkOptions('a', 'b').latencyMs).toBe(100);
    expect(net.linkOptions('b', 'a').latencyMs).toBe(10);
    const t0 = net.now();
    a.send(b.localId, 'state', encode(0));
    b.send(a.localId, 'state', encode(0));
    net.run(200);
    expect(arrivals.map((r) => r.at - t0), `seed ${seed}`).toEqual([100]);
    expect(back.map((t) => t - t0), `seed ${seed}`).toEqual([10]);
    net.setLinkBoth('a', 'b', { loss: 1 });
    const before = arrivals.length;
    a.send(b.localId, 'state', encode(1));
    net.run(200);
    expect(arrivals.length).toBe(before);
    expect(net.linkOptions('a', 'b')).toMatchObject({ latencyMs: 100, loss: 1 });
    net.clearLinkOverrides();
    expect(net.linkOptions('a', 'b')).toMatchObject({ latencyMs: 10, loss: 0 });
  });

  it('rejects link options outside their range', () => {
    const net = new SimNetwork({ seed: 1 });
    expect(() => net.setDefaultLink({ loss: 1.5 })).toThrow(/loss/);
    expect(() => net.setLink('a', 'b', { latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => net.setLink('a', 'b', { bandwidthBytesPerSec: 0 })).toThrow(/bandwidth/);
    expect(() => new SimNetwork({ seed: 1, defaultLink: { duplicate: Number.NaN } })).toThrow(/duplicate/);
  });
});

describe('SimLink control queue', () => {
  it('keeps no packet it delivered: a simulation of thousands of links would hold them all', () => {
    const link = new SimLink(undefined as never, asPeerId('b'), new SeededRng(1), undefined as never);
    const packet = (n: number) => ({ at: n }) as unknown as Packet;
    for (let i = 0; i < 10; i++) link.controlQueue.push(packet(i));
    for (let i = 0; i < 10; i++) expect(link.shiftControl()).toBeDefined();
    expect(link.controlPending).toBe(0);
    expect(link.controlQueue).toHaveLength(0);
    for (let i = 0; i < 500; i++) {
      link.controlQueue.push(packet(i), packet(i + 1));
      link.shiftControl();
      link.shiftControl();
      expect(link.controlQueue).toHaveLength(0);
    }
    expect(link.shiftControl()).toBeUndefined();
  });
});
