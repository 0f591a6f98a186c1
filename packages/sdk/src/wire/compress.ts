/**
 * Compression of large bodies with fflate's raw DEFLATE ([W19]). Only used when it pays: small
 * per-tick messages are left alone (the CPU costs more than the bytes saved), and a body that
 * does not shrink by at least 1/16 is sent raw.
 */
import { deflateSync, inflateSync } from 'fflate';
import { malformed } from './codec.js';

/** Bodies below this size are never compressed. */
export const COMPRESS_MIN_BYTES = 1024;

/** DEFLATE level: 6 is fflate's default, the usual knee between speed and ratio. */
const LEVEL = 6;

/** Raw DEFLATE of `raw`. */
export function deflate(raw: Uint8Array): Uint8Array {
  return deflateSync(raw, { level: LEVEL });
}

/** Bodies at least this large are first sampled, to skip compressing incompressible data. */
const SAMPLE_FROM_BYTES = 64 * 1024;
const SAMPLE_BYTES = 16 * 1024;

/**
 * Whether compressing `raw` is worth trying. A large body is judged by compressing a 16 KiB sample
 * from its middle: random or already-compressed payloads then cost a fraction of a full pass.
 */
export function worthCompressing(raw: Uint8Array): boolean {
  if (raw.length < SAMPLE_FROM_BYTES) return true;
  const at = (raw.length - SAMPLE_BYTES) >>> 1;
  return compressionPays(SAMPLE_BYTES, deflate(raw.subarray(at, at + SAMPLE_BYTES)).length);
}

/** True when sending `compressedLength` bytes instead of `rawLength` is worth the receiver's CPU. */
export function compressionPays(rawLength: number, compressedLength: number): boolean {
  return compressedLength <= rawLength - Math.max(1, rawLength >>> 4);
}

/**
 * Inflates `data`, which must expand to exactly `rawLength` bytes. The output buffer is fixed in
 * advance (one spare byte detects overlong streams), so a hostile stream cannot allocate more
 * than the sender declared; its CPU cost stays bounded by DEFLATE's maximum ratio (~1032:1) of the
 * input size.
 */
export function inflateExact(data: Uint8Array, rawLength: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = inflateSync(data, { out: new Uint8Array(rawLength + 1) });
  } catch (err) {
    throw malformed('inflate-failed', `the compressed body is not valid DEFLATE (${(err as Error).message})`);
  }
  if (out.length !== rawLength) {
    throw malformed('inflate-failed', `the compressed body expands to ${out.length > rawLength ? 'more' : out.length} bytes, not the declared ${rawLength}`);
  }
  return out;
}
