/**
 * The sending side of one peer: messages in, frames out ([W15], [W20]–[W22]). Messages are
 * encoded once at enqueue time, queued per (channel, priority), packed many to a frame within the
 * channel's budget, fragmented when too large for one frame, and compressed when that pays.
 * `drain` hands frames to the transport until its `bufferedAmount` reaches a high-water mark, and
 * the queue itself is bounded, so a slow peer cannot grow memory without bound.
 */
import { ArgumentError, ErrorCode, WireError } from '../errors.js';
import { Emitter } from '../util/emitter.js';
import { payloadTooLarge, varintLength } from './codec.js';
import { COMPRESS_MIN_BYTES } from './compress.js';
import { splitFrame } from './fragment.js';
import {
  CONTROL_FRAME_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  FrameFlag,
  HEADER_BYTES,
  HeaderOffset,
  MAX_FRAME_BYTES,
  STATE_FRAME_BYTES,
  batchEntryLength,
  frameFromEncoded,
} from './frame.js';
import { type Channel, type EncodedMessage, type FrameMessageType, type Message, PRIORITIES, type Priority, encodeMessage, specOf } from './messages.js';

/** Where frames go: usually a `Transport` bound to one peer. */
export interface FrameSink {
  /** Hands one frame to the network on `channel`; may throw (reported as an `error` event). */
  send(channel: Channel, frame: Uint8Array): void;
  /** Bytes the channel has queued but not yet sent (RTCDataChannel.bufferedAmount). */
  bufferedAmount(channel: Channel): number;
}

/** Options of an {@link Outbox}: frame sizes, queue bounds and compression for one peer. */
export interface OutboxOptions {
  /** Names the peer in errors and events. */
  readonly peer?: string;
  /** Largest frame per channel; defaults 1,150 (`state`) and 16 KiB (`control`) ([W14]). */
  readonly frameBytes?: Partial<Record<Channel, number>>;
  /** `drain` stops feeding a channel whose bufferedAmount reaches this; default 256 KiB. */
  readonly highWaterBytes?: number;
  /** Bound on queued bytes across channels; default twice `maxPayloadBytes`, so one full snapshot fits. */
  readonly maxQueuedBytes?: number;
  /** Largest message body; default 4 MiB. Use the same value on every peer. */
  readonly maxPayloadBytes?: number;
  /** Messages at least this large are compressed when it pays; default 1 KiB. */
  readonly compressMinBytes?: number;
}

/** How a message was queued. */
export interface EnqueueOptions {
  /** Default: the message type's channel (see SPEC.md). */
  readonly channel?: Channel;
  /** Default: the message type's priority. */
  readonly priority?: Priority;
}

/** The events of an {@link Outbox}: what `outbox.on(name, listener)` passes to the listener. */
export interface OutboxEvents extends Record<string, unknown> {
  /** The queue is full of messages that may not be dropped; the new message was refused (code `backpressure`). Sending failed (the transport's error). */
  error: WireError | Error;
  /** A `state`-priority message was dropped to make room ([W21]). */
  dropped: { readonly type: FrameMessageType; readonly channel: Channel; readonly reason: 'backpressure'; readonly peer?: string };
}

/** Counters of an {@link Outbox}; all only grow. */
export interface OutboxStats {
  messagesQueued: number;
  messagesSent: number;
  framesSent: number;
  bytesSent: number;
  /** Messages sent as fragments (each counted once). */
  fragmented: number;
  compressed: number;
  dropped: number;
  refused: number;
  sendFailures: number;
}

/** What one {@link Outbox.drain} call sent. */
export interface DrainResult {
  /** Frames handed to the sink. */
  readonly frames: number;
  /** Bytes of those frames. */
  readonly bytes: number;
  /** True when a channel stopped at the high-water mark with messages still queued. */
  readonly blocked: boolean;
}

/** Default high-water mark of a channel's bufferedAmount, in bytes: about one bandwidth-delay product of a good link. */
export const DEFAULT_HIGH_WATER_BYTES = 256 * 1024;

interface Item {
  readonly seq: number;
  readonly type: FrameMessageType;
  readonly channel: Channel;
  readonly priority: Priority;
  /** Bytes held in the queue. */
  readonly size: number;
  /** Batchable message, or… */
  readonly message: EncodedMessage | undefined;
  /** …a frame built already (compressed), sent alone. */
  readonly frame: Uint8Array | undefined;
}

/** A FIFO with O(1) shift. */
/** A queue with O(1) shift (internal to the Outbox; exported for its tests). */
export class Fifo<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  /** Slots held, taken or not: what the queue keeps in memory. */
  get slots(): number {
    return this.items.length;
  }
  push(v: T): void {
    this.items.push(v);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    const v = this.items[this.head];
    if (v === undefined) return undefined;
    // Let go of what was sent at once: a link that sends all the time would otherwise keep
    // up to a thousand sent messages per queue alive (measured: half the heap of a simulation).
    this.items[this.head] = undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
}

/** Channels in the order `drain` serves them (and `queues` stores them). */
const CHANNELS: readonly Channel[] = ['control', 'state'];
const PRIORITY_INDEX: Readonly<Record<Priority, number>> = { control: 0, state: 1, bulk: 2 };

/**
 * The send queue of one peer: batches small messages into few frames, fragments large ones, and
 * sheds `state` messages first when the peer cannot keep up.
 *
 * @example
 * ```ts
 * const outbox = new Outbox({ peer });
 * const sink: FrameSink = { send: (ch, f) => transport.send(peer, ch, f), bufferedAmount: (ch) => transport.bufferedAmount(peer, ch) };
 * outbox.enqueue({ type: 'ping', seq: 1, sentAt: clock.now() });
 * outbox.drain(sink); // call again when the channel's buffer runs low
 * ```
 */
export class Outbox {
  private readonly emitter = new Emitter<OutboxEvents>();
  /** One FIFO per (channel, priority): `queues[channelIndex][priorityIndex]`. */
  private queues: Array<Array<Fifo<Item>>> = [];
  private readonly frameBytes: Record<Channel, number>;
  private readonly highWater: number;
  private readonly maxQueued: number;
  private readonly maxPayload: number;
  private readonly compressMin: number;
  private readonly nextTransfer: Record<Channel, number> = { control: 0, state: 0 };
  private seq = 0;
  private queued = 0;
  private droppable = 0;
  private count = 0;
  readonly stats: OutboxStats = {
    messagesQueued: 0,
    messagesSent: 0,
    framesSent: 0,
    bytesSent: 0,
    fragmented: 0,
    compressed: 0,
    dropped: 0,
    refused: 0,
    sendFailures: 0,
  };

  constructor(private readonly options: OutboxOptions = {}) {
    this.frameBytes = { state: options.frameBytes?.state ?? STATE_FRAME_BYTES, control: options.frameBytes?.control ?? CONTROL_FRAME_BYTES };
    for (const c of CHANNELS) {
      const b = this.frameBytes[c];
      if (!Number.isInteger(b) || b < 128 || b > MAX_FRAME_BYTES) throw new ArgumentError(`frameBytes.${c} must be an integer in [128, ${MAX_FRAME_BYTES}], got ${b}.`);
    }
    this.highWater = options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
    this.maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.maxQueued = options.maxQueuedBytes ?? 2 * this.maxPayload;
    this.compressMin = options.compressMinBytes ?? COMPRESS_MIN_BYTES;
    if (!(this.highWater > 0)) throw new ArgumentError('highWaterBytes must be positive.');
    if (!(this.maxQueued > 0)) throw new ArgumentError('maxQueuedBytes must be positive.');
    this.queues = CHANNELS.map(() => PRIORITIES.map(() => new Fifo<Item>()));
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof OutboxEvents>(event: K, listener: (payload: OutboxEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  /** Bytes waiting in the queue. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Queue entries waiting (a fragmented message counts once per fragment). */
  get queuedCount(): number {
    return this.count;
  }

  /**
   * Queues `message`. Returns false if it was not queued because the queue is full: a `state`
   * message is then dropped (`dropped` event), any other is refused with a `backpressure` error
   * event — never dropped silently. Throws an `ArgumentError` for a message that cannot be
   * encoded and a `payload-too-large` WireError for one over `maxPayloadBytes`: both are bugs of
   * the caller, not of the peer.
   */
  enqueue(message: Message, options: EnqueueOptions = {}): boolean {
    if ((message as { type?: unknown }).type === 'fragment') throw new ArgumentError('fragment messages are internal to the wire layer.');
    const encoded = encodeMessage(message);
    const spec = specOf(encoded.type);
    const channel = options.channel ?? spec.channel;
    const priority = options.priority ?? spec.priority;
    if (!CHANNELS.includes(channel) || !Object.hasOwn(PRIORITY_INDEX, priority)) {
      throw new ArgumentError(`Unknown channel ${JSON.stringify(channel)} or priority ${JSON.stringify(priority)}; use 'control' | 'state' and 'control' | 'state' | 'bulk'.`);
    }
    if (encoded.body.length > this.maxPayload) throw payloadTooLarge(encoded.body.length, this.maxPayload, `A ${encoded.type} message`);
    const budget = this.frameBytes[channel];
    const type = encoded.type;
    let items: Item[];
    let compressed = false;
    let fragmented = false;
    if (HEADER_BYTES + encoded.body.length <= budget && encoded.body.length < this.compressMin) {
      items = [{ seq: this.seq++, type, channel, priority, size: encoded.body.length, message: encoded, frame: undefined }];
    } else {
      const frame = frameFromEncoded([encoded], { compressMinBytes: this.compressMin });
      compressed = (frame[HeaderOffset.Flags]! & FrameFlag.Compressed) !== 0;
      if (frame.length <= budget) {
        items = [{ seq: this.seq++, type, channel, priority, size: frame.length, message: undefined, frame }];
      } else {
        const transfer = this.nextTransfer[channel];
        this.nextTransfer[channel] = (transfer + 1) >>> 0;
        items = splitFrame(frame, transfer, budget).map((f) => {
          const m = encodeMessage(f);
          return { seq: this.seq++, type, channel, priority, size: m.body.length, message: m, frame: undefined };
        });
        fragmented = true;
      }
    }
    if (!this.admit(items, encoded.type, channel, priority)) return false;
    for (const it of items) this.queue(channel, priority).push(it);
    this.stats.messagesQueued++;
    if (compressed) this.stats.compressed++;
    if (fragmented) this.stats.fragmented++;
    return true;
  }

  /**
   * Sends queued frames, most urgent first, until each channel is empty or its bufferedAmount
   * reaches the high-water mark. Call it after enqueueing and whenever the channel reports a low
   * bufferedAmount. A failing `send` is reported as an `error` event; its frame is lost.
   */
  drain(sink: FrameSink): DrainResult {
    let frames = 0;
    let bytes = 0;
    let blocked = false;
    for (const channel of CHANNELS) {
      const start = sink.bufferedAmount(channel);
      let sent = 0;
      while (this.hasQueued(channel)) {
        // The second test covers sinks whose bufferedAmount lags behind send().
        if (sink.bufferedAmount(channel) >= this.highWater || start + sent >= this.highWater) {
          blocked = true;
          break;
        }
        const { frame, messages } = this.nextFrame(channel);
        try {
          sink.send(channel, frame);
        } catch (err) {
          this.stats.sendFailures++;
          this.emitter.emit('error', err instanceof Error ? err : new Error(String(err)));
          break;
        }
        sent += frame.length;
        frames++;
        this.stats.framesSent++;
        this.stats.messagesSent += messages;
        this.stats.bytesSent += frame.length;
      }
      bytes += sent;
    }
    return { frames, bytes, blocked };
  }

  /** Empties the queue (the peer left). */
  clear(): void {
    this.queues = CHANNELS.map(() => PRIORITIES.map(() => new Fifo<Item>()));
    this.queued = 0;
    this.droppable = 0;
    this.count = 0;
  }

  private queue(channel: Channel, priority: Priority): Fifo<Item> {
    return this.queues[channel === 'control' ? 0 : 1]![PRIORITY_INDEX[priority]]!;
  }

  private hasQueued(channel: Channel): boolean {
    for (const q of this.queues[channel === 'control' ? 0 : 1]!) if (q.size > 0) return true;
    return false;
  }

  /** Makes room for `items`, dropping the oldest `state` messages if that is enough. */
  private admit(items: readonly Item[], type: FrameMessageType, channel: Channel, priority: Priority): boolean {
    let size = 0;
    for (const it of items) size += it.size;
    const over = this.queued + size - this.maxQueued;
    if (over > 0 && over > this.droppable) {
      if (priority === 'state') {
        this.stats.dropped++;
        this.emitDropped(type, channel);
        return false;
      }
      this.stats.refused++;
      const peer = this.options.peer === undefined ? 'the peer' : `peer ${JSON.stringify(this.options.peer)}`;
      this.emitter.emit(
        'error',
        new WireError(
          ErrorCode.Backpressure,
          `Refused a ${type} message: the send queue to ${peer} holds ${this.queued} bytes (limit ${this.maxQueued}) that may not be dropped. ` +
            'The peer is too slow to keep up: stop sending it bulk data, or disconnect it.',
          { type, channel, priority, queuedBytes: this.queued, maxQueuedBytes: this.maxQueued, ...(this.options.peer === undefined ? {} : { peer: this.options.peer }) },
        ),
      );
      return false;
    }
    while (this.queued + size > this.maxQueued) this.dropOldestState();
    this.queued += size;
    this.count += items.length;
    if (priority === 'state') this.droppable += size;
    return true;
  }

  private dropOldestState(): void {
    const a = this.queue('control', 'state');
    const b = this.queue('state', 'state');
    const pa = a.peek();
    const pb = b.peek();
    const from = pa && (!pb || pa.seq < pb.seq) ? a : b;
    const it = from.shift()!;
    this.release(it);
    this.stats.dropped++;
    this.emitDropped(it.type, it.channel);
  }

  private emitDropped(type: FrameMessageType, channel: Channel): void {
    this.emitter.emit('dropped', this.options.peer === undefined ? { type, channel, reason: 'backpressure' } : { type, channel, reason: 'backpressure', peer: this.options.peer });
  }

  private release(it: Item): void {
    this.queued -= it.size;
    this.count--;
    if (it.priority === 'state') this.droppable -= it.size;
  }

  /** Packs the next frame of `channel`: as many queued messages as fit, most urgent first. */
  private nextFrame(channel: Channel): { frame: Uint8Array; messages: number } {
    const budget = this.frameBytes[channel] - HEADER_BYTES;
    const picked: EncodedMessage[] = [];
    let entries = 0;
    for (const q of this.queues[channel === 'control' ? 0 : 1]!) {
      for (let it = q.peek(); it; it = q.peek()) {
        if (it.frame) {
          if (picked.length > 0) break;
          q.shift();
          this.release(it);
          return { frame: it.frame, messages: 1 };
        }
        const m = it.message!;
        const entry = batchEntryLength(m);
        const size = picked.length === 0 ? m.body.length : varintLength(picked.length + 1) + entries + entry;
        if (size > budget) break;
        q.shift();
        this.release(it);
        picked.push(m);
        entries += entry;
      }
    }
    return { frame: frameFromEncoded(picked, { compress: 'never' }), messages: picked.length };
  }
}
