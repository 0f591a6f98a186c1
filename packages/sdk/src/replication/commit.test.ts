/** Commit points and their waiters ([R23], [R24]). */
import { describe, expect, it } from 'vitest';
import { CommitState } from './commit.js';
import type { PeerId } from '../transport/types.js';

const b = 'b' as PeerId;
const c = 'c' as PeerId;

describe('CommitState', () => {
  it('[R23] commits what the first backup acknowledged, capped at the last delta sent', () => {
    const s = new CommitState();
    expect(s.committed).toBe(-1);
    s.ack(b, 5);
    expect(s.advance(b, 3)).toBe(true);
    expect(s.committed).toBe(3);
    expect(s.acker).toBe(b);
    // Another backup's acks do not commit while b is the first.
    s.ack(c, 9);
    expect(s.advance(b, 9)).toBe(true);
    expect(s.committed).toBe(5);
    // Commit points never move back, even when the first backup changes.
    expect(s.advance(c, 4)).toBe(false);
    expect(s.committed).toBe(5);
  });

  it('[R23] with no eligible backup, everything sent is committed', () => {
    const s = new CommitState();
    expect(s.advance(undefined, 7)).toBe(true);
    expect(s.committed).toBe(7);
    expect(s.acker).toBeUndefined();
  });

  it('[R23][R24] waiters settle on commit, on a whole handoff, or fail when the term is lost', () => {
    const s = new CommitState();
    const log: string[] = [];
    s.wait(2, () => log.push('2 ok'), (why) => log.push(`2 ${why}`));
    s.wait(4, () => log.push('4 ok'), (why) => log.push(`4 ${why}`));
    s.ack(b, 3);
    s.advance(b, 3);
    expect(log).toEqual(['2 ok']);
    s.failAll('rolled-back');
    expect(log).toEqual(['2 ok', '4 rolled-back']);
    s.wait(9, () => log.push('9 ok'), () => log.push('9 failed'));
    s.settleAll();
    expect(log).toEqual(['2 ok', '4 rolled-back', '9 ok']);
    s.wait(1, () => log.push('1 ok at once'), () => undefined);
    expect(log.at(-1)).toBe('1 ok at once');
  });

  it('[R24] remembers uncommitted remote actions, forgets them once committed', () => {
    const s = new CommitState();
    s.noteAction('x' as PeerId, 1, 2);
    s.noteAction('y' as PeerId, 2, 4);
    s.ack(b, 2);
    s.advance(b, 4);
    expect(s.takeActions(1)).toEqual([{ from: 'y', actionId: 2, seq: 4 }]);
    expect(s.takeActions(1)).toEqual([]);
  });

  it('[R23] a new term keeps its waiters, aimed at the opening snapshot', () => {
    const s = new CommitState();
    let ok = false;
    s.wait(6, () => (ok = true), () => undefined);
    s.reset();
    s.ack(b, 0);
    s.advance(b, 0);
    expect(ok).toBe(true);
  });
});
