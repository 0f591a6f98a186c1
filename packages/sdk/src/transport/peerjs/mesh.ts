/**
 * Who dials whom. A joiner asks its {@link MeshPolicy} which of the peers already in the room to
 * dial; those peers accept. Full mesh is the default; partial meshes plug in here later.
 */
import type { PeerId } from '../types.js';

/**
 * Picks the peers `self` dials when it joins. `roomPeers` is the room as the signal service
 * reported it, without `self`. Must be a pure function of its arguments; anything it returns that
 * is not in `roomPeers` is ignored.
 */
export type MeshPolicy = (self: PeerId, roomPeers: readonly PeerId[]) => readonly PeerId[];

/** Full mesh: dial everyone already in the room. */
export const dialEveryone: MeshPolicy = (self, roomPeers) => roomPeers.filter((p) => p !== self);
