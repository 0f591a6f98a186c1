import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../util/rng.js';
import { GENERATED_ID_LENGTH, generatePeerId, isValidPeerId, MAX_PEER_ID_LENGTH } from './peer-id.js';

describe('peer ids', () => {
  it('generates valid, distinct ids from the secure source', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const id = generatePeerId();
      expect(isValidPeerId(id), id).toBe(true);
      expect(id).toHaveLength(GENERATED_ID_LENGTH);
      ids.add(id);
    }
    expect(ids.size).toBe(500);
  });

  it('is reproducible with a seeded rng', () => {
    const seed = 20240611;
    const a = [generatePeerId(new SeededRng(seed)), generatePeerId(new SeededRng(seed))];
    expect(a[0], `seed ${seed}`).toBe(a[1]);
    expect(isValidPeerId(a[0]), `seed ${seed}`).toBe(true);
    const rng = new SeededRng(seed);
    expect(generatePeerId(rng), `seed ${seed}`).not.toBe(generatePeerId(rng));
  });

  it("follows PeerJS's id rule and the signal service's length cap", () => {
    for (const ok of ['a', 'A9', 'alice-bob', 'a_b c', 'x'.repeat(MAX_PEER_ID_LENGTH)]) expect(isValidPeerId(ok), ok).toBe(true);
    for (const bad of ['', '-a', 'a-', 'a--b', 'a_-b', ' a', 'é', 'a/b', 'x'.repeat(MAX_PEER_ID_LENGTH + 1), 42, null, undefined]) {
      expect(isValidPeerId(bad), String(bad)).toBe(false);
    }
  });
});
