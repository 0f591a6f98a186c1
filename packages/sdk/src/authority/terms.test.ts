import { describe, expect, it } from 'vitest';
import { AnarchyError, ErrorCode } from '../errors.js';
import { asPeerId } from '../transport/types.js';
import { MAX_U32, shardId, term } from './ids.js';
import { TermTracker } from './terms.js';

const s = shardId('sector/0/0');
const [alice, bob, carol] = [asPeerId('alice'), asPeerId('bob'), asPeerId('carol')];

describe('TermTracker', () => {
  it('[A1] adopts the first term and sender seen for a shard', () => {
    const t = new TermTracker();
    expect(t.current(s)).toBeUndefined();
    expect(t.accept(s, term(4), alice)).toEqual({ accepted: true, change: 'first', current: { term: 4, czar: alice } });
    expect(t.current(s)).toEqual({ term: 4, czar: alice });
  });

  it('[A2] rejects a term lower than the recorded one', () => {
    const t = new TermTracker();
    t.accept(s, term(4), alice);
    expect(t.accept(s, term(3), bob)).toEqual({ accepted: false, reason: 'stale-term', current: { term: 4, czar: alice } });
    expect(t.accept(s, term(3), alice)).toMatchObject({ accepted: false, reason: 'stale-term' });
  });

  it('[A3] accepts the recorded term from its czar, again and again', () => {
    const t = new TermTracker();
    t.accept(s, term(2), alice);
    for (let i = 0; i < 3; i++) expect(t.accept(s, term(2), alice)).toMatchObject({ accepted: true, change: 'same' });
  });

  it('[A4] rejects the recorded term from another sender and keeps the first czar', () => {
    const t = new TermTracker();
    t.accept(s, term(2), alice);
    expect(t.accept(s, term(2), bob)).toEqual({ accepted: false, reason: 'conflicting-czar', current: { term: 2, czar: alice } });
    expect(t.accept(s, term(2), alice)).toMatchObject({ accepted: true });
  });

  it('[A5] adopts a higher term with its sender, reporting the record it replaced', () => {
    const t = new TermTracker();
    t.accept(s, term(2), alice);
    expect(t.accept(s, term(9), bob)).toEqual({
      accepted: true,
      change: 'newer',
      current: { term: 9, czar: bob },
      previous: { term: 2, czar: alice },
    });
    expect(t.accept(s, term(2), alice)).toMatchObject({ accepted: false, reason: 'stale-term' });
  });

  it('[A6] claim takes highest seen + 1 (1 when none) and deposes the previous czar at once', () => {
    const t = new TermTracker();
    expect(t.claim(shardId('fresh'), carol)).toBe(1);
    t.accept(s, term(5), alice);
    expect(t.claim(s, bob)).toBe(6);
    expect(t.current(s)).toEqual({ term: 6, czar: bob });
    expect(t.accept(s, term(5), alice)).toMatchObject({ accepted: false, reason: 'stale-term' });
    expect(t.accept(s, term(6), bob)).toMatchObject({ accepted: true, change: 'same' });
  });

  it('[A7] refuses to claim past the last u32 term instead of wrapping', () => {
    const t = new TermTracker();
    t.accept(s, term(MAX_U32), alice);
    let err: unknown;
    try {
      t.claim(s, bob);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AnarchyError);
    expect((err as AnarchyError).code).toBe(ErrorCode.Internal);
    expect(t.current(s)).toEqual({ term: MAX_U32, czar: alice });
  });

  it('[A8] a rejection leaves the record unchanged', () => {
    const t = new TermTracker();
    t.accept(s, term(3), alice);
    t.accept(s, term(1), bob);
    t.accept(s, term(3), carol);
    expect(t.current(s)).toEqual({ term: 3, czar: alice });
  });

  it('keeps shards independent, and forget() clears one', () => {
    const t = new TermTracker();
    const other = shardId('sector/0/1');
    t.accept(s, term(3), alice);
    t.accept(other, term(1), bob);
    expect(t.accept(other, term(1), bob)).toMatchObject({ accepted: true });
    expect([...t.shards()].sort()).toEqual([s, other].sort());
    t.forget(s);
    expect(t.current(s)).toBeUndefined();
    expect(t.accept(s, term(1), carol)).toMatchObject({ accepted: true, change: 'first' });
  });
});
