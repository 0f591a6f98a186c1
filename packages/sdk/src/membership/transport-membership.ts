/**
 * Membership as the transport sees it: self plus every peer with an open connection. It does no
 * failure detection of its own (the transport's keep-alive does), which is enough for a stable
 * room and for tests of the layers above; the SWIM detector replaces it for fast failover.
 */
import { Emitter } from '../util/emitter.js';
import type { PeerId, Transport } from '../transport/types.js';
import type { MembershipChange, MembershipView } from './types.js';

/**
 * Self plus every peer the transport is connected to: no failure detection of its own.
 *
 * @example
 * ```ts
 * const room = Room.create({ transport, membership: new TransportMembership(transport) });
 * ```
 */
export class TransportMembership implements MembershipView {
  readonly self: PeerId;
  private current: readonly PeerId[];
  private versionNo = 0;
  private readonly events = new Emitter<{ change: MembershipChange }>();
  private readonly unsubscribe: Array<() => void>;

  constructor(transport: Transport) {
    this.self = transport.localId;
    this.current = sorted([this.self, ...transport.peers()]);
    this.unsubscribe = [
      transport.on('peer-joined', ({ peer }) => this.update([peer], [])),
      transport.on('peer-left', ({ peer }) => this.update([], [peer])),
    ];
  }

  members(): readonly PeerId[] {
    return this.current;
  }

  standby(): readonly PeerId[] {
    return [];
  }

  version(): number {
    return this.versionNo;
  }

  on(event: 'change', listener: (change: MembershipChange) => void): () => void {
    return this.events.on(event, listener);
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.events.removeAll();
  }

  private update(joined: readonly PeerId[], left: readonly PeerId[]): void {
    const set = new Set(this.current);
    const reallyJoined = joined.filter((p) => !set.has(p));
    const reallyLeft = left.filter((p) => set.has(p) && p !== this.self);
    if (reallyJoined.length === 0 && reallyLeft.length === 0) return;
    for (const p of reallyJoined) set.add(p);
    for (const p of reallyLeft) set.delete(p);
    this.current = sorted([...set]);
    this.versionNo++;
    this.events.emit('change', { version: this.versionNo, members: this.current, standby: [], joined: reallyJoined, left: reallyLeft });
  }
}

const sorted = (ids: readonly PeerId[]): readonly PeerId[] => [...ids].sort();
