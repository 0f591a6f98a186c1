/**
 * Types shared by the replication engine and the public `Room` API: options with their defaults,
 * events, metrics and the trace used by tests and benchmarks.
 */
import type { DataChange, Schema } from '@colyseus/schema';
import type { AnarchyError, WireError } from '../errors.js';
import type { PeerId } from '../transport/types.js';
import type { PositionEncoderOptions } from './positions.js';

/** Tunables of replication. Every field has a default ({@link REPLICATION_DEFAULTS}). */
export interface ReplicationOptions {
  /** Czar tick: how often dirty shards are encoded and sent, in ms. Default 50 (20 Hz). */
  readonly tickMs?: number;
  /**
   * Rooms with more peers than this use gossip relay ([R15]): the czar sends to `fanout` peers and
   * they forward. At or below it the czar sends to every peer directly. Default 16.
   */
  readonly gossipThreshold?: number;
  /**
   * Peers the czar sends each delta to above `gossipThreshold`; each layer of relays then serves
   * up to `fanout` times more peers. Default 16: a czar never sends one delta more than 16 times,
   * two hops reach 272 peers, and with redundancy 2 every peer forwards about 2·N/16 copies.
   */
  readonly fanout?: number;
  /**
   * Copies of each delta a peer receives over distinct paths ([R16]): peers the czar sends to
   * directly get 2 when this is 2 or more (the czar's and a neighbour's), peers reached by relay
   * get this many. Default 3: delta traffic is about 2× (small rooms) to 3× (gossip) one copy
   * per peer, and a lost packet almost never stalls a replica for a repair round trip. 1 sends
   * each delta once.
   */
  readonly redundancy?: number;
  /** Backups reported by `backupsOf` (they are the next czars, in order). Default 2. */
  readonly backups?: number;
  /** Deltas a czar keeps to answer repairs before falling back to a snapshot. Default 128. */
  readonly historySize?: number;
  /** Interval of anti-entropy digests ([R17]), in ms. Default 500. */
  readonly antiEntropyMs?: number;
  /** Peers each digest round goes to. Default 2. */
  readonly antiEntropyFanout?: number;
  /** Wait after a gap appears before asking for the missing deltas, in ms (a relayed copy may still come). Default 30. */
  readonly repairDelayMs?: number;
  /** Wait before repeating an unanswered repair or snapshot request, in ms. Default 250. */
  readonly repairRetryMs?: number;
  /**
   * A new peer does not create shards nobody has claimed until this long after it started and
   * every peer in its view has told it what it holds ([R11]), in ms. Default 1,000.
   */
  readonly bootstrapMs?: number;
  /**
   * A czar this peer has never seen in its view (it may still be connecting) is presumed gone
   * after this long, in ms. Default 3,000.
   */
  readonly graceMs?: number;
  /** A czar that just took over does not hand the shard on again for this long, in ms. Default 250. */
  readonly handoffHoldMs?: number;
  /** Interval of repeated handoff offers and requests while a handoff is pending, in ms. Default 500. */
  readonly handoffRetryMs?: number;
  /** Default timeout of `act()`, in ms. Default 10,000. */
  readonly actionTimeoutMs?: number;
  /**
   * Interval of RTT pings to each peer, in ms. They also prove the peer reachable for the majority
   * rule: a peer silent for two intervals does not count ([R26]). Default 500.
   */
  readonly pingMs?: number;
  /** `leave()` waits at most this long for successors to take over its shards, in ms. Default 2,000. */
  readonly leaveTimeoutMs?: number;
  /** Largest message body, as in the wire layer; use the same value on every peer. Default 4 MiB. */
  readonly maxPayloadBytes?: number;
  /**
   * A backup repeats its acknowledgement of the point it holds this often while it is a backup
   * ([R23]); acks travel on the unreliable channel, so a lost one is replaced by the next, in ms.
   * Default 200.
   */
  readonly ackRetryMs?: number;
  /**
   * A membership view that stays the same this long (while this peer has a majority) becomes the
   * reference of the majority rule ([R26]), in ms. Default 1,000.
   */
  readonly stableViewMs?: number;
  /**
   * A peer taking over a shard whose czar is gone first asks every connected member what it
   * holds (one round trip), and waits at most this long for the answers before taking over from
   * the highest replica ([R25]), in ms. Default 1,000.
   */
  readonly takeoverSyncMs?: number;
}

/** The defaults of {@link ReplicationOptions}. */
export const REPLICATION_DEFAULTS: Readonly<Required<ReplicationOptions>> = Object.freeze({
  tickMs: 50,
  gossipThreshold: 16,
  fanout: 16,
  redundancy: 3,
  backups: 2,
  historySize: 128,
  antiEntropyMs: 500,
  antiEntropyFanout: 2,
  repairDelayMs: 30,
  repairRetryMs: 250,
  bootstrapMs: 1_000,
  graceMs: 3_000,
  handoffHoldMs: 250,
  handoffRetryMs: 500,
  actionTimeoutMs: 10_000,
  pingMs: 500,
  leaveTimeoutMs: 2_000,
  maxPayloadBytes: 4 * 1024 * 1024,
  ackRetryMs: 200,
  stableViewMs: 1_000,
  takeoverSyncMs: 1_000,
});

/** What an action handler learns about the action besides its value. */
export interface ActionContext {
  /** The peer that sent it (this peer for a local `act()`). */
  readonly from: PeerId;
  readonly shard: string;
  /** The room clock's time. */
  readonly now: number;
}

/** Options of one shard, given to `declareShard`. Every peer must declare the same shards. */
export interface ShardOptions<S extends Schema> {
  /**
   * Runs on the czar for each `act()` aimed at this shard, inside a mutation: change `state` to
   * apply the action, throw to reject it (the error's message reaches the sender). Must be
   * synchronous; its return value (JSON-serializable) resolves the sender's promise. Validate
   * before changing anything: changes made before a throw are kept.
   */
  readonly onAction?: (state: S, action: unknown, ctx: ActionContext) => unknown;
  /**
   * Adds a compact position stream to the shard ([R19]): `setPositions` on the czar each tick,
   * `positions()` everywhere. `true` for the defaults, or encoder options.
   */
  readonly positions?: boolean | PositionEncoderOptions;
}

/** What changed in a shard. */
export interface ShardChange<S extends Schema = Schema> {
  readonly shard: string;
  /**
   * `snapshot`: the state object was replaced (re-read it); `delta`: a czar's delta was applied;
   * `local`: this peer, as czar, changed it (`mutate` or an action); `positions`: new positions.
   */
  readonly kind: 'snapshot' | 'delta' | 'local' | 'positions';
  readonly state: S;
  /** Term number and czar of the state. */
  readonly term: number;
  readonly czar: PeerId;
  /** Last delta included (0: the term's opening snapshot). */
  readonly seq: number;
  /** Field-level changes reported by the schema decoder (empty for `local` and `positions`). */
  readonly changes: readonly DataChange[];
}

/** Who writes a shard now. Emitted when the czar (by the view) or the writing term changes. */
export interface CzarChangeEvent {
  readonly shard: string;
  /** The czar by the current membership view (rendezvous hashing), or undefined with no eligible peer. */
  readonly czar: PeerId | undefined;
  readonly backups: readonly PeerId[];
  /** The term whose writes replicas accept, if any is known. */
  readonly term: number | undefined;
  readonly writer: PeerId | undefined;
}

/**
 * This peer wrote a shard under a term that another czar's term replaced without a handoff (a
 * failover it did not see coming, or a split that healed): its writes in that term after the
 * commit point may be missing from the winning state, and the state now is the winner's ([R13],
 * [R24]). Writes at or before `committedSeq` survive any single failure ([R23]); after a
 * partition that cut off both this czar and its first backup they may be lost too.
 */
export interface RollbackEvent {
  readonly shard: string;
  /** The replaced term (this peer was its czar). */
  readonly term: number;
  readonly czar: PeerId;
  /** Its last delta sent: writes up to here reached replicas, but may not be in the winner's base. */
  readonly lastSeq: number;
  /** The term's commit point when it was replaced (-1: not even its opening snapshot was acknowledged). */
  readonly committedSeq: number;
  /** The deltas that may be lost: `fromSeq`..`toSeq` (empty when `fromSeq > toSeq`), plus unsent changes if `unsent`. */
  readonly fromSeq: number;
  readonly toSeq: number;
  /** True when changes not even sent yet were dropped. */
  readonly unsent: boolean;
  /** The term that replaced it. */
  readonly by: { readonly term: number; readonly czar: PeerId };
  /**
   * Set when this event is about an action this peer sent (`act()` resolved) that the czar
   * `czar` applied in delta `lastSeq` of term `term`, and then lost with that term ([R24]).
   */
  readonly actionId?: number;
  /** With `actionId`: the action as it was sent, so the game can send it again if still wanted. */
  readonly action?: unknown;
}

/** A czar's writes became committed up to `seq` of its term ([R23]). Emitted on the czar only. */
export interface CommitEvent {
  readonly shard: string;
  readonly term: number;
  readonly czar: PeerId;
  /** Every delta up to this one (0: the term's opening snapshot) survives any single failure. */
  readonly seq: number;
}

/**
 * Whether this peer reaches a majority of the last stable view ([R26]). `degraded`: shards are
 * read only here (`mutate` throws `read-only`) until it does again.
 */
export interface StatusEvent {
  readonly status: 'ok' | 'degraded';
  /** Members of the last stable view reachable now, this peer included. */
  readonly reachable: number;
  /** Size of the last stable view. */
  readonly stable: number;
}

/** Diagnostics for tests and benchmarks; nothing here is needed to use a room. */
export type ReplicationTrace =
  | {
      readonly type: 'claim';
      readonly shard: string;
      readonly term: number;
      readonly czar: PeerId;
      /** The czar instance's writer tag ([R7]). */
      readonly tag: number;
      readonly from: 'fresh' | 'replica' | 'handoff' | 'copy';
      /** The term and seq the new term's state was built from (undefined for a fresh state). */
      readonly base: { readonly term: number; readonly czar: PeerId; readonly seq: number } | undefined;
      readonly at: number;
    }
  | { readonly type: 'abandon'; readonly shard: string; readonly term: number; readonly czar: PeerId; readonly at: number }
  /** A majority voted for this writer's term: its writes may commit from now on ([R23]). */
  | { readonly type: 'confirm'; readonly shard: string; readonly term: number; readonly czar: PeerId; readonly votes: number; readonly at: number }
  | { readonly type: 'commit'; readonly shard: string; readonly term: number; readonly czar: PeerId; readonly seq: number; readonly acker: PeerId | undefined; readonly at: number }
  | { readonly type: 'status'; readonly status: 'ok' | 'degraded'; readonly reachable: number; readonly stable: number; readonly at: number }
  | {
      readonly type: 'accept';
      readonly shard: string;
      readonly term: number;
      readonly czar: PeerId;
      /** The czar instance's writer tag ([R7]). */
      readonly tag: number;
      /** The term was known confirmed when applied ([R7], [R23]): it outranks same-number rivals. */
      readonly confirmed: boolean;
      readonly seq: number;
      readonly kind: 'snapshot' | 'delta';
      /** FNV-1a of the applied payload, to compare what replicas applied. */
      readonly digest: number;
      readonly at: number;
    }
  | { readonly type: 'sent'; readonly shard: string; readonly term: number; readonly seq: number; readonly bytes: number; readonly digest: number; readonly at: number }
  | { readonly type: 'handoff'; readonly shard: string; readonly term: number; readonly to: PeerId; readonly seq: number; readonly at: number }
  | { readonly type: 'step-down'; readonly shard: string; readonly term: number; readonly by: { readonly term: number; readonly czar: PeerId }; readonly at: number };

/** Events of a room. */
export interface ReplicationEvents {
  change: ShardChange;
  czar: CzarChangeEvent;
  rollback: RollbackEvent;
  commit: CommitEvent;
  status: StatusEvent;
  /** A non-fatal problem: bad frames from a peer (WireError), a failed send, a snapshot that did not decode. */
  error: AnarchyError | WireError;
  trace: ReplicationTrace;
}

/** Traffic with one peer, since the room started. */
export interface PeerMetrics {
  /** Frame bytes received from / sent to the peer (everything on both channels). */
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly framesIn: number;
  readonly framesOut: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Last measured round trip (ping/pong), in ms. */
  readonly rttMs: number | undefined;
  /** Smoothed round trip (EWMA, 1/8), in ms. */
  readonly srttMs: number | undefined;
}

/** Replication of one shard on this peer, since the room started. */
export interface ShardMetrics {
  /** `czar`: writing; `handing-off`: handed off, waiting for the successor; `replica` otherwise. */
  readonly role: 'czar' | 'handing-off' | 'replica';
  readonly term: number | undefined;
  readonly czar: PeerId | undefined;
  readonly seq: number;
  /** On the czar: the term's commit point ([R23]); -1 elsewhere, or before the opening snapshot is acknowledged. */
  readonly committedSeq: number;
  /** Acknowledgements of held points sent to czars, as a backup ([R23]). */
  readonly acksSent: number;
  /** Payload bytes of this shard's deltas, snapshots and positions received / sent (relays included). */
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly deltasSent: number;
  readonly deltasApplied: number;
  readonly deltasRelayed: number;
  readonly duplicates: number;
  /** Messages of an older term, or of a term this peer could not place, dropped. */
  readonly stale: number;
  readonly snapshotsSent: number;
  readonly snapshotsApplied: number;
  readonly repairsRequested: number;
  readonly repairsServed: number;
  readonly positionsSent: number;
  readonly positionsApplied: number;
  readonly actionsApplied: number;
  readonly actionsRejected: number;
  readonly claims: number;
  readonly handoffs: number;
  readonly rollbacks: number;
}

/** Everything `room.metrics()` reports. */
export interface RoomMetrics {
  readonly self: PeerId;
  /** Room clock time of this report. */
  readonly at: number;
  readonly peers: Readonly<Record<string, PeerMetrics>>;
  readonly shards: Readonly<Record<string, ShardMetrics>>;
  /** Messages naming a shard this peer never declared, ignored ([R6 note], [R21]). */
  readonly unknownShardMessages: number;
  /** Frames rejected by the wire layer. */
  readonly wireErrors: number;
}
