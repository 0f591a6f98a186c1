import { SeededRng } from '@anarchy/sdk';
import { describe, expect, it } from 'vitest';
import { PALETTE, loadProfile, saveProfile, type ProfileStorage } from './profile.js';

const memory = (): ProfileStorage['local'] & { data: Map<string, string> } => {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
};

describe('profile', () => {
  it('creates a profile once per tab and keeps name and colour per browser', () => {
    const rng = new SeededRng(3);
    const storage = { local: memory(), session: memory() };
    const first = loadProfile(storage, () => rng.next());
    expect(first.playerId).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(PALETTE).toContain(first.colour);
    expect(loadProfile(storage, () => rng.next()).playerId).toBe(first.playerId);
    const chosen = PALETTE[3]!;
    saveProfile(storage, { ...first, name: '  Ada ', colour: chosen.toUpperCase() });
    const again = loadProfile(storage, () => rng.next());
    expect(again).toEqual({ playerId: first.playerId, name: 'Ada', colour: chosen });
    // Another tab: same name and colour, another player.
    const tab2 = loadProfile({ local: storage.local, session: memory() }, () => rng.next());
    expect(tab2.name).toBe('Ada');
    expect(tab2.playerId).not.toBe(first.playerId);
  });

  it('replaces a remembered colour that is no longer in the palette', () => {
    const storage = { local: memory(), session: memory() };
    storage.local.setItem('anarchy.colour', '#38d9a9');
    const profile = loadProfile(storage, () => 0.99);
    expect(profile.colour).toBe(PALETTE[PALETTE.length - 1]);
    expect(saveProfile(storage, { ...profile, colour: '#38d9a9' }).colour).toBe(PALETTE[0]);
  });
});
