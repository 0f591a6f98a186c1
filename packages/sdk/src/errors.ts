/**
 * Every error the SDK raises is an {@link AnarchyError} with a stable {@link ErrorCode}, so game
 * code can branch on `err.code` instead of parsing messages. Messages say what to do next.
 */

/** Stable error codes. Add new ones at the end; never rename one that shipped. */
export const ErrorCode = {
  /** A send or call named a peer this transport has no open connection to. */
  UnknownPeer: 'unknown-peer',
  /** The transport (or room) was closed; create a new one to continue. */
  Closed: 'closed',
  /** Bytes were not a `Uint8Array`, or exceed the channel's size limit. */
  InvalidMessage: 'invalid-message',
  /** A caller passed an argument outside its documented range. */
  InvalidArgument: 'invalid-argument',
  /** The signal service could not be reached (network error or non-JSON answer). */
  SignalUnreachable: 'signal-unreachable',
  /** The signal service answered with an error (see `details.signalCode`). */
  SignalRejected: 'signal-rejected',
  /** The room does not exist on the signal service. */
  RoomNotFound: 'room-not-found',
  /** The room is at its size cap. */
  RoomFull: 'room-full',
  /** The peer id is taken, malformed, or was refused by the PeerServer. */
  PeerIdUnavailable: 'peer-id-unavailable',
  /** WebRTC is missing in this environment (in Node, install `@roamhq/wrtc`). */
  WebRtcUnsupported: 'webrtc-unsupported',
  /** A WebRTC connection to a peer could not be established or failed. */
  PeerConnectionFailed: 'peer-connection-failed',
  /** A peer stopped answering and was declared gone. */
  PeerTimeout: 'peer-timeout',
  /** The connection to the signal service (PeerServer socket) was lost. */
  SignalDisconnected: 'signal-disconnected',
  /** The signal service reported a server-side error. */
  SignalServerError: 'signal-server-error',
  /** Sending failed inside the data channel (e.g. it closed mid-send). */
  SendFailed: 'send-failed',
  /** The send queue is over its limit; the peer is too slow to keep up. */
  Backpressure: 'backpressure',
  /** Bytes from a peer were not a valid frame (see `details`). */
  MalformedFrame: 'malformed-frame',
  /** A peer speaks a protocol version this build cannot read. */
  IncompatibleVersion: 'incompatible-version',
  /** A reassembled payload would exceed the configured maximum. */
  PayloadTooLarge: 'payload-too-large',
  /** This peer is not the czar of the shard it tried to write. */
  NotCzar: 'not-czar',
  /** An unexpected internal failure; please report it with the seed or logs. */
  Internal: 'internal',
  /** The shard id was never declared in this room (`room.declareShard`). */
  UnknownShard: 'unknown-shard',
  /** The czar's action handler refused the action (see `details.reason`). */
  ActionRejected: 'action-rejected',
  /** No czar confirmed the action in time; it may or may not have been applied. */
  ActionTimeout: 'action-timeout',
  /** The czar that received the action left before confirming it; it may or may not have been applied. */
  ActionUnconfirmed: 'action-unconfirmed',
  /**
   * This peer cannot reach a majority of the room it last knew (a partition, or half the room
   * gone): shards are read only here until it can (`room.status()`, the `status` event).
   */
  ReadOnly: 'read-only',
  /**
   * A write waited on for commitment (`act(…, { commit: true })`, `whenCommitted`) was rolled
   * back: the czar lost its term before its first backup acknowledged it ([R24]).
   */
  RolledBack: 'rolled-back',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Base class of every SDK error: catch it and branch on {@link AnarchyError.code}, which is
 * stable across releases, rather than on the message, which is written for people.
 *
 * @example
 * ```ts
 * try {
 *   await clicks.act({});
 * } catch (err) {
 *   if (err instanceof AnarchyError && err.code === ErrorCode.ReadOnly) showBanner('Reconnecting…');
 *   else throw err;
 * }
 * ```
 */
export class AnarchyError extends Error {
  override readonly name: string = 'AnarchyError';
  /** What went wrong, as a stable {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** Machine-readable context (the peer, the limit, the bad value); keys depend on the code. */
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/**
 * Raised by transports: connecting, sending, losing peers. Also what a transport's `error` event
 * carries.
 *
 * @example
 * ```ts
 * transport.on('error', (err: TransportError) => {
 *   if (err.code === ErrorCode.PeerConnectionFailed) console.warn('could not reach', err.details['peer']);
 * });
 * ```
 */
export class TransportError extends AnarchyError {
  override readonly name = 'TransportError';
}

/**
 * Raised when talking to the signal (rendezvous) service fails, e.g. by `SignalClient` and by
 * joining a room.
 *
 * @example
 * ```ts
 * const info = await signal.getRoom(roomId).catch((err: unknown) => {
 *   if (err instanceof SignalError && err.code === ErrorCode.RoomNotFound) return undefined;
 *   throw err;
 * });
 * ```
 */
export class SignalError extends AnarchyError {
  override readonly name = 'SignalError';
}

/**
 * Raised by the wire codec for bytes that are not a valid frame (`malformed-frame`, with a stable
 * `details.reason`), from a newer or older protocol (`incompatible-version`), or too large.
 *
 * @example
 * ```ts
 * try {
 *   decodeFrame(bytes);
 * } catch (err) {
 *   if (err instanceof WireError) console.warn(err.code, err.details['reason']);
 * }
 * ```
 */
export class WireError extends AnarchyError {
  override readonly name = 'WireError';
}

/**
 * Raised for bad arguments to public API calls (code `invalid-argument`): a bug in the calling
 * code, so it is thrown at once rather than reported as an event.
 *
 * @example
 * ```ts
 * if (!Number.isInteger(maxPeers)) throw new ArgumentError(`maxPeers must be an integer, got ${maxPeers}.`, { maxPeers });
 * ```
 */
export class ArgumentError extends AnarchyError {
  override readonly name = 'ArgumentError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(ErrorCode.InvalidArgument, message, details);
  }
}
