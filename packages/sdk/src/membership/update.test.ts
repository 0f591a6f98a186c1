import { describe, expect, it } from 'vitest';
import type { PeerId } from '../transport/types.js';
import { type MemberFact, type MemberStatus, FLAG_STANDBY, fromWire, supersedes, toWire } from './update.js';

const fact = (status: MemberStatus, incarnation: number, extra: Partial<MemberFact> = {}): MemberFact => ({
  peer: 'x' as PeerId,
  incarnation,
  status,
  standby: false,
  from: 'y' as PeerId,
  player: '',
  ...extra,
});

describe('membership facts', () => {
  it('[M2] a higher incarnation wins; at equal incarnations worse news wins, and alive never', () => {
    expect(supersedes(undefined, fact('alive', 0))).toBe(true);
    expect(supersedes({ status: 'alive', incarnation: 1 }, fact('alive', 1))).toBe(false);
    expect(supersedes({ status: 'alive', incarnation: 1 }, fact('alive', 2))).toBe(true);
    expect(supersedes({ status: 'suspect', incarnation: 1 }, fact('alive', 1))).toBe(false);
    expect(supersedes({ status: 'suspect', incarnation: 1 }, fact('alive', 2))).toBe(true);
    expect(supersedes({ status: 'alive', incarnation: 1 }, fact('suspect', 1))).toBe(true);
    expect(supersedes({ status: 'alive', incarnation: 2 }, fact('suspect', 1))).toBe(false);
    expect(supersedes({ status: 'suspect', incarnation: 1 }, fact('dead', 1))).toBe(true);
    expect(supersedes({ status: 'dead', incarnation: 1 }, fact('left', 1))).toBe(true);
    expect(supersedes({ status: 'left', incarnation: 1 }, fact('dead', 1))).toBe(false);
    expect(supersedes({ status: 'dead', incarnation: 4 }, fact('alive', 4))).toBe(false);
    expect(supersedes({ status: 'dead', incarnation: 4 }, fact('alive', 5))).toBe(true);
  });

  it('[M3] round-trips through the wire form; the player travels only on alive facts', () => {
    const a = fact('alive', 7, { standby: true, player: 'alice' });
    expect(toWire(a)).toEqual({ peer: 'x', incarnation: 7, status: 0, flags: FLAG_STANDBY, from: 'y', player: 'alice' });
    expect(fromWire(toWire(a))).toEqual(a);
    expect(toWire(fact('dead', 3, { player: 'alice' })).player).toBe('');
  });

  it('[M3] skips facts with an unknown status or an empty peer id, and ignores reserved flag bits', () => {
    const base = { peer: 'x', incarnation: 1, status: 0, flags: 0, from: '', player: '' };
    expect(fromWire({ ...base, status: 4 })).toBeUndefined();
    expect(fromWire({ ...base, status: 0xffffffff })).toBeUndefined();
    expect(fromWire({ ...base, peer: '' })).toBeUndefined();
    expect(fromWire({ ...base, flags: 0b110 })?.standby).toBe(false);
  });
});
