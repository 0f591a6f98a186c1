/**
 * Client for the signal service's room REST API (`@anarchy/signal`), plus the helper that turns a
 * signal URL into PeerJS server options. The signal service only introduces peers; no game data
 * passes through it. Every failure becomes a {@link SignalError} with a stable code.
 */
import { ArgumentError, ErrorCode, SignalError } from './errors.js';
import type { PeerId } from './transport/types.js';
import { asPeerId } from './transport/types.js';
import { systemClock } from './util/clock.js';
import type { Clock } from './util/clock.js';

/** The `fetch` the client uses; injected so tests and unusual hosts can supply their own. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A room as the signal service reports it. */
export interface RoomInfo {
  readonly roomId: string;
  /** Size cap of the room, including this peer. */
  readonly maxPeers: number;
  /** Peers currently registered in the room (the caller included, once joined). */
  readonly peers: readonly PeerId[];
}

/** Answer of `createRoom`. */
export interface CreatedRoom {
  readonly roomId: string;
  readonly maxPeers: number;
}

/** Options of {@link SignalClient}: where the signal service is, and how long to wait for it. */
export interface SignalClientOptions {
  /** Base URL of the signal service, e.g. `https://signal.example.com` or `http://127.0.0.1:9000`. */
  readonly url: string;
  /** Defaults to `globalThis.fetch`. */
  readonly fetch?: FetchLike;
  /** Clock for request timeouts; defaults to the system clock. */
  readonly clock?: Clock;
  /** Give up on a request after this long and report `signal-unreachable`. Default 10 000 ms. */
  readonly timeoutMs?: number;
}

/** Default request timeout: long enough for a cold serverless start, short enough for a user to wait. */
export const DEFAULT_SIGNAL_TIMEOUT_MS = 10_000;

/** Connection settings for a PeerJS `Peer`, derived from a signal URL. */
export interface PeerServerOptions {
  readonly host: string;
  readonly port: number;
  /** Path of the PeerServer mount, e.g. `/peerjs` (PeerJS appends its own `peerjs?key=…`). */
  readonly path: string;
  readonly secure: boolean;
  readonly key: string;
}

/** The PeerServer's API key; `@anarchy/signal` uses PeerJS's default. */
export const PEERJS_KEY = 'peerjs';
/** Where `@anarchy/signal` mounts its PeerServer, relative to the signal URL. */
export const PEERJS_MOUNT = 'peerjs';

/**
 * Parses a signal URL (`http:`, `https:`, `ws:` or `wss:`) into a base URL that ends in `/`.
 * Throws an {@link ArgumentError} for anything else, so a typo fails at the call site.
 *
 * @example
 * ```ts
 * parseSignalUrl('http://127.0.0.1:8787').href; // 'http://127.0.0.1:8787/'
 * parseSignalUrl('ftp://x'); // throws ArgumentError
 * ```
 */
export function parseSignalUrl(signalUrl: string): URL {
  let url: URL;
  try {
    url = new URL(signalUrl);
  } catch (cause) {
    throw new ArgumentError(`signalUrl "${signalUrl}" is not a URL; pass e.g. "https://signal.example.com".`, { signalUrl, cause });
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new ArgumentError(`signalUrl must be http(s) or ws(s), got "${url.protocol}".`, { signalUrl });
  }
  if (url.search || url.hash) {
    throw new ArgumentError('signalUrl must not have a query or fragment; pass the service base URL.', { signalUrl });
  }
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/**
 * Derives PeerJS `Peer` options from a signal URL: `http://127.0.0.1:9000` becomes
 * `{ host: '127.0.0.1', port: 9000, path: '/peerjs', secure: false, key: 'peerjs' }`. A base path
 * is kept (`https://x.org/signal` mounts PeerJS at `/signal/peerjs`).
 *
 * @example
 * ```ts
 * import Peer from 'peerjs';
 * const peer = new Peer(peerId, { ...peerServerOptions('http://127.0.0.1:8787'), config: { iceServers: [] } });
 * ```
 */
export function peerServerOptions(signalUrl: string): PeerServerOptions {
  const url = parseSignalUrl(signalUrl);
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  // URL keeps IPv6 hosts bracketed; PeerJS builds "ws://" + host + ":" + port, which needs the brackets.
  return { host: url.hostname, port, path: `${url.pathname}${PEERJS_MOUNT}`, secure, key: PEERJS_KEY };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

function parseCreatedRoom(body: unknown): CreatedRoom | undefined {
  if (!isRecord(body)) return undefined;
  const { roomId, maxPeers } = body;
  if (typeof roomId !== 'string' || roomId === '' || !isPositiveInt(maxPeers)) return undefined;
  return { roomId, maxPeers };
}

function parseRoomInfo(body: unknown): RoomInfo | undefined {
  const base = parseCreatedRoom(body);
  if (!base || !isRecord(body)) return undefined;
  const { peers } = body;
  if (!Array.isArray(peers) || !peers.every((p): p is string => typeof p === 'string')) return undefined;
  return { ...base, peers: peers.map(asPeerId) };
}

function parseErrorBody(body: unknown): { code: string; message: string } | undefined {
  if (!isRecord(body) || !isRecord(body['error'])) return undefined;
  const { code, message } = body['error'];
  if (typeof code !== 'string') return undefined;
  return { code, message: typeof message === 'string' ? message : '' };
}

interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  /** What the caller was doing, for messages: "create a room", "join room abc". */
  readonly what: string;
}

/**
 * Talks to the signal service's room API. Stateless apart from its options; safe to share.
 *
 * @example
 * ```ts
 * const signal = new SignalClient({ url: 'https://signal.example.com' });
 * const { roomId } = await signal.createRoom({ maxPeers: 8 });
 * ```
 */
export class SignalClient {
  /** Base URL, always ending in `/`. */
  readonly baseUrl: string;
  private readonly fetchFn: FetchLike;
  private readonly clock: Clock;
  private readonly timeoutMs: number;

  constructor(options: SignalClientOptions) {
    this.baseUrl = parseSignalUrl(options.url).href;
    const fetchFn = options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);
    if (!fetchFn) throw new ArgumentError('No fetch() in this environment; pass options.fetch.');
    this.fetchFn = fetchFn;
    this.clock = options.clock ?? systemClock;
    const timeoutMs = options.timeoutMs ?? DEFAULT_SIGNAL_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new ArgumentError('timeoutMs must be a positive number of milliseconds.', { timeoutMs });
    this.timeoutMs = timeoutMs;
  }

  /** Creates a room. `maxPeers` defaults to the server's cap. */
  async createRoom(options: { readonly maxPeers?: number } = {}): Promise<CreatedRoom> {
    const body = options.maxPeers === undefined ? {} : { maxPeers: options.maxPeers };
    const answer = await this.request({ method: 'POST', path: 'rooms', body, what: 'create a room' });
    return this.validate(answer, parseCreatedRoom, 'create a room');
  }

  /** Reads a room and its current peers. Rejects with `room-not-found` if it does not exist. */
  async getRoom(roomId: string): Promise<RoomInfo> {
    const what = `read room "${roomId}"`;
    const answer = await this.request({ method: 'GET', path: `rooms/${encodeURIComponent(roomId)}`, what });
    return this.validate(answer, parseRoomInfo, what);
  }

  /**
   * Registers `peerId` in `roomId` and returns the room including it. The peer must already hold
   * an open PeerServer connection (PeerJS `open` fired), or the service answers
   * `signal-rejected` with `details.signalCode === 'peer-not-connected'`.
   */
  async joinRoom(roomId: string, peerId: string): Promise<RoomInfo> {
    const what = `join room "${roomId}"`;
    const answer = await this.request({ method: 'POST', path: `rooms/${encodeURIComponent(roomId)}/peers`, body: { peerId }, what });
    return this.validate(answer, parseRoomInfo, what);
  }

  /** Removes `peerId` from `roomId`. */
  async leaveRoom(roomId: string, peerId: string): Promise<void> {
    const what = `leave room "${roomId}"`;
    await this.request({
      method: 'DELETE',
      path: `rooms/${encodeURIComponent(roomId)}/peers/${encodeURIComponent(peerId)}`,
      what,
    });
  }

  private validate<T>(answer: unknown, parse: (body: unknown) => T | undefined, what: string): T {
    const parsed = parse(answer);
    if (parsed === undefined) {
      // A 2xx answer of the wrong shape means something other than an Anarchy signal service answered.
      throw new SignalError(
        ErrorCode.SignalUnreachable,
        `The signal service at ${this.baseUrl} gave an unexpected answer when asked to ${what}; check that signalUrl points at an @anarchy/signal service.`,
        { url: this.baseUrl, reason: 'invalid-response' },
      );
    }
    return parsed;
  }

  /** Sends one request; resolves with the parsed JSON of a 2xx answer (undefined for 204). */
  private async request(spec: RequestSpec): Promise<unknown> {
    const url = new URL(spec.path, this.baseUrl).href;
    const init: RequestInit = { method: spec.method, headers: { accept: 'application/json' } };
    if (spec.body !== undefined) {
      init.body = JSON.stringify(spec.body);
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    }
    const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
    if (abort) init.signal = abort.signal;

    const unreachable = (reason: string, cause?: unknown): SignalError =>
      new SignalError(
        ErrorCode.SignalUnreachable,
        `Could not ${spec.what}: the signal service at ${this.baseUrl} ${reason}. Check signalUrl and that the service is running.`,
        { url, reason },
        { cause },
      );

    let timer: ReturnType<Clock['setTimeout']> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => {
        abort?.abort();
        reject(unreachable(`did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    });
    try {
      const exchange = async (): Promise<unknown> => {
        let response: Response;
        try {
          response = await this.fetchFn(url, init);
        } catch (cause) {
          throw unreachable('could not be reached', cause);
        }
        if (response.status === 204) return undefined;
        let body: unknown;
        try {
          body = await response.json();
        } catch (cause) {
          throw unreachable(`answered HTTP ${response.status} with a body that is not JSON`, cause);
        }
        if (response.ok) return body;
        throw this.toError(response.status, body, spec.what);
      };
      return await Promise.race([exchange(), timeout]);
    } finally {
      if (timer !== undefined) this.clock.clearTimeout(timer);
    }
  }

  private toError(status: number, body: unknown, what: string): SignalError {
    const error = parseErrorBody(body);
    const signalCode = error?.code ?? `http-${status}`;
    const serverMessage = error?.message ?? '';
    const details = { status, signalCode, serverMessage, url: this.baseUrl };
    if (signalCode === 'room-not-found') {
      return new SignalError(ErrorCode.RoomNotFound, `Could not ${what}: the room does not exist (it may have expired). Create a new room.`, details);
    }
    if (signalCode === 'room-full') {
      return new SignalError(ErrorCode.RoomFull, `Could not ${what}: the room is full. Try again later or create a new room.`, details);
    }
    return new SignalError(
      ErrorCode.SignalRejected,
      `Could not ${what}: the signal service refused (${signalCode}${serverMessage ? `: ${serverMessage}` : ''}).`,
      details,
    );
  }
}
