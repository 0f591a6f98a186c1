/**
 * The frame: the unit handed to a data channel. A 13-byte header (magic, version, type, flags,
 * body length, CRC-32C), the body (one message, or a batch of them, optionally compressed) and an
 * optional signature trailer. Layout and rules: SPEC.md [W1]–[W10].
 *
 * ```
 *  0      2        3      4       5              9              13
 *  | magic | version | type | flags | length (u32) | crc32c (u32) | body … | trailer? |
 * ```
 */
import { ArgumentError } from '../errors.js';
import { Reader, Writer, budgetFor, malformed, payloadTooLarge, varintLength } from './codec.js';
import { COMPRESS_MIN_BYTES, compressionPays, deflate, inflateExact, worthCompressing } from './compress.js';
import { crc32cUpdate } from './crc32c.js';
import { type EncodedMessage, type FrameMessage, decodeMessageBody, encodeMessage } from './messages.js';
import { PROTOCOL_VERSION, incompatibleVersion, isSupportedVersion } from './version.js';

/** First two bytes of every frame. 0xC1 never starts valid UTF-8, so no text is mistaken for a frame. */
export const MAGIC = [0xc1, 0x4e] as const;

/** Header size in bytes. */
export const HEADER_BYTES = 13;

/** Byte offsets of the header fields. */
export const HeaderOffset = { Magic: 0, Version: 2, Type: 3, Flags: 4, Length: 5, Checksum: 9 } as const;

/** Header flag bits ([W6]). Every other bit is reserved and must be zero. */
export const FrameFlag = {
  /** The body is `varint rawLength` + raw DEFLATE of the real body. */
  Compressed: 0x01,
  /** A signature trailer follows the body. */
  Signed: 0x02,
} as const;
const KNOWN_FLAGS = FrameFlag.Compressed | FrameFlag.Signed;

/** Header type of a frame whose body is a batch of messages ([W8]). */
export const BATCH_TYPE = 0;

/**
 * Largest frame on the unreliable `state` channel: one datagram's worth. Chromium's SCTP sends
 * ~1,200-byte packets; 1,150 bytes of user data fit one with room for the chunk header, so a lost
 * packet loses one frame and never a whole batch.
 */
export const STATE_FRAME_BYTES = 1150;

/** Largest frame on the reliable `control` channel: at PeerJS's chunk size, far below Chromium's 256 KiB limit. */
export const CONTROL_FRAME_BYTES = 16 * 1024;

/** Largest frame accepted from the wire: the transport's own message limit (64 KiB). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Default largest payload (a whole reassembled or inflated body) a peer accepts. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/** An opaque signature carried after the body. Signing and verifying belong to a later layer. */
export interface SignatureTrailer {
  /** Signature scheme id, 1–255 (0 is reserved). */
  readonly scheme: number;
  /** 1–255 bytes. */
  readonly signature: Uint8Array;
}

/** Options of {@link encodeFrame} and {@link frameFromEncoded}: compression and signing. */
export interface EncodeFrameOptions {
  /** `auto` (default): compress a body of at least `compressMinBytes` when it pays. */
  readonly compress?: 'auto' | 'never' | 'always';
  /** Threshold for `auto`; default {@link COMPRESS_MIN_BYTES}. */
  readonly compressMinBytes?: number;
  /** Adds a signature trailer and sets the Signed flag. */
  readonly signature?: SignatureTrailer;
}

/** Size of the uncompressed body holding `items`. */
export function bodyLength(items: readonly EncodedMessage[]): number {
  if (items.length === 1) return items[0]!.body.length;
  let n = varintLength(items.length);
  for (const it of items) n += 1 + varintLength(it.body.length) + it.body.length;
  return n;
}

/** Size of a batch entry for `item` (type byte, length, body). */
export function batchEntryLength(item: EncodedMessage): number {
  return 1 + varintLength(item.body.length) + item.body.length;
}

function writeBody(w: Writer, items: readonly EncodedMessage[]): void {
  if (items.length === 1) {
    w.raw(items[0]!.body);
    return;
  }
  w.varuint(items.length);
  for (const it of items) {
    w.u8(it.code);
    w.lenBytes(it.body);
  }
}

/**
 * Encodes messages into one frame (a batch when there are several). Throws an `ArgumentError` for
 * invalid messages. Most code lets an {@link Outbox} do this; call it directly to build frames by
 * hand, e.g. in tests or tools.
 *
 * @example
 * ```ts
 * const frame = encodeFrame([{ type: 'ping', seq: 1, sentAt: clock.now() }]);
 * transport.send(peer, 'state', frame);
 * ```
 */
export function encodeFrame(messages: readonly FrameMessage[], options: EncodeFrameOptions = {}): Uint8Array {
  return frameFromEncoded(messages.map(encodeMessage), options);
}

/**
 * Frames messages that were encoded already: encode once with {@link encodeMessage}, then frame
 * for many peers without encoding again (the outbox encodes once, at enqueue time).
 *
 * @example
 * ```ts
 * const ack = encodeMessage({ type: 'ack', shard: 'clicks', term: 3, writer: 0, seq: 41, flags: 0 });
 * for (const peer of transport.peers()) transport.send(peer, 'control', frameFromEncoded([ack]));
 * ```
 */
export function frameFromEncoded(items: readonly EncodedMessage[], options: EncodeFrameOptions = {}): Uint8Array {
  if (items.length === 0) throw new ArgumentError('A frame needs at least one message.');
  const type = items.length === 1 ? items[0]!.code : BATCH_TYPE;
  const rawLength = bodyLength(items);
  let flags = 0;
  let compressed: Uint8Array | undefined;
  const mode = options.compress ?? 'auto';
  if (mode === 'always' || (mode === 'auto' && rawLength >= (options.compressMinBytes ?? COMPRESS_MIN_BYTES))) {
    const w = new Writer(rawLength);
    writeBody(w, items);
    const raw = w.finish();
    if (mode === 'always' || worthCompressing(raw)) {
      const packed = deflate(raw);
      if (mode === 'always' || compressionPays(rawLength, varintLength(rawLength) + packed.length)) {
        compressed = packed;
        flags |= FrameFlag.Compressed;
      }
    }
  }
  const sig = options.signature;
  if (sig) {
    if (!Number.isInteger(sig.scheme) || sig.scheme < 1 || sig.scheme > 255 || sig.signature.length < 1 || sig.signature.length > 255) {
      throw new ArgumentError('A signature trailer needs a scheme in 1–255 and 1–255 signature bytes.');
    }
    flags |= FrameFlag.Signed;
  }
  const bodyBytes = compressed ? varintLength(rawLength) + compressed.length : rawLength;
  const w = new Writer(HEADER_BYTES + bodyBytes + (sig ? 2 + sig.signature.length : 0));
  w.u8(MAGIC[0]);
  w.u8(MAGIC[1]);
  w.u8(PROTOCOL_VERSION);
  w.u8(type);
  w.u8(flags);
  w.u32be(bodyBytes);
  w.u32be(0);
  if (compressed) {
    w.varuint(rawLength);
    w.raw(compressed);
  } else {
    writeBody(w, items);
  }
  if (sig) {
    w.u8(sig.scheme);
    w.u8(sig.signature.length);
    w.raw(sig.signature);
  }
  w.patchU32be(HeaderOffset.Checksum, frameChecksum(w.written()));
  return w.finish();
}

/** CRC-32C of a frame: every byte except the checksum field itself ([W3]). */
export function frameChecksum(frame: Uint8Array): number {
  const crc = crc32cUpdate(0, frame, 0, HeaderOffset.Checksum);
  return crc32cUpdate(crc, frame, HEADER_BYTES, frame.length);
}

const readU32be = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Limits {@link decodeFrame} enforces before doing any work, so hostile input stays cheap. */
export interface DecodeFrameOptions {
  /** Larger inputs are rejected before any work; default {@link MAX_FRAME_BYTES}. */
  readonly maxFrameBytes?: number;
  /** Largest body after decompression; default {@link DEFAULT_MAX_PAYLOAD_BYTES}. */
  readonly maxBodyBytes?: number;
  /** False for reassembled frames: fragments may not nest ([W16]). Default true. */
  readonly allowFragments?: boolean;
}

/** What {@link decodeFrame} returns: the frame's messages and what its header said. */
export interface DecodedFrame {
  /** The protocol version the sender wrote (one of {@link SUPPORTED_VERSIONS}). */
  readonly version: number;
  /** The messages, in frame (batch) order. */
  readonly messages: FrameMessage[];
  /** Messages of types this version does not know, skipped ([W11]). */
  readonly skipped: number;
  /** Whether the body was compressed on the wire. */
  readonly compressed: boolean;
  /** The signature trailer, if the Signed flag was set. */
  readonly signature?: SignatureTrailer;
}

/**
 * Decodes and validates a frame. Throws a `WireError`: `malformed-frame` (with a stable
 * `details.reason`), `incompatible-version` or `payload-too-large`. Never returns a frame whose
 * checksum does not match. Decoded byte fields are views into `bytes` (or the inflated body).
 * It does not reassemble fragments: use an {@link Inbox} for a peer's stream of frames.
 *
 * @example
 * ```ts
 * const { messages } = decodeFrame(frame);
 * for (const m of messages) if (m.type === 'ping') console.log('ping', m.seq);
 * ```
 */
export function decodeFrame(bytes: Uint8Array, options: DecodeFrameOptions = {}): DecodedFrame {
  const n = bytes.length;
  if ((n > 0 && bytes[0] !== MAGIC[0]) || (n > 1 && bytes[1] !== MAGIC[1])) throw malformed('bad-magic', 'the frame does not start with the magic bytes');
  if (n > 2 && !isSupportedVersion(bytes[2]!)) throw incompatibleVersion(bytes[2]!);
  if (n < HEADER_BYTES) throw malformed('truncated', `${n} bytes cannot hold the ${HEADER_BYTES}-byte header`);
  const maxFrame = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  if (n > maxFrame) throw malformed('frame-too-large', `the frame is ${n} bytes, the limit is ${maxFrame}`);
  if (frameChecksum(bytes) !== readU32be(bytes, HeaderOffset.Checksum)) throw malformed('checksum', 'the checksum does not match the frame');

  const type = bytes[HeaderOffset.Type]!;
  const flags = bytes[HeaderOffset.Flags]!;
  if (flags & ~KNOWN_FLAGS) throw malformed('unknown-flags', `flags 0x${flags.toString(16)} use reserved bits`);
  const bodyEnd = HEADER_BYTES + readU32be(bytes, HeaderOffset.Length);
  let signature: SignatureTrailer | undefined;
  if (flags & FrameFlag.Signed) {
    if (bodyEnd + 2 > n) throw malformed('bad-signature-trailer', 'the signature trailer is missing');
    const scheme = bytes[bodyEnd]!;
    const sigLength = bytes[bodyEnd + 1]!;
    if (scheme === 0 || sigLength === 0 || bodyEnd + 2 + sigLength !== n) {
      throw malformed('bad-signature-trailer', 'the signature trailer does not fill the frame exactly');
    }
    signature = { scheme, signature: bytes.subarray(bodyEnd + 2, n) };
  } else if (bodyEnd !== n) {
    throw malformed('length-mismatch', `the header announces ${bodyEnd - HEADER_BYTES} body bytes, the frame has ${n - HEADER_BYTES}`);
  }

  let body = bytes;
  let start = HEADER_BYTES;
  let end = bodyEnd;
  const compressed = (flags & FrameFlag.Compressed) !== 0;
  if (compressed) {
    const r = new Reader(bytes, start, end, budgetFor(10));
    const rawLength = r.varuint();
    const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    if (rawLength > maxBody) throw payloadTooLarge(rawLength, maxBody, 'A compressed frame body');
    body = inflateExact(bytes.subarray(r.offset, end), rawLength);
    start = 0;
    end = rawLength;
  }
  const decoded = decodeBody(type, body, start, end, options.allowFragments ?? true);
  const version = bytes[HeaderOffset.Version]!;
  return signature ? { version, ...decoded, compressed, signature } : { version, ...decoded, compressed };
}

function decodeBody(type: number, body: Uint8Array, start: number, end: number, allowFragments: boolean): { messages: FrameMessage[]; skipped: number } {
  const budget = budgetFor(end - start);
  const messages: FrameMessage[] = [];
  let skipped = 0;
  const add = (m: FrameMessage | undefined): void => {
    if (!m) skipped++;
    else if (m.type === 'fragment' && !allowFragments) throw malformed('nested-fragment', 'a reassembled frame contains a fragment');
    else messages.push(m);
  };
  if (type !== BATCH_TYPE) {
    add(decodeMessageBody(type, body, start, end, budget));
    return { messages, skipped };
  }
  const r = new Reader(body, start, end, budget);
  const count = r.varuint();
  // Each entry takes at least two bytes (type, length): a larger count is a lie.
  if (count < 2 || count > r.remaining / 2) throw malformed('bad-batch', `a batch cannot hold ${count} messages in ${r.remaining} bytes`);
  for (let i = 0; i < count; i++) {
    const code = r.u8();
    if (code === BATCH_TYPE) throw malformed('bad-batch', 'a batch entry has type 0');
    const length = r.varuint();
    const at = r.offset;
    r.take(length);
    add(decodeMessageBody(code, body, at, at + length, budget));
  }
  r.expectEnd('the batch');
  return { messages, skipped };
}
