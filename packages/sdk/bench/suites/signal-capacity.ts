/**
 * Signal capacity suite: N concurrent PeerJS signalling clients held by one `@anarchy/signal`
 * process and by a bare `peer` PeerServer, side by side. Each server runs alone in a child
 * process (bench/lib/server-child.ts) so its RSS is its own; the clients are raw `ws` sockets in
 * this process (bench/lib/peer-clients.ts), opened 200 at a time. Counts grow 1,000 → 5,000 on
 * one server; memory is read after every client is connected and GC has settled.
 */
import { readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import type { WebSocket } from 'ws';
import { connectPeerClients, joinRooms, postJson } from '../lib/peer-clients.js';
import { buildSignalForBench, startServerChild, type ServerKind } from '../lib/server-child.js';
import { percentile, round } from '../lib/stats.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';

const STEPS = [1000, 5000] as const;
const MAX_CLIENTS = 5000;
/** Socket opens (and, separately, room joins) in flight at once. */
const CONCURRENCY = 200;
/** Peers per room for the REST join: rooms of a realistic size (the default cap is 64). */
const ROOM_SIZE = 50;
/** Rate limit given to `@anarchy/signal` for the bench: every client is 127.0.0.1. */
const BENCH_RATE_LIMIT_MAX = 1_000_000;
/** Target from issue 8: 5,000 peers held in under this RSS. */
const TARGET_RSS_MB_5000 = 100;
/** File descriptors this process needs beyond one per client. */
const FD_MARGIN = 256;

const mb = (bytes: number): number => bytes / 1024 / 1024;

/** This process's soft limit on open files (Node raises it to the hard limit at start-up). */
function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s+/)[3];
    return soft === undefined ? null : soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    return null;
  }
}

/** One server configuration measured. */
interface Variant {
  readonly server: ServerKind;
  readonly label: string;
  /** Extra node flags of the server process. */
  readonly nodeArgs: readonly string[];
  /** Suffix of this variant's metric names ('' for the default configuration). */
  readonly metricSuffix: string;
}

/**
 * Default Node settings, as a user would run each server, then both with V8's young generation
 * capped: a burst of connections grows the semi-spaces to their 16 MB maximum and that memory
 * stays resident, so the cap shows how much of the RSS is GC headroom rather than peers.
 */
const VARIANTS: readonly Variant[] = [
  { server: 'signal', label: '@anarchy/signal', nodeArgs: [], metricSuffix: '' },
  { server: 'peerserver', label: 'peer PeerServer', nodeArgs: [], metricSuffix: '' },
  { server: 'signal', label: '@anarchy/signal, semi-space 1 MB', nodeArgs: ['--max-semi-space-size=1'], metricSuffix: '_semi1' },
  { server: 'peerserver', label: 'peer PeerServer, semi-space 1 MB', nodeArgs: ['--max-semi-space-size=1'], metricSuffix: '_semi1' },
];

/** Clients of each step opened one at a time at the end, for latency without queueing. */
const SERIAL_PROBES = 100;

interface StepResult {
  readonly variant: Variant;
  readonly clients: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly idleRssMb: number;
  /** Open latencies with {@link CONCURRENCY} in flight, all clients so far but the serial probes. */
  readonly open: readonly number[];
  /** Open latencies of the serial probes of this step. */
  readonly openSerial: readonly number[];
  readonly join: readonly number[];
  readonly joinSerial: readonly number[];
  readonly connectsPerS: number;
}

function logFailures(failures: string[], what: string, batch: readonly string[]): void {
  for (const f of batch.slice(0, 5)) failures.push(`${what}: ${f}`);
  if (batch.length > 5) failures.push(`${what}: … and ${batch.length - 5} more failures`);
}

async function runVariant(ctx: BenchContext, variant: Variant, signalDist: string, failures: string[]): Promise<StepResult[]> {
  const kind = variant.server;
  const child = await startServerChild(kind, { signalDist, rateLimitMax: BENCH_RATE_LIMIT_MAX, nodeArgs: variant.nodeArgs });
  const sockets: WebSocket[] = [];
  const results: StepResult[] = [];
  try {
    if (child.openFileLimit !== null && child.openFileLimit < MAX_CLIENTS + FD_MARGIN) {
      failures.push(`${variant.label}: the server process may open only ${child.openFileLimit} files (need ${MAX_CLIENTS + FD_MARGIN}); raise ulimit -n`);
      return results;
    }
    const idle = await child.measure();
    const target = { port: child.port, wsPath: child.wsPath };
    const open: number[] = [];
    const join: number[] = [];
    const rooms: string[] = [];
    for (const step of STEPS) {
      const first = sockets.length;
      const ids = Array.from({ length: step - first }, (_, i) => `bench-${kind}-${first + i}`);
      const burstIds = ids.slice(0, -SERIAL_PROBES);
      const probeIds = ids.slice(-SERIAL_PROBES);
      ctx.log(`  signal-capacity: ${variant.label}, clients ${first} → ${step}`);
      const started = ctx.now();
      const burst = await connectPeerClients({ target, ids: burstIds, concurrency: CONCURRENCY, now: ctx.now });
      const elapsedS = (ctx.now() - started) / 1000;
      const probes = await connectPeerClients({ target, ids: probeIds, concurrency: 1, now: ctx.now });
      sockets.push(...burst.sockets, ...probes.sockets);
      open.push(...burst.openMs);
      logFailures(failures, `${variant.label} open`, [...burst.failures, ...probes.failures]);

      let joinSerial: number[] = [];
      if (kind === 'signal') {
        const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
        try {
          while (rooms.length * ROOM_SIZE < step) {
            const res = await postJson(agent, child.port, '/rooms', { maxPeers: ROOM_SIZE });
            if (res.status !== 201) throw new Error(`POST /rooms answered ${res.status} ${res.body}`);
            rooms.push((JSON.parse(res.body) as { roomId: string }).roomId);
          }
          const joinsOf = (list: readonly string[], offset: number): Array<{ roomId: string; peerId: string }> =>
            list.map((peerId, i) => ({ peerId, roomId: rooms[Math.floor((offset + i) / ROOM_SIZE)] as string }));
          const joined = await joinRooms({ agent, port: child.port, joins: joinsOf(burstIds, first), concurrency: CONCURRENCY, now: ctx.now });
          const joinedSerial = await joinRooms({ agent, port: child.port, joins: joinsOf(probeIds, step - SERIAL_PROBES), concurrency: 1, now: ctx.now });
          join.push(...joined.ms);
          joinSerial = joinedSerial.ms;
          logFailures(failures, `${variant.label} join_room`, [...joined.failures, ...joinedSerial.failures]);
        } finally {
          // Keep-alive REST sockets would count against the server's memory; peers hold only their WebSocket.
          agent.destroy();
        }
      }

      const memory = await child.measure();
      if (memory.clients !== step) failures.push(`${variant.label} holds ${memory.clients} open peer sockets, expected ${step}`);
      results.push({
        variant,
        clients: step,
        rssMb: mb(memory.rss),
        heapMb: mb(memory.heapUsed),
        idleRssMb: mb(idle.rss),
        open: [...open],
        openSerial: probes.openMs,
        join: [...join],
        joinSerial,
        connectsPerS: burstIds.length / elapsedS,
      });
    }
  } finally {
    for (const s of sockets) s.terminate();
    await child.stop();
  }
  return results;
}

const suite: BenchSuite = {
  name: 'signal-capacity',
  description: 'PeerJS clients held by @anarchy/signal vs bare PeerServer: RSS and join latency',
  async run(ctx) {
    const failures: string[] = [];
    const limit = openFileLimit();
    if (limit !== null && limit < MAX_CLIENTS + FD_MARGIN) {
      return { metrics: {}, rows: [], failures: [`this process may open only ${limit} files; ${MAX_CLIENTS + FD_MARGIN} needed: raise ulimit -n`] };
    }
    ctx.log('  signal-capacity: compiling packages/signal/src for the child process');
    const signalDist = buildSignalForBench();
    const results: StepResult[] = [];
    try {
      for (const variant of VARIANTS) results.push(...(await runVariant(ctx, variant, signalDist, failures)));
    } finally {
      rmSync(signalDist, { recursive: true, force: true });
    }

    const ms = (values: readonly number[], p: number): number | string => (values.length === 0 ? '–' : round(percentile(values, p), 2));
    const rows: BenchRow[] = results.map((r) => ({
      server: r.variant.label,
      clients: r.clients,
      'RSS MB': round(r.rssMb, 1),
      'idle RSS MB': round(r.idleRssMb, 1),
      'KB/client': round(((r.rssMb - r.idleRssMb) * 1024) / r.clients, 1),
      'heap MB': round(r.heapMb, 1),
      'open p50 ms': ms(r.open, 50),
      'open p99 ms': ms(r.open, 99),
      'open 1-by-1 p99': ms(r.openSerial, 99),
      'join_room p50 ms': ms(r.join, 50),
      'join_room p99 ms': ms(r.join, 99),
      'join_room 1-by-1 p99': ms(r.joinSerial, 99),
      'clients/s': Math.round(r.connectsPerS),
    }));

    const metrics: Record<string, number> = {};
    for (const r of results) {
      const key = (what: string): string => `${r.variant.server}_${what}_${r.clients}${r.variant.metricSuffix}`;
      metrics[key('rss_mb')] = round(r.rssMb, 1);
      if (r.variant.metricSuffix !== '') continue;
      metrics[key('join_p99_ms')] = round(percentile(r.open, 99), 2);
      metrics[key('join_serial_p99_ms')] = round(percentile(r.openSerial, 99), 2);
      if (r.variant.server === 'signal') {
        metrics[key('join_room_p99_ms')] = round(percentile(r.join, 99), 2);
        metrics[key('join_room_serial_p99_ms')] = round(percentile(r.joinSerial, 99), 2);
      }
    }
    const rss = (server: ServerKind, suffix: string): number | undefined =>
      results.find((r) => r.variant.server === server && r.variant.metricSuffix === suffix && r.clients === MAX_CLIENTS)?.rssMb;
    const s5 = rss('signal', '');
    const p5 = rss('peerserver', '');
    if (s5 !== undefined && p5 !== undefined) metrics['signal_rss_ratio_vs_peerserver'] = round(s5 / p5, 2);
    // A missed target is news for the table, not a broken run: failures are for wrong behaviour.
    const verdict = s5 === undefined ? 'not measured' : s5 < TARGET_RSS_MB_5000 ? `met (${round(s5, 1)} MB)` : `MISSED (${round(s5, 1)} MB)`;

    return {
      metrics,
      rows,
      failures,
      notes: [
        'each server alone in a child process (node --expose-gc, plain JS: a tsx loader would add ~35 MB; @anarchy/signal compiled from src); RSS after all clients connected and 3 GC passes 250 ms apart; idle = same with 0 clients',
        `clients: raw ws sockets in this process; counts grow 1,000 → 5,000 on one server; p50/p99 with ${CONCURRENCY} in flight over all clients so far (queueing included); 1-by-1 = the last ${SERIAL_PROBES} clients of the step, one at a time. Clients and server share 2 cores and the clients are the bottleneck (the server idles ~half the time), so burst latencies are noisy; 1-by-1 isolates the server`,
        `open = new WebSocket → PeerServer OPEN message; join_room = POST /rooms/:id/peers once every client is open (rooms of ${ROOM_SIZE}, keep-alive HTTP, closed before measuring memory)`,
        `@anarchy/signal runs with rateLimit raised to ${BENCH_RATE_LIMIT_MAX.toLocaleString('en-US')} per 10 s (default 120 per 10 s per address; all bench clients are 127.0.0.1), silent logger, other options default`,
        `peer PeerServer: PeerServer({ port: 0 }), all else default (concurrent_limit 5,000; @anarchy/signal sets 20,000); open files limit here: ${limit === null ? 'unknown' : String(limit)}`,
        `target: ${MAX_CLIENTS.toLocaleString('en-US')} peers under ${TARGET_RSS_MB_5000} MB RSS with default node flags: ${verdict}; RSS varies by ±5 MB from run to run`,
      ],
    };
  },
};

export default suite;
