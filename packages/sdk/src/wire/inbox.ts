/**
 * The receiving pipeline of one peer ([W12]): frames in, validated messages out. Every failure is
 * caught here, counted by code and reported as an `error` event; nothing a peer sends can throw
 * into the code above. Fragments are reassembled with bounded memory and timeouts.
 */
import { ErrorCode, WireError } from '../errors.js';
import type { ErrorCode as ErrorCodeType } from '../errors.js';
import type { Clock } from '../util/clock.js';
import { Emitter } from '../util/emitter.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, HEADER_BYTES, MAX_FRAME_BYTES, decodeFrame } from './frame.js';
import { Reassembler, type TransferDropped } from './fragment.js';
import type { Channel, FrameMessage, Message } from './messages.js';
import { incompatibleVersion } from './version.js';

/** Options of an {@link Inbox}: its clock and the memory and size limits it enforces per peer. */
export interface InboxOptions {
  /** Drives reassembly timeouts. */
  readonly clock: Clock;
  /** Names the peer in errors and events. */
  readonly peer?: string;
  /** Largest reassembled or decompressed payload; default 4 MiB. Use the same value on every peer. */
  readonly maxPayloadBytes?: number;
  /** Memory for unfinished transfers from this peer; default twice `maxPayloadBytes`, at least `maxPayloadBytes` + 21. */
  readonly maxReassemblyBytes?: number;
  /** Unfinished transfers from this peer at once; default 8. */
  readonly maxTransfers?: number;
  /** A transfer with no new fragment for this long is dropped; default 10 s (a snapshot over a slow link). */
  readonly reassemblyTimeoutMs?: number;
  /** Larger frames are rejected unread; default 64 KiB (the transport's limit). */
  readonly maxFrameBytes?: number;
}

/** The events of an {@link Inbox}: what `inbox.on(name, listener)` passes to the listener. */
export interface InboxEvents extends Record<string, unknown> {
  /** A frame (or reassembled payload) was rejected. Codes: malformed-frame, incompatible-version, payload-too-large. */
  error: WireError;
  /** A fragmented transfer was given up (lost fragments, or room needed for a newer one). */
  'transfer-dropped': TransferDropped & { readonly peer?: string };
}

/** Counters of an {@link Inbox}; all only grow. */
export interface InboxStats {
  frames: number;
  bytes: number;
  framesRejected: number;
  messages: number;
  /** Messages of types this build does not know, skipped ([W11]). */
  unknownMessages: number;
  fragments: number;
  /** Fragments of transfers already given up. */
  fragmentsIgnored: number;
  transfersCompleted: number;
  transfersDropped: number;
  /** Rejections per error code. */
  errors: Partial<Record<ErrorCodeType, number>>;
}

/**
 * Framing around a payload in a reassembled frame: the header and, if compressed, the raw-length
 * varint. A payload of exactly `maxPayloadBytes` must still fit.
 */
const INNER_FRAME_OVERHEAD_BYTES = HEADER_BYTES + 8;

/** Default per-transfer idle timeout, in ms. */
export const DEFAULT_REASSEMBLY_TIMEOUT_MS = 10_000;

/**
 * Decodes the frames of one peer. Call {@link Inbox.close} when the peer leaves. Create one per
 * peer: fragments are reassembled, and limits enforced, per sender.
 *
 * @example
 * ```ts
 * const inbox = new Inbox({ clock: systemClock, peer });
 * inbox.on('error', (err) => console.warn(`dropped a frame from ${peer}:`, err.code));
 * transport.on('message', (e) => {
 *   if (e.peer === peer) for (const m of inbox.receive(e.channel, e.data)) handle(m);
 * });
 * ```
 */
export class Inbox {
  private readonly emitter = new Emitter<InboxEvents>();
  private readonly reassembler: Reassembler;
  private readonly maxPayloadBytes: number;
  private readonly maxFrameBytes: number;
  private readonly versionsReported = new Set<number>();
  readonly stats: InboxStats = {
    frames: 0,
    bytes: 0,
    framesRejected: 0,
    messages: 0,
    unknownMessages: 0,
    fragments: 0,
    fragmentsIgnored: 0,
    transfersCompleted: 0,
    transfersDropped: 0,
    errors: {},
  };

  constructor(private readonly options: InboxOptions) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.reassembler = new Reassembler({
      clock: options.clock,
      maxPayloadBytes: this.maxPayloadBytes,
      frameOverheadBytes: INNER_FRAME_OVERHEAD_BYTES,
      maxBytes: options.maxReassemblyBytes ?? 2 * this.maxPayloadBytes,
      maxTransfers: options.maxTransfers ?? 8,
      idleTimeoutMs: options.reassemblyTimeoutMs ?? DEFAULT_REASSEMBLY_TIMEOUT_MS,
      onDrop: (drop) => {
        this.stats.transfersDropped++;
        this.emitter.emit('transfer-dropped', options.peer === undefined ? drop : { ...drop, peer: options.peer });
      },
    });
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof InboxEvents>(event: K, listener: (payload: InboxEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  /** Bytes held by unfinished transfers. */
  get reassemblyBytes(): number {
    return this.reassembler.reservedBytes;
  }

  /**
   * Decodes one frame received on `channel` and returns its messages (plus any payload whose last
   * fragment this was), in frame order. Never throws: rejected input is counted and reported on
   * `error`, and yields no messages from the rejected part.
   */
  receive(channel: Channel, bytes: Uint8Array): Message[] {
    this.stats.frames++;
    this.stats.bytes += bytes.length;
    let messages: FrameMessage[];
    try {
      const frame = decodeFrame(bytes, { maxFrameBytes: this.maxFrameBytes, maxBodyBytes: this.maxPayloadBytes });
      messages = frame.messages;
      this.stats.unknownMessages += frame.skipped;
    } catch (err) {
      this.stats.framesRejected++;
      this.reject(err);
      return [];
    }
    const out: Message[] = [];
    for (const m of messages) {
      if (m.type !== 'fragment') {
        out.push(m);
        continue;
      }
      this.stats.fragments++;
      try {
        const ignoredBefore = this.reassembler.ignored;
        const whole = this.reassembler.accept(channel, m);
        this.stats.fragmentsIgnored += this.reassembler.ignored - ignoredBefore;
        if (!whole) continue;
        const inner = decodeFrame(whole, {
          maxFrameBytes: this.maxPayloadBytes + INNER_FRAME_OVERHEAD_BYTES,
          maxBodyBytes: this.maxPayloadBytes,
          allowFragments: false,
        });
        this.stats.transfersCompleted++;
        this.stats.unknownMessages += inner.skipped;
        for (const im of inner.messages) out.push(im as Message);
      } catch (err) {
        this.reject(err);
      }
    }
    this.stats.messages += out.length;
    return out;
  }

  /** Drops unfinished transfers and their timers. Call when the peer leaves. */
  close(): void {
    this.reassembler.clear();
  }

  private reject(err: unknown): void {
    let error: WireError;
    if (err instanceof WireError) {
      error = err.code === ErrorCode.IncompatibleVersion ? incompatibleVersion(err.details['theirs'] as number, this.options.peer) : err;
    } else {
      // A bug of ours, not the peer's: still never thrown upward, but reported as such.
      const message = err instanceof Error ? err.message : String(err);
      error = new WireError(ErrorCode.Internal, `The wire decoder failed unexpectedly (${message}); please report it with the frame bytes.`, {}, { cause: err });
    }
    if (this.options.peer !== undefined && error.code !== ErrorCode.IncompatibleVersion) {
      error = new WireError(error.code, error.message, { ...error.details, peer: this.options.peer }, { cause: error.cause });
    }
    this.stats.errors[error.code] = (this.stats.errors[error.code] ?? 0) + 1;
    if (error.code === ErrorCode.IncompatibleVersion) {
      // One event per version per peer: the cause is the same for every frame that follows ([W13]).
      const theirs = error.details['theirs'] as number;
      if (this.versionsReported.has(theirs)) return;
      this.versionsReported.add(theirs);
    }
    this.emitter.emit('error', error);
  }
}

