/**
 * Terms settle disagreements about who writes a shard. Each czar writes under a term; a backup
 * that takes over claims the next term, so replicas can tell the new czar's deltas from a
 * deposed (or merely slow) czar's and keep only the highest term they have seen.
 *
 * Rules (cited by id in tests; the spec of record is SPEC.md):
 *
 * - [A1] A shard with no recorded term accepts the first (term, sender) it sees and records it.
 * - [A2] A term lower than the recorded one is rejected (`stale-term`): it comes from a czar that
 *   has since been replaced.
 * - [A3] The recorded term is accepted from the czar recorded for it, and only from it.
 * - [A4] The recorded term from any other sender is rejected (`conflicting-czar`): two peers
 *   claimed the same term (split views). The first one recorded keeps it until a higher term
 *   settles the split; the caller should report the conflict.
 * - [A5] A higher term is adopted together with its sender as the shard's czar. The tracker does
 *   not check that the sender is the rightful czar: the caller checks `from` against its
 *   {@link AuthorityView} before calling {@link TermTracker.accept}.
 * - [A6] A peer taking over a shard {@link TermTracker.claim}s term = highest seen + 1 (1 when it has
 *   seen none) and is recorded as its czar at once, so the deposed czar's later deltas fail [A2].
 * - [A7] Terms are u32 and never wrap: claiming past 2^32-1 throws (four billion failovers of one
 *   shard do not happen; wrapping would silently revive deposed czars).
 * - [A8] A rejection never changes the record.
 */
import { AnarchyError, ErrorCode } from '../errors.js';
import type { PeerId } from '../transport/types.js';
import { MAX_U32, term as toTerm, type ShardId, type Term } from './ids.js';

/** The highest term seen for a shard and the czar recorded for it. */
export interface TermRecord {
  readonly term: Term;
  readonly czar: PeerId;
}

/** Why {@link TermTracker.accept} refused a message. */
export type TermRejection = 'stale-term' | 'conflicting-czar';

/** Outcome of {@link TermTracker.accept}. `current` is the record after the call. */
export type TermDecision =
  | {
      readonly accepted: true;
      /** `first`: no record before [A1]; `same`: the recorded czar again [A3]; `newer`: adopted [A5]. */
      readonly change: 'first' | 'same' | 'newer';
      readonly current: TermRecord;
      /** The record that was replaced (only for `newer`). */
      readonly previous?: TermRecord;
    }
  | { readonly accepted: false; readonly reason: TermRejection; readonly current: TermRecord };

/**
 * Per-shard highest term and its czar. Pure bookkeeping: no clock, no I/O.
 *
 * @example
 * ```ts
 * const terms = new TermTracker();
 * const world = shardId('world');
 * const mine = terms.claim(world, asPeerId('a')); // 1
 * console.log(terms.accept(world, term(mine + 1), asPeerId('b')).accepted); // true: a newer term
 * ```
 */
export class TermTracker {
  private readonly records = new Map<ShardId, TermRecord>();

  /** Decides whether a message of `term` from `from` may be applied to `shard` ([A1]–[A5], [A8]). */
  accept(shard: ShardId, term: Term, from: PeerId): TermDecision {
    const current = this.records.get(shard);
    if (!current) {
      const record = { term, czar: from };
      this.records.set(shard, record);
      return { accepted: true, change: 'first', current: record };
    }
    if (term < current.term) return { accepted: false, reason: 'stale-term', current };
    if (term === current.term) {
      return current.czar === from
        ? { accepted: true, change: 'same', current }
        : { accepted: false, reason: 'conflicting-czar', current };
    }
    const record = { term, czar: from };
    this.records.set(shard, record);
    return { accepted: true, change: 'newer', current: record, previous: current };
  }

  /**
   * Claims the next term of `shard` for `self`, which is taking over as czar ([A6]), and records
   * it. Throws an `internal` error past the last u32 term ([A7]).
   */
  claim(shard: ShardId, self: PeerId): Term {
    const current = this.records.get(shard);
    const next = current ? current.term + 1 : 1;
    if (next > MAX_U32) {
      throw new AnarchyError(ErrorCode.Internal, `Shard ${shard} has used every term; recreate the shard under a new id.`, { shard });
    }
    const t = toTerm(next);
    this.records.set(shard, { term: t, czar: self });
    return t;
  }

  /** The highest term seen for `shard` and its czar, if any. */
  current(shard: ShardId): TermRecord | undefined {
    return this.records.get(shard);
  }

  /** Forgets `shard` (it was deleted or this peer stopped replicating it). */
  forget(shard: ShardId): void {
    this.records.delete(shard);
  }

  /** Shards with a recorded term. */
  shards(): IterableIterator<ShardId> {
    return this.records.keys();
  }
}
