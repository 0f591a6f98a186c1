/**
 * Wire suite: codec throughput and wire efficiency.
 *
 * Efficiency is measured for a steady stream of small deltas: every 50 ms tick (20 Hz), each of
 * N shards emits one 20-byte delta; the outbox batches a tick's deltas into state-channel frames
 * (≤ 1,150 bytes, one datagram each). Efficiency = delta payload bytes / bytes on the network,
 * counting {@link DATAGRAM_OVERHEAD_BYTES} per datagram. The headline `wire_efficiency` is N = 16.
 */
import { VirtualClock } from '../../src/util/clock.js';
import { SeededRng } from '../../src/util/rng.js';
import { randomBytes } from '../../src/wire/arbitrary.js';
import { decodeFrame, encodeFrame } from '../../src/wire/frame.js';
import { Inbox } from '../../src/wire/inbox.js';
import type { Channel, Message } from '../../src/wire/messages.js';
import { Outbox } from '../../src/wire/outbox.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';

/**
 * Bytes below our frame in each datagram: IPv4 20 + UDP 8 + DTLS 1.2 record 13 + AES-GCM nonce
 * and tag 24 + SCTP common header 12 + DATA chunk header 16 = 93.
 */
export const DATAGRAM_OVERHEAD_BYTES = 93;

const DELTA_BYTES = 20;
const TICKS = 1200; // one minute at 20 Hz
const HEADLINE_SHARDS = 16;
/** Sequence numbers of a game ten minutes in at 20 Hz: two-byte varints, as in steady play. */
const FIRST_SEQ = 12_000;

interface Collected {
  frames: Uint8Array[];
  channels: Channel[];
  bytes: number;
}

const collector = (): Collected & { send(c: Channel, f: Uint8Array): void; bufferedAmount(): number } => {
  const c: Collected = { frames: [], channels: [], bytes: 0 };
  return Object.assign(c, {
    send(channel: Channel, frame: Uint8Array) {
      c.frames.push(frame);
      c.channels.push(channel);
      c.bytes += frame.length;
    },
    bufferedAmount: () => 0,
  });
};

/** Runs `shards` × `ticks` deltas through an outbox; returns what went on the wire. */
function steadyStream(seed: number, shards: number, ticks: number): Collected & { payload: number } {
  const rng = new SeededRng(seed);
  const payloads = Array.from({ length: 64 }, () => randomBytes(rng, DELTA_BYTES));
  const outbox = new Outbox();
  const sink = collector();
  let payload = 0;
  for (let t = 0; t < ticks; t++) {
    for (let s = 0; s < shards; s++) {
      outbox.enqueue({ type: 'delta', shard: s, term: 1, seq: FIRST_SEQ + t, payload: payloads[(t + s) & 63]! });
      payload += DELTA_BYTES;
    }
    outbox.drain(sink);
  }
  return { ...sink, payload };
}

/** Best of `runs` timings of `fn`, in ms, after one warm-up. */
function best(ctx: BenchContext, runs: number, fn: () => void): number {
  fn();
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t = ctx.now();
    fn();
    min = Math.min(min, ctx.now() - t);
  }
  return min;
}

const mbPerS = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

const suite: BenchSuite = {
  name: 'wire',
  description: 'frame codec: throughput (MB/s) and wire efficiency of small deltas',
  first: true,
  async run(ctx) {
    const rows: BenchRow[] = [];
    const metrics: Record<string, number> = {};

    // Efficiency at several shard counts.
    for (const shards of [1, 4, 16, 40]) {
      const s = steadyStream(ctx.seed, shards, TICKS);
      const datagrams = s.frames.length;
      const onWire = s.bytes + datagrams * DATAGRAM_OVERHEAD_BYTES;
      const efficiency = s.payload / onWire;
      rows.push({
        case: `deltas: ${shards} × ${DELTA_BYTES} B per tick, 20 Hz`,
        frames: datagrams,
        'frame B/delta': s.bytes / (shards * TICKS),
        'wire B/delta': onWire / (shards * TICKS),
        efficiency,
        'kbit/s': (onWire * 8) / (TICKS / 20) / 1000,
      });
      if (shards === HEADLINE_SHARDS) {
        metrics['wire_efficiency'] = round(efficiency, 4);
        metrics['wire_bytes_per_delta'] = round(onWire / (shards * TICKS), 2);
      }
      if (shards === 1) metrics['wire_efficiency_1_shard'] = round(efficiency, 4);
    }

    // Throughput of the small-delta path: outbox (encode, batch, frame, CRC) and inbox (CRC, decode, validate).
    const stream = steadyStream(ctx.seed, HEADLINE_SHARDS, TICKS);
    const encodeMs = best(ctx, 5, () => steadyStream(ctx.seed, HEADLINE_SHARDS, TICKS));
    const decodeMs = best(ctx, 5, () => {
      const inbox = new Inbox({ clock: new VirtualClock() });
      for (let i = 0; i < stream.frames.length; i++) inbox.receive(stream.channels[i]!, stream.frames[i]!);
    });
    const encodeMbs = round(mbPerS(stream.bytes, encodeMs), 1);
    const decodeMbs = round(mbPerS(stream.bytes, decodeMs), 1);
    metrics['wire_encode_mb_s'] = encodeMbs;
    metrics['wire_decode_mb_s'] = decodeMbs;
    rows.push({ case: 'small deltas: outbox encode', frames: stream.frames.length, 'MB/s': encodeMbs, 'msg/s': (HEADLINE_SHARDS * TICKS) / (encodeMs / 1000) });
    rows.push({ case: 'small deltas: inbox decode', frames: stream.frames.length, 'MB/s': decodeMbs, 'msg/s': (HEADLINE_SHARDS * TICKS) / (decodeMs / 1000) });

    // Raw codec on ~1 KB batches, without queueing.
    const rng = new SeededRng(ctx.seed);
    const batch: Message[] = Array.from({ length: 36 }, (_, i) => ({ type: 'delta', shard: i, term: 1, seq: FIRST_SEQ + i, payload: randomBytes(rng, DELTA_BYTES) }));
    const frame = encodeFrame(batch);
    const reps = 20_000;
    const rawEnc = best(ctx, 3, () => {
      for (let i = 0; i < reps; i++) encodeFrame(batch);
    });
    const rawDec = best(ctx, 3, () => {
      for (let i = 0; i < reps; i++) decodeFrame(frame);
    });
    rows.push({ case: `encodeFrame: ${batch.length} deltas, ${frame.length} B`, frames: reps, 'MB/s': mbPerS(frame.length * reps, rawEnc), 'msg/s': (batch.length * reps) / (rawEnc / 1000) });
    rows.push({ case: `decodeFrame: ${batch.length} deltas, ${frame.length} B`, frames: reps, 'MB/s': mbPerS(frame.length * reps, rawDec), 'msg/s': (batch.length * reps) / (rawDec / 1000) });

    // Bulk: a 1 MiB snapshot, incompressible and text-like, through outbox and inbox (compress, fragment, reassemble).
    const size = 1024 * 1024;
    const text = new TextEncoder().encode(Array.from({ length: 40_000 }, (_, i) => `unit ${i % 977} at ${(i * 37) % 500},${(i * 91) % 500};`).join('')).subarray(0, size);
    for (const [label, payload] of [['random', randomBytes(new SeededRng(ctx.seed + 1), size)], ['text', text]] as const) {
      const snapshot: Message = { type: 'snapshot', shard: 1, term: 1, seq: 1, payload };
      let sent: Collected = collector();
      const enc = best(ctx, 3, () => {
        const outbox = new Outbox({ highWaterBytes: Number.POSITIVE_INFINITY });
        sent = collector();
        outbox.enqueue(snapshot);
        outbox.drain(sent as Collected & { send(c: Channel, f: Uint8Array): void; bufferedAmount(): number });
      });
      const dec = best(ctx, 3, () => {
        const inbox = new Inbox({ clock: new VirtualClock() });
        for (const f of sent.frames) inbox.receive('control', f);
      });
      const key = label === 'random' ? 'wire_snapshot' : 'wire_snapshot_text';
      const encMbs = round(mbPerS(payload.length, enc), 1);
      const decMbs = round(mbPerS(payload.length, dec), 1);
      metrics[`${key}_encode_mb_s`] = encMbs;
      metrics[`${key}_decode_mb_s`] = decMbs;
      rows.push({ case: `1 MiB ${label} snapshot: encode`, frames: sent.frames.length, 'MB/s': encMbs, 'bytes sent/payload': sent.bytes / payload.length });
      rows.push({ case: `1 MiB ${label} snapshot: decode`, frames: sent.frames.length, 'MB/s': decMbs });
    }

    return {
      metrics,
      rows,
      notes: [
        `efficiency = delta payload bytes / (frame bytes + ${DATAGRAM_OVERHEAD_BYTES} B per datagram of IPv4/UDP/DTLS/SCTP); wire_efficiency is the ${HEADLINE_SHARDS}-shard row`,
        'MB/s = 10^6 frame bytes (payload bytes for snapshots) per second of one core, best of several runs',
      ],
    };
  },
};

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export default suite;
