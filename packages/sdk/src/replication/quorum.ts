/**
 * The majority rule of partitions ([R26]). A peer may write (and take over) shards only while it
 * can reach a majority of the last *stable* view it knew. While this peer has a majority, members
 * that join the membership view join the stable view at once, and members that left the
 * membership view leave it once the view stayed the same for `stableMs`. Peers that left gracefully are taken out at once (they are
 * not a failure); on the minority side nothing changes, because from inside a partition a crash
 * and a cut look the same.
 *
 * Majority: strictly more than half of the stable set, or exactly half when that half holds the
 * lowest id of the stable set. So when a room of 2n splits n | n (or loses n peers at once), the
 * half with the lowest id keeps playing and the other half is read only; the two halves never
 * both write. A room of two keeps playing on the lower id's side only.
 *
 * A peer that just started is not `settled` for its first `stableMs`: its view is still filling
 * in, and a room it has not heard of yet may be out of reach, so it opens no term yet.
 *
 * Members are counted by identity: the game's player id when peers announce one, else the peer
 * id, so a player that crashed and came back under a new peer id counts as the peer it was.
 *
 * Plain logic on an injected clock; the engine feeds it the view and asks it on every tick.
 */

/** `ok`: this peer reaches a majority and may write; `degraded`: read only until it does again. */
export type RoomStatus = 'ok' | 'degraded';

/** What the majority rule saw last. */
export interface QuorumState {
  readonly status: RoomStatus;
  /** Members of the stable view this peer reaches now (itself included). */
  readonly reachable: number;
  /** Size of the last stable view. */
  readonly stable: number;
}

export class QuorumTracker {
  private stableSet: Set<string>;
  /** The membership view (alive and suspected members). */
  private current: Set<string>;
  /** The members reachable now: not suspected, and heard from lately. */
  private reach: Set<string>;
  /** Left on purpose but still in the view (the news travels): not to be counted again until gone from it. */
  private readonly forgotten = new Set<string>();
  private changedAt: number;
  private state: RoomStatus = 'ok';
  /** A new peer does not trust its first view: it may not have heard of the whole room yet. */
  private readonly settledAt: number;

  constructor(
    private readonly self: string,
    private readonly stableMs: number,
    now: number,
  ) {
    this.stableSet = new Set([self]);
    this.current = new Set([self]);
    this.reach = new Set([self]);
    this.changedAt = now;
    this.settledAt = now + stableMs;
  }

  /**
   * The members of the view and the ones this peer reaches now, at `now`. Returns true when the
   * status changed.
   */
  update(reachable: Iterable<string>, members: Iterable<string>, now: number): boolean {
    const view = new Set(members);
    view.add(this.self);
    if (!sameSet(view, this.current)) {
      this.current = view;
      this.changedAt = now;
    }
    this.reach = new Set(reachable);
    this.reach.add(this.self);
    return this.evaluate(now);
  }

  /** A peer left gracefully: it no longer counts towards the majority ([R26]). */
  forget(peer: string, now: number): boolean {
    if (peer === this.self) return false;
    this.forgotten.add(peer);
    if (!this.stableSet.delete(peer)) return false;
    return this.evaluate(now);
  }

  /** Re-checks at `now` (the current set may have become stable). Returns true when the status changed. */
  evaluate(now: number): boolean {
    const ok = this.hasMajority(this.reach);
    for (const p of this.forgotten) if (!this.current.has(p)) this.forgotten.delete(p);
    if (ok) {
      // New members count at once: the room grew, and a later split must be judged against it.
      for (const p of this.current) if (!this.forgotten.has(p)) this.stableSet.add(p);
      // Members gone from the view for `stableMs` (seen from a side that has a majority) stop counting.
      if (now - this.changedAt >= this.stableMs && this.stableSet.size !== this.current.size) {
        this.stableSet = new Set([...this.current].filter((p) => !this.forgotten.has(p)));
      }
    }
    const status: RoomStatus = ok ? 'ok' : 'degraded';
    if (status === this.state) return false;
    this.state = status;
    return true;
  }

  /** False during a new peer's first `stableMs`: it reports `ok` but opens no term yet. */
  settled(now: number): boolean {
    return now >= this.settledAt;
  }

  get status(): RoomStatus {
    return this.state;
  }

  snapshot(): QuorumState {
    let reachable = 0;
    for (const p of this.stableSet) if (this.reach.has(p)) reachable++;
    return { status: this.state, reachable, stable: this.stableSet.size };
  }

  /**
   * Whether `members` (identities; this peer counts whether listed or not) make a majority of the
   * stable view, by the same rule as the status: a term's votes confirm it ([R23]).
   */
  isMajority(members: Iterable<string>): boolean {
    const set = new Set(members);
    set.add(this.self);
    return this.hasMajority(set);
  }

  /** The stable view, sorted (for tests and diagnostics). */
  stableView(): string[] {
    return [...this.stableSet].sort();
  }

  private hasMajority(reach: ReadonlySet<string>): boolean {
    let inside = 0;
    let lowest: string | undefined;
    for (const p of this.stableSet) {
      if (reach.has(p)) inside++;
      if (lowest === undefined || p < lowest) lowest = p;
    }
    const n = this.stableSet.size;
    if (2 * inside > n) return true;
    return 2 * inside === n && lowest !== undefined && reach.has(lowest);
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
