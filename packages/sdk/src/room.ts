/**
 * The API a game touches: a {@link Room} of peers sharing replicated state.
 *
 * The state is cut into shards, each a `@colyseus/schema` class. Every peer holds a replica of
 * every shard; each shard has one writer, its czar, picked from the membership view by
 * rendezvous hashing (the same answer on every peer, no election), with an ordered list of
 * backups that take over when it leaves. The czar mutates its shards directly
 * ({@link Room.mutate}); any other peer sends it an action ({@link Room.act}). Changes travel as
 * binary deltas numbered by (term, seq), are applied in order everywhere, repaired when lost,
 * relayed by gossip in large rooms and checked by anti-entropy. Rules: SPEC.md, section R.
 *
 * Browser-safe: no Node API is used here; time and randomness are injectable for deterministic
 * tests on the simulated network (`@anarchy/sdk/testing`).
 *
 * @example
 * ```ts
 * import { schema, t } from '@colyseus/schema';
 * import { joinRoom } from '@anarchy/sdk';
 *
 * const Score = schema({ points: t.map('number') }, 'Score');
 * const room = await joinRoom({ signalUrl: 'https://signal.example.com', room: roomId });
 * room.declareShard('score', Score, {
 *   onAction(state, action: { add: number }, ctx) {
 *     state.points.set(ctx.from, (state.points.get(ctx.from) ?? 0) + action.add);
 *   },
 * });
 * room.on('change', ({ shard, state }) => render(shard, state));
 * await room.act('score', { add: 1 }); // applied by the czar, visible here when it resolves
 * ```
 */
import type { Schema } from '@colyseus/schema';
import type { StateHash } from './replication/state-hash.js';
import { fmix32 } from './authority/hash.js';
import type { Placement } from './authority/rendezvous.js';
import type { StateSource } from './replication/shard-store.js';
import type { PositionSample } from './replication/positions.js';
import type { PositionsView } from './replication/positions-view.js';
import {
  REPLICATION_DEFAULTS,
  type ReplicationEvents,
  type ReplicationOptions,
  type RoomMetrics,
  type ShardChange,
  type ShardOptions,
} from './replication/engine-types.js';
import { ReplicationEngine } from './replication/engine.js';
import type { QuorumState } from './replication/quorum.js';
import { ArgumentError } from './errors.js';
import type { SwimTunables } from './membership/options.js';
import { SwimMembership } from './membership/swim.js';
import type { MembershipView } from './membership/types.js';
import { isMembershipMessage } from './membership/wire.js';
import { InterestExchange } from './replication/interest-wire.js';
import type { InterestTableOptions } from './replication/interest.js';
import { PeerJsTransport, type PeerJsTransportOptions } from './transport/peerjs/index.js';
import type { PeerId, Transport } from './transport/types.js';
import { systemClock, type Clock } from './util/clock.js';
import { SeededRng, systemRng, type Rng } from './util/rng.js';
import { watchPage, type PageLike } from './room/page-lifecycle.js';

export type {
  ActionContext,
  CommitEvent,
  CzarChangeEvent,
  StatusEvent,
  PeerMetrics,
  ReplicationOptions,
  ReplicationTrace,
  RollbackEvent,
  RoomMetrics,
  ShardChange,
  ShardMetrics,
  ShardOptions,
} from './replication/engine-types.js';
export type { PositionsView } from './replication/positions-view.js';
export type { QuorumState, RoomStatus } from './replication/quorum.js';
export type { PageLike } from './room/page-lifecycle.js';
/** Default replication tunables; see {@link ReplicationOptions}. */
export { REPLICATION_DEFAULTS };

/**
 * What a peer of a large room keeps track of ({@link Room.setScope}): the peers whose membership
 * it keeps ([M31]) and the shards it acts on as an authority ([R31]).
 *
 * @example
 * ```ts
 * const scope: RoomScope = { admits: (peer) => nearby.has(peer), decides: (shard) => mine.has(shard) };
 * room.setScope(scope);
 * ```
 */
export interface RoomScope {
  /** True for a peer whose membership this one keeps (peers connected are always kept). */
  admits(peer: PeerId): boolean;
  /** True for a shard this peer may claim, take over or hand off; omitted: every shard. */
  decides?(shard: string): boolean;
}

/** Options of {@link Room.create}. Replication tunables ({@link ReplicationOptions}) all have defaults. */
export interface RoomOptions extends ReplicationOptions {
  /** The connection to the other peers: a `PeerJsTransport`, or a `SimTransport` in tests. */
  readonly transport: Transport;
  /**
   * Who is in the room. Default: a `SwimMembership` (SWIM + Lifeguard failure detection, SPEC.md
   * section M) whose messages ride the room's own links ([R29]), tuned by {@link RoomOptions.swim},
   * disposed by {@link Room.leave}. Pass another view (e.g. a `TransportMembership`) to replace it.
   */
  readonly membership?: MembershipView;
  /**
   * Options of the default SWIM membership (ignored with `membership`). Defaults: a probe round
   * every 200 ms (`probeIntervalMs`) with 3 probes a round, suspicion timeouts 300 ms–3 s: a
   * crashed czar is replaced in about 0.5–1 s. For faster failover in small rooms use e.g.
   * `{ probeIntervalMs: 50, probeFanout: 9, probeTimeoutMs: 40, suspicionMinMs: 40 }` (the bench's
   * set: ~180 ms detection, more traffic).
   */
  readonly swim?: Partial<SwimTunables>;
  /**
   * The game's player id, announced to the room: a player that comes back under a new peer id
   * (a reloaded tab) replaces its old self at once and counts as the same member for the
   * majority rule ([M22], [R26]). Default: none.
   */
  readonly playerId?: string;
  /**
   * The majority rule ([R26]): shards are written only on the side of a partition that reaches a
   * majority of the last stable view; the other side is read only (`status()` is `degraded`).
   * Default true. `false` keeps both sides writing (the higher term wins at the heal and the
   * other side's writes are rolled back), and creates a shard once the peers this one is
   * connected to said what they hold, not a majority of the room ([R11]): in a partial mesh
   * (interest-managed worlds) a peer may never hear from most of the room.
   */
  readonly requireMajority?: boolean;
  /**
   * In a browser: on `pagehide` leave at once (handing every shard over), and while the tab is
   * hidden stand by ({@link Room.setStandby}): hand shards over and come back when visible
   * ([R27], [R28]). Default true; a no-op outside a page.
   */
  readonly leaveOnHide?: boolean;
  /** The window and document whose lifecycle `leaveOnHide` follows. Default: the global ones. */
  readonly page?: { readonly window?: PageLike; readonly document?: PageLike };
  /** Time source of ticks, repairs and timeouts. Default: the system clock. Use the network's clock in simulations. */
  readonly clock?: Clock;
  /** Random source (anti-entropy partner choice). Default: `Math.random`. Seed it in tests. */
  readonly rng?: Rng;
  /** Where exceptions thrown by your event listeners go. Default: rethrown in a microtask. */
  readonly onListenerError?: (err: unknown) => void;
  /**
   * Interest-scoped delivery ([I1]–[I5], `replication/interest.ts`): a shard's deltas and
   * snapshots reach only the peers that declared interest in it ({@link Room.setInterest}), plus
   * its czar and backups. `true`, or `{ scoped }` to choose the shards it applies to (the others
   * reach everyone). Use the same setting on every peer. Default: off, every peer gets every shard.
   */
  readonly interest?: boolean | InterestTableOptions;
  /**
   * Locality of authority ([S27]): a tier per (peer, shard), so a shard's czar and backups come
   * from its lowest tier, e.g. `sectorPlacement()` with peer ids from `withHome`: a sector's
   * players, then its neighbours'. Use the same placement on every peer. Default: none (pure
   * rendezvous, every peer alike).
   */
  readonly placement?: Placement;
}

/** Options of {@link joinRoom}: where to meet, plus everything {@link RoomOptions} takes but the transport. */
export interface JoinRoomOptions extends Omit<RoomOptions, 'transport'> {
  /** Base URL of the `@anarchy/signal` service. */
  readonly signalUrl: string;
  /** Room id from `SignalClient.createRoom` (the room must exist). */
  readonly room: string;
  /** This peer's id; default: random. */
  readonly peerId?: string;
  /** More `PeerJsTransport` options (ICE servers, keep-alive timing, …). */
  readonly transportOptions?: Omit<PeerJsTransportOptions, 'signalUrl' | 'room' | 'peerId'>;
}

/** Options of {@link Room.act}. */
export interface ActOptions {
  /** Reject with `action-timeout` if no czar confirmed within this many ms. Default: the room's `actionTimeoutMs` (10 s). */
  readonly timeoutMs?: number;
  /**
   * Resolve only once the action's effect is committed (acknowledged by the czar's first backup,
   * so it survives any single failure, [R23]); reject with `rolled-back` if the czar lost its
   * term before that. Costs about one more round trip. Default false.
   */
  readonly commit?: boolean;
}

/** A typed handle on one shard, returned by {@link Room.declareShard}; every method is also on the room by id. */
export interface Shard<S extends Schema> {
  readonly id: string;
  /** The replica (or, on the czar, the live state). Read only; replaced on `snapshot` changes. */
  state(): S;
  /** See {@link Room.mutate}. */
  mutate<R>(fn: (state: S) => R): R;
  /** See {@link Room.act}. */
  act<R = unknown>(action: unknown, options?: ActOptions): Promise<R>;
  /** Subscribes to this shard's changes; returns an unsubscribe function. */
  onChange(listener: (change: ShardChange<S>) => void): () => void;
  /** See {@link Room.isCzar}. */
  isCzar(): boolean;
  /** See {@link Room.czarOf}. */
  czar(): PeerId | undefined;
  /** See {@link Room.backupsOf}. */
  backups(): readonly PeerId[];
  /** See {@link Room.stateHash}. */
  stateHash(): StateHash;
}

/**
 * A room: this peer's replicas of every shard, and the protocol that keeps them in step.
 *
 * @example
 * ```ts
 * import { schema, t } from '@colyseus/schema';
 * import { Room } from '@anarchy/sdk';
 * import { SimNetwork } from '@anarchy/sdk/testing';
 *
 * const Counter = schema({ n: t.number() }, 'Counter');
 * const net = new SimNetwork({ seed: 1 });
 * const rooms = ['a', 'b', 'c'].map((id) => Room.create({ transport: net.join(id), clock: net.clock }));
 * for (const r of rooms) r.declareShard('counter', Counter, { onAction: (s) => { s.n++; } });
 * net.run(2_000); // connect, then the czar of 'counter' opens its first term
 * await rooms[0].act('counter', {}); // from any peer
 * ```
 */
export class Room {
  /** This peer's id. */
  readonly self: PeerId;
  /** The transport the room runs over (closed by {@link Room.leave}). */
  readonly transport: Transport;
  /** The membership view authority is computed from. */
  readonly membership: MembershipView;
  /** The locality of authority the room was created with ({@link RoomOptions.placement}), if any. */
  readonly placement: Placement | undefined;
  private readonly engine: ReplicationEngine;
  private readonly interest: InterestExchange | undefined;
  private readonly ownsMembership: boolean;
  /** The default membership, when the room made it. */
  private readonly swim: SwimMembership | undefined;
  private unwatchPage: () => void = () => undefined;
  private standbyByGame = false;

  private constructor(options: RoomOptions) {
    if (!options || typeof options !== 'object' || !options.transport) {
      throw new ArgumentError('Room.create needs { transport }: a PeerJsTransport (or use joinRoom), or a SimTransport in tests.');
    }
    this.transport = options.transport;
    this.placement = options.placement;
    this.ownsMembership = options.membership === undefined;
    const clock = options.clock ?? systemClock;
    const rng = options.rng ?? systemRng;
    const { swim: swimOptions, playerId, membership, page, leaveOnHide, interest, ...rest } = options;
    // Before the engine, so a joiner's interest reaches czars ahead of the engine's digest ([I5]).
    this.interest = interest ? new InterestExchange({ ...(interest === true ? {} : interest), transport: options.transport, clock }) : undefined;
    if (playerId !== undefined && (typeof playerId !== 'string' || playerId.length > 128)) {
      throw new ArgumentError(`Room option playerId must be a string of at most 128 characters, got ${String(playerId)}.`);
    }
    // Its own random stream, drawn from the room's, so a seeded room replays exactly. The same
    // draw, hashed, is this instance's nonce ([R7]): no extra draw shifts a seeded room's stream.
    const swimSeed = membership === undefined ? Math.floor(rng.next() * 0x1_0000_0000) : undefined;
    this.swim =
      swimSeed !== undefined
        ? new SwimMembership({
            ...swimOptions,
            transport: options.transport,
            clock,
            rng: new SeededRng(swimSeed),
            ...(playerId === undefined ? {} : { playerId }),
            ...(options.onListenerError === undefined ? {} : { onListenerError: options.onListenerError }),
          })
        : undefined;
    this.membership = membership ?? this.swim!;
    this.self = options.transport.localId;
    const swim = this.swim;
    try {
      this.engine = new ReplicationEngine({
        ...rest,
        transport: options.transport,
        membership: this.membership,
        clock,
        rng,
        ...(swimSeed !== undefined ? { instanceNonce: fmix32(swimSeed ^ 0x2f6b_1c5d) } : {}),
        ...(this.interest ? { interest: this.interest.table } : {}),
        ...(swim
          ? {
              onForeignMessage: (peer: PeerId, m: Parameters<SwimMembership['handle']>[1]) => {
                if (isMembershipMessage(m)) swim.handle(peer, m);
              },
              reachable: () => swim.members().filter((p) => swim.info(p)?.status !== 'suspect'),
              identityOf: (peer: PeerId) => swim.playerOf(peer) || peer,
              hasLeft: (peer: PeerId) => swim.info(peer)?.status === 'left',
            }
          : {}),
      });
    } catch (err) {
      this.membership.dispose();
      throw err;
    }
    if (swim) {
      const engine = this.engine;
      swim.onSend((peer, message, channel) => {
        engine.sendExternal(peer, message, channel);
      });
      swim.start();
    }
    if (leaveOnHide !== false) {
      this.unwatchPage = watchPage(
        {
          pagehide: () => this.leaveNow(),
          hidden: () => this.applyStandby(true),
          visible: () => this.applyStandby(this.standbyByGame),
        },
        ...(page === undefined ? [] : [{ window: page.window, document: page.document }]),
      );
    }
  }

  /** `pagehide`: hand everything over and say goodbye synchronously, before the page dies ([R28]). */
  private leaveNow(): void {
    void this.leave();
    this.swim?.leave();
    const t = this.transport as Transport & { sayGoodbye?: () => void };
    if (typeof t.sayGoodbye === 'function') t.sayGoodbye();
  }

  private applyStandby(standby: boolean): void {
    if (this.engine.closed) return;
    this.engine.setAway(standby);
    this.swim?.setStandby(standby);
  }

  /** Stops everything at once without a goodbye, as a crash would (simulations). */
  private halt(): void {
    this.unwatchPage();
    this.engine.stop();
    if (this.ownsMembership) this.membership.dispose();
  }

  /**
   * Starts replication over a connected transport. Declare the shards right after (synchronously
   * is best: messages for undeclared shards are ignored until declared, then caught up).
   *
   * @example
   * ```ts
   * const transport = await PeerJsTransport.join({ signalUrl, room: roomId });
   * const room = Room.create({ transport, tickMs: 50 });
   * room.declareShard('world', World);
   * ```
   */
  static create(options: RoomOptions): Room {
    return new Room(options);
  }

  /**
   * Declares a shard. Every peer must declare the same shards with the same state class; the
   * shard is written by its czar, replicated everywhere. Returns a typed handle.
   *
   * @param id 1–64 printable ASCII characters; short ids are cheaper (they travel in every delta).
   * @param State a class made by `schema({...})` (or a function returning a fresh instance).
   * @param options `onAction` (the czar's handler for {@link Room.act}) and `positions` (a compact position stream).
   * @example
   * ```ts
   * const units = room.declareShard('units', Units, { positions: true, onAction: (s, a: Order) => s.orders.push(a.text) });
   * units.onChange(({ state }) => draw(state));
   * ```
   */
  declareShard<S extends Schema>(id: string, State: StateSource<S>, options: ShardOptions<S> = {}): Shard<S> {
    this.engine.declare(id, State, options);
    const room = this;
    return {
      id,
      state: () => room.state<S>(id),
      mutate: (fn) => room.mutate(id, fn),
      act: (action, opts) => room.act(id, action, opts),
      onChange: (listener) => room.onChange<S>(id, listener),
      isCzar: () => room.isCzar(id),
      czar: () => room.czarOf(id),
      backups: () => room.backupsOf(id),
      stateHash: () => room.stateHash(id),
    };
  }

  /**
   * Stops holding a replica of a shard this peer declared but no longer needs (a sector out of
   * view, a shard whose succession it left): no more deltas, snapshots or digests about it reach
   * the game, and it drops out of this peer's digests. The shard lives on at its czar and the
   * other replicas; declaring it again later catches up from them. Throws an `ArgumentError` while
   * this peer writes the shard or hands it off (wait until {@link Room.isCzar} is false), and
   * `unknown-shard` for an id never declared. Subscriptions made with {@link Room.onChange} stay
   * and fire again once the shard is declared again.
   *
   * @example
   * ```ts
   * if (!room.isCzar('s0:4,2') && !watching.has('s0:4,2')) room.withdrawShard('s0:4,2');
   * ```
   */
  withdrawShard(id: string): void {
    this.engine.withdraw(id);
  }

  /** Ids of the declared shards. */
  shards(): string[] {
    return this.engine.shardIds();
  }

  /**
   * The shard's state on this peer: the czar's live state, or the replica. Treat it as read only
   * (write through {@link Room.mutate}) and re-read it after a `snapshot` change, which replaces it.
   * Throws `unknown-shard` for an undeclared id.
   *
   * @example
   * ```ts
   * const world = room.state<World>('world');
   * console.log(world.units.size);
   * ```
   */
  state<S extends Schema = Schema>(id: string): S {
    return this.engine.state(id) as S;
  }

  /**
   * Changes a shard this peer is czar of; the change reaches every replica with the next tick's
   * delta. Returns what `fn` returns. Elsewhere throws an `AnarchyError` with code `not-czar`
   * (use {@link Room.act} instead, or check {@link Room.isCzar}).
   *
   * @example
   * ```ts
   * if (room.isCzar('world')) room.mutate<World, void>('world', (w) => { w.tick++; });
   * else await room.act('world', { type: 'tick' });
   * ```
   */
  mutate<S extends Schema, R>(id: string, fn: (state: S) => R): R {
    return this.engine.mutate(id, fn);
  }

  /**
   * Sends an action (any JSON-serializable value) to the shard's czar, whose `onAction` handler
   * applies it. Resolves with the handler's return value once the czar applied it and this
   * peer's replica shows the effect (read your writes). On the czar itself the handler runs at
   * once. There is no local prediction: the state changes only when the czar's delta arrives.
   *
   * Rejects with an `AnarchyError`: `action-rejected` (the handler threw; `details.reason` has its
   * message), `action-timeout` (no confirmation in time), `action-unconfirmed` (the czar left
   * mid-way; it may or may not have applied it), `unknown-shard`, `closed`; an `ArgumentError`
   * for a value JSON cannot carry.
   *
   * @example
   * ```ts
   * const id = await room.act<number>('lobby', { join: 'red' }); // the handler's result
   * ```
   */
  act<R = unknown>(id: string, action: unknown, options: ActOptions = {}): Promise<R> {
    return this.engine.act(id, action, options.timeoutMs, options.commit === true) as Promise<R>;
  }

  /**
   * Resolves once every write this peer made to the shard as its czar so far (`mutate`, actions
   * it ran) is committed: acknowledged by the first backup, so it survives any single failure
   * ([R23]). Rejects with `rolled-back` if the czar lost its term first. Resolves at once on a
   * peer that writes nothing there.
   *
   * @example
   * ```ts
   * room.mutate<World, void>('world', (w) => { w.gold -= 100; });
   * await room.whenCommitted('world'); // the purchase survives a crash of this tab
   * ```
   */
  whenCommitted(id: string): Promise<void> {
    return this.engine.whenCommitted(id);
  }

  /**
   * `ok` while this peer reaches a majority of the last stable view of the room; `degraded` on
   * the minority side of a partition (or when half the room vanished without the lowest id),
   * where every shard is read only: `mutate` throws and `act` rejects with `read-only` ([R26]).
   * The `status` event reports changes.
   *
   * @example
   * ```ts
   * room.on('status', ({ status }) => banner.toggle(status === 'degraded'));
   * ```
   */
  status(): QuorumState['status'] {
    return this.engine.status().status;
  }

  /**
   * Sets this peer aside (`true`) or back (`false`): aside it is neither czar nor backup, so it
   * hands every shard it writes to the next backup at once, and the others stop counting on it
   * ([R27]). A hidden tab does this by itself (`leaveOnHide`).
   *
   * @example
   * ```ts
   * room.setStandby(true); // e.g. the player opened a long menu
   * ```
   */
  setStandby(standby: boolean): void {
    this.standbyByGame = standby;
    this.applyStandby(standby);
  }

  /**
   * Subscribes to room events; returns an unsubscribe function.
   *
   * - `change` ({@link ShardChange}): a shard changed here (delta, snapshot, local write, positions).
   * - `czar` ({@link CzarChangeEvent}): a shard's czar or writing term changed.
   * - `rollback` ({@link RollbackEvent}): writes this peer made (as czar, or by an action it sent) were lost because another czar's term won; names the shard, term and seq range.
   * - `commit` ({@link CommitEvent}): on the czar, its writes became committed up to a seq.
   * - `status` ({@link StatusEvent}): this peer lost or regained the majority of the room.
   * - `error`: a non-fatal problem (bad frames from a peer, a snapshot that did not decode).
   * - `trace`: protocol diagnostics for tests and benchmarks.
   *
   * @example
   * ```ts
   * room.on('czar', ({ shard, czar }) => console.log(`${shard} is now written by ${czar}`));
   * ```
   */
  on<K extends keyof ReplicationEvents>(event: K, listener: (payload: ReplicationEvents[K]) => void): () => void {
    return this.engine.on(event, listener);
  }

  /**
   * Subscribes to the changes of one shard; returns an unsubscribe function.
   *
   * @example
   * ```ts
   * room.onChange<World>('world', ({ state, kind }) => redraw(state, kind));
   * ```
   */
  onChange<S extends Schema = Schema>(id: string, listener: (change: ShardChange<S>) => void): () => void {
    this.engine.state(id); // throws unknown-shard early
    return this.engine.on('change', (c) => {
      if (c.shard === id) listener(c as ShardChange<S>);
    });
  }

  /**
   * The shard's czar by the current membership view (rendezvous hashing: the same on every peer
   * with the same view), or undefined when no peer is eligible. Right after a view change the
   * czar may still be taking over; {@link Room.isCzar} says whether this peer writes now.
   *
   * @example
   * ```ts
   * const czar = room.czarOf('world'); // e.g. 'k3j9…'
   * ```
   */
  czarOf(id: string): PeerId | undefined {
    return this.engine.czarOf(id);
  }

  /**
   * The shard's backups in takeover order (at most the `backups` option, default 2): if the czar
   * leaves, the first live one takes over from its replica.
   *
   * @example
   * ```ts
   * const [next] = room.backupsOf('world');
   * ```
   */
  backupsOf(id: string): PeerId[] {
    return this.engine.backupsOf(id);
  }

  /**
   * True when this peer writes the shard now: {@link Room.mutate} and {@link Room.setPositions} work.
   *
   * @example
   * ```ts
   * if (room.isCzar('world')) room.mutate('world', step);
   * ```
   */
  isCzar(id: string): boolean {
    return this.engine.isCzar(id);
  }

  /**
   * The term this peer's replica belongs to and the last delta applied, or undefined before the
   * first snapshot arrived.
   *
   * @example
   * ```ts
   * const t = room.termOf('world'); // { term: 3, czar: 'k3j9…', seq: 1200 }
   * ```
   */
  termOf(id: string): { readonly term: number; readonly czar: PeerId; readonly seq: number } | undefined {
    return this.engine.termOf(id);
  }

  /**
   * A 64-bit fingerprint (16 hex digits) of the shard's whole state: equal on two peers exactly
   * when their replicas hold the same values. Costs a copy and a full encode: for checks, not
   * every frame.
   *
   * @example
   * ```ts
   * console.log(room.stateHash('world')); // '9c1f…'
   * ```
   */
  stateHash(id: string): StateHash {
    return this.engine.stateHash(id);
  }

  /**
   * Sets this tick's unit positions of a shard declared with `{ positions: true }` (czar only,
   * else `not-czar`). Coordinates are integers in your quantum (`quantize(metres)` gives
   * centimetres); send every unit each tick, about 2.4 bytes per moving unit reach the wire.
   *
   * @example
   * ```ts
   * room.setPositions('units', units.map((u) => ({ id: u.id, x: quantize(u.x), y: quantize(u.y) })));
   * ```
   */
  setPositions(id: string, samples: readonly PositionSample[]): void {
    this.engine.setPositions(id, samples);
  }

  /**
   * The latest unit positions of a shard with a position stream (the czar's own samples on the czar).
   *
   * @example
   * ```ts
   * room.positions('units').forEach((id, x, y) => drawUnit(id, x / 100, y / 100));
   * ```
   */
  positions(id: string): PositionsView {
    return this.engine.positions(id);
  }

  /**
   * Traffic and replication counters: per peer (bytes, frames, messages, RTT) and per shard
   * (role, term, seq, bytes, deltas, snapshots, repairs, relays, actions, rollbacks).
   *
   * @example
   * ```ts
   * const m = room.metrics();
   * console.log(m.shards.world?.deltasApplied, Object.values(m.peers).map((p) => p.srttMs));
   * ```
   */
  metrics(): RoomMetrics {
    return this.engine.metrics();
  }

  /** Peers in the room by the membership view, this one included, sorted. */
  peers(): readonly PeerId[] {
    return this.membership.members();
  }

  /**
   * Declares which shards this peer wants ([I2]): with the `interest` option, only these (and the
   * shards whose czar or backup it is) reach it. Groups let independent parts of a game keep
   * their own lists (a `SectorWorld` uses `'world'`); the union is announced. Without the option
   * every shard reaches every peer anyway and this only records the set.
   *
   * @example
   * ```ts
   * room.setInterest(['lobby', 's3:1,2', 's3:2,2']);
   * ```
   */
  setInterest(shards: Iterable<string>, group = 'default'): void {
    this.interest?.set(group, shards);
  }

  /**
   * Keeps membership of the peers `scope.admits` (and of every peer connected) only ([M31]), so a
   * large room costs each peer what is near it rather than the whole room; and acts as an
   * authority (claims, takeovers, hand-offs) only on the shards `scope.decides` ([R31]), since
   * its view names the right czar only where it holds every peer placed first. `undefined`
   * keeps everyone again. A `SectorWorld` with `scopeMembership` sets this itself. Membership
   * scoping needs the default SWIM membership (no effect with a custom `membership`).
   *
   * @example
   * ```ts
   * const near = (h: SectorId | undefined) => !h || (Math.abs(h.x - me.x) <= 8 && Math.abs(h.y - me.y) <= 8);
   * room.setScope({ admits: (peer) => near(homeOf(peer)), decides: (shard) => near(tryParseKey(shard)) });
   * ```
   */
  setScope(scope: RoomScope | undefined): void {
    this.swim?.setScope(scope ? (peer) => scope.admits(peer) : undefined);
    this.engine.setAuthorityScope(scope?.decides ? (shard) => scope.decides!(shard) : undefined);
  }

  /** The shards `peer` (default: this peer) declared interest in, as last announced ([I2]); empty without the `interest` option. */
  interestOf(peer: PeerId = this.self): string[] {
    return this.interest?.table.interestsOf(peer) ?? [];
  }

  /** True once the room was left or its transport closed. */
  get closed(): boolean {
    return this.engine.closed;
  }

  /**
   * Leaves the room: hands each shard this peer writes to its successor (waiting at most
   * `leaveTimeoutMs` for them to take over, so no acknowledged write is lost), then closes the
   * transport. Pending actions reject with `closed`. Idempotent.
   *
   * @example
   * ```ts
   * window.addEventListener('pagehide', () => void room.leave());
   * ```
   */
  async leave(): Promise<void> {
    try {
      // Hand off first, then tell the membership ([R28]). The page stays watched until the leave
      // is done: a leave() called from the game's own `pagehide` listener (registered before the
      // room's) must not take the room's listener away before it ran, or the page dies without
      // the membership's and the transport's goodbyes.
      await this.engine.leave(() => {
        this.swim?.leave();
        this.unwatchPage();
      });
    } finally {
      this.unwatchPage();
      if (this.ownsMembership) this.membership.dispose();
    }
  }
}

/**
 * Joins a room over real WebRTC: a `PeerJsTransport` through the signal service, then
 * {@link Room.create}. In Node call `installNodeWebRtc()` from `@anarchy/sdk/node` first.
 *
 * @example
 * ```ts
 * const { roomId } = await new SignalClient({ url: signalUrl }).createRoom();
 * const room = await joinRoom({ signalUrl, room: roomId });
 * room.declareShard('world', World, { onAction: applyOrder });
 * ```
 */
export async function joinRoom(options: JoinRoomOptions): Promise<Room> {
  const { signalUrl, room, peerId, transportOptions, ...roomOptions } = options;
  const transport = await PeerJsTransport.join({
    // The room hands its shards over on `pagehide` first, then says the transport's goodbye ([R28]).
    ...(roomOptions.leaveOnHide === false ? {} : { leaveOnPageHide: false }),
    ...transportOptions,
    signalUrl,
    room,
    ...(peerId === undefined ? {} : { peerId }),
    ...(roomOptions.clock === undefined || transportOptions?.clock !== undefined ? {} : { clock: roomOptions.clock }),
  });
  try {
    return Room.create({ ...roomOptions, transport });
  } catch (err) {
    await transport.close();
    throw err;
  }
}
