/**
 * Options of the simulated network: how each directed link misbehaves and how each simulated
 * transport keeps its connections alive. Defaults are what a test gets when it says nothing.
 */
import { ArgumentError } from '../../errors.js';
import type { MeshPolicy } from '../mesh.js';

/**
 * How one directed link (from one peer to another) behaves. Every field applies per packet.
 * `state` packets suffer loss, duplication and reordering; `control` packets turn loss into
 * retransmission delay and are never duplicated or reordered.
 */
export interface LinkOptions {
  /** One-way base delay in milliseconds. */
  readonly latencyMs: number;
  /** Extra one-way delay drawn uniformly from [0, jitterMs) for each packet. */
  readonly jitterMs: number;
  /** Probability in [0, 1] that one transmission is lost. */
  readonly loss: number;
  /** Probability in [0, 1] that a `state` packet arrives twice. */
  readonly duplicate: number;
  /** Probability in [0, 1] that a `state` packet is held back by up to `reorderDelayMs` extra. */
  readonly reorder: number;
  /** Largest extra delay, in milliseconds, of a packet picked by `reorder`. */
  readonly reorderDelayMs: number;
  /**
   * Serialization rate in bytes per second (`Infinity` for none). Packets queue behind each other
   * on the link (both channels share it, as they share one SCTP association) and count in
   * `bufferedAmount` until fully serialized.
   */
  readonly bandwidthBytesPerSec: number;
}

/** A 10 ms perfect link: small enough for fast tests, non-zero so ordering bugs still show. */
export const DEFAULT_LINK: Readonly<LinkOptions> = Object.freeze({
  latencyMs: 10,
  jitterMs: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  reorderDelayMs: 50,
  bandwidthBytesPerSec: Number.POSITIVE_INFINITY,
});

/** Per-transport behaviour; every field has a default (see {@link DEFAULT_TRANSPORT}). */
export interface SimTransportOptions {
  /** Room to join; transports in one room connect to each other. Default `'default'`. */
  readonly room?: string;
  /** Interval of the internal keep-alives sent to every peer on the `state` channel, in ms. */
  readonly keepAliveMs?: number;
  /**
   * A peer not heard from (any packet, either channel) for longer than this is dropped with reason
   * `timeout` at the next keep-alive tick. Must exceed `keepAliveMs`.
   */
  readonly peerTimeoutMs?: number;
  /** After a `timeout` leave or a failed dial, dial that peer again while both are in the room. */
  readonly redial?: boolean;
  /** Interval between re-dial attempts, in ms. */
  readonly redialMs?: number;
  /** Chooses which peers already in the room a new transport dials. Default: all of them. */
  readonly mesh?: MeshPolicy;
}

/** Same defaults as the real transport: keep-alive every second, gone after five silent seconds. */
export const DEFAULT_TRANSPORT = Object.freeze({
  room: 'default',
  keepAliveMs: 1_000,
  peerTimeoutMs: 5_000,
  redial: true,
  redialMs: 1_000,
});

const isProbability = (v: number): boolean => Number.isFinite(v) && v >= 0 && v <= 1;
const isDuration = (v: number): boolean => Number.isFinite(v) && v >= 0;

/** Throws an {@link ArgumentError} naming the first field outside its documented range. */
export function validateLinkOptions(opts: Partial<LinkOptions>): void {
  const bad = (field: string, value: unknown, want: string): never => {
    throw new ArgumentError(`LinkOptions.${field} must be ${want}, got ${String(value)}`, { field, value });
  };
  for (const field of ['latencyMs', 'jitterMs', 'reorderDelayMs'] as const) {
    const v = opts[field];
    if (v !== undefined && !isDuration(v)) bad(field, v, 'a finite number of milliseconds >= 0');
  }
  for (const field of ['loss', 'duplicate', 'reorder'] as const) {
    const v = opts[field];
    if (v !== undefined && !isProbability(v)) bad(field, v, 'a probability in [0, 1]');
  }
  const bw = opts.bandwidthBytesPerSec;
  if (bw !== undefined && !(bw > 0)) bad('bandwidthBytesPerSec', bw, 'a positive number of bytes per second (or Infinity)');
}

/** Throws an {@link ArgumentError} for a transport option outside its documented range. */
export function validateTransportOptions(opts: SimTransportOptions): void {
  for (const field of ['keepAliveMs', 'peerTimeoutMs', 'redialMs'] as const) {
    const v = opts[field];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new ArgumentError(`SimTransportOptions.${field} must be a positive number of milliseconds, got ${String(v)}`, { field, value: v });
    }
  }
  const keepAlive = opts.keepAliveMs ?? DEFAULT_TRANSPORT.keepAliveMs;
  const timeout = opts.peerTimeoutMs ?? DEFAULT_TRANSPORT.peerTimeoutMs;
  if (timeout <= keepAlive) {
    throw new ArgumentError(
      `peerTimeoutMs (${timeout}) must exceed keepAliveMs (${keepAlive}), or healthy peers time out between keep-alives; use several keep-alive intervals`,
      { keepAliveMs: keepAlive, peerTimeoutMs: timeout },
    );
  }
  if (opts.room !== undefined && (typeof opts.room !== 'string' || opts.room.length === 0)) {
    throw new ArgumentError(`SimTransportOptions.room must be a non-empty string, got ${String(opts.room)}`, { field: 'room' });
  }
}
