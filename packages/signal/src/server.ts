/**
 * Assembles the signal service: one HTTP server carrying the REST API and PeerJS's PeerServer
 * (HTTP routes and WebSocket endpoint), and a `close()` that leaves nothing running.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { corsMiddleware, countRequests, createApiRouter, errorHandler, notFoundHandler, rateLimitMiddleware } from './app.js';
import { Counters, type SignalMetrics } from './metrics.js';
import { resolveOptions, type SignalServerOptions } from './options.js';
import { mountPeerServer } from './peer-server.js';
import { RateLimiter } from './rate-limit.js';
import { RoomRegistry } from './rooms.js';
import { isRoomId } from './validation.js';

/** A running signal service. */
export interface SignalServer {
  /** Base URL of the service, e.g. `http://127.0.0.1:8787` (IPv6 hosts in brackets). */
  readonly url: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** Mount path of the PeerServer, e.g. `/peerjs`: pass it as PeerJS's `path` option. */
  readonly peerPath: string;
  /** Closes every socket (HTTP and PeerServer WebSockets) and stops all timers. Idempotent. */
  close(): Promise<void>;
  /** A snapshot of the counters also served at `GET /metrics`. */
  metrics(): SignalMetrics;
}

/**
 * Starts the signal service and resolves once it is listening.
 *
 * @example
 * ```ts
 * const signal = await createSignalServer({ port: 8787 });
 * // PeerJS: new Peer(id, { host: '127.0.0.1', port: signal.port, path: signal.peerPath, secure: false })
 * await signal.close();
 * ```
 * @throws SignalConfigError for an option out of range; the listen error (e.g. EADDRINUSE) if binding fails.
 */
export async function createSignalServer(options: SignalServerOptions = {}): Promise<SignalServer> {
  const config = resolveOptions(options);
  const { logger, clock } = config;
  const startedAt = clock.now();
  const counters = new Counters();
  const limiter = new RateLimiter(config.rateLimit, clock);
  const registry = new RoomRegistry({
    clock,
    ttlMs: config.roomTtlMs,
    generateId: () => {
      const roomId = config.generateRoomId();
      if (!isRoomId(roomId)) throw new Error(`generateRoomId returned an invalid room id: ${JSON.stringify(roomId)}`);
      return roomId;
    },
  });

  const httpServer = createServer();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  httpServer.on('request', app);

  const metrics = (): SignalMetrics => ({
    ...registry.stats(),
    connectedClients: peer.connectedCount(),
    connections: counters.connections,
    disconnects: counters.disconnects,
    requests: counters.requests,
    errors: counters.errors,
    errorsByCode: { ...counters.errorsByCode },
    rateLimited: counters.rateLimited,
    uptimeMs: Math.round(clock.now() - startedAt),
  });

  app.use(countRequests(counters));
  app.use(corsMiddleware());
  app.use(rateLimitMiddleware(limiter));
  app.use(
    createApiRouter({
      registry,
      logger,
      clock,
      startedAt,
      maxPeersPerRoom: config.maxPeersPerRoom,
      maxBodyBytes: config.maxBodyBytes,
      isConnected: (peerId) => peer.isConnected(peerId),
      metrics,
    }),
  );
  const peer = mountPeerServer({
    app,
    httpServer,
    path: config.path,
    key: config.key,
    maxConnections: config.maxConnections,
    logger,
    admit: (address) => limiter.hit(address),
    onUpgradeRequest: () => void counters.requests++,
    onUpgradeRefused: (code) => counters.error(code),
    onConnect: (peerId) => {
      counters.connections++;
      logger.log('debug', 'peer connected', { peerId });
    },
    onDisconnect: (peerId) => {
      counters.disconnects++;
      const rooms = registry.removePeer(peerId);
      logger.log(rooms.length > 0 ? 'info' : 'debug', 'peer disconnected', { peerId, rooms });
    },
  });
  app.use(notFoundHandler);
  app.use(errorHandler(logger, counters));

  try {
    await listen(httpServer, config.port, config.host);
  } catch (err) {
    peer.close();
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  logger.log('info', 'signal server listening', { url, peerPath: config.path, peerSocketPath: peer.socketPath });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      peer.close();
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
      logger.log('info', 'signal server closed', { url });
    });
    return closing;
  };

  return { url, port, peerPath: config.path, close, metrics };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
