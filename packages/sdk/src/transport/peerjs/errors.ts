/**
 * Every error PeerJS can raise, mapped to one SDK {@link ErrorCode} and to what the transport does
 * about it. One table, checked by a test against PeerJS's own enums, so a PeerJS upgrade that adds
 * an error type fails the build instead of leaking an unmapped error.
 */
import type { BaseConnectionErrorType, DataConnectionErrorType, PeerErrorType } from 'peerjs';
import { ErrorCode, TransportError } from '../../errors.js';
import type { PeerId } from '../types.js';

/** Every `type` a PeerJS `PeerError` can carry (from `Peer`, `DataConnection` and their base). */
export type PeerJsErrorType = `${PeerErrorType}` | `${BaseConnectionErrorType}` | `${DataConnectionErrorType}`;

/**
 * What an error means for the transport:
 * - `fatal`: the transport cannot work; `join()` rejects, or an open transport closes.
 * - `fatal-before-join`: `join()` rejects; once joined only the signal link is lost, existing peer
 *   connections keep working, so it is reported as `error` and the transport reconnects.
 * - `signal`: a non-fatal signalling problem, reported as `error`.
 * - `peer`: about one peer connection: reported as `error`, and that peer is dropped.
 */
export type PeerJsErrorSeverity = 'fatal' | 'fatal-before-join' | 'signal' | 'peer';

/** One row of {@link PEERJS_ERRORS}: the SDK error a PeerJS error becomes, and what it means. */
export interface PeerJsErrorMapping {
  /** The {@link ErrorCode} of the resulting {@link TransportError}. */
  readonly code: ErrorCode;
  /** Whether the transport survives it (see {@link PeerJsErrorSeverity}). */
  readonly severity: PeerJsErrorSeverity;
  /** What the user should do next; becomes the end of the error message. */
  readonly hint: string;
}

/** The table. Keys are PeerJS's error `type` strings. */
export const PEERJS_ERRORS: Readonly<Record<PeerJsErrorType, PeerJsErrorMapping>> = {
  // Peer errors (PeerErrorType).
  'browser-incompatible': {
    code: ErrorCode.WebRtcUnsupported,
    severity: 'fatal',
    hint: 'This environment has no usable WebRTC. In Node, call installNodeWebRtc() from @anarchy/sdk/node before joining.',
  },
  disconnected: {
    code: ErrorCode.SignalDisconnected,
    severity: 'signal',
    hint: 'The signal connection was closed, so no new peers can connect until it reconnects.',
  },
  'invalid-id': {
    code: ErrorCode.PeerIdUnavailable,
    severity: 'fatal',
    hint: "Peer ids are letters and digits, optionally joined by single ' ', '_' or '-'; omit peerId to get one generated.",
  },
  'invalid-key': {
    code: ErrorCode.SignalRejected,
    severity: 'fatal',
    hint: 'The PeerServer rejected the API key; check that signalUrl points at an @anarchy/signal service.',
  },
  network: {
    code: ErrorCode.SignalDisconnected,
    severity: 'fatal-before-join',
    hint: 'Lost the connection to the signal service; check the network. Existing peer connections keep working.',
  },
  'peer-unavailable': {
    code: ErrorCode.PeerConnectionFailed,
    severity: 'peer',
    hint: 'The peer is no longer connected to the signal service (it probably left).',
  },
  'ssl-unavailable': {
    code: ErrorCode.SignalUnreachable,
    severity: 'fatal',
    hint: 'The signal service does not offer TLS; use an http:// signalUrl or enable TLS on the service.',
  },
  'server-error': {
    code: ErrorCode.SignalServerError,
    severity: 'fatal',
    hint: 'The signal service failed; retry later or check its logs.',
  },
  'socket-error': {
    code: ErrorCode.SignalDisconnected,
    severity: 'fatal-before-join',
    hint: 'The connection to the signal service failed; check signalUrl and the network.',
  },
  'socket-closed': {
    code: ErrorCode.SignalDisconnected,
    severity: 'fatal-before-join',
    hint: 'The signal service closed the connection; check signalUrl and that the service is running.',
  },
  'unavailable-id': {
    code: ErrorCode.PeerIdUnavailable,
    severity: 'fatal-before-join',
    hint: 'Another peer already uses this id; join with a different peerId or omit it.',
  },
  webrtc: {
    code: ErrorCode.PeerConnectionFailed,
    severity: 'signal',
    hint: 'A WebRTC negotiation step failed; the affected connection is retried or dropped after connectTimeoutMs.',
  },
  // Connection errors (BaseConnectionErrorType).
  'negotiation-failed': {
    code: ErrorCode.PeerConnectionFailed,
    severity: 'peer',
    hint: 'ICE could not connect the two peers; behind restrictive NATs pass a TURN server in iceServers.',
  },
  'connection-closed': {
    code: ErrorCode.PeerConnectionFailed,
    severity: 'peer',
    hint: 'The connection to the peer closed.',
  },
  // Data connection errors (DataConnectionErrorType).
  'not-open-yet': {
    code: ErrorCode.SendFailed,
    severity: 'peer',
    hint: 'A message was sent before the connection opened; wait for peer-joined.',
  },
  'message-too-big': {
    code: ErrorCode.InvalidMessage,
    severity: 'peer',
    hint: 'The message is too large for the data channel; keep messages under MAX_MESSAGE_BYTES.',
  },
};

/** The mapping used for a `type` PeerJS did not document (or a non-PeerJS error). */
export const UNKNOWN_PEERJS_ERROR: PeerJsErrorMapping = {
  code: ErrorCode.Internal,
  severity: 'signal',
  hint: 'PeerJS raised an error this SDK does not know; please report it.',
};

/** Looks up a PeerJS error `type`. */
export function peerJsErrorMapping(type: string): PeerJsErrorMapping {
  return Object.prototype.hasOwnProperty.call(PEERJS_ERRORS, type) ? PEERJS_ERRORS[type as PeerJsErrorType] : UNKNOWN_PEERJS_ERROR;
}

/** The `type` of a PeerJS `PeerError`, or `undefined` for anything else. */
export function peerJsErrorType(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('type' in err)) return undefined;
  const { type } = err;
  return typeof type === 'string' ? type : undefined;
}

/**
 * Converts anything PeerJS emitted as `error` to a {@link TransportError} and its severity. For
 * code that drives a PeerJS `Peer` itself and wants the SDK's codes and advice.
 *
 * @example
 * ```ts
 * peer.on('error', (err) => {
 *   const { error, severity } = fromPeerJsError(err);
 *   if (severity === 'fatal') peer.destroy();
 *   console.warn(error.code, error.message);
 * });
 * ```
 */
export function fromPeerJsError(err: unknown, peer?: PeerId): { error: TransportError; severity: PeerJsErrorSeverity } {
  const type = peerJsErrorType(err) ?? 'unknown';
  const mapping = peerJsErrorMapping(type);
  const detail = err instanceof Error && err.message ? err.message : String(err);
  const where = peer === undefined ? '' : ` (peer ${peer})`;
  const details: Record<string, unknown> = { peerjsType: type };
  if (peer !== undefined) details['peer'] = peer;
  const error = new TransportError(mapping.code, `PeerJS ${type}${where}: ${detail}. ${mapping.hint}`, details, { cause: err });
  return { error, severity: mapping.severity };
}
