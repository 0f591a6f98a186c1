import { describe, expect, it } from 'vitest';
import { HttpError } from './http-errors.js';
import { isPeerId, isRoomId, parseCreateRoomBody, parseJoinBody } from './validation.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof HttpError ? err.code : 'not-an-http-error';
  }
  return undefined;
}

describe('ids', () => {
  it('accepts nanoid-style room ids up to 64 characters', () => {
    expect(isRoomId('V1StGXR8_Z5jdHi6B-myT')).toBe(true);
    expect(isRoomId('a'.repeat(64))).toBe(true);
    expect(isRoomId('a'.repeat(65))).toBe(false);
    expect(isRoomId('')).toBe(false);
    expect(isRoomId('a b')).toBe(false);
    expect(isRoomId('a/b')).toBe(false);
    expect(isRoomId(42)).toBe(false);
  });

  it("follows PeerJS's peer id rule with a 64-character cap", () => {
    for (const ok of ['alice', 'a-b_c d', 'b3d4b11c-eb54-4749-a50e-f7933126929a', 'x'.repeat(64)]) expect(isPeerId(ok)).toBe(true);
    for (const bad of ['', '-a', 'a-', 'a--b', 'a  b', 'ä', 'a.b', 'x'.repeat(65), null]) expect(isPeerId(bad)).toBe(false);
  });
});

describe('parseCreateRoomBody', () => {
  it('defaults maxPeers to the cap and accepts 1..cap', () => {
    expect(parseCreateRoomBody(undefined, 8)).toEqual({ maxPeers: 8 });
    expect(parseCreateRoomBody({}, 8)).toEqual({ maxPeers: 8 });
    expect(parseCreateRoomBody({ maxPeers: 1, extra: true }, 8)).toEqual({ maxPeers: 1 });
    expect(parseCreateRoomBody({ maxPeers: 8 }, 8)).toEqual({ maxPeers: 8 });
  });

  it('rejects wrong types and ranges as invalid-body', () => {
    for (const body of [[], 'x', 3, { maxPeers: 9 }, { maxPeers: 0 }, { maxPeers: 2.5 }, { maxPeers: '4' }, { maxPeers: null }]) {
      expect(codeOf(() => parseCreateRoomBody(body, 8)), JSON.stringify(body)).toBe('invalid-body');
    }
  });
});

describe('parseJoinBody', () => {
  it('returns a valid peer id', () => {
    expect(parseJoinBody({ peerId: 'alice' })).toEqual({ peerId: 'alice' });
  });

  it('tells a missing or mistyped field (invalid-body) from a malformed id (invalid-peer-id)', () => {
    expect(codeOf(() => parseJoinBody(undefined))).toBe('invalid-body');
    expect(codeOf(() => parseJoinBody({}))).toBe('invalid-body');
    expect(codeOf(() => parseJoinBody({ peerId: 7 }))).toBe('invalid-body');
    expect(codeOf(() => parseJoinBody({ peerId: 'no/slash' }))).toBe('invalid-peer-id');
    expect(codeOf(() => parseJoinBody({ peerId: 'x'.repeat(65) }))).toBe('invalid-peer-id');
  });
});
