/**
 * The REST side of the signal service: CORS, rate limit, room discovery routes, health and
 * metrics, and the JSON error answers. The PeerServer is mounted between {@link createApiRouter}
 * and {@link notFoundHandler} by `server.ts`.
 */
import express from 'express';
import type { ErrorRequestHandler, Request, RequestHandler, Response, Router } from 'express';
import type { Clock } from './clock.js';
import { HttpError, toHttpError } from './http-errors.js';
import type { Logger } from './logger.js';
import type { Counters, SignalMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limit.js';
import type { RoomRegistry, RoomView } from './rooms.js';
import { parseCreateRoomBody, parseJoinBody, requirePeerId, requireRoomId } from './validation.js';

/** Methods the API answers; the PeerServer only needs GET. */
const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';
/** How long browsers may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 600;

/** `POST /rooms` answer (201). */
export interface CreateRoomResponse {
  readonly roomId: string;
  readonly maxPeers: number;
}

/** `GET /rooms/:roomId` and `POST /rooms/:roomId/peers` answer (200): the room with peers in join order. */
export type RoomResponse = RoomView;

/** `GET /healthz` answer (200). */
export interface HealthResponse {
  readonly ok: true;
  readonly uptimeMs: number;
}

/** Counts every HTTP request, preflights included (upgrades are counted by the PeerServer hook). */
export function countRequests(counters: Counters): RequestHandler {
  return (_req, _res, next) => {
    counters.requests++;
    next();
  };
}

/**
 * Lets the demo page (served from another origin) call the API. Answers every preflight itself,
 * before the rate limit, so a throttled client still sees a proper 429 rather than a CORS failure.
 */
export function corsMiddleware(): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (req.method !== 'OPTIONS') return next();
    res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
    res.setHeader('Access-Control-Allow-Headers', req.get('Access-Control-Request-Headers') ?? 'Content-Type');
    res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_S));
    res.status(204).end();
  };
}

/** Refuses requests over the per-address limit. Health checks are never limited. */
export function rateLimitMiddleware(limiter: RateLimiter): RequestHandler {
  return (req, _res, next) => {
    if (req.path === '/healthz') return next();
    const decision = limiter.hit(req.socket.remoteAddress ?? 'unknown');
    if (decision.allowed) return next();
    const retryAfterS = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    next(new HttpError('rate-limited', `Too many requests from your address; retry in ${retryAfterS} s.`, { 'Retry-After': String(retryAfterS) }));
  };
}

/** What the API routes read and change. */
export interface ApiDeps {
  readonly registry: RoomRegistry;
  readonly logger: Logger;
  readonly clock: Clock;
  /** `clock.now()` when the server started. */
  readonly startedAt: number;
  /** Largest room a client may ask for, and the size of rooms created without `maxPeers`. */
  readonly maxPeersPerRoom: number;
  readonly maxBodyBytes: number;
  readonly isConnected: (peerId: string) => boolean;
  readonly metrics: () => SignalMetrics;
}

/** Routes: `/healthz`, `/metrics`, `/rooms…`. Unknown paths fall through to the next handler. */
export function createApiRouter(deps: ApiDeps): Router {
  const { registry, logger } = deps;
  const router = express.Router();
  // Any content type: a client may send text/plain to avoid a CORS preflight.
  const json = express.json({ limit: deps.maxBodyBytes, type: () => true, strict: true });

  router
    .route('/healthz')
    .get((_req, res) => {
      const health: HealthResponse = { ok: true, uptimeMs: Math.round(deps.clock.now() - deps.startedAt) };
      send(res, 200, health);
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/metrics')
    .get((_req, res) => void send(res, 200, deps.metrics()))
    .all(methodNotAllowed('GET'));

  router
    .route('/rooms')
    .post(json, (req, res) => {
      const { maxPeers } = parseCreateRoomBody(req.body, deps.maxPeersPerRoom);
      const room = registry.create(maxPeers);
      logger.log('info', 'room created', { roomId: room.roomId, maxPeers });
      const created: CreateRoomResponse = { roomId: room.roomId, maxPeers: room.maxPeers };
      send(res, 201, created);
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/rooms/:roomId')
    .get((req, res) => {
      const room = registry.get(requireRoomId(req.params.roomId));
      if (!room) throw roomNotFound();
      send(res, 200, room);
    })
    .all(methodNotAllowed('GET'));

  router
    .route('/rooms/:roomId/peers')
    .post(json, (req, res) => {
      const roomId = requireRoomId(req.params.roomId);
      const { peerId } = parseJoinBody(req.body);
      if (!registry.get(roomId)) throw roomNotFound();
      if (!deps.isConnected(peerId)) {
        throw new HttpError('peer-not-connected', `Peer "${peerId}" has no open PeerServer connection; open your PeerJS Peer first, then join.`);
      }
      const result = registry.join(roomId, peerId);
      if (!result.ok) {
        throw result.reason === 'room-full' ? new HttpError('room-full', 'The room is full; create another room.') : roomNotFound();
      }
      if (result.joined) logger.log('info', 'peer joined', { roomId, peerId, size: result.room.peers.length });
      send(res, 200, result.room);
    })
    .all(methodNotAllowed('POST'));

  router
    .route('/rooms/:roomId/peers/:peerId')
    .delete((req, res) => {
      const roomId = requireRoomId(req.params.roomId);
      const peerId = requirePeerId(req.params.peerId);
      const outcome = registry.leave(roomId, peerId);
      if (outcome === 'room-not-found') throw roomNotFound();
      if (outcome === 'left') logger.log('info', 'peer left', { roomId, peerId });
      res.status(204).end();
    })
    .all(methodNotAllowed('DELETE'));

  return router;
}

/** The last route: JSON 404 instead of Express's HTML page. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError('not-found', `No route for ${req.method} ${req.path}; see the @anarchy/signal README for the API.`));
};

/** Renders every error as `{ error: { code, message } }`; logs the unexpected ones. */
export function errorHandler(logger: Logger, counters: Counters): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next) => {
    const httpError = toHttpError(err);
    counters.error(httpError.code);
    if (httpError.code === 'internal') {
      logger.log('error', 'internal error', { err: err instanceof Error ? err : String(err), method: req.method, path: req.path });
    }
    if (res.headersSent) {
      // Too late for a JSON answer; cut the connection so the client sees a failure, not a short body.
      res.destroy();
      return;
    }
    for (const [name, value] of Object.entries(httpError.headers)) res.setHeader(name, value);
    send(res, httpError.status, httpError.toBody());
  };
}

function send(res: Response, status: number, body: unknown): void {
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json(body);
}

function roomNotFound(): HttpError {
  return new HttpError('room-not-found', 'No such room (it may have expired while empty); create a new one.');
}

function methodNotAllowed(allow: string): RequestHandler {
  return (req, _res, next) => {
    next(new HttpError('method-not-allowed', `${req.method} is not supported here; use ${allow}.`, { Allow: `${allow}, OPTIONS` }));
  };
}
