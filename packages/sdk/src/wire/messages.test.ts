import { describe, expect, it } from 'vitest';
import { ArgumentError, ErrorCode, WireError } from '../errors.js';
import { SeededRng } from '../util/rng.js';
import { arbitraryMessage } from './arbitrary.js';
import { budgetFor } from './codec.js';
import { FRAME_MESSAGE_TYPES, MESSAGE_SPECS, MESSAGE_TYPES, type FrameMessage, decodeMessageBody, encodeMessage, specOf, typeOfCode } from './messages.js';

const roundTrip = (m: FrameMessage): FrameMessage | undefined => {
  const { code, body } = encodeMessage(m);
  return decodeMessageBody(code, body, 0, body.length, budgetFor(body.length));
};

function decodeError(m: FrameMessage, patch: (body: Uint8Array) => Uint8Array): unknown {
  const { code, body } = encodeMessage(m);
  const b = patch(body.slice());
  try {
    decodeMessageBody(code, b, 0, b.length, budgetFor(b.length));
  } catch (err) {
    if (err instanceof WireError) return err.details['reason'];
    throw err;
  }
  return 'accepted';
}

describe('messages', () => {
  it('[W10] every message type round-trips over 400 random instances (property)', () => {
    const seed = 20_240_601;
    const rng = new SeededRng(seed);
    for (const type of FRAME_MESSAGE_TYPES) {
      for (let i = 0; i < 400; i++) {
        const m = arbitraryMessage(rng, type, { maxBytes: i % 50 === 0 ? 5000 : 64 });
        expect(roundTrip(m), `seed ${seed}, ${type} #${i}`).toEqual(m);
      }
    }
  });

  it('[W10] round-trips the edges of every field kind', () => {
    const cases: FrameMessage[] = [
      { type: 'hello', version: 0xffffffff, peerId: '', capabilities: [] },
      { type: 'hello', version: 1, peerId: 'p-😀-中', capabilities: ['delta2', '\uFEFF', '\u0000'] },
      { type: 'ping', seq: 0, sentAt: -0 },
      { type: 'pong', seq: 2 ** 31, echo: Number.MAX_VALUE, sentAt: Number.MIN_VALUE },
      { type: 'delta', shard: 0, term: 0, seq: 0, payload: new Uint8Array(0) },
      { type: 'delta', shard: 0xffffffff, term: 0xffffffff, seq: 0xffffffff, payload: new Uint8Array(300).fill(9) },
      { type: 'snapshot', shard: 'x'.repeat(64), term: 1, seq: 2, payload: new Uint8Array([1]) },
      { type: 'action', shard: 'sector/3,4@2', actionId: 128, payload: new Uint8Array([0, 255]) },
      { type: 'digest', entries: [] },
      { type: 'digest', entries: [{ shard: 1, term: 2, seq: 3 }, { shard: 'b', term: 0, seq: 0xffffffff }] },
      { type: 'repair-request', shard: 5, term: 1, fromSeq: 7, toSeq: 7 },
      { type: 'goodbye', reason: 'tab closed' },
      { type: 'fragment', transfer: 0xffffffff, index: 0, count: 1, total: 1, chunk: new Uint8Array([42]) },
    ];
    for (const m of cases) expect(roundTrip(m)).toEqual(m);
  });

  it('[W10] encodes a small delta compactly: varints, and the payload runs to the end of the body unprefixed', () => {
    const payload = Uint8Array.from({ length: 20 }, (_, i) => i);
    const { body } = encodeMessage({ type: 'delta', shard: 12, term: 3, seq: 70_000, payload });
    expect([...body]).toEqual([24, 3, 0xf0, 0xa2, 0x04, ...payload]);
  });

  it('[W22] refuses to encode invalid outgoing messages with an ArgumentError naming the field', () => {
    const bad: unknown[] = [
      { type: 'nope' },
      { type: 'delta', shard: -1, term: 0, seq: 0, payload: new Uint8Array() },
      { type: 'delta', shard: 1.5, term: 0, seq: 0, payload: new Uint8Array() },
      { type: 'delta', shard: '', term: 0, seq: 0, payload: new Uint8Array() },
      { type: 'delta', shard: 'x'.repeat(65), term: 0, seq: 0, payload: new Uint8Array() },
      { type: 'delta', shard: 1, term: 2 ** 32, seq: 0, payload: new Uint8Array() },
      { type: 'delta', shard: 1, term: 0, seq: 0, payload: [1, 2] },
      { type: 'ping', seq: 1, sentAt: Number.NaN },
      { type: 'hello', version: 1, peerId: '\uD800', capabilities: [] },
      { type: 'hello', version: 1, peerId: 'p', capabilities: Array(65).fill('c') },
      { type: 'goodbye', reason: 'x'.repeat(257) },
      { type: 'repair-request', shard: 1, term: 1, fromSeq: 9, toSeq: 8 },
      { type: 'fragment', transfer: 1, index: 2, count: 2, total: 10, chunk: new Uint8Array(1) },
      { type: 'digest', entries: [null] },
    ];
    for (const m of bad) {
      expect(() => encodeMessage(m as FrameMessage), JSON.stringify(m)).toThrow(ArgumentError);
    }
    expect(() => encodeMessage({ type: 'delta', shard: 1, term: -3, seq: 0, payload: new Uint8Array() })).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument, message: expect.stringContaining('delta.term') }),
    );
  });

  it('[W10] rejects bodies with trailing bytes, truncation, out-of-range values and broken rules', () => {
    const ack: FrameMessage = { type: 'ack', shard: 1, term: 2, writer: 7, seq: 3, flags: 0 };
    expect(decodeError(ack, (b) => Uint8Array.from([...b, 0]))).toBe('trailing-bytes');
    expect(decodeError(ack, (b) => b.subarray(0, 2))).toBe('truncated');
    // term = 2^32 (five-byte varint) is out of u32 range.
    expect(decodeError(ack, () => Uint8Array.from([2, 0x80, 0x80, 0x80, 0x80, 0x10, 3]))).toBe('out-of-range');
    // shard tag 2*65+1: a 65-byte string id.
    expect(decodeError(ack, () => Uint8Array.from([131, 1, ...new Array(65).fill(97), 2, 3]))).toBe('too-long');
    const rr: FrameMessage = { type: 'repair-request', shard: 1, term: 1, fromSeq: 1, toSeq: 2 };
    expect(decodeError(rr, (b) => Uint8Array.from([b[0]!, b[1]!, 5, 2]))).toBe('invalid-message');
    const ping: FrameMessage = { type: 'ping', seq: 1, sentAt: 1 };
    expect(decodeError(ping, (b) => Uint8Array.from([b[0]!, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f]))).toBe('out-of-range');
    const digest: FrameMessage = { type: 'digest', entries: [] };
    expect(decodeError(digest, () => Uint8Array.from([0x81, 0x20]))).toBe('too-many-items');
    expect(decodeError(digest, () => Uint8Array.from([5, 2, 1, 1]))).toBe('truncated');
  });

  it('[W11] returns undefined for codes this version does not know', () => {
    expect(decodeMessageBody(200, new Uint8Array([1]), 0, 1, budgetFor(1))).toBeUndefined();
    expect(typeOfCode(200)).toBeUndefined();
  });

  it('[W11] gives every type a unique, stable code and default routing', () => {
    const codes = FRAME_MESSAGE_TYPES.map((t) => specOf(t).code);
    expect(new Set(codes).size).toBe(codes.length);
    // Codes are part of the protocol: changing one is an incompatible change (see SPEC.md).
    expect(Object.fromEntries(FRAME_MESSAGE_TYPES.map((t) => [t, MESSAGE_SPECS[t].code]))).toEqual({
      hello: 1, ping: 2, pong: 3, goodbye: 4, delta: 5, snapshot: 6, action: 7, ack: 8, digest: 9, 'repair-request': 10, fragment: 15,
      'shard-delta': 16, 'shard-snapshot': 17, 'shard-digest': 18, 'shard-repair': 19, 'shard-request': 20, 'action-result': 21, 'shard-positions': 22,
      'member-ping': 40, 'member-ack': 41, 'member-ping-req': 42, 'member-nack': 43, 'member-updates': 44, interest: 60,
    });
    expect(MESSAGE_TYPES).not.toContain('fragment');
    expect(specOf('delta').channel).toBe('state');
    expect(specOf('snapshot').priority).toBe('bulk');
  });
});
