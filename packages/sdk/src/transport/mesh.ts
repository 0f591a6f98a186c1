/**
 * Who dials whom, for every transport. A joiner asks its {@link MeshPolicy} which of the peers
 * already in the room to dial; those peers accept. Full mesh is the default; a partial mesh (each
 * peer connected to a few others, gossip doing the rest) plugs in here without touching transports.
 */
import type { Rng } from '../util/rng.js';
import type { PeerId } from './types.js';

/** What a {@link MeshPolicy} may look at besides the candidates. */
export interface MeshContext {
  /** The room being joined. */
  readonly room: string;
  /** Time of the join on the transport's clock. */
  readonly now: number;
  /** A seeded stream reserved for mesh decisions, so they replay from the network seed. */
  readonly rng: Rng;
}

/**
 * Picks the peers `self` dials when it joins, from `candidates` (peers already in the room, in
 * join order). Ids not among the candidates are ignored. The dialled peers accept every dial.
 * `candidates` may be a live list, valid only during the call: copy it to keep it. Must be a
 * pure function of its arguments.
 */
export type MeshPolicy = (self: PeerId, candidates: readonly PeerId[], ctx: MeshContext) => readonly PeerId[];

/** Connects to everyone already in the room. */
export const fullMesh: MeshPolicy = (_self, candidates) => candidates;
