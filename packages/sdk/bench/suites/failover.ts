/**
 * Failover suite: how long a shard goes unwritten when its czar crashes or leaves, and whether a
 * committed update is ever lost (SPEC.md [R23]–[R28]).
 *
 * Rooms of 5 `Room`s on the simulated network (fixed seed), 20 ms one-way links with 1% loss,
 * SWIM membership on the rooms' own links with a 50 ms probe round (every member probes every
 * other: the membership suite's `BENCH_SWIM`), 50 ms czar ticks. The czar writes on every tick
 * (one token per tick into an append-only log) so that loss would show.
 *
 * - `failover_crash_p99_ms`: the czar crashes at a random moment; time until every live replica
 *   applied the new czar's first update (the opening snapshot of its term, which carries the state
 *   it took over). Includes detection, the replicas' final holdings reaching the successor (each
 *   sends its own as soon as its view drops the czar; the successor asks those that did not,
 *   [R25]) and the snapshot's trip.
 * - `failover_graceful_p99_ms`: the czar calls `leave()`; time until every remaining replica
 *   applied the successor's first update (one trip to the successor, one to everyone).
 * - `committed_updates_lost`: over every crash trial, tokens whose delta the old czar reported
 *   committed ([R23]) and that are missing from the converged state. Must be 0.
 * - `failover_uncommitted_lost_per_crash`: writes the crashed czar made and that never committed
 *   (reported by its `rollback` event when it can; a crashed tab cannot): the price of
 *   optimistic writes, about one tick plus one round trip of them.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import type { Room } from '../../src/room.js';
import { SimCluster } from '../../src/room/sim-cluster.node.js';
import { BENCH_SWIM } from './membership.js';
import type { BenchContext, BenchRow, BenchSuite, TimelineEvent } from '../types.js';

const PEERS = 5;
const CRASH_TRIALS = 200;
const LEAVE_TRIALS = 100;
const TARGET_CRASH_P99_MS = 250;
/** One round trip (2 × 20 ms) plus one tick. */
const TARGET_GRACEFUL_P99_MS = 40 + 50;

const Ledger = schema({ log: t.array('string') }, 'BenchFailoverLedger');
type Ledger = SchemaType<typeof Ledger>;

interface Trial {
  readonly ms: number;
  readonly lost: number;
  readonly committed: number;
  readonly uncommittedLost: number;
  readonly timeline?: TimelineEvent[];
}

function makeCluster(seed: number): SimCluster {
  const c = new SimCluster({
    seed,
    link: { latencyMs: 20, loss: 0.01 },
    transport: { keepAliveMs: 1_000, peerTimeoutMs: 5_000, redialMs: 250 },
    room: { swim: { ...BENCH_SWIM, probeFanout: PEERS - 1 }, bootstrapMs: 300, graceMs: 1_000 },
    shards: [{ id: 'log', State: Ledger }],
  });
  for (let i = 0; i < PEERS; i++) c.add(`p${i}`, { playerId: `player${i}` });
  return c;
}

/** The czar appends one token per tick; tokens are recorded with the delta that carries them. */
function writer(c: SimCluster, czar: Room, tokens: Map<string, { seq: number; term: number; committed: boolean }>): () => void {
  let n = 0;
  let stopped = false;
  const offCommit = czar.on('commit', (e) => {
    for (const tk of tokens.values()) if (tk.term === e.term && tk.seq <= e.seq) tk.committed = true;
  });
  const step = (): void => {
    if (stopped || czar.closed || !czar.isCzar('log')) return;
    const tm = czar.termOf('log')!;
    const token = `${czar.self}-${n++}`;
    tokens.set(token, { seq: tm.seq + 1, term: tm.term, committed: false });
    czar.mutate<Ledger, void>('log', (s) => void s.log.push(token));
    c.net.clock.setTimeout(step, 50);
  };
  step();
  return () => {
    stopped = true;
    offCommit();
  };
}

function crashTrial(seed: number, withTimeline: boolean): Trial {
  const c = makeCluster(seed);
  if (c.settle(10_000, 50) !== undefined) throw new Error(`seed ${seed}: the room did not converge`);
  c.run(1_500); // RTT estimates and a settled view
  const czar = c.czarRoom('log')!;
  const tokens = new Map<string, { seq: number; term: number; committed: boolean }>();
  const stop = writer(c, czar, tokens);
  c.run(500 + ((seed * 37) % 100)); // crash at a moment that varies against ticks and probe rounds
  const timeline: TimelineEvent[] = [];
  const t0 = c.net.now();
  const before = czar.termOf('log')!;
  const live = c.live().filter((r) => r !== czar);
  const seen = new Set<string>();
  const offs = live.map((r) =>
    r.on('trace', (e) => {
      if (!withTimeline) return;
      const at = c.net.now() - t0;
      if (e.type === 'claim') timeline.push({ t_ms: at, event: `claims term ${e.term} (${e.from})`, lane: r.self });
      if (e.type === 'accept' && e.kind === 'snapshot' && e.term > before.term && !seen.has(r.self)) {
        seen.add(r.self);
        timeline.push({ t_ms: at, event: 'new term applied', lane: r.self });
      }
    }),
  );
  if (withTimeline) {
    for (const r of live) {
      r.membership.on('change', (ch) => {
        if (ch.left.includes(czar.self)) timeline.push({ t_ms: c.net.now() - t0, event: 'czar declared dead', lane: r.self });
      });
    }
    timeline.push({ t_ms: 0, event: 'czar crashes', lane: czar.self });
  }
  c.crash(czar.self);
  stop();
  const done = (): boolean => live.every((r) => {
    const tm = r.termOf('log');
    return tm !== undefined && (tm.term > before.term || tm.czar !== before.czar);
  });
  if (!c.net.runUntil(done, 20_000)) throw new Error(`seed ${seed}: no failover within 20 s`);
  const ms = c.net.now() - t0;
  for (const off of offs) off();
  if (c.settle(15_000, 50) !== undefined) throw new Error(`seed ${seed}: no convergence after the failover`);
  const final = new Set(c.czarRoom('log')!.state<Ledger>('log').log);
  let lost = 0;
  let committed = 0;
  let uncommittedLost = 0;
  for (const [token, tk] of tokens) {
    if (tk.committed) committed++;
    if (final.has(token)) continue;
    if (tk.committed) lost++;
    else uncommittedLost++;
  }
  return { ms, lost, committed, uncommittedLost, ...(withTimeline ? { timeline } : {}) };
}

function leaveTrial(seed: number): number {
  const c = makeCluster(seed);
  if (c.settle(10_000, 50) !== undefined) throw new Error(`seed ${seed}: the room did not converge`);
  c.run(1_500);
  const czar = c.czarRoom('log')!;
  const tokens = new Map<string, { seq: number; term: number; committed: boolean }>();
  const stop = writer(c, czar, tokens);
  c.run(500 + ((seed * 37) % 100));
  const before = czar.termOf('log')!;
  const live = c.live().filter((r) => r !== czar);
  const t0 = c.net.now();
  stop();
  void czar.leave();
  const done = (): boolean => live.every((r) => {
    const tm = r.termOf('log');
    return tm !== undefined && tm.term > before.term;
  });
  if (!c.net.runUntil(done, 10_000)) throw new Error(`seed ${seed}: no handoff within 10 s`);
  const ms = c.net.now() - t0;
  if (c.settle(10_000, 50) !== undefined) throw new Error(`seed ${seed}: no convergence after the leave`);
  const final = new Set(c.czarRoom('log')!.state<Ledger>('log').log);
  for (const token of tokens.keys()) if (!final.has(token)) throw new Error(`seed ${seed}: ${token} lost in a graceful leave`);
  return ms;
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
const round = (x: number, d = 0): number => Math.round(x * 10 ** d) / 10 ** d;

const suite: BenchSuite = {
  name: 'failover',
  description: 'Czar crash and graceful leave: time until every replica applies the new czar’s first update; committed updates lost',
  async run(ctx: BenchContext) {
    const crash: Trial[] = [];
    for (let i = 0; i < CRASH_TRIALS; i++) crash.push(crashTrial(ctx.seed + i, i === 0));
    ctx.log(`failover: ${CRASH_TRIALS} crash trials done`);
    const leave: number[] = [];
    for (let i = 0; i < LEAVE_TRIALS; i++) leave.push(leaveTrial(ctx.seed + 10_000 + i));
    const crashMs = crash.map((x) => x.ms).sort((a, b) => a - b);
    leave.sort((a, b) => a - b);
    const lost = crash.reduce((s, x) => s + x.lost, 0);
    const committed = crash.reduce((s, x) => s + x.committed, 0);
    const uncommitted = crash.reduce((s, x) => s + x.uncommittedLost, 0);
    const metrics: Record<string, number> = {
      failover_crash_p50_ms: round(quantile(crashMs, 0.5)),
      failover_crash_p99_ms: round(quantile(crashMs, 0.99)),
      failover_graceful_p50_ms: round(quantile(leave, 0.5)),
      failover_graceful_p99_ms: round(quantile(leave, 0.99)),
      committed_updates_lost: lost,
      failover_committed_updates_checked: committed,
      failover_uncommitted_lost_per_crash: round(uncommitted / CRASH_TRIALS, 2),
    };
    const rows: BenchRow[] = [
      { scenario: `czar crash (${CRASH_TRIALS} trials)`, p50_ms: metrics['failover_crash_p50_ms']!, p99_ms: metrics['failover_crash_p99_ms']!, max_ms: round(crashMs.at(-1)!), target: `≤ ${TARGET_CRASH_P99_MS}` },
      { scenario: `leave() (${LEAVE_TRIALS} trials)`, p50_ms: metrics['failover_graceful_p50_ms']!, p99_ms: metrics['failover_graceful_p99_ms']!, max_ms: round(leave.at(-1)!), target: `≤ ${TARGET_GRACEFUL_P99_MS}` },
      { scenario: 'committed updates lost (crash trials)', p50_ms: '', p99_ms: '', max_ms: '', target: `0 of ${committed}: ${lost}` },
    ];
    const failures: string[] = [];
    if (lost > 0) failures.push(`${lost} committed updates lost over ${CRASH_TRIALS} crash trials`);
    return {
      metrics,
      rows,
      notes: [
        `${PEERS} peers, 20 ms one-way, 1% loss, SWIM probe round 50 ms (all-to-all), 50 ms ticks; the czar writes every tick.`,
        'Crash: from the crash to every live replica applying the new term (detection + the replicas’ final holdings reaching the successor, sent as each drops the czar + the opening snapshot).',
        'Leave: from the leave() call to every remaining replica applying the successor’s term (handoff snapshot + opening snapshot).',
        `Uncommitted writes lost per crash (the optimistic window): ${metrics['failover_uncommitted_lost_per_crash']}.`,
      ],
      failures,
      charts: [{ kind: 'timeline', id: 'failover-timeline', title: 'One czar crash, as each peer saw it', events: crash[0]!.timeline ?? [] }],
    };
  },
};

export default suite;
