/**
 * Traffic counters of the simulated network. Only application messages are counted per channel;
 * keep-alives and goodbyes are counted apart (`internal`) so benchmarks measure protocol traffic.
 */
import type { PeerId } from '../types.js';

/** Counters for application messages on one channel of one directed link (or a sum of them). */
export interface SimCounters {
  /** Messages passed to `send`. */
  sent: number;
  /** Messages handed to a `message` listener (duplicates included). */
  delivered: number;
  /** `state` messages lost at random (`LinkOptions.loss`). */
  lost: number;
  /** `state` messages dropped because a partition separated the two peers. */
  cut: number;
  /** Messages dropped because the receiver or the connection was gone on arrival. */
  orphaned: number;
  /** Extra copies created by `LinkOptions.duplicate`. */
  duplicated: number;
  /** Retransmissions of `control` messages (each lost attempt). */
  retransmits: number;
  /** Bytes passed to `send`. */
  bytesSent: number;
  /** Bytes handed to `message` listeners. */
  bytesDelivered: number;
}

/** Counters of one directed link, as returned by `SimNetwork.stats()`. */
export interface SimLinkStats {
  readonly from: PeerId;
  readonly to: PeerId;
  readonly control: SimCounters;
  readonly state: SimCounters;
  /** Keep-alive and goodbye packets sent on this link. */
  internal: number;
}

/** A snapshot of the whole network's counters. */
export interface SimStats {
  /** Both channels of every link. */
  readonly total: SimCounters;
  readonly control: SimCounters;
  readonly state: SimCounters;
  /** Keep-alive and goodbye packets, all links. */
  readonly internal: number;
  /** Every directed link between peers that connected or tried to, in creation order. */
  readonly links: readonly SimLinkStats[];
}

/** Sent and received totals of one peer (both channels). */
export interface SimPeerStats {
  readonly sent: SimCounters;
  readonly received: SimCounters;
}

export const zeroCounters = (): SimCounters => ({
  sent: 0,
  delivered: 0,
  lost: 0,
  cut: 0,
  orphaned: 0,
  duplicated: 0,
  retransmits: 0,
  bytesSent: 0,
  bytesDelivered: 0,
});

/** Adds `b` into `a` and returns `a`. */
export function addCounters(a: SimCounters, b: Readonly<SimCounters>): SimCounters {
  a.sent += b.sent;
  a.delivered += b.delivered;
  a.lost += b.lost;
  a.cut += b.cut;
  a.orphaned += b.orphaned;
  a.duplicated += b.duplicated;
  a.retransmits += b.retransmits;
  a.bytesSent += b.bytesSent;
  a.bytesDelivered += b.bytesDelivered;
  return a;
}
