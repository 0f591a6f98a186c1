/**
 * The membership view: who is in the room as far as this peer knows. Authority (czar and backups
 * per shard) is computed from it, so every layer above reads membership only through this
 * interface. Implementations: {@link TransportMembership} (the transport's connected peers, no
 * failure detection of its own) and the SWIM-style detector in this folder.
 */
import type { PeerId } from '../transport/types.js';

export interface MembershipChange {
  /** Increases by one on every change. */
  readonly version: number;
  /** Live members including self, sorted by id. */
  readonly members: readonly PeerId[];
  /** Members set aside: alive but neither czar nor backup until they answer reliably again. */
  readonly standby: readonly PeerId[];
  readonly joined: readonly PeerId[];
  readonly left: readonly PeerId[];
}

export interface MembershipView {
  /** This peer. Always a member. */
  readonly self: PeerId;
  /** Live members including self, sorted by id. */
  members(): readonly PeerId[];
  /** Members set aside (alive but not eligible for authority), sorted by id. */
  standby(): readonly PeerId[];
  /** Increases by one on every change of `members()` or `standby()`. */
  version(): number;
  /** Subscribes to changes; returns an unsubscribe function. */
  on(event: 'change', listener: (change: MembershipChange) => void): () => void;
  /** Stops listening to the transport. */
  dispose(): void;
}
