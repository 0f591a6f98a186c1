/**
 * Who plays in this tab: name and colour remembered per browser (localStorage), the player id per
 * tab (sessionStorage), so a reload takes its fleet back while two tabs are two players.
 */
import { PALETTE } from '../game/players.js';
import type { Profile } from '../net/session.js';

/** Colours offered (and picked from at random for a first visit). */
export { PALETTE };

const KEYS = { name: 'anarchy.name', colour: 'anarchy.colour', player: 'anarchy.player' } as const;
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** The two storages (injected so tests use in-memory ones). */
export interface ProfileStorage {
  readonly local: Pick<Storage, 'getItem' | 'setItem'>;
  readonly session: Pick<Storage, 'getItem' | 'setItem'>;
}

/** A random id of `length` unambiguous letters and digits. */
export function randomId(length: number, random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return s;
}

/** Only palette colours are kept: a colour from an older palette is replaced by a current one. */
const validColour = (c: string | null): c is string => c !== null && PALETTE.includes(c);
const validName = (n: string | null): n is string => n !== null && n.trim().length > 0 && n.length <= 24;

/** Loads (creating on first use) this tab's profile. */
export function loadProfile(storage: ProfileStorage, random: () => number = Math.random): Profile {
  let playerId = storage.session.getItem(KEYS.player);
  if (!playerId || !/^[A-Za-z0-9_-]{1,32}$/.test(playerId)) {
    playerId = randomId(10, random);
    storage.session.setItem(KEYS.player, playerId);
  }
  const storedName = storage.local.getItem(KEYS.name);
  const storedColour = storage.local.getItem(KEYS.colour);
  const name = validName(storedName) ? storedName.trim() : `Pilot ${randomId(3, random)}`;
  const colour = validColour(storedColour) ? storedColour : PALETTE[Math.floor(random() * PALETTE.length)]!;
  return { playerId, name, colour };
}

/** Remembers name and colour for the next visit; returns the cleaned profile. */
export function saveProfile(storage: ProfileStorage, profile: Profile): Profile {
  const name = validName(profile.name) ? profile.name.trim() : 'Pilot';
  const colour = validColour(profile.colour.toLowerCase()) ? profile.colour.toLowerCase() : (PALETTE[0] as string);
  storage.local.setItem(KEYS.name, name);
  storage.local.setItem(KEYS.colour, colour);
  return { playerId: profile.playerId, name, colour };
}

/** The browser's storages, or in-memory ones where they are blocked (private modes, sandboxed frames). */
export function browserStorage(): ProfileStorage {
  const memory = (): Pick<Storage, 'getItem' | 'setItem'> => {
    const m = new Map<string, string>();
    return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v) };
  };
  try {
    localStorage.getItem(KEYS.name);
    return { local: localStorage, session: sessionStorage };
  } catch {
    return { local: memory(), session: memory() };
  }
}
