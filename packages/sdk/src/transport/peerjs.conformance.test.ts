/**
 * The transport conformance suite against real WebRTC in Node: `@roamhq/wrtc` peers, brokered by
 * the real `@anarchy/signal` service running in this process on a loopback port.
 *
 * `crash(t)` uses `simulateCrashForTesting()`: the peer stops sending and reacting but keeps every
 * connection open, so the others can only notice through keep-alive silence. A SIGKILLed child
 * process is covered separately in `peerjs/crash.test.ts`.
 */
import { afterAll, describe, it } from 'vitest';
import { SignalClient } from '../signal-client.js';
import { conformanceScenarios } from './conformance.js';
import type { ConformanceHarness } from './conformance.js';
import { PeerJsTransport } from './peerjs/index.js';
import { useTestSignalServer, waitUntil } from './peerjs/test-support.node.js';
import type { Transport } from './types.js';

/** Short timings keep the crash scenario quick; loopback ICE needs far less. */
const KEEP_ALIVE_MS = 200;
const PEER_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 10_000;
const WAIT_BUDGET_MS = 15_000;

const signal = useTestSignalServer();

const waitFor = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, { budgetMs: WAIT_BUDGET_MS });

const fullyConnected = (ts: readonly Transport[]): boolean =>
  ts.every((t) => ts.every((o) => o === t || t.peers().includes(o.localId)));

/** A harness over real PeerJS transports; every room is fresh. */
class PeerJsHarness implements ConformanceHarness {
  private readonly created: PeerJsTransport[] = [];
  private readonly rooms = new Map<Transport, string>();
  /** Wall time from the first join to full connectivity of each `createRoom`, in ms. */
  readonly connectTimes: Array<{ peers: number; ms: number }> = [];

  private async joinOne(room: string): Promise<PeerJsTransport> {
    const t = await PeerJsTransport.join({
      signalUrl: signal().url,
      room,
      keepAliveMs: KEEP_ALIVE_MS,
      peerTimeoutMs: PEER_TIMEOUT_MS,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    });
    this.created.push(t);
    this.rooms.set(t, room);
    return t;
  }

  async createRoom(n: number): Promise<Transport[]> {
    const { roomId } = await new SignalClient({ url: signal().url }).createRoom({ maxPeers: 16 });
    const started = performance.now();
    const ts: PeerJsTransport[] = [];
    // One after another: each joiner then dials everyone before it, the normal arrival pattern.
    for (let i = 0; i < n; i++) ts.push(await this.joinOne(roomId));
    await waitFor(() => fullyConnected(ts), `a room of ${n} fully connected`);
    this.connectTimes.push({ peers: n, ms: performance.now() - started });
    return ts;
  }

  async addPeer(existing: readonly Transport[]): Promise<Transport> {
    const room = existing[0] && this.rooms.get(existing[0]);
    if (room === undefined) throw new Error('addPeer needs a transport made by this harness');
    const t = await this.joinOne(room);
    await waitFor(() => fullyConnected([...existing.filter((e) => !e.closed), t]), 'the new peer connected to all');
    return t;
  }

  waitFor(condition: () => boolean, what: string): Promise<void> {
    return waitFor(condition, what);
  }

  async crash(t: Transport): Promise<void> {
    if (!(t instanceof PeerJsTransport)) throw new Error('crash needs a PeerJsTransport');
    t.simulateCrashForTesting();
  }

  async dispose(): Promise<void> {
    await Promise.all(this.created.map((t) => t.close()));
  }
}

const connectTimes: Array<{ peers: number; ms: number }> = [];

describe('PeerJsTransport conformance (Node, @roamhq/wrtc, real signal service)', () => {
  for (const scenario of conformanceScenarios) {
    it(scenario.name, async () => {
      const h = new PeerJsHarness();
      try {
        await scenario.run(h);
      } finally {
        await h.dispose();
        connectTimes.push(...h.connectTimes);
      }
    });
  }

  afterAll(() => {
    // A measurement for the record, not an assertion: wall-clock timings never fail a test.
    const three = connectTimes.filter((c) => c.peers === 3).map((c) => Math.round(c.ms));
    if (three.length > 0) console.log(`[peerjs] 3-peer room fully connected in ${three.join(', ')} ms (sequential joins, loopback)`);
  });
});
