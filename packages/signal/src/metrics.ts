/**
 * Counters of the signal service, served at `GET /metrics` and by `SignalServer.metrics()`.
 */
import type { SignalErrorCode } from './http-errors.js';
import type { RoomStats } from './rooms.js';

/** A snapshot of the service's gauges and totals since start. */
export interface SignalMetrics extends RoomStats {
  /** PeerJS clients with an open PeerServer socket now. */
  readonly connectedClients: number;
  /** PeerServer sockets opened since start (reconnects count again). */
  readonly connections: number;
  /** PeerServer sockets closed since start. */
  readonly disconnects: number;
  /** HTTP requests seen, CORS preflights and WebSocket upgrades included. */
  readonly requests: number;
  /** Error answers sent, of any code. */
  readonly errors: number;
  /** Error answers per code. */
  readonly errorsByCode: Readonly<Partial<Record<SignalErrorCode, number>>>;
  /** Requests and upgrades refused by the rate limit (also counted in `errors`). */
  readonly rateLimited: number;
  /** Milliseconds since the server started, on the injected clock. */
  readonly uptimeMs: number;
}

/** The counters the HTTP layer and the PeerServer hooks bump. */
export class Counters {
  requests = 0;
  errors = 0;
  rateLimited = 0;
  connections = 0;
  disconnects = 0;
  readonly errorsByCode: Partial<Record<SignalErrorCode, number>> = {};

  /** Records one error answer. */
  error(code: SignalErrorCode): void {
    this.errors++;
    this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
    if (code === 'rate-limited') this.rateLimited++;
  }
}
