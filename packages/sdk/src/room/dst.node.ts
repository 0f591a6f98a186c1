/**
 * Deterministic simulation of failover ([R30]), in the spirit of FoundationDB's simulator and
 * TigerBeetle's VOPR: from one seed, a room of Rooms on the simulated network (SWIM membership,
 * the majority rule, every peer on its own skewed clock) lives through a random schedule of
 * writes, actions, crashes, restarts (same id, or a new id for the same player), joins, graceful
 * leaves, partitions and heals, loss bursts, frozen tabs and hidden tabs. Then the faults stop.
 *
 * Checked on every protocol event and after every step:
 * - terms: every claim is above what its claimer held; replicas only move to higher terms; deltas
 *   apply in order, once, byte-identical to what their czar sent (SimCluster's InvariantChecker);
 *   at most one czar claims each term number of a shard (a second one is a violation);
 * - the majority rule: no peer opens a term while it has no majority ([R26]);
 * - succession: when a czar crashes in a quiet room, its first live backup takes over ([R25]).
 *
 * Checked at the end:
 * - convergence: within `SETTLE_MS` of the faults stopping, every live replica holds its czar's
 *   term, seq and state ([R22]);
 * - no committed write lost ([R23]): every shard is an append-only ledger of unique tokens; a
 *   token whose delta was committed is in the final state, unless its acknowledging backup itself
 *   failed afterwards (crashed, froze, left, or was cut off on a minority side with the czar:
 *   two failures, outside the guarantee);
 * - no write lost silently ([R24]): a token applied by a czar and missing at the end was reported
 *   by that czar's `rollback` event (or the czar crashed, and its player with it), and, when a
 *   peer's `act()` for it had resolved, by a `rollback` naming the action on that peer (unless
 *   it crashed or left);
 * - no token applied twice.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import type { Room } from '../room.js';
import type { RollbackEvent } from '../replication/engine-types.js';
import { SeededRng, chance, randomBetween, randomInt, type Rng } from '../util/rng.js';
import { PeerClock } from './peer-clock.node.js';
import { SimCluster, type ClusterShard } from './sim-cluster.node.js';

/** A shard that is an append-only ledger: loss and double application of a write both show. */
export const Ledger = schema({ n: t.uint32().default(0), log: t.array('string') }, 'Ledger');
export type Ledger = SchemaType<typeof Ledger>;

/** How much happens in one seeded run. */
export interface SimProfile {
  readonly name: string;
  readonly steps: number;
  readonly shards: number;
  readonly minPeers: number;
  readonly maxPeers: number;
}

/** The profile of `pnpm test` and `pnpm sim`: 3–6 peers, 2 shards, 30 steps of faults and writes. */
export const SIM_V1: SimProfile = { name: 'v1', steps: 30, shards: 2, minPeers: 3, maxPeers: 6 };

export const SIM_PROFILES: Readonly<Record<string, SimProfile>> = { v1: SIM_V1 };

/** Quiet time allowed for convergence once the faults stop, in ms of virtual time. */
export const SETTLE_MS = 30_000;

export interface SimOutcome {
  readonly seed: number;
  readonly profile: string;
  readonly problem: string | undefined;
  /** The schedule, one entry per fault. */
  readonly log: readonly string[];
  readonly stats: Readonly<Record<string, number>>;
}

interface Token {
  readonly token: string;
  readonly shard: string;
  /** The czar that applied it, its term and the delta that carries it. */
  readonly czar: string;
  /** Which life of that id applied it: a restarted peer's commits are not the old one's ([R7]). */
  readonly instance: Room;
  readonly term: number;
  readonly seq: number;
  readonly at: number;
  committedAt: number | undefined;
  acker: string | undefined;
  /** The peer whose `act()` for it resolved (the czar applied it and its replica showed it). */
  actor: string | undefined;
}

interface Fault {
  readonly kind: string;
  readonly from: number;
  to: number;
}

interface Peer {
  readonly id: string;
  readonly player: string;
  readonly clock: PeerClock;
  readonly room: Room;
  readonly rollbacks: RollbackEvent[];
  readonly joinedAt: number;
  crashed: boolean;
  paused: boolean;
  hidden: boolean;
}

/** One seeded run; see the file comment. `verbose` prints every protocol event. */
export function runSimulation(seed: number, profile: SimProfile = SIM_V1, verbose = false): SimOutcome {
  const sim = new Simulation(seed, profile, verbose);
  try {
    return sim.run();
  } catch (err) {
    // An exception escaping the protocol (or the harness) is a failure of this seed, not of the run.
    return sim.crashed(err);
  }
}

/** The failure message: seed, schedule and the commands that replay it. */
export function simReplayHint(o: SimOutcome): string {
  return (
    `seed ${o.seed} (profile ${o.profile}): ${o.problem}\n  schedule: ${o.log.join(' | ')}\n` +
    `  replay: pnpm sim --seed ${o.seed} --profile ${o.profile} --verbose   (or DST_SEED=${o.seed} npx vitest run src/room.dst.test.ts)`
  );
}

class Simulation {
  private readonly rng: SeededRng;
  private readonly cluster: SimCluster;
  private readonly shards: string[];
  private readonly peers = new Map<string, Peer>();
  private readonly tokens = new Map<string, Token>();
  /** Czar-side pending tokens per (peer, shard): applied, waiting for their delta's commit. */
  private readonly faults = new Map<string, Fault[]>();
  private readonly log: string[] = [];
  private readonly violations: string[] = [];
  private readonly claimsByNumber = new Map<string, string>();
  private expectedSuccessor: { shard: string; peer: string; crashed: string; at: number } | undefined;
  private partitioned: string[][] | undefined;
  private lossUntil = Number.NEGATIVE_INFINITY;
  private lastFaultAt = Number.NEGATIVE_INFINITY;
  private nextToken = 0;
  private nextPlayer = 0;
  private readonly stats: Record<string, number> = { writes: 0, actions: 0, committed: 0, excused: 0, reported: 0, actorsTold: 0, crashes: 0, restarts: 0, partitions: 0, pauses: 0, hides: 0, leaves: 0, joins: 0, successions: 0 };

  constructor(
    private readonly seed: number,
    private readonly profile: SimProfile,
    private readonly verbose: boolean,
  ) {
    this.rng = new SeededRng(seed);
    this.shards = Array.from({ length: profile.shards }, (_, i) => `s${i}`);
    const latency = randomBetween(this.rng, 10, 60);
    const jitter = randomBetween(this.rng, 0, 30);
    this.cluster = new SimCluster({
      seed,
      link: { latencyMs: latency, jitterMs: jitter, loss: 0.01, duplicate: 0.01, reorder: 0.05, reorderDelayMs: 30 },
      transport: { keepAliveMs: 250, peerTimeoutMs: 1_500, redialMs: 250 },
      room: { antiEntropyMs: 250, bootstrapMs: 400, graceMs: 1_500, repairRetryMs: 150, handoffRetryMs: 200, leaveTimeoutMs: 1_000, actionTimeoutMs: 3_000 },
      // Listed for the convergence check; each peer declares them with its own action handler.
      shards: this.shards.map((id) => ({ id, State: Ledger })),
      ...(verbose ? { log: (line: string) => console.log(line) } : {}),
    });
    // Term numbers may collide across a partition ([R7]): counted, not failed (terms are pairs).
    this.cluster.checker.strict = false;
    this.log.push(`link ${latency}+${jitter} ms`);
  }

  crashed(err: unknown): SimOutcome {
    const what = err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' / ') : String(err);
    return { seed: this.seed, profile: this.profile.name, problem: `exception: ${what}`, log: this.log, stats: this.stats };
  }

  run(): SimOutcome {
    const initial = randomBetween(this.rng, this.profile.minPeers, this.profile.maxPeers);
    for (let i = 0; i < initial; i++) this.addPeer(`p${i}`, this.newPlayer());
    // The room forms (its shards are created) before the faults begin: two sides of a partition
    // in the room's first second could each create a shard ([R11] limitation, see SPEC).
    this.cluster.settle(10_000, 50);
    this.advance(randomBetween(this.rng, 200, 800));
    let problem: string | undefined;
    for (let step = 0; step < this.profile.steps && problem === undefined; step++) {
      this.step();
      this.advance(randomBetween(this.rng, 20, 250));
      problem = this.problem();
    }
    if (problem === undefined) problem = this.finish();
    return { seed: this.seed, profile: this.profile.name, problem, log: this.log, stats: this.stats };
  }

  // ------------------------------------------------------------------ peers

  private newPlayer(): string {
    return `player${this.nextPlayer++}`;
  }

  /**
   * A peer that joins during a partition lands on a side where it reaches someone who was in the
   * room before (as it reached the signal service and a peer); with no such side, the partition ends.
   */
  private place(id: string): void {
    const groups = this.partitioned;
    if (!groups || groups.some((g) => g.includes(id))) return;
    const awake = new Set(this.established().map((p) => p.id));
    const sides = groups.filter((g) => g.some((m) => awake.has(m)));
    if (sides.length === 0) return this.heal();
    sides[randomInt(this.rng, sides.length)]!.push(id);
    this.cluster.net.partition(...groups);
  }

  private addPeer(id: string, player: string): Peer {
    this.place(id);
    const clock = new PeerClock(this.cluster.net.clock, randomBetween(this.rng, -2_000, 2_000), 0.97 + 0.06 * this.rng.next());
    const shards: ClusterShard[] = this.shards.map((sid) => ({
      id: sid,
      State: Ledger,
      options: { onAction: (state: Ledger, action: unknown) => this.applyAction(id, sid, state, action) } as never,
    }));
    const room = this.cluster.add(id, { clock, playerId: player, shards });
    const peer: Peer = { id, player, clock, room, rollbacks: [], joinedAt: this.now(), crashed: false, paused: false, hidden: false };
    room.on('rollback', (e) => peer.rollbacks.push(e));
    room.on('trace', (e) => {
      if (e.type === 'commit') this.onCommit(id, room, e.shard, e.term, e.seq, e.acker);
      else if (e.type === 'claim') {
        this.onClaim(id, e.shard, e.term, e.from);
        // A term is opened by one instance only: a peer back under its old id must not reopen one ([R7]).
        const key = `${e.shard}#${e.term}@${id}#${e.tag}`;
        const opener = this.openedBy.get(key);
        if (opener !== undefined && opener !== room) this.violate(`two instances of ${id} opened the same term ${e.term} of ${e.shard}`);
        this.openedBy.set(key, room);
      }
      else if (e.type === 'abandon' && this.claimsByNumber.get(`${e.shard}#${e.term}`) === id) this.claimsByNumber.delete(`${e.shard}#${e.term}`);
    });
    this.peers.set(id, peer);
    return peer;
  }

  private live(): Peer[] {
    return [...this.peers.values()].filter((p) => !p.crashed && !p.room.closed);
  }

  /**
   * Awake peers that have been in the room a while: a newcomer reaches the room through one of
   * them. (Newcomers that reach only each other would found a room of their own, which the
   * protocol cannot tell from a new room: SPEC [R11].)
   */
  private established(): Peer[] {
    return this.awake().filter((p) => this.now() - p.joinedAt >= 3_000);
  }

  /** Live, not frozen: may be told to do something. */
  private awake(): Peer[] {
    return this.live().filter((p) => !p.paused);
  }

  private fault(peer: string, kind: string, to = Number.POSITIVE_INFINITY): Fault {
    const f: Fault = { kind, from: this.now(), to };
    let list = this.faults.get(peer);
    if (!list) this.faults.set(peer, (list = []));
    list.push(f);
    this.lastFaultAt = this.now();
    return f;
  }

  private now(): number {
    return this.cluster.net.now();
  }

  private advance(ms: number): void {
    this.cluster.run(ms);
  }

  // ------------------------------------------------------------------ writes

  /** The czar's action handler: `{ token }` appends it (recording where it went). */
  private applyAction(czar: string, shard: string, state: Ledger, action: unknown): number {
    const a = action as { token?: unknown };
    if (typeof a.token !== 'string') throw new Error('no token');
    this.record(czar, shard, a.token);
    state.log.push(a.token);
    state.n++;
    return state.n;
  }

  private record(czar: string, shard: string, token: string): void {
    const room = this.peers.get(czar)!.room;
    const term = room.termOf(shard)!;
    // Pending changes ride in the next delta.
    this.tokens.set(token, { token, shard, czar, instance: room, term: term.term, seq: term.seq + 1, at: this.now(), committedAt: undefined, acker: undefined, actor: undefined });
  }

  private write(peer: Peer): void {
    const shard = this.shards[randomInt(this.rng, this.shards.length)]!;
    const token = `t${this.nextToken++}`;
    const room = peer.room;
    if (room.isCzar(shard)) {
      this.stats['writes']!++;
      room.mutate<Ledger, void>(shard, (s) => {
        this.record(peer.id, shard, token);
        s.log.push(token);
        s.n++;
      });
      return;
    }
    this.stats['actions']!++;
    // Outcomes vary (applied, read only, timed out, rolled back): the checks judge the run.
    room.act(shard, { token }, { commit: chance(this.rng, 0.3) }).then(
      () => {
        const tk = this.tokens.get(token);
        if (tk && tk.czar !== peer.id) tk.actor = peer.id;
      },
      () => undefined,
    );
  }

  /** Which instance opened each term (shard, number, czar, tag). */
  private readonly openedBy = new Map<string, Room>();

  private onCommit(czar: string, instance: Room, shard: string, term: number, seq: number, acker: string | undefined): void {
    for (const tk of this.tokens.values()) {
      if (tk.committedAt !== undefined || tk.czar !== czar || tk.instance !== instance || tk.shard !== shard || tk.term !== term || tk.seq > seq) continue;
      tk.committedAt = this.now();
      tk.acker = acker;
      this.stats['committed']!++;
    }
  }

  private onClaim(czar: string, shard: string, term: number, from: string): void {
    // Terms are (number, czar) pairs: two sides of a partition, or a handoff racing a failover,
    // may pick the same number; each term still has one writer and the higher pair wins ([R7]).
    const key = `${shard}#${term}`;
    const other = this.claimsByNumber.get(key);
    if (other !== undefined && other !== czar) this.stats['collisions'] = (this.stats['collisions'] ?? 0) + 1;
    this.claimsByNumber.set(key, czar);
    const want = this.expectedSuccessor;
    if (want && want.shard === shard && (from === 'replica' || from === 'copy')) {
      this.expectedSuccessor = undefined;
      const successor = this.peers.get(want.peer);
      // Only judged while the expected successor stayed healthy.
      // Only judged while nothing else happened since the crash.
      if (successor && !successor.crashed && !successor.paused && !successor.hidden && this.lastFaultAt <= want.at && czar !== want.peer) {
        this.violate(`after ${want.crashed} crashed, ${czar} took over ${shard}, not its first backup ${want.peer}`);
      } else if (czar === want.peer) {
        this.stats['successions']!++;
      }
    }
  }

  private violate(msg: string): void {
    if (this.violations.length < 20) this.violations.push(`${this.now()}: ${msg}`);
  }

  private problem(): string | undefined {
    const all = [...this.cluster.checker.violations, ...this.violations];
    return all.length > 0 ? `invariant: ${all.join('; ')}` : undefined;
  }

  // ------------------------------------------------------------------ the schedule

  private step(): void {
    const rng = this.rng;
    const roll = randomInt(rng, 100);
    const awake = this.awake();
    const crashed = [...this.peers.values()].filter((p) => p.crashed && !this.restartedAs(p));
    if (roll < 45 || awake.length === 0) {
      const p = awake[randomInt(rng, Math.max(1, awake.length))];
      if (p) this.write(p);
      return;
    }
    if (roll < 52) {
      if (this.live().length > 2) this.crash(awake[randomInt(rng, awake.length)]!);
      return;
    }
    // Newcomers need someone established to reach (see `established`), and join a whole room: a
    // newcomer on the minority side of a partition only knows that side (SPEC [R26] limitation).
    const reachable = this.established().length > 0 && !this.partitioned;
    if (roll < 59) {
      if (crashed.length > 0 && reachable) this.restart(crashed[randomInt(rng, crashed.length)]!);
      return;
    }
    if (roll < 62) {
      if (this.live().length < this.profile.maxPeers + 2 && reachable) this.join();
      return;
    }
    if (roll < 65) {
      if (this.live().length > 3) this.leave(awake[randomInt(rng, awake.length)]!);
      return;
    }
    if (roll < 71) {
      if (!this.partitioned) this.partition();
      else this.heal();
      return;
    }
    if (roll < 75) {
      this.lossBurst();
      return;
    }
    if (roll < 81) {
      this.pause(awake[randomInt(rng, awake.length)]!);
      return;
    }
    if (roll < 86) this.hide(awake[randomInt(rng, awake.length)]!);
  }

  private restartedAs(p: Peer): boolean {
    return [...this.peers.values()].some((q) => q !== p && q.player === p.player && !q.crashed && !q.room.closed);
  }

  private crash(p: Peer): void {
    // A crash of a czar in a quiet room must hand its shards to their first live backups ([R25]).
    const quiet = !this.partitioned && this.now() - this.lastFaultAt > 3_000 && this.now() >= this.lossUntil && this.live().every((q) => !q.paused && !q.hidden);
    if (quiet && this.cluster.divergence() === undefined) {
      for (const shard of this.shards) {
        if (!p.room.isCzar(shard)) continue;
        const next = p.room.backupsOf(shard).find((b) => b !== p.id && this.live().some((q) => q.id === b));
        if (next !== undefined) this.expectedSuccessor = { shard, peer: next, crashed: p.id, at: this.now() };
        break;
      }
    }
    this.log.push(`${this.now()}: crash ${p.id}`);
    this.stats['crashes']!++;
    p.crashed = true;
    this.fault(p.id, 'crash');
    this.cluster.crash(p.id);
  }

  /** A crashed player comes back: under its old id, or under a new one ([M21], [M22]). */
  private restart(p: Peer): void {
    this.stats['restarts']!++;
    // The old id is free once every peer's transport dropped the crashed instance (the signal
    // service, like the simulated network, refuses an id still connected): until then a new one.
    const held = this.live().some((q) => this.cluster.net.transport(q.id)?.peers().includes(p.id as never));
    const sameId = chance(this.rng, 0.5) && !held;
    const id = sameId ? p.id : `${p.id}r${this.nextToken++}`;
    this.log.push(`${this.now()}: restart ${p.player} as ${id}`);
    this.fault(id, 'restart');
    if (sameId) {
      // The new instance starts empty: what it acknowledges from now on is its own.
      for (const f of this.faults.get(p.id) ?? []) if (f.kind === 'crash' && f.to === Number.POSITIVE_INFINITY) f.to = this.now();
      this.peers.delete(p.id);
    }
    this.addPeer(id, p.player);
  }

  private join(): void {
    const id = `j${this.nextPlayer}`;
    this.stats['joins']!++;
    this.log.push(`${this.now()}: join ${id}`);
    this.lastFaultAt = this.now();
    this.addPeer(id, this.newPlayer());
  }

  private leave(p: Peer): void {
    this.stats['leaves']!++;
    this.log.push(`${this.now()}: leave ${p.id}`);
    this.fault(p.id, 'leave');
    void p.room.leave();
  }

  private partition(): void {
    const ids = this.live().map((p) => p.id);
    // A peer that joined moments ago knows too little of the room to be cut off with it ([R26]).
    if (ids.length < 2 || this.live().some((p) => this.now() - p.joinedAt < 3_000)) return;
    const a: string[] = [];
    const b: string[] = [];
    for (const id of ids) (chance(this.rng, 0.5) ? a : b).push(id);
    if (a.length === 0 || b.length === 0) return;
    this.stats['partitions']!++;
    this.partitioned = [a, b];
    this.log.push(`${this.now()}: partition ${a.join(',')} | ${b.join(',')}`);
    this.cluster.net.partition(a, b);
    // Peers on a side without a strict majority of the live room are cut off (a failure each).
    for (const group of [a, b]) if (2 * group.length <= ids.length) for (const id of group) this.fault(id, 'minority');
  }

  private heal(): void {
    if (!this.partitioned) return;
    this.log.push(`${this.now()}: heal`);
    this.partitioned = undefined;
    this.cluster.net.heal();
    const now = this.now();
    for (const list of this.faults.values()) for (const f of list) if (f.kind === 'minority' && f.to === Number.POSITIVE_INFINITY) f.to = now;
  }

  private lossBurst(): void {
    // Moderate bursts: the control channel retransmits with a doubling timeout, so a much lossier
    // burst can hold a reliable stream up for minutes after it ends (as SCTP would).
    const ms = randomBetween(this.rng, 200, 1_000);
    const loss = 0.1 + 0.15 * this.rng.next();
    this.log.push(`${this.now()}: loss ${loss.toFixed(2)} for ${ms} ms`);
    this.lossUntil = this.now() + ms;
    this.lastFaultAt = this.now();
    this.cluster.net.setDefaultLink({ loss });
    this.cluster.net.clock.setTimeout(() => this.cluster.net.setDefaultLink({ loss: 0.01 }), ms);
  }

  /** A frozen tab: no timers, no packets, until it wakes up. */
  private pause(p: Peer): void {
    const ms = randomBetween(this.rng, 200, 3_000);
    this.stats['pauses']!++;
    this.log.push(`${this.now()}: pause ${p.id} for ${ms} ms`);
    const f = this.fault(p.id, 'pause', this.now() + ms);
    p.paused = true;
    p.clock.pause();
    this.cluster.net.pause(p.id);
    this.cluster.net.clock.setTimeout(() => this.wake(p, f), ms);
  }

  private wake(p: Peer, f: Fault): void {
    if (!p.paused) return;
    p.paused = false;
    f.to = this.now();
    if (p.crashed) return;
    this.cluster.net.resume(p.id);
    p.clock.resume();
  }

  /** A hidden tab: hands its shards over, stands by, timers throttled to once a second ([R27]). */
  private hide(p: Peer): void {
    if (p.hidden) return;
    const ms = randomBetween(this.rng, 500, 3_000);
    this.stats['hides']!++;
    this.log.push(`${this.now()}: hide ${p.id} for ${ms} ms`);
    this.lastFaultAt = this.now();
    p.hidden = true;
    p.room.setStandby(true);
    p.clock.throttle(1_000);
    this.cluster.net.clock.setTimeout(() => this.show(p), ms);
  }

  private show(p: Peer): void {
    if (!p.hidden) return;
    p.hidden = false;
    p.clock.throttle(0);
    if (!p.crashed && !p.room.closed) p.room.setStandby(false);
  }

  // ------------------------------------------------------------------ the end

  private finish(): string | undefined {
    // The faults stop: heal, wake everyone, bring back every crashed player.
    this.heal();
    this.cluster.net.setDefaultLink({ loss: 0, duplicate: 0, reorder: 0 });
    for (const p of [...this.peers.values()]) {
      if (p.paused) this.wake(p, this.fault(p.id, 'pause', this.now()));
      if (p.hidden) this.show(p);
    }
    for (const p of [...this.peers.values()]) if (p.crashed && !this.restartedAs(p)) this.restart(p);
    this.log.push(`${this.now()}: quiet`);
    const problem = this.cluster.settle(SETTLE_MS, 100);
    if (problem !== undefined) return `no convergence within ${SETTLE_MS} ms after the faults stopped: ${problem}`;
    const invariant = this.problem();
    if (invariant !== undefined) return invariant;
    return this.checkLedgers();
  }

  private checkLedgers(): string | undefined {
    const czarOf = new Map(this.shards.map((s) => [s, this.cluster.czarRoom(s)!]));
    const counts = new Map<string, number>();
    for (const [shard, room] of czarOf) {
      for (const token of room.state<Ledger>(shard).log) {
        const key = `${shard}|${token}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const problems: string[] = [];
    for (const [key, n] of counts) if (n > 1) problems.push(`${key} applied ${n} times`);
    for (const tk of this.tokens.values()) {
      if (counts.has(`${tk.shard}|${tk.token}`)) continue;
      if (tk.committedAt !== undefined) {
        if (this.excused(tk)) this.stats['excused']!++;
        else problems.push(`committed ${tk.token} (${tk.shard} ${tk.term}@${tk.czar}/${tk.seq}, acked by ${tk.acker ?? 'nobody'} at ${tk.committedAt}) was lost`);
        continue;
      }
      if (this.reported(tk)) this.stats['reported']!++;
      else problems.push(`${tk.token} (${tk.shard} ${tk.term}@${tk.czar}/${tk.seq}) was lost without a rollback event`);
      if (tk.actor !== undefined) {
        if (this.toldActor(tk, tk.actor)) this.stats['actorsTold']!++;
        else problems.push(`${tk.token} (${tk.shard} ${tk.term}@${tk.czar}/${tk.seq}): ${tk.actor}'s act() resolved, then it was lost without a rollback event there`);
      }
    }
    return problems.length > 0 ? `ledger: ${problems.slice(0, 6).join('; ')}` : undefined;
  }

  /** A committed token may be lost only if its backup (or, with none, its czar) failed after the commit. */
  private excused(tk: Token): boolean {
    const who = tk.acker ?? tk.czar;
    return (this.faults.get(who) ?? []).some((f) => f.to >= tk.committedAt! && f.kind !== 'restart');
  }

  /**
   * [R24]: a token whose `act()` resolved and that was then lost must be reported to the actor
   * by a `rollback` naming the action, unless the actor itself crashed or left since.
   */
  private toldActor(tk: Token, actor: string): boolean {
    if ((this.faults.get(actor) ?? []).some((f) => (f.kind === 'crash' || f.kind === 'leave') && f.to >= tk.at)) return true;
    const peer = this.peers.get(actor);
    if (!peer || peer.room.closed) return true;
    return peer.rollbacks.some((e) => e.shard === tk.shard && (e.action as { token?: unknown } | undefined)?.token === tk.token);
  }

  /** A lost uncommitted token must have been reported by its czar's rollback event, unless the czar crashed or left. */
  private reported(tk: Token): boolean {
    const czar = tk.czar;
    if ((this.faults.get(czar) ?? []).some((f) => f.kind === 'crash' && f.from >= tk.at)) return true;
    const peer = this.peers.get(czar);
    // A czar that left (its leave timed out cut off from its successor) has nobody to tell.
    if (!peer || peer.room.closed) return true;
    const events = peer.rollbacks;
    return events.some((e) => e.shard === tk.shard && e.term === tk.term && ((tk.seq >= e.fromSeq && tk.seq <= e.toSeq) || (e.unsent && tk.seq > e.toSeq)));
  }
}

/**
 * Runs `count` seeds from `first`, calling `onSeed` after each; returns the failures' hints. Yields
 * to the event loop between seeds: a seed's rejected promises hold their whole room (through the
 * error's stack) until their reactions run.
 */
export async function runSeeds(
  first: number,
  count: number,
  profile: SimProfile,
  onSeed?: (o: SimOutcome) => void,
  maxFailures = 5,
): Promise<{ failures: string[]; totals: Record<string, number> }> {
  const failures: string[] = [];
  const totals: Record<string, number> = {};
  for (let seed = first; seed < first + count; seed++) {
    await new Promise((resolve) => setImmediate(resolve));
    const o = runSimulation(seed, profile);
    for (const [k, v] of Object.entries(o.stats)) totals[k] = (totals[k] ?? 0) + v;
    onSeed?.(o);
    if (o.problem !== undefined) {
      failures.push(simReplayHint(o));
      if (failures.length >= maxFailures) break;
    }
  }
  return { failures, totals };
}

export type { Rng };
