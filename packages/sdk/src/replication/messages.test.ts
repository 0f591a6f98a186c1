/**
 * The replication messages of the wire union (codes 16–22): edges of every field round-trip, and
 * the property tests of src/wire pick them up from MESSAGE_SPECS.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { budgetFor } from '../wire/codec.js';
import { FRAME_MESSAGE_TYPES, MESSAGE_SPECS, type FrameMessage, decodeMessageBody, encodeMessage } from '../wire/messages.js';

const roundTrip = (m: FrameMessage): FrameMessage | undefined => {
  const { code, body } = encodeMessage(m);
  return decodeMessageBody(code, body, 0, body.length, budgetFor(body.length));
};

describe('replication messages', () => {
  it('[R8] use codes 16–22 and are part of the union every wire property test iterates', () => {
    const ours = ['shard-delta', 'shard-snapshot', 'shard-digest', 'shard-repair', 'shard-request', 'action-result', 'shard-positions'] as const;
    expect(ours.map((t) => MESSAGE_SPECS[t].code)).toEqual([16, 17, 18, 19, 20, 21, 22]);
    for (const t of ours) expect(FRAME_MESSAGE_TYPES).toContain(t);
    expect(MESSAGE_SPECS['shard-delta'].channel).toBe('state');
    expect(MESSAGE_SPECS['shard-positions'].channel).toBe('state');
    expect(MESSAGE_SPECS['shard-snapshot'].priority).toBe('bulk');
  });

  it('[R8] round-trip the edges of every field', () => {
    const max = 0xffffffff;
    const cases: FrameMessage[] = [
      { type: 'shard-delta', shard: 'w0', term: 1, writer: max, seq: 1, payload: new Uint8Array([1, 2, 3]) },
      { type: 'shard-delta', shard: 'x'.repeat(64), term: max, writer: 0, seq: max, payload: new Uint8Array(0) },
      { type: 'shard-snapshot', shard: 's', term: 2, czar: 'peer-1', writer: 5, seq: 0, flags: 1, payload: new Uint8Array(0) },
      { type: 'shard-snapshot', shard: 's', term: 2, czar: 'p'.repeat(128), writer: max, seq: max, flags: 3, payload: new Uint8Array(5000).fill(7) },
      { type: 'shard-digest', flags: 0, entries: [] },
      { type: 'shard-digest', flags: 3, entries: [{ shard: 'a', term: 1, czar: 'x', writer: 9, seq: 2, held: 1 }, { shard: 'b', term: max, czar: '', writer: 0, seq: 0, held: 0 }] },
      { type: 'shard-repair', shard: 's', term: 1, writer: 9, fromSeq: 0, toSeq: 0 },
      { type: 'shard-repair', shard: 's', term: 1, writer: 9, fromSeq: 4, toSeq: max },
      { type: 'shard-request', shard: 's', term: 3, writer: 1, what: 2 },
      { type: 'action-result', shard: 's', actionId: max, status: 0, term: 1, seq: 7, payload: new TextEncoder().encode('{"ok":1}') },
      { type: 'shard-positions', shard: 'u', term: 1, writer: 5, seq: 1, payload: new Uint8Array([0x10, 1, 2]) },
    ];
    for (const m of cases) expect(roundTrip(m)).toEqual(m);
  });

  it('[R14] a repair range must not run backwards', () => {
    expect(() => encodeMessage({ type: 'shard-repair', shard: 's', term: 1, writer: 1, fromSeq: 5, toSeq: 4 })).toThrow(ArgumentError);
  });

  it('[R8] a delta header costs a few bytes: shard, term, writer tag, seq', () => {
    const { body } = encodeMessage({ type: 'shard-delta', shard: 'w0', term: 3, writer: 0x1234_5678, seq: 300, payload: new Uint8Array(10) });
    expect(body.length - 10).toBeLessThanOrEqual(12);
  });
});
