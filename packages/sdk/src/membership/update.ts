/**
 * Membership facts and the order between them ([M2], [M3]). A fact says that a peer is alive,
 * suspect, dead or left at some incarnation; the peer alone raises its incarnation (to refute a
 * suspicion or to change its own attributes), so a newer incarnation always wins, and at equal
 * incarnations the worse news wins: left > dead > suspect > alive.
 */
import type { MemberUpdatesMessage } from '../wire/messages.js';
import type { PeerId } from '../transport/types.js';

/** What one fact says about a peer. */
export type MemberStatus = 'alive' | 'suspect' | 'dead' | 'left';

/** Wire codes of {@link MemberStatus} ([M3]). Other codes are skipped on arrival. */
export const STATUS_CODE: Readonly<Record<MemberStatus, number>> = { alive: 0, suspect: 1, dead: 2, left: 3 };
const STATUS_BY_CODE: readonly MemberStatus[] = ['alive', 'suspect', 'dead', 'left'];

/** `flags` bit 0: the peer set itself aside (standby, [M30]). Other bits are reserved, ignored. */
export const FLAG_STANDBY = 1;

/** One update as it travels on the wire (the `updates` items of the member-* messages). */
export type WireUpdate = MemberUpdatesMessage['updates'][number];

/** A decoded, validated membership fact. */
export interface MemberFact {
  readonly peer: PeerId;
  readonly incarnation: number;
  readonly status: MemberStatus;
  /** Only meaningful on `alive` facts: the peer's self-declared standby. */
  readonly standby: boolean;
  /** Who issued the fact: the suspecter of a `suspect`, the judge of a `dead`, the peer itself for `alive`. */
  readonly from: PeerId;
  /** The game's player id of the peer (may be empty); carried on `alive` facts. */
  readonly player: string;
}

const RANK: Readonly<Record<MemberStatus, number>> = { alive: 0, suspect: 1, dead: 2, left: 3 };

/**
 * True if `next` carries news over `current` (same peer) under [M2]: a higher incarnation, or the
 * same incarnation with worse news. `alive` needs a strictly higher incarnation: only the peer
 * itself raises it.
 */
export function supersedes(current: { readonly incarnation: number; readonly status: MemberStatus } | undefined, next: MemberFact): boolean {
  if (!current) return true;
  if (next.incarnation !== current.incarnation) return next.incarnation > current.incarnation;
  return RANK[next.status] > RANK[current.status];
}

/** True for statuses that keep a peer in the view. */
export const isMemberStatus = (s: MemberStatus): boolean => s === 'alive' || s === 'suspect';

/** Encodes a fact for the wire. */
export function toWire(f: MemberFact): WireUpdate {
  return {
    peer: f.peer,
    incarnation: f.incarnation,
    status: STATUS_CODE[f.status],
    flags: f.standby ? FLAG_STANDBY : 0,
    from: f.from,
    player: f.status === 'alive' ? f.player : '',
  };
}

/**
 * Decodes a wire update, or returns undefined for one this build does not understand (unknown
 * status, empty peer id): such facts are skipped, never an error ([M3]).
 */
export function fromWire(u: WireUpdate): MemberFact | undefined {
  const status = STATUS_BY_CODE[u.status];
  if (status === undefined || u.peer.length === 0) return undefined;
  return {
    peer: u.peer as PeerId,
    incarnation: u.incarnation,
    status,
    standby: (u.flags & FLAG_STANDBY) !== 0,
    from: u.from as PeerId,
    player: u.player,
  };
}
