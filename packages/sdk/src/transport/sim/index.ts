/** The simulated network: public surface (re-exported by `@anarchy/sdk/testing`). */
export { SimNetwork, type SimNetworkOptions } from './network.js';
export { SimTransport } from './transport.js';
export { DEFAULT_LINK, DEFAULT_TRANSPORT, type LinkOptions, type SimTransportOptions } from './options.js';
export { fullMesh, interestMesh, randomMesh, type InterestMeshOptions, type MeshContext, type MeshPolicy } from '../mesh.js';
export type { SimCounters, SimLinkStats, SimPeerStats, SimStats } from './stats.js';
export { createSimHarness, type SimHarness, type SimHarnessOptions } from './harness.js';
