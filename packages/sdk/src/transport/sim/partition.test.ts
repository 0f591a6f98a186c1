import { describe, expect, it } from 'vitest';
import type { PeerId } from '../types.js';
import { PartitionTable } from './partition.js';

const ids = (...xs: string[]): PeerId[] => xs as PeerId[];
const [a, b, c, d] = ids('a', 'b', 'c', 'd') as [PeerId, PeerId, PeerId, PeerId];

describe('PartitionTable', () => {
  it('separates groups and keeps unlisted peers together', () => {
    const t = new PartitionTable();
    expect(t.reachable(a, b)).toBe(true);
    t.partition([ids('a'), ids('b')]);
    expect(t.active).toBe(true);
    expect(t.reachable(a, b)).toBe(false);
    expect(t.reachable(a, c)).toBe(false);
    expect(t.reachable(c, d)).toBe(true);
    expect(t.reachable(a, a)).toBe(true);
    t.heal();
    expect(t.active).toBe(false);
    expect(t.reachable(a, b)).toBe(true);
  });

  it('a new partition replaces the old one', () => {
    const t = new PartitionTable();
    t.partition([ids('a', 'b'), ids('c', 'd')]);
    t.partition([ids('a', 'c'), ids('b', 'd')]);
    expect(t.reachable(a, b)).toBe(false);
    expect(t.reachable(a, c)).toBe(true);
  });

  it('remembers separations since a serial, even after a heal', () => {
    const t = new PartitionTable();
    const s0 = t.serial;
    t.partition([ids('a'), ids('b')]);
    t.heal();
    expect(t.reachable(a, b)).toBe(true);
    expect(t.reachableSince(a, b, s0)).toBe(false);
    expect(t.reachableSince(c, d, s0)).toBe(true);
    expect(t.reachableSince(a, b, t.serial)).toBe(true);
  });

  it('treats a serial older than its history as separated', () => {
    const t = new PartitionTable();
    const s0 = t.serial;
    for (let i = 0; i < 100; i++) {
      t.partition([ids('x'), ids('y')]);
      t.heal();
    }
    expect(t.reachableSince(a, b, s0)).toBe(false);
    expect(t.reachableSince(a, b, t.serial - 1)).toBe(true);
  });
});
