/**
 * The one-byte envelope `PeerJsTransport` puts around every data-channel message, so its own
 * housekeeping (keep-alives, goodbyes, hang-ups) never mixes with user bytes. The wire layer above sees only
 * the user payloads and treats them as opaque.
 *
 * ```
 * byte 0   kind: 0 = data, 1 = keep-alive, 2 = goodbye, 3 = hello, 4 = hang-up
 * 1..n     payload (user bytes for `data`; empty for the others today)
 * ```
 *
 * Unknown kinds are ignored by receivers (but still prove the peer is alive), so later versions
 * can add kinds without breaking older peers.
 */

/** Message kinds of the transport envelope. Values are on the wire: never renumber one. */
export const FrameKind = {
  /** User bytes for the layer above. */
  Data: 0,
  /** "I am still here"; sent on the state channel every `keepAliveMs`. */
  KeepAlive: 1,
  /** Graceful leave: the receiver reports `peer-left` with reason `closed` at once. */
  Goodbye: 2,
  /** Reserved for a capability handshake; receivers accept and ignore it today. */
  Hello: 3,
  /**
   * This connection alone is closing (`Transport.hangUp`); both peers stay in the room. Sent on
   * the reliable, ordered control channel only, so it arrives after every control message sent
   * before it; the receiver reports `peer-left` with reason `hung-up` and closes its end. Older
   * peers ignore it (unknown kind) and see the connection close instead.
   */
  HangUp: 4,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Bytes the envelope adds to every message. */
export const ENVELOPE_BYTES = 1;

/** Wraps `payload` in the envelope (one copy; the result owns a fresh buffer). */
export function encodeEnvelope(kind: FrameKind, payload?: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(ENVELOPE_BYTES + (payload?.length ?? 0));
  out[0] = kind;
  if (payload) out.set(payload, ENVELOPE_BYTES);
  return out;
}

/** A decoded envelope; `kind` is a number because unknown kinds are passed through. */
export interface Envelope {
  readonly kind: number;
  /** A view into the received buffer (no copy); the receiver owns it. */
  readonly payload: Uint8Array;
}

/** Splits a received message; `undefined` for an empty message, which no sender produces. */
export function decodeEnvelope(message: Uint8Array): Envelope | undefined {
  if (message.length < ENVELOPE_BYTES) return undefined;
  return { kind: message[0]!, payload: message.subarray(ENVELOPE_BYTES) };
}

/**
 * Normalises what a data channel delivers (`ArrayBuffer` with `binaryType = 'arraybuffer'`, a
 * typed-array view from some polyfills) to a `Uint8Array`; `undefined` for strings, blobs and
 * anything else, which this transport never sends.
 */
export function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // Cross-realm ArrayBuffers (worker, vm context) fail `instanceof`, so check the tag too.
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
    return new Uint8Array(data as ArrayBuffer);
  }
  return undefined;
}
