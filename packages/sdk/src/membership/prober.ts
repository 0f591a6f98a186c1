/**
 * The probing half of SWIM ([M10], [M11]): who to probe each round, direct pings with adaptive
 * timeouts, indirect probes through helpers (`member-ping-req`), the helper side (relay the ack,
 * or nack with Lifeguard), and the local health multiplier. It concludes only "failed" (the host
 * raises a suspicion) or nothing; what a failure means is the host's business.
 */
import type { PeerId } from '../transport/types.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { type Rng, randomInt } from '../util/rng.js';
import type { Channel } from '../wire/messages.js';
import type { Member } from './member.js';
import type { SwimTunables } from './options.js';
import { isMemberStatus, type WireUpdate } from './update.js';
import type { MembershipMessage } from './wire.js';

/** What the prober needs from the membership that owns it. */
export interface ProberHost {
  readonly self: PeerId;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly options: Readonly<SwimTunables>;
  readonly stats: { probes: number; indirectProbes: number; relays: number };
  running(): boolean;
  member(peer: PeerId): Member | undefined;
  /** Every table entry (members and tombstones). */
  table(): Member[];
  /** We hold a transport connection to `peer`. */
  connected(peer: PeerId): boolean;
  /**
   * `peer` is ours to probe in rounds ([M10]): every member but those whose connection to us was
   * hung up (a connection cap); the peers still connected to those watch them.
   */
  watched(peer: PeerId): boolean;
  /** ... and it does not predate a verdict on `peer` (see `SwimMembership.stale`). */
  trusted(peer: PeerId): boolean;
  piggyback(peer: PeerId): WireUpdate[];
  send(peer: PeerId, message: MembershipMessage, channel: Channel): void;
  /** Our probe of `m` failed, directly and through helpers. */
  failed(m: Member): void;
  /** A timer fired so late that this peer must have been frozen ([M17]). */
  stall(): void;
  /** Publishes view changes made while handling a timer. */
  commit(): void;
}

interface Probe {
  readonly seq: number;
  readonly target: PeerId;
  readonly sentAt: number;
  phase: 'direct' | 'indirect' | 'retry';
  /** A direct ping went out on a connection we trust: its failure is evidence. */
  direct: boolean;
  readonly helpers: Set<PeerId>;
  readonly nacks: Set<PeerId>;
  timer: TimerHandle | undefined;
  dueAt: number;
}

interface Relay {
  readonly requester: PeerId;
  readonly requesterSeq: number;
  readonly target: PeerId;
  readonly sentAt: number;
  /** Our connection to the target is trusted: only then is a missing ack worth a nack. */
  readonly trusted: boolean;
  nacked: boolean;
  timer: TimerHandle | undefined;
  dueAt: number;
}

export class Prober {
  private readonly probes = new Map<number, Probe>();
  private readonly probeByTarget = new Map<PeerId, Probe>();
  private readonly relaysBySeq = new Map<number, Relay>();
  private order: PeerId[] = [];
  private orderAt = 0;
  private seqNo = 0;
  private health = 0;

  constructor(private readonly host: ProberHost) {}

  /** Local health multiplier minus one (Lifeguard): scales probe intervals and timeouts. */
  get localHealth(): number {
    return this.health;
  }

  /** Drops the probe of `peer` in flight, if any (it left or was declared dead). */
  abandon(peer: PeerId): void {
    const probe = this.probeByTarget.get(peer);
    if (probe) this.endProbe(probe);
  }

  /** Drops every probe and relay in flight without a verdict. */
  clear(): void {
    for (const probe of [...this.probes.values()]) this.endProbe(probe);
    for (const [seq, relay] of [...this.relaysBySeq]) this.endRelay(seq, relay);
  }

  /** The next `n` distinct members in a round-robin over a shuffled list (reshuffled per pass). */
  /** The next `n` distinct members of a round-robin over a shuffled list (reshuffled every pass). */
  nextTargets(n: number): PeerId[] {
    const out: PeerId[] = [];
    const eligible = (id: PeerId): boolean => {
      const m = this.host.member(id);
      return !!m && isMemberStatus(m.status) && this.host.watched(id) && !out.includes(id);
    };
    let reshuffled = false;
    while (out.length < n) {
      if (this.orderAt >= this.order.length) {
        if (reshuffled) break;
        reshuffled = true;
        this.order = this.shuffle(this.host.table().filter((m) => isMemberStatus(m.status)).map((m) => m.id));
        this.orderAt = 0;
        if (this.order.length === 0) break;
      }
      const id = this.order[this.orderAt++]!;
      if (eligible(id)) out.push(id);
    }
    return out;
  }

  /** Shuffles `items` in place (Fisher–Yates on the injected rng) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = randomInt(this.host.rng, i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** Direct-probe timeout for `m`: adaptive (srtt + 4 rttvar), scaled by local health. */
  probeTimeout(m: Member | undefined): number {
    const o = this.host.options;
    const base = m ? m.rtt.timeout(o.probeTimeoutMs, o.maxProbeTimeoutMs, o.rttMarginMs) : o.probeTimeoutMs;
    return base * (this.health + 1);
  }

  /** Probes `target` unless a probe of it is in flight: directly if connected, else through helpers. */
  startProbe(target: PeerId): void {
    if (this.probeByTarget.has(target)) return;
    const m = this.host.member(target);
    if (!m || !isMemberStatus(m.status)) return;
    const now = this.host.clock.now();
    const seq = this.nextSeq();
    const probe: Probe = { seq, target, sentAt: now, phase: 'direct', direct: false, helpers: new Set(), nacks: new Set(), timer: undefined, dueAt: 0 };
    this.probes.set(seq, probe);
    this.probeByTarget.set(target, probe);
    if (this.host.connected(target)) {
      this.host.stats.probes++;
      probe.direct = this.host.trusted(target);
      this.host.send(target, { type: 'member-ping', seq, updates: this.host.piggyback(target) }, 'state');
      this.armProbe(probe, this.probeTimeout(m));
    } else {
      this.goIndirect(probe);
    }
  }

  private armProbe(probe: Probe, ms: number): void {
    if (probe.timer !== undefined) this.host.clock.clearTimeout(probe.timer);
    probe.dueAt = this.host.clock.now() + ms;
    probe.timer = this.host.clock.setTimeout(() => this.onProbeTimeout(probe), ms);
  }

  private onProbeTimeout(probe: Probe): void {
    if (this.probes.get(probe.seq) !== probe || !this.host.running()) return;
    const now = this.host.clock.now();
    if (now - probe.dueAt > this.host.options.stallMs) {
      this.host.stall();
      return;
    }
    if (probe.phase === 'direct') {
      const m = this.host.member(probe.target);
      if (m) m.directFailAt = now;
      this.goIndirect(probe);
    } else if (!probe.direct && probe.nacks.size === 0) {
      this.inconclusive(probe);
    } else if (probe.phase === 'indirect' && probe.nacks.size === 0 && this.host.connected(probe.target)) {
      // No helper could try: in a partial mesh most hold no connection to the target and stay
      // silent. Silence is no evidence against it, so one lost ping gets one more direct ping
      // before a suspicion ([M11]); two in a row, as over a full mesh with every helper silent,
      // suspect it as before.
      probe.phase = 'retry';
      this.host.send(probe.target, { type: 'member-ping', seq: probe.seq, updates: this.host.piggyback(probe.target) }, 'state');
      this.armProbe(probe, this.probeTimeout(this.host.member(probe.target)));
    } else {
      // Lifeguard: helpers that neither acked nor nacked suggest the fault is ours.
      if (probe.helpers.size > 0 && probe.nacks.size < probe.helpers.size) this.adjustHealth(+1);
      this.failProbe(probe);
    }
    this.host.commit();
  }

  private goIndirect(probe: Probe): void {
    const target = this.host.member(probe.target);
    const candidates = this.host.table()
      .filter((m) => m.status === 'alive' && m.id !== probe.target && this.host.connected(m.id))
      .map((m) => m.id);
    const helpers = this.shuffle(candidates).slice(0, Math.floor(this.host.options.indirectProbes));
    if (helpers.length === 0) {
      if (this.host.connected(probe.target) && probe.phase === 'direct') {
        // Nobody to ask (a room of two): one more direct ping before suspecting.
        probe.phase = 'retry';
        this.host.send(probe.target, { type: 'member-ping', seq: probe.seq, updates: this.host.piggyback(probe.target) }, 'state');
        this.armProbe(probe, this.probeTimeout(target));
        return;
      }
      if (probe.direct) this.failProbe(probe);
      else this.inconclusive(probe);
      return;
    }
    probe.phase = 'indirect';
    this.host.stats.indirectProbes++;
    let wait = 0;
    for (const h of helpers) {
      probe.helpers.add(h);
      this.host.send(h, { type: 'member-ping-req', seq: probe.seq, target: probe.target, updates: this.host.piggyback(h) }, 'state');
      wait = Math.max(wait, this.probeTimeout(this.host.member(h)));
    }
    // The helper's own probe timeout plus the round trip to the helper.
    this.armProbe(probe, wait + this.probeTimeout(target));
  }

  /** A `member-ack`: ends our probe `seq` (direct or relayed), or is relayed to a requester. */
  onAck(from: PeerId, seq: number): void {
    const probe = this.probes.get(seq);
    if (probe && (from === probe.target || probe.helpers.has(from))) {
      if (from === probe.target && probe.phase === 'direct') {
        this.host.member(from)?.rtt.sample(this.host.clock.now() - probe.sentAt);
        this.adjustHealth(-1);
      }
      const m = this.host.member(probe.target);
      if (m) {
        m.unreachableSince = undefined;
        m.lastHeardAt = this.host.clock.now();
      }
      this.endProbe(probe);
      return;
    }
    const relay = this.relaysBySeq.get(seq);
    if (relay && from === relay.target) {
      this.host.member(from)?.rtt.sample(this.host.clock.now() - relay.sentAt);
      this.endRelay(seq, relay);
      this.host.send(relay.requester, { type: 'member-ack', seq: relay.requesterSeq, updates: this.host.piggyback(relay.requester) }, 'state');
    }
  }

  /** A helper could not reach the target of our probe `seq`; all helpers saying so fails it early. */
  onNack(from: PeerId, seq: number): void {
    const probe = this.probes.get(seq);
    if (!probe || probe.phase !== 'indirect' || !probe.helpers.has(from)) return;
    probe.nacks.add(from);
    if (probe.nacks.size === probe.helpers.size) this.failProbe(probe);
  }

  /** Helper side of an indirect probe ([M11]). */
  onPingReq(requester: PeerId, requesterSeq: number, target: PeerId): void {
    if (target === this.host.self) {
      this.host.send(requester, { type: 'member-ack', seq: requesterSeq, updates: this.host.piggyback(requester) }, 'state');
      return;
    }
    // A nack says "I tried and got no ack"; without a connection we cannot try, so we stay silent
    // rather than add false evidence (e.g. while a peer that rejoined under its old id waits for
    // our transport to drop the old connection).
    if (!this.host.connected(target)) return;
    this.host.stats.relays++;
    const m = this.host.member(target);
    const now = this.host.clock.now();
    const seq = this.nextSeq();
    const timeout = this.probeTimeout(m);
    const trusted = this.host.trusted(target);
    const relay: Relay = { requester, requesterSeq, target, sentAt: now, trusted, nacked: false, timer: undefined, dueAt: now + timeout };
    this.relaysBySeq.set(seq, relay);
    this.host.send(target, { type: 'member-ping', seq, updates: this.host.piggyback(target) }, 'state');
    relay.timer = this.host.clock.setTimeout(() => {
      if (this.relaysBySeq.get(seq) !== relay || !this.host.running()) return;
      this.relaysBySeq.delete(seq);
      if (relay.trusted && !relay.nacked && this.host.clock.now() - relay.dueAt <= this.host.options.stallMs) {
        this.host.send(requester, { type: 'member-nack', seq: requesterSeq }, 'state');
      }
    }, timeout);
    // Our own direct probe of the target just failed and nothing was heard since: say so now,
    // and still relay an ack if one comes (an ack after a nack counts).
    if (trusted && m?.directFailAt !== undefined && now - m.directFailAt <= this.host.options.probeIntervalMs * (this.health + 1)) {
      relay.nacked = true;
      this.host.send(requester, { type: 'member-nack', seq: requesterSeq }, 'state');
    }
  }

  private endProbe(probe: Probe): void {
    if (probe.timer !== undefined) this.host.clock.clearTimeout(probe.timer);
    this.probes.delete(probe.seq);
    if (this.probeByTarget.get(probe.target) === probe) this.probeByTarget.delete(probe.target);
  }

  private endRelay(seq: number, relay: Relay): void {
    if (relay.timer !== undefined) this.host.clock.clearTimeout(relay.timer);
    this.relaysBySeq.delete(seq);
  }

  /**
   * Nobody could try: no trusted connection of ours and no helper with one (helpers without a
   * connection stay silent). That says nothing about the target, so it is probed again later;
   * only when it stays out of reach for `unreachableMs` is it suspected, so that a member nobody
   * can reach any more still leaves the view eventually.
   */
  private inconclusive(probe: Probe): void {
    const m = this.host.member(probe.target);
    const now = this.host.clock.now();
    if (m && m.unreachableSince === undefined) m.unreachableSince = now;
    if (m && now - m.unreachableSince! >= this.host.options.unreachableMs) {
      m.unreachableSince = undefined;
      this.failProbe(probe);
      return;
    }
    this.endProbe(probe);
  }

  private failProbe(probe: Probe): void {
    this.endProbe(probe);
    const m = this.host.member(probe.target);
    if (!m || !isMemberStatus(m.status)) return;
    this.host.failed(m);
  }

  private nextSeq(): number {
    this.seqNo = (this.seqNo + 1) >>> 0;
    return this.seqNo;
  }

  /** Moves local health by `delta` within [0, maxLocalHealth − 1] ([M16]). */
  adjustHealth(delta: number): void {
    this.health = Math.max(0, Math.min(this.host.options.maxLocalHealth - 1, this.health + delta));
  }
}
