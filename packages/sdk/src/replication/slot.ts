/**
 * One shard on one peer, as the engine keeps it: the term held, the replica or the writer, what
 * is buffered and owed, position streams and counters. Plain data; the protocol is engine.ts.
 */
import { Schema } from '@colyseus/schema';
import { ArgumentError } from '../errors.js';
import type { ShardId } from '../authority/ids.js';
import type { PeerId } from '../transport/types.js';
import type { TimerHandle } from '../util/clock.js';
import type { ShardMetrics, ShardOptions } from './engine-types.js';
import { CommitState } from './commit.js';
import { compareClaims, type Epoch } from './epoch.js';
import { DeltaHistory } from './history.js';
import { PositionStreamDecoder, type PositionEncoderOptions, type PositionSample, type PositionStreamEncoder } from './positions.js';
import { ShardReader, type ShardChangeEvent, type ShardWriter, type StateSource } from './shard-store.js';

/** `writer`: writing the held term; `retired`: handed it off, waiting for the successor's term. */
export type Role = 'replica' | 'writer' | 'retired';

/** Counters as the engine updates them. */
export type MutableMetrics = { -readonly [K in keyof ShardMetrics]: ShardMetrics[K] };

/** A shard's position stream: the czar's encoder and samples, a replica's decoder. */
export interface PositionsSlot {
  readonly options: PositionEncoderOptions;
  encoder: PositionStreamEncoder | undefined;
  readonly decoder: PositionStreamDecoder;
  samples: readonly PositionSample[] | undefined;
  dirty: boolean;
  /** Frame counter of the writer's stream in this term. */
  seq: number;
  lastKeyframeRequestAt: number;
}

/** Everything the engine keeps about one shard. */
export interface Slot {
  readonly id: ShardId;
  readonly source: StateSource<Schema>;
  readonly options: ShardOptions<Schema>;
  role: Role;
  /** The accepted term: the one this peer's state belongs to. */
  epoch: Epoch | undefined;
  /** writerTag(epoch.czar). */
  tag: number;
  /** Writer: last delta sent. Replica: last delta applied (0 = the snapshot of the term). */
  seq: number;
  /** The held term is known to be confirmed: a majority acknowledged its opening ([R23]). */
  confirmed: boolean;
  /** Writer: identities whose vote for this term arrived (this peer's included) ([R23]). */
  readonly votes: Set<string>;
  /** The highest term number this peer voted for, and which term of that number ([R23]). */
  votedNumber: number;
  votedKey: string;
  /** A term above `epoch` heard of (digest, delta) but not yet held. */
  heard: Epoch | undefined;
  /** `heard` is known to be confirmed. */
  heardConfirmed: boolean;
  heardAt: number;
  /** Highest term number seen anywhere, for claims ([A6]). */
  highestTerm: number;
  readonly reader: ShardReader<Schema>;
  writer: ShardWriter<Schema> | undefined;
  readonly history: DeltaHistory;
  readonly pending: Map<number, Uint8Array>;
  /** Deltas of terms not opened yet, by `term:writerTag`. */
  readonly future: Map<string, Map<number, Uint8Array>>;
  repairDueAt: number | undefined;
  repairTimer: TimerHandle | undefined;
  lastRepairAt: number;
  lastSnapshotRequestAt: number;
  /** Writer: peers to send a snapshot at the next tick (on a delta boundary, [R3]). */
  readonly snapshotWanted: Set<PeerId>;
  readonly snapshotPushedAt: Map<PeerId, number>;
  /** Retired writer: to whom, when, and the final state it handed off. */
  handoffTo: PeerId | undefined;
  handoffAt: number;
  /** When the retired writer first saw its successor gone from the view. */
  successorGoneAt: number | undefined;
  reservedTerm: number;
  /** The successor said it took over from our handoff (an `ack` of the handed term and seq). */
  handoffConfirmed: boolean;
  finalSnapshot: Uint8Array | undefined;
  holdUntil: number;
  lastHandoffRequestAt: number;
  /** Peers whose digest says they hold `latest` (with their seq): sources of a copy ([R13]). */
  readonly holders: Map<PeerId, number>;
  holdersOf: string;
  /**
   * A takeover of a term nobody holds: when it asked every member for a copy of whatever it holds
   * (term key of the term taken over, and when), and the highest copy received ([R25]).
   */
  fallbackFor: string;
  fallbackAskedAt: number;
  fallbackBest: { readonly epoch: Epoch; readonly seq: number; readonly payload: Uint8Array } | undefined;
  lastCopyRequestAt: number;
  /** Writer: the term, and the seq of it, this term's state started from (undefined: a fresh state) ([R24]). */
  base: { readonly term: number; readonly czar: PeerId; readonly seq: number } | undefined;
  /** Writer: acknowledgements from backups and the commit point of the term ([R23]). */
  readonly commit: CommitState;
  /** Replica: the last `ack` sent (term key `number@czar` and seq) and when ([R23]). */
  ackSentKey: string;
  ackSentSeq: number;
  ackSentAt: number;
  /** `number@czar` of a term whose czar told us it does not hold it (it came back as a new instance). */
  orphaned: string;
  /** Writer: a term created fresh while connected to nobody, not yet confirmed by a peer ([R11]). */
  provisional: boolean;
  /** Times the current (term, seq) ack was repeated. */
  ackRepeats: number;
  /** Writer: this peer lost the majority during the term, so its commit point is not to be trusted ([R24]). */
  degradedInTerm: boolean;
  /**
   * Takeover by a peer that was not the gone writer's first backup ([R25]): when it asked every
   * member for its digest, and who answered since.
   */
  syncStartedAt: number | undefined;
  syncAskedAt: number;
  /** The term (`number@czar`) the round is about. */
  syncFor: string;
  readonly syncAnswers: Set<PeerId>;
  /** Peers whose digest said their holding of a term (`number@czar`) is final (they dropped its czar), and when ([R25]). */
  readonly finals: Map<PeerId, { readonly term: string; readonly at: number }>;
  readonly pos: PositionsSlot | undefined;
  lastChange: ShardChangeEvent<Schema> | undefined;
  /** Last reported (czar, writer), to emit `czar` events on change only. */
  reported: string;
  readonly metrics: MutableMetrics;
}

/** A fresh state from a schema class or factory. */
export function createState(source: StateSource<Schema>): Schema {
  const isClass = typeof source === 'function' && source.prototype instanceof Schema;
  const state = isClass ? new (source as new () => Schema)() : (source as () => Schema)();
  if (!(state instanceof Schema)) throw new ArgumentError('A shard state must be a schema class (made by schema({...})) or a function returning a Schema instance.');
  return state;
}

/** FNV-1a 32 of a payload: a cheap fingerprint for traces. */
export function fnv32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** Counters at zero. */
export const zeroMetrics = (): MutableMetrics => ({
  role: 'replica',
  term: undefined,
  czar: undefined,
  seq: 0,
  committedSeq: -1,
  acksSent: 0,
  bytesIn: 0,
  bytesOut: 0,
  deltasSent: 0,
  deltasApplied: 0,
  deltasRelayed: 0,
  duplicates: 0,
  stale: 0,
  snapshotsSent: 0,
  snapshotsApplied: 0,
  repairsRequested: 0,
  repairsServed: 0,
  positionsSent: 0,
  positionsApplied: 0,
  actionsApplied: 0,
  actionsRejected: 0,
  claims: 0,
  handoffs: 0,
  rollbacks: 0,
});

/** A shard as declared: a replica with no term yet. */
export function createSlot(id: ShardId, source: StateSource<Schema>, options: ShardOptions<Schema>, historySize: number): Slot {
  const positions = options.positions;
  const slot: Slot = {
    id,
    source,
    options,
    role: 'replica',
    epoch: undefined,
    tag: 0,
    seq: 0,
    confirmed: false,
    votes: new Set(),
    votedNumber: 0,
    votedKey: '',
    heard: undefined,
    heardConfirmed: false,
    heardAt: 0,
    highestTerm: 0,
    reader: new ShardReader(source),
    writer: undefined,
    history: new DeltaHistory(historySize),
    pending: new Map(),
    future: new Map(),
    repairDueAt: undefined,
    repairTimer: undefined,
    lastRepairAt: Number.NEGATIVE_INFINITY,
    lastSnapshotRequestAt: Number.NEGATIVE_INFINITY,
    snapshotWanted: new Set(),
    snapshotPushedAt: new Map(),
    handoffTo: undefined,
    handoffAt: 0,
    successorGoneAt: undefined,
    reservedTerm: 0,
    handoffConfirmed: false,
    finalSnapshot: undefined,
    holdUntil: 0,
    lastHandoffRequestAt: Number.NEGATIVE_INFINITY,
    holders: new Map(),
    holdersOf: '',
    fallbackFor: '',
    fallbackAskedAt: Number.NEGATIVE_INFINITY,
    fallbackBest: undefined,
    lastCopyRequestAt: Number.NEGATIVE_INFINITY,
    base: undefined,
    commit: new CommitState(),
    ackSentKey: '',
    ackSentSeq: -1,
    ackSentAt: Number.NEGATIVE_INFINITY,
    ackRepeats: 0,
    provisional: false,
    orphaned: '',
    degradedInTerm: false,
    syncStartedAt: undefined,
    syncAskedAt: 0,
    syncFor: '',
    syncAnswers: new Set(),
    finals: new Map(),
    pos: positions
      ? {
          options: positions === true ? {} : positions,
          encoder: undefined,
          decoder: new PositionStreamDecoder(),
          samples: undefined,
          dirty: false,
          seq: 0,
          lastKeyframeRequestAt: Number.NEGATIVE_INFINITY,
        }
      : undefined,
    lastChange: undefined,
    reported: '',
    metrics: zeroMetrics(),
  };
  slot.reader.onChange((e) => {
    slot.lastChange = e;
  });
  return slot;
}

/** The highest term known for the shard, held or only heard of. */
export function latestEpoch(slot: Slot): Epoch | undefined {
  if (!slot.epoch) return slot.heard;
  if (!slot.heard) return slot.epoch;
  return compareClaims(slot.heard, slot.heardConfirmed, slot.epoch, slot.confirmed) > 0 ? slot.heard : slot.epoch;
}

/** True when this replica holds the newest term it knows of. */
export function holdsLatest(slot: Slot): boolean {
  return slot.epoch !== undefined && !slot.reader.needsSnapshot && (slot.heard === undefined || compareClaims(slot.heard, slot.heardConfirmed, slot.epoch, slot.confirmed) <= 0);
}

/** The changes the reader reported during the last apply (a getter, so narrowing does not hide the write). */
export function changesOf(slot: Slot): readonly ShardChangeEvent<Schema>['changes'][number][] {
  return slot.lastChange?.changes ?? [];
}

/** Dedupe key of a delta ([R16]). */
export const deltaKey = (shard: string, term: number, tag: number, seq: number): string => `d|${shard}|${term}|${tag}|${seq}`;
/** Dedupe key of a position frame. */
export const positionsKey = (shard: string, term: number, tag: number, seq: number): string => `p|${shard}|${term}|${tag}|${seq}`;
