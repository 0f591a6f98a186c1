import { describe, expect, it } from 'vitest';
import { AnarchyError, ArgumentError, ErrorCode } from '../errors.js';
import { MAX_ACTION_BYTES, decodeJson, decodeText, encodeJson, encodeText } from './json.js';

describe('action payloads', () => {
  it('[R20] round-trip JSON values; undefined is no bytes', () => {
    for (const v of [null, 0, -1.5, 'héllo 😀', true, [1, [2, { a: 'b' }]], { move: { x: 3, y: -4 } }]) expect(decodeJson(encodeJson(v))).toEqual(v);
    expect(encodeJson(undefined).length).toBe(0);
    expect(decodeJson(new Uint8Array(0))).toBeUndefined();
  });

  it('[R20] refuses what JSON cannot carry with an ArgumentError that says what to send', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const bad of [10n, cyclic, () => 1, Symbol('x'), 'x'.repeat(MAX_ACTION_BYTES)]) {
      let caught: unknown;
      try {
        encodeJson(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ArgumentError);
      expect((caught as Error).message).toMatch(/JSON|limit/);
    }
  });

  it('[R20] bad JSON from a peer is a typed malformed-frame error', () => {
    let caught: unknown;
    try {
      decodeJson(new Uint8Array([0x7b, 0xff]));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AnarchyError);
    expect((caught as AnarchyError).code).toBe(ErrorCode.MalformedFrame);
    expect(decodeText(encodeText('abc'))).toBe('abc');
    expect(encodeText('x'.repeat(2000), 10).length).toBe(10);
  });
});
