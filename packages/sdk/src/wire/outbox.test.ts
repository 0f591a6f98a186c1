import { describe, expect, it } from 'vitest';
import { ArgumentError, ErrorCode, WireError } from '../errors.js';
import { VirtualClock } from '../util/clock.js';
import { SeededRng, chance, randomInt } from '../util/rng.js';
import { arbitraryMessage, randomBytes } from './arbitrary.js';
import { CONTROL_FRAME_BYTES, FrameFlag, HeaderOffset, STATE_FRAME_BYTES, decodeFrame } from './frame.js';
import { Inbox } from './inbox.js';
import { type Channel, type Message, MESSAGE_TYPES, PRIORITIES, type Priority } from './messages.js';
import { Fifo, Outbox, type OutboxEvents, type OutboxOptions } from './outbox.js';

/** A sink that records frames and reports a bufferedAmount the test controls. */
class Sink {
  frames: Array<{ channel: Channel; frame: Uint8Array }> = [];
  buffered: Record<Channel, number> = { control: 0, state: 0 };
  /** Add sent bytes to bufferedAmount, like RTCDataChannel does. */
  constructor(private readonly accumulate = false) {}
  send(channel: Channel, frame: Uint8Array): void {
    this.frames.push({ channel, frame });
    if (this.accumulate) this.buffered[channel] += frame.length;
  }
  bufferedAmount(channel: Channel): number {
    return this.buffered[channel];
  }
}

function setup(options: OutboxOptions = {}) {
  const outbox = new Outbox({ peer: 'carol', ...options });
  const errors: Array<OutboxEvents['error']> = [];
  const dropped: Array<OutboxEvents['dropped']> = [];
  outbox.on('error', (e) => errors.push(e));
  outbox.on('dropped', (d) => dropped.push(d));
  return { outbox, errors, dropped };
}

const delta = (seq: number, bytes = 20, shard = 1): Message => ({ type: 'delta', shard, term: 1, seq, payload: new Uint8Array(bytes).fill(seq & 0xff) });
const ack = (seq: number): Message => ({ type: 'ack', shard: 1, term: 1, writer: 0, seq, flags: 0 });
const snapshot = (bytes: number, seed = 1): Message => ({ type: 'snapshot', shard: 9, term: 1, seq: 1, payload: randomBytes(new SeededRng(seed), bytes) });

const received = (sink: Sink, inbox = new Inbox({ clock: new VirtualClock() })): Message[] => sink.frames.flatMap(({ channel, frame }) => inbox.receive(channel, frame));

describe('Fifo', () => {
  it('holds no slot for what was taken: an Outbox that sends all the time keeps nothing it sent (scale bench: half the heap)', () => {
    const q = new Fifo<{ readonly n: number }>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2_000; i++) q.push({ n: i });
      for (let i = 0; i < 1_500; i++) expect(q.shift()?.n).toBe(i);
      expect(q.size).toBe(500);
      expect(q.slots).toBeLessThanOrEqual(2_000);
      for (let i = 1_500; i < 2_000; i++) expect(q.shift()?.n).toBe(i);
      expect(q.shift()).toBeUndefined();
      expect(q.slots).toBe(0);
    }
    // Interleaved, as a link drains while the game sends: never more slots than waiting + 1.
    for (let i = 0; i < 5_000; i++) {
      q.push({ n: i });
      expect(q.shift()?.n).toBe(i);
      expect(q.slots).toBe(0);
    }
  });
});

describe('outbox', () => {
  it('[W15] batches many small deltas into few frames, each within one datagram', () => {
    const { outbox } = setup();
    for (let i = 0; i < 500; i++) expect(outbox.enqueue(delta(i))).toBe(true);
    const sink = new Sink();
    outbox.drain(sink);
    expect(sink.frames.every((f) => f.channel === 'state' && f.frame.length <= STATE_FRAME_BYTES)).toBe(true);
    // 28 bytes per delta entry: about 40 per frame.
    expect(sink.frames.length).toBeLessThanOrEqual(Math.ceil(500 / 38));
    expect(received(sink)).toEqual(Array.from({ length: 500 }, (_, i) => delta(i)));
    expect(outbox.queuedBytes).toBe(0);
    expect(outbox.stats).toMatchObject({ messagesQueued: 500, messagesSent: 500, framesSent: sink.frames.length });
  });

  it('[W14] keeps every control frame at or under 16 KiB and every state frame under 1,150 bytes', () => {
    const seed = 12;
    const rng = new SeededRng(seed);
    const { outbox } = setup();
    for (let i = 0; i < 300; i++) {
      const m = arbitraryMessage(rng, MESSAGE_TYPES[randomInt(rng, MESSAGE_TYPES.length)]!, { maxBytes: chance(rng, 0.1) ? 40_000 : 300 }) as Message;
      outbox.enqueue(m, { channel: chance(rng, 0.5) ? 'state' : 'control' });
    }
    const sink = new Sink();
    outbox.drain(sink);
    for (const { channel, frame } of sink.frames) {
      expect(frame.length, `seed ${seed}`).toBeLessThanOrEqual(channel === 'state' ? STATE_FRAME_BYTES : CONTROL_FRAME_BYTES);
    }
    expect(received(sink)).toHaveLength(300);
  });

  it('[W20] sends control before state before bulk within a channel', () => {
    const { outbox } = setup();
    outbox.enqueue(snapshot(100), { channel: 'control' });
    outbox.enqueue(delta(1), { channel: 'control' });
    outbox.enqueue(ack(1));
    outbox.enqueue(delta(2), { channel: 'control' });
    outbox.enqueue(ack(2));
    const sink = new Sink();
    outbox.drain(sink);
    expect(sink.frames).toHaveLength(1);
    expect(received(sink).map((m) => `${m.type}${'seq' in m ? m.seq : ''}`)).toEqual(['ack1', 'ack2', 'delta1', 'delta2', 'snapshot1']);
  });

  it('[W16] fragments a large snapshot into frames that fit, and the inbox reassembles it', () => {
    for (const channel of ['control', 'state'] as const) {
      const { outbox } = setup();
      const big = snapshot(200_000);
      outbox.enqueue(big, { channel });
      outbox.enqueue(ack(7), { channel });
      const sink = new Sink();
      outbox.drain(sink);
      const budget = channel === 'state' ? STATE_FRAME_BYTES : CONTROL_FRAME_BYTES;
      expect(sink.frames.every((f) => f.frame.length <= budget)).toBe(true);
      expect(sink.frames.length).toBeGreaterThan(200_000 / budget);
      // The ack (control priority) overtakes the bulk fragments.
      expect(received(sink)).toEqual([ack(7), big]);
      expect(outbox.stats.fragmented).toBe(1);
    }
  });

  it('[W19] compresses a large compressible message before fragmenting it', () => {
    const { outbox } = setup();
    const text = new TextEncoder().encode('sector 3,4 scale 2: 40 units, 3 buildings. '.repeat(2000));
    const m: Message = { type: 'snapshot', shard: 'sector/3,4', term: 2, seq: 99, payload: text };
    outbox.enqueue(m);
    const sink = new Sink();
    outbox.drain(sink);
    const bytes = sink.frames.reduce((s, f) => s + f.frame.length, 0);
    expect(bytes).toBeLessThan(text.length / 10);
    expect(outbox.stats.compressed).toBe(1);
    expect(received(sink)).toEqual([m]);
  });

  it('[W19] sends a mid-sized compressible message as one compressed frame', () => {
    const { outbox } = setup();
    const m: Message = { type: 'action', shard: 1, actionId: 5, payload: new Uint8Array(3000).fill(1) };
    outbox.enqueue(m);
    const sink = new Sink();
    outbox.drain(sink);
    expect(sink.frames).toHaveLength(1);
    expect(sink.frames[0]!.frame[HeaderOffset.Flags]! & FrameFlag.Compressed).toBe(FrameFlag.Compressed);
    expect(decodeFrame(sink.frames[0]!.frame).messages).toEqual([m]);
  });

  it('[W21] stops draining a channel at the high-water mark and resumes when it drains', () => {
    const { outbox } = setup({ highWaterBytes: 5000 });
    for (let i = 0; i < 400; i++) outbox.enqueue(delta(i));
    const sink = new Sink(true);
    const first = outbox.drain(sink);
    expect(first.blocked).toBe(true);
    expect(sink.buffered.state).toBeGreaterThanOrEqual(5000);
    expect(sink.buffered.state).toBeLessThan(5000 + STATE_FRAME_BYTES);
    expect(outbox.drain(sink).frames).toBe(0);
    sink.buffered.state = 0;
    outbox.drain(sink);
    sink.buffered.state = 0;
    const last = outbox.drain(sink);
    expect(last.blocked).toBe(false);
    expect(received(sink)).toHaveLength(400);
  });

  it('[W21] bounds a drain even when the sink reports bufferedAmount late', () => {
    const { outbox } = setup({ highWaterBytes: 5000 });
    for (let i = 0; i < 400; i++) outbox.enqueue(delta(i));
    const sink = new Sink(false);
    const r = outbox.drain(sink);
    expect(r.blocked).toBe(true);
    expect(r.bytes).toBeLessThan(5000 + STATE_FRAME_BYTES);
  });

  it('[W21] when the queue is full, drops the oldest state deltas first and reports each drop', () => {
    const { outbox, dropped, errors } = setup({ maxQueuedBytes: 1000 });
    for (let i = 0; i < 100; i++) outbox.enqueue(delta(i));
    expect(outbox.queuedBytes).toBeLessThanOrEqual(1000);
    expect(outbox.enqueue(ack(1))).toBe(true);
    expect(outbox.queuedBytes).toBeLessThanOrEqual(1000);
    expect(dropped.length).toBe(outbox.stats.dropped);
    expect(dropped[0]).toEqual({ type: 'delta', channel: 'state', reason: 'backpressure', peer: 'carol' });
    expect(errors).toEqual([]);
    const sink = new Sink();
    outbox.drain(sink);
    const seqs = received(sink).filter((m) => m.type === 'delta').map((m) => (m as { seq: number }).seq);
    // The newest deltas survive, in order.
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 100 - seqs.length + i));
    expect(received(sink, new Inbox({ clock: new VirtualClock() })).some((m) => m.type === 'ack')).toBe(true);
  });

  it('[W21] never drops control messages: refuses new ones with a backpressure error instead', () => {
    const { outbox, errors, dropped } = setup({ maxQueuedBytes: 100 });
    let accepted = 0;
    for (let i = 0; i < 100; i++) if (outbox.enqueue(ack(i))) accepted++;
    expect(accepted).toBeGreaterThan(10);
    expect(accepted).toBeLessThan(100);
    expect(dropped).toEqual([]);
    expect(errors).toHaveLength(100 - accepted);
    const e = errors[0] as WireError;
    expect(e.code).toBe(ErrorCode.Backpressure);
    expect(e.details).toMatchObject({ type: 'ack', peer: 'carol', maxQueuedBytes: 100 });
    expect(outbox.stats.refused).toBe(100 - accepted);
    // A new delta cannot evict control messages either: it is dropped itself.
    expect(outbox.enqueue(delta(1))).toBe(false);
    expect(dropped).toHaveLength(1);
    const sink = new Sink();
    outbox.drain(sink);
    expect(received(sink).map((m) => (m as { seq: number }).seq)).toEqual(Array.from({ length: accepted }, (_, i) => i));
  });

  it('[W17] a payload of exactly maxPayloadBytes passes the receiver with the same limit', () => {
    for (const [label, payload] of [['random', randomBytes(new SeededRng(4), 50_000 - 5)], ['zeros', new Uint8Array(50_000 - 5)]] as const) {
      const m: Message = { type: 'snapshot', shard: 1, term: 1, seq: 1, payload };
      const { outbox } = setup({ maxPayloadBytes: 50_000 });
      outbox.enqueue(m);
      expect(() => outbox.enqueue({ ...m, payload: new Uint8Array(50_000) })).toThrow(expect.objectContaining({ code: ErrorCode.PayloadTooLarge }));
      const sink = new Sink();
      outbox.drain(sink);
      const inbox = new Inbox({ clock: new VirtualClock(), maxPayloadBytes: 50_000, maxReassemblyBytes: 50_021 });
      const errors: unknown[] = [];
      inbox.on('error', (e) => errors.push(e));
      expect(received(sink, inbox), label).toEqual([m]);
      expect(errors).toEqual([]);
    }
  });

  it('[W22] throws for invalid, internal and oversized messages', () => {
    const { outbox } = setup({ maxPayloadBytes: 1000 });
    expect(() => outbox.enqueue({ type: 'ack', shard: 1, term: -1, writer: 0, seq: 0, flags: 0 })).toThrow(ArgumentError);
    expect(() => outbox.enqueue({ type: 'fragment' } as unknown as Message)).toThrow(ArgumentError);
    expect(() => outbox.enqueue(snapshot(2000))).toThrow(expect.objectContaining({ code: ErrorCode.PayloadTooLarge }));
    expect(() => new Outbox({ frameBytes: { state: 50 } })).toThrow(ArgumentError);
    expect(() => outbox.enqueue(ack(1), { channel: 'video' as Channel })).toThrow(ArgumentError);
    expect(() => outbox.enqueue(ack(1), { priority: 'urgent' as Priority })).toThrow(ArgumentError);
    expect(outbox.queuedBytes).toBe(0);
  });

  it('[W21] reports a failing send as an error event and keeps going on the next drain', () => {
    const { outbox, errors } = setup();
    outbox.enqueue(ack(1));
    outbox.enqueue(delta(1));
    const sink = new Sink();
    const failing = {
      send: (channel: Channel, frame: Uint8Array) => {
        if (channel === 'control') throw new WireError(ErrorCode.SendFailed, 'channel closed');
        sink.send(channel, frame);
      },
      bufferedAmount: () => 0,
    };
    outbox.drain(failing);
    expect(errors.map((e) => (e as WireError).code)).toEqual([ErrorCode.SendFailed]);
    expect(outbox.stats.sendFailures).toBe(1);
    expect(received(sink)).toEqual([delta(1)]);
  });

  it('[W15] delivers random traffic end to end, in order per channel and priority (property)', () => {
    const seed = 2024;
    const rng = new SeededRng(seed);
    for (let round = 0; round < 20; round++) {
      const { outbox } = setup();
      const keyOf = new Map<number, string>();
      const sent: Message[] = [];
      for (let i = 0; i < 150; i++) {
        const m = tag(arbitraryMessage(rng, MESSAGE_TYPES[randomInt(rng, MESSAGE_TYPES.length)]!, { maxBytes: chance(rng, 0.05) ? 30_000 : 100 }) as Message, i);
        const channel: Channel = chance(rng, 0.5) ? 'state' : 'control';
        const priority: Priority = PRIORITIES[randomInt(rng, 3)]!;
        expect(outbox.enqueue(m, { channel, priority })).toBe(true);
        keyOf.set(i, `${channel}/${priority}`);
        sent.push(m);
      }
      const sink = new Sink();
      outbox.drain(sink);
      const got = received(sink);
      const where = `seed ${seed} round ${round}`;
      expect([...got].sort((a, b) => idOf(a) - idOf(b)), where).toEqual(sent);
      // Within one (channel, priority) the order is kept; across them it is not promised.
      for (const key of new Set(keyOf.values())) {
        const ids = got.map(idOf).filter((id) => keyOf.get(id) === key);
        expect(ids, `${where} ${key}`).toEqual([...ids].sort((a, b) => a - b));
      }
    }
  });
});

/** Makes message `i` recognisable after the round trip. */
function tag(m: Message, i: number): Message {
  switch (m.type) {
    case 'hello':
      return { ...m, version: i };
    case 'goodbye':
      return { ...m, reason: String(i) };
    case 'action':
      return { ...m, actionId: i };
    case 'digest':
      return { ...m, entries: [{ shard: i, term: 0, seq: 0 }, ...m.entries.slice(0, 3)] };
    case 'repair-request':
    case 'shard-repair':
      return { ...m, fromSeq: i, toSeq: i };
    case 'shard-digest':
      return { ...m, entries: [{ shard: i, term: 0, czar: '', writer: 0, seq: 0, held: 0 }, ...m.entries.slice(0, 3)] };
    case 'shard-request':
      return { ...m, what: i };
    case 'member-updates':
      return { ...m, updates: [{ peer: 'p', incarnation: i, status: 0, flags: 0, from: '', player: '' }, ...m.updates.slice(0, 3)] };
    default:
      return { ...m, seq: i };
  }
}

function idOf(m: Message): number {
  switch (m.type) {
    case 'hello':
      return m.version;
    case 'goodbye':
      return Number(m.reason);
    case 'action':
      return m.actionId;
    case 'digest':
      return m.entries[0]!.shard as number;
    case 'repair-request':
    case 'shard-repair':
      return m.fromSeq;
    case 'shard-digest':
      return m.entries[0]!.shard as number;
    case 'shard-request':
      return m.what;
    case 'member-updates':
      return m.updates[0]!.incarnation;
    default:
      return m.seq;
  }
}
