/**
 * Membership suite: how fast SWIM notices a crash, and how often it drops a live peer.
 *
 * Both measurements run one option set, {@link BENCH_SWIM}: a 50 ms probe round in which every
 * member probes every other (all-to-all heartbeats, fanout 9 in a room of 10), adaptive probe
 * timeouts with a 40 ms floor, and Lifeguard suspicion timeouts from 2 s (no confirmation) down
 * to 40 ms (or one probe timeout, whichever is longer) once 3 peers independently agree.
 *
 * - `detection_p99_ms`: 10 peers, 20 ms one-way latency, 1% loss; one peer crashes at
 *   a random moment; the time until every live member's view has dropped it. One fresh room per
 *   trial, p99 over the trials.
 * - `spurious_failovers_per_10_peer_hours`: 10 peers for hours of virtual time at 2%
 *   loss, 20 ms latency and 100 ms jitter (one-way 20–120 ms, so round trips of 40–240 ms), no
 *   crash at all: every live peer dropped from some view is a spurious failover. Normalised per
 *   10 peer-hours.
 */
import { SWIM_DEFAULTS, type SwimTunables } from '../../src/membership/options.js';
import { SwimCluster } from '../../src/membership/test-support.node.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';

const PEERS = 10;
/** Probe round 50 ms, every member probed every round: the "50 ms heartbeat" configuration. */
export const BENCH_SWIM: Partial<SwimTunables> = {
  probeIntervalMs: 50,
  probeFanout: PEERS - 1,
  probeTimeoutMs: 40,
  rttMarginMs: 5,
  suspicionMinMs: 40,
  suspicionMaxMs: 2_000,
};
const DETECTION_TRIALS = 300;
const SPURIOUS_HOURS = 2;
const TARGET_P99_MS = 200;
const TARGET_SPURIOUS = 1;

interface Detection {
  readonly times: number[];
  readonly spurious: number;
  readonly bytesPerPeerSecond: number;
}

/** Crash-to-everyone-dropped times over `trials` fresh rooms. */
function detection(seed: number, trials: number, swim: Partial<SwimTunables>, link: { latencyMs: number; loss: number }): Detection {
  const times: number[] = [];
  let spurious = 0;
  let bytes = 0;
  let peerMs = 0;
  for (let t = 0; t < trials; t++) {
    const c = new SwimCluster({ seed: seed + t, link, swim });
    for (let i = 0; i < PEERS; i++) c.add(`p${i}`);
    if (!c.runUntil(() => c.converged(), 5_000)) throw new Error(`seed ${seed + t}: the room did not converge`);
    // Warm up (RTT estimates), then crash at a moment that varies against the probe rounds.
    c.run(2_000);
    c.net.resetStats();
    const warm = c.clock.now();
    c.run((t * 7.3) % 100);
    c.crash('p3');
    const crashedAt = c.clock.now();
    const dropped = c.runUntil(() => c.live().every((p) => !p.membership.members().includes(p3)), 30_000);
    times.push(dropped ? c.clock.now() - crashedAt : Number.POSITIVE_INFINITY);
    spurious += c.spurious.length;
    bytes += c.net.stats().total.bytesSent;
    peerMs += (c.clock.now() - warm) * PEERS;
  }
  times.sort((a, b) => a - b);
  return { times, spurious, bytesPerPeerSecond: bytes / (peerMs / 1000) };
}

const p3 = 'p3' as never;
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

interface Spurious {
  readonly drops: number;
  readonly peerHours: number;
  readonly suspicions: number;
  readonly refutations: number;
  readonly deadVerdicts: number;
}

/** A long crash-free run: every drop of a live peer is spurious. */
function spuriousRun(ctx: BenchContext, seed: number, hours: number): Spurious {
  const c = new SwimCluster({ seed, link: { latencyMs: 20, jitterMs: 100, loss: 0.02 }, swim: BENCH_SWIM });
  for (let i = 0; i < PEERS; i++) c.add(`p${i}`);
  c.runUntil(() => c.converged(), 10_000);
  const start = c.clock.now();
  for (let m = 0; m < hours * 60; m++) {
    c.run(60_000);
    if (m % 30 === 29) ctx.log(`  membership: ${(m + 1) / 60} virtual h, ${c.spurious.length} spurious so far`);
  }
  const peerHours = ((c.clock.now() - start) * PEERS) / 3_600_000;
  const sum = (k: 'suspicionsRaised' | 'refutations' | 'deadVerdicts'): number => c.live().reduce((n, p) => n + p.membership.stats[k], 0);
  return { drops: c.spurious.length, peerHours, suspicions: sum('suspicionsRaised'), refutations: sum('refutations'), deadVerdicts: sum('deadVerdicts') };
}

const round = (v: number, digits = 1): number => Number(v.toFixed(digits));

const suite: BenchSuite = {
  name: 'membership',
  description: 'SWIM failure detection: crash detection time and spurious dead verdicts (SimNetwork)',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const metrics: Record<string, number> = {};
    const failures: string[] = [];

    const fast = detection(ctx.seed, DETECTION_TRIALS, BENCH_SWIM, { latencyMs: 20, loss: 0.01 });
    const p99 = quantile(fast.times, 0.99);
    rows.push({
      case: 'detection, bench options (50 ms rounds, all-to-all)',
      trials: DETECTION_TRIALS,
      'p50 ms': round(quantile(fast.times, 0.5)),
      'p90 ms': round(quantile(fast.times, 0.9)),
      'p99 ms': round(p99),
      'max ms': round(fast.times.at(-1)!),
      'spurious drops': fast.spurious,
      'bytes/peer/s': Math.round(fast.bytesPerPeerSecond),
    });
    metrics['membership_detection_p50_ms'] = round(quantile(fast.times, 0.5));
    metrics['detection_p99_ms'] = round(p99);
    metrics['membership_bytes_per_peer_s'] = Math.round(fast.bytesPerPeerSecond);
    if (!(p99 <= TARGET_P99_MS)) failures.push(`detection p99 ${round(p99)} ms exceeds the ${TARGET_P99_MS} ms target`);

    const defaults = detection(ctx.seed + 100_000, 100, {}, { latencyMs: 20, loss: 0.01 });
    rows.push({
      case: `detection, defaults (${SWIM_DEFAULTS.probeIntervalMs} ms rounds, fanout ${SWIM_DEFAULTS.probeFanout})`,
      trials: 100,
      'p50 ms': round(quantile(defaults.times, 0.5)),
      'p90 ms': round(quantile(defaults.times, 0.9)),
      'p99 ms': round(quantile(defaults.times, 0.99)),
      'max ms': round(defaults.times.at(-1)!),
      'spurious drops': defaults.spurious,
      'bytes/peer/s': Math.round(defaults.bytesPerPeerSecond),
    });
    metrics['membership_detection_defaults_p99_ms'] = round(quantile(defaults.times, 0.99));

    const long = spuriousRun(ctx, ctx.seed, SPURIOUS_HOURS);
    const rate = (long.drops / long.peerHours) * 10;
    rows.push({
      case: `no crash, ${SPURIOUS_HOURS} h × ${PEERS} peers, 2% loss, 100 ms jitter (bench options)`,
      'peer-hours': round(long.peerHours),
      'spurious drops': long.drops,
      'per 10 peer-h': round(rate, 2),
      suspicions: long.suspicions,
      refuted: long.refutations,
      'dead verdicts': long.deadVerdicts,
    });
    metrics['spurious_failovers_per_10_peer_hours'] = round(rate, 2);
    metrics['membership_spurious_peer_hours'] = round(long.peerHours);
    if (!(rate <= TARGET_SPURIOUS)) failures.push(`${round(rate, 2)} spurious failovers per 10 peer-hours exceeds the target of ${TARGET_SPURIOUS}`);

    return {
      metrics,
      rows,
      notes: [
        `Rooms of ${PEERS} peers on SimNetwork, fixed seeds from ${ctx.seed}. Detection: crash → every live view has dropped the peer.`,
        'Bench options: ' + JSON.stringify(BENCH_SWIM) + '; other options at their defaults.',
        `Spurious: a live peer dropped from any view; ${long.suspicions} suspicions were raised and ${long.refutations} refuted in the long run.`,
        `Targets: detection p99 ≤ ${TARGET_P99_MS} ms; ≤ ${TARGET_SPURIOUS} spurious failover per 10 peer-hours.`,
        'bytes/peer/s counts frames sent (both channels) per peer after warm-up, without datagram overhead.',
      ],
      failures,
    };
  },
};

export default suite;
