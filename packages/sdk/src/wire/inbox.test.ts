import { describe, expect, it } from 'vitest';
import { ErrorCode, type WireError } from '../errors.js';
import { VirtualClock } from '../util/clock.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { arbitraryMessage, randomBytes } from './arbitrary.js';
import { splitFrame } from './fragment.js';
import { HeaderOffset, encodeFrame, frameChecksum } from './frame.js';
import { Inbox, type InboxEvents, type InboxOptions } from './inbox.js';
import { type Message, MESSAGE_TYPES } from './messages.js';

function setup(options: Partial<InboxOptions> = {}) {
  const clock = new VirtualClock();
  const inbox = new Inbox({ clock, peer: 'bob', ...options });
  const errors: WireError[] = [];
  const dropped: Array<InboxEvents['transfer-dropped']> = [];
  inbox.on('error', (e) => errors.push(e));
  inbox.on('transfer-dropped', (d) => dropped.push(d));
  return { clock, inbox, errors, dropped };
}

const snapshot = (n: number, seed = 1): Message => ({ type: 'snapshot', shard: 4, term: 2, seq: 10, payload: randomBytes(new SeededRng(seed), n) });
const fragmentFrames = (m: Message, transfer: number, budget: number): Uint8Array[] =>
  splitFrame(encodeFrame([m]), transfer, budget).map((f) => encodeFrame([f]));

describe('inbox', () => {
  it('[W12] returns the messages of a valid frame in order', () => {
    const { inbox, errors } = setup();
    const seed = 31;
    const rng = new SeededRng(seed);
    const messages = Array.from({ length: 20 }, () => arbitraryMessage(rng, MESSAGE_TYPES[randomInt(rng, MESSAGE_TYPES.length)]!)) as Message[];
    expect(inbox.receive('control', encodeFrame(messages))).toEqual(messages);
    expect(errors).toEqual([]);
    expect(inbox.stats).toMatchObject({ frames: 1, messages: 20, framesRejected: 0 });
  });

  it('[W12] never throws: bad input is counted per code and reported as an error event naming the peer', () => {
    const { inbox, errors } = setup();
    const rng = new SeededRng(8);
    const good = encodeFrame([{ type: 'ack', shard: 1, term: 1, writer: 0, seq: 1, flags: 0 }]);
    const inputs = [new Uint8Array(0), randomBytes(rng, 50), good.subarray(0, 10), Uint8Array.from([...good, 1])];
    const flipped = good.slice();
    flipped[good.length - 1]! ^= 1;
    inputs.push(flipped);
    for (const b of inputs) expect(inbox.receive('state', b)).toEqual([]);
    expect(inbox.stats.framesRejected).toBe(inputs.length);
    expect(inbox.stats.errors[ErrorCode.MalformedFrame]).toBe(inputs.length);
    expect(errors).toHaveLength(inputs.length);
    expect(errors.every((e) => e.code === ErrorCode.MalformedFrame && e.details['peer'] === 'bob')).toBe(true);
    expect(errors.map((e) => e.details['reason'])).toEqual(['truncated', 'bad-magic', 'truncated', 'checksum', 'checksum']);
  });

  it('[W13] reports an incompatible version once per version, naming both versions and the peer, and counts every frame', () => {
    const { inbox, errors } = setup();
    const v2 = encodeFrame([{ type: 'goodbye', reason: '' }]);
    v2[HeaderOffset.Version] = 1;
    new DataView(v2.buffer).setUint32(HeaderOffset.Checksum, frameChecksum(v2));
    const v7 = v2.slice();
    v7[HeaderOffset.Version] = 7;
    for (let i = 0; i < 5; i++) inbox.receive('control', v2);
    inbox.receive('control', v7);
    expect(inbox.stats.errors[ErrorCode.IncompatibleVersion]).toBe(6);
    expect(errors.map((e) => [e.code, e.details['theirs'], e.details['ours'], e.details['peer']])).toEqual([
      [ErrorCode.IncompatibleVersion, 1, 2, 'bob'],
      [ErrorCode.IncompatibleVersion, 7, 2, 'bob'],
    ]);
    expect(errors[0]!.message).toContain('Peer "bob" speaks wire protocol v1, this build speaks v2');
  });

  it('[W16] reassembles a fragmented payload, interleaved with other traffic', () => {
    const { inbox, errors } = setup();
    const big = snapshot(40_000);
    const frames = fragmentFrames(big, 1, 16 * 1024);
    expect(frames.length).toBe(3);
    const ping: Message = { type: 'ping', seq: 1, sentAt: 5 };
    expect(inbox.receive('control', frames[0]!)).toEqual([]);
    expect(inbox.receive('state', encodeFrame([ping]))).toEqual([ping]);
    expect(inbox.receive('control', frames[2]!)).toEqual([]);
    expect(inbox.reassemblyBytes).toBeGreaterThan(40_000);
    expect(inbox.receive('control', frames[1]!)).toEqual([big]);
    expect(inbox.reassemblyBytes).toBe(0);
    expect(errors).toEqual([]);
    expect(inbox.stats).toMatchObject({ fragments: 3, transfersCompleted: 1, messages: 2 });
  });

  it('[W16] rejects a reassembled frame that carries fragments again (nesting)', () => {
    const { inbox, errors } = setup();
    const inner = fragmentFrames(snapshot(3000), 1, 1000)[0]!;
    const outer = splitFrame(inner, 2, 400).map((f) => encodeFrame([f]));
    for (const f of outer) expect(inbox.receive('control', f)).toEqual([]);
    expect(errors.map((e) => e.details['reason'])).toEqual(['nested-fragment']);
  });

  it('[W16] rejects a reassembled frame whose own checksum fails (a damaged chunk)', () => {
    const { inbox, errors } = setup();
    const frags = splitFrame(encodeFrame([snapshot(3000)]), 1, 1000);
    const chunk = frags[1]!.chunk.slice();
    chunk[0]! ^= 0xff;
    frags[1] = { ...frags[1]!, chunk };
    const out = frags.flatMap((f) => inbox.receive('control', encodeFrame([f])));
    expect(out).toEqual([]);
    expect(errors.map((e) => e.details['reason'])).toEqual(['checksum']);
  });

  it('[W17] reports a payload over maxPayloadBytes as payload-too-large', () => {
    const { inbox, errors } = setup({ maxPayloadBytes: 10_000 });
    const out = fragmentFrames(snapshot(20_000), 1, 4000).flatMap((f) => inbox.receive('control', f));
    expect(out).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.PayloadTooLarge]);
    expect(errors[0]!.details).toMatchObject({ max: 10_000, peer: 'bob' });
    expect(inbox.stats.fragmentsIgnored).toBeGreaterThan(0);
  });

  it('[W17] drops a stalled transfer after the timeout with a transfer-dropped event', () => {
    const { inbox, clock, dropped, errors } = setup({ reassemblyTimeoutMs: 2000 });
    const frames = fragmentFrames(snapshot(5000), 4, 1150);
    inbox.receive('state', frames[0]!);
    clock.advance(2000);
    expect(dropped).toMatchObject([{ transfer: 4, reason: 'timeout', stream: 'state', peer: 'bob' }]);
    expect(inbox.reassemblyBytes).toBe(0);
    expect(errors).toEqual([]);
    expect(inbox.stats.transfersDropped).toBe(1);
  });

  it('[W11] counts messages of unknown types without an error', () => {
    const { inbox, errors } = setup();
    const f = encodeFrame([{ type: 'ack', shard: 1, term: 1, writer: 0, seq: 1, flags: 0 }]);
    f[HeaderOffset.Type] = 200;
    new DataView(f.buffer).setUint32(HeaderOffset.Checksum, frameChecksum(f));
    expect(inbox.receive('control', f)).toEqual([]);
    expect(inbox.stats.unknownMessages).toBe(1);
    expect(errors).toEqual([]);
  });
});
