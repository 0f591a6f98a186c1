/**
 * `SimNetwork`: an in-memory network of {@link SimTransport}s on a {@link VirtualClock}, with
 * per-link latency, jitter, loss, duplication, reordering and bandwidth, partitions, crashes and
 * paused peers, all drawn from a seed. Nothing happens until the test advances the clock.
 *
 * Model, in one place:
 * - A `join` dials the peers its {@link MeshPolicy} picks among those already in the room; both
 *   sides see `peer-joined` one link latency later (if both are live, not paused and reachable),
 *   the dialled side first.
 * - `state` packets are lost, duplicated and reordered as the link says; a packet whose two ends
 *   were separated by a partition at any time during its flight is cut.
 * - `control` packets are never lost: each lost attempt adds one retransmission timeout (RTO,
 *   doubling per attempt). They arrive in send order (a packet never arrives before the previous
 *   one on its link) and wait out a partition, as SCTP would retransmit through it, unless the
 *   connection is gone by the time they get through.
 * - Keep-alives work as in `PeerJsTransport`: every `keepAliveMs` each transport checks each
 *   peer; one not heard from (any packet, either channel) for more than `peerTimeoutMs` is dropped
 *   (`peer-left`, reason `timeout`), every other one gets an internal keep-alive on `state`. A
 *   silent peer is thus noticed between `peerTimeoutMs` and `peerTimeoutMs + keepAliveMs` after
 *   the last packet from it. Partitions and crashes are only ever noticed this way.
 * - Re-dial (sim only; the real transport leaves it to the layer above via `dial()`): after a
 *   `timeout` leave or a failed dial, a transport dials that peer again every `redialMs` while
 *   both are in the room, reachable, and neither holds a connection to the other.
 * - One connection per pair, as in `PeerJsTransport`: a dial to a peer that still holds an open
 *   connection to the same id (e.g. a crashed peer rejoining under its old id) fails until that
 *   peer's timeout drops the old connection.
 * - `close()` sends a goodbye on both channels; peers see `peer-left` (closed) at the first one to
 *   arrive, so on a lossy link it may overtake control messages sent before it, and those are then
 *   lost, exactly as with the real transport. The closing side emits `peer-left` (closed) for each
 *   of its peers, then `closed`.
 * - A paused peer runs no timers and processes no packets; they queue and are processed on
 *   resume (messages first, then an immediate keep-alive tick).
 */
import { ArgumentError, ErrorCode, TransportError } from '../../errors.js';
import { VirtualClock } from '../../util/clock.js';
import { SeededRng, chance } from '../../util/rng.js';
import type { Channel, LeaveReason, PeerId } from '../types.js';
import { fullMesh } from '../mesh.js';
import {
  DEFAULT_LINK,
  DEFAULT_TRANSPORT,
  validateLinkOptions,
  validateTransportOptions,
  type LinkOptions,
  type SimTransportOptions,
} from './options.js';
import { PartitionTable } from './partition.js';
import { PacketKind, SimLink, SimNode, type ConnEnd, type Packet, type ResolvedTransportOptions, type SimConnection } from './model.js';
import { addCounters, zeroCounters, type SimCounters, type SimLinkStats, type SimPeerStats, type SimStats } from './stats.js';
import { SimTransport, type SimHost } from './transport.js';

/** Options of a {@link SimNetwork}. */
export interface SimNetworkOptions {
  /** Seed of every random choice (ids, loss, jitter, ...): the same seed replays the same run. */
  readonly seed: number;
  /** Clock to run on; pass one to share it with the code under test. Default: a new one at 0. */
  readonly clock?: VirtualClock;
  /** Link behaviour where no `setLink` override applies. Default {@link DEFAULT_LINK}. */
  readonly defaultLink?: Partial<LinkOptions>;
  /** Defaults for every `join` (a join's own options win). */
  readonly transport?: SimTransportOptions;
  /** Where exceptions thrown by event listeners go. Default: rethrown in a microtask. */
  readonly onListenerError?: (err: unknown) => void;
}

/** Minimum retransmission timeout, in ms (RFC 4960 RTO.Min is 1 s; browsers' SCTP use ~200 ms). */
const MIN_RTO_MS = 200;
/** Retransmission timeouts double per lost attempt up to this cap (RFC 4960 RTO.Max). */
const MAX_RTO_MS = 60_000;
/** A control packet is retransmitted at most this often; past that it arrives late, not never. */
const MAX_RETRANSMITS = 16;
/** Wire size of a keep-alive or goodbye: about a minimal frame header. */
const INTERNAL_PACKET_BYTES = 4;
const EMPTY = new Uint8Array(0);
const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * An in-memory network of simulated peers for deterministic tests: every peer runs in one
 * process on one {@link VirtualClock}, and latency, loss, partitions and crashes come from the
 * seed, so a failing run replays exactly. Nothing moves until the test calls `run`/`runUntil`.
 *
 * @example
 * ```ts
 * const net = new SimNetwork({ seed: 42, defaultLink: { latencyMs: 30, loss: 0.02 } });
 * const [alice, bob] = [net.join('alice'), net.join('bob')];
 * net.runUntil(() => alice.peers().includes(bob.localId));
 * net.partition(['alice'], ['bob']); // both see 'peer-left' (timeout) about 5 s later
 * net.run(6_000);
 * ```
 */
export class SimNetwork {
  /** The virtual clock everything on this network runs on; share it with the code under test. */
  readonly clock: VirtualClock;
  /** The seed, as an unsigned 32-bit integer: print it when a test fails. */
  readonly seed: number;

  private defaultLink: LinkOptions;
  private readonly overrides = new Map<PeerId, Map<PeerId, Partial<LinkOptions>>>();
  private linkVersion = 0;
  private readonly partitions = new PartitionTable();
  private readonly transportDefaults: SimTransportOptions;
  private readonly onListenerError: ((err: unknown) => void) | undefined;

  /** Current incarnation of every id that ever joined. */
  private readonly nodes = new Map<PeerId, SimNode>();
  private readonly handles = new Map<PeerId, SimTransport>();
  private readonly incarnations = new Map<PeerId, number>();
  private readonly rooms = new Map<string, Room>();
  private readonly linkStats = new Map<PeerId, Map<PeerId, SimLinkStats>>();
  private readonly linkStatsList: SimLinkStats[] = [];
  /** Links whose head control packet waits for a partition to heal. */
  private readonly stalled = new Set<SimLink>();
  private readonly idRng: SeededRng;
  private readonly meshRng: SeededRng;
  private nextConnId = 1;
  private disposed = false;
  private readonly host: SimHost;

  constructor(options: SimNetworkOptions) {
    if (!Number.isInteger(options.seed)) throw new ArgumentError(`seed must be an integer, got ${String(options.seed)}`);
    this.seed = options.seed >>> 0;
    this.clock = options.clock ?? new VirtualClock();
    validateLinkOptions(options.defaultLink ?? {});
    this.defaultLink = { ...DEFAULT_LINK, ...options.defaultLink };
    validateTransportOptions(options.transport ?? {});
    this.transportDefaults = options.transport ?? {};
    this.onListenerError = options.onListenerError;
    this.idRng = new SeededRng(seedFor(this.seed, 'ids'));
    this.meshRng = new SeededRng(seedFor(this.seed, 'mesh'));
    this.host = {
      send: (node, peer, channel, data) => this.send(node, peer, channel, data),
      bufferedAmount: (node, peer, channel) => (node.conns.has(peer) ? (node.out.get(peer)?.buffered[channel] ?? 0) : 0),
      close: (node) => this.close(node),
      dial: (node, peer) => this.dialRequest(node, peer),
      hangUp: (node, peer) => this.hangUp(node, peer),
    };
  }

  /** Virtual time in ms. */
  now(): number {
    return this.clock.now();
  }

  // ---------------------------------------------------------------- peers

  /**
   * Adds a peer to a room and dials the peers already there (see {@link MeshPolicy}); both sides
   * see `peer-joined` one link latency later. Without `id`, one is drawn from the seed.
   * Throws `peer-id-unavailable` if a live peer already uses `id`; a crashed or closed peer's id
   * may be reused (a rejoin), but a peer still holding a connection to the old one refuses the
   * dial until its keep-alive timeout drops it (then the re-dial connects them).
   */
  join(id?: string, options: SimTransportOptions = {}): SimTransport {
    if (this.disposed) throw new TransportError(ErrorCode.Closed, 'this SimNetwork was disposed; create a new one');
    validateTransportOptions({ ...this.transportDefaults, ...options });
    const opts = this.resolveTransportOptions(options);
    const peerId = id === undefined ? this.generateId() : checkId(id);
    if (this.nodes.get(peerId)?.live) {
      throw new TransportError(ErrorCode.PeerIdUnavailable, `peer id ${peerId} is in use on this network; pick another or omit it`, { peer: peerId });
    }
    const incarnation = (this.incarnations.get(peerId) ?? 0) + 1;
    this.incarnations.set(peerId, incarnation);
    const node = new SimNode(peerId, incarnation, opts, this.onListenerError);
    this.nodes.set(peerId, node);
    const transport = new SimTransport(node, this.host, this);
    this.handles.set(peerId, transport);

    let room = this.rooms.get(opts.room);
    if (!room) this.rooms.set(opts.room, (room = new Room()));
    this.startTick(node);
    // The policy sees the room's own id list (no copy: joins stay O(1) with 10,000 peers); the
    // joiner is added only after its dials, so it can never dial itself.
    const chosen = opts.mesh(peerId, room.ids, { room: opts.room, now: this.clock.now(), rng: this.meshRng });
    for (const other of chosen) {
      const peer = room.members.get(other);
      if (peer) this.dial(node, peer, true);
    }
    room.add(node);
    return transport;
  }

  /** The current transport with this id (crashed and closed ones included), if any. */
  transport(id: string): SimTransport | undefined {
    return this.handles.get(id as PeerId);
  }

  /** Every transport that joined (latest incarnation per id), in first-join order. */
  transports(): SimTransport[] {
    return [...this.handles.values()];
  }

  /** Ids of the live peers in `room`, in join order. */
  roomMembers(room: string = DEFAULT_TRANSPORT.room): PeerId[] {
    return [...(this.rooms.get(room)?.ids ?? [])];
  }

  /**
   * Makes a peer vanish: it stops sending, receiving and running timers, says no goodbye, and its
   * queued (not yet serialized) packets are lost. Others notice through keep-alive timeouts.
   */
  crash(id: string): void {
    const node = this.requireNode(id);
    if (!node.live) return;
    node.state = 'crashed';
    this.detach(node);
  }

  /**
   * Freezes a peer like a suspended tab: its timers do not run and arriving packets queue until
   * {@link resume} (or until `ms` have passed, when given). It can still be told to send.
   */
  pause(id: string, ms?: number): void {
    const node = this.requireNode(id);
    if (ms !== undefined && !(ms >= 0)) throw new ArgumentError(`pause duration must be >= 0 ms, got ${String(ms)}`);
    if (!node.live || node.paused) return;
    node.paused = true;
    this.clearTimer(node.tickTimer);
    this.clearTimer(node.redialTimer);
    node.tickTimer = node.redialTimer = undefined;
    if (ms !== undefined) node.resumeTimer = this.clock.setTimeout(() => this.resumeNode(node), ms);
  }

  /** Wakes a paused peer: queued packets are processed, then overdue keep-alives and timeouts. */
  resume(id: string): void {
    this.resumeNode(this.requireNode(id));
  }

  // ---------------------------------------------------------------- links and partitions

  /** Changes the default behaviour of every link without an override. */
  setDefaultLink(options: Partial<LinkOptions>): void {
    validateLinkOptions(options);
    this.defaultLink = { ...this.defaultLink, ...options };
    this.linkVersion++;
  }

  /** Overrides the directed link `from → to` (merged over earlier overrides and the default). */
  setLink(from: string, to: string, options: Partial<LinkOptions>): void {
    validateLinkOptions(options);
    let row = this.overrides.get(from as PeerId);
    if (!row) this.overrides.set(from as PeerId, (row = new Map()));
    row.set(to as PeerId, { ...row.get(to as PeerId), ...options });
    this.linkVersion++;
  }

  /** {@link setLink} in both directions. */
  setLinkBoth(a: string, b: string, options: Partial<LinkOptions>): void {
    this.setLink(a, b, options);
    this.setLink(b, a, options);
  }

  /** Removes every per-link override (the default stays). */
  clearLinkOverrides(): void {
    this.overrides.clear();
    this.linkVersion++;
  }

  /** The options in force on `from → to`. */
  linkOptions(from: string, to: string): Readonly<LinkOptions> {
    return { ...this.defaultLink, ...this.overrides.get(from as PeerId)?.get(to as PeerId) };
  }

  /**
   * Cuts the network into `groups`; peers listed in no group form one more group together.
   * Replaces any earlier partition. `state` packets in flight across the cut are dropped;
   * `control` packets wait for the heal (or for their connection to time out).
   */
  partition(...groups: ReadonlyArray<readonly string[]>): void {
    this.partitions.partition(groups as ReadonlyArray<readonly PeerId[]>);
    this.unstall();
  }

  /** Ends the partition: every peer can reach every other again. */
  heal(): void {
    this.partitions.heal();
    this.unstall();
  }

  /** True if packets can flow between `a` and `b` now. */
  reachable(a: string, b: string): boolean {
    return this.partitions.reachable(a as PeerId, b as PeerId);
  }

  // ---------------------------------------------------------------- time

  /** Advances virtual time by `ms`, delivering everything that falls due. */
  run(ms: number): void {
    this.clock.advance(ms);
  }

  /**
   * Advances virtual time event by event until `predicate()` holds (checked before the first
   * step and after every instant that had events) or `maxMs` have passed. Returns whether it held.
   */
  runUntil(predicate: () => boolean, maxMs = 60_000): boolean {
    const deadline = this.clock.now() + maxMs;
    for (;;) {
      if (predicate()) return true;
      const next = this.clock.nextAt();
      if (next === undefined || next > deadline) {
        this.clock.runUntil(deadline);
        return predicate();
      }
      this.clock.runUntil(next);
    }
  }

  // ---------------------------------------------------------------- stats

  /** A snapshot of every counter. */
  stats(): SimStats {
    const control = zeroCounters();
    const state = zeroCounters();
    let internal = 0;
    const links = this.linkStatsList.map((s) => {
      addCounters(control, s.control);
      addCounters(state, s.state);
      internal += s.internal;
      return { from: s.from, to: s.to, control: { ...s.control }, state: { ...s.state }, internal: s.internal };
    });
    return { total: addCounters(addCounters(zeroCounters(), control), state), control, state, internal, links };
  }

  /** Totals of what `id` sent and received (both channels). */
  peerStats(id: string): SimPeerStats {
    const sent = zeroCounters();
    const received = zeroCounters();
    for (const s of this.linkStatsList) {
      if (s.from === id) addCounters(addCounters(sent, s.control), s.state);
      if (s.to === id) addCounters(addCounters(received, s.control), s.state);
    }
    return { sent, received };
  }

  /** Zeroes every counter (e.g. after a warm-up). */
  resetStats(): void {
    for (const s of this.linkStatsList) {
      Object.assign(s.control, zeroCounters());
      Object.assign(s.state, zeroCounters());
      s.internal = 0;
    }
  }

  /** Stops everything silently: live transports become closed without events; timers left in the clock do nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const node of this.nodes.values()) {
      if (!node.live) continue;
      node.state = 'closed';
      this.detach(node);
      node.conns.clear();
      node.events.removeAll();
    }
  }

  // ---------------------------------------------------------------- internals: connections

  /** `SimTransport.dial`: connects to a room member unless connected or already dialing. */
  private dialRequest(node: SimNode, peer: PeerId): void {
    const other = this.nodes.get(peer);
    if (!other || !other.live || other === node || other.options.room !== node.options.room) {
      node.events.emit('error', new TransportError(ErrorCode.PeerConnectionFailed, `could not dial ${String(peer)}: no such peer in room ${node.options.room}`, { peer }));
      return;
    }
    if (node.conns.has(peer)) return;
    this.dial(node, other, true);
  }

  /** `SimTransport.hangUp`: closes one connection; the other side learns it one control trip later. */
  private hangUp(node: SimNode, peer: PeerId): void {
    const end = node.conns.get(peer);
    if (!end) return;
    this.transmit(node, end, PacketKind.HangUp, 'control', EMPTY);
    node.redial.delete(peer);
    this.dropEnd(node, end, 'hung-up');
  }

  private resolveTransportOptions(options: SimTransportOptions): ResolvedTransportOptions {
    const o = { ...this.transportDefaults, ...options };
    return {
      room: o.room ?? DEFAULT_TRANSPORT.room,
      keepAliveMs: o.keepAliveMs ?? DEFAULT_TRANSPORT.keepAliveMs,
      peerTimeoutMs: o.peerTimeoutMs ?? DEFAULT_TRANSPORT.peerTimeoutMs,
      redial: o.redial ?? DEFAULT_TRANSPORT.redial,
      redialMs: o.redialMs ?? DEFAULT_TRANSPORT.redialMs,
      mesh: o.mesh ?? fullMesh,
    };
  }

  private generateId(): PeerId {
    for (;;) {
      let id = 'sim-';
      for (let i = 0; i < 8; i++) id += ID_ALPHABET[Math.floor(this.idRng.next() * ID_ALPHABET.length)];
      if (!this.incarnations.has(id as PeerId)) return id as PeerId;
    }
  }

  private requireNode(id: string): SimNode {
    const node = this.nodes.get(id as PeerId);
    if (!node) throw new ArgumentError(`no peer ${id} ever joined this network`, { peer: id });
    return node;
  }

  private dial(dialer: SimNode, acceptor: SimNode, initial: boolean): void {
    if (dialer.dialing.has(acceptor.id) || acceptor.dialing.has(dialer.id)) return;
    const conn: SimConnection = { id: this.nextConnId++, dialer, acceptor, cancelled: false };
    dialer.dialing.set(acceptor.id, conn);
    acceptor.dialing.set(dialer.id, conn);
    const link = this.link(dialer, acceptor.id);
    this.clock.setTimeout(() => this.completeDial(conn, initial), this.latency(link, this.optionsOf(link)));
  }

  private completeDial(conn: SimConnection, initial: boolean): void {
    const { dialer, acceptor } = conn;
    if (dialer.dialing.get(acceptor.id) === conn) dialer.dialing.delete(acceptor.id);
    if (acceptor.dialing.get(dialer.id) === conn) acceptor.dialing.delete(dialer.id);
    if (this.disposed || conn.cancelled || !dialer.live) return;

    const failure = this.dialFailure(dialer, acceptor);
    if (failure) {
      if (dialer.options.redial) {
        dialer.redial.add(acceptor.id);
        this.scheduleRedial(dialer);
      }
      // Re-dials fail quietly: a long partition would otherwise flood listeners with errors.
      if (initial) {
        dialer.events.emit(
          'error',
          new TransportError(ErrorCode.PeerConnectionFailed, `could not connect to ${acceptor.id}: ${failure}`, { peer: acceptor.id }),
        );
      }
      return;
    }

    this.openEnd(acceptor, dialer, conn);
    const d = this.openEnd(dialer, acceptor, conn);
    acceptor.redial.delete(dialer.id);
    dialer.redial.delete(acceptor.id);
    acceptor.events.emit('peer-joined', { peer: dialer.id });
    // The acceptor's listeners ran first and may have closed or crashed either side.
    if (dialer.live && dialer.conns.get(acceptor.id) === d) dialer.events.emit('peer-joined', { peer: acceptor.id });
  }

  private dialFailure(dialer: SimNode, acceptor: SimNode): string | undefined {
    if (!acceptor.live) return 'the peer is gone';
    if (dialer.paused || acceptor.paused) return 'a peer is paused and did not answer';
    if (!this.partitions.reachable(dialer.id, acceptor.id)) return 'the peers are partitioned';
    if (acceptor.conns.has(dialer.id) || dialer.conns.has(acceptor.id)) {
      return 'a connection between these ids is still open (an earlier incarnation?); retry once it times out';
    }
    const there = this.optionsOf(this.link(dialer, acceptor.id));
    const back = this.optionsOf(this.link(acceptor, dialer.id));
    if (there.loss >= 1 || back.loss >= 1) return 'the link loses every packet';
    return undefined;
  }

  private openEnd(node: SimNode, peer: SimNode, conn: SimConnection): ConnEnd {
    const end: ConnEnd = { conn, peer, lastHeard: this.clock.now() };
    node.conns.set(peer.id, end);
    return end;
  }

  private dropEnd(node: SimNode, end: ConnEnd, reason: LeaveReason): void {
    if (node.conns.get(end.peer.id) !== end) return;
    node.conns.delete(end.peer.id);
    if (reason === 'timeout' && node.options.redial) {
      node.redial.add(end.peer.id);
      this.scheduleRedial(node);
    }
    node.events.emit('peer-left', { peer: end.peer.id, reason });
  }

  private startTick(node: SimNode): void {
    node.tickTimer = this.clock.setTimeout(() => this.tick(node), node.options.keepAliveMs);
  }

  /** Drops peers silent for longer than the timeout, sends a keep-alive to every other one. */
  private tick(node: SimNode): void {
    node.tickTimer = undefined;
    if (this.disposed || !node.live || node.paused) return;
    const now = this.clock.now();
    for (const end of [...node.conns.values()]) {
      if (node.conns.get(end.peer.id) !== end) continue;
      if (now - end.lastHeard > node.options.peerTimeoutMs) {
        this.dropEnd(node, end, 'timeout');
        // A listener may have closed, crashed or paused this node.
        if (!node.live || node.paused) return;
      } else {
        this.transmit(node, end, PacketKind.KeepAlive, 'state', EMPTY);
      }
    }
    if (node.tickTimer === undefined) this.startTick(node);
  }

  private scheduleRedial(node: SimNode): void {
    if (!node.options.redial || node.redialTimer || node.redial.size === 0 || !node.live || node.paused) return;
    node.redialTimer = this.clock.setTimeout(() => this.redialNow(node), node.options.redialMs);
  }

  private redialNow(node: SimNode): void {
    node.redialTimer = undefined;
    if (this.disposed || !node.live || node.paused) return;
    for (const id of [...node.redial]) {
      const other = this.nodes.get(id);
      if (!other || !other.live || other.options.room !== node.options.room) {
        node.redial.delete(id);
        continue;
      }
      const mine = node.conns.get(id);
      if (mine) {
        // Connected again, or still holding an earlier incarnation until our own timeout drops it.
        if (mine.peer === other) node.redial.delete(id);
        continue;
      }
      if (node.dialing.has(id) || other.dialing.has(node.id)) continue;
      // The other side still holds the old connection; its keep-alive timeout will drop it soon.
      if (other.conns.get(node.id)?.peer === node) continue;
      if (!this.partitions.reachable(node.id, id)) continue;
      this.dial(node, other, false);
    }
    this.scheduleRedial(node);
  }

  private close(node: SimNode): void {
    if (!node.live) return;
    for (const end of node.conns.values()) {
      this.transmit(node, end, PacketKind.Bye, 'state', EMPTY);
      this.transmit(node, end, PacketKind.Bye, 'control', EMPTY);
    }
    node.state = 'closed';
    this.detach(node);
    const ends = [...node.conns.values()];
    node.conns.clear();
    for (const end of ends) node.events.emit('peer-left', { peer: end.peer.id, reason: 'closed' });
    node.events.emit('closed', {});
  }

  /** Takes a node out of its room and stops its timers and dials (not its connections). */
  private detach(node: SimNode): void {
    this.clearTimer(node.tickTimer);
    this.clearTimer(node.redialTimer);
    this.clearTimer(node.resumeTimer);
    node.tickTimer = node.redialTimer = node.resumeTimer = undefined;
    for (const [peerId, conn] of node.dialing) {
      conn.cancelled = true;
      const other = conn.dialer === node ? conn.acceptor : conn.dialer;
      if (other.dialing.get(node.id) === conn) other.dialing.delete(node.id);
      node.dialing.delete(peerId);
    }
    node.redial.clear();
    node.inbox = [];
    node.paused = false;
    this.rooms.get(node.options.room)?.remove(node);
  }

  private resumeNode(node: SimNode): void {
    if (!node.paused) return;
    node.paused = false;
    this.clearTimer(node.resumeTimer);
    node.resumeTimer = undefined;
    if (!node.live) return;
    const inbox = node.inbox;
    node.inbox = [];
    for (let i = 0; i < inbox.length; i++) {
      if (!node.live) return;
      if (node.paused) {
        // A listener paused it again: keep the rest for the next resume, in order.
        node.inbox = inbox.slice(i).concat(node.inbox);
        return;
      }
      this.deliver(inbox[i]!);
    }
    if (!node.live || node.paused) return;
    if (node.tickTimer === undefined) this.tick(node);
    this.scheduleRedial(node);
  }

  // ---------------------------------------------------------------- internals: packets

  private send(node: SimNode, peer: PeerId, channel: Channel, data: Uint8Array): void {
    const end = node.conns.get(peer);
    if (!end) {
      throw new TransportError(ErrorCode.UnknownPeer, `${node.id} has no open connection to ${String(peer)}; wait for its peer-joined event`, {
        peer,
      });
    }
    this.transmit(node, end, PacketKind.Data, channel, new Uint8Array(data));
  }

  /** Puts a packet on the link: through the serializer when bandwidth is capped, then into flight. */
  private transmit(from: SimNode, end: ConnEnd, kind: PacketKind, channel: Channel, data: Uint8Array): void {
    const link = this.link(from, end.peer.id);
    const packet: Packet = { kind, channel, data, from, to: end.peer, conn: end.conn, link, serial: 0, at: 0 };
    const size = kind === PacketKind.Data ? data.length : INTERNAL_PACKET_BYTES;
    if (kind === PacketKind.Data) {
      const c = link.stats[channel];
      c.sent++;
      c.bytesSent += size;
    } else {
      link.stats.internal++;
    }
    const bandwidth = this.optionsOf(link).bandwidthBytesPerSec;
    if (!Number.isFinite(bandwidth)) {
      this.depart(packet);
      return;
    }
    const now = this.clock.now();
    const done = Math.max(now, link.busyUntil) + (size * 1000) / bandwidth;
    link.busyUntil = done;
    link.buffered[channel] += size;
    this.clock.setTimeout(() => {
      link.buffered[channel] -= size;
      this.depart(packet);
    }, done - now);
  }

  private depart(packet: Packet): void {
    if (this.disposed) return;
    const { link, from, to } = packet;
    if (from.state === 'crashed') return this.count(packet, 'orphaned');
    const o = this.optionsOf(link);
    const now = this.clock.now();
    packet.serial = this.partitions.serial;

    if (packet.channel === 'state') {
      if (!this.partitions.reachable(from.id, to.id)) return this.count(packet, 'cut');
      if (chance(link.rng, o.loss)) return this.count(packet, 'lost');
      this.fly(packet, this.stateDelay(link, o));
      if (chance(link.rng, o.duplicate)) {
        this.count(packet, 'duplicated');
        this.fly({ ...packet, data: packet.data.slice() }, this.stateDelay(link, o));
      }
      return;
    }

    let delay = this.latency(link, o);
    let rto = Math.max(MIN_RTO_MS, 2 * (2 * o.latencyMs + o.jitterMs));
    for (let attempt = 0; attempt < MAX_RETRANSMITS && chance(link.rng, o.loss); attempt++) {
      delay += rto;
      rto = Math.min(2 * rto, MAX_RTO_MS);
      this.count(packet, 'retransmits');
    }
    this.dropEarlierConnections(link, packet);
    packet.at = link.controlPending === 0 ? now + delay : Math.max(now + delay, link.lastControlAt);
    link.lastControlAt = packet.at;
    link.controlQueue.push(packet);
    if (link.controlPending === 1 && !link.stalled && !link.draining) this.armControl(link);
  }

  /**
   * A connection is its own SCTP association: its packets do not wait behind the retransmissions
   * of an earlier connection between the same two peers. One connection per pair at a time, so
   * queued packets of another connection are dead; they are dropped as orphans.
   */
  private dropEarlierConnections(link: SimLink, packet: Packet): void {
    let dropped = false;
    for (let p = link.peekControl(); p && p.conn !== packet.conn; p = link.peekControl()) {
      link.shiftControl();
      this.count(p, 'orphaned');
      dropped = true;
    }
    if (!dropped || link.controlPending > 0) return;
    this.clearTimer(link.controlTimer);
    link.controlTimer = undefined;
    link.stalled = false;
    this.stalled.delete(link);
  }

  private fly(packet: Packet, delay: number): void {
    this.clock.setTimeout(() => this.arriveState(packet), delay);
  }

  private arriveState(packet: Packet): void {
    if (this.disposed) return;
    const { from, to } = packet;
    if (!this.partitions.reachableSince(from.id, to.id, packet.serial)) return this.count(packet, 'cut');
    if (!to.live) return this.count(packet, 'orphaned');
    if (to.paused) {
      to.inbox.push(packet);
      return;
    }
    this.deliver(packet);
  }

  private armControl(link: SimLink): void {
    const head = link.peekControl();
    if (!head) return;
    this.clearTimer(link.controlTimer);
    link.controlTimer = this.clock.setTimeout(() => this.drainControl(link), head.at - this.clock.now());
  }

  /** Delivers due control packets in order; stops at one that cannot cross a partition yet. */
  private drainControl(link: SimLink): void {
    link.controlTimer = undefined;
    if (this.disposed) return;
    link.draining = true;
    try {
      for (;;) {
        const p = link.peekControl();
        if (!p || p.at > this.clock.now()) break;
        if (!p.to.live || p.to.conns.get(p.from.id)?.conn !== p.conn) {
          link.shiftControl();
          this.count(p, 'orphaned');
          continue;
        }
        if (!this.partitions.reachable(p.from.id, p.to.id)) {
          link.stalled = true;
          this.stalled.add(link);
          break;
        }
        link.shiftControl();
        if (p.to.paused) p.to.inbox.push(p);
        else this.deliver(p);
      }
    } finally {
      link.draining = false;
    }
    if (!link.stalled && link.controlPending > 0) this.armControl(link);
  }

  /** Retransmission resumes on links a partition stopped: the head gets through one latency later. */
  private unstall(): void {
    const now = this.clock.now();
    for (const link of [...this.stalled]) {
      const head = link.peekControl();
      if (head && !this.partitions.reachable(head.from.id, head.to.id)) continue;
      this.stalled.delete(link);
      link.stalled = false;
      let floor = now + this.latency(link, this.optionsOf(link));
      for (let i = link.controlHead; i < link.controlQueue.length; i++) {
        const p = link.controlQueue[i]!;
        p.at = Math.max(p.at, floor);
        floor = p.at;
      }
      link.lastControlAt = Math.max(link.lastControlAt, floor);
      if (!link.draining) this.armControl(link);
    }
  }

  private deliver(packet: Packet): void {
    const { from, to } = packet;
    const end = to.conns.get(from.id);
    if (!end || end.conn !== packet.conn) return this.count(packet, 'orphaned');
    end.lastHeard = this.clock.now();
    if (packet.kind === PacketKind.KeepAlive) return;
    if (packet.kind === PacketKind.Bye) return this.dropEnd(to, end, 'closed');
    if (packet.kind === PacketKind.HangUp) return this.dropEnd(to, end, 'hung-up');
    const c = packet.link.stats[packet.channel];
    c.delivered++;
    c.bytesDelivered += packet.data.length;
    to.events.emit('message', { peer: from.id, channel: packet.channel, data: packet.data });
  }

  private count(packet: Packet, field: keyof SimCounters): void {
    if (packet.kind === PacketKind.Data) packet.link.stats[packet.channel][field]++;
  }

  private latency(link: SimLink, o: LinkOptions): number {
    return o.jitterMs > 0 ? o.latencyMs + link.rng.next() * o.jitterMs : o.latencyMs;
  }

  private stateDelay(link: SimLink, o: LinkOptions): number {
    const base = this.latency(link, o);
    return chance(link.rng, o.reorder) ? base + link.rng.next() * o.reorderDelayMs : base;
  }

  private link(from: SimNode, to: PeerId): SimLink {
    let link = from.out.get(to);
    if (!link) {
      const rng = new SeededRng(seedFor(this.seed, 'link', from.id, to, String(from.incarnation)));
      link = new SimLink(from, to, rng, this.statsOf(from.id, to));
      from.out.set(to, link);
    }
    return link;
  }

  private optionsOf(link: SimLink): LinkOptions {
    if (link.optionsVersion !== this.linkVersion || !link.options) {
      link.options = { ...this.defaultLink, ...this.overrides.get(link.from.id)?.get(link.toId) };
      link.optionsVersion = this.linkVersion;
    }
    return link.options;
  }

  private statsOf(from: PeerId, to: PeerId): SimLinkStats {
    let row = this.linkStats.get(from);
    if (!row) this.linkStats.set(from, (row = new Map()));
    let s = row.get(to);
    if (!s) {
      s = { from, to, control: zeroCounters(), state: zeroCounters(), internal: 0 };
      row.set(to, s);
      this.linkStatsList.push(s);
    }
    return s;
  }

  private clearTimer(handle: ReturnType<VirtualClock['setTimeout']> | undefined): void {
    if (handle !== undefined) this.clock.clearTimeout(handle);
  }
}

/** Live members of one room, in join order. */
class Room {
  readonly members = new Map<PeerId, SimNode>();
  readonly ids: PeerId[] = [];

  add(node: SimNode): void {
    this.members.set(node.id, node);
    this.ids.push(node.id);
  }

  /** O(n), but only on crash and close. */
  remove(node: SimNode): void {
    if (this.members.get(node.id) !== node) return;
    this.members.delete(node.id);
    const i = this.ids.indexOf(node.id);
    if (i >= 0) this.ids.splice(i, 1);
  }
}

function checkId(id: string): PeerId {
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) {
    throw new ArgumentError(`peer id must be a non-empty string of at most 128 characters, got ${String(id)}`);
  }
  return id as PeerId;
}

/** FNV-1a over the seed and `parts`: independent, stable streams per purpose and per link. */
function seedFor(seed: number, ...parts: string[]): number {
  let h = 0x811c9dc5;
  const mix = (byte: number): void => {
    h ^= byte & 0xff;
    h = Math.imul(h, 0x01000193);
  };
  for (let i = 0; i < 4; i++) mix(seed >>> (8 * i));
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      mix(c);
      mix(c >>> 8);
    }
    mix(0xff);
  }
  return h >>> 0;
}
