/**
 * What one peer keeps about another: its latest fact (status, incarnation, attributes), a
 * running suspicion, the link's round-trip estimate and the probe evidence the detector uses.
 */
import type { PeerId } from '../transport/types.js';
import type { TimerHandle } from '../util/clock.js';
import { RttEstimator } from './rtt.js';
import type { MemberStatus } from './update.js';

/** A running suspicion ([M13]): who has confirmed it and when it becomes a verdict. */
export interface Suspicion {
  readonly incarnation: number;
  /** When this peer first heard of it (restarted after a stall, [M17]). */
  start: number;
  /** Independent suspecters, the first one included. */
  readonly confirmers: Set<PeerId>;
  timer: TimerHandle | undefined;
  dueAt: number;
}

/** One entry of the member table (members and tombstones). */
export interface Member {
  readonly id: PeerId;
  incarnation: number;
  status: MemberStatus;
  standby: boolean;
  player: string;
  /** When the status last changed (tombstone expiry). */
  changedAt: number;
  suspicion: Suspicion | undefined;
  readonly rtt: RttEstimator;
  /** When a direct probe of ours to it last failed; cleared by any message from it. */
  directFailAt: number | undefined;
  /** When we last heard from it directly (any message) or got an ack of a probe of ours. */
  lastHeardAt: number;
  /** Since when no probe could reach it at all (no usable connection anywhere); see [M11]. */
  unreachableSince: number | undefined;
}

/** A fresh table entry. */
export function newMember(id: PeerId, incarnation: number, status: MemberStatus, now: number): Member {
  return {
    id,
    incarnation,
    status,
    standby: false,
    player: '',
    changedAt: now,
    suspicion: undefined,
    rtt: new RttEstimator(),
    directFailAt: undefined,
    lastHeardAt: Number.NEGATIVE_INFINITY,
    unreachableSince: undefined,
  };
}
