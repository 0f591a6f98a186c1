/**
 * Runs the SDK's transport conformance suite against `PeerJsTransport` inside this page: every
 * transport of a scenario lives here, connected by real WebRTC through the real signal service.
 */
import { ConformanceFailure, runConformance, type ConformanceHarness } from '../../packages/sdk/src/transport/conformance.js';
import { PeerJsTransport } from '../../packages/sdk/src/transport/peerjs/index.js';
import type { Transport } from '../../packages/sdk/src/transport/types.js';
import { SignalClient } from '../../packages/sdk/src/signal-client.js';
import type { ConformanceResult } from './api.js';

/** How long `waitFor` polls before a scenario fails: generous, real WebRTC on a busy 2-core box. */
const WAIT_BUDGET_MS = 15_000;
/** Polling period of `waitFor`: short next to connection set-up, long enough not to hog the page. */
const POLL_MS = 20;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const connected = (a: Transport, b: Transport): boolean => a.peers().includes(b.localId) && b.peers().includes(a.localId);

function makeHarness(signalUrl: string): ConformanceHarness {
  const created: PeerJsTransport[] = [];
  const roomOf = new Map<Transport, string>();

  const join = async (room: string): Promise<PeerJsTransport> => {
    const t = await PeerJsTransport.join({ signalUrl, room, iceServers: [] });
    created.push(t);
    roomOf.set(t, room);
    return t;
  };

  const waitFor = async (condition: () => boolean, what: string): Promise<void> => {
    const deadline = performance.now() + WAIT_BUDGET_MS;
    while (!condition()) {
      if (performance.now() > deadline) throw new ConformanceFailure(`timed out after ${WAIT_BUDGET_MS} ms waiting for ${what}`);
      await sleep(POLL_MS);
    }
  };

  return {
    async createRoom(n) {
      const { roomId } = await new SignalClient({ url: signalUrl }).createRoom();
      // All at once, as players opening a shared link would: dials cross in both directions.
      const ts = await Promise.all(Array.from({ length: n }, () => join(roomId)));
      await waitFor(() => ts.every((a, i) => ts.every((b, j) => i === j || connected(a, b))), `a room of ${n} to connect`);
      return ts;
    },
    async addPeer(existing) {
      const room = existing[0] && roomOf.get(existing[0]);
      if (room === undefined) throw new ConformanceFailure('addPeer needs a transport made by createRoom');
      const t = await join(room);
      await waitFor(() => existing.every((e) => connected(t, e)), 'the new peer to connect to everyone');
      return t;
    },
    waitFor,
    async crash(t) {
      const transport = created.find((c) => c === t);
      if (!transport) throw new ConformanceFailure('crash needs a transport made by this harness');
      transport.simulateCrashForTesting();
    },
    async dispose() {
      await Promise.allSettled(created.map((t) => t.close()));
    },
  };
}

window.runConformance = async (signalUrl, only): Promise<ConformanceResult[]> =>
  runConformance(() => makeHarness(signalUrl), only === undefined ? undefined : (name) => name === only);
