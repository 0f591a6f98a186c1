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
