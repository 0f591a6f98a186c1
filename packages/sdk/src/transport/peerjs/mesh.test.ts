import { describe, expect, it } from 'vitest';
import { asPeerId } from '../types.js';
import { dialEveryone } from './mesh.js';

describe('dialEveryone', () => {
  it('dials every peer in the room except itself, in the room order', () => {
    const [a, b, c] = ['a', 'b', 'c'].map(asPeerId) as [ReturnType<typeof asPeerId>, ReturnType<typeof asPeerId>, ReturnType<typeof asPeerId>];
    expect(dialEveryone(b, [a, b, c])).toEqual([a, c]);
    expect(dialEveryone(a, [])).toEqual([]);
  });
});
