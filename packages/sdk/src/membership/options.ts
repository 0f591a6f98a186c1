/**
 * Options of {@link SwimMembership} and their defaults. Every timing is in milliseconds of the
 * injected clock. The defaults suit a game room of 2–32 peers over WebRTC on the public internet
 * (round trips of 20–300 ms); `bench/suites/membership.ts` runs a tighter set (see there).
 *
 * Hidden browser tabs run timers at most once a second: a hidden member's probes, timeouts and
 * suspicion timers all fire late. Late timers are treated as a stall ([M17]) and give no verdict,
 * so a throttled tab never accuses anyone, but its own view also lags; since it still answers
 * pings (message events are not throttled) the others keep it. A tab that goes hidden for long
 * should leave gracefully (the room does this) or put itself in standby ({@link SwimMembership.setStandby}).
 */
import { ArgumentError } from '../errors.js';
import type { PeerId, Transport } from '../transport/types.js';
import type { Clock } from '../util/clock.js';
import type { Rng } from '../util/rng.js';

/** Defaults of the tunable options. */
export const SWIM_DEFAULTS = Object.freeze({
  /** A probe round every 200 ms: a 20 Hz game tick's worth of slack, a few KB/s per peer. */
  probeIntervalMs: 200,
  /**
   * Members probed per round (round-robin over a shuffled list). 3 keeps the first probe of a
   * crashed peer within ~2 rounds in rooms of up to ~30 while costing 3 pings a round. Set it to
   * the room size for all-to-all heartbeats (fastest detection, O(n²) messages).
   */
  probeFanout: 3,
  /** Floor of the adaptive direct-probe timeout: about one round trip on a good link. */
  probeTimeoutMs: 80,
  /** Cap of the adaptive direct-probe timeout (srtt + 4 rttvar). */
  maxProbeTimeoutMs: 1_000,
  /** Added to srtt when the link is too steady for 4 rttvar to give any margin (e.g. the sim). */
  rttMarginMs: 10,
  /** Helpers asked to probe a member that missed its direct ack (SWIM's k). */
  indirectProbes: 3,
  /**
   * A member no probe could reach at all (no trusted connection here nor at any helper) for this
   * long is suspected ([M11]); before that such probes are inconclusive. Above the transport's
   * reconnect time (keep-alive timeout 5 s + re-dial).
   */
  unreachableMs: 8_000,
  /** Suspicion timeout once `suspicionConfirmations` peers independently agree (Lifeguard's min). */
  suspicionMinMs: 300,
  /** Suspicion timeout with no confirmation (Lifeguard's max): time for the suspect to refute. */
  suspicionMaxMs: 3_000,
  /** Independent confirmations that bring the suspicion timeout down to its minimum (Lifeguard's k). */
  suspicionConfirmations: 3,
  /** Most facts piggybacked on one ping, ack or ping-req (keeps probes in one datagram). */
  maxPiggyback: 8,
  /** Each fact is piggybacked `retransmitMultiplier × ⌈log10(n + 1)⌉` times. */
  retransmitMultiplier: 4,
  /** Local health multiplier ceiling (Lifeguard): probe interval and timeout scale by up to this. */
  maxLocalHealth: 8,
  /** A timer that fires this late means this peer was frozen: no verdict from it ([M17]). */
  stallMs: 500,
  /**
   * Every this often, push the whole view to one random connected member (anti-entropy, as
   * memberlist's push-pull): repairs whatever gossip missed. 0 disables.
   */
  syncIntervalMs: 10_000,
  /**
   * 1: every round-robin ([M10]) covers the members this peer has no connection to as well,
   * probed through helpers: classic SWIM, right for a full mesh, where a member nobody reaches is
   * a crash to detect. 0, for a partial mesh (a connection cap, interest-managed worlds): only
   * members this peer is connected to, or whose connection to it timed out or failed, are probed
   * in rounds; the peers connected to the others watch them, and probes that cannot reach anyone
   * neither flood helpers nor suspect healthy members out of the room.
   */
  probeUnconnected: 1,
  /** Dead and left members are remembered this long, so stale gossip cannot revive them ([M23]). */
  tombstoneMs: 60_000,
  /** Refuted suspicions within `standbyWindowMs` that put a member in standby ([M30]). */
  standbyRefutes: 3,
  standbyWindowMs: 30_000,
  /** A member in automatic standby returns after this long without being suspected ([M30]). */
  standbyRecoveryMs: 30_000,
});

/**
 * Every tunable of {@link SwimMembership}, in ms where it is a time; defaults in `SWIM_DEFAULTS`.
 *
 * @example
 * ```ts
 * const fast: Partial<SwimTunables> = { probeIntervalMs: 50, probeFanout: 4, probeTimeoutMs: 40, suspicionMinMs: 40 };
 * const room = Room.create({ transport, swim: fast });
 * ```
 */
export type SwimTunables = { -readonly [K in keyof typeof SWIM_DEFAULTS]: number };

/** What {@link SwimMembership} needs from the transport: identity and connection hints ([M5]). */
export type MembershipTransport = Pick<Transport, 'localId' | 'peers' | 'on' | 'closed'>;

/**
 * Options of {@link SwimMembership}: its transport, clock and random source, plus any
 * {@link SwimTunables} to override.
 *
 * @example
 * ```ts
 * const swim = new SwimMembership({ transport, clock: net.clock, rng: new SeededRng(7), playerId: 'alice', probeIntervalMs: 100 });
 * ```
 */
export interface SwimOptions extends Partial<SwimTunables> {
  /** Identity and connection hints. Messages do not go through it: see `onSend` / `handle`. */
  readonly transport: MembershipTransport;
  readonly clock: Clock;
  /** Shuffles probe order and picks helpers. */
  readonly rng: Rng;
  /** The game's player id, announced with this peer so a rejoin under a new id replaces the old one ([M22]). */
  readonly playerId?: string;
  /** Where listener exceptions go (default: rethrown in a microtask). */
  readonly onListenerError?: (err: unknown) => void;
  /**
   * The peers this one keeps membership of ([M31]); default: everyone. Change it later with
   * `SwimMembership.setScope`.
   */
  readonly scope?: MemberScope;
}

/**
 * Which peers a membership keeps track of ([M31]): true for a peer whose facts (alive, suspect,
 * dead, left) this peer stores, gossips and lists in its view. Peers it is connected to are
 * always kept. Must be a pure function of the peer id while it is in force.
 *
 * @example
 * ```ts
 * const nearby: MemberScope = (peer) => homeOf(peer) === undefined || myRegions.has(key(ancestorAt(homeOf(peer)!, 2)));
 * swim.setScope(nearby);
 * ```
 */
export type MemberScope = (peer: PeerId) => boolean;

/** Fills in defaults and validates; throws an {@link ArgumentError} naming the bad option. */
export function resolveSwimOptions(options: SwimOptions): SwimTunables {
  const o: SwimTunables = { ...SWIM_DEFAULTS };
  for (const key of Object.keys(SWIM_DEFAULTS) as Array<keyof SwimTunables>) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ArgumentError(`SwimOptions.${key} must be a finite number >= 0, got ${String(v)}.`, { option: key, value: v });
    }
    o[key] = v;
  }
  const positive = ['probeIntervalMs', 'probeFanout', 'probeTimeoutMs', 'maxProbeTimeoutMs', 'suspicionMinMs', 'maxPiggyback', 'retransmitMultiplier'] as const;
  for (const key of positive) {
    if (!(o[key] > 0)) throw new ArgumentError(`SwimOptions.${key} must be positive, got ${o[key]}.`, { option: key, value: o[key] });
  }
  if (o.probeUnconnected !== 0 && o.probeUnconnected !== 1) throw new ArgumentError(`SwimOptions.probeUnconnected must be 0 or 1, got ${o.probeUnconnected}.`, { option: 'probeUnconnected', value: o.probeUnconnected });
  for (const key of ['probeFanout', 'indirectProbes', 'suspicionConfirmations', 'maxPiggyback', 'retransmitMultiplier', 'maxLocalHealth', 'standbyRefutes'] as const) {
    if (!Number.isInteger(o[key])) throw new ArgumentError(`SwimOptions.${key} must be an integer, got ${o[key]}.`, { option: key, value: o[key] });
  }
  if (o.maxPiggyback > 32) throw new ArgumentError(`SwimOptions.maxPiggyback must be at most 32 (the wire limit), got ${o.maxPiggyback}.`);
  if (o.maxProbeTimeoutMs < o.probeTimeoutMs) {
    throw new ArgumentError(`SwimOptions.maxProbeTimeoutMs (${o.maxProbeTimeoutMs}) must be at least probeTimeoutMs (${o.probeTimeoutMs}).`);
  }
  if (o.suspicionMaxMs < o.suspicionMinMs) {
    throw new ArgumentError(`SwimOptions.suspicionMaxMs (${o.suspicionMaxMs}) must be at least suspicionMinMs (${o.suspicionMinMs}); raise the max.`);
  }
  return o;
}
