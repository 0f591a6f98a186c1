/**
 * The WebRTC transport: {@link PeerJsTransport} and the pieces it is built from that callers may
 * need (mesh policies, peer id helpers, the PeerJS error table).
 */
export { PeerJsTransport, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_MS, DEFAULT_PEER_TIMEOUT_MS } from './transport.js';
export type { PeerJsTransportOptions, PeerJsPassthroughOptions } from './transport.js';
export type { ChannelInfo } from './link.js';
export { STATE_CHANNEL_ID } from './link.js';
export { ConnectionBudget, DEFAULT_MAX_CONNECTIONS, DEFAULT_PRUNE_GRACE_MS, DEFAULT_PRUNE_PROTECT_MS, DEFAULT_RANDOM_LINKS, fullMesh, interestMesh, randomMesh, type PruneOptions } from '../mesh.js';
export type { InterestMeshOptions, MeshContext, MeshPolicy } from '../mesh.js';
export { generatePeerId, isValidPeerId } from './peer-id.js';
export { PEERJS_ERRORS, fromPeerJsError } from './errors.js';
export type { PeerJsErrorMapping, PeerJsErrorSeverity, PeerJsErrorType } from './errors.js';
export { FrameKind } from './framing.js';
