/**
 * `@anarchy/sdk`: peer-to-peer multiplayer for web games over WebRTC.
 *
 * @example
 * ```ts
 * import { PeerJsTransport, SignalClient } from '@anarchy/sdk';
 *
 * const signalUrl = 'http://127.0.0.1:8787';
 * const { roomId } = await new SignalClient({ url: signalUrl }).createRoom();
 * const transport = await PeerJsTransport.join({ signalUrl, room: roomId });
 * transport.on('peer-joined', ({ peer }) => transport.send(peer, 'control', new Uint8Array([1])));
 * transport.on('message', ({ peer, channel, data }) => console.log(peer, channel, data));
 * ```
 *
 * Deterministic tests of your own game: `@anarchy/sdk/testing`. WebRTC in Node: `@anarchy/sdk/node`.
 *
 * @packageDocumentation
 */

export { AnarchyError, ArgumentError, ErrorCode, SignalError, TransportError, WireError } from './errors.js';

export type { LeaveReason, PeerId, Transport, TransportEvents } from './transport/types.js';
export { asPeerId, CHANNELS, MAX_MESSAGE_BYTES } from './transport/types.js';

export * from './transport/peerjs/index.js';
export { SignalClient, parseSignalUrl, peerServerOptions } from './signal-client.js';
export type * from './signal-client.js';

export { Room, joinRoom } from './room.js';
export type { RoomOptions, RoomScope, JoinRoomOptions, ActOptions, Shard } from './room.js';

export * from './wire/index.js';
export * from './authority/index.js';
export * from './replication/index.js';
export * from './membership/index.js';
/** Sectors, interest and hot/cold rebalancing: `spatial.fromPoint(...)`, `spatial.key(...)`. */
export * as spatial from './spatial/index.js';

export type { Clock, TimerHandle } from './util/clock.js';
export { systemClock } from './util/clock.js';
export type { Rng } from './util/rng.js';
export { SeededRng, systemRng } from './util/rng.js';
