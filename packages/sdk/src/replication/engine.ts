/**
 * The replication engine: every shard of a room on one peer. It decides who writes each shard
 * (from the membership view, [R9]–[R13]), runs the czar's tick (deltas, snapshots, positions),
 * applies what arrives in order ([R10]), repairs gaps ([R14]), relays by gossip ([R15], [R16]),
 * exchanges anti-entropy digests ([R17]) and carries actions to czars ([R20]). Rules: SPEC.md,
 * section R. The public face is `Room` (src/room.ts); this class has no API of its own worth
 * learning.
 *
 * All time comes from the injected clock and all randomness from the injected rng, so a room
 * on the simulated network replays exactly from its seed.
 */
import { Schema } from '@colyseus/schema';
import { AnarchyError, ArgumentError, ErrorCode } from '../errors.js';
import type { Placement } from '../authority/rendezvous.js';
import { AuthorityView } from '../authority/view.js';
import { shardId, term as toTerm, type ShardId } from '../authority/ids.js';
import type { MembershipChange, MembershipView } from '../membership/types.js';
import type { Channel, PeerId, Transport } from '../transport/types.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { sameItems } from '../util/arrays.js';
import { Emitter } from '../util/emitter.js';
import { randomInt, type Rng } from '../util/rng.js';
import type { Message, MessageOf } from '../wire/messages.js';
import { QuorumTracker, type QuorumState } from './quorum.js';
import {
  REPLICATION_DEFAULTS,
  type ActionContext,
  type ReplicationEvents,
  type ReplicationOptions,
  type RoomMetrics,
  type ShardChange,
  type ShardMetrics,
  type ShardOptions,
} from './engine-types.js';
import { compareClaims, compareEpochs, epochKey, formatEpoch, sameEpoch, writerTag, type Epoch } from './epoch.js';
import { relayKey, relayTargets } from './gossip.js';
import type { DeliveryFilter } from './interest.js';
import {
  ACTION_APPLIED,
  ACTION_COMMIT_FLAG,
  ACTION_NOT_CZAR,
  ACTION_READ_ONLY,
  ACTION_REJECTED,
  ACTION_ROLLED_BACK,
  ACTION_TERM_BASE,
  ACTION_UNKNOWN_SHARD,
  ActionSender,
  type LostAction,
} from './actions.js';
import { decodeJson, encodeJson, encodeText } from './json.js';
import { PeerLinks } from './links.js';
import { PositionStreamEncoder, type PositionSample } from './positions.js';
import { decoderView, samplesView, type PositionsView } from './positions-view.js';
import {
  DIGEST_FLAG_ANSWER,
  DIGEST_FLAG_PARTIAL,
  DIGEST_FLAG_REPLY,
  DIGEST_HELD,
  DIGEST_HELD_FINAL,
  KEYFRAME_REQUEST_INTERVAL_MS,
  MAX_FUTURE,
  MAX_PENDING,
  MAX_REPAIR_SPAN,
  REQUEST_COPY,
  REQUEST_DECLINE,
  REQUEST_HANDOFF,
  REQUEST_KEYFRAME,
  SALT_DELTA,
  SALT_POSITIONS,
  SNAPSHOT_FLAG_COPY,
  SNAPSHOT_FLAG_HANDOFF,
  SNAPSHOT_PUSH_INTERVAL_MS,
  ACK_CONFIRMED,
  ACK_KNOWS_CONFIRMED,
  ACK_VOTE,
  DIGEST_HELD_CONFIRMED,
  SNAPSHOT_FLAG_CONFIRMED,
} from './protocol.js';
import { SeenSet } from './seen-set.js';
import { changesOf, createSlot, createState, deltaKey, fnv32, holdsLatest, latestEpoch, positionsKey, type Slot } from './slot.js';
import { ShardWriter, type StateSource } from './shard-store.js';
import type { StateHash } from './state-hash.js';

/** Everything the engine needs. */
export interface EngineInit extends ReplicationOptions {
  readonly transport: Transport;
  readonly membership: MembershipView;
  readonly clock: Clock;
  readonly rng: Rng;
  /**
   * A random u32 that tells this instance apart from earlier lives of its peer id ([R7]); drawn
   * from `rng` when absent.
   */
  readonly instanceNonce?: number;
  readonly onListenerError?: (err: unknown) => void;
  /** Messages of other layers (membership) that arrive over the room's links. */
  readonly onForeignMessage?: (peer: PeerId, message: Message) => void;
  /**
   * The members this peer reaches now, for the majority rule ([R26]). Default: the view's members.
   * The room passes SWIM's members minus the ones it suspects.
   */
  readonly reachable?: () => Iterable<PeerId>;
  /**
   * Apply the majority rule ([R26]). Default true. `false` also lets a peer create a shard once
   * the peers it is connected to answered its digest request, without waiting for answers from a
   * majority of its view ([R11]): in a partial mesh a peer may never hear from most of the room.
   */
  readonly requireMajority?: boolean;
  /**
   * Who a peer is for the majority rule: its player id when known, so a player back under a new
   * peer id counts as the one it was ([R26]). Default: the peer id.
   */
  readonly identityOf?: (peer: PeerId) => string;
  /** True when `peer` left the room on purpose (SWIM's `left`): the majority is counted without it ([R26]). */
  readonly hasLeft?: (peer: PeerId) => boolean;
  /** Interest-scoped delivery ([I1]–[I4], interest.ts): who receives each shard. Default: every peer. */
  readonly interest?: DeliveryFilter;
  /** Locality of authority ({@link Placement}); the same on every peer. Default: none. */
  readonly placement?: Placement;
}

function checkPositive(name: string, value: number, integer = false): void {
  if (!(Number.isFinite(value) && value > 0) || (integer && !Number.isInteger(value))) {
    throw new ArgumentError(`Room option ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}.`, { option: name, value });
  }
}

/**
 * Replication of every declared shard on one peer, over one transport and one membership view.
 * Use it through `Room`; see the file comment and SPEC.md section R.
 */
export class ReplicationEngine {
  readonly self: PeerId;
  readonly options: Readonly<Required<ReplicationOptions>>;
  private readonly transport: Transport;
  private readonly membership: MembershipView;
  private readonly clock: Clock;
  private readonly rng: Rng;
  private readonly interest: DeliveryFilter | undefined;
  private readonly events: Emitter<ReplicationEvents>;
  private readonly links: PeerLinks;
  private readonly slots = new Map<ShardId, Slot>();
  private readonly seen = new SeenSet(16_384);
  private readonly connected = new Set<PeerId>();
  /** When each peer's connection last dropped: a takeover waits for a member re-dialling for a while ([R25]). */
  private readonly disconnectedAt = new Map<PeerId, number>();
  /** Peers that said goodbye: not eligible for authority while they finish leaving. */
  private readonly leaving = new Set<PeerId>();
  /** Peers ever in the view: a writer that was seen and is gone has left, not "not yet connected". */
  private readonly everSeen = new Set<PeerId>();
  /** Peers that left the view after saying goodbye, and when: they handed their shards to someone. */
  private readonly leftGracefully = new Map<PeerId, number>();
  /** Peers that answered our request for their digest: they told us what they hold ([R11]). */
  private readonly digestFrom = new Set<PeerId>();
  /**
   * Declarations so far, and the count when each shard was declared and when each peer's last
   * digest arrived: a digest read before a shard was declared said nothing of it ([R11]).
   */
  private declarations = 0;
  private readonly declaredAt = new Map<ShardId, { readonly mark: number; readonly at: number }>();
  private readonly digestMark = new Map<PeerId, number>();
  /** When we last asked each peer for its digest for a late declaration ([R11]). */
  private readonly askedAt = new Map<PeerId, number>();
  /** The last peer that declined a handoff of each shard, and when ([R12]). */
  private readonly declined = new Map<ShardId, { readonly peer: PeerId; readonly at: number }>();
  private readonly digestSentAt = new Map<PeerId, number>();
  /** Peers that asked for our digest, and when: they are bootstrapping and want news of terms ([R11]). */
  private readonly newcomers = new Map<PeerId, number>();
  /**
   * Shards whose term was adopted since the newcomers last heard: at the next tick they get one
   * partial digest of those, not a full digest per adoption (a joining wave adopts hundreds of
   * terms, and a joiner hears from every peer it connected to).
   */
  private readonly adoptedSinceTold = new Set<ShardId>();
  private readonly actions: ActionSender;
  private readonly unsubscribe: Array<() => void> = [];
  private view: AuthorityView;
  /** Instance tags seen in snapshots and digests, and whose they are ([R8]). */
  private readonly knownTags = new Map<number, PeerId>();
  /** This instance's writer tag: its id hashed with a nonce drawn at start ([R7]). */
  private readonly selfTag: number;
  private readonly startedAt: number;
  private tickTimer: TimerHandle | undefined;
  private entropyTimer: TimerHandle | undefined;
  /** A view change held back for more joins ([R32]). */
  private joinBatch: TimerHandle | undefined;
  /** The membership's standby list as of the last view change. */
  private viewStandby: readonly PeerId[] = [];
  private lastPingAt = Number.NEGATIVE_INFINITY;
  private selfLeaving = false;
  private leaving$: Promise<void> | undefined;
  private stopped = false;
  private unknownShardMessages = 0;
  /** The majority rule ([R26]); undefined when turned off. */
  private readonly quorum: QuorumTracker | undefined;
  private readonly reachable: () => Iterable<PeerId>;
  private readonly identityOf: (peer: PeerId) => string;
  private readonly hasLeft: (peer: PeerId) => boolean;
  /** Set aside by the game (`Room.setStandby`, a hidden tab): hands its shards on ([R27]). */
  private selfAway = false;
  private readonly onForeign: ((peer: PeerId, message: Message) => void) | undefined;
  /**
   * Peers that left the view lately, oldest first: one that turns out to have left on purpose
   * stops counting for the majority rule ([R26]). Ids only: a whole view per departure, kept for
   * nothing, was a tenth of a peer's memory where a membership scope forgets peers often.
   */
  private readonly departed = new Set<PeerId>();
  private readonly placement: Placement | undefined;
  /** [R31]: shards this peer may act on as an authority; undefined = all. */
  private decides: ((shard: string) => boolean) | undefined;
  private reportedStatus: 'ok' | 'degraded' = 'ok';
  /** When each peer last sent us anything: a peer silent for long is not reachable ([R26]). */
  private readonly heardFrom = new Map<PeerId, number>();
  /** Last tick (stall detection) and the end of the recovery after a stall ([R26]). */
  private lastTickAt: number;
  private recoverUntil = Number.NEGATIVE_INFINITY;
  /** Back from the minority side: no term is opened before this, while the views merge ([R26]). */
  private mergeUntil = Number.NEGATIVE_INFINITY;

  constructor(init: EngineInit) {
    const o = { ...REPLICATION_DEFAULTS, ...stripUndefined(init) };
    for (const k of Object.keys(REPLICATION_DEFAULTS) as Array<keyof typeof REPLICATION_DEFAULTS>) {
      checkPositive(k, o[k], ['gossipThreshold', 'fanout', 'redundancy', 'backups', 'historySize', 'antiEntropyFanout'].includes(k));
    }
    this.options = Object.freeze(Object.fromEntries(Object.keys(REPLICATION_DEFAULTS).map((k) => [k, o[k as keyof typeof o]])) as Required<ReplicationOptions>);
    this.transport = init.transport;
    this.membership = init.membership;
    this.clock = init.clock;
    this.rng = init.rng;
    this.interest = init.interest;
    this.placement = init.placement;
    this.self = init.transport.localId;
    // A new instance under an old id must not reopen or continue a term of its previous life ([R7]).
    this.selfTag = writerTag(this.self, init.instanceNonce ?? randomInt(this.rng, 0x1_0000_0000));
    this.knownTags.set(this.selfTag, this.self);
    if (this.membership.self !== this.self) {
      throw new ArgumentError(`The membership view is for peer ${this.membership.self} but the transport is ${this.self}: build both for the same peer.`);
    }
    this.events = new Emitter<ReplicationEvents>(init.onListenerError);
    this.startedAt = this.clock.now();
    this.lastTickAt = this.startedAt;
    this.view = this.buildView();
    for (const p of this.view.peers) this.everSeen.add(p);
    this.identityOf = init.identityOf ?? ((p) => p);
    this.hasLeft = init.hasLeft ?? (() => false);
    this.quorum = init.requireMajority === false ? undefined : new QuorumTracker(this.identityOf(this.self), this.options.stableViewMs, this.startedAt);
    this.reachable = init.reachable ?? (() => this.membership.members());
    this.onForeign = init.onForeignMessage;
    this.links = new PeerLinks({
      transport: this.transport,
      clock: this.clock,
      maxPayloadBytes: this.options.maxPayloadBytes,
      onMessage: (peer, channel, m) => this.handle(peer, channel, m),
      onError: (err) => this.events.emit('error', err instanceof AnarchyError ? err : new AnarchyError(ErrorCode.SendFailed, err.message, {}, { cause: err })),
    });
    this.actions = new ActionSender({
      clock: this.clock,
      retryMs: this.options.tickMs,
      target: (shard) => this.actionTarget(this.slot(shard)),
      writes: (shard) => this.slot(shard).role === 'writer',
      applyLocal: (shard, payload, commit) => {
        const slot = this.slot(shard);
        const result = this.applyAction(slot, this.self, decodeJson(payload));
        return commit ? this.commitPromise(slot).then(() => result) : result;
      },
      rolledBack: (lost) => this.onActionRolledBack(lost),
      send: (to, message) => this.links.send(to, message),
      flush: () => this.links.flush(),
      holds: (shard, term, czar, seq) => {
        const slot = this.slot(shard);
        const e = slot.epoch;
        if (!e || slot.reader.needsSnapshot) return false;
        // Only the same term: a newer one may not hold the action (its base tells, [R24]).
        return e.term === term && e.czar === czar && slot.seq >= seq;
      },
    });
    this.unsubscribe.push(
      this.transport.on('peer-joined', ({ peer }) => this.onPeerJoined(peer)),
      this.transport.on('peer-left', ({ peer }) => this.onPeerLeft(peer)),
      this.transport.on('message', ({ peer, channel, data }) => {
        if (this.stopped) return;
        const now = this.clock.now();
        // Messages queued while this peer was frozen arrive before its overdue tick runs.
        this.checkStall(now);
        this.heardFrom.set(peer, now);
        this.links.receive(peer, channel, data);
        this.links.flush();
      }),
      this.transport.on('closed', () => this.stop()),
      this.membership.on('change', (change) => this.onMembershipChange(change)),
    );
    for (const p of this.transport.peers()) this.onPeerJoined(p);
    this.scheduleTick();
    this.scheduleEntropy();
  }

  // ------------------------------------------------------------------ public surface (via Room)

  on<K extends keyof ReplicationEvents>(event: K, listener: (payload: ReplicationEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  get closed(): boolean {
    return this.stopped;
  }

  /** Declares a shard; see `Room.declareShard`. */
  declare<S extends Schema>(id: string, source: StateSource<S>, options: ShardOptions<S> = {}): void {
    this.assertOpen();
    const sid = shardId(id);
    if (this.slots.has(sid)) throw new ArgumentError(`Shard ${sid} is already declared: declare each shard once.`, { shard: sid });
    if (typeof source !== 'function') throw new ArgumentError(`declareShard(${sid}) needs a schema class (made by schema({...})) as its state.`);
    const slot = createSlot(sid, source as StateSource<Schema>, options as ShardOptions<Schema>, this.options.historySize);
    this.slots.set(sid, slot);
    this.declaredAt.set(sid, { mark: ++this.declarations, at: this.clock.now() });
    // Tell the others what we hold: a late declaration then catches up without waiting for a round
    // (writers push what we lack, holders answer with their digest). Only while bootstrapping is it
    // a request ([R11]): a request makes every answerer send its full digest back, and again on
    // each term it adopts for a while. A world declares many shards at one instant: one digest per
    // peer per instant says it all, since the answers list every shard the answerer holds.
    const now = this.clock.now();
    const asking = now - this.startedAt < this.options.bootstrapMs + this.options.graceMs;
    for (const p of this.connected) if (this.digestSentAt.get(p) !== now) this.sendDigest(p, asking ? DIGEST_FLAG_REPLY : 0);
    this.reconcile(slot);
    this.links.flush();
  }

  /** Stops holding a replica of `id`; see `Room.withdrawShard`. Refused while this peer writes it. */
  withdraw(id: string): void {
    this.assertOpen();
    const slot = this.slot(id);
    if (slot.role !== 'replica') {
      throw new ArgumentError(`Shard ${slot.id} is written (or being handed off) by this peer: it cannot be withdrawn until another peer writes it (its czar by the view takes it over after a handoff).`, { shard: slot.id });
    }
    if (slot.repairTimer !== undefined) this.clock.clearTimeout(slot.repairTimer);
    slot.commit.failAll('closed');
    this.slots.delete(slot.id);
    this.declined.delete(slot.id);
    this.declaredAt.delete(slot.id);
    this.adoptedSinceTold.delete(slot.id);
  }

  shardIds(): string[] {
    return [...this.slots.keys()];
  }

  state(id: string): Schema {
    const slot = this.slot(id);
    return slot.writer ? slot.writer.state : slot.reader.state;
  }

  isCzar(id: string): boolean {
    const slot = this.slot(id);
    // degraded() may act on a status change (a handoff): ask it first.
    return !this.degraded() && slot.role === 'writer';
  }

  czarOf(id: string): PeerId | undefined {
    return this.view.czarOf(this.slot(id).id);
  }

  backupsOf(id: string): PeerId[] {
    return this.view.backupsOf(this.slot(id).id, this.options.backups);
  }

  /** The term whose writes are accepted here, if any. */
  termOf(id: string): { readonly term: number; readonly czar: PeerId; readonly seq: number } | undefined {
    const slot = this.slot(id);
    return slot.epoch ? { term: slot.epoch.term, czar: slot.epoch.czar, seq: slot.seq } : undefined;
  }

  stateHash(id: string): StateHash {
    const slot = this.slot(id);
    return slot.writer ? slot.writer.hash() : slot.reader.hash();
  }

  mutate<S extends Schema, R>(id: string, fn: (state: S) => R): R {
    this.assertOpen();
    const slot = this.slot(id);
    if (typeof fn !== 'function') throw new ArgumentError('mutate(id, fn) needs a function that changes the state.');
    if (this.degraded()) throw this.readOnlyError(slot, 'mutate');
    const writer = this.requireWriter(slot, 'mutate');
    const result = writer.mutate(fn as unknown as (s: Schema) => R);
    this.emitLocalChange(slot);
    return result;
  }

  setPositions(id: string, samples: readonly PositionSample[]): void {
    this.assertOpen();
    const slot = this.slot(id);
    if (!slot.pos) throw new ArgumentError(`Shard ${slot.id} has no position stream: declare it with { positions: true }.`, { shard: slot.id });
    if (this.degraded()) throw this.readOnlyError(slot, 'setPositions');
    this.requireWriter(slot, 'setPositions');
    if (!Array.isArray(samples)) throw new ArgumentError('setPositions(id, samples) needs an array of { id, x, y } in integer quanta.');
    // Validate now, so a bad sample throws here and not inside the tick.
    new PositionStreamEncoder({ keyframeInterval: 1 }).encode(samples);
    slot.pos.samples = samples.map((s) => ({ id: s.id, x: s.x, y: s.y }));
    slot.pos.dirty = true;
  }

  positions(id: string): PositionsView {
    const slot = this.slot(id);
    if (!slot.pos) throw new ArgumentError(`Shard ${slot.id} has no position stream: declare it with { positions: true }.`, { shard: slot.id });
    return slot.role === 'writer' ? samplesView(slot.pos.samples ?? []) : decoderView(slot.pos.decoder);
  }

  act(id: string, action: unknown, timeoutMs = this.options.actionTimeoutMs, commit = false): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.closedError());
    let slot: Slot;
    let payload: Uint8Array;
    try {
      slot = this.slot(id);
      payload = encodeJson(action);
      checkPositive('timeoutMs', timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    // A czar without a majority refuses; elsewhere the czar decides (it answers read-only).
    if (slot.role === 'writer' && this.degraded()) return Promise.reject(this.readOnlyError(slot, 'act'));
    if (slot.role === 'writer') {
      try {
        const result = this.applyAction(slot, this.self, decodeJson(payload));
        return commit ? this.commitPromise(slot).then(() => result) : Promise.resolve(result);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.actions.send(slot.id, payload, timeoutMs, commit);
  }

  /**
   * Resolves once every write this peer made to the shard as its czar so far is committed
   * ([R23]), or was handed off whole to a successor; rejects with `rolled-back` if the term is
   * lost first. Resolves at once where this peer writes nothing.
   */
  whenCommitted(id: string): Promise<void> {
    let slot: Slot;
    try {
      slot = this.slot(id);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.commitPromise(slot);
  }

  /**
   * Sets this peer aside (or back): while away it is neither czar nor backup, so it hands every
   * shard it writes to the next backup at once ([R27]). The membership should announce the same
   * (SWIM's `setStandby`) so that every view agrees.
   */
  setAway(away: boolean): void {
    if (this.stopped || this.selfAway === away) return;
    // A tab that comes back may have been frozen: its first act must not be a claim on a stale view.
    this.checkStall(this.clock.now());
    this.selfAway = away;
    this.view = this.buildView();
    for (const slot of this.slots.values()) {
      this.recomputeCommit(slot);
      this.reconcile(slot);
    }
    this.links.flush();
  }

  /**
   * [R31]: with a scoped membership, the shards whose authority this peer can tell from its view
   * (`undefined`: all). On the others it claims nothing, takes nothing over and hands nothing off:
   * its view lacks the peers placed first there, so its czar for them is a guess.
   */
  setAuthorityScope(decides: ((shard: string) => boolean) | undefined): void {
    this.decides = decides;
  }

  /** [R31]: this peer may claim, take over or hand off `shard`. */
  private mayDecide(shard: ShardId): boolean {
    return this.decides?.(shard) ?? true;
  }

  /** Whether this peer reaches a majority of the last stable view ([R26]). */
  status(): QuorumState {
    if (this.quorum) {
      const st = this.quorum.snapshot();
      return this.clock.now() < this.recoverUntil ? { ...st, status: 'degraded' } : st;
    }
    return { status: 'ok', reachable: this.view.peers.length, stable: this.view.peers.length };
  }

  /**
   * Sends a message of another layer (membership) on the room's link to `peer`, in the same
   * frames as replication traffic; false when there is no connection ([R29]).
   */
  sendExternal(peer: PeerId, message: Message, channel: Channel): boolean {
    if (this.stopped) return false;
    const ok = this.links.send(peer, message, { channel });
    this.links.flush();
    return ok;
  }

  metrics(): RoomMetrics {
    const shards: Record<string, ShardMetrics> = {};
    for (const slot of this.slots.values()) {
      shards[slot.id] = {
        ...slot.metrics,
        role: slot.role === 'writer' ? 'czar' : slot.role === 'retired' ? 'handing-off' : 'replica',
        term: slot.epoch?.term,
        czar: slot.epoch?.czar,
        seq: slot.seq,
        committedSeq: slot.role === 'writer' ? slot.commit.committed : -1,
      };
    }
    return {
      self: this.self,
      at: this.clock.now(),
      peers: this.links.metrics(),
      shards,
      unknownShardMessages: this.unknownShardMessages,
      wireErrors: this.links.wireErrors,
    };
  }

  /**
   * Leaves gracefully: says goodbye, hands each written shard to its successor ([R12]) and waits
   * (at most `leaveTimeoutMs`) until they took over, then closes the transport. The work happens
   * on the room's clock, so on a virtual clock it completes as the clock runs, without awaiting.
   */
  leave(beforeClose?: () => void): Promise<void> {
    if (this.leaving$) return this.leaving$;
    if (this.stopped) return Promise.resolve();
    this.selfLeaving = true;
    for (const p of this.connected) this.links.send(p, { type: 'goodbye', reason: 'leave' });
    this.view = this.buildView();
    for (const slot of this.slots.values()) this.reconcile(slot);
    this.links.flush();
    const deadline = this.clock.now() + this.options.leaveTimeoutMs;
    this.leaving$ = new Promise<void>((resolve) => {
      const finish = (): void => {
        try {
          // While the links are still open: the membership's goodbye rides them ([R28]).
          beforeClose?.();
          this.links.flush();
        } finally {
          this.stop();
          this.transport.close().then(resolve, () => resolve());
        }
      };
      const check = (): void => {
        if (this.stopped) return resolve();
        const successors = [...this.connected].some((p) => !this.leaving.has(p));
        const waiting = successors && [...this.slots.values()].some((s) => s.role === 'writer' || s.role === 'retired');
        if (!waiting || this.clock.now() >= deadline) finish();
        else this.clock.setTimeout(check, Math.min(this.options.tickMs, Math.max(1, deadline - this.clock.now())));
      };
      check();
    });
    return this.leaving$;
  }

  /** Stops every timer and listener; pending actions fail with `closed`. Does not close the transport. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    if (this.entropyTimer !== undefined) this.clock.clearTimeout(this.entropyTimer);
    if (this.joinBatch !== undefined) this.clock.clearTimeout(this.joinBatch);
    for (const slot of this.slots.values()) if (slot.repairTimer !== undefined) this.clock.clearTimeout(slot.repairTimer);
    for (const off of this.unsubscribe) off();
    this.links.flush();
    this.links.close();
    this.actions.closeAll(this.closedError());
    for (const slot of this.slots.values()) slot.commit.failAll('closed');
  }

  // ------------------------------------------------------------------ membership and peers

  private buildView(): AuthorityView {
    const standby = new Set(this.membership.standby());
    for (const p of this.leaving) standby.add(p);
    if (this.selfLeaving || this.selfAway) standby.add(this.self);
    const peers = this.membership.members();
    const placement = this.placement;
    const view = new AuthorityView({ version: this.membership.version(), peers, standby, previous: this.view, ...(placement ? { placement } : {}) });
    return view;
  }

  /**
   * [R32]: a change that only adds members waits up to `JOIN_BATCH_MS` for more, so a wave of
   * arrivals (every peer of a room hears of each joiner) rebuilds the view once, not once per
   * joiner; a departure or a change of standby is acted on at once (failover waits for nothing),
   * together with any joins held back.
   */
  private onMembershipChange(change: MembershipChange): void {
    if (this.stopped) return;
    if (change.left.length === 0 && sameItems(change.standby, this.viewStandby)) {
      this.joinBatch ??= this.clock.setTimeout(() => {
        this.joinBatch = undefined;
        this.onViewChange();
      }, JOIN_BATCH_MS);
      return;
    }
    this.onViewChange();
  }

  private onViewChange(): void {
    if (this.stopped) return;
    if (this.joinBatch !== undefined) {
      this.clock.clearTimeout(this.joinBatch);
      this.joinBatch = undefined;
    }
    this.viewStandby = this.membership.standby();
    const members = new Set(this.membership.members());
    for (const p of members) {
      this.everSeen.add(p);
      this.leftGracefully.delete(p);
    }
    for (const p of [...this.leaving]) {
      if (members.has(p)) continue;
      this.leaving.delete(p);
      this.leftGracefully.set(p, this.clock.now());
    }
    for (const p of [...this.digestFrom]) if (!members.has(p)) this.digestFrom.delete(p);
    for (const p of [...this.digestMark.keys()]) if (!members.has(p) && !this.connected.has(p)) this.digestMark.delete(p);
    const before = this.view;
    for (const p of before.peers) {
      if (members.has(p)) continue;
      this.rememberDeparted(p);
      if (this.hasLeft(p)) this.quorum?.forget(this.identityOf(p) || p, this.clock.now());
    }
    for (const p of members) this.departed.delete(p);
    this.view = this.buildView();
    this.tellSuccessors(before);
    this.updateQuorum();
    for (const slot of this.slots.values()) {
      this.recomputeCommit(slot);
      this.reconcile(slot);
    }
    this.links.flush();
  }

  /**
   * The czar of a term we hold left the view: tell its successor at once what we hold, marked
   * final (we acknowledge nothing more of it), so the takeover need not ask us ([R25]).
   */
  private tellSuccessors(before: AuthorityView): void {
    const to = new Set<PeerId>();
    for (const slot of this.slots.values()) {
      const e = slot.epoch;
      if (slot.role !== 'replica' || !e || e.czar === this.self || !before.has(e.czar) || this.view.has(e.czar)) continue;
      const next = this.view.czarOf(slot.id);
      if (next !== undefined && next !== this.self && this.connected.has(next)) to.add(next);
    }
    for (const p of to) this.sendDigest(p, DIGEST_FLAG_ANSWER, true);
  }

  private rememberDeparted(peer: PeerId): void {
    this.departed.delete(peer);
    this.departed.add(peer);
    if (this.departed.size > MAX_DEPARTED) {
      const oldest = this.departed.values().next().value;
      if (oldest !== undefined) this.departed.delete(oldest);
    }
  }

  // ------------------------------------------------------------------ majority rule ([R26])

  /** Not degraded, and past a new peer's first `stableViewMs`: may open a term ([R26]). */
  private mayOpenTerms(): boolean {
    return !this.degraded() && (this.quorum?.settled(this.clock.now()) ?? true) && this.clock.now() >= this.mergeUntil;
  }

  private degraded(): boolean {
    if (!this.quorum) return false;
    // Whatever runs first after a freeze (a tick, a message, or a call of the game: `isCzar`,
    // `mutate`, a tab shown again) finds the stall here.
    this.checkStall(this.clock.now());
    const degraded = this.quorum.status === 'degraded' || this.clock.now() < this.recoverUntil;
    // Report a change (a recovery that just ended) before acting on it.
    if (degraded !== (this.reportedStatus === 'degraded')) {
      this.updateQuorum();
      return this.reportedStatus === 'degraded';
    }
    return degraded;
  }

  /**
   * A tick far later than due means this peer was frozen (a suspended tab, a paused process):
   * what it knows of the room is stale, and the room may have failed over without it. It acts as
   * degraded for `stableViewMs` while its membership catches up ([R26]). Checked on every tick,
   * every message and every check of the majority rule (a tab shown again may run its
   * `visibilitychange`, or the game its frame, before any timer).
   */
  private checkStall(now: number): void {
    if (now - this.lastTickAt <= this.options.tickMs + STALL_MS) return;
    this.lastTickAt = now;
    // What peers told us before the freeze is stale: a final holding then may hide a term opened
    // since, which a takeover must ask about again ([R25]).
    for (const slot of this.slots.values()) {
      slot.finals.clear();
      slot.syncAnswers.clear();
      slot.syncStartedAt = undefined;
    }
    if (!this.quorum) return;
    this.recoverUntil = now + this.options.stableViewMs;
    this.updateQuorum();
  }

  /** Re-evaluates the majority rule; reports a change of status (and claims what waited for it). */
  private updateQuorum(): void {
    if (!this.quorum || this.stopped) return;
    const now = this.clock.now();
    // A departed peer may be known to have left on purpose only later (its goodbye missed us,
    // gossip told us afterwards): it stops counting then.
    for (const p of this.departed) if (this.hasLeft(p)) this.quorum.forget(this.identityOf(p) || p, now);
    // Reachable: members the membership does not suspect, to which we hold a connection that
    // carried something recently (RTT pings go to every peer every `pingMs`).
    const window = REACH_PINGS * this.options.pingMs;
    const reach: string[] = [];
    for (const p of this.reachable()) {
      if (p !== this.self && !(this.connected.has(p) && now - (this.heardFrom.get(p) ?? Number.NEGATIVE_INFINITY) <= window)) continue;
      reach.push(this.identityOf(p) || p);
    }
    const wasMinority = this.quorum.snapshot().status === 'degraded';
    this.quorum.update(reach, this.view.peers.map((p) => this.identityOf(p) || p), now);
    // A majority regained (a heal, a peer back) may be a majority of a stable view that shrank
    // while the room went on without us, or one padded by a new instance of a player that knows
    // nothing: wait `stableViewMs` for the membership to list whoever else is back before opening
    // a term, as a new peer does ([R26], seeds 93249 and 91210).
    if (wasMinority && this.quorum.snapshot().status === 'ok') this.mergeUntil = now + this.options.stableViewMs;
    const st = this.status();
    if (st.status === this.reportedStatus) return;
    this.reportedStatus = st.status;
    if (st.status === 'degraded') {
      for (const slot of this.slots.values()) if (slot.role === 'writer') slot.degradedInTerm = true;
    }
    this.trace({ type: 'status', status: st.status, reachable: st.reachable, stable: st.stable, at: now });
    this.events.emit('status', st);
    if (st.status === 'ok') for (const slot of this.slots.values()) this.reconcile(slot);
  }

  private readOnlyError(slot: Slot, what: string): AnarchyError {
    const st = this.status();
    return new AnarchyError(
      ErrorCode.ReadOnly,
      `${what}() on shard ${slot.id} refused: this peer reaches only ${st.reachable} of the ${st.stable} peers of the room it last knew, not a majority, so every shard is read only here until the network heals (watch room.status() or the 'status' event).`,
      { shard: slot.id, reachable: st.reachable, stable: st.stable },
    );
  }

  // ------------------------------------------------------------------ commitment ([R23], [R24])

  /** The peer whose acks commit this czar's writes: the first other peer of the succession. */
  private ackerOf(slot: Slot): PeerId | undefined {
    return this.view.head(slot.id, 2).find((p) => p !== this.self);
  }

  private recomputeCommit(slot: Slot): void {
    const epoch = slot.epoch;
    // Nothing commits while cut off, nor after, until the room confirmed nobody took over ([R26]).
    if (slot.role !== 'writer' || !epoch || this.stopped || slot.provisional || slot.degradedInTerm) return;
    // Nor before a majority acknowledged the term's opening ([R23]).
    if (!slot.confirmed) return;
    const acker = this.ackerOf(slot);
    // With no backup, writes commit at once only in a room of one: a peer connected but not in
    // the view yet (the membership lags the link) is a member whose state we have not seen, and
    // this term may lose to one it holds ([R11], [R23]).
    if (acker === undefined && [...this.connected].some((p) => !this.view.has(p) && !this.leaving.has(p))) return;
    if (!slot.commit.advance(acker, slot.seq)) return;
    const seq = slot.commit.committed;
    this.trace({ type: 'commit', shard: slot.id, term: epoch.term, czar: this.self, seq, acker: slot.commit.acker, at: this.clock.now() });
    if (this.events.listenerCount('commit') > 0) this.events.emit('commit', { shard: slot.id, term: epoch.term, czar: this.self, seq });
  }

  /** A promise for the commitment of everything this peer wrote to `slot` so far. */
  private commitPromise(slot: Slot): Promise<void> {
    if (slot.role === 'replica') return Promise.resolve();
    // Pending changes ride in the next delta; a retired czar waits for its successor's term.
    const target = slot.role === 'writer' ? slot.seq + (slot.writer?.hasChanges() ? 1 : 0) : Number.MAX_SAFE_INTEGER;
    return new Promise<void>((resolve, reject) => slot.commit.wait(target, resolve, (why) => reject(why === 'closed' ? this.closedError() : this.rolledBackError(slot))));
  }

  private rolledBackError(slot: Slot): AnarchyError {
    return new AnarchyError(
      ErrorCode.RolledBack,
      `A write to shard ${slot.id} was rolled back: its czar lost the term before the first backup acknowledged it. Read the shard's state and write again if it is still wanted.`,
      { shard: slot.id },
    );
  }

  /** As a backup of the shard, tells the czar which point this replica holds ([R23]). */
  private maybeAck(slot: Slot, now: number): void {
    const e = slot.epoch;
    // A czar our view dropped gets no more acks: what we told a takeover we hold stays all we
    // acknowledged, so its commit point cannot pass what the takeover starts from ([R25]).
    if (slot.role !== 'replica' || !e || e.czar === this.self || slot.reader.needsSnapshot || !this.connected.has(e.czar) || !this.view.has(e.czar)) return;
    // The czar and `backups` others: if this peer is not among them it is no backup.
    const order = this.view.head(slot.id, this.options.backups + 2);
    let rank = 0;
    for (const p of order) {
      if (p === e.czar) continue;
      if (p === this.self) break;
      rank++;
    }
    const backup = rank < this.options.backups && order.includes(this.self);
    // Every replica votes for the term it holds, once per number: a majority of votes confirms
    // it, and two terms of one number are never both confirmed ([R7], [R23]).
    const termKey = epochKey(e);
    let flags = 0;
    if (slot.votedNumber < e.term || (slot.votedNumber === e.term && slot.votedKey === termKey)) {
      flags |= ACK_VOTE;
      slot.votedNumber = e.term;
      slot.votedKey = termKey;
    }
    if (slot.confirmed) flags |= ACK_KNOWS_CONFIRMED;
    // Backups acknowledge every point; other replicas only vote, until the term is confirmed.
    if (!backup && (slot.confirmed || (flags & ACK_VOTE) === 0)) return;
    const key = `${termKey}|${flags}`;
    if (key === slot.ackSentKey && (slot.seq === slot.ackSentSeq || !backup)) {
      // Acks go on the unreliable channel: repeat a few times in case the last one was lost.
      if (slot.ackRepeats >= ACK_REPEATS || now - slot.ackSentAt < this.options.ackRetryMs) return;
      slot.ackRepeats++;
    } else {
      slot.ackRepeats = 0;
    }
    slot.ackSentKey = key;
    slot.ackSentSeq = slot.seq;
    slot.ackSentAt = now;
    if (this.links.send(e.czar, { type: 'ack', shard: slot.id, term: e.term, writer: e.tag, seq: slot.seq, flags }, { channel: 'state', priority: 'control' })) slot.metrics.acksSent++;
  }

  private onAck(from: PeerId, m: MessageOf<'ack'>): void {
    const slot = this.wireSlot(m.shard);
    if (slot?.role === 'retired' && slot.epoch?.term === m.term && slot.epoch.tag === m.writer && slot.handoffTo === from && m.seq === slot.seq) {
      slot.handoffConfirmed = true;
      return;
    }
    // The czar says the term we hold is confirmed ([R23]).
    if (slot?.role === 'replica' && (m.flags & ACK_CONFIRMED) !== 0 && slot.epoch && slot.epoch.term === m.term && slot.epoch.tag === m.writer && slot.epoch.czar === from) {
      this.markConfirmed(slot);
      return;
    }
    // An ack names the instance: one held of a previous life of our id does not count ([R7]).
    if (!slot || slot.role !== 'writer' || !slot.epoch || slot.epoch.term !== m.term || slot.epoch.tag !== m.writer) return;
    if ((m.flags & ACK_VOTE) !== 0) {
      slot.votes.add(this.identityOf(from) || from);
      this.checkConfirmed(slot);
    }
    // Only a backup that knows the term is confirmed commits: it then refuses any same-number
    // rival, so what it acknowledged survives a heal ([R7], [R23]).
    if ((m.flags & ACK_KNOWS_CONFIRMED) === 0 && this.quorum) return;
    if (slot.commit.ack(from, Math.min(m.seq, slot.seq))) this.recomputeCommit(slot);
  }

  /** Whether this writer's votes (its own included) make a majority of its stable view ([R23], [R26]). */
  private hasVoteMajority(slot: Slot): boolean {
    return !this.quorum || this.quorum.isMajority(slot.votes);
  }

  /** A writer's term became confirmed: tell the replicas (so their acks commit) and recount ([R23]). */
  private checkConfirmed(slot: Slot): void {
    const e = slot.epoch;
    if (slot.role !== 'writer' || slot.confirmed || !e || !this.hasVoteMajority(slot)) return;
    slot.confirmed = true;
    this.trace({ type: 'confirm', shard: slot.id, term: e.term, czar: this.self, votes: slot.votes.size, at: this.clock.now() });
    for (const p of this.connected) this.links.send(p, { type: 'ack', shard: slot.id, term: e.term, writer: e.tag, seq: slot.seq, flags: ACK_CONFIRMED });
    this.recomputeCommit(slot);
  }

  /** The held term is known confirmed: no same-number rival displaces it any more ([R7]). */
  private markConfirmed(slot: Slot): void {
    if (slot.confirmed || !slot.epoch) return;
    slot.confirmed = true;
    if (slot.heard && slot.heard.term === slot.epoch.term && !slot.heardConfirmed) slot.heard = undefined;
    this.maybeAck(slot, this.clock.now());
  }

  /** An action of ours that a czar had applied was lost with its term ([R24]): report it. */
  private onActionRolledBack(lost: LostAction): void {
    const slot = this.slots.get(lost.shard as ShardId);
    if (!slot) return;
    const latest = latestEpoch(slot);
    const by = lost.by.term > 0 ? lost.by : { term: latest?.term ?? 0, czar: latest?.czar ?? lost.czar };
    let action: unknown;
    try {
      action = lost.payload === undefined ? undefined : decodeJson(lost.payload);
    } catch {
      action = undefined;
    }
    this.events.emit('rollback', {
      shard: slot.id,
      term: lost.term,
      czar: lost.czar,
      lastSeq: lost.seq,
      committedSeq: -1,
      fromSeq: lost.seq,
      toSeq: lost.seq,
      unsent: false,
      by,
      actionId: lost.actionId & ~ACTION_COMMIT_FLAG,
      ...(action === undefined ? {} : { action }),
    });
  }

  private onPeerJoined(peer: PeerId): void {
    if (this.stopped || peer === this.self) return;
    this.connected.add(peer);
    this.disconnectedAt.delete(peer);
    this.links.open(peer);
    if (this.selfLeaving) this.links.send(peer, { type: 'goodbye', reason: 'leave' });
    this.sendDigest(peer, DIGEST_FLAG_REPLY);
    for (const slot of this.slots.values()) {
      // A term created alone waits for the peer's digest: the peer may hold the room's own ([R11]).
      if (slot.role !== 'writer' || slot.provisional) continue;
      this.pushSnapshot(slot, peer);
      slot.pos?.encoder?.requestKeyframe();
    }
    // A new connection under the id of a peer that said goodbye is a new instance of it (it left,
    // or crashed mid-leave, and came back): eligible again. A leaver says goodbye again on every
    // connection it opens (above), so one that re-dials is set aside again at once.
    if (this.leaving.delete(peer)) {
      this.view = this.buildView();
      for (const slot of this.slots.values()) {
        this.recomputeCommit(slot);
        this.reconcile(slot);
      }
    }
    this.links.flush();
  }

  private onPeerLeft(peer: PeerId): void {
    if (this.stopped) return;
    this.connected.delete(peer);
    this.disconnectedAt.set(peer, this.clock.now());
    this.heardFrom.delete(peer);
    // What it held is asked again on its next connection: it may come back as a new instance ([R25]).
    for (const slot of this.slots.values()) {
      slot.holders.delete(peer);
      slot.syncAnswers.delete(peer);
      slot.finals.delete(peer);
    }
    this.links.remove(peer);
    this.digestSentAt.delete(peer);
    this.askedAt.delete(peer);
    this.newcomers.delete(peer);
    this.actions.peerLeft(peer);
  }

  // ------------------------------------------------------------------ authority ([R9]–[R13])

  /** Decides, from the view and what this peer holds, whether it must claim, hand off or ask ([R11], [R12]). */
  private reconcile(slot: Slot): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const designated = this.view.czarOf(slot.id);
    this.reportCzar(slot, designated);
    if (!this.mayDecide(slot.id)) {
      slot.syncStartedAt = undefined;
      return;
    }
    if (slot.role === 'writer' && slot.degradedInTerm && slot.epoch && !this.degraded()) {
      // Back from the minority: ask everyone whether a newer term exists before committing again.
      if (this.syncRound(slot, now, slot.epoch)) {
        slot.degradedInTerm = false;
        slot.syncStartedAt = undefined;
        this.recomputeCommit(slot);
      }
    }
    if (slot.role === 'writer') {
      // A peer going away (leave, hidden tab in standby) hands off at once, tenure or not ([R27], [R28]).
      const away = this.selfLeaving || this.selfAway || this.view.standby.includes(this.self);
      // Without a majority, no handoff either: the receiver would open a term on the minority side ([R26]).
      // A peer that declined (it has not declared the shard, [R12]) is offered it again only after
      // `graceMs`: its view may name us meanwhile, or it may declare the shard and ask.
      const declined = this.declined.get(slot.id);
      const backOff = declined !== undefined && declined.peer === designated && now - declined.at < this.options.graceMs;
      if (designated !== undefined && designated !== this.self && this.connected.has(designated) && (now >= slot.holdUntil || away) && !this.degraded() && !backOff) {
        this.handoff(slot, designated);
      }
      return;
    }
    if (slot.role === 'retired') {
      // The successor we chose is responsible while it lives, even if the view now names another
      // peer: it hands on itself. Offering the same term to a second peer would let two peers
      // claim the same next number ([R12]).
      const to = slot.handoffTo;
      if (to !== undefined && this.view.has(to)) {
        slot.successorGoneAt = undefined;
        if (!this.leaving.has(to) && this.connected.has(to) && now - slot.handoffAt >= this.options.handoffRetryMs) this.offerHandoff(slot, to);
        return;
      }
      // It is gone. If it took over, its term (and any handed on from it) reaches us within a
      // grace period; if nothing newer came, take the shard back under a term past the one
      // reserved for it, then hand on to whoever the view names.
      slot.successorGoneAt ??= now;
      if (now - slot.successorGoneAt < this.options.graceMs) return;
      // Taking the shard back is a takeover ([R25]): the room may have moved on meanwhile (this
      // peer may be back from a freeze or a partition, its links half-open), and a term of ours
      // numbered past a newer one the room committed in would wipe it (seed 23885). Ask every
      // member first; a newer term in an answer retires this slot ([R13]).
      if (designated !== undefined && this.mayOpenTerms() && slot.epoch && this.syncRound(slot, now, slot.epoch)) {
        this.claim(slot, 'replica');
        slot.holdUntil = now;
        this.reconcile(slot);
      }
      return;
    }
    if (designated !== this.self) {
      slot.syncStartedAt = undefined;
      return;
    }
    // On the minority side of a partition nobody opens a term ([R26]).
    if (!this.mayOpenTerms()) {
      slot.syncStartedAt = undefined;
      return;
    }
    const latest = latestEpoch(slot);
    if (!latest) {
      if (this.bootstrapped(slot, now)) this.claim(slot, 'fresh');
      else this.askHoldings(slot, now);
      return;
    }
    const writer = latest.czar;
    if (writer !== this.self && this.view.has(writer) && slot.orphaned !== epochKey(latest)) {
      // The writer is alive: it hands off when its view agrees; remind it ([R12]). A writer that
      // said goodbye is handing off already, and one we cannot reach is not ours to depose.
      if (this.connected.has(writer) && !this.leaving.has(writer) && now - slot.lastHandoffRequestAt >= this.options.handoffRetryMs) {
        slot.lastHandoffRequestAt = now;
        this.links.send(writer, { type: 'shard-request', shard: slot.id, term: latest.term, writer: latest.tag, what: REQUEST_HANDOFF });
      }
      return;
    }
    // The writer is gone (or is us, from an earlier life): fail over from our replica ([R13]).
    const presumedGone = writer === this.self || this.everSeen.has(writer) || now - slot.heardAt >= this.options.graceMs;
    if (!presumedGone) return;
    // A writer that said goodbye handed the shard to a successor we may not have heard from yet:
    // give its term time to arrive before failing over ([R12]).
    const left = this.leftGracefully.get(writer);
    if (left !== undefined && now - left < this.options.graceMs) return;
    // Ask every member what it holds, then take over from the highest replica: ours, or a copy
    // of theirs. The gone czar's first backup (in the czar's own view, which may differ from
    // ours) acknowledged every committed write, so the highest replica holds them all ([R23],
    // [R25]). One round trip, even when we are that backup: views can differ.
    if (!this.syncRound(slot, now, latest)) return;
    const best = this.bestHolder(slot, latest);
    const own = holdsLatest(slot) ? slot.seq : -1;
    if (own >= 0 && (best === undefined || best.seq <= own)) {
      this.claim(slot, 'replica');
      return;
    }
    if (best !== undefined) {
      // A member holds more than we do: take over from its copy, however long it takes to reach
      // it (it may hold committed writes); only its leaving the view releases us.
      if (this.connected.has(best.peer) && now - slot.lastCopyRequestAt >= this.options.repairRetryMs) {
        slot.lastCopyRequestAt = now;
        this.links.send(best.peer, { type: 'shard-request', shard: slot.id, term: latest.term, writer: latest.tag, what: REQUEST_COPY });
      }
      return;
    }
    // Nobody holds the term at all: rather than leave the shard unwritten, start from the highest
    // replica of an older term any member holds (its base, or what its last writers handed on,
    // with writes nobody reported lost: seed 3789), ours or a copy; from nothing only when nobody
    // holds anything. A digest lists one term per shard (the newest heard of, not what is held
    // below it), so every member is asked for a copy of whatever it holds (`shard-request` 3,
    // term 0) and answers come in for `graceMs`.
    const since = slot.syncStartedAt ?? now;
    if (now - since < 2 * this.options.graceMs) return;
    const key = epochKey(latest);
    // Asked afresh in each takeover round: copies from an earlier one may be stale.
    if (slot.fallbackFor !== key || slot.fallbackAskedAt < since) {
      slot.fallbackFor = key;
      slot.fallbackAskedAt = now;
      slot.fallbackBest = undefined;
      this.askAnyCopy(slot, latest);
      return;
    }
    if (now - slot.fallbackAskedAt < this.options.graceMs) {
      if (now - slot.lastCopyRequestAt >= this.options.repairRetryMs) this.askAnyCopy(slot, latest);
      return;
    }
    const copy = slot.fallbackBest;
    const mine = slot.epoch && !slot.reader.needsSnapshot ? { epoch: slot.epoch, seq: slot.seq } : undefined;
    if (copy && (!mine || compareEpochs(copy.epoch, mine.epoch) > 0 || (sameEpoch(copy.epoch, mine.epoch) && copy.seq > mine.seq))) {
      this.claim(slot, 'copy', copy.payload, { term: copy.epoch.term, czar: copy.epoch.czar, seq: copy.seq });
      return;
    }
    this.claim(slot, 'replica');
  }

  /** Asks every member and connected peer but the gone czar for a copy of whatever it holds ([R25]). */
  private askAnyCopy(slot: Slot, latest: Epoch): void {
    slot.lastCopyRequestAt = this.clock.now();
    for (const p of new Set([...this.view.peers, ...this.connected])) {
      if (p === this.self || p === latest.czar || !this.connected.has(p)) continue;
      this.links.send(p, { type: 'shard-request', shard: slot.id, term: 0, writer: 0, what: REQUEST_COPY });
    }
  }

  /**
   * [R25]: asks every member for its digest (again every `repairRetryMs` until it answers);
   * true once every one answered, or `takeoverSyncMs` passed.
   */
  private syncRound(slot: Slot, now: number, latest: Epoch): boolean {
    const term = epochKey(latest);
    // Every member of the view (connected or not yet: a connection may be re-dialling), every
    // peer we are connected to and every member of the last stable view (our view may have
    // dropped one that holds more: after a heal the views merge last), but the gone czar.
    // A final holding counts as an answer only if it is recent (sent as its peer dropped the
    // writer, about when we did): an older one may hide a term opened since.
    const since = (slot.syncStartedAt !== undefined && slot.syncFor === term ? slot.syncStartedAt : now) - this.options.repairRetryMs;
    const told = (p: PeerId): boolean => {
      const f = slot.finals.get(p);
      return f !== undefined && f.term === term && f.at >= since;
    };
    const waiting = [...new Set([...this.view.peers, ...this.connected, ...this.stableAbsentees()])].filter(
      (p) => p !== this.self && p !== latest.czar && !slot.syncAnswers.has(p) && !told(p),
    );
    if (slot.syncStartedAt === undefined || slot.syncFor !== term) {
      slot.syncStartedAt = now;
      slot.syncFor = term;
      slot.syncAskedAt = now;
      slot.syncAnswers.clear();
      for (const p of waiting) if (this.connected.has(p)) this.sendDigest(p, DIGEST_FLAG_REPLY, true);
      return waiting.length === 0;
    }
    if (waiting.length === 0) return true;
    if (waiting.every((p) => this.givenUp(slot, p, now))) return true;
    if (now - slot.syncAskedAt >= this.options.repairRetryMs) {
      slot.syncAskedAt = now;
      for (const p of waiting) if (this.connected.has(p)) this.sendDigest(p, DIGEST_FLAG_REPLY, true);
    }
    return false;
  }

  /**
   * Peers we knew that the majority rule still counts as members of the room (their identity is in
   * the last stable view) but that our view lacks, with no other instance of their player in it:
   * after a partition heals, the peers of the other side are back in the stable view long before
   * the membership lists them again, and one of them may hold the latest commits ([R25], [R26]).
   */
  private stableAbsentees(): PeerId[] {
    if (!this.quorum) return [];
    const stable = new Set(this.quorum.stableView());
    const present = new Set(this.view.peers.map((p) => this.identityOf(p) || p));
    const out: PeerId[] = [];
    for (const p of this.everSeen) {
      if (p === this.self || this.view.has(p)) continue;
      const who = this.identityOf(p) || p;
      if (stable.has(who) && !present.has(who)) out.push(p);
    }
    return out;
  }

  /**
   * Whether a takeover stops waiting for `peer`'s digest ([R25]). A member of the view may hold
   * committed writes (it may have been the gone czar's first backup), so it is waited for while
   * connected (a dead connection is dropped by the transport's keep-alive timeout) and for
   * `max(takeoverSyncMs, graceMs)` after its connection dropped or the round began, whichever is
   * later (it may be re-dialling: a half-open link after a
   * freeze looks connected on one side only). A connected peer the view no longer lists is asked
   * too (our view may have dropped one that holds more) but waited for `takeoverSyncMs` only; one
   * of the stable view we are not connected to, as a member re-dialling.
   */
  private givenUp(slot: Slot, peer: PeerId, now: number): boolean {
    const started = slot.syncStartedAt ?? now;
    const connected = this.connected.has(peer);
    if (!this.view.has(peer) && connected) return now - started >= this.options.takeoverSyncMs;
    if (connected) return false;
    const since = Math.max(started, this.disconnectedAt.get(peer) ?? Number.NEGATIVE_INFINITY);
    return now - since >= Math.max(this.options.takeoverSyncMs, this.options.graceMs);
  }

  /** The member (in the view, or connected) whose digest reported the highest seq of term `e`. */
  private bestHolder(slot: Slot, e: Epoch): { readonly peer: PeerId; readonly seq: number } | undefined {
    if (slot.holdersOf !== epochKey(e)) return undefined;
    let best: { peer: PeerId; seq: number } | undefined;
    for (const [p, seq] of slot.holders) {
      if (p !== this.self && p !== e.czar && (this.view.has(p) || this.connected.has(p)) && seq > (best?.seq ?? -1)) best = { peer: p, seq };
    }
    return best;
  }

  /**
   * [R11]: create an unclaimed shard only once everyone in view said what they hold, in a digest
   * read since the shard was declared (one read before listed it, but it went unrecorded).
   */
  private bootstrapped(slot: Slot, now: number): boolean {
    const elapsed = now - this.startedAt;
    if (elapsed < this.options.bootstrapMs) return false;
    const told = this.toldSince(slot);
    // A majority of the view must have said what it holds: members we cannot reach may hold the
    // shard, and creating it past them would fork the room ([R11], [R26]). Without the majority
    // rule a fork is accepted anyway (the higher term wins at the heal), and in a partial mesh
    // most of the view is never reached: the connected peers' answers suffice.
    if (this.quorum) {
      let answered = 1;
      for (const p of this.view.peers) if (p !== this.self && told(p)) answered++;
      if (2 * answered <= this.view.peers.length) return false;
    }
    const declared = this.declaredAt.get(slot.id)?.at ?? this.startedAt;
    if (elapsed >= this.options.bootstrapMs + this.options.graceMs && now - declared >= this.options.graceMs) return true;
    // Connected peers not in the view yet count too: a membership like SWIM lists a peer only
    // once its own announcement arrived, a little after the connection opened.
    for (const p of this.connected) if (!told(p)) return false;
    return true;
  }

  /** Whether a peer told us what it holds since `slot` was declared ([R11]). */
  private toldSince(slot: Slot): (p: PeerId) => boolean {
    const mark = this.declaredAt.get(slot.id)?.mark ?? 0;
    return (p) => this.digestFrom.has(p) && (this.digestMark.get(p) ?? -1) >= mark;
  }

  /**
   * A shard this peer would create, declared after its bootstrap (when the tick's digests stopped
   * being requests): ask the connected peers that said nothing since for their digest, at most
   * every `repairRetryMs` per peer (the many declarations of one moment share one request) ([R11]).
   */
  private askHoldings(slot: Slot, now: number): void {
    if (now - this.startedAt < this.options.bootstrapMs + this.options.graceMs) return;
    const told = this.toldSince(slot);
    for (const p of this.connected) {
      if (told(p) || now - (this.askedAt.get(p) ?? Number.NEGATIVE_INFINITY) < this.options.repairRetryMs) continue;
      this.askedAt.set(p, now);
      this.sendDigest(p, DIGEST_FLAG_REPLY);
    }
  }

  /** Starts a new term as czar ([A6], [R9]): number = highest seen + 1, state from `base`, opened by a snapshot. */
  private claim(slot: Slot, base: 'fresh' | 'replica' | 'handoff' | 'copy', snapshot?: Uint8Array, copied?: { readonly term: number; readonly czar: PeerId; readonly seq: number }): void {
    const now = this.clock.now();
    const from =
      base === 'copy'
        ? copied
        : base !== 'fresh' && slot.epoch && !(base === 'replica' && slot.reader.needsSnapshot)
          ? { term: slot.epoch.term as number, czar: slot.epoch.czar, seq: slot.seq }
          : undefined;
    let writer: ShardWriter<Schema>;
    try {
      if ((base === 'handoff' || base === 'copy') && snapshot) writer = ShardWriter.fromSnapshot(slot.source, snapshot);
      else if (base === 'replica' && !slot.reader.needsSnapshot) writer = slot.reader.toWriter();
      else writer = new ShardWriter(createState(slot.source));
    } catch (err) {
      this.events.emit('error', asAnarchy(err, `Could not take over shard ${slot.id}`));
      writer = new ShardWriter(createState(slot.source));
    }
    const number = Math.max(slot.highestTerm, slot.epoch?.term ?? 0, slot.heard?.term ?? 0, slot.reservedTerm) + 1;
    const epoch: Epoch = { term: toTerm(number), czar: this.self, tag: this.selfTag };
    this.dropPending(slot);
    slot.role = 'writer';
    slot.writer = writer;
    slot.epoch = epoch;
    slot.tag = this.selfTag;
    slot.seq = 0;
    slot.heard = undefined;
    slot.votes.clear();
    slot.votes.add(this.identityOf(this.self) || this.self);
    slot.votedNumber = number;
    slot.votedKey = epochKey(epoch);
    // Confirmed at once when this peer alone is a majority (or the majority rule is off); else
    // once the replicas' votes arrive ([R23]).
    slot.confirmed = this.hasVoteMajority(slot);
    if (slot.confirmed) this.trace({ type: 'confirm', shard: slot.id, term: number, czar: this.self, votes: slot.votes.size, at: now });
    slot.highestTerm = number;
    slot.handoffTo = undefined;
    slot.finalSnapshot = undefined;
    slot.reservedTerm = 0;
    slot.holdUntil = now + this.options.handoffHoldMs;
    slot.history.reset();
    slot.snapshotWanted.clear();
    slot.syncStartedAt = undefined;
    slot.fallbackFor = '';
    slot.fallbackBest = undefined;
    slot.degradedInTerm = false;
    slot.base = from;
    // Created with nobody to ask: the room may exist out of reach. Uncommitted and unannounced
    // until a peer's digest says it has nothing better ([R11]).
    slot.provisional = base === 'fresh' && this.connected.size === 0;
    slot.commit.reset();
    if (slot.pos) {
      slot.pos.encoder = new PositionStreamEncoder(slot.pos.options);
      slot.pos.seq = 0;
      slot.pos.decoder.reset();
    }
    slot.metrics.claims++;
    const bytes = writer.encodeSnapshot();
    for (const p of this.connected) this.sendSnapshot(slot, p, bytes, 0, true);
    this.trace({ type: 'claim', shard: slot.id, term: number, czar: this.self, tag: this.selfTag, from: base, base: from, at: now });
    // Our own actions applied by earlier czars: the ones past this term's base are lost ([R24]).
    this.actions.onTermBase({ shard: slot.id, term: from?.term ?? 0, czar: from?.czar ?? '', seq: from?.seq ?? 0, by: { term: number, czar: this.self } });
    this.recomputeCommit(slot);
    this.reportCzar(slot, this.view.czarOf(slot.id));
    this.emitChange(slot, 'snapshot', []);
    this.actions.check(slot.id);
  }

  /** Stops writing and gives the final state to `to`, which starts the next term from it ([R12]). */
  private handoff(slot: Slot, to: PeerId): void {
    const writer = slot.writer;
    const epoch = slot.epoch;
    if (!writer || !epoch) return;
    this.flushDelta(slot);
    const final = writer.encodeSnapshot();
    slot.role = 'retired';
    slot.writer = undefined;
    slot.finalSnapshot = final;
    slot.handoffConfirmed = false;
    slot.reservedTerm = epoch.term + 1;
    slot.snapshotWanted.clear();
    try {
      slot.reader.applySnapshot(final);
    } catch (err) {
      this.events.emit('error', asAnarchy(err, `Shard ${slot.id}: could not keep a replica of the handed-off state`));
    }
    slot.metrics.handoffs++;
    this.offerHandoff(slot, to);
    this.emitChange(slot, 'snapshot', []);
  }

  private offerHandoff(slot: Slot, to: PeerId): void {
    const epoch = slot.epoch;
    if (!epoch || !slot.finalSnapshot) return;
    slot.handoffTo = to;
    slot.handoffAt = this.clock.now();
    slot.successorGoneAt = undefined;
    const offer: MessageOf<'shard-snapshot'> = { type: 'shard-snapshot', shard: slot.id, term: epoch.term, czar: this.self, writer: epoch.tag, seq: slot.seq, flags: SNAPSHOT_FLAG_HANDOFF, payload: slot.finalSnapshot };
    this.links.send(to, offer);
    // Small handoffs travel twice (reliable and unreliable): a lost packet costs no timeout ([R12]).
    if (slot.finalSnapshot.length <= URGENT_SNAPSHOT_BYTES) this.links.send(to, offer, { channel: 'state', priority: 'control' });
    slot.metrics.snapshotsSent++;
    slot.metrics.bytesOut += slot.finalSnapshot.length;
    this.trace({ type: 'handoff', shard: slot.id, term: epoch.term, to, seq: slot.seq, at: slot.handoffAt });
  }

  /**
   * A term this peer created alone meets a term the room already had ([R11]): nobody else holds
   * ours (it was never announced), so it is dropped and the room's adopted; writes in it are
   * reported as rolled back.
   */
  private abandonProvisional(slot: Slot, e: Epoch): void {
    const epoch = slot.epoch;
    const writer = slot.writer;
    if (!epoch || !writer) return;
    const unsent = writer.hasChanges();
    if (unsent || slot.seq > 0) {
      slot.metrics.rollbacks++;
      this.events.emit('rollback', { shard: slot.id, term: epoch.term, czar: epoch.czar, lastSeq: slot.seq, committedSeq: -1, fromSeq: 1, toSeq: slot.seq, unsent, by: { term: e.term, czar: e.czar } });
    }
    for (const a of slot.commit.takeActions(1)) {
      this.links.send(a.from, { type: 'action-result', shard: slot.id, actionId: a.actionId, status: ACTION_ROLLED_BACK, term: epoch.term, seq: a.seq, payload: new Uint8Array(0) });
    }
    slot.commit.failAll('rolled-back');
    this.trace({ type: 'abandon', shard: slot.id, term: epoch.term, czar: epoch.czar, at: this.clock.now() });
    slot.role = 'replica';
    slot.writer = undefined;
    slot.epoch = undefined;
    slot.tag = 0;
    slot.seq = 0;
    slot.provisional = false;
    slot.history.reset();
    slot.snapshotWanted.clear();
    this.dropPending(slot);
  }

  /**
   * A czar that handed its shard off sees a newer term. From the successor it handed to, that is
   * the handoff completing: everything it wrote is in that term. From anyone else, the handoff may
   * not have been used (the successor was cut off and the shard failed over from an older
   * replica): what was not committed is reported as possibly lost ([R24]).
   */
  private retire(slot: Slot, e: Epoch): void {
    const epoch = slot.epoch;
    slot.role = 'replica';
    slot.finalSnapshot = undefined;
    if ((e.czar === slot.handoffTo && slot.handoffConfirmed) || !epoch) {
      slot.commit.settleAll();
      return;
    }
    const committed = slot.commit.committed;
    const fromSeq = slot.degradedInTerm ? 1 : Math.max(1, committed + 1);
    if (slot.seq >= fromSeq) {
      slot.metrics.rollbacks++;
      this.events.emit('rollback', { shard: slot.id, term: epoch.term, czar: epoch.czar, lastSeq: slot.seq, committedSeq: committed, fromSeq, toSeq: slot.seq, unsent: false, by: { term: e.term, czar: e.czar } });
    }
    for (const a of slot.commit.takeActions(fromSeq)) {
      this.links.send(a.from, { type: 'action-result', shard: slot.id, actionId: a.actionId, status: ACTION_ROLLED_BACK, term: epoch.term, seq: a.seq, payload: new Uint8Array(0) });
    }
    slot.commit.failAll('rolled-back');
  }

  /** A newer term exists: this peer's writes stop; unsent changes are rolled back ([R13]). */
  private stepDown(slot: Slot, by: Epoch): void {
    const writer = slot.writer;
    const epoch = slot.epoch;
    if (!epoch) return;
    if (writer) {
      const unsent = writer.hasChanges();
      writer.encodeDelta();
      try {
        slot.reader.applySnapshot(writer.encodeSnapshot());
      } catch (err) {
        this.events.emit('error', asAnarchy(err, `Shard ${slot.id}: could not keep the deposed state`));
      }
      // Another peer took over without our handoff, from its replica of an older state, or two
      // terms ran side by side: what this term wrote after its commit point may not be in the
      // winner's state ([R13], [R24]). A czar that was cut off from the majority meanwhile may
      // have counted acks from a backup cut off with it: then the whole term is at risk.
      const committed = slot.commit.committed;
      const fromSeq = slot.degradedInTerm ? 1 : Math.max(1, committed + 1);
      if (unsent || slot.seq >= fromSeq) {
        slot.metrics.rollbacks++;
        this.events.emit('rollback', {
          shard: slot.id,
          term: epoch.term,
          czar: epoch.czar,
          lastSeq: slot.seq,
          committedSeq: committed,
          fromSeq,
          toSeq: slot.seq,
          unsent,
          by: { term: by.term, czar: by.czar },
        });
      }
      // Tell the peers whose actions rode in the lost range, and fail what waits for a commit.
      for (const a of slot.commit.takeActions(fromSeq)) {
        this.links.send(a.from, { type: 'action-result', shard: slot.id, actionId: a.actionId, status: ACTION_ROLLED_BACK, term: epoch.term, seq: a.seq, payload: new Uint8Array(0) });
      }
      slot.commit.failAll('rolled-back');
    }
    slot.role = 'replica';
    slot.writer = undefined;
    slot.finalSnapshot = undefined;
    slot.snapshotWanted.clear();
    this.trace({ type: 'step-down', shard: slot.id, term: epoch.term, by: { term: by.term, czar: by.czar }, at: this.clock.now() });
  }

  // ------------------------------------------------------------------ czar side

  private scheduleTick(): void {
    this.tickTimer = this.clock.setTimeout(() => this.tick(), this.options.tickMs);
  }

  private scheduleEntropy(): void {
    this.entropyTimer = this.clock.setTimeout(() => this.antiEntropy(), this.options.antiEntropyMs);
  }

  private tick(): void {
    if (this.stopped) return;
    // A transport can end without a `closed` event (a crashed peer in the simulator): stop too.
    if (this.transport.closed) return this.stop();
    const now = this.clock.now();
    this.checkStall(now);
    this.lastTickAt = now;
    this.updateQuorum();
    if (this.adoptedSinceTold.size > 0) this.tellNewcomers();
    for (const slot of this.slots.values()) {
      if (slot.role === 'writer') {
        this.checkConfirmed(slot);
        this.flushDelta(slot);
        this.flushPositions(slot);
        this.serveSnapshots(slot);
      } else {
        this.maintain(slot, now);
        this.maybeAck(slot, now);
      }
      this.reconcile(slot);
    }
    if (now - this.lastPingAt >= this.options.pingMs) {
      this.lastPingAt = now;
      this.links.ping(now);
    }
    this.links.flush();
    this.scheduleTick();
  }

  /** Encodes pending changes as the next delta and sends it along the relay plan. */
  private flushDelta(slot: Slot): void {
    const writer = slot.writer;
    const epoch = slot.epoch;
    if (!writer || !epoch) return;
    const payload = writer.encodeDelta();
    if (!payload) return;
    const seq = ++slot.seq;
    slot.history.push(seq, payload);
    const message: MessageOf<'shard-delta'> = { type: 'shard-delta', shard: slot.id, term: epoch.term, writer: slot.tag, seq, payload };
    // A term created alone is not announced, not even by its deltas ([R11]).
    const targets = slot.provisional ? [] : this.plan(epoch.czar, relayKey(slot.id, epoch.term, seq, SALT_DELTA), this.options.redundancy, slot.id);
    for (const p of targets) {
      if (this.links.send(p, message)) slot.metrics.bytesOut += payload.length;
    }
    this.seen.add(deltaKey(slot.id, epoch.term, slot.tag, seq));
    slot.metrics.deltasSent++;
    this.recomputeCommit(slot);
    if (this.events.listenerCount('trace') > 0) {
      this.trace({ type: 'sent', shard: slot.id, term: epoch.term, seq, bytes: payload.length, digest: fnv32(payload), at: this.clock.now() });
    }
  }

  private flushPositions(slot: Slot): void {
    const pos = slot.pos;
    const epoch = slot.epoch;
    if (!pos || !pos.dirty || !pos.samples || !epoch) return;
    pos.encoder ??= new PositionStreamEncoder(pos.options);
    pos.dirty = false;
    const frame = pos.encoder.encode(pos.samples);
    const seq = ++pos.seq;
    const message: MessageOf<'shard-positions'> = { type: 'shard-positions', shard: slot.id, term: epoch.term, writer: slot.tag, seq, payload: frame.bytes };
    const keyframe = frame.kind === 'keyframe';
    // Keyframes must arrive (deltas refer to them); deltas may be lost, so one copy each.
    const targets = slot.provisional ? [] : this.plan(epoch.czar, relayKey(slot.id, epoch.term, seq, SALT_POSITIONS), 1, slot.id);
    for (const p of targets) {
      if (this.links.send(p, message, keyframe ? { channel: 'control', priority: 'state' } : undefined)) slot.metrics.bytesOut += frame.bytes.length;
    }
    this.seen.add(positionsKey(slot.id, epoch.term, slot.tag, seq));
    slot.metrics.positionsSent++;
  }

  /** Snapshots asked for since the last tick, all from one encoding on a delta boundary ([R3]). */
  private serveSnapshots(slot: Slot): void {
    if (slot.snapshotWanted.size === 0 || !slot.writer) return;
    const bytes = slot.writer.encodeSnapshot();
    for (const p of slot.snapshotWanted) this.sendSnapshot(slot, p, bytes, 0);
    slot.snapshotWanted.clear();
  }

  private sendSnapshot(slot: Slot, to: PeerId, bytes: Uint8Array, flags: number, urgent = false): void {
    const epoch = slot.epoch;
    if (!epoch) return;
    if (this.interest && !this.interest.wants(to, slot.id, this.view, this.options.backups)) return; // [I4]
    const message: MessageOf<'shard-snapshot'> = { type: 'shard-snapshot', shard: slot.id, term: epoch.term, czar: epoch.czar, writer: epoch.tag, seq: slot.seq, flags: slot.confirmed ? flags | SNAPSHOT_FLAG_CONFIRMED : flags, payload: bytes };
    // Ahead of the term's snapshot, on the same ordered channel: where the term starts from, so a
    // peer whose action an older czar applied past that point learns it was lost ([R24]).
    if (slot.role === 'writer') {
      const base = slot.base;
      const note = encodeJson({ czar: base?.czar ?? '', by: epoch.term });
      this.links.send(to, { type: 'action-result', shard: slot.id, actionId: 0, status: ACTION_TERM_BASE, term: base?.term ?? 0, seq: base?.seq ?? 0, payload: note });
    }
    // A new term's opening snapshot, when small, also rides the unreliable channel: one lost
    // packet then costs no retransmission timeout ([R10], [R25]); replicas drop the duplicate.
    if (urgent && bytes.length <= URGENT_SNAPSHOT_BYTES) this.links.send(to, message, { channel: 'state', priority: 'control' });
    if (this.links.send(to, message)) {
      slot.metrics.snapshotsSent++;
      slot.metrics.bytesOut += bytes.length;
      slot.snapshotPushedAt.set(to, this.clock.now());
    }
  }

  /** Targets for a message of the term written by `czar`, connected ones only. */
  private plan(czar: PeerId, key: number, redundancy: number, shard?: ShardId): PeerId[] {
    const members = shard !== undefined && this.interest ? this.interest.members(shard, this.view, this.options.backups) : this.view.peers; // [I3]
    const fanout = members.length <= this.options.gossipThreshold ? members.length : this.options.fanout;
    return relayTargets(members, czar, this.self, key, { fanout, redundancy }).filter((p) => this.connected.has(p));
  }

  // ------------------------------------------------------------------ receiving

  private handle(from: PeerId, channel: Channel, m: Message): void {
    if (this.stopped) return;
    switch (m.type) {
      case 'shard-delta':
        return this.onDelta(from, channel, m);
      case 'shard-snapshot':
        return this.onSnapshot(from, m);
      case 'shard-digest':
        return this.onDigest(from, m);
      case 'shard-repair':
        return this.onRepair(from, m);
      case 'shard-request':
        return this.onRequest(from, m);
      case 'shard-positions':
        return this.onPositions(from, channel, m);
      case 'action':
        return this.onAction(from, m);
      case 'action-result':
        return this.actions.onResult(from, m);
      case 'ping':
        this.links.send(from, { type: 'pong', seq: m.seq, echo: m.sentAt, sentAt: this.clock.now() });
        return;
      case 'pong':
        this.links.pong(from, m.seq, this.clock.now());
        return;
      case 'ack':
        return this.onAck(from, m);
      case 'goodbye':
        if (!this.leaving.has(from)) {
          this.leaving.add(from);
          // A peer that leaves on purpose is not a failure: the majority is counted without it ([R26]).
          this.quorum?.forget(this.identityOf(from) || from, this.clock.now());
          this.updateQuorum();
          this.view = this.buildView();
          for (const slot of this.slots.values()) {
            this.recomputeCommit(slot);
            this.reconcile(slot);
          }
        }
        return;
      default:
        // Other layers' messages (membership) share the links ([R29]).
        this.onForeign?.(from, m);
        return;
    }
  }

  /** The slot of a shard named on the wire, or undefined (counted, [R21]). */
  private wireSlot(shard: string | number): Slot | undefined {
    const slot = typeof shard === 'string' ? this.slots.get(shard as ShardId) : undefined;
    if (!slot) this.unknownShardMessages++;
    return slot;
  }

  /** A term named on the wire; its instance tag is remembered, so later deltas name their czar ([R8]). */
  private epochOf(term: number, czar: string, tag: number): Epoch {
    if (!this.knownTags.has(tag)) this.knownTags.set(tag, czar as PeerId);
    return { term: toTerm(term), czar: czar as PeerId, tag };
  }

  /** The czar a tag names: the held or heard term's czar, else the member whose instance has that tag. */
  private resolveTag(slot: Slot, term: number, tag: number): PeerId | undefined {
    if (slot.epoch && slot.epoch.term === term && slot.tag === tag) return slot.epoch.czar;
    if (slot.heard && slot.heard.term === term && slot.heard.tag === tag) return slot.heard.czar;
    const p = this.knownTags.get(tag);
    return p !== undefined && this.view.has(p) ? p : undefined;
  }

  private onDelta(from: PeerId, channel: Channel, m: MessageOf<'shard-delta'>): void {
    const slot = this.wireSlot(m.shard);
    if (!slot) return;
    slot.metrics.bytesIn += m.payload.length;
    if (!this.seen.add(deltaKey(slot.id, m.term, m.writer, m.seq))) {
      slot.metrics.duplicates++;
      return;
    }
    slot.highestTerm = Math.max(slot.highestTerm, m.term);
    const czar = this.resolveTag(slot, m.term, m.writer);
    const current = slot.epoch !== undefined && slot.epoch.term === m.term && slot.tag === m.writer;
    if (!current && slot.epoch && (m.term < slot.epoch.term || (czar !== undefined && compareClaims({ term: toTerm(m.term), czar, tag: m.writer }, false, slot.epoch, slot.confirmed) < 0))) {
      slot.metrics.stale++;
      return;
    }
    // Relay first: forwarding must not wait for our own gaps ([R15]). Repairs (control) are not relayed.
    if (channel === 'state' && czar !== undefined) {
      for (const p of this.plan(czar, relayKey(slot.id, m.term, m.seq, SALT_DELTA), this.options.redundancy, slot.id)) {
        if (p === from || p === czar) continue;
        if (this.links.send(p, m)) slot.metrics.deltasRelayed++;
      }
    }
    if (slot.role === 'writer') {
      // A delta of a term above ours: stop writing ([R13]) and wait for its snapshot.
      if (!current && czar !== undefined && slot.epoch && compareClaims({ term: toTerm(m.term), czar, tag: m.writer }, false, slot.epoch, slot.confirmed) > 0) this.hear(slot, { term: toTerm(m.term), czar, tag: m.writer });
      if (slot.role === 'writer') return;
    }
    if (!current) {
      this.bufferFuture(slot, m.term, m.writer, m.seq, m.payload);
      if (czar !== undefined) this.hear(slot, { term: toTerm(m.term), czar, tag: m.writer });
      return;
    }
    this.acceptDelta(slot, m.seq, m.payload);
  }

  /** A delta of the held term: apply in order, buffer ahead of a gap ([R10], [R14]). */
  private acceptDelta(slot: Slot, seq: number, payload: Uint8Array): void {
    if (seq <= slot.seq) {
      slot.metrics.duplicates++;
      return;
    }
    if (seq > slot.seq + 1 || slot.reader.needsSnapshot) {
      if (slot.pending.size >= MAX_PENDING) slot.pending.delete(Math.max(...slot.pending.keys()));
      slot.pending.set(seq, payload);
      this.scheduleRepair(slot, this.options.repairDelayMs);
      return;
    }
    this.applyDelta(slot, seq, payload);
    this.drainPending(slot);
  }

  private drainPending(slot: Slot): void {
    for (let next = slot.pending.get(slot.seq + 1); next !== undefined && !slot.reader.needsSnapshot; next = slot.pending.get(slot.seq + 1)) {
      slot.pending.delete(slot.seq + 1);
      this.applyDelta(slot, slot.seq + 1, next);
    }
    for (const s of slot.pending.keys()) if (s <= slot.seq) slot.pending.delete(s);
    if (slot.pending.size === 0) slot.repairDueAt = undefined;
    this.actions.check(slot.id);
  }

  private applyDelta(slot: Slot, seq: number, payload: Uint8Array): void {
    const epoch = slot.epoch;
    if (!epoch) return;
    slot.lastChange = undefined;
    try {
      slot.reader.applyDelta(payload);
    } catch (err) {
      // [R4]: the replica is now out of sync; only a snapshot heals it.
      this.events.emit('error', asAnarchy(err, `Shard ${slot.id}: delta ${seq} of term ${formatEpoch(epoch)} did not apply`));
      this.requestSnapshot(slot, epoch, true);
      return;
    }
    slot.seq = seq;
    slot.metrics.deltasApplied++;
    this.maybeAck(slot, this.clock.now());
    if (this.events.listenerCount('trace') > 0) {
      this.trace({ type: 'accept', shard: slot.id, term: epoch.term, czar: epoch.czar, tag: epoch.tag, confirmed: slot.confirmed, seq, kind: 'delta', digest: fnv32(payload), at: this.clock.now() });
    }
    this.emitChange(slot, 'delta', changesOf(slot));
  }

  private bufferFuture(slot: Slot, term: number, tag: number, seq: number, payload: Uint8Array): void {
    const key = `${term}:${tag}`;
    let deltas = slot.future.get(key);
    if (!deltas) {
      if (slot.future.size >= 4) {
        const oldest = slot.future.keys().next().value;
        if (oldest !== undefined) slot.future.delete(oldest);
      }
      slot.future.set(key, (deltas = new Map()));
    }
    if (deltas.size < MAX_FUTURE) deltas.set(seq, payload);
  }

  /** Notes a term above what we hold; its snapshot is expected shortly, else asked for. */
  private hear(slot: Slot, e: Epoch, confirmed = false): void {
    slot.highestTerm = Math.max(slot.highestTerm, e.term);
    const latest = latestEpoch(slot);
    const latestConfirmed = latest !== undefined && (latest === slot.heard ? slot.heardConfirmed : slot.confirmed);
    if (latest && compareClaims(e, confirmed, latest, latestConfirmed) <= 0) return;
    slot.heard = e;
    slot.heardConfirmed = confirmed;
    slot.heardAt = this.clock.now();
    if (slot.role === 'writer' && slot.epoch && compareClaims(e, confirmed, slot.epoch, slot.confirmed) > 0) this.stepDown(slot, e);
    if (slot.role === 'retired' && slot.epoch && compareClaims(e, confirmed, slot.epoch, slot.confirmed) > 0) this.retire(slot, e);
    // The opening snapshot is normally in flight: ask only if it is late.
    slot.lastSnapshotRequestAt = Math.max(slot.lastSnapshotRequestAt, this.clock.now());
  }

  private onSnapshot(from: PeerId, m: MessageOf<'shard-snapshot'>): void {
    const slot = this.wireSlot(m.shard);
    if (!slot) {
      // Offered a shard we never declared (views differ on who succeeds its czar): decline, or
      // the old czar would offer it to us forever and nobody would write it ([R12]).
      if ((m.flags & SNAPSHOT_FLAG_HANDOFF) !== 0 && m.czar === from) {
        this.links.send(from, { type: 'shard-request', shard: m.shard, term: m.term, writer: m.writer, what: REQUEST_DECLINE });
      }
      return;
    }
    slot.metrics.bytesIn += m.payload.length;
    if ((m.flags & SNAPSHOT_FLAG_COPY) !== 0) return this.onCopy(slot, m);
    // Snapshots come from their term's czar only ([R8]); nobody forwards them.
    if (m.czar !== from) {
      slot.metrics.stale++;
      return;
    }
    const e = this.epochOf(m.term, m.czar, m.writer);
    slot.highestTerm = Math.max(slot.highestTerm, m.term);
    if ((m.flags & SNAPSHOT_FLAG_HANDOFF) !== 0) return this.onHandoff(slot, e, m.seq, m.payload);
    const confirmed = (m.flags & SNAPSHOT_FLAG_CONFIRMED) !== 0;
    if (confirmed && slot.role === 'replica' && sameEpoch(e, slot.epoch)) this.markConfirmed(slot);
    const cmp = slot.epoch ? compareClaims(e, confirmed, slot.epoch, slot.confirmed) : 1;
    if (cmp < 0 || (cmp === 0 && (slot.role !== 'replica' || (m.seq <= slot.seq && !slot.reader.needsSnapshot)))) {
      slot.metrics.stale++;
      return;
    }
    if (cmp > 0 && slot.role === 'writer') this.stepDown(slot, e);
    if (cmp > 0 && slot.role === 'retired') this.retire(slot, e);
    this.adoptSnapshot(slot, e, m.seq, m.payload, confirmed);
  }

  /** Applies a snapshot of term `e` at `seq`; a newer term replaces the held one ([R7], [R10]). */
  private adoptSnapshot(slot: Slot, e: Epoch, seq: number, payload: Uint8Array, confirmed: boolean): void {
    const before = slot.epoch;
    slot.lastChange = undefined;
    try {
      slot.reader.applySnapshot(payload);
    } catch (err) {
      this.events.emit('error', asAnarchy(err, `Shard ${slot.id}: a snapshot of term ${formatEpoch(e)} did not apply`));
      return;
    }
    const newTerm = !sameEpoch(before, e);
    if (newTerm) slot.heardAt = this.clock.now();
    slot.epoch = e;
    slot.tag = e.tag;
    slot.confirmed = newTerm ? confirmed : slot.confirmed || confirmed;
    slot.seq = seq;
    slot.role = 'replica';
    slot.writer = undefined;
    slot.finalSnapshot = undefined;
    if (slot.heard && compareClaims(slot.heard, slot.heardConfirmed, e, slot.confirmed) <= 0) slot.heard = undefined;
    if (newTerm) {
      slot.pending.clear();
      const future = slot.future.get(`${e.term}:${slot.tag}`);
      slot.future.delete(`${e.term}:${slot.tag}`);
      for (const key of [...slot.future.keys()]) {
        const [t] = key.split(':');
        if (Number(t) < e.term) slot.future.delete(key);
      }
      if (future) for (const [s, p] of future) slot.pending.set(s, p);
      slot.pos?.decoder.reset();
      if (slot.pos) slot.pos.lastKeyframeRequestAt = Number.NEGATIVE_INFINITY;
    }
    slot.metrics.snapshotsApplied++;
    this.maybeAck(slot, this.clock.now());
    if (newTerm) this.adoptedSinceTold.add(slot.id);
    this.trace({ type: 'accept', shard: slot.id, term: e.term, czar: e.czar, tag: e.tag, confirmed: slot.confirmed, seq, kind: 'snapshot', digest: fnv32(payload), at: this.clock.now() });
    this.emitChange(slot, 'snapshot', changesOf(slot));
    this.drainPending(slot);
    if (slot.pending.size > 0) this.scheduleRepair(slot, this.options.repairDelayMs);
    this.reconcile(slot);
  }

  /** A replica's copy of a term whose czar is gone: take over from it if we still need it ([R13]). */
  private onCopy(slot: Slot, m: MessageOf<'shard-snapshot'>): void {
    const e = this.epochOf(m.term, m.czar, m.writer);
    const latest = latestEpoch(slot);
    // An answer to a takeover of a term nobody holds: keep the highest, claimed from later ([R25]).
    if (latest !== undefined && slot.fallbackFor === epochKey(latest) && slot.role === 'replica' && compareEpochs(e, latest) < 0) {
      const best = slot.fallbackBest;
      const c = best ? compareEpochs(e, best.epoch) : 1;
      if (c > 0 || (c === 0 && best !== undefined && m.seq > best.seq)) slot.fallbackBest = { epoch: e, seq: m.seq, payload: m.payload };
      return;
    }
    const wanted =
      slot.role === 'replica' &&
      this.view.czarOf(slot.id) === this.self &&
      latest !== undefined &&
      compareEpochs(e, latest) >= 0 &&
      // A copy helps when we do not hold that term, or hold less of it ([R25]).
      (!holdsLatest(slot) || (sameEpoch(e, slot.epoch) && m.seq > slot.seq)) &&
      !(this.view.has(e.czar) && e.czar !== this.self && slot.orphaned !== epochKey(e)) &&
      this.mayOpenTerms();
    if (!wanted) {
      slot.metrics.stale++;
      return;
    }
    slot.highestTerm = Math.max(slot.highestTerm, e.term);
    this.claim(slot, 'copy', m.payload, { term: e.term, czar: e.czar, seq: m.seq });
  }

  /** A writer gave us the shard: start the next term from its final state ([R12]). */
  private onHandoff(slot: Slot, e: Epoch, seq: number, payload: Uint8Array): void {
    // The minority side of a partition opens no term, handed or not ([R26]); the sender retries.
    if (!this.mayOpenTerms()) {
      slot.metrics.stale++;
      return;
    }
    const latest = latestEpoch(slot);
    if (latest && compareEpochs(e, latest) < 0) {
      slot.metrics.stale++;
      return;
    }
    if (slot.role === 'writer') {
      if (!slot.epoch || compareEpochs(e, slot.epoch) <= 0) return;
      this.stepDown(slot, e);
    }
    // Record the handed-off term as held first, so the claim numbers past it.
    try {
      slot.reader.applySnapshot(payload);
      if (!sameEpoch(slot.epoch, e)) slot.confirmed = false;
      slot.epoch = e;
      slot.tag = e.tag;
      slot.seq = seq;
      this.trace({ type: 'accept', shard: slot.id, term: e.term, czar: e.czar, tag: e.tag, confirmed: slot.confirmed, seq, kind: 'snapshot', digest: fnv32(payload), at: this.clock.now() });
    } catch (err) {
      this.events.emit('error', asAnarchy(err, `Shard ${slot.id}: a handoff snapshot did not apply`));
      return;
    }
    // Tell the old czar its handoff was used, before our term's snapshot reaches it (both on the
    // ordered channel): it then knows its writes live on in our term ([R24]).
    this.links.send(e.czar, { type: 'ack', shard: slot.id, term: e.term, writer: e.tag, seq, flags: 0 }, { channel: 'control', priority: 'control' });
    this.claim(slot, 'handoff', payload);
  }

  private onDigest(from: PeerId, m: MessageOf<'shard-digest'>): void {
    // A full digest lists what the peer holds of every shard declared so far ([R11]).
    if ((m.flags & DIGEST_FLAG_PARTIAL) === 0) this.digestMark.set(from, this.declarations);
    if ((m.flags & DIGEST_FLAG_ANSWER) !== 0) {
      this.digestFrom.add(from);
      for (const slot of this.slots.values()) if (slot.syncStartedAt !== undefined) slot.syncAnswers.add(from);
    }
    const listed = new Set<string>();
    // Entries by shard: the loops below visit every slot, and a lookup per slot must not scan the digest.
    type Entry = MessageOf<'shard-digest'>['entries'][number];
    const byShard = new Map<Entry['shard'], Entry>();
    for (const x of m.entries) if (!byShard.has(x.shard)) byShard.set(x.shard, x);
    let behind = false;
    const partial = (m.flags & DIGEST_FLAG_PARTIAL) !== 0;
    // The czar of the newest term we know says it does not hold that term: it is a new instance
    // under the same id (it crashed and came back), so the term's writer is gone ([R25]).
    for (const slot of this.slots.values()) {
      const latest = latestEpoch(slot);
      // (A digest sent before that czar opened the term may arrive after its first delta: only
      // an answer well after we heard of the term counts.)
      if (!latest || latest.czar !== from || latest.czar === this.self || this.clock.now() - slot.heardAt < this.options.repairRetryMs) continue;
      const own = byShard.get(slot.id);
      if (partial && !own) continue;
      // A digest listing an older term held was composed before that czar opened the newest one:
      // it waited on the ordered channel behind a retransmission while the term's snapshot came
      // by the unreliable one. Not a sign of a new instance.
      const stale = own !== undefined && (own.held & DIGEST_HELD) !== 0 && compareEpochs(this.epochOf(own.term, own.czar, own.writer), latest) < 0;
      if (stale) continue;
      if (!own || (own.held & DIGEST_HELD) === 0 || own.term !== latest.term || own.czar !== latest.czar || own.writer !== latest.tag) slot.orphaned = epochKey(latest);
    }
    for (const entry of m.entries) {
      const slot = this.wireSlot(entry.shard);
      if (!slot) continue;
      listed.add(slot.id);
      const e = this.epochOf(entry.term, entry.czar, entry.writer);
      slot.highestTerm = Math.max(slot.highestTerm, entry.term);
      // Nobody else can hold a term we never announced: whatever the peer lists is the room's
      // (even our own id's term, from an earlier life of this id).
      if (slot.provisional && slot.role === 'writer') this.abandonProvisional(slot, e);
      const confirmed = (entry.held & DIGEST_HELD_CONFIRMED) !== 0;
      if (confirmed && slot.role === 'replica' && sameEpoch(e, slot.epoch)) this.markConfirmed(slot);
      const cmp = slot.epoch ? compareClaims(e, confirmed, slot.epoch, slot.confirmed) : 1;
      if ((entry.held & DIGEST_HELD) !== 0) this.noteHolder(slot, from, e, entry.seq);
      // A holding it calls final counts as its answer to a takeover of that term; a later
      // digest that does not (its view took the czar back) withdraws it ([R25]).
      if ((entry.held & DIGEST_HELD_FINAL) !== 0) slot.finals.set(from, { term: epochKey(e), at: this.clock.now() });
      else slot.finals.delete(from);
      if (cmp > 0) {
        // A newer term than ours: a writer stops ([R13]); everyone asks its czar for the state.
        this.hear(slot, e, confirmed);
        this.requestSnapshot(slot, e, false);
        continue;
      }
      if (slot.role === 'writer') {
        if (cmp < 0 || (entry.held & DIGEST_HELD) === 0) this.pushSnapshot(slot, from);
        else if (entry.seq < slot.seq) this.serveRange(slot, from, entry.seq + 1, slot.seq);
        continue;
      }
      if ((entry.held & DIGEST_HELD) === 0) {
        if (cmp < 0 || slot.epoch) behind = true;
      } else if (cmp === 0 && entry.seq > slot.seq) {
        this.requestRange(slot, slot.seq + 1, entry.seq);
      } else if (cmp < 0 || entry.seq < slot.seq) {
        behind = true;
      }
    }
    // A partial digest says nothing of the shards it does not list.
    const covered = partial ? [...listed].flatMap((id) => this.slots.get(id as ShardId) ?? []) : [...this.slots.values()];
    for (const slot of covered) {
      // A holder whose digest no longer lists the term (a new instance under its id, or it moved
      // on) is no source of a copy: asking it would wait forever ([R25]).
      const entry = byShard.get(slot.id);
      if (!entry || (entry.held & DIGEST_HELD) === 0 || epochKey(this.epochOf(entry.term, entry.czar, entry.writer)) !== slot.holdersOf) slot.holders.delete(from);
      if (!entry) slot.finals.delete(from);
      if (listed.has(slot.id)) continue;
      // The peer holds nothing of a shard we created alone: our term is the room's now ([R11]).
      if (slot.provisional) {
        slot.provisional = false;
        this.recomputeCommit(slot);
      }
      // A writer makes sure the peer gets every shard it writes; others answer with what they know.
      if (slot.role === 'writer') this.pushSnapshot(slot, from);
      else if (latestEpoch(slot)) behind = true;
    }
    if ((m.flags & DIGEST_FLAG_REPLY) !== 0) {
      // It is bootstrapping: answer, and keep it posted on the terms we adopt for a while.
      this.newcomers.set(from, this.clock.now());
      this.sendDigest(from, DIGEST_FLAG_ANSWER, true);
    } else if (behind) {
      const last = this.digestSentAt.get(from) ?? Number.NEGATIVE_INFINITY;
      if (this.clock.now() - last >= this.options.antiEntropyMs / 2) this.sendDigest(from);
    }
    for (const slot of covered) this.reconcile(slot);
  }

  private noteHolder(slot: Slot, peer: PeerId, e: Epoch, seq: number): void {
    const key = epochKey(e);
    if (slot.holdersOf !== key) {
      const latest = latestEpoch(slot);
      if (latest && compareEpochs(e, latest) < 0) return;
      slot.holders.clear();
      slot.holdersOf = key;
    }
    slot.holders.set(peer, seq);
  }

  private onRepair(from: PeerId, m: MessageOf<'shard-repair'>): void {
    const slot = this.wireSlot(m.shard);
    if (!slot || !slot.epoch) return;
    const mine = slot.epoch.term === m.term && slot.tag === m.writer && slot.epoch.czar === this.self;
    if (slot.role === 'writer') {
      slot.metrics.repairsServed++;
      if (mine && m.fromSeq >= 1) this.serveRange(slot, from, m.fromSeq, Math.min(m.toSeq, slot.seq));
      else slot.snapshotWanted.add(from);
      return;
    }
    if (slot.role === 'retired' && mine && slot.finalSnapshot) {
      slot.metrics.repairsServed++;
      this.sendSnapshot(slot, from, slot.finalSnapshot, 0);
    }
  }

  /** Sends deltas `from`..`to` of the current term from history, or queues a snapshot if they are gone. */
  private serveRange(slot: Slot, to: PeerId, fromSeq: number, toSeq: number): void {
    if (this.interest && !this.interest.wants(to, slot.id, this.view, this.options.backups)) return; // [I4]
    const epoch = slot.epoch;
    if (!epoch) return;
    if (toSeq < fromSeq) return;
    if (toSeq - fromSeq + 1 > MAX_REPAIR_SPAN || !slot.history.covers(fromSeq, toSeq)) {
      slot.snapshotWanted.add(to);
      return;
    }
    for (let s = fromSeq; s <= toSeq; s++) {
      const payload = slot.history.get(s)!;
      // Control channel: a repair must not be lost again, and is not relayed ([R14]).
      this.links.send(to, { type: 'shard-delta', shard: slot.id, term: epoch.term, writer: slot.tag, seq: s, payload }, { channel: 'control', priority: 'state' });
      slot.metrics.bytesOut += payload.length;
    }
  }

  private pushSnapshot(slot: Slot, to: PeerId): void {
    const last = slot.snapshotPushedAt.get(to) ?? Number.NEGATIVE_INFINITY;
    if (this.clock.now() - last < SNAPSHOT_PUSH_INTERVAL_MS) return;
    slot.snapshotPushedAt.set(to, this.clock.now());
    slot.snapshotWanted.add(to);
  }

  private onRequest(from: PeerId, m: MessageOf<'shard-request'>): void {
    const slot = this.wireSlot(m.shard);
    if (!slot) return;
    if (m.what === REQUEST_HANDOFF) {
      // Hand off only if our own view agrees that the asker is the czar ([R12]).
      if (slot.role === 'writer' && this.view.czarOf(slot.id) === from && !this.degraded() && this.mayDecide(slot.id)) this.handoff(slot, from);
      else if (slot.role === 'retired' && slot.handoffTo === from && this.clock.now() - slot.handoffAt >= this.options.handoffRetryMs) this.offerHandoff(slot, from);
      if (this.declined.get(slot.id)?.peer === from) this.declined.delete(slot.id);
      return;
    }
    if (m.what === REQUEST_DECLINE) {
      // The receiver has no such shard, so it never used the offer: take the shard back under a
      // number past the one reserved for it (as when it leaves the view) and keep writing for
      // `graceMs` before offering it again ([R12]).
      const epoch = slot.epoch;
      if (slot.role !== 'retired' || slot.handoffTo !== from || !epoch || epoch.term !== m.term || !this.mayOpenTerms()) return;
      this.declined.set(slot.id, { peer: from, at: this.clock.now() });
      this.claim(slot, 'replica');
      return;
    }
    if (m.what === REQUEST_KEYFRAME && slot.role === 'writer' && slot.pos?.encoder) slot.pos.encoder.requestKeyframe();
    // Term 0: a copy of whatever we hold, for a takeover of a term nobody holds ([R25]).
    const any = m.term === 0 && slot.role !== 'writer';
    if (m.what === REQUEST_COPY && (slot.role === 'replica' || any) && slot.epoch && (any || (slot.epoch.term === m.term && slot.tag === m.writer)) && !slot.reader.needsSnapshot) {
      let bytes: Uint8Array;
      try {
        bytes = slot.reader.toWriter().encodeSnapshot();
      } catch (err) {
        this.events.emit('error', asAnarchy(err, `Shard ${slot.id}: could not copy the replica`));
        return;
      }
      this.links.send(from, { type: 'shard-snapshot', shard: slot.id, term: slot.epoch.term, czar: slot.epoch.czar, writer: slot.epoch.tag, seq: slot.seq, flags: SNAPSHOT_FLAG_COPY, payload: bytes });
      slot.metrics.snapshotsSent++;
      slot.metrics.bytesOut += bytes.length;
    }
  }

  private onPositions(from: PeerId, channel: Channel, m: MessageOf<'shard-positions'>): void {
    const slot = this.wireSlot(m.shard);
    if (!slot) return;
    slot.metrics.bytesIn += m.payload.length;
    if (!this.seen.add(positionsKey(slot.id, m.term, m.writer, m.seq))) {
      slot.metrics.duplicates++;
      return;
    }
    const pos = slot.pos;
    const epoch = slot.epoch;
    if (!pos || !epoch || epoch.term !== m.term || slot.tag !== m.writer || slot.role === 'writer') {
      slot.metrics.stale++;
      return;
    }
    for (const p of this.plan(epoch.czar, relayKey(slot.id, m.term, m.seq, SALT_POSITIONS), 1, slot.id)) {
      if (p !== from && p !== epoch.czar) this.links.send(p, m, channel === 'control' ? { channel: 'control', priority: 'state' } : undefined);
    }
    let result;
    try {
      result = pos.decoder.apply(m.payload);
    } catch (err) {
      this.events.emit('error', asAnarchy(err, `Shard ${slot.id}: a position frame did not decode`));
      return;
    }
    if (result.applied) {
      slot.metrics.positionsApplied++;
      this.emitChange(slot, 'positions', []);
      return;
    }
    const now = this.clock.now();
    if (result.reason === 'unknown-keyframe' && now - pos.lastKeyframeRequestAt >= KEYFRAME_REQUEST_INTERVAL_MS && this.connected.has(epoch.czar)) {
      pos.lastKeyframeRequestAt = now;
      this.links.send(epoch.czar, { type: 'shard-request', shard: slot.id, term: epoch.term, writer: slot.tag, what: REQUEST_KEYFRAME });
    }
  }

  // ------------------------------------------------------------------ repair and anti-entropy ([R14], [R17])

  private scheduleRepair(slot: Slot, delay: number): void {
    const due = this.clock.now() + delay;
    if (slot.repairDueAt !== undefined && slot.repairDueAt <= due) return;
    slot.repairDueAt = due;
    if (slot.repairTimer !== undefined) this.clock.clearTimeout(slot.repairTimer);
    slot.repairTimer = this.clock.setTimeout(() => {
      slot.repairTimer = undefined;
      this.maintain(slot, this.clock.now());
      this.links.flush();
    }, delay);
  }

  /** Replica upkeep: ask for what is missing (gaps, snapshots of newer terms). */
  private maintain(slot: Slot, now: number): void {
    if (slot.role !== 'replica') return;
    const latest = latestEpoch(slot);
    if (latest && (slot.reader.needsSnapshot || !sameEpoch(latest, slot.epoch))) {
      this.requestSnapshot(slot, latest, false);
      return;
    }
    if (slot.pending.size > 0 && slot.repairDueAt !== undefined && now >= slot.repairDueAt) {
      const top = Math.max(...slot.pending.keys());
      let end = slot.seq + 1;
      while (end < top && !slot.pending.has(end)) end++;
      this.requestRange(slot, slot.seq + 1, Math.max(slot.seq + 1, end - 1));
      slot.repairDueAt = now + this.options.repairRetryMs;
    }
  }

  private requestRange(slot: Slot, fromSeq: number, toSeq: number): void {
    const epoch = slot.epoch;
    if (!epoch || epoch.czar === this.self || !this.connected.has(epoch.czar)) return;
    if (this.interest && !this.interest.wants(this.self, slot.id, this.view, this.options.backups)) return; // [I4]: not ours to follow
    const now = this.clock.now();
    if (now - slot.lastRepairAt < this.options.repairDelayMs) return;
    slot.lastRepairAt = now;
    const span = toSeq - fromSeq + 1;
    const wantSnapshot = span > MAX_REPAIR_SPAN || slot.reader.needsSnapshot;
    this.links.send(epoch.czar, { type: 'shard-repair', shard: slot.id, term: epoch.term, writer: slot.tag, fromSeq: wantSnapshot ? 0 : fromSeq, toSeq: wantSnapshot ? 0 : toSeq });
    slot.metrics.repairsRequested++;
  }

  private requestSnapshot(slot: Slot, e: Epoch, force: boolean): void {
    if (e.czar === this.self || !this.connected.has(e.czar)) return;
    if (this.interest && !this.interest.wants(this.self, slot.id, this.view, this.options.backups)) return; // [I4]: not ours to follow
    const now = this.clock.now();
    if (!force && now - slot.lastSnapshotRequestAt < this.options.repairRetryMs) return;
    slot.lastSnapshotRequestAt = now;
    this.links.send(e.czar, { type: 'shard-repair', shard: slot.id, term: e.term, writer: e.tag, fromSeq: 0, toSeq: 0 });
    slot.metrics.repairsRequested++;
  }

  /** Per shard: the held term and seq, or (held 0) the newest term only heard of, so claims number past it. */
  /** Per shard (all, or those in `only`): the term held, or the newest heard of ([R17]). */
  private digestEntries(only?: ReadonlySet<ShardId>): MessageOf<'shard-digest'>['entries'] {
    const entries: Array<MessageOf<'shard-digest'>['entries'][number]> = [];
    const slots = only ? [...only].flatMap((id) => this.slots.get(id) ?? []) : this.slots.values();
    for (const slot of slots) {
      // A term created alone stays unannounced until a peer confirms it ([R11]).
      if (slot.provisional) continue;
      const held = slot.epoch !== undefined && !(slot.role === 'replica' && slot.reader.needsSnapshot);
      const latest = latestEpoch(slot);
      if (held && slot.epoch && (!slot.heard || compareEpochs(slot.heard, slot.epoch) <= 0)) {
        const final = slot.role === 'replica' && slot.epoch.czar !== this.self && !this.view.has(slot.epoch.czar);
        entries.push({ shard: slot.id, term: slot.epoch.term, czar: slot.epoch.czar, writer: slot.epoch.tag, seq: slot.seq, held: (final ? DIGEST_HELD | DIGEST_HELD_FINAL : DIGEST_HELD) | (slot.confirmed ? DIGEST_HELD_CONFIRMED : 0) });
      } else if (latest) {
        entries.push({ shard: slot.id, term: latest.term, czar: latest.czar, writer: latest.tag, seq: 0, held: slot.heardConfirmed && latest === slot.heard ? DIGEST_HELD_CONFIRMED : 0 });
      }
    }
    return entries;
  }

  /** Peers still bootstrapping hear of every term we adopt, so they do not claim past it unknowingly ([R11]). */
  private tellNewcomers(): void {
    const now = this.clock.now();
    let message: MessageOf<'shard-digest'> | undefined;
    for (const [p, since] of this.newcomers) {
      if (now - since > this.options.bootstrapMs + this.options.graceMs || !this.connected.has(p)) {
        this.newcomers.delete(p);
        continue;
      }
      message ??= { type: 'shard-digest', flags: DIGEST_FLAG_PARTIAL, entries: this.digestEntries(this.adoptedSinceTold) };
      if (message.entries.length > 0) this.links.send(p, message);
    }
    this.adoptedSinceTold.clear();
  }

  /** `urgent`: a takeover waits for it; a small digest also goes on the unreliable channel, so one loss costs no retransmission timeout. */
  private sendDigest(to: PeerId, flags = 0, urgent = false): void {
    this.digestSentAt.set(to, this.clock.now());
    const message: MessageOf<'shard-digest'> = { type: 'shard-digest', flags, entries: this.digestEntries() };
    this.links.send(to, message);
    if (urgent && message.entries.length <= URGENT_DIGEST_ENTRIES) this.links.send(to, message, { channel: 'state', priority: 'control' });
  }

  private antiEntropy(): void {
    if (this.stopped) return;
    const peers = [...this.connected].sort();
    const n = Math.min(this.options.antiEntropyFanout, peers.length);
    for (let i = 0; i < n; i++) {
      const j = i + randomInt(this.rng, peers.length - i);
      const t = peers[i]!;
      peers[i] = peers[j]!;
      peers[j] = t;
      this.sendDigest(peers[i]!);
    }
    for (const slot of this.slots.values()) this.reconcile(slot);
    this.links.flush();
    this.scheduleEntropy();
  }

  // ------------------------------------------------------------------ actions ([R20])

  /** Where an action goes: the writer of the newest term if reachable, else the view's czar. */
  private actionTarget(slot: Slot): PeerId | undefined {
    const latest = latestEpoch(slot);
    if (latest && latest.czar !== this.self && this.connected.has(latest.czar) && !this.leaving.has(latest.czar)) return latest.czar;
    const czar = this.view.czarOf(slot.id);
    return czar !== undefined && czar !== this.self && this.connected.has(czar) ? czar : undefined;
  }

  /** Runs the shard's handler on the czar; returns its result, throws a typed error on rejection. */
  private applyAction(slot: Slot, from: PeerId, action: unknown): unknown {
    const handler = slot.options.onAction;
    if (!handler) {
      slot.metrics.actionsRejected++;
      const reason = `shard ${slot.id} has no onAction handler: declare it with declareShard(id, State, { onAction(state, action, ctx) { … } }) on every peer`;
      throw new AnarchyError(ErrorCode.ActionRejected, `The czar rejected the action: ${reason}.`, { shard: slot.id, reason });
    }
    const writer = this.requireWriter(slot, 'act');
    const ctx: ActionContext = { from, shard: slot.id, now: this.clock.now() };
    let result: unknown;
    try {
      result = writer.mutate((s) => handler(s, action, ctx));
    } catch (err) {
      slot.metrics.actionsRejected++;
      if (writer.hasChanges()) this.emitLocalChange(slot);
      const reason = err instanceof Error ? err.message : String(err);
      throw new AnarchyError(ErrorCode.ActionRejected, `The czar of shard ${slot.id} rejected the action: ${reason}`, { shard: slot.id, reason }, { cause: err });
    }
    if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
      slot.metrics.actionsRejected++;
      const reason = `the onAction handler of shard ${slot.id} returned a promise: handlers must be synchronous (they run inside the czar's tick)`;
      throw new AnarchyError(ErrorCode.ActionRejected, `The czar rejected the action: ${reason}.`, { shard: slot.id, reason });
    }
    slot.metrics.actionsApplied++;
    this.emitLocalChange(slot);
    return result;
  }

  private onAction(from: PeerId, m: MessageOf<'action'>): void {
    const slot = typeof m.shard === 'string' ? this.slots.get(m.shard as ShardId) : undefined;
    const reply = (status: number, payload: Uint8Array, term = 0, seq = 0): void => {
      this.links.send(from, { type: 'action-result', shard: m.shard, actionId: m.actionId, status, term, seq, payload });
    };
    if (!slot) {
      this.unknownShardMessages++;
      return reply(ACTION_UNKNOWN_SHARD, encodeText(`shard ${String(m.shard)} is not declared on the czar`));
    }
    if (slot.role !== 'writer' || !slot.writer || !slot.epoch) return reply(ACTION_NOT_CZAR, new Uint8Array(0));
    if (this.degraded()) return reply(ACTION_READ_ONLY, encodeText(`the czar of shard ${slot.id} is cut off from the majority of the room`));
    let action: unknown;
    try {
      action = decodeJson(m.payload);
    } catch {
      slot.metrics.actionsRejected++;
      return reply(ACTION_REJECTED, encodeText('the action is not valid JSON'));
    }
    let result: unknown;
    try {
      result = this.applyAction(slot, from, action);
    } catch (err) {
      const reason = err instanceof AnarchyError && typeof err.details['reason'] === 'string' ? err.details['reason'] : err instanceof Error ? err.message : String(err);
      return reply(ACTION_REJECTED, encodeText(reason));
    }
    let bytes: Uint8Array;
    try {
      bytes = encodeJson(result, 'An action result');
    } catch {
      bytes = new Uint8Array(0);
    }
    // The effect rides in the next delta (or is already in the last one if nothing changed).
    const seq = slot.writer.hasChanges() ? slot.seq + 1 : slot.seq;
    const term = slot.epoch.term;
    if ((m.actionId & ACTION_COMMIT_FLAG) === 0) {
      slot.commit.noteAction(from, m.actionId, seq);
      return reply(ACTION_APPLIED, bytes, term, seq);
    }
    // The sender wants it committed ([R23]): answer once the first backup holds it.
    slot.commit.wait(
      seq,
      () => {
        reply(ACTION_APPLIED, bytes, term, seq);
        this.links.flush();
      },
      () => reply(ACTION_ROLLED_BACK, new Uint8Array(0), term, seq),
    );
  }

  // ------------------------------------------------------------------ helpers

  private slot(id: string): Slot {
    const slot = typeof id === 'string' ? this.slots.get(id as ShardId) : undefined;
    if (!slot) {
      throw new AnarchyError(ErrorCode.UnknownShard, `Shard ${JSON.stringify(String(id)).slice(0, 80)} is not declared: call room.declareShard(id, State) first, on every peer.`, {
        shard: String(id),
      });
    }
    return slot;
  }

  private requireWriter(slot: Slot, what: string): ShardWriter<Schema> {
    if (slot.role === 'writer' && slot.writer) return slot.writer;
    const czar = this.view.czarOf(slot.id);
    const writer = latestEpoch(slot)?.czar;
    const who =
      czar === this.self
        ? 'this peer is its czar by the membership view but is still taking over (a handoff or the first snapshot is in flight)'
        : `its czar is ${czar ?? 'not known yet'}${writer !== undefined && writer !== czar ? ` (writing now: ${writer})` : ''}`;
    throw new AnarchyError(
      ErrorCode.NotCzar,
      `${what}() on shard ${slot.id} refused: only the shard's czar writes it, and ${who}. Use room.act(${JSON.stringify(slot.id)}, action) to ask the czar, or check room.isCzar(id) first.`,
      { shard: slot.id, czar, writer },
    );
  }

  private assertOpen(): void {
    if (this.stopped) throw this.closedError();
  }

  private closedError(): AnarchyError {
    return new AnarchyError(ErrorCode.Closed, 'This room was left or its transport closed: join again with a new Room.');
  }

  private dropPending(slot: Slot): void {
    slot.pending.clear();
    slot.future.clear();
    slot.repairDueAt = undefined;
  }

  private emitLocalChange(slot: Slot): void {
    this.emitChange(slot, 'local', []);
  }

  private emitChange(slot: Slot, kind: ShardChange['kind'], changes: ShardChange['changes']): void {
    if (this.events.listenerCount('change') === 0 || !slot.epoch) return;
    const state = slot.writer ? slot.writer.state : slot.reader.state;
    this.events.emit('change', { shard: slot.id, kind, state, term: slot.epoch.term, czar: slot.epoch.czar, seq: slot.seq, changes });
  }

  private reportCzar(slot: Slot, czar: PeerId | undefined): void {
    const writer = slot.epoch?.czar;
    const key = `${czar ?? ''}|${writer ?? ''}|${slot.epoch?.term ?? ''}`;
    if (key === slot.reported) return;
    slot.reported = key;
    this.events.emit('czar', { shard: slot.id, czar, backups: this.view.backupsOf(slot.id, this.options.backups), term: slot.epoch?.term, writer });
  }

  private trace(e: ReplicationEvents['trace']): void {
    if (this.events.listenerCount('trace') > 0) this.events.emit('trace', e);
  }
}

/** Departed peers remembered ([R26]). */
const MAX_DEPARTED = 256;
/** Longest wait of a view change that only adds members, for more of them ([R32]). */
const JOIN_BATCH_MS = 50;
/** Opening and handoff snapshots up to this size also go on the unreliable channel. */
const URGENT_SNAPSHOT_BYTES = 1_024;
/** Digests a takeover waits for, up to this many entries, also go on the unreliable channel. */
const URGENT_DIGEST_ENTRIES = 64;
/** A tick this much later than due means the peer was frozen ([R26]); as SWIM's `stallMs`. */
const STALL_MS = 500;
/** A peer silent for this many ping intervals is not counted as reachable ([R26]). */
const REACH_PINGS = 2;
/** Times a backup repeats an unchanged ack ([R23]). */
const ACK_REPEATS = 3;

function asAnarchy(err: unknown, context: string): AnarchyError {
  if (err instanceof AnarchyError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AnarchyError(ErrorCode.Internal, `${context}: ${message}. Please report this with the room's seed or logs.`, {}, { cause: err });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
