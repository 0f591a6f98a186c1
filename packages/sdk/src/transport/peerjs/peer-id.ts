/**
 * Peer ids: what PeerJS and the signal service both accept, generated so two peers never collide.
 */
import { customAlphabet } from 'nanoid';
import type { PeerId } from '../types.js';
import { asPeerId } from '../types.js';
import { randomInt } from '../../util/rng.js';
import type { Rng } from '../../util/rng.js';

/** Longest peer id the signal service accepts. */
export const MAX_PEER_ID_LENGTH = 64;

/** PeerJS's own rule (`util.validateId`): alphanumerics, optionally joined by single ' ', '_' or '-'. */
const PEERJS_ID = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

/**
 * True when `id` is accepted by PeerJS and by `@anarchy/signal`: check a player-chosen id before
 * passing it as `peerId`, instead of failing the join.
 *
 * @example
 * ```ts
 * isValidPeerId('player-7'); // true
 * isValidPeerId('-bad--id'); // false: no leading or doubled separators
 * ```
 */
export function isValidPeerId(id: unknown): id is string {
  return typeof id === 'string' && id.length <= MAX_PEER_ID_LENGTH && PEERJS_ID.test(id);
}

/**
 * Alphanumerics only: nanoid's default alphabet has '_' and '-', which PeerJS rejects at the
 * start or end of an id and when doubled.
 */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** 20 characters of base 36 is about 103 bits: collisions are out of the question for rooms. */
export const GENERATED_ID_LENGTH = 20;

const secureId = customAlphabet(ALPHABET, GENERATED_ID_LENGTH);

/**
 * A fresh peer id. Without `rng` it comes from the platform's secure random source (nanoid);
 * with `rng` it is reproducible, for tests and simulations.
 *
 * @example
 * ```ts
 * const id = generatePeerId(); // 20 random base-36 characters
 * const replayable = generatePeerId(new SeededRng(1)); // the same id on every run
 * ```
 */
export function generatePeerId(rng?: Rng): PeerId {
  if (!rng) return asPeerId(secureId());
  let id = '';
  for (let i = 0; i < GENERATED_ID_LENGTH; i++) id += ALPHABET[randomInt(rng, ALPHABET.length)]!;
  return asPeerId(id);
}
