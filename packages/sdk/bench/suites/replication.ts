/**
 * Replication suite, on the simulated network with a fixed seed.
 *
 * 1. Bytes per moving unit per tick: the same seeded RTS workload (500 units, 1–3 m/s, 20 Hz,
 *    1 cm; positions-measure.ts) sent by a czar through a `Room` with a position stream, counted
 *    as frame bytes on the czar→replica link (position frames, message headers, frame headers,
 *    digests and pings included), against plain `@colyseus/schema` patches and JSON of the moved
 *    units (payload only, no framing: the baselines are flattered, not us).
 * 2. Propagation latency: rooms of 8, 32 and 64 peers, 20 ms one-way, 1% loss on every link;
 *    four shards whose czars change state every tick. For each delta, the time from the czar's
 *    send to the moment the last replica holds it (applied, or a snapshot at or past it);
 *    p50 and p99 over all deltas after warm-up.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { REPLICATION_DEFAULTS, Room } from '../../src/room.js';
import { measureBytesPerMovingUnit, resolveWorkload, simulateMovement } from '../../src/replication/positions-measure.js';
import { quantize, type PositionSample } from '../../src/replication/positions.js';
import { SimNetwork } from '../../src/transport/sim/index.js';
import { SeededRng } from '../../src/util/rng.js';
import type { BenchRow, BenchSuite } from '../types.js';

const BenchUnits = schema({ count: t.uint32() }, 'BenchReplUnits');
const BenchCounter = schema({ n: t.uint32(), last: t.string() }, 'BenchReplCounter');
type BenchCounter = SchemaType<typeof BenchCounter>;

const TICK_MS = 50;

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Runs the position workload through a two-peer room and returns bytes per moving unit per tick on the wire. */
export function engineBytesPerMovingUnit(seed: number): { perUnit: number; movingUnitTicks: number; bytes: number; exact: boolean } {
  const w = resolveWorkload({ seed });
  const frames = simulateMovement(w);
  const net = new SimNetwork({ seed, defaultLink: { latencyMs: 10 } });
  const opts = { clock: net.clock, tickMs: TICK_MS, bootstrapMs: 200 } as const;
  const a = Room.create({ ...opts, transport: net.join('czar'), rng: new SeededRng(seed) });
  const b = Room.create({ ...opts, transport: net.join('replica'), rng: new SeededRng(seed + 1) });
  for (const r of [a, b]) r.declareShard('units', BenchUnits, { positions: true });
  net.runUntil(() => a.isCzar('units') || b.isCzar('units'), 5_000);
  const czar = a.isCzar('units') ? a : b;
  const replica = czar === a ? b : a;
  const samples = (f: ReadonlyArray<{ x: number; y: number }>): PositionSample[] => f.map((p, id) => ({ id, x: quantize(p.x), y: quantize(p.y) }));
  // Initial sync (a keyframe), as in positions-measure: not counted.
  czar.setPositions('units', samples(frames[0]!));
  net.run(TICK_MS * 4);
  net.resetStats();
  let moving = 0;
  for (let tick = 1; tick < frames.length; tick++) {
    const prev = frames[tick - 1]!;
    const now = frames[tick]!;
    for (let i = 0; i < now.length; i++) if (quantize(now[i]!.x) !== quantize(prev[i]!.x) || quantize(now[i]!.y) !== quantize(prev[i]!.y)) moving++;
    czar.setPositions('units', samples(now));
    net.run(TICK_MS);
  }
  const link = net.stats().links.find((l) => l.from === czar.self && l.to === replica.self)!;
  const bytes = link.control.bytesSent + link.state.bytesSent;
  net.run(500);
  const last = samples(frames[frames.length - 1]!);
  const view = replica.positions('units');
  const exact = last.every((s) => {
    const p = view.get(s.id);
    return p !== undefined && p.x === s.x && p.y === s.y;
  });
  return { perUnit: bytes / moving, movingUnitTicks: moving, bytes, exact };
}

/** Propagation latency of deltas through a room of `n` peers. */
export function propagation(
  seed: number,
  n: number,
  ticks: number,
): { p50: number; p99: number; deltas: number; incomplete: number; relayed: number; repairs: number; copies: number } {
  const net = new SimNetwork({ seed, defaultLink: { latencyMs: 20, loss: 0.01 } });
  const shards = ['w0', 'w1', 'w2', 'w3'];
  const rooms: Room[] = [];
  const opts = { clock: net.clock, tickMs: TICK_MS, bootstrapMs: 500, antiEntropyMs: 1_000 } as const;
  // sent[shard|term|seq] = time; reached[peer|shard|term] = [(time, seq)] in order.
  const sent = new Map<string, number>();
  const reached = new Map<string, Array<[number, number]>>();
  let measuring = false;
  for (let i = 0; i < n; i++) {
    const room = Room.create({ ...opts, transport: net.join(`peer${i}`), rng: new SeededRng(seed * 131 + i) });
    for (const s of shards) room.declareShard(s, BenchCounter);
    room.on('trace', (e) => {
      if (!measuring) return;
      if (e.type === 'sent') sent.set(`${e.shard}|${e.term}|${e.seq}`, e.at);
      else if (e.type === 'accept') {
        const k = `${room.self}|${e.shard}|${e.term}`;
        let list = reached.get(k);
        if (!list) reached.set(k, (list = []));
        list.push([e.at, e.seq]);
      }
    });
    rooms.push(room);
  }
  const settled = (): boolean =>
    shards.every((s) => {
      const czar = rooms.find((r) => r.isCzar(s));
      const t = czar?.termOf(s);
      return t !== undefined && rooms.every((r) => r.termOf(s)?.term === t.term && r.termOf(s)?.czar === t.czar);
    });
  net.runUntil(settled, 30_000);
  measuring = true;
  for (let tick = 0; tick < ticks; tick++) {
    for (const s of shards) {
      const czar = rooms.find((r) => r.isCzar(s));
      czar?.mutate<BenchCounter, void>(s, (st) => {
        st.n++;
        st.last = `t${tick}`;
      });
    }
    net.run(TICK_MS);
  }
  net.run(2_000);
  measuring = false;
  const latencies: number[] = [];
  let incomplete = 0;
  for (const [key, at] of sent) {
    const [shard, term, seqText] = key.split('|');
    const seq = Number(seqText);
    let worst = 0;
    let complete = true;
    for (const r of rooms) {
      if (r.isCzar(shard!) && r.termOf(shard!)?.term === Number(term)) continue;
      const list = reached.get(`${r.self}|${shard}|${term}`);
      const hit = list?.find(([, s]) => s >= seq);
      if (!hit) {
        complete = false;
        break;
      }
      worst = Math.max(worst, hit[0] - at);
    }
    if (complete) latencies.push(worst);
    else incomplete++;
  }
  latencies.sort((x, y) => x - y);
  let relayed = 0;
  let repairs = 0;
  for (const r of rooms) {
    for (const m of Object.values(r.metrics().shards)) {
      relayed += m.deltasRelayed;
      repairs += m.repairsRequested;
    }
  }
  const direct = Math.min(n - 1, n <= REPLICATION_DEFAULTS.gossipThreshold ? n - 1 : REPLICATION_DEFAULTS.fanout);
  const copies = sent.size === 0 ? 0 : (relayed + sent.size * direct) / (sent.size * (n - 1));
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), deltas: latencies.length, incomplete, relayed, repairs, copies };
}

const suite: BenchSuite = {
  name: 'replication',
  description: 'bytes per moving unit (ours vs schema vs JSON) and delta propagation latency at 8/32/64 peers',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const metrics: Record<string, number> = {};
    const failures: string[] = [];

    ctx.log('replication: position workload through a room…');
    const ours = engineBytesPerMovingUnit(ctx.seed);
    const base = measureBytesPerMovingUnit({ seed: ctx.seed });
    if (!ours.exact) failures.push('the replica did not end with the czar’s exact positions');
    metrics['bytes_per_moving_unit'] = round(ours.perUnit, 3);
    metrics['bytes_per_moving_unit_schema'] = round(base.schema, 3);
    metrics['bytes_per_moving_unit_json'] = round(base.json, 3);
    rows.push({ case: 'ours: Room position stream, frame bytes on the link', 'B/moving unit/tick': ours.perUnit, 'moving unit-ticks': ours.movingUnitTicks });
    rows.push({ case: 'ours: position stream payload alone', 'B/moving unit/tick': base.ours, 'moving unit-ticks': base.movingUnitTicks });
    rows.push({ case: 'schema patches, float32 x/y (payload)', 'B/moving unit/tick': base.schema, 'moving unit-ticks': base.movingUnitTicks });
    rows.push({ case: `schema patches, int16 x/y in ${base.schemaInt16Unit} (payload)`, 'B/moving unit/tick': base.schemaInt16, 'moving unit-ticks': base.movingUnitTicks });
    rows.push({ case: 'JSON of moved units (payload)', 'B/moving unit/tick': base.json, 'moving unit-ticks': base.movingUnitTicks });

    for (const n of [8, 32, 64]) {
      ctx.log(`replication: propagation at ${n} peers…`);
      const started = ctx.now();
      const p = propagation(ctx.seed + n, n, n >= 64 ? 300 : 400);
      metrics[`propagation_p50_ms_${n}`] = round(p.p50, 1);
      metrics[`propagation_p99_ms_${n}`] = round(p.p99, 1);
      rows.push({
        case: `propagation, ${n} peers (20 ms, 1% loss)`,
        'p50 ms': p.p50,
        'p99 ms': p.p99,
        deltas: p.deltas,
        'not reached': p.incomplete,
        'copies/replica': p.copies,
        repairs: p.repairs,
        'wall s': (ctx.now() - started) / 1000,
      });
    }
    if (metrics['bytes_per_moving_unit']! > 4) failures.push(`bytes_per_moving_unit ${metrics['bytes_per_moving_unit']} > 4`);
    if (metrics['propagation_p99_ms_32']! > 50) failures.push(`propagation_p99_ms_32 ${metrics['propagation_p99_ms_32']} > 50`);
    return {
      metrics,
      rows,
      failures,
      notes: [
        'bytes: 500 units at 1–3 m/s, 1 cm, 20 Hz, 200 ticks (positions-measure.ts workload); ours counts every frame byte czar→replica',
        `propagation: czar send → last replica holding the delta; rooms above 16 peers relay by gossip (fanout 16), redundancy 3`,
      ],
    };
  },
};

export default suite;
