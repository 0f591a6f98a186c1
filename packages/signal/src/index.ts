/**
 * `@anarchy/signal`: the rendezvous service of Anarchy. A PeerJS PeerServer (so an unmodified
 * PeerJS client connects to it) plus room discovery over a small JSON API. It only introduces
 * peers to each other; no game data ever passes through it.
 *
 * @example
 * ```ts
 * import { createSignalServer } from '@anarchy/signal';
 * const signal = await createSignalServer({ port: 8787 });
 * console.log(signal.url); // http://127.0.0.1:8787 — REST API; PeerJS path: signal.peerPath
 * ```
 *
 * @packageDocumentation
 */
export { createSignalServer } from './server.js';
export type { SignalServer } from './server.js';
export { SignalConfigError, SIGNAL_DEFAULTS, MAX_PEERS_PER_ROOM_LIMIT } from './options.js';
export type { SignalServerOptions } from './options.js';
export { SignalErrorCode, SIGNAL_ERROR_STATUS } from './http-errors.js';
export type { SignalErrorBody } from './http-errors.js';
export type { SignalMetrics } from './metrics.js';
export type { RoomView } from './rooms.js';
export type { CreateRoomResponse, RoomResponse, HealthResponse } from './app.js';
export type { RateLimitOptions } from './rate-limit.js';
export { createJsonLogger, silentLogger } from './logger.js';
export type { Logger, LogLevel, LogFields, JsonLoggerOptions } from './logger.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { isPeerId, isRoomId, MAX_ID_LENGTH } from './validation.js';
