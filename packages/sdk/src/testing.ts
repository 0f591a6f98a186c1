/**
 * `@anarchy/sdk/testing`: test a game deterministically on a simulated network. Every peer runs
 * in one process on a virtual clock; latency, loss, partitions and crashes come from a seed, so a
 * failing run replays exactly.
 *
 * @example
 * ```ts
 * import { SimNetwork } from '@anarchy/sdk/testing';
 *
 * const net = new SimNetwork({ seed: 42, defaultLink: { latencyMs: 30, jitterMs: 20, loss: 0.02 } });
 * const alice = net.join('alice');
 * const bob = net.join('bob');
 * net.runUntil(() => alice.peers().includes(bob.localId), 1_000);
 *
 * bob.on('message', ({ peer, data }) => console.log(peer, data));
 * alice.send(bob.localId, 'control', new Uint8Array([1, 2, 3]));
 * net.run(100); // delivers: nothing moves until virtual time does
 *
 * net.partition(['alice'], ['bob']); // keep-alives stop; 5-6 s later both see 'peer-left' (timeout)
 * net.run(6_000);
 * net.heal(); // they re-dial and see 'peer-joined' again
 * ```
 *
 * Run the transport conformance suite against your own transport with {@link runConformance}.
 *
 * @packageDocumentation
 */
export {
  SimNetwork,
  SimTransport,
  DEFAULT_LINK,
  DEFAULT_TRANSPORT,
  fullMesh,
  interestMesh,
  randomMesh,
  type InterestMeshOptions,
  createSimHarness,
  type SimNetworkOptions,
  type LinkOptions,
  type SimTransportOptions,
  type MeshContext,
  type MeshPolicy,
  type SimCounters,
  type SimLinkStats,
  type SimPeerStats,
  type SimStats,
  type SimHarness,
  type SimHarnessOptions,
} from './transport/sim/index.js';
export { VirtualClock, type Clock, type TimerHandle } from './util/clock.js';
export { SeededRng, type Rng } from './util/rng.js';
export {
  conformanceScenarios,
  runConformance,
  ConformanceFailure,
  EventLog,
  type ConformanceHarness,
  type ConformanceScenario,
} from './transport/conformance.js';
