/**
 * PeerJsTransport behaviour beyond the shared conformance suite: channel settings, size limits,
 * glare, mesh policies, join failures, signal loss and clean shutdown. Real WebRTC (@roamhq/wrtc)
 * and the real signal service, in-process on loopback.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AnarchyError, ErrorCode } from '../../errors.js';
import { installNodeWebRtc } from '../../node.js';
import { SignalClient } from '../../signal-client.js';
import { MAX_MESSAGE_BYTES } from '../types.js';
import type { PeerId, Transport, TransportEvents } from '../types.js';
import { VirtualClock } from '../../util/clock.js';
import { loadPeerJs } from './peerjs-module.js';
import { sleep, startTestSignalServer, useTestSignalServer, waitUntil } from './test-support.node.js';
import { PeerJsTransport } from './transport.js';
import type { PeerJsTransportOptions } from './transport.js';

const WAIT_BUDGET_MS = 15_000;
const signal = useTestSignalServer();
const open: PeerJsTransport[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});
const waitFor = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, { budgetMs: WAIT_BUDGET_MS });

async function newRoom(url = signal().url): Promise<string> {
  return (await new SignalClient({ url }).createRoom({ maxPeers: 8 })).roomId;
}

async function join(room: string, extra: Partial<PeerJsTransportOptions> = {}): Promise<PeerJsTransport> {
  const t = await PeerJsTransport.join({ signalUrl: signal().url, room, keepAliveMs: 200, peerTimeoutMs: 1_000, ...extra });
  open.push(t);
  return t;
}

async function connectedPair(): Promise<[PeerJsTransport, PeerJsTransport]> {
  const room = await newRoom();
  const a = await join(room);
  const b = await join(room);
  await waitFor(() => a.peers().includes(b.localId) && b.peers().includes(a.localId), 'a and b connected');
  return [a, b];
}

function record<K extends keyof TransportEvents>(t: Transport, event: K): Array<TransportEvents[K]> {
  const seen: Array<TransportEvents[K]> = [];
  t.on(event, (e) => seen.push(e));
  return seen;
}

async function rejectionOf(promise: Promise<unknown>): Promise<AnarchyError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(AnarchyError);
    return err as AnarchyError;
  }
  throw new Error('expected a rejection');
}

describe('PeerJsTransport channels', () => {
  it('makes state unordered without retransmits and control reliable and ordered, on both sides', async () => {
    const [a, b] = await connectedPair();
    for (const [self, other] of [[a, b], [b, a]] as const) {
      expect(self.channelInfo(other.localId, 'state')).toEqual({ ordered: false, maxRetransmits: 0, readyState: 'open', label: 'anarchy-state' });
      const control = self.channelInfo(other.localId, 'control');
      expect(control).toMatchObject({ ordered: true, readyState: 'open', label: 'anarchy-control' });
      // Unlimited retransmits: browsers report null, @roamhq/wrtc reports its 65535 sentinel.
      expect([null, 65535]).toContain(control?.maxRetransmits);
    }
    expect(a.channelInfo('nobody' as PeerId, 'state')).toBeUndefined();
  });

  it('carries MAX_MESSAGE_BYTES whole on both channels, byte for byte', async () => {
    const [a, b] = await connectedPair();
    const got = record(b, 'message');
    const big = new Uint8Array(MAX_MESSAGE_BYTES).map((_, i) => (i * 7919) & 0xff);
    a.send(b.localId, 'control', big);
    a.send(b.localId, 'state', big);
    expect(a.bufferedAmount(b.localId, 'control')).toBeGreaterThanOrEqual(0);
    await waitFor(() => got.length === 2, 'two 64 KiB messages');
    for (const m of got) {
      expect(m.peer).toBe(a.localId);
      expect(m.data).toEqual(big);
    }
    expect(new Set(got.map((m) => m.channel))).toEqual(new Set(['control', 'state']));
  });

  it('rejects an unknown channel in bufferedAmount and channelInfo too', async () => {
    const [a, b] = await connectedPair();
    expect(() => a.bufferedAmount(b.localId, 'bogus' as 'state')).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidArgument }));
    expect(() => a.channelInfo(b.localId, 'bogus' as 'state')).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidArgument }));
  });
});

describe('PeerJsTransport mesh', () => {
  it('ends up with exactly one connection when both peers dial each other at once (glare)', async () => {
    const room = await newRoom();
    const a = await join(room, { mesh: () => [] });
    const b = await join(room, { mesh: () => [] });
    const joinedA = record(a, 'peer-joined');
    const joinedB = record(b, 'peer-joined');
    const leftA = record(a, 'peer-left');
    const leftB = record(b, 'peer-left');
    a.dial(b.localId);
    b.dial(a.localId);
    await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'a and b connected');
    // Give a losing duplicate time to surface if one were kept.
    await sleep(300);
    expect(joinedA.map((e) => e.peer)).toEqual([b.localId]);
    expect(joinedB.map((e) => e.peer)).toEqual([a.localId]);
    expect(leftA).toEqual([]);
    expect(leftB).toEqual([]);
    const got = record(b, 'message');
    a.send(b.localId, 'control', Uint8Array.from([1]));
    await waitFor(() => got.length === 1, 'message over the surviving connection');
  });

  it('dials only the peers the mesh policy picks', async () => {
    const room = await newRoom();
    const a = await join(room);
    const b = await join(room);
    await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'a and b connected');
    const offered: PeerId[][] = [];
    const c = await join(room, {
      mesh: (self, roomPeers) => {
        offered.push([self, ...roomPeers]);
        return roomPeers.filter((p) => p === a.localId);
      },
    });
    await waitFor(() => c.peers().length === 1 && a.peers().length === 2, 'c connected to a');
    expect(offered).toEqual([[c.localId, a.localId, b.localId]]);
    await sleep(200);
    expect(c.peers()).toEqual([a.localId]);
    expect(b.peers()).toEqual([a.localId]);
  });

  it('refuses a PeerJS connection that does not come from the same room', async () => {
    const [a] = await connectedPair();
    const { Peer } = await loadPeerJs();
    const { port } = new URL(signal().url);
    const stranger = new Peer('stranger1', { host: '127.0.0.1', port: Number(port), path: '/peerjs', secure: false, debug: 0, config: { iceServers: [] } });
    try {
      await new Promise<void>((resolve, reject) => {
        stranger.on('open', () => resolve());
        stranger.on('error', reject);
      });
      const conn = stranger.connect(a.localId, { serialization: 'raw', reliable: true, metadata: { anarchy: 1, room: 'another-room' } });
      let opened = false;
      conn.on('open', () => (opened = true));
      await sleep(500);
      expect(a.peers()).not.toContain('stranger1');
      expect(opened).toBe(false);
    } finally {
      stranger.destroy();
    }
  });

  it('keeps an idle pair connected: keep-alives fill the silence', async () => {
    const [a, b] = await connectedPair();
    const left = [...[a, b].map((t) => record(t, 'peer-left'))];
    await sleep(2_000); // twice the peer timeout, with nothing but keep-alives on the wire
    expect(left.flat()).toEqual([]);
    expect(a.peers()).toEqual([b.localId]);
  });
});

describe('PeerJsTransport join', () => {
  it('rejects a room that does not exist with room-not-found and frees its peer id', async () => {
    const err = await rejectionOf(PeerJsTransport.join({ signalUrl: signal().url, room: 'no-such-room', peerId: 'reused-id' }));
    expect(err.code).toBe(ErrorCode.RoomNotFound);
    // The PeerServer released the id, so it can join elsewhere at once.
    const t = await join(await newRoom(), { peerId: 'reused-id' });
    expect(t.localId).toBe('reused-id');
  });

  it('rejects an id that is already connected with peer-id-unavailable', async () => {
    const room = await newRoom();
    const a = await join(room);
    const err = await rejectionOf(PeerJsTransport.join({ signalUrl: signal().url, room, peerId: a.localId }));
    expect(err.code).toBe(ErrorCode.PeerIdUnavailable);
  });

  it('rejects an unreachable signal service with signal-unreachable', async () => {
    const gone = await startTestSignalServer();
    await gone.close();
    const err = await rejectionOf(PeerJsTransport.join({ signalUrl: gone.url, room: 'r', connectTimeoutMs: 5_000 }));
    expect(err.code).toBe(ErrorCode.SignalUnreachable);
  });

  it('rejects bad options with invalid-argument before touching the network', async () => {
    const base = { signalUrl: signal().url, room: 'r' };
    for (const bad of [{ peerId: 'no/slashes' }, { keepAliveMs: 0 }, { keepAliveMs: 1_000, peerTimeoutMs: 1_000 }, { connectTimeoutMs: Number.NaN }, { room: '' }, { signalUrl: 'nope' }]) {
      const err = await rejectionOf(PeerJsTransport.join({ ...base, ...bad }));
      expect(err.code, JSON.stringify(bad)).toBe(ErrorCode.InvalidArgument);
    }
  });

  it('rejects with webrtc-unsupported when there is no RTCPeerConnection', async () => {
    const g = globalThis as { RTCPeerConnection?: unknown };
    const saved = g.RTCPeerConnection;
    delete g.RTCPeerConnection;
    try {
      const err = await rejectionOf(PeerJsTransport.join({ signalUrl: signal().url, room: 'r' }));
      expect(err.code).toBe(ErrorCode.WebRtcUnsupported);
      expect(err.message).toContain('installNodeWebRtc');
    } finally {
      g.RTCPeerConnection = saved;
    }
  });
});

describe('PeerJsTransport close and signal loss', () => {
  it('close() says goodbye, leaves the room, and reports peer-left then closed locally', async () => {
    const room = await newRoom();
    const a = await join(room);
    const b = await join(room);
    await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'a and b connected');
    const events: string[] = [];
    a.on('peer-left', (e) => events.push(`left ${e.peer === b.localId ? 'b' : e.peer} ${e.reason}`));
    a.on('closed', (e) => events.push(`closed ${e.error?.code ?? 'ok'}`));
    const bLeft = record(b, 'peer-left');
    await a.close();
    expect(events).toEqual(['left b closed', 'closed ok']);
    expect(a.peers()).toEqual([]);
    await waitFor(() => bLeft.length === 1, 'b sees a leave');
    expect(bLeft[0]).toEqual({ peer: a.localId, reason: 'closed' });
    const info = await new SignalClient({ url: signal().url }).getRoom(room);
    expect(info.peers).toEqual([b.localId]);
  });

  it('keeps peer connections when the signal service goes away, and reports it', async () => {
    const own = await startTestSignalServer();
    let ownClosed = false;
    try {
      const room = await newRoom(own.url);
      const a = await join(room, { signalUrl: own.url });
      const b = await join(room, { signalUrl: own.url });
      await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'a and b connected');
      const errors = record(a, 'error');
      const left = record(a, 'peer-left');
      await own.close();
      ownClosed = true;
      await waitFor(() => errors.some((e) => e.code === ErrorCode.SignalDisconnected), 'signal loss reported');
      expect(a.closed).toBe(false);
      const got = record(b, 'message');
      a.send(b.localId, 'control', Uint8Array.from([5]));
      await waitFor(() => got.length === 1, 'peers still talk without the signal service');
      expect(left).toEqual([]);
    } finally {
      if (!ownClosed) await own.close();
    }
  });
});

describe('PeerJsTransport hangUp', () => {
  /** Longer than the grace `hangUp` gives a silent far side (1,000 + 2 × 200 ms here): any late close has surfaced by then. */
  const AFTER_GRACE_MS = 1_800;
  const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

  it('is a no-op for a peer it is not connected to, including one whose connection is still opening', async () => {
    const room = await newRoom();
    const a = await join(room, { mesh: () => [] });
    const b = await join(room, { mesh: () => [] });
    const leftA = record(a, 'peer-left');
    const leftB = record(b, 'peer-left');
    const errors = [...record(a, 'error'), ...record(b, 'error')];
    a.hangUp('nobody' as PeerId);
    a.hangUp(a.localId);
    a.hangUp(b.localId); // never dialed
    a.dial(b.localId);
    // The dial is under way (the state channel exists from the start, the control one once open).
    expect(a.channelInfo(b.localId, 'state')).toBeDefined();
    a.hangUp(b.localId); // not connected yet: left alone
    await waitFor(() => a.peers().includes(b.localId) && b.peers().includes(a.localId), 'a and b connected');
    expect(leftA).toEqual([]);
    expect(leftB).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('throws closed after close and after a simulated crash, like dial', async () => {
    const [a, b] = await connectedPair();
    await a.close();
    expect(() => a.hangUp(b.localId)).toThrowError(expect.objectContaining({ code: ErrorCode.Closed }));
    b.simulateCrashForTesting();
    expect(() => b.hangUp(a.localId)).toThrowError(expect.objectContaining({ code: ErrorCode.Closed }));
  });

  it('reports exactly one peer-left on each side, hung-up, with no error, and keeps both transports and their other peers', async () => {
    const room = await newRoom();
    const a = await join(room);
    const b = await join(room);
    const c = await join(room);
    await waitFor(() => [a, b, c].every((t) => t.peers().length === 2), 'a room of 3 connected');
    const leftA = record(a, 'peer-left');
    const leftB = record(b, 'peer-left');
    const errors = [...record(a, 'error'), ...record(b, 'error')];
    a.hangUp(b.localId);
    // At once on this side: gone from peers(), and sends fail like sends to any unknown peer.
    expect(leftA).toEqual([{ peer: b.localId, reason: 'hung-up' }]);
    expect(a.peers()).toEqual([c.localId]);
    expect(() => a.send(b.localId, 'control', bytes(1))).toThrowError(expect.objectContaining({ code: ErrorCode.UnknownPeer }));
    expect(a.bufferedAmount(b.localId, 'control')).toBe(0);
    await waitFor(() => leftB.length === 1, 'b sees the hang-up');
    expect(leftB).toEqual([{ peer: a.localId, reason: 'hung-up' }]);
    // Both ends close now; neither may report that close as a second leave ('closed' or 'error').
    await sleep(AFTER_GRACE_MS);
    expect(leftA).toEqual([{ peer: b.localId, reason: 'hung-up' }]);
    expect(leftB).toEqual([{ peer: a.localId, reason: 'hung-up' }]);
    expect(errors).toEqual([]);
    expect(a.closed || b.closed).toBe(false);
    expect(b.peers()).toEqual([c.localId]);
    expect(c.peers()).toHaveLength(2);
  });

  it('delivers every control message sent before the hang-up, in order, before the far side reports it', async () => {
    const [a, b] = await connectedPair();
    const got: number[] = [];
    let receivedAtLeave = -1;
    b.on('message', (m) => got.push(m.data[0]!));
    b.on('peer-left', () => (receivedAtLeave = got.length));
    // 640 KiB in one go, so the hang-up frame follows data that is still on its way.
    const COUNT = 40;
    for (let i = 0; i < COUNT; i++) a.send(b.localId, 'control', new Uint8Array(16 * 1024).fill(i));
    a.hangUp(b.localId);
    await waitFor(() => receivedAtLeave >= 0, 'b sees the hang-up');
    expect(receivedAtLeave).toBe(COUNT);
    expect(got).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  });

  it('lets the hanging-up side dial again at once: the dial waits until the old connection is closed', async () => {
    const [a, b] = await connectedPair();
    const joinedA = record(a, 'peer-joined');
    const joinedB = record(b, 'peer-joined');
    const leftA = record(a, 'peer-left');
    const leftB = record(b, 'peer-left');
    // 2 MiB ahead of the hang-up frame: the new dial (through the signal service) reaches b while
    // b still holds the old connection, which it would refuse a second connection beside.
    for (let i = 0; i < 32; i++) a.send(b.localId, 'control', new Uint8Array(MAX_MESSAGE_BYTES));
    a.hangUp(b.localId);
    a.dial(b.localId);
    await waitFor(() => a.peers().includes(b.localId) && b.peers().includes(a.localId), 'a and b connected again');
    expect(joinedA).toEqual([{ peer: b.localId }]);
    expect(joinedB).toEqual([{ peer: a.localId }]);
    expect(leftA).toEqual([{ peer: b.localId, reason: 'hung-up' }]);
    expect(leftB).toEqual([{ peer: a.localId, reason: 'hung-up' }]);
    const gotA = record(a, 'message');
    const gotB = record(b, 'message');
    a.send(b.localId, 'control', bytes(7));
    b.send(a.localId, 'control', bytes(8));
    await waitFor(() => gotA.length === 1 && gotB.length === 1, 'messages over the new connection');
    expect([gotA[0]?.data[0], gotB[0]?.data[0]]).toEqual([8, 7]);
  });

  it('lets the far side dial back as soon as it sees the hang-up, and hang up in turn', async () => {
    const [a, b] = await connectedPair();
    const leftA = record(a, 'peer-left');
    b.on('peer-left', ({ peer, reason }) => {
      if (reason === 'hung-up') b.dial(peer);
    });
    a.hangUp(b.localId);
    await waitFor(() => a.peers().includes(b.localId) && b.peers().includes(a.localId), 'b dialed a again');
    b.hangUp(a.localId);
    await waitFor(() => leftA.length === 2, 'a sees b hang up the new connection');
    expect(leftA).toEqual([
      { peer: b.localId, reason: 'hung-up' },
      { peer: b.localId, reason: 'hung-up' },
    ]);
    // b's listener dials once more after its own hang-up: that dial waits for the old connection.
    await waitFor(() => a.peers().includes(b.localId) && b.peers().includes(a.localId), 'connected a third time');
  });

  it('survives both sides hanging up at once: one hung-up each, and they can connect again', async () => {
    const [a, b] = await connectedPair();
    const leftA = record(a, 'peer-left');
    const leftB = record(b, 'peer-left');
    const errors = [...record(a, 'error'), ...record(b, 'error')];
    a.hangUp(b.localId);
    b.hangUp(a.localId);
    a.dial(b.localId);
    await waitFor(() => a.peers().includes(b.localId) && b.peers().includes(a.localId), 'a and b connected again');
    expect(leftA).toEqual([{ peer: b.localId, reason: 'hung-up' }]);
    expect(leftB).toEqual([{ peer: a.localId, reason: 'hung-up' }]);
    expect(errors).toEqual([]);
  });

  it('reports one leave on the far side when the hanging-up side closes right after', async () => {
    const [a, b] = await connectedPair();
    const leftB = record(b, 'peer-left');
    a.hangUp(b.localId);
    await a.close();
    await waitFor(() => leftB.length === 1, 'b sees a go');
    await sleep(300);
    // Either news is true (a hung up, then left the room); what matters is that there is one.
    expect(leftB).toHaveLength(1);
    expect(['hung-up', 'closed']).toContain(leftB[0]?.reason);
  });

  it('closes the connection itself when the far side never does, only once the grace after draining is over', async () => {
    const room = await newRoom();
    const clock = new VirtualClock();
    // a's timers run on the virtual clock; b must not time a out meanwhile (a sends no keep-alives).
    // peerTimeoutMs 2,000: the grace then ends past ICE_SETTLE_MS, so no settling delay adds to it.
    const a = await join(room, { clock, keepAliveMs: 200, peerTimeoutMs: 2_000 });
    const b = await join(room, { peerTimeoutMs: 60_000 });
    try {
      await waitFor(() => a.peers().includes(b.localId) && b.peers().includes(a.localId), 'a and b connected');
      b.simulateCrashForTesting(); // never reads the hang-up, never closes its end
      a.hangUp(b.localId);
      a.dial(b.localId);
      const bControl = (): string | undefined => b.channelInfo(a.localId, 'control')?.readyState;
      await sleep(300);
      clock.advance(200); // first tick: the control channel has drained
      clock.advance(2_399); // grace is 2,000 + 2 × 200 ms after that tick: one ms short
      await sleep(300);
      expect(bControl()).toBe('open');
      expect(a.channelInfo(b.localId, 'state')).toBeUndefined(); // the dial is still waiting
      clock.advance(1);
      await waitFor(() => bControl() === 'closed', 'a closes the old connection');
      expect(a.channelInfo(b.localId, 'state')).toBeDefined(); // and dials now
    } finally {
      // close() waits on a's clock for goodbyes to drain: keep it moving.
      let done = false;
      const closing = a.close().finally(() => (done = true));
      while (!done) {
        clock.advance(50);
        await sleep(10);
      }
      await closing;
    }
  });
});
