/**
 * The replication engine's view of its peers on the wire: one `Outbox` and one `Inbox` per
 * connected peer, traffic counters, and round trips measured with ping/pong. Messages are queued
 * with {@link PeerLinks.send} and leave in batches at {@link PeerLinks.flush}, which the engine calls
 * once per handled frame and once per tick, so a tick's messages to one peer share frames.
 */
import { ErrorCode, TransportError, type WireError } from '../errors.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Channel, PeerId, Transport } from '../transport/types.js';
import { Inbox } from '../wire/inbox.js';
import type { Message } from '../wire/messages.js';
import { Outbox, type EnqueueOptions } from '../wire/outbox.js';
import type { PeerMetrics } from './engine-types.js';

/** Retry interval of a drain blocked by backpressure, in ms. */
const BLOCKED_RETRY_MS = 20;
/** Pings awaiting their pong, per peer; older ones are forgotten. */
const MAX_OUTSTANDING_PINGS = 8;

interface Counters {
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  messagesIn: number;
  messagesOut: number;
  rttMs: number | undefined;
  srttMs: number | undefined;
}

interface Link {
  readonly peer: PeerId;
  readonly outbox: Outbox;
  readonly inbox: Inbox;
  readonly counters: Counters;
  readonly pings: Map<number, number>;
}

export interface PeerLinksOptions {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly maxPayloadBytes: number;
  /** Every decoded message, in arrival order. */
  readonly onMessage: (peer: PeerId, channel: Channel, message: Message) => void;
  /** Wire errors and failed sends. */
  readonly onError: (error: WireError | Error) => void;
}

const zero = (): Counters => ({ bytesIn: 0, bytesOut: 0, framesIn: 0, framesOut: 0, messagesIn: 0, messagesOut: 0, rttMs: undefined, srttMs: undefined });

export class PeerLinks {
  private readonly links = new Map<PeerId, Link>();
  /** Counters outlive links, so metrics still show a peer that left. */
  private readonly counters = new Map<PeerId, Counters>();
  private readonly dirty = new Set<Link>();
  private retry: TimerHandle | undefined;
  private pingSeq = 0;
  private closed = false;
  wireErrors = 0;

  constructor(private readonly options: PeerLinksOptions) {}

  /** The link to `peer`, created on first use; undefined when the transport has no connection. */
  private link(peer: PeerId): Link | undefined {
    let link = this.links.get(peer);
    if (link || this.closed) return link;
    const { transport, clock, maxPayloadBytes } = this.options;
    if (!transport.peers().includes(peer)) return undefined;
    let counters = this.counters.get(peer);
    if (!counters) this.counters.set(peer, (counters = zero()));
    const outbox = new Outbox({ peer, maxPayloadBytes });
    const inbox = new Inbox({ clock, peer, maxPayloadBytes });
    outbox.on('error', (err) => this.options.onError(err));
    inbox.on('error', (err) => {
      this.wireErrors++;
      this.options.onError(err);
    });
    link = { peer, outbox, inbox, counters, pings: new Map() };
    this.links.set(peer, link);
    return link;
  }

  /** Makes sure a link exists (the peer just connected). */
  open(peer: PeerId): void {
    this.link(peer);
  }

  /** Drops the link of a peer that left; its counters stay. */
  remove(peer: PeerId): void {
    const link = this.links.get(peer);
    if (!link) return;
    link.outbox.clear();
    link.inbox.close();
    this.dirty.delete(link);
    this.links.delete(peer);
  }

  /** Queues `message` for `peer`; returns false when there is no connection or the queue refused it. */
  send(peer: PeerId, message: Message, options?: EnqueueOptions): boolean {
    const link = this.link(peer);
    if (!link) return false;
    const ok = link.outbox.enqueue(message, options);
    if (ok) {
      link.counters.messagesOut++;
      this.dirty.add(link);
    }
    return ok;
  }

  /** Decodes a frame from `peer` and hands its messages to `onMessage`. */
  receive(peer: PeerId, channel: Channel, data: Uint8Array): void {
    const link = this.link(peer);
    if (!link) return;
    link.counters.bytesIn += data.length;
    link.counters.framesIn++;
    const messages = link.inbox.receive(channel, data);
    link.counters.messagesIn += messages.length;
    for (const m of messages) this.options.onMessage(peer, channel, m);
  }

  /** Sends everything queued, as far as backpressure allows; retries blocked peers shortly. */
  flush(): void {
    if (this.closed) return;
    let blocked = false;
    for (const link of this.dirty) {
      const { transport } = this.options;
      const counters = link.counters;
      const result = link.outbox.drain({
        send: (channel, frame) => {
          try {
            transport.send(link.peer, channel, frame);
          } catch (err) {
            // The peer left (or we closed) after the message was queued: nothing to report, the
            // peer-left event follows.
            if (err instanceof TransportError && (err.code === ErrorCode.UnknownPeer || err.code === ErrorCode.Closed)) return;
            throw err;
          }
          counters.bytesOut += frame.length;
          counters.framesOut++;
        },
        bufferedAmount: (channel) => transport.bufferedAmount(link.peer, channel),
      });
      if (result.blocked || link.outbox.queuedCount > 0) blocked = true;
      else this.dirty.delete(link);
    }
    if (blocked && this.retry === undefined) {
      this.retry = this.options.clock.setTimeout(() => {
        this.retry = undefined;
        this.flush();
      }, BLOCKED_RETRY_MS);
    }
  }

  /** Sends a ping to every connected peer (round trip measured on the pong). */
  ping(now: number): void {
    for (const link of this.links.values()) {
      const seq = (this.pingSeq = (this.pingSeq + 1) >>> 0);
      link.pings.set(seq, now);
      if (link.pings.size > MAX_OUTSTANDING_PINGS) {
        const oldest = link.pings.keys().next().value;
        if (oldest !== undefined) link.pings.delete(oldest);
      }
      this.send(link.peer, { type: 'ping', seq, sentAt: now });
    }
  }

  /** Records the round trip of one of our pings; a pong we did not ask for is ignored. */
  pong(peer: PeerId, seq: number, now: number): void {
    const link = this.links.get(peer);
    const sent = link?.pings.get(seq);
    if (!link || sent === undefined) return;
    link.pings.delete(seq);
    const rtt = Math.max(0, now - sent);
    link.counters.rttMs = rtt;
    link.counters.srttMs = link.counters.srttMs === undefined ? rtt : link.counters.srttMs + (rtt - link.counters.srttMs) / 8;
  }

  /** Smoothed round trip to `peer`, if measured. */
  srtt(peer: PeerId): number | undefined {
    return this.counters.get(peer)?.srttMs;
  }

  /** Counters of every peer ever linked. */
  metrics(): Record<string, PeerMetrics> {
    const out: Record<string, PeerMetrics> = {};
    for (const [peer, c] of this.counters) out[peer] = { ...c };
    return out;
  }

  /** Stops all sending; queued messages are dropped. */
  close(): void {
    this.closed = true;
    if (this.retry !== undefined) this.options.clock.clearTimeout(this.retry);
    this.retry = undefined;
    for (const peer of [...this.links.keys()]) this.remove(peer);
  }
}
