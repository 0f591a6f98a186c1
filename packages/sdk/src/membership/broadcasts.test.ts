import { describe, expect, it } from 'vitest';
import type { PeerId } from '../transport/types.js';
import { BroadcastQueue, retransmitLimit } from './broadcasts.js';
import type { MemberFact } from './update.js';

const f = (peer: string, incarnation = 0, status: MemberFact['status'] = 'alive'): MemberFact => ({
  peer: peer as PeerId,
  incarnation,
  status,
  standby: false,
  from: peer as PeerId,
  player: '',
});

describe('BroadcastQueue', () => {
  it('[M15] sends each fact `limit` times, least-sent first', () => {
    const q = new BroadcastQueue();
    q.push(f('a'));
    q.push(f('b'));
    q.push(f('c'));
    expect(q.take(2, 2).map((x) => x.peer)).toEqual(['a', 'b']);
    expect(q.take(2, 2).map((x) => x.peer)).toEqual(['c', 'a']);
    expect(q.take(2, 2).map((x) => x.peer)).toEqual(['b', 'c']);
    expect(q.size).toBe(0);
    expect(q.take(2, 2)).toEqual([]);
  });

  it('[M15] a newer fact about a peer replaces the queued one and starts its count again', () => {
    const q = new BroadcastQueue();
    q.push(f('a', 1));
    q.take(1, 3);
    q.push(f('a', 1, 'suspect'));
    expect(q.size).toBe(1);
    expect(q.get('a' as PeerId)?.status).toBe('suspect');
    expect(q.take(5, 3)).toHaveLength(1);
    expect(q.take(5, 3)).toHaveLength(1);
    expect(q.take(5, 3)).toHaveLength(1);
    expect(q.size).toBe(0);
  });

  it('[M15] puts facts about the recipient first (buddy system) and respects the byte budget', () => {
    const q = new BroadcastQueue();
    q.push(f('a'));
    q.push(f('b'));
    q.push(f('target', 3, 'suspect'));
    expect(q.take(2, 10, 'target' as PeerId).map((x) => x.peer)).toEqual(['target', 'a']);
    const sized = q.take(10, 10, undefined, 2, () => 1);
    expect(sized).toHaveLength(2);
  });

  it('[M15] transmits log10-many times in the room size', () => {
    expect(retransmitLimit(4, 1)).toBe(4);
    expect(retransmitLimit(4, 9)).toBe(4);
    expect(retransmitLimit(4, 10)).toBe(8);
    expect(retransmitLimit(4, 100)).toBe(12);
  });
});
