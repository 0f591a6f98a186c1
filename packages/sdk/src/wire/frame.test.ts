import { describe, expect, it } from 'vitest';
import { ArgumentError, ErrorCode, WireError } from '../errors.js';
import { SeededRng, randomInt } from '../util/rng.js';
import { arbitraryMessage, randomBytes } from './arbitrary.js';
import { Writer } from './codec.js';
import { crc32c } from './crc32c.js';
import {
  BATCH_TYPE,
  FrameFlag,
  HEADER_BYTES,
  HeaderOffset,
  MAGIC,
  MAX_FRAME_BYTES,
  decodeFrame,
  encodeFrame,
  frameChecksum,
  frameFromEncoded,
} from './frame.js';
import { type FrameMessage, encodeMessage } from './messages.js';
import { PROTOCOL_VERSION } from './version.js';

const ack: FrameMessage = { type: 'ack', shard: 3, term: 1, writer: 0x1234, seq: 2, flags: 0 };

function refix(frame: Uint8Array): Uint8Array {
  new DataView(frame.buffer, frame.byteOffset).setUint32(HeaderOffset.Checksum, frameChecksum(frame));
  return frame;
}

function rejection(bytes: Uint8Array, options = {}): { code: string; reason: unknown; error: WireError } {
  try {
    decodeFrame(bytes, options);
  } catch (err) {
    if (err instanceof WireError) return { code: err.code, reason: err.details['reason'], error: err };
    throw err;
  }
  throw new Error('expected the frame to be rejected');
}

/** A frame with a hand-made header and body, checksum computed. */
function handmade(type: number, flags: number, body: number[] | Uint8Array): Uint8Array {
  const w = new Writer();
  w.u8(MAGIC[0]);
  w.u8(MAGIC[1]);
  w.u8(PROTOCOL_VERSION);
  w.u8(type);
  w.u8(flags);
  w.u32be(body.length);
  w.u32be(0);
  w.raw(Uint8Array.from(body));
  return refix(w.finish());
}

describe('frame', () => {
  it('[W1] lays out the header as documented: magic, version, type, flags, u32 length, u32 crc32c', () => {
    const f = encodeFrame([ack]);
    const body = encodeMessage(ack).body;
    expect(f.length).toBe(HEADER_BYTES + body.length);
    expect([...f.subarray(0, 5)]).toEqual([0xc1, 0x4e, PROTOCOL_VERSION, 8, 0]);
    expect(new DataView(f.buffer, f.byteOffset).getUint32(HeaderOffset.Length)).toBe(body.length);
    expect([...f.subarray(HEADER_BYTES)]).toEqual([...body]);
    const covered = Uint8Array.from([...f.subarray(0, 9), ...f.subarray(13)]);
    expect(new DataView(f.buffer, f.byteOffset).getUint32(HeaderOffset.Checksum)).toBe(crc32c(covered));
  });

  it('[W1] round-trips random frames of 1–8 messages (property)', () => {
    const seed = 4242;
    const rng = new SeededRng(seed);
    for (let i = 0; i < 1500; i++) {
      const messages = Array.from({ length: 1 + randomInt(rng, 8) }, () => arbitraryMessage(rng));
      const decoded = decodeFrame(encodeFrame(messages));
      expect(decoded.messages, `seed ${seed} frame ${i}`).toEqual(messages);
      expect(decoded.skipped).toBe(0);
      expect(decoded.version).toBe(PROTOCOL_VERSION);
    }
  });

  it('[W2] rejects a frame that does not start with the magic bytes', () => {
    const f = encodeFrame([ack]);
    f[0] = 0x7b; // "{": e.g. a stray PeerJS JSON message
    expect(rejection(f).reason).toBe('bad-magic');
    expect(rejection(new Uint8Array([0xc1, 0x00])).reason).toBe('bad-magic');
  });

  it('[W3] rejects a frame whose checksum does not match, wherever the damage is', () => {
    const f = encodeFrame([ack, { type: 'goodbye', reason: 'bye' }], { signature: { scheme: 1, signature: new Uint8Array(64).fill(5) } });
    for (let at = 3; at < f.length; at++) {
      const b = f.slice();
      b[at]! ^= 0x10;
      expect(rejection(b).reason, `byte ${at}`).toBe('checksum');
    }
  });

  it('[W4] rejects another protocol version with an incompatible-version error naming both', () => {
    const f = encodeFrame([ack]);
    f[HeaderOffset.Version] = 3;
    const { code, error } = rejection(refix(f));
    expect(code).toBe(ErrorCode.IncompatibleVersion);
    expect(error.details).toMatchObject({ ours: PROTOCOL_VERSION, theirs: 3 });
    expect(error.message).toMatch(/v3.*v2/);
    // Three bytes suffice to tell: the rest of a future header may look different.
    expect(rejection(new Uint8Array([0xc1, 0x4e, 9])).code).toBe(ErrorCode.IncompatibleVersion);
  });

  it('[W5] rejects truncated and extended frames and lying length fields', () => {
    const f = encodeFrame([ack]);
    expect(rejection(f.subarray(0, 12)).reason).toBe('truncated');
    expect(rejection(refix(f.slice(0, f.length - 1))).reason).toBe('length-mismatch');
    expect(rejection(refix(Uint8Array.from([...f, 0]))).reason).toBe('length-mismatch');
    for (const lie of [0, 1, 5, 0xffffffff]) {
      const b = f.slice();
      new DataView(b.buffer).setUint32(HeaderOffset.Length, lie);
      expect(rejection(refix(b)).reason).toBe('length-mismatch');
    }
  });

  it('[W6] rejects frames that set reserved flag bits', () => {
    for (const bit of [0x04, 0x08, 0x80]) {
      const b = encodeFrame([ack]);
      b[HeaderOffset.Flags] = bit;
      expect(rejection(refix(b)).reason).toBe('unknown-flags');
    }
  });

  it('[W7] carries a signature trailer covered by the checksum and returns it', () => {
    const signature = { scheme: 1, signature: randomBytes(new SeededRng(1), 64) };
    const f = encodeFrame([ack], { signature });
    expect(f[HeaderOffset.Flags]! & FrameFlag.Signed).toBe(FrameFlag.Signed);
    expect(f.length).toBe(HEADER_BYTES + encodeMessage(ack).body.length + 2 + 64);
    const d = decodeFrame(f);
    expect(d.signature).toEqual(signature);
    expect(d.messages).toEqual([ack]);
    expect(decodeFrame(encodeFrame([ack])).signature).toBeUndefined();
  });

  it('[W7] rejects a malformed signature trailer', () => {
    const body = [...encodeMessage(ack).body];
    const signed = (trailer: number[]): Uint8Array => {
      const f = handmade(8, FrameFlag.Signed, body);
      return refix(Uint8Array.from([...f, ...trailer]));
    };
    expect(rejection(signed([])).reason).toBe('bad-signature-trailer');
    expect(rejection(signed([0, 1, 9])).reason).toBe('bad-signature-trailer');
    expect(rejection(signed([1, 0])).reason).toBe('bad-signature-trailer');
    expect(rejection(signed([1, 3, 9, 9])).reason).toBe('bad-signature-trailer');
    expect(decodeFrame(signed([1, 2, 9, 9])).signature?.signature).toEqual(Uint8Array.from([9, 9]));
    expect(() => encodeFrame([ack], { signature: { scheme: 0, signature: new Uint8Array(1) } })).toThrow(ArgumentError);
  });

  it('[W8] sends one message bare and several as a batch of typed, length-prefixed entries', () => {
    expect(encodeFrame([ack])[HeaderOffset.Type]).toBe(8);
    const f = encodeFrame([ack, ack]);
    expect(f[HeaderOffset.Type]).toBe(BATCH_TYPE);
    const body = encodeMessage(ack).body;
    expect([...f.subarray(HEADER_BYTES)]).toEqual([2, 8, body.length, ...body, 8, body.length, ...body]);
    expect(() => encodeFrame([])).toThrow(ArgumentError);
  });

  it('[W8] rejects batches with fewer than two entries, lying counts, type 0 entries or overrunning entries', () => {
    const body = [...encodeMessage(ack).body];
    const entry = [8, body.length, ...body];
    expect(rejection(handmade(0, 0, [1, ...entry])).reason).toBe('bad-batch');
    expect(rejection(handmade(0, 0, [0])).reason).toBe('bad-batch');
    expect(rejection(handmade(0, 0, [100, ...entry, ...entry])).reason).toBe('bad-batch');
    expect(rejection(handmade(0, 0, [2, ...entry, 0, body.length, ...body])).reason).toBe('bad-batch');
    expect(rejection(handmade(0, 0, [2, ...entry, 8, body.length + 5, ...body])).reason).toBe('truncated');
    expect(rejection(handmade(0, 0, [2, ...entry, ...entry, 1])).reason).toBe('trailing-bytes');
    expect(rejection(handmade(0, 0, [3, ...entry, ...entry])).reason).toBe('truncated');
  });

  it('[W11] skips and counts messages of unknown types, keeping the rest of the batch', () => {
    const body = [...encodeMessage(ack).body];
    const d = decodeFrame(handmade(0, 0, [3, 8, body.length, ...body, 99, 3, 1, 2, 3, 8, body.length, ...body]));
    expect(d.messages).toEqual([ack, ack]);
    expect(d.skipped).toBe(1);
    const single = decodeFrame(handmade(77, 0, [1, 2, 3]));
    expect(single.messages).toEqual([]);
    expect(single.skipped).toBe(1);
  });

  it('[W14] rejects a frame larger than maxFrameBytes before reading it', () => {
    const big = encodeFrame([{ type: 'action', shard: 1, actionId: 1, payload: new Uint8Array(MAX_FRAME_BYTES) }], { compress: 'never' });
    expect(rejection(big).reason).toBe('frame-too-large');
    expect(rejection(encodeFrame([ack]), { maxFrameBytes: 14 }).reason).toBe('frame-too-large');
  });

  it('[W19] compresses a large compressible body when it pays and keeps small or random ones raw', () => {
    const text = new TextEncoder().encode('unit 7 moved to 12,40; '.repeat(200));
    const snapshot: FrameMessage = { type: 'snapshot', shard: 'a', term: 1, seq: 9, payload: text };
    const packed = encodeFrame([snapshot]);
    expect(packed[HeaderOffset.Flags]! & FrameFlag.Compressed).toBe(FrameFlag.Compressed);
    expect(packed.length).toBeLessThan(text.length / 5);
    const d = decodeFrame(packed);
    expect(d.compressed).toBe(true);
    expect(d.messages).toEqual([snapshot]);
    const noise: FrameMessage = { ...snapshot, payload: randomBytes(new SeededRng(3), 4000) };
    expect(encodeFrame([noise])[HeaderOffset.Flags]! & FrameFlag.Compressed).toBe(0);
    const small: FrameMessage = { ...snapshot, payload: new Uint8Array(500) };
    expect(encodeFrame([small])[HeaderOffset.Flags]! & FrameFlag.Compressed).toBe(0);
    expect(decodeFrame(encodeFrame([small, ack], { compress: 'always' })).messages).toEqual([small, ack]);
  });

  it('[W19] rejects compressed bodies that lie about their size or are not DEFLATE', () => {
    const f = encodeFrame([ack, ack], { compress: 'always' });
    const rawLength = f[HEADER_BYTES]!;
    const lie = (n: number): Uint8Array => {
      const b = f.slice();
      b[HEADER_BYTES] = n;
      return refix(b);
    };
    expect(rejection(lie(rawLength + 1)).reason).toBe('inflate-failed');
    expect(rejection(lie(rawLength - 1)).reason).toBe('inflate-failed');
    expect(rejection(handmade(8, FrameFlag.Compressed, [5, 0xff, 0xff, 0xff])).reason).toBe('inflate-failed');
    const tooBig = rejection(handmade(8, FrameFlag.Compressed, [0x80, 0x80, 0x80, 0x04, 0x03, 0x00]));
    expect(tooBig.code).toBe(ErrorCode.PayloadTooLarge);
    expect(rejection(f, { maxBodyBytes: rawLength - 1 }).code).toBe(ErrorCode.PayloadTooLarge);
  });

  it('[W16] refuses fragments inside a frame decoded with allowFragments: false', () => {
    const frag: FrameMessage = { type: 'fragment', transfer: 1, index: 0, count: 1, total: 1, chunk: new Uint8Array([1]) };
    expect(decodeFrame(encodeFrame([frag])).messages).toEqual([frag]);
    expect(rejection(encodeFrame([ack, frag]), { allowFragments: false }).reason).toBe('nested-fragment');
  });

  it('[W24] accepts only canonical frames: every accepted uncompressed frame re-encodes byte for byte', () => {
    const seed = 77;
    const rng = new SeededRng(seed);
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const messages = Array.from({ length: 1 + randomInt(rng, 3) }, () => arbitraryMessage(rng, undefined, { maxBytes: 8 }));
      const f = encodeFrame(messages, { compress: 'never' }).slice();
      const at = HEADER_BYTES + randomInt(rng, f.length - HEADER_BYTES);
      f[at] = randomInt(rng, 256);
      let d;
      try {
        d = decodeFrame(refix(f));
      } catch (err) {
        expect(err, `seed ${seed} case ${i}`).toBeInstanceOf(WireError);
        continue;
      }
      if (d.skipped > 0) continue;
      accepted++;
      expect(frameFromEncoded(d.messages.map(encodeMessage), { compress: 'never' }), `seed ${seed} case ${i}`).toEqual(f);
    }
    expect(accepted).toBeGreaterThan(100);
  });
});
