/**
 * The `Transport` interface: everything above it (wire, membership, replication) sees only this.
 * Two implementations: `PeerJsTransport` (real WebRTC, browsers and Node) and `SimTransport`
 * (in-memory, virtual clock, seeded faults). Both pass the same conformance suite.
 */
import type { TransportError } from '../errors.js';

/** A peer's id in a room (its PeerJS id). Branded so it is not confused with other strings. */
export type PeerId = string & { readonly __brand: 'PeerId' };

/**
 * Brands a string as a {@link PeerId}, e.g. an id read from your own lobby or saved state.
 * Validation happens at the boundaries that accept ids.
 *
 * @example
 * ```ts
 * const host = asPeerId(lobby.hostId);
 * transport.dial(host);
 * ```
 */
export const asPeerId = (id: string): PeerId => id as PeerId;

/**
 * `control`: reliable and ordered (handshakes, snapshots, actions).
 * `state`: unordered with `maxRetransmits: 0` (deltas, heartbeats): a lost message stays lost.
 */
export type Channel = 'control' | 'state';
/** Every {@link Channel}, for code that handles each one in turn (stats, per-channel queues). */
export const CHANNELS: readonly Channel[] = ['control', 'state'];

/**
 * Largest message a transport accepts on one `send`, in bytes. Chromium closes a data channel on
 * messages over 256 KiB and PeerJS chunks at 16,300 bytes; the wire layer keeps frames at or
 * under 16 KiB, so 64 KiB leaves headroom without ever reaching Chromium's limit.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** Why a peer left. */
export type LeaveReason =
  /** The peer closed its transport or its channel closed cleanly. */
  | 'closed'
  /** The peer stopped answering keep-alives (tab crashed, network gone). */
  | 'timeout'
  /** The connection failed (ICE failure, data channel error). */
  | 'error'
  /**
   * One side closed just this connection with {@link Transport.hangUp} (to stay under a
   * connection cap): both peers are still in the room and either may dial the other again.
   */
  | 'hung-up';

/**
 * The events of a {@link Transport}, by name: what `transport.on(name, listener)` passes to the
 * listener.
 *
 * @example
 * ```ts
 * transport.on('peer-left', ({ peer, reason }) => console.log(peer, 'left:', reason));
 * transport.on('error', (err) => console.warn(err.code, err.message));
 * ```
 */
export interface TransportEvents {
  /** A connection to `peer` is open on both channels; `send` to it works from now on. */
  'peer-joined': { readonly peer: PeerId };
  /** `peer` is gone; sends to it now throw `unknown-peer`. Emitted once per join. */
  'peer-left': { readonly peer: PeerId; readonly reason: LeaveReason };
  /** Bytes from `peer` on `channel`. The array is owned by the receiver. */
  message: { readonly peer: PeerId; readonly channel: Channel; readonly data: Uint8Array };
  /** A non-fatal problem (a failed dial, a signal hiccup). Fatal ones also emit `closed`. */
  error: TransportError;
  /** The transport is closed (by `close()` or a fatal error); no further events follow. */
  closed: { readonly error?: TransportError };
}

/**
 * Bytes between the peers of one room, on two channels: what the layers above see of the network.
 * `PeerJsTransport` (WebRTC) and `SimTransport` (`@anarchy/sdk/testing`) implement it; to bring
 * your own, implement this and run `runConformance` from `@anarchy/sdk/testing` against it.
 *
 * @example
 * ```ts
 * function greetEveryone(transport: Transport): void {
 *   const hello = new TextEncoder().encode('hello');
 *   for (const peer of transport.peers()) transport.send(peer, 'control', hello);
 *   transport.on('peer-joined', ({ peer }) => transport.send(peer, 'control', hello));
 * }
 * ```
 */
export interface Transport {
  /** This peer's id. */
  readonly localId: PeerId;
  /** Peers with an open connection right now (both channels open). */
  peers(): readonly PeerId[];
  /**
   * Sends `data` to `peer` on `channel`. Never blocks. Throws a `TransportError` with code
   * `unknown-peer` (no open connection), `closed` (transport closed), `invalid-message` (not a
   * `Uint8Array`, or over {@link MAX_MESSAGE_BYTES}) or `send-failed`.
   */
  send(peer: PeerId, channel: Channel, data: Uint8Array): void;
  /**
   * Opens a connection to `peer` (in this room) unless one is open or being set up; it is
   * announced with `peer-joined`. The mesh policy picks the dials on joining; layers above call
   * this to repair or grow the mesh later. Throws `closed` after close, `invalid-argument` for a
   * malformed id.
   */
  dial(peer: PeerId): void;
  /**
   * Closes the connection to `peer` alone, e.g. one a connection cap no longer has room for: both
   * sides see `peer-left` with reason `hung-up` (this side at once), both stay in the room, and
   * either may `dial` the other again later. No-op when not connected. Throws `closed` after close.
   */
  hangUp(peer: PeerId): void;
  /** Bytes queued but not yet handed to the network for `peer` on `channel` (0 for unknown peers). */
  bufferedAmount(peer: PeerId, channel: Channel): number;
  /** Subscribes to an event; returns an unsubscribe function. */
  on<K extends keyof TransportEvents>(event: K, listener: (payload: TransportEvents[K]) => void): () => void;
  /** Leaves the room gracefully: peers see `peer-left` with reason `closed`. Idempotent. */
  close(): Promise<void>;
  /** True once `close()` was called or a fatal error closed the transport. */
  readonly closed: boolean;
}
