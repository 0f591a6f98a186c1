/**
 * Rooms over real WebRTC in Node: three peers joined with `joinRoom` (`@roamhq/wrtc`, the real
 * `@anarchy/signal` service in this process) open a shard, write through the czar and through
 * actions, and converge to the same state hash. The same protocol code as on the simulated
 * network, with the system clock.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installNodeWebRtc } from './node.js';
import { joinRoom, type Room } from './room.js';
import { SignalClient } from './signal-client.js';
import { startTestSignalServer, type TestSignalServer } from './transport/peerjs/test-support.node.js';

const Board = schema({ total: t.uint32().default(0), marks: t.map('string') }, 'PeerJsRoomBoard');
type Board = SchemaType<typeof Board>;

const WAIT_BUDGET_MS = 20_000;
const POLL_MS = 25;

let server: TestSignalServer;

beforeAll(async () => {
  installNodeWebRtc();
  server = await startTestSignalServer();
});

afterAll(async () => {
  await server?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_BUDGET_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_BUDGET_MS} ms waiting for: ${what}`);
    await sleep(POLL_MS);
  }
}

describe('Room over PeerJsTransport (Node, @roamhq/wrtc, real signal service)', () => {
  it('[R22] three peers open a shard, write through the czar and by action, and converge', async () => {
    const { roomId } = await new SignalClient({ url: server.url }).createRoom({ maxPeers: 8 });
    const rooms: Room[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const room = await joinRoom({
          signalUrl: server.url,
          room: roomId,
          bootstrapMs: 300,
          transportOptions: { keepAliveMs: 200, peerTimeoutMs: 2_000, connectTimeoutMs: 10_000 },
        });
        room.declareShard('board', Board, {
          onAction: (s, action, ctx) => {
            const a = action as { mark: string };
            s.marks.set(ctx.from, a.mark);
            s.total += 1;
            return s.total;
          },
        });
        rooms.push(room);
      }
      await waitFor(() => rooms.every((r) => r.peers().length === 3), 'a full mesh of three');
      await waitFor(() => rooms.filter((r) => r.isCzar('board')).length === 1 && rooms.every((r) => r.termOf('board') !== undefined), 'one czar, a term everywhere');
      const czar = rooms.find((r) => r.isCzar('board'))!;
      for (const r of rooms) expect(r.czarOf('board')).toBe(czar.self);

      czar.mutate<Board, void>('board', (s) => {
        s.marks.set('czar', 'x');
      });
      const others = rooms.filter((r) => r !== czar);
      const results = await Promise.all(others.map((r, i) => r.act<number>('board', { mark: `o${i}` })));
      expect([...results].sort()).toEqual([1, 2]);
      await waitFor(() => rooms.every((r) => r.state<Board>('board').marks.size === 3), 'every mark everywhere');
      await waitFor(() => new Set(rooms.map((r) => r.stateHash('board'))).size === 1, 'equal state hashes');
      expect(rooms.map((r) => r.state<Board>('board').total)).toEqual([2, 2, 2]);
      for (const r of others) {
        const peer = r.metrics().peers[czar.self]!;
        expect(peer.bytesIn).toBeGreaterThan(0);
      }
    } finally {
      await Promise.all(rooms.map((r) => r.leave()));
    }
  });
});
