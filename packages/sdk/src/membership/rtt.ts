/**
 * Round-trip estimate per peer, for adaptive probe timeouts ([M10]). Jacobson/Karels as in TCP
 * (RFC 6298): smoothed RTT plus four times its mean deviation covers nearly every ack of a link
 * with jitter, while a steady link gets a timeout close to its real round trip.
 */
export class RttEstimator {
  private srtt: number | undefined;
  private rttvar = 0;

  /** Adds a round-trip sample in ms. */
  sample(rttMs: number): void {
    if (!(rttMs >= 0) || !Number.isFinite(rttMs)) return;
    if (this.srtt === undefined) {
      this.srtt = rttMs;
      this.rttvar = rttMs / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rttMs);
    this.srtt = 0.875 * this.srtt + 0.125 * rttMs;
  }

  /** Smoothed RTT, or undefined before the first sample. */
  get smoothed(): number | undefined {
    return this.srtt;
  }

  /**
   * Retransmission-style timeout: srtt + max(marginMs, 4 × rttvar), clamped to [floorMs, capMs];
   * `capMs` before any sample (like TCP's initial RTO: an unknown link gets the benefit of the doubt).
   */
  timeout(floorMs: number, capMs: number, marginMs: number): number {
    if (this.srtt === undefined) return capMs;
    return Math.min(capMs, Math.max(floorMs, this.srtt + Math.max(marginMs, 4 * this.rttvar)));
  }
}
