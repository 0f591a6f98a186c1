/**
 * Actions and their results travel as UTF-8 JSON ([R20]): any JSON-serializable value, so games
 * need no codec of their own. Byte payloads can be sent as arrays or base64 strings.
 */
import { AnarchyError, ArgumentError, ErrorCode } from '../errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const EMPTY = new Uint8Array(0);

/** Largest encoded action, in bytes: actions are commands, not bulk data. */
export const MAX_ACTION_BYTES = 64 * 1024;

/**
 * Encodes `value` as JSON (`undefined` as no bytes). Throws {@link ArgumentError} for values JSON
 * cannot represent (BigInt, cycles) and for more than {@link MAX_ACTION_BYTES}.
 */
export function encodeJson(value: unknown, what = 'An action'): Uint8Array {
  if (value === undefined) return EMPTY;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new ArgumentError(`${what} must be JSON-serializable (${cause instanceof Error ? cause.message : String(cause)}): send plain objects, arrays, strings, numbers, booleans or null.`);
  }
  if (text === undefined) throw new ArgumentError(`${what} must be JSON-serializable: a function or symbol cannot be sent.`);
  const bytes = encoder.encode(text);
  if (bytes.length > MAX_ACTION_BYTES) {
    throw new ArgumentError(`${what} is ${bytes.length} bytes of JSON, over the ${MAX_ACTION_BYTES}-byte limit: send a smaller command and let the czar derive the rest.`, {
      bytes: bytes.length,
    });
  }
  return bytes;
}

/** Decodes {@link encodeJson}'s bytes (no bytes: `undefined`). Throws a `malformed-frame` error on bad JSON. */
export function decodeJson(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch (cause) {
    throw new AnarchyError(ErrorCode.MalformedFrame, 'An action payload is not valid UTF-8 JSON; the sending peer runs an incompatible build.', {}, { cause });
  }
}

/** Decodes a UTF-8 text payload (an error message), replacing invalid bytes. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** UTF-8 bytes of `text`, cut to at most `max` bytes. */
export function encodeText(text: string, max = 1024): Uint8Array {
  const b = encoder.encode(text);
  return b.length <= max ? b : b.slice(0, max);
}
