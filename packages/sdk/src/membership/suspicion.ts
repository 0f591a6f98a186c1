/**
 * Lifeguard's suspicion timeout ([M13]): a suspicion starts with a long timeout that shrinks
 * toward a short one as independent peers confirm it, so a peer everyone has lost is declared
 * dead quickly while a peer only one (possibly unhealthy) prober has lost has time to refute.
 * Same curve as hashicorp/memberlist's `remainingSuspicionTime`.
 */

/**
 * Total timeout of a suspicion with `confirmations` independent confirmations (suspecters beyond
 * the first), when `k` confirmations are expected: `max` with none, falling logarithmically to
 * `min` at `k`. With `k < 1` (a room too small for confirmations) the timeout stays `max`: a lone
 * prober must leave the suspect time to refute.
 */
export function suspicionTimeoutMs(confirmations: number, k: number, minMs: number, maxMs: number): number {
  if (k < 1) return maxMs;
  const frac = Math.log(Math.max(0, confirmations) + 1) / Math.log(k + 1);
  return Math.max(minMs, Math.floor(maxMs - frac * (maxMs - minMs)));
}
