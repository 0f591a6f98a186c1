import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../errors.js';
import { MAX_U32, isShardId, seq, shardId, term } from './ids.js';

describe('ShardId', () => {
  it('accepts 1-64 printable ASCII characters', () => {
    expect(shardId('a')).toBe('a');
    expect(shardId('sector/3/-12,7~!')).toBe('sector/3/-12,7~!');
    expect(shardId('x'.repeat(64))).toHaveLength(64);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(65)],
    ['space', 'a b'],
    ['tab', 'a\tb'],
    ['newline', 'a\n'],
    ['control', '\u0001'],
    ['DEL', 'a\u007f'],
    ['non-ASCII', 'café'],
  ])('rejects %s with an ArgumentError', (_name, value) => {
    expect(isShardId(value)).toBe(false);
    expect(() => shardId(value)).toThrow(ArgumentError);
  });

  it('rejects non-strings without an untyped throw', () => {
    expect(isShardId(42)).toBe(false);
    expect(() => shardId(42 as unknown as string)).toThrow(ArgumentError);
  });
});

describe.each([
  ['term', term],
  ['seq', seq],
] as const)('%s', (_name, make) => {
  it('accepts integers in 0..2^32-1', () => {
    expect(make(0)).toBe(0);
    expect(make(MAX_U32)).toBe(MAX_U32);
  });

  it.each([-1, 1.5, MAX_U32 + 1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %s', (v) => {
    expect(() => make(v)).toThrow(ArgumentError);
  });
});
