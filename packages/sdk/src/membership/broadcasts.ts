/**
 * The piggyback queue ([M15]): membership facts waiting to ride on probes. Each fact is sent a
 * limited number of times (SWIM's infection-style dissemination: `multiplier × ⌈log10(n + 1)⌉`
 * transmissions reach everyone with high probability), least-sent first, and a newer fact about a
 * peer replaces the queued one. Facts about the recipient go first (Lifeguard's buddy system: a
 * suspected peer learns of it on the next probe and refutes at once).
 */
import type { PeerId } from '../transport/types.js';
import type { MemberFact } from './update.js';

interface Entry {
  fact: MemberFact;
  sent: number;
  /** Insertion order, to keep ties stable (and runs deterministic). */
  order: number;
}

export class BroadcastQueue {
  private readonly entries = new Map<PeerId, Entry>();
  private order = 0;

  /** Queues `fact`, replacing any queued fact about the same peer. */
  push(fact: MemberFact): void {
    this.entries.set(fact.peer, { fact, sent: 0, order: this.order++ });
  }

  /** Facts waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** The queued fact about `peer`, if any. */
  get(peer: PeerId): MemberFact | undefined {
    return this.entries.get(peer)?.fact;
  }

  /**
   * Takes up to `max` facts (and at most `maxBytes` by `sizeOf`) for one message to `recipient`:
   * facts about the recipient first, then the least-sent ones. Each taken fact counts one
   * transmission; one sent `limit` times leaves the queue.
   */
  take(max: number, limit: number, recipient?: PeerId, maxBytes = Number.POSITIVE_INFINITY, sizeOf: (f: MemberFact) => number = () => 0): MemberFact[] {
    if (max <= 0 || this.entries.size === 0) return [];
    const picked: Entry[] = [];
    let bytes = 0;
    const own = recipient === undefined ? undefined : this.entries.get(recipient);
    if (own) {
      picked.push(own);
      bytes += sizeOf(own.fact);
    }
    if (picked.length < max) {
      const rest = [...this.entries.values()].filter((e) => e !== own);
      rest.sort((a, b) => a.sent - b.sent || a.order - b.order);
      for (const e of rest) {
        if (picked.length >= max) break;
        const size = sizeOf(e.fact);
        if (bytes + size > maxBytes) continue;
        bytes += size;
        picked.push(e);
      }
    }
    for (const e of picked) {
      e.sent++;
      if (e.sent >= limit) this.entries.delete(e.fact.peer);
    }
    return picked.map((e) => e.fact);
  }

  /** Drops everything. */
  clear(): void {
    this.entries.clear();
  }
}

/** Transmissions per fact in a room of `members` peers: `multiplier × ⌈log10(members + 1)⌉`. */
export function retransmitLimit(multiplier: number, members: number): number {
  return Math.max(1, multiplier * Math.ceil(Math.log10(members + 1)));
}
