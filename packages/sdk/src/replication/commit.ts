/**
 * Commitment of one shard's writes on its czar ([R23]). Within a term the czar's deltas are
 * numbered 1, 2, …, and the term's opening snapshot is 0. The shard's backups acknowledge the
 * highest point they hold with an `ack` (term, seq); a point is **committed** once the czar's
 * first live backup (the first peer after the czar in the succession of the czar's view, which is
 * exactly the peer that takes over if the czar crashes) has acknowledged it, or at once when no
 * other peer is eligible. Commit points only grow within a term.
 *
 * Waiters (a local `whenCommitted`, an `act(…, { commit: true })`, a deferred action answer) are
 * callbacks on a seq: settled ok once it is committed, or when the term ends by a handoff (the
 * successor starts from the whole state), failed when the term is lost first ([R24]).
 */
import type { PeerId } from '../transport/types.js';

/** Uncommitted remote actions remembered per shard. */
const MAX_TRACKED_ACTIONS = 256;

interface Waiter {
  readonly seq: number;
  readonly ok: () => void;
  readonly fail: (why: 'rolled-back' | 'closed') => void;
}

export class CommitState {
  /** Highest seq each peer acknowledged in the current term. */
  private readonly acks = new Map<PeerId, number>();
  private waiters: Waiter[] = [];
  /** Actions of other peers applied in this term and not yet committed: told if the term is lost ([R24]). */
  private actions: Array<{ readonly from: PeerId; readonly actionId: number; readonly seq: number }> = [];
  /** Highest committed seq of the current term; -1 before the opening snapshot is. */
  committed = -1;
  /** Who acknowledged the current commit point (undefined: no backup was eligible). */
  acker: PeerId | undefined;

  /** A new term starts: acks are forgotten; waiters carry over, aimed at its opening snapshot. */
  reset(): void {
    this.acks.clear();
    this.actions = [];
    this.committed = -1;
    this.acker = undefined;
    if (this.waiters.length > 0) this.waiters = this.waiters.map((w) => ({ ...w, seq: 0 }));
  }

  /** Records an acknowledgement; returns true when it was news. */
  ack(peer: PeerId, seq: number): boolean {
    const had = this.acks.get(peer) ?? -1;
    if (seq <= had) return false;
    this.acks.set(peer, seq);
    return true;
  }

  /** The highest seq `peer` acknowledged in this term, or -1. */
  ackOf(peer: PeerId): number {
    return this.acks.get(peer) ?? -1;
  }

  /**
   * Moves the commit point: to what `acker` acknowledged (capped at `seq`, the last delta sent),
   * or to `seq` when there is no acker. Returns true when it grew.
   */
  advance(acker: PeerId | undefined, seq: number): boolean {
    const point = acker === undefined ? seq : Math.min(seq, this.acks.get(acker) ?? -1);
    if (point <= this.committed) return false;
    this.committed = point;
    this.acker = acker;
    for (const w of this.waiters.filter((w) => w.seq <= point)) w.ok();
    this.waiters = this.waiters.filter((w) => w.seq > point);
    if (this.actions.length > 0) this.actions = this.actions.filter((a) => a.seq > point);
    return true;
  }

  /** An action from `from` was applied into delta `seq` and answered before it was committed. */
  noteAction(from: PeerId, actionId: number, seq: number): void {
    if (seq <= this.committed) return;
    // Bounded: a czar cut off for long stops remembering the oldest (they are reported by the
    // czar's own rollback event's range either way).
    if (this.actions.length >= MAX_TRACKED_ACTIONS) this.actions.shift();
    this.actions.push({ from, actionId, seq });
  }

  /** The remembered actions at or after `fromSeq`, forgotten here. */
  takeActions(fromSeq: number): Array<{ readonly from: PeerId; readonly actionId: number; readonly seq: number }> {
    const out = this.actions.filter((a) => a.seq >= fromSeq);
    this.actions = [];
    return out;
  }

  /** Calls `ok` once `seq` is committed (at once if it is), `fail` if the term is lost first. */
  wait(seq: number, ok: () => void, fail: (why: 'rolled-back' | 'closed') => void): void {
    if (seq <= this.committed) ok();
    else this.waiters.push({ seq, ok, fail });
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** The term was handed off whole: everything waiting is safe. */
  settleAll(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.ok();
  }

  /** The term was lost (or the room closed): everything still waiting failed. */
  failAll(why: 'rolled-back' | 'closed'): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.fail(why);
  }
}
