import { describe, expect, it } from 'vitest';
import { SeededRng } from '../util/rng.js';
import { fnv1a64, stateHash } from './state-hash.js';
import { TestState, TestUnit } from './test-support.node.js';

function reference(bytes: Uint8Array): string {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

describe('fnv1a64', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(fnv1a64(ascii(''))).toBe('cbf29ce484222325');
    expect(fnv1a64(ascii('a'))).toBe('af63dc4c8601ec8c');
    expect(fnv1a64(ascii('foobar'))).toBe('85944171f73967e8');
  });

  it('matches a BigInt reference on random inputs (seed 5)', () => {
    const rng = new SeededRng(5);
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: i * 3 }, () => rng.nextUint32() & 0xff);
      expect(fnv1a64(bytes), `input ${i}`).toBe(reference(bytes));
    }
  });
});

describe('stateHash', () => {
  it('is equal for equal states and different after any change', () => {
    const make = (): TestState => {
      const s = new TestState();
      s.name = 'x';
      const u = new TestUnit();
      u.x = 5;
      s.units.set('a', u);
      s.scores.push(1, 2);
      return s;
    };
    const a = make();
    const b = make();
    expect(stateHash(a)).toBe(stateHash(b));
    b.scores[1] = 3;
    expect(stateHash(b)).not.toBe(stateHash(a));
    (b.units.get('a') as TestUnit).x = 6;
    expect(stateHash(b)).not.toBe(stateHash(make()));
  });

  it('does not disturb the hashed state', () => {
    const s = new TestState();
    s.name = 'keep';
    const before = JSON.stringify(s.toJSON());
    stateHash(s);
    expect(JSON.stringify(s.toJSON())).toBe(before);
  });
});
