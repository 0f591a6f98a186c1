/**
 * The sending side of actions ([R20]): each `act()` aimed at another peer's shard waits here for
 * the czar's answer, is routed again when the czar it reached is not (or no longer) the czar,
 * fails with a typed error when its target leaves or time runs out, and resolves once this
 * peer's replica shows the effect the czar reported (read your writes).
 */
import { AnarchyError, ErrorCode } from '../errors.js';
import type { PeerId } from '../transport/types.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { MessageOf } from '../wire/messages.js';
import { decodeJson, decodeText } from './json.js';

/** `action-result` statuses ([R20]). */
export const ACTION_APPLIED = 0;
export const ACTION_REJECTED = 1;
export const ACTION_NOT_CZAR = 2;
export const ACTION_UNKNOWN_SHARD = 3;
/**
 * The action was applied, but the term it was applied in was lost before it was committed
 * ([R24]): its effect may be missing. Sent for a `commit` action instead of status 0, and later,
 * to an action already answered with status 0, when its czar steps down.
 */
export const ACTION_ROLLED_BACK = 4;
/** The czar is on the minority side of a partition: shards are read only there ([R26]). */
export const ACTION_READ_ONLY = 5;
/**
 * Not an answer: a new term of `shard` starts from the state after delta `seq` of term `term`
 * (czar and new term number in the JSON payload; term 0: from a fresh state). Sent with action id
 * 0 by a new czar ahead of each snapshot of its term, so that a peer whose action was applied in
 * an older term, after that point, learns it was lost, even when that term's czar crashed ([R24]).
 */
export const ACTION_TERM_BASE = 6;
/** Bit 31 of an action id: answer only once the effect is committed ([R20], [R23]). */
export const ACTION_COMMIT_FLAG = 0x8000_0000;

/** What {@link ActionSender} needs from the engine. */
export interface ActionHost {
  readonly clock: Clock;
  /** Wait before routing again (no czar reachable, or "not czar"), in ms. */
  readonly retryMs: number;
  /** Where an action for `shard` goes now, or undefined to try again later. */
  target(shard: string): PeerId | undefined;
  /** True when this peer writes `shard` now: the action is applied here. */
  writes(shard: string): boolean;
  /** Applies the action here as czar; throws a typed error when refused. With `commit`, returns a promise of commitment. */
  applyLocal(shard: string, payload: Uint8Array, commit: boolean): unknown;
  /** An action of ours that a czar applied (and `act()` resolved) was lost with its term ([R24]). */
  rolledBack(lost: LostAction): void;
  send(to: PeerId, message: MessageOf<'action'>): void;
  flush(): void;
  /** True when this peer's replica of `shard` holds delta `seq` of term (term, czar), or later. */
  holds(shard: string, term: number, czar: PeerId, seq: number): boolean;
}

/** The base a new term starts from ([R24]): everything of `term`@`czar` up to `seq` is in it. */
export interface TermBase {
  readonly shard: string;
  readonly term: number;
  readonly czar: PeerId | '';
  readonly seq: number;
  /** The new term and its czar. */
  readonly by: { readonly term: number; readonly czar: PeerId };
}

/** An applied action of ours, lost with the term it was applied in ([R24]). */
export interface LostAction {
  readonly shard: string;
  readonly actionId: number;
  readonly term: number;
  readonly czar: PeerId;
  readonly seq: number;
  /** The action as sent, or undefined if it was no longer remembered. */
  readonly payload: Uint8Array | undefined;
  readonly by: { readonly term: number; readonly czar: PeerId };
}

/** An action a czar applied, kept until a new term's base says whether it survived. */
interface Applied {
  readonly shard: string;
  readonly actionId: number;
  readonly term: number;
  readonly czar: PeerId;
  readonly seq: number;
  readonly payload: Uint8Array;
}

/** Applied actions remembered for rollback reports ([R24]); the oldest go first. */
const MAX_APPLIED = 256;

interface Pending {
  readonly id: number;
  readonly shard: string;
  readonly commit: boolean;
  /** Applied here as czar; waiting for its commitment. */
  awaitingCommit: boolean;
  readonly payload: Uint8Array;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  target: PeerId | undefined;
  timer: TimerHandle | undefined;
  /** After the czar confirmed: the result, and the point the local replica must reach. */
  confirmed: { readonly value: unknown; readonly term: number; readonly czar: PeerId; readonly seq: number } | undefined;
}

/** Ids stay below the commit flag. */
const MAX_ACTION_ID = 0x7fff_fffe;

export class ActionSender {
  private readonly pending = new Map<number, Pending>();
  private applied: Applied[] = [];
  /** Action ids already reported lost, so a second report (the old czar's and the new term's base) is dropped. */
  private readonly reported = new Set<number>();
  private nextId = 1;

  constructor(private readonly host: ActionHost) {}

  /** Sends (or applies here) an encoded action; settles as `Room.act` documents. */
  send(shard: string, payload: Uint8Array, timeoutMs: number, commit = false): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const id = (commit ? this.nextId | ACTION_COMMIT_FLAG : this.nextId) >>> 0;
      this.nextId = this.nextId >= MAX_ACTION_ID ? 1 : this.nextId + 1;
      const p: Pending = { id, shard, commit, awaitingCommit: false, payload, resolve, reject, target: undefined, timer: undefined, confirmed: undefined };
      this.pending.set(id, p);
      p.timer = this.host.clock.setTimeout(() => this.deadline(p), timeoutMs);
      this.route(p);
      this.host.flush();
    });
  }

  /** The czar's answer. Answers from a peer other than the one asked are ignored. */
  onResult(from: PeerId, m: MessageOf<'action-result'>): void {
    if (m.status === ACTION_TERM_BASE) {
      let note: unknown;
      try {
        note = decodeJson(m.payload);
      } catch {
        return;
      }
      const n = note as { czar?: unknown; by?: unknown };
      if (typeof m.shard !== 'string' || typeof n.czar !== 'string' || typeof n.by !== 'number') return;
      this.onTermBase({ shard: m.shard, term: m.term, czar: n.czar as PeerId | '', seq: m.seq, by: { term: n.by, czar: from } });
      return;
    }
    const p = this.pending.get(m.actionId);
    if (!p) {
      if (m.status === ACTION_ROLLED_BACK) {
        const id = m.actionId & ~ACTION_COMMIT_FLAG;
        const known = this.applied.find((a) => a.actionId === id && a.shard === m.shard);
        this.applied = this.applied.filter((a) => a !== known);
        this.lost({ shard: String(m.shard), actionId: id, term: m.term, czar: from, seq: m.seq, payload: known?.payload, by: { term: 0, czar: from } });
      }
      return;
    }
    if (p.confirmed && m.status === ACTION_ROLLED_BACK && p.confirmed.czar === from) {
      // Applied, then lost with its term before our replica showed it: not a success.
      this.applied = this.applied.filter((a) => a.actionId !== p.id);
      this.reported.add(p.id);
      this.settle(p, rolledBackError(p.shard, from, m.term, m.seq));
      return;
    }
    if (p.target !== from || p.confirmed) return;
    switch (m.status) {
      case ACTION_APPLIED: {
        let value: unknown;
        try {
          value = decodeJson(m.payload);
        } catch {
          value = undefined;
        }
        p.confirmed = { value, term: m.term, czar: from, seq: m.seq };
        if (!p.commit) this.remember({ shard: p.shard, actionId: p.id, term: m.term, czar: from, seq: m.seq, payload: p.payload });
        this.check(p.shard);
        return;
      }
      case ACTION_NOT_CZAR:
        p.target = undefined;
        this.retryLater(p);
        return;
      case ACTION_ROLLED_BACK:
        this.settle(p, rolledBackError(p.shard, from, m.term, m.seq));
        return;
      case ACTION_READ_ONLY:
        this.settle(
          p,
          new AnarchyError(ErrorCode.ReadOnly, `The czar of shard ${p.shard} is cut off from the majority of the room: shards are read only there until the network heals.`, {
            shard: p.shard,
            czar: from,
          }),
        );
        return;
      case ACTION_UNKNOWN_SHARD:
        this.settle(p, new AnarchyError(ErrorCode.UnknownShard, `The czar does not know shard ${p.shard}: declare the same shards on every peer.`, { shard: p.shard }));
        return;
      default: {
        const reason = decodeText(m.payload);
        this.settle(p, new AnarchyError(ErrorCode.ActionRejected, `The czar of shard ${p.shard} rejected the action: ${reason}`, { shard: p.shard, reason }));
      }
    }
  }

  /**
   * A new term of `base.shard` starts from `base` ([R24]): an action applied in that term after
   * its seq, or in a term the base does not descend from (newer than it), is lost. A pending one
   * fails with `rolled-back`; one `act()` already resolved is reported through `rolledBack`.
   */
  onTermBase(base: TermBase): void {
    const keep: Applied[] = [];
    for (const a of this.applied) {
      if (a.shard !== base.shard) {
        keep.push(a);
        continue;
      }
      const cmp = base.czar === '' ? 1 : a.term !== base.term ? a.term - base.term : a.czar === base.czar ? 0 : a.czar < base.czar ? -1 : 1;
      const p = this.pending.get(a.actionId);
      if (cmp === 0 && a.seq <= base.seq) {
        // In the new term's base: it survived (read your writes follows with its snapshot).
        if (p && p.confirmed) this.settle(p, undefined, p.confirmed.value);
        continue;
      }
      // Older than the base: its fate was decided by the term it led to; nothing more to learn.
      if (cmp < 0) continue;
      if (p && p.confirmed) {
        this.settle(p, rolledBackError(p.shard, a.czar, a.term, a.seq));
        this.reported.add(a.actionId);
        continue;
      }
      this.lost({ shard: a.shard, actionId: a.actionId, term: a.term, czar: a.czar, seq: a.seq, payload: a.payload, by: base.by });
    }
    this.applied = keep;
  }

  private remember(a: Applied): void {
    if (this.applied.length >= MAX_APPLIED) this.applied.shift();
    this.applied.push(a);
  }

  private lost(l: LostAction): void {
    if (this.reported.has(l.actionId)) return;
    this.reported.add(l.actionId);
    if (this.reported.size > MAX_APPLIED) this.reported.delete(this.reported.values().next().value!);
    this.host.rolledBack(l);
  }

  /** Resolves confirmed actions of `shard` whose effect the replica now holds. */
  check(shard: string): void {
    if (this.pending.size === 0) return;
    for (const p of [...this.pending.values()]) {
      if (p.shard !== shard || !p.confirmed) continue;
      const c = p.confirmed;
      if (this.host.writes(shard) || this.host.holds(shard, c.term, c.czar, c.seq)) this.settle(p, undefined, c.value);
    }
  }

  /** `peer` left: actions it had not answered cannot be confirmed any more. */
  peerLeft(peer: PeerId): void {
    for (const p of [...this.pending.values()]) {
      if (p.target !== peer || p.confirmed) continue;
      this.settle(
        p,
        new AnarchyError(
          ErrorCode.ActionUnconfirmed,
          `The czar ${peer} of shard ${p.shard} left before confirming the action: it may or may not have been applied. Check the shard's state, then act() again if needed.`,
          { shard: p.shard, czar: peer },
        ),
      );
    }
  }

  /** Fails every pending action (the room closed). */
  closeAll(error: AnarchyError): void {
    for (const p of [...this.pending.values()]) this.settle(p, error);
  }

  private route(p: Pending): void {
    if (p.confirmed || p.awaitingCommit || !this.pending.has(p.id)) return;
    if (this.host.writes(p.shard)) {
      // We became the czar meanwhile: apply here.
      try {
        const value = this.host.applyLocal(p.shard, p.payload, p.commit);
        if (p.commit) {
          // Stays pending (and keeps its deadline) until committed.
          p.awaitingCommit = true;
          (value as Promise<unknown>).then(
            (v) => this.settle(p, undefined, v),
            (err: unknown) => this.settle(p, err),
          );
        } else {
          this.settle(p, undefined, value);
        }
      } catch (err) {
        this.settle(p, err);
      }
      return;
    }
    const target = this.host.target(p.shard);
    if (target === undefined) return this.retryLater(p);
    p.target = target;
    this.host.send(target, { type: 'action', shard: p.shard, actionId: p.id, payload: p.payload });
  }

  private retryLater(p: Pending): void {
    this.host.clock.setTimeout(() => {
      this.route(p);
      this.host.flush();
    }, this.host.retryMs);
  }

  private deadline(p: Pending): void {
    p.timer = undefined;
    if (!this.pending.has(p.id)) return;
    if (p.confirmed) {
      // Applied by the czar; our replica is just slow to show it.
      this.settle(p, undefined, p.confirmed.value);
      return;
    }
    this.settle(
      p,
      new AnarchyError(
        ErrorCode.ActionTimeout,
        `No czar of shard ${p.shard} confirmed the action in time: it may or may not have been applied. Check the connection (room.metrics()) and the shard's state, then retry.`,
        { shard: p.shard, target: p.target },
      ),
    );
  }

  private settle(p: Pending, error: unknown, value?: unknown): void {
    if (!this.pending.delete(p.id)) return;
    if (p.timer !== undefined) this.host.clock.clearTimeout(p.timer);
    if (error !== undefined) p.reject(error);
    else p.resolve(value);
  }
}

function rolledBackError(shard: string, czar: PeerId, term: number, seq: number): AnarchyError {
  return new AnarchyError(
    ErrorCode.RolledBack,
    `The czar of shard ${shard} applied the action but lost its term before the action was committed: its effect is missing. Check the shard's state, then act() again if needed.`,
    { shard, czar, term, seq },
  );
}
