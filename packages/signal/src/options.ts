/**
 * Options of the signal server, their defaults, and their validation. Shared by the library entry
 * and the CLI, so both reject the same values with the same messages.
 */
import { nanoid } from 'nanoid';
import { systemClock, type Clock } from './clock.js';
import { createJsonLogger, type Logger } from './logger.js';
import type { RateLimitOptions } from './rate-limit.js';

/** Options of `createSignalServer`; every field is optional. */
export interface SignalServerOptions {
  /** TCP port; `0` picks a free one (see `SignalServer.port`). Default `0`. */
  readonly port?: number;
  /** Interface to listen on. Default `'127.0.0.1'` (loopback only); use `'0.0.0.0'` to serve a network. */
  readonly host?: string;
  /** Mount path of the PeerServer; PeerJS clients pass the same `path`. Default `'/peerjs'`. */
  readonly path?: string;
  /** PeerJS key clients must present. Default `'peerjs'` (PeerJS's default). */
  readonly key?: string;
  /** Largest room size; also the size of rooms created without `maxPeers`. Default 64. */
  readonly maxPeersPerRoom?: number;
  /** Largest JSON request body in bytes. Default 4096. */
  readonly maxBodyBytes?: number;
  /** Most PeerJS clients connected at once; the next one gets a PeerServer error. Default 20,000. */
  readonly maxConnections?: number;
  /** Requests (and WebSocket upgrades) allowed per remote address. Default 120 per 10 s. */
  readonly rateLimit?: RateLimitOptions;
  /** How long a room may stay empty (or never joined) before it is dropped, in ms. Default 10 min. */
  readonly roomTtlMs?: number;
  /** Structured logger. Default: JSON lines on stderr at level info. */
  readonly logger?: Logger;
  /** Time source for rate limits, room expiry and uptime. Default: `performance.now()`. */
  readonly clock?: Clock;
  /** Makes room ids. Default: 21-character nanoid. Must return ids matching `/^[A-Za-z0-9_-]{1,64}$/`. */
  readonly generateRoomId?: () => string;
}

/** Options with every default filled in. */
export interface ResolvedSignalServerOptions {
  readonly port: number;
  readonly host: string;
  readonly path: string;
  readonly key: string;
  readonly maxPeersPerRoom: number;
  readonly maxBodyBytes: number;
  readonly maxConnections: number;
  readonly rateLimit: RateLimitOptions;
  readonly roomTtlMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly generateRoomId: () => string;
}

/** The defaults, each with its reason. */
export const SIGNAL_DEFAULTS = {
  port: 0,
  /** Loopback unless told otherwise: exposing a service must be a decision. */
  host: '127.0.0.1',
  path: '/peerjs',
  /** PeerJS's default key, so a client that passes none connects. */
  key: 'peerjs',
  /** Gossip and full-mesh WebRTC stop being sensible well before this. */
  maxPeersPerRoom: 64,
  /** The largest legitimate body is `{"peerId": <64 chars>}`; 4 KiB leaves room to grow. */
  maxBodyBytes: 4 * 1024,
  /** One process holds 5,000 clients in about 115 MB (measured by `pnpm bench`); 20,000 keeps headroom under 1 GB. */
  maxConnections: 20_000,
  /** A page load is a handful of requests; 12 per second sustained is far above any real client. */
  rateLimit: { windowMs: 10_000, max: 120 },
  /** Long enough to share a link and for everyone to reload, short enough to bound memory. */
  roomTtlMs: 10 * 60 * 1000,
} as const;

/** Highest `maxPeersPerRoom` accepted; a room list is sent whole on every join. */
export const MAX_PEERS_PER_ROOM_LIMIT = 10_000;

/** A configuration value was out of range; `option` names it. */
export class SignalConfigError extends Error {
  override readonly name = 'SignalConfigError';
  readonly code = 'invalid-config';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

const PATH = /^\/(?:[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*)?$/;
const KEY = /^[A-Za-z0-9_-]{1,64}$/;

function integerIn(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SignalConfigError(option, `${option} must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

/** Checks `port`: an integer in 0–65535. */
export function checkPort(value: number, option = 'port'): number {
  return integerIn(option, value, 0, 65_535);
}

/** Checks and normalises a mount path: `/` or `/a/b` (a trailing slash is dropped). */
export function checkPath(value: string, option = 'path'): string {
  const trimmed = value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
  if (!PATH.test(trimmed)) {
    throw new SignalConfigError(option, `${option} must start with '/' and contain only A-Z, a-z, 0-9, '_', '-' and '/' (got ${JSON.stringify(value)})`);
  }
  return trimmed;
}

/** Checks a PeerJS key: 1–64 characters of `A-Z a-z 0-9 _ -`. */
export function checkKey(value: string, option = 'key'): string {
  if (!KEY.test(value)) throw new SignalConfigError(option, `${option} must be 1–64 characters of A-Z, a-z, 0-9, '_' and '-'`);
  return value;
}

/** Checks a host name or address: non-empty, no spaces. */
export function checkHost(value: string, option = 'host'): string {
  if (value === '' || /\s/.test(value)) throw new SignalConfigError(option, `${option} must be a host name or IP address`);
  return value;
}

/** Checks the room size cap. */
export function checkMaxPeersPerRoom(value: number, option = 'maxPeersPerRoom'): number {
  return integerIn(option, value, 1, MAX_PEERS_PER_ROOM_LIMIT);
}

/** Fills in defaults and validates; throws {@link SignalConfigError}. */
export function resolveOptions(options: SignalServerOptions = {}): ResolvedSignalServerOptions {
  const rateLimit = options.rateLimit ?? SIGNAL_DEFAULTS.rateLimit;
  integerIn('rateLimit.max', rateLimit.max, 1, Number.MAX_SAFE_INTEGER);
  if (!(rateLimit.windowMs > 0) || !Number.isFinite(rateLimit.windowMs)) {
    throw new SignalConfigError('rateLimit.windowMs', 'rateLimit.windowMs must be a positive number of milliseconds');
  }
  const roomTtlMs = options.roomTtlMs ?? SIGNAL_DEFAULTS.roomTtlMs;
  if (!(roomTtlMs >= 0) || !Number.isFinite(roomTtlMs)) throw new SignalConfigError('roomTtlMs', 'roomTtlMs must be a non-negative number of milliseconds');
  const clock = options.clock ?? systemClock;
  return {
    port: checkPort(options.port ?? SIGNAL_DEFAULTS.port),
    host: checkHost(options.host ?? SIGNAL_DEFAULTS.host),
    path: checkPath(options.path ?? SIGNAL_DEFAULTS.path),
    key: checkKey(options.key ?? SIGNAL_DEFAULTS.key),
    maxPeersPerRoom: checkMaxPeersPerRoom(options.maxPeersPerRoom ?? SIGNAL_DEFAULTS.maxPeersPerRoom),
    maxBodyBytes: integerIn('maxBodyBytes', options.maxBodyBytes ?? SIGNAL_DEFAULTS.maxBodyBytes, 64, 1024 * 1024),
    maxConnections: integerIn('maxConnections', options.maxConnections ?? SIGNAL_DEFAULTS.maxConnections, 1, 1_000_000),
    rateLimit: { windowMs: rateLimit.windowMs, max: rateLimit.max },
    roomTtlMs,
    logger: options.logger ?? createJsonLogger(),
    clock,
    generateRoomId: options.generateRoomId ?? (() => nanoid()),
  };
}
