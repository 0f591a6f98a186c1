import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../transport/sim/index.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import type { Message } from '../wire/messages.js';
import { PeerLinks } from './links.js';
import { decoderView, samplesView } from './positions-view.js';
import { PositionStreamDecoder, PositionStreamEncoder } from './positions.js';

function pair(seed: number): { net: SimNetwork; a: PeerLinks; b: PeerLinks; got: Array<[PeerId, Message]>; errors: unknown[] } {
  const net = new SimNetwork({ seed, defaultLink: { latencyMs: 15 } });
  const ta = net.join('a');
  const tb = net.join('b');
  const got: Array<[PeerId, Message]> = [];
  const errors: unknown[] = [];
  const make = (t: typeof ta, onMessage: (peer: PeerId, m: Message) => void): PeerLinks => {
    const links = new PeerLinks({ transport: t, clock: net.clock, maxPayloadBytes: 1 << 20, onMessage: (peer, _c, m) => onMessage(peer, m), onError: (e) => errors.push(e) });
    t.on('message', ({ peer, channel, data }) => links.receive(peer, channel, data));
    return links;
  };
  const b: PeerLinks = make(tb, (peer, m) => {
    got.push([peer, m]);
    if (m.type === 'ping') {
      b.send(peer, { type: 'pong', seq: m.seq, echo: m.sentAt, sentAt: net.now() });
      b.flush();
    }
  });
  const a: PeerLinks = make(ta, (peer, m) => {
    if (m.type === 'pong') a.pong(peer, m.seq, net.now());
  });
  net.run(100);
  return { net, a, b, got, errors };
}

describe('peer links', () => {
  it('batches queued messages into frames at flush and counts traffic per peer', () => {
    const { net, a, got } = pair(1);
    for (let i = 0; i < 5; i++) expect(a.send(asPeerId('b'), { type: 'goodbye', reason: `r${i}` })).toBe(true);
    expect(got).toHaveLength(0);
    a.flush();
    net.run(50);
    expect(got.map(([, m]) => (m.type === 'goodbye' ? m.reason : ''))).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    const m = a.metrics()['b']!;
    expect(m.messagesOut).toBe(5);
    expect(m.framesOut).toBe(1);
    expect(m.bytesOut).toBeGreaterThan(13);
  });

  it('measures round trips with its own pings and ignores pongs it did not ask for', () => {
    const { net, a } = pair(2);
    a.open(asPeerId('b'));
    a.pong(asPeerId('b'), 999, net.now());
    expect(a.srtt(asPeerId('b'))).toBeUndefined();
    a.ping(net.now());
    a.flush();
    net.run(100);
    expect(a.metrics()['b']!.rttMs).toBe(30);
    expect(a.srtt(asPeerId('b'))).toBe(30);
  });

  it('refuses peers without a connection and drops, without an error, what was queued for a peer that left', () => {
    const { net, a, errors } = pair(3);
    expect(a.send(asPeerId('nobody'), { type: 'goodbye', reason: 'x' })).toBe(false);
    a.send(asPeerId('b'), { type: 'goodbye', reason: 'late' });
    net.transport('b')!.close();
    a.flush();
    net.run(50);
    expect(errors).toEqual([]);
    a.close();
    expect(a.send(asPeerId('b'), { type: 'goodbye', reason: 'x' })).toBe(false);
  });
});

describe('positions view', () => {
  it('[R19] reads the same through the czar samples and a replica decoder', () => {
    const samples = [
      { id: 7, x: 10, y: -3 },
      { id: 2, x: 0, y: 5 },
    ];
    const decoder = new PositionStreamDecoder();
    decoder.apply(new PositionStreamEncoder().encode(samples).bytes);
    for (const view of [samplesView(samples), decoderView(decoder)]) {
      expect(view.size).toBe(2);
      expect(view.ids()).toEqual([2, 7]);
      expect(view.get(7)).toEqual({ x: 10, y: -3 });
      expect(view.get(3)).toBeUndefined();
      const seen: number[][] = [];
      view.forEach((id, x, y) => seen.push([id, x, y]));
      expect(seen).toEqual([
        [2, 0, 5],
        [7, 10, -3],
      ]);
    }
  });
});
