/**
 * Wire compatibility: two unmodified PeerJS 1.5 clients (no SDK) find each other through
 * @anarchy/signal and talk over real WebRTC (@roamhq/wrtc) in Node.
 *
 * Runs in a forked worker (vitest.config.ts: pool 'forks') because wrtc is a native addon whose
 * threads may outlive the test; the fork is torn down either way.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import type { DataConnection, Peer as PeerType, PeerOptions } from 'peerjs';
import type { SignalServer } from './server.js';
import { request, startTestServer } from './test-support.js';

let PeerCtor: typeof PeerType;
let server: SignalServer;
const peers: PeerType[] = [];

beforeAll(async () => {
  // PeerJS reads these globals when it creates a connection; they must exist before it loads.
  Object.assign(globalThis, {
    RTCPeerConnection: wrtc.RTCPeerConnection,
    RTCSessionDescription: wrtc.RTCSessionDescription,
    RTCIceCandidate: wrtc.RTCIceCandidate,
    WebSocket,
    location: { protocol: 'http:', hostname: '127.0.0.1' },
  });
  PeerCtor = (await import('peerjs')).Peer;
  ({ server } = await startTestServer());
});

afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await server?.close();
});

function openPeer(id: string): Promise<PeerType> {
  const options: PeerOptions = {
    host: '127.0.0.1',
    port: server.port,
    path: server.peerPath,
    secure: false,
    debug: 0,
    config: { iceServers: [] },
  };
  const peer = new PeerCtor(id, options);
  peers.push(peer);
  return new Promise((resolve, reject) => {
    peer.once('open', () => resolve(peer));
    peer.once('error', reject);
  });
}

function nextData(conn: DataConnection): Promise<unknown> {
  return new Promise((resolve) => conn.once('data', resolve));
}

describe('a plain PeerJS client through @anarchy/signal', () => {
  it('joins a room, lists it, connects peer to peer and exchanges messages both ways', async () => {
    const created = await request(server, 'POST', '/rooms', { maxPeers: 4 });
    const { roomId } = created.body as { roomId: string };

    const alice = await openPeer('alice');
    const bob = await openPeer('bob');
    for (const peerId of ['alice', 'bob']) {
      expect((await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId })).status).toBe(200);
    }
    const listed = await request(server, 'GET', `/rooms/${roomId}`);
    expect(listed.body).toEqual({ roomId, maxPeers: 4, peers: ['alice', 'bob'] });

    // Alice dials the first other peer the room lists.
    const other = (listed.body as { peers: string[] }).peers.find((id) => id !== 'alice');
    expect(other).toBe('bob');
    const incoming = new Promise<DataConnection>((resolve) => bob.once('connection', resolve));
    const outgoing = alice.connect(other ?? '', { reliable: true });
    await new Promise<void>((resolve, reject) => {
      outgoing.once('open', resolve);
      outgoing.once('error', reject);
    });
    const atBob = await incoming;
    if (!atBob.open) await new Promise<void>((resolve) => atBob.once('open', resolve));

    const toBob = nextData(atBob);
    outgoing.send({ hello: 'bob', from: 'alice' });
    expect(await toBob).toEqual({ hello: 'bob', from: 'alice' });
    const toAlice = nextData(outgoing);
    atBob.send('hi alice');
    expect(await toAlice).toBe('hi alice');

    // Closing a PeerJS client closes its PeerServer socket, which removes it from the room.
    alice.destroy();
    await vi.waitFor(async () => {
      expect((await request(server, 'GET', `/rooms/${roomId}`)).body).toMatchObject({ peers: ['bob'] });
    });
    expect(server.metrics()).toMatchObject({ connectedClients: 1, joins: 2, leaves: 1 });
  });
});
