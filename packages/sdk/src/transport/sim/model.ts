/**
 * Internal state of the simulated network: nodes (one per joined transport), connections, directed
 * links and packets. Not exported from the package; `SimNetwork` owns all mutation.
 */
import type { TimerHandle } from '../../util/clock.js';
import { Emitter } from '../../util/emitter.js';
import type { SeededRng } from '../../util/rng.js';
import type { Channel, PeerId, TransportEvents } from '../types.js';
import type { LinkOptions, SimTransportOptions } from './options.js';
import type { MeshPolicy } from '../mesh.js';
import type { SimLinkStats } from './stats.js';

/** Transport options with every default filled in. */
export interface ResolvedTransportOptions {
  readonly room: string;
  readonly keepAliveMs: number;
  readonly peerTimeoutMs: number;
  readonly redial: boolean;
  readonly redialMs: number;
  readonly mesh: MeshPolicy;
}

export type { SimTransportOptions };

/** One dial between two nodes; both ends of an open connection share it. */
export interface SimConnection {
  readonly id: number;
  readonly dialer: SimNode;
  readonly acceptor: SimNode;
  /** Set when a dial is abandoned (an end crashed or closed) before it completed. */
  cancelled: boolean;
}

/** One node's view of an open connection. */
export interface ConnEnd {
  readonly conn: SimConnection;
  readonly peer: SimNode;
  /** Virtual time the last packet (any kind) from `peer` was processed. */
  lastHeard: number;
}

/** `HangUp` travels on `control`, after the data sent before it: the connection alone closes. */
export const PacketKind = { Data: 0, KeepAlive: 1, Bye: 2, HangUp: 3 } as const;
export type PacketKind = (typeof PacketKind)[keyof typeof PacketKind];

export interface Packet {
  readonly kind: PacketKind;
  readonly channel: Channel;
  /** Application bytes (a private copy); empty for internal packets. */
  readonly data: Uint8Array;
  readonly from: SimNode;
  readonly to: SimNode;
  readonly conn: SimConnection;
  readonly link: SimLink;
  /** Partition serial when the packet left the sender. */
  serial: number;
  /** Arrival time (control packets only; kept monotonic per link). */
  at: number;
}

/** `TransportEvents` as a type literal: `Emitter` needs an index-signature-compatible map. */
export type TransportEventMap = { [K in keyof TransportEvents]: TransportEvents[K] };

export type NodeState = 'live' | 'crashed' | 'closed';

export class SimNode {
  state: NodeState = 'live';
  paused = false;
  readonly events: Emitter<TransportEventMap>;
  /** Open connections by peer id, in the order they opened. */
  readonly conns = new Map<PeerId, ConnEnd>();
  /** Dials in progress (either direction) by peer id. */
  readonly dialing = new Map<PeerId, SimConnection>();
  /** Outgoing links by receiver id. */
  readonly out = new Map<PeerId, SimLink>();
  /** Peers to dial again (after a timeout or a failed dial). */
  readonly redial = new Set<PeerId>();
  /** Packets that arrived while paused, in arrival order. */
  inbox: Packet[] = [];
  tickTimer: TimerHandle | undefined;
  redialTimer: TimerHandle | undefined;
  resumeTimer: TimerHandle | undefined;

  constructor(
    readonly id: PeerId,
    /** How many times this id has joined the network (1 for the first). */
    readonly incarnation: number,
    readonly options: ResolvedTransportOptions,
    onListenerError?: (err: unknown) => void,
  ) {
    this.events = new Emitter<TransportEventMap>(onListenerError);
  }

  get live(): boolean {
    return this.state === 'live';
  }

  /** Ids of open connections, in the order they opened. */
  peerIds(): PeerId[] {
    return [...this.conns.keys()];
  }
}

/** A directed link from one node to a peer id: its queue, randomness and counters. */
export class SimLink {
  /** When the serializer is free again (bandwidth model). */
  busyUntil = 0;
  /** Bytes waiting for serialization, per channel. */
  readonly buffered: Record<Channel, number> = { control: 0, state: 0 };
  /** Control packets in flight, in send order with non-decreasing `at`: one timer for the head. */
  readonly controlQueue: Packet[] = [];
  controlHead = 0;
  controlTimer: TimerHandle | undefined;
  /** True while the head control packet waits for a partition to heal. */
  stalled = false;
  /** True while the head is being drained, so sends from listeners do not arm a second timer. */
  draining = false;
  /** Arrival time of the last control packet, so a later one never overtakes it. */
  lastControlAt = Number.NEGATIVE_INFINITY;
  /** Options resolved from defaults and overrides, cached until `optionsVersion` changes. */
  options: LinkOptions | undefined;
  optionsVersion = -1;

  constructor(
    readonly from: SimNode,
    readonly toId: PeerId,
    readonly rng: SeededRng,
    readonly stats: SimLinkStats,
  ) {}

  get controlPending(): number {
    return this.controlQueue.length - this.controlHead;
  }

  peekControl(): Packet | undefined {
    return this.controlQueue[this.controlHead];
  }

  shiftControl(): Packet | undefined {
    const p = this.controlQueue[this.controlHead];
    if (!p) return undefined;
    this.controlHead++;
    // Nothing left: let go of every packet delivered (a simulation holds thousands of links).
    if (this.controlHead === this.controlQueue.length) {
      this.controlQueue.length = 0;
      this.controlHead = 0;
    } else if (this.controlHead > 64 && this.controlHead * 2 > this.controlQueue.length) {
      // Reclaim the consumed prefix once it dominates, keeping shift O(1) amortized.
      this.controlQueue.splice(0, this.controlHead);
      this.controlHead = 0;
    }
    return p;
  }
}
