import { describe, expect, it } from 'vitest';
import { SeededRng } from '../util/rng.js';
import { fullMesh } from './mesh.js';
import { asPeerId } from './types.js';

describe('fullMesh', () => {
  it('dials every candidate', () => {
    const [a, b, c] = ['a', 'b', 'c'].map(asPeerId) as [ReturnType<typeof asPeerId>, ReturnType<typeof asPeerId>, ReturnType<typeof asPeerId>];
    const ctx = { room: 'r', now: 0, rng: new SeededRng(1) };
    expect(fullMesh(b, [a, c], ctx)).toEqual([a, c]);
    expect(fullMesh(a, [], ctx)).toEqual([]);
  });
});
