/**
 * `SwimMembership`: failure detection and membership by SWIM with Lifeguard's refinements
 * (SPEC.md, section M). Every round a member probes a few others (round-robin over a shuffled
 * list) with a `member-ping`; a probe with no ack within an adaptive timeout is retried through
 * `indirectProbes` helpers (`member-ping-req`), and only when they fail too is the member
 * suspected. A suspicion is gossiped; the suspect refutes it by raising its incarnation; an
 * unrefuted one becomes a dead verdict after a timeout that shrinks as independent members
 * confirm it. Facts ride on probes (piggyback) and urgent ones are also sent to every connected
 * peer at once.
 *
 * Messages do not go through the transport directly: the membership emits them with
 * {@link SwimMembership.onSend} and receives them with {@link SwimMembership.handle}, so a room
 * can run them through the same Outbox/Inbox as everything else. {@link MembershipWire} is the
 * standalone adapter; {@link SwimMembership.overTransport} wires one up.
 *
 * Authority is computed from this view, so a wrong dead verdict is a spurious failover: every
 * verdict needs a failed direct probe, failed indirect probes and an unrefuted suspicion, and
 * nothing is concluded from timers that fired late ([M17]).
 */
import type { Channel, Message } from '../wire/messages.js';
import type { Transport, PeerId, LeaveReason } from '../transport/types.js';
import type { TimerHandle } from '../util/clock.js';
import { sameItems } from '../util/arrays.js';
import { Emitter } from '../util/emitter.js';
import { randomInt } from '../util/rng.js';
import { BroadcastQueue, retransmitLimit } from './broadcasts.js';
import { type MemberScope, type MembershipTransport, type SwimOptions, type SwimTunables, resolveSwimOptions } from './options.js';
import { type Member, type Suspicion, newMember } from './member.js';
import { Prober } from './prober.js';
import { suspicionTimeoutMs } from './suspicion.js';
import type { MembershipChange, MembershipView } from './types.js';
import { type MemberFact, type MemberStatus, type WireUpdate, fromWire, isMemberStatus, supersedes, toWire } from './update.js';
import { MembershipWire, type MembershipMessage, type MembershipWireOptions } from './wire.js';

/** Sends one membership message; see {@link SwimMembership.onSend}. */
export type MembershipSend = (peer: PeerId, message: MembershipMessage, channel: Channel) => void;

/** What this peer knows about one other peer. */
export interface MemberInfo {
  readonly status: MemberStatus;
  readonly incarnation: number;
  readonly standby: boolean;
  readonly player: string;
}

/** Counters of a {@link SwimMembership}; all only grow. */
export interface SwimStats {
  /** Probe rounds run. */
  rounds: number;
  /** Direct pings sent as probes. */
  probes: number;
  /** Probes that went on to helpers (direct ack missing). */
  indirectProbes: number;
  /** Suspicions this peer raised from its own failed probes. */
  suspicionsRaised: number;
  /** Dead verdicts this peer reached by its own suspicion timer. */
  deadVerdicts: number;
  /** Suspicions (or verdicts) about this peer that it refuted. */
  refutations: number;
  /** Late timers taken as a freeze of this peer: no verdict from them ([M17]). */
  stalls: number;
  /** Pings relayed for others' indirect probes. */
  relays: number;
}

/** Events of a {@link SwimMembership}. */
export interface SwimEvents {
  /** The view changed (see {@link MembershipView}). */
  change: MembershipChange;
}

const MEMBERSHIP_STATE_BUDGET_BYTES = 800;
const factBytes = (f: MemberFact): number => 10 + f.peer.length + f.from.length + (f.status === 'alive' ? f.player.length : 0);
const sortedIds = (ids: Iterable<PeerId>): PeerId[] => [...ids].sort();

/**
 * SWIM + Lifeguard failure detector; implements {@link MembershipView}.
 *
 * @example
 * ```ts
 * const swim = new SwimMembership({ transport, clock: net.clock, rng: new SeededRng(1), playerId: 'alice' });
 * swim.onSend((peer, message, channel) => outboxOf(peer).enqueue(message, { channel }));
 * swim.on('change', ({ members }) => console.log(members));
 * swim.start();
 * ```
 */
export class SwimMembership implements MembershipView {
  readonly self: PeerId;
  readonly stats: SwimStats = { rounds: 0, probes: 0, indirectProbes: 0, suspicionsRaised: 0, deadVerdicts: 0, refutations: 0, stalls: 0, relays: 0 };
  /** The options in force, defaults filled in. */
  readonly options: Readonly<SwimTunables>;

  private readonly transport: MembershipTransport;
  private readonly clock: SwimOptions['clock'];
  private readonly rng: SwimOptions['rng'];
  private readonly player: string;
  private readonly events: Emitter<SwimEvents>;
  private readonly senders = new Set<MembershipSend>();
  private readonly table = new Map<PeerId, Member>();
  private readonly connected = new Set<PeerId>();
  /** Peers whose connection to us was hung up (a connection cap), until they connect again ([M10]). */
  private readonly hungUp = new Set<PeerId>();
  /** Peers whose connection to us timed out or failed, until they connect again ([M10]). */
  private readonly lost = new Set<PeerId>();
  /**
   * Connections opened before we heard a dead or left verdict on their peer: they may lead to an
   * earlier instance of a peer that rejoined under the same id (the transport holds the old
   * connection until its keep-alive timeout). A failed probe over one is no evidence; any message
   * received over it, or a new connection, makes it trusted again.
   */
  private readonly stale = new Set<PeerId>();
  private readonly queue = new BroadcastQueue();
  private readonly prober: Prober;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly onDispose: Array<() => void> = [];

  /** [M31]: the peers whose facts we keep; undefined = everyone. */
  private scope: MemberScope | undefined;
  private incarnationNo = 0;
  private autoStandby = false;
  private manualStandby = false;
  /** Refuted accusations within `standbyWindowMs`: when, and who accused ([M30]). */
  private refuted: Array<{ readonly at: number; readonly by: PeerId }> = [];
  private lastRefuteAt = Number.NEGATIVE_INFINITY;
  private tickTimer: TimerHandle | undefined;
  private tickDueAt = 0;
  private lastSyncAt = 0;
  private state: 'new' | 'running' | 'left' | 'disposed' = 'new';

  private view: readonly PeerId[];
  private standbyView: readonly PeerId[] = [];
  private versionNo = 0;
  private dirty = false;

  constructor(options: SwimOptions) {
    this.options = resolveSwimOptions(options);
    this.transport = options.transport;
    this.self = options.transport.localId;
    this.clock = options.clock;
    this.rng = options.rng;
    this.player = options.playerId ?? '';
    this.scope = options.scope;
    this.events = new Emitter<SwimEvents>(options.onListenerError);
    this.view = [this.self];
    this.prober = new Prober({
      self: this.self,
      clock: this.clock,
      rng: this.rng,
      options: this.options,
      stats: this.stats,
      running: () => this.state === 'running',
      member: (peer) => this.table.get(peer),
      table: () => [...this.table.values()],
      connected: (peer) => this.connected.has(peer),
      watched: (peer) => (this.options.probeUnconnected === 1 ? !this.hungUp.has(peer) : this.connected.has(peer) || this.lost.has(peer)),
      trusted: (peer) => this.connected.has(peer) && !this.stale.has(peer),
      piggyback: (peer) => this.piggyback(peer),
      send: (peer, message, channel) => this.send(peer, message, channel),
      failed: (m) => this.suspectByMe(m),
      stall: () => this.stall(),
      commit: () => this.commit(),
    });
  }

  /**
   * A membership running over `transport` with its own {@link MembershipWire} (one Outbox and
   * Inbox per peer), started. Disposing the membership disposes the wire.
   */
  static overTransport(transport: Transport, options: Omit<SwimOptions, 'transport'> & { readonly wire?: Omit<MembershipWireOptions, 'clock'> }): SwimMembership {
    const { wire: wireOptions, ...rest } = options;
    const membership = new SwimMembership({ ...rest, transport });
    const wire = new MembershipWire(transport, membership, { ...wireOptions, clock: options.clock });
    membership.onDispose.push(() => wire.dispose());
    membership.start();
    return membership;
  }

  // ------------------------------------------------------------------ MembershipView

  members(): readonly PeerId[] {
    return this.view;
  }

  standby(): readonly PeerId[] {
    return this.standbyView;
  }

  version(): number {
    return this.versionNo;
  }

  on<K extends keyof SwimEvents>(event: K, listener: (payload: SwimEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Stops timers and listeners without a goodbye (use {@link leave} first to leave gracefully). */
  dispose(): void {
    if (this.state === 'disposed') return;
    this.stopTimers();
    this.state = 'disposed';
    for (const off of this.unsubscribe.splice(0)) off();
    for (const fn of this.onDispose.splice(0)) fn();
    this.senders.clear();
    this.events.removeAll();
  }

  // ------------------------------------------------------------------ wiring

  /**
   * Registers where outgoing membership messages go; returns an unregister function. The
   * membership calls every registered sender synchronously with (peer, message, channel) and
   * never retries: a sender should enqueue the message on that peer's Outbox (or drop it if the
   * peer is not connected; probes treat a lost message like any other loss).
   */
  onSend(send: MembershipSend): () => void {
    this.senders.add(send);
    return () => this.senders.delete(send);
  }

  /**
   * Feeds a membership message received from `peer` (decoded by the wire layer). Other message
   * types are ignored, so a room may pass everything it receives.
   */
  handle(peer: PeerId, message: Message): void {
    if (this.state !== 'running' || peer === this.self) return;
    const m = this.table.get(peer);
    if (m) {
      m.directFailAt = undefined;
      m.unreachableSince = undefined;
      m.lastHeardAt = this.clock.now();
    }
    this.stale.delete(peer);
    switch (message.type) {
      case 'member-ping':
        this.applyAll(peer, message.updates);
        this.send(peer, { type: 'member-ack', seq: message.seq, updates: this.piggyback(peer) }, 'state');
        break;
      case 'member-ack':
        this.applyAll(peer, message.updates);
        this.prober.onAck(peer, message.seq);
        break;
      case 'member-ping-req':
        this.applyAll(peer, message.updates);
        this.prober.onPingReq(peer, message.seq, message.target as PeerId);
        break;
      case 'member-nack':
        this.prober.onNack(peer, message.seq);
        break;
      case 'member-updates':
        this.applyAll(peer, message.updates);
        break;
      default:
        return;
    }
    this.commit();
  }

  /**
   * Starts probing and announces this peer to everyone connected. Call once, after wiring
   * {@link onSend} and {@link handle}.
   */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    const t = this.transport;
    this.unsubscribe.push(
      t.on('peer-joined', ({ peer }) => this.onPeerJoined(peer)),
      t.on('peer-left', ({ peer, reason }) => this.onPeerLeft(peer, reason)),
    );
    for (const peer of t.peers()) this.onPeerJoined(peer);
    this.lastSyncAt = this.clock.now();
    // A random phase, so members started together do not probe in lockstep.
    this.scheduleTick(randomInt(this.rng, Math.max(1, Math.floor(this.options.probeIntervalMs))));
  }

  // ------------------------------------------------------------------ public controls

  /**
   * Leaves gracefully ([M20]): tells every connected peer at once (reliable channel) that this
   * peer left, so they drop it without a timeout, then stops. The view becomes just `self`.
   */
  leave(): void {
    if (this.state !== 'running') return;
    const fact: MemberFact = { peer: this.self, incarnation: this.incarnationNo, status: 'left', standby: false, from: this.self, player: '' };
    this.broadcastNow([fact], 'control');
    this.stopTimers();
    this.state = 'left';
    for (const m of this.table.values()) {
      if (isMemberStatus(m.status)) this.dirty = true;
    }
    this.table.clear();
    this.commit();
  }

  /**
   * Puts this peer in standby (or takes it out of manual standby): it stays a member but is
   * announced as not eligible for authority ([M30]), e.g. while its tab is hidden.
   */
  setStandby(standby: boolean): void {
    if (this.state !== 'running' || this.manualStandby === standby) return;
    const before = this.selfStandby();
    this.manualStandby = standby;
    if (this.selfStandby() !== before) {
      this.incarnationNo++;
      this.announceSelf();
      this.dirty = true;
      this.commit();
    }
  }

  /**
   * Keeps membership of the peers `scope` admits, and of every peer connected, only ([M31]);
   * `undefined` keeps everyone. Members it no longer admits leave the view at once (no tombstone:
   * nothing is known against them); peers it newly admits join as facts about them arrive (in
   * the pushes of new connections, gossip and syncs).
   *
   * @example
   * ```ts
   * swim.setScope((peer) => nearby.has(peer));
   * ```
   */
  setScope(scope: MemberScope | undefined): void {
    this.scope = scope;
    if (this.state !== 'running') return;
    for (const id of [...this.table.keys()]) if (!this.admits(id)) this.forget(id);
    this.commit();
  }

  /** [M31]: a peer whose facts we keep: in the scope, or connected (it speaks for itself). */
  private admits(peer: PeerId): boolean {
    return this.scope === undefined || this.connected.has(peer) || this.scope(peer);
  }

  /** Drops everything known of `peer` ([M31]): it leaves the view with no verdict. */
  private forget(peer: PeerId): void {
    const m = this.table.get(peer);
    if (!m) return;
    if (isMemberStatus(m.status)) this.dirty = true;
    this.clearSuspicion(m);
    this.prober.abandon(peer);
    this.table.delete(peer);
  }

  /** This peer's incarnation: raised by every refutation and attribute change. */
  get incarnation(): number {
    return this.incarnationNo;
  }

  /** Local health multiplier minus one (Lifeguard): 0 when healthy. */
  get localHealth(): number {
    return this.prober.localHealth;
  }

  /** What this peer knows about `peer` (tombstones included), or undefined. */
  info(peer: PeerId): MemberInfo | undefined {
    if (peer === this.self) {
      return { status: this.state === 'left' ? 'left' : 'alive', incarnation: this.incarnationNo, standby: this.selfStandby(), player: this.player };
    }
    const m = this.table.get(peer);
    return m && { status: m.status, incarnation: m.incarnation, standby: m.standby, player: m.player };
  }

  /** The player id announced by member `peer` ('' if none or unknown). */
  playerOf(peer: PeerId): string {
    return this.info(peer)?.player ?? '';
  }

  // ------------------------------------------------------------------ transport hints ([M5])

  private onPeerJoined(peer: PeerId): void {
    if (this.state !== 'running' || peer === this.self) return;
    this.connected.add(peer);
    const afterHangUp = this.hungUp.delete(peer);
    this.lost.delete(peer);
    this.stale.delete(peer);
    // Push our whole view; the peer pushes its own, which makes it a member: a push-pull sync per
    // connection ([M4]). The connection alone does not: a peer is a member on its own word. Not
    // again to a member back after a hang-up: the views never parted (gossip kept flowing), and
    // under a connection cap a whole view per re-dial is most of the traffic of a large room.
    const m = this.table.get(peer);
    if (!afterHangUp || m?.status !== 'alive') this.send(peer, { type: 'member-updates', updates: this.snapshot().map(toWire) }, 'control');
    this.commit();
  }

  private onPeerLeft(peer: PeerId, reason: LeaveReason): void {
    if (this.state !== 'running') return;
    this.connected.delete(peer);
    this.stale.delete(peer);
    if (reason === 'hung-up') this.hungUp.add(peer);
    else this.hungUp.delete(peer);
    if (reason === 'timeout' || reason === 'error') this.lost.add(peer);
    else this.lost.delete(peer);
    // Our own transport closing reports every peer as closed: that says nothing about them. A
    // hang-up (a connection cap at either end) says nothing either: probes go through helpers now.
    if (this.transport.closed) return;
    if (reason === 'hung-up') {
      // [M31]: we kept it for its connection only; no one will tell us about it any more.
      if (!this.admits(peer)) this.forget(peer);
      this.commit();
      return;
    }
    const m = this.table.get(peer);
    if (!m || !isMemberStatus(m.status)) return;
    if (reason === 'closed') {
      this.apply({ peer, incarnation: m.incarnation, status: 'left', standby: false, from: this.self, player: '' });
    } else {
      // Only a hint: probe now (through helpers, as the connection is gone).
      this.prober.startProbe(peer);
    }
    this.commit();
  }

  // ------------------------------------------------------------------ probing ([M10], [M11])

  private scheduleTick(delay: number): void {
    this.tickDueAt = this.clock.now() + delay;
    this.tickTimer = this.clock.setTimeout(() => this.onTick(), delay);
  }

  private onTick(): void {
    this.tickTimer = undefined;
    if (this.state !== 'running') return;
    const now = this.clock.now();
    if (now - this.tickDueAt > this.options.stallMs) {
      this.stall();
      return;
    }
    this.stats.rounds++;
    this.expireTombstones(now);
    this.checkStandbyRecovery(now);
    this.maybeSync(now);
    const targets = this.prober.nextTargets(Math.floor(this.options.probeFanout));
    for (const t of targets) this.prober.startProbe(t);
    this.scheduleTick(this.options.probeIntervalMs * (this.prober.localHealth + 1));
    this.commit();
  }

  // ------------------------------------------------------------------ suspicion ([M12]–[M14])

  /** Our own probe of `m` failed: raise a suspicion or confirm the standing one. */
  private suspectByMe(m: Member): void {
    const fact: MemberFact = { peer: m.id, incarnation: m.incarnation, status: 'suspect', standby: m.standby, from: this.self, player: '' };
    if (m.status === 'suspect') {
      if (!this.confirm(m, this.self)) return;
    } else {
      this.startSuspicion(m, m.incarnation, this.self);
    }
    this.stats.suspicionsRaised++;
    this.queue.push(fact);
    this.broadcastNow([fact], 'state');
    this.checkReplaced(m);
  }

  private startSuspicion(m: Member, incarnation: number, from: PeerId): void {
    this.clearSuspicion(m);
    m.status = 'suspect';
    m.incarnation = incarnation;
    m.changedAt = this.clock.now();
    m.suspicion = { incarnation, start: this.clock.now(), confirmers: new Set([from]), timer: undefined, dueAt: 0 };
    this.armSuspicion(m);
  }

  /** Adds an independent confirmation; true if it was new. */
  private confirm(m: Member, from: PeerId): boolean {
    const s = m.suspicion;
    if (!s || s.confirmers.has(from) || from === m.id) return false;
    s.confirmers.add(from);
    this.armSuspicion(m);
    return true;
  }

  private armSuspicion(m: Member): void {
    const s = m.suspicion;
    if (!s) return;
    if (s.timer !== undefined) this.clock.clearTimeout(s.timer);
    const o = this.options;
    let count = 0;
    for (const x of this.table.values()) if (isMemberStatus(x.status)) count++;
    // Peers that could confirm besides the first suspecter: everyone but the suspect and it.
    const k = Math.min(o.suspicionConfirmations, count + 1 - 2);
    const min = Math.max(o.suspicionMinMs, m.rtt.timeout(o.probeTimeoutMs, o.maxProbeTimeoutMs, o.rttMarginMs));
    const max = Math.max(o.suspicionMaxMs, 4 * min);
    s.dueAt = s.start + suspicionTimeoutMs(s.confirmers.size - 1, k, min, max);
    s.timer = this.clock.setTimeout(() => this.onSuspicionTimeout(m, s), Math.max(0, s.dueAt - this.clock.now()));
  }

  private onSuspicionTimeout(m: Member, s: Suspicion): void {
    s.timer = undefined;
    if (m.suspicion !== s || this.state !== 'running' || this.table.get(m.id) !== m) return;
    if (this.clock.now() - s.dueAt > this.options.stallMs) {
      this.stall();
      return;
    }
    this.stats.deadVerdicts++;
    this.declareDead(m);
    this.commit();
  }

  private declareDead(m: Member): void {
    const fact: MemberFact = { peer: m.id, incarnation: m.incarnation, status: 'dead', standby: false, from: this.self, player: '' };
    this.apply(fact);
    this.broadcastNow([fact], 'control');
  }

  private clearSuspicion(m: Member): void {
    if (m.suspicion?.timer !== undefined) this.clock.clearTimeout(m.suspicion.timer);
    m.suspicion = undefined;
  }

  /**
   * [M22]: a suspected member whose player is also held by another alive member has crashed and
   * its player rejoined under a new id: declared dead at once.
   */
  private checkReplaced(changed: Member): void {
    if (changed.player === '') return;
    if (changed.status === 'suspect' && changed.player === this.player) {
      // We are the player's new id.
      this.declareDead(changed);
      return;
    }
    for (const m of this.table.values()) {
      if (m === changed || m.player !== changed.player) continue;
      const [old, fresh] = changed.status === 'suspect' ? [changed, m] : [m, changed];
      if (old.status === 'suspect' && fresh.status === 'alive') {
        this.declareDead(old);
        return;
      }
    }
  }

  // ------------------------------------------------------------------ facts ([M2], [M3])

  /**
   * Applies the facts `sender` sent. Where the sender's fact is older than ours (it missed a
   * refutation or a verdict), ours goes straight back to it ([M15]): gossip alone can miss one
   * peer for a long time, and that peer would then reach a verdict nobody else holds.
   */
  private applyAll(sender: PeerId, updates: readonly WireUpdate[]): void {
    let corrections: MemberFact[] | undefined;
    for (const u of updates) {
      const f = fromWire(u);
      if (!f) continue;
      this.checkConflict(f);
      const ours = this.newerThan(f);
      if (ours) (corrections ??= []).push(ours);
      else this.apply(f);
    }
    if (corrections) {
      const updates = corrections.slice(0, this.options.maxPiggyback).map(toWire);
      this.send(sender, { type: 'member-updates', updates }, 'state');
    }
  }

  /**
   * [M21]: two lives of one id (a peer that crashed and came back under its id) can announce the
   * same incarnation with different attributes (standby, player): neither fact supersedes the
   * other, so views would keep whichever arrived first, and disagree. Whoever sees both tells the
   * peer itself (not the sender: two holders would argue forever), which outruns both.
   */
  private checkConflict(f: MemberFact): void {
    if (f.peer === this.self || f.status !== 'alive') return;
    const m = this.table.get(f.peer);
    if (!m || !isMemberStatus(m.status) || m.incarnation !== f.incarnation || (m.standby === f.standby && m.player === f.player)) return;
    this.send(f.peer, { type: 'member-updates', updates: [toWire({ ...this.factOf(m), status: 'alive', from: m.id })] }, 'state');
  }

  /** Our fact about `f.peer` if it has a higher incarnation than `f` (so `f` is stale news). */
  private newerThan(f: MemberFact): MemberFact | undefined {
    if (f.peer === this.self) {
      return this.state === 'running' && f.status !== 'alive' && f.incarnation < this.incarnationNo ? this.selfFact() : undefined;
    }
    const m = this.table.get(f.peer);
    return m && m.incarnation > f.incarnation ? this.factOf(m) : undefined;
  }

  /** Applies a fact from anyone; newer facts are queued for dissemination. */
  private apply(f: MemberFact): void {
    if (f.peer === this.self) {
      this.applySelf(f);
      return;
    }
    const m = this.table.get(f.peer);
    // [M31]: news of a peer outside the scope that we hold nothing of is not ours to keep.
    if (!m && !this.admits(f.peer)) return;
    switch (f.status) {
      case 'alive': {
        if (m && !(f.incarnation > m.incarnation)) return;
        const member = m ?? newMember(f.peer, f.incarnation, 'alive', this.clock.now());
        if (!m) this.table.set(f.peer, member);
        const wasMember = m ? isMemberStatus(m.status) : false;
        if (!wasMember || member.standby !== f.standby) this.dirty = true;
        this.clearSuspicion(member);
        member.status = 'alive';
        member.incarnation = f.incarnation;
        member.standby = f.standby;
        member.player = f.player;
        if (!wasMember) member.changedAt = this.clock.now();
        this.queue.push(f);
        this.checkReplaced(member);
        return;
      }
      case 'suspect': {
        // Suspicions about peers we do not hold as members are ignored (as memberlist does).
        if (!m || !isMemberStatus(m.status) || f.incarnation < m.incarnation) return;
        if (m.status === 'suspect' && f.incarnation === m.incarnation) {
          if (this.confirm(m, f.from)) this.queue.push(f);
          return;
        }
        this.startSuspicion(m, f.incarnation, f.from);
        this.queue.push(f);
        this.checkReplaced(m);
        return;
      }
      case 'dead':
      case 'left': {
        if (!m) {
          // A tombstone, so stale alive gossip cannot bring the peer back ([M23]).
          this.table.set(f.peer, newMember(f.peer, f.incarnation, f.status, this.clock.now()));
          return;
        }
        if (!supersedes(m, f)) return;
        if (f.status === 'dead' && this.heardRecently(m) && m.status === 'alive' && f.incarnation === m.incarnation && f.from !== this.self) {
          // Another member's verdict against our own fresh evidence ([M13]): a member that hears
          // nobody (overloaded, one-way link) would otherwise drop everyone from every view. We
          // take it as that member's suspicion; the peer refutes it, or our own probes confirm it.
          this.startSuspicion(m, f.incarnation, f.from);
          return;
        }
        if (isMemberStatus(m.status)) this.dirty = true;
        if (this.connected.has(f.peer)) this.stale.add(f.peer);
        this.clearSuspicion(m);
        m.status = f.status;
        m.incarnation = f.incarnation;
        m.changedAt = this.clock.now();
        this.prober.abandon(m.id);
        this.queue.push(f);
        return;
      }
    }
  }

  /** We heard from `m` (or it acked) within the last two probe rounds. */
  private heardRecently(m: Member): boolean {
    const window = Math.max(2 * this.options.probeIntervalMs * (this.prober.localHealth + 1), this.prober.probeTimeout(m));
    return this.clock.now() - m.lastHeardAt <= window;
  }

  /** A fact about this peer: refute anything but alive ([M14]). */
  private applySelf(f: MemberFact): void {
    if (f.incarnation < this.incarnationNo) return;
    if (f.status === 'alive') {
      // Someone holds a newer incarnation of us (an earlier life under this id), or the same one
      // with other attributes (an earlier life announced it too, [M21]): outrun it.
      if (f.incarnation > this.incarnationNo || (this.state === 'running' && (f.standby !== this.selfStandby() || f.player !== this.player))) {
        this.incarnationNo = f.incarnation + 1;
        this.announceSelf();
      }
      return;
    }
    this.stats.refutations++;
    this.incarnationNo = f.incarnation + 1;
    if (f.status === 'suspect') this.prober.adjustHealth(+1);
    const now = this.clock.now();
    this.lastRefuteAt = now;
    this.refuted = this.refuted.filter((r) => now - r.at < this.options.standbyWindowMs);
    this.refuted.push({ at: now, by: f.from });
    if (!this.autoStandby && this.standbyDue()) {
      this.autoStandby = true;
      this.dirty = true;
    }
    this.announceSelf();
  }

  /** Queues and sends at once our current alive fact (refutation or attribute change). */
  private announceSelf(): void {
    const fact = this.selfFact();
    this.queue.push(fact);
    this.broadcastNow([fact], 'state');
  }

  private selfFact(): MemberFact {
    return { peer: this.self, incarnation: this.incarnationNo, status: 'alive', standby: this.selfStandby(), from: this.self, player: this.player };
  }

  private selfStandby(): boolean {
    return this.autoStandby || this.manualStandby;
  }

  /**
   * [M30]: `standbyRefutes` refuted accusations within the window, from at least two different
   * accusers when the room has them: one member that cannot hear anyone accuses everybody, and
   * must not send the whole room to standby.
   */
  private standbyDue(): boolean {
    const need = this.options.standbyRefutes;
    if (need <= 0 || this.refuted.length < need || !this.othersEligible()) return false;
    const accusers = new Set(this.refuted.map((r) => r.by)).size;
    return accusers >= Math.min(2, this.view.length - 1);
  }

  /** True when some other live member may hold authority: standing by leaves the room a czar. */
  private othersEligible(): boolean {
    for (const m of this.table.values()) if (m.id !== this.self && m.status === 'alive' && !m.standby) return true;
    return false;
  }

  private checkStandbyRecovery(now: number): void {
    // Back after `standbyRecoveryMs` without accusations, or at once when every other member is
    // set aside too (they went to standby together, e.g. after a loss burst): a room where
    // everyone stands by has no czar at all ([M30]).
    if (!this.autoStandby || (now - this.lastRefuteAt < this.options.standbyRecoveryMs && this.othersEligible())) return;
    this.autoStandby = false;
    this.refuted = [];
    if (!this.manualStandby) {
      this.incarnationNo++;
      this.announceSelf();
      this.dirty = true;
    }
  }

  private expireTombstones(now: number): void {
    for (const [id, m] of this.table) {
      if (!isMemberStatus(m.status) && now - m.changedAt > this.options.tombstoneMs) this.table.delete(id);
    }
  }

  // ------------------------------------------------------------------ dissemination ([M15])

  /** Facts for one message to `to`: news about `to` itself first (it must refute it). */
  private piggyback(to: PeerId): WireUpdate[] {
    const o = this.options;
    const facts = this.queue.take(o.maxPiggyback, retransmitLimit(o.retransmitMultiplier, this.view.length), to, MEMBERSHIP_STATE_BUDGET_BYTES, factBytes);
    const m = this.table.get(to);
    if (m && m.status !== 'alive' && !facts.some((f) => f.peer === to)) facts.unshift(this.factOf(m));
    return facts.map(toWire);
  }

  private factOf(m: Member): MemberFact {
    const from = m.suspicion ? ([...m.suspicion.confirmers][0] ?? this.self) : this.self;
    return { peer: m.id, incarnation: m.incarnation, status: m.status, standby: m.standby, from: m.status === 'alive' ? m.id : from, player: m.player };
  }

  /** Everything we know: ourselves, members and tombstones (the push of a push-pull sync). */
  private snapshot(): MemberFact[] {
    const out = [this.selfFact()];
    for (const m of this.table.values()) out.push(this.factOf(m));
    return out;
  }

  /** Anti-entropy: the whole view to one random connected member every `syncIntervalMs`. */
  private maybeSync(now: number): void {
    const every = this.options.syncIntervalMs;
    if (every <= 0 || now - this.lastSyncAt < every || this.connected.size === 0) return;
    this.lastSyncAt = now;
    const peers = [...this.connected];
    const peer = peers[randomInt(this.rng, peers.length)]!;
    this.send(peer, { type: 'member-updates', updates: this.snapshot().map(toWire) }, 'control');
  }

  /** Sends `facts` to every connected peer now (urgent news, [M15]). */
  private broadcastNow(facts: readonly MemberFact[], channel: Channel): void {
    const updates = facts.map(toWire);
    for (const peer of this.connected) this.send(peer, { type: 'member-updates', updates }, channel);
  }

  private send(peer: PeerId, message: MembershipMessage, channel: Channel): void {
    for (const s of this.senders) s(peer, message, channel);
  }

  // ------------------------------------------------------------------ stalls ([M17])

  /**
   * A timer fired far later than due: this peer was frozen (suspended tab, paused process), so
   * the silence it measured is its own. Drops every pending probe and relay without a verdict,
   * restarts suspicion timers from now, and raises local health.
   */
  private stall(): void {
    this.stats.stalls++;
    this.prober.clear();
    const now = this.clock.now();
    for (const m of this.table.values()) {
      if (m.suspicion) {
        m.suspicion.start = now;
        this.armSuspicion(m);
      }
      m.directFailAt = undefined;
    }
    this.prober.adjustHealth(+1);
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    this.scheduleTick(this.options.probeIntervalMs * (this.prober.localHealth + 1));
  }

  private stopTimers(): void {
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    this.prober.clear();
    for (const m of this.table.values()) this.clearSuspicion(m);
    this.queue.clear();
  }

  // ------------------------------------------------------------------ view ([M1])

  private commit(): void {
    if (!this.dirty || this.state === 'disposed') return;
    this.dirty = false;
    const members: PeerId[] = [this.self];
    const standby: PeerId[] = [];
    if (this.state === 'running' && this.selfStandby()) standby.push(this.self);
    for (const m of this.table.values()) {
      if (!isMemberStatus(m.status)) continue;
      members.push(m.id);
      if (m.standby) standby.push(m.id);
    }
    members.sort();
    standby.sort();
    if (sameItems(members, this.view) && sameItems(standby, this.standbyView)) return;
    const before = new Set(this.view);
    const after = new Set(members);
    const joined = members.filter((p) => !before.has(p));
    const left = sortedIds(this.view.filter((p) => !after.has(p)));
    this.view = members;
    this.standbyView = standby;
    this.versionNo++;
    this.events.emit('change', { version: this.versionNo, members, standby, joined, left });
  }
}
