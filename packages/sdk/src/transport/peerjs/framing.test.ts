import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope, ENVELOPE_BYTES, FrameKind, toBytes } from './framing.js';

describe('transport envelope', () => {
  it('puts the kind in byte 0 and the payload after it', () => {
    const framed = encodeEnvelope(FrameKind.Data, Uint8Array.from([9, 8, 7]));
    expect([...framed]).toEqual([0, 9, 8, 7]);
    expect(framed.length).toBe(3 + ENVELOPE_BYTES);
  });

  it('keeps the wire values of every kind', () => {
    // These numbers are on the wire: changing one breaks compatibility with deployed peers.
    expect(FrameKind).toEqual({ Data: 0, KeepAlive: 1, Goodbye: 2, Hello: 3, HangUp: 4 });
    expect([...encodeEnvelope(FrameKind.KeepAlive)]).toEqual([1]);
    expect([...encodeEnvelope(FrameKind.Goodbye)]).toEqual([2]);
    expect([...encodeEnvelope(FrameKind.HangUp)]).toEqual([4]);
  });

  it('round-trips data, including an empty payload and a 64 KiB one', () => {
    for (const size of [0, 1, 16 * 1024 + 1, 64 * 1024]) {
      const payload = new Uint8Array(size).map((_, i) => (i * 131) & 0xff);
      const decoded = decodeEnvelope(encodeEnvelope(FrameKind.Data, payload));
      expect(decoded?.kind).toBe(FrameKind.Data);
      expect(decoded?.payload).toEqual(payload);
    }
  });

  it('copies the payload so later changes by the sender do not leak into the message', () => {
    const payload = Uint8Array.from([1, 2]);
    const framed = encodeEnvelope(FrameKind.Data, payload);
    payload[0] = 99;
    expect([...framed]).toEqual([0, 1, 2]);
  });

  it('decodes a hang-up as a housekeeping frame with an empty payload', () => {
    const decoded = decodeEnvelope(encodeEnvelope(FrameKind.HangUp));
    expect(decoded?.kind).toBe(FrameKind.HangUp);
    expect(decoded?.payload.length).toBe(0);
    // Distinct from every other kind: a receiver must never mistake it for a goodbye (a leave).
    expect(new Set(Object.values(FrameKind)).size).toBe(Object.keys(FrameKind).length);
  });

  it('rejects an empty message and passes unknown kinds through for the caller to ignore', () => {
    expect(decodeEnvelope(new Uint8Array(0))).toBeUndefined();
    expect(decodeEnvelope(Uint8Array.from([200, 5]))).toEqual({ kind: 200, payload: Uint8Array.from([5]) });
  });

  it('normalises what data channels deliver', () => {
    const buf = Uint8Array.from([1, 2, 3, 4]).buffer;
    expect(toBytes(buf)).toEqual(Uint8Array.from([1, 2, 3, 4]));
    expect(toBytes(new DataView(buf, 1, 2))).toEqual(Uint8Array.from([2, 3]));
    const view = Uint8Array.from([5, 6]);
    expect(toBytes(view)).toBe(view);
    expect(toBytes('text')).toBeUndefined();
    expect(toBytes(null)).toBeUndefined();
    expect(toBytes({ byteLength: 3 })).toBeUndefined();
  });
});
