/**
 * A {@link ConformanceHarness} for {@link SimTransport}: the shared conformance scenarios run on
 * the simulated network, with `waitFor` advancing virtual time instead of sleeping.
 */
import type { ConformanceHarness } from '../conformance.js';
import type { Transport } from '../types.js';
import { SimNetwork, type SimNetworkOptions } from './network.js';
import type { SimTransportOptions } from './options.js';
import type { SimTransport } from './transport.js';

/** Options of {@link createSimHarness}. */
export interface SimHarnessOptions extends SimNetworkOptions {
  /** Virtual time `waitFor` advances per step, in ms. Default 10. */
  readonly stepMs?: number;
  /** Virtual time after which `waitFor` gives up, in ms. Default 120,000. */
  readonly budgetMs?: number;
  /** Options for every transport the harness creates. */
  readonly join?: SimTransportOptions;
}

/** A harness plus the network under it, for tests that want to poke at the network too. */
export interface SimHarness extends ConformanceHarness {
  readonly network: SimNetwork;
}

/**
 * Creates a harness on a fresh {@link SimNetwork}; each `createRoom` uses a new room on it. Use it
 * to run the conformance scenarios on the simulated network, or as a quick way to get a connected
 * room of simulated transports in a test.
 *
 * @example
 * ```ts
 * const h = createSimHarness({ seed: 7, defaultLink: { latencyMs: 40 } });
 * const [a, b] = await h.createRoom(2); // connected, virtual time advanced
 * await h.crash(a!);
 * await h.waitFor(() => !b!.peers().includes(a!.localId), 'b to notice the crash');
 * ```
 */
export function createSimHarness(options: SimHarnessOptions): SimHarness {
  const network = new SimNetwork(options);
  const stepMs = options.stepMs ?? 10;
  const budgetMs = options.budgetMs ?? 120_000;
  let rooms = 0;

  const connected = (ts: readonly Transport[]): boolean =>
    ts.every((t) => ts.every((o) => o === t || t.peers().includes(o.localId)));

  const waitFor = async (condition: () => boolean, what: string): Promise<void> => {
    const deadline = network.now() + budgetMs;
    for (;;) {
      if (condition()) return;
      if (network.now() >= deadline) {
        throw new Error(`timed out after ${budgetMs} ms of virtual time waiting for ${what} (seed ${network.seed})`);
      }
      network.run(stepMs);
      // Lets promise-based listeners of the code under test settle between steps.
      await Promise.resolve();
    }
  };

  const asSim = (t: Transport): SimTransport => {
    const sim = network.transport(t.localId);
    if (!sim || sim !== t) throw new Error(`transport ${t.localId} does not belong to this harness (seed ${network.seed})`);
    return sim;
  };

  return {
    network,
    async createRoom(n) {
      const room = `room-${++rooms}`;
      const ts: SimTransport[] = [];
      for (let i = 0; i < n; i++) ts.push(network.join(undefined, { ...options.join, room }));
      await waitFor(() => connected(ts), `${n} transports to connect`);
      return ts;
    },
    async addPeer(existing) {
      const first = existing[0];
      if (!first) throw new Error('addPeer needs at least one existing transport');
      const room = asSim(first).room;
      const t = network.join(undefined, { ...options.join, room });
      const live = existing.filter((e) => !e.closed && !asSim(e).crashed);
      await waitFor(() => connected([...live, t]), `the new peer ${t.localId} to connect to ${live.length} peers`);
      return t;
    },
    waitFor,
    async crash(t) {
      network.crash(asSim(t).localId);
    },
    async dispose() {
      network.dispose();
    },
  };
}
