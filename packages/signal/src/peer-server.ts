/**
 * Mounts `peer`'s PeerServer (the server half of PeerJS) on our Express app and HTTP server,
 * unchanged on the wire, with four additions: WebSocket upgrades pass our rate limit, peer ids
 * must pass our id rule, we know which ids hold an open socket, and `close()` really closes
 * (sockets terminated, the PeerServer's internal timers stopped).
 */
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express, RequestHandler } from 'express';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocket, WebSocketServer } from 'ws';
import type { SignalErrorCode } from './http-errors.js';
import { SIGNAL_ERROR_STATUS } from './http-errors.js';
import type { Logger } from './logger.js';
import type { RateDecision } from './rate-limit.js';
import { createTimerScope } from './timer-scope.js';
import { isPeerId, MAX_ID_LENGTH } from './validation.js';

/**
 * Largest PeerServer message accepted, in bytes. Signalling messages are SDP offers/answers and
 * ICE candidates (a few KiB for data channels); anything far bigger is abuse.
 */
export const PEER_MESSAGE_MAX_BYTES = 64 * 1024;

/** What {@link mountPeerServer} needs. */
export interface MountPeerServerOptions {
  readonly app: Express;
  readonly httpServer: Server;
  /** Mount path, e.g. `/peerjs`; the WebSocket endpoint is `<path>/peerjs`. */
  readonly path: string;
  /** PeerJS key the clients must present. */
  readonly key: string;
  readonly logger: Logger;
  /** Called for every upgrade with the remote address; a refusal answers 429. */
  readonly admit: (remoteAddress: string) => RateDecision;
  /** Called for every upgrade request (for the request counter). */
  readonly onUpgradeRequest: () => void;
  /** Called when an upgrade is refused, with the code sent. */
  readonly onUpgradeRefused: (code: SignalErrorCode) => void;
  readonly onConnect: (peerId: string) => void;
  readonly onDisconnect: (peerId: string) => void;
  /** Most PeerServer sockets held at once; PeerServer refuses more. */
  readonly maxConnections: number;
}

/** Control over the mounted PeerServer. */
export interface PeerServerHandle {
  /** Path of the WebSocket endpoint, e.g. `/peerjs/peerjs`. */
  readonly socketPath: string;
  /** Whether `peerId` holds an open PeerServer socket now. */
  isConnected(peerId: string): boolean;
  /** Number of peers holding an open socket. */
  connectedCount(): number;
  /** Terminates every socket, stops the PeerServer's timers, stops handling upgrades. */
  close(): void;
}

/** Mounts the PeerServer on `app` at `path` and handles WebSocket upgrades on `httpServer`. */
export function mountPeerServer(options: MountPeerServerOptions): PeerServerHandle {
  const { app, httpServer, logger } = options;
  const clients = new Map<string, IClient>();
  let wss: WebSocketServer | undefined;
  let socketPath = '';
  let closed = false;

  const peerApp = ExpressPeerServer(httpServer, {
    key: options.key,
    // The sub-app is mounted at `options.path`; PeerServer paths are relative to its mount point.
    path: '/',
    allow_discovery: false,
    concurrent_limit: options.maxConnections,
    corsOptions: { origin: '*' },
    createWebSocketServer: (wsOptions) => {
      socketPath = wsOptions.path ?? '';
      // noServer: we route upgrades ourselves so they can be rate limited and ids checked.
      wss = new WebSocketServer({ noServer: true, maxPayload: PEER_MESSAGE_MAX_BYTES, ...(wsOptions.path === undefined ? {} : { path: wsOptions.path }) });
      return wss;
    },
  });

  peerApp.on('connection', (client) => {
    clients.set(client.getId(), client);
    options.onConnect(client.getId());
  });
  peerApp.on('disconnect', (client) => {
    const id = client.getId();
    if (clients.get(id) === client) clients.delete(id);
    options.onDisconnect(id);
  });
  // PeerServer emits 'error' for socket errors and unparsable messages; unhandled it would throw.
  peerApp.on('error', (err) => logger.log('debug', 'peer socket error', { err }));

  const timers = createTimerScope();
  // Mounting starts the PeerServer (on Express's 'mount' event), including its timer loops.
  timers.run(() => app.use(options.path, peerApp as unknown as RequestHandler));
  const server = wss;
  if (!server) throw new Error('PeerServer did not create its WebSocket server on mount');

  // One listener for every socket, created outside `onUpgrade`: a closure made inside it would
  // share its scope with the `handleUpgrade` callback and keep each upgrade request (headers,
  // strings, about 1.4 KB) alive as long as the socket lives.
  const onSocketError = (err: Error): void => logger.log('debug', 'upgrade socket error', { err });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // A client resetting mid-handshake must not crash the process.
    socket.on('error', onSocketError);
    options.onUpgradeRequest();
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const pathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    if (pathname !== socketPath) {
      options.onUpgradeRefused('not-found');
      return refuseUpgrade(socket, 'not-found', `No WebSocket endpoint here; PeerJS connects to ${socketPath}.`);
    }
    const decision = options.admit(req.socket.remoteAddress ?? 'unknown');
    if (!decision.allowed) {
      options.onUpgradeRefused('rate-limited');
      const retryAfter = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
      return refuseUpgrade(socket, 'rate-limited', 'Too many requests; retry later.', { 'Retry-After': retryAfter });
    }
    const id = new URLSearchParams(queryAt === -1 ? '' : rawUrl.slice(queryAt + 1)).get('id');
    server.handleUpgrade(req, socket, head, (ws) => {
      if (id !== null && id !== '' && !isPeerId(id)) {
        // Answer like PeerServer does for a bad key, so a PeerJS client reports a server error.
        options.onUpgradeRefused('invalid-peer-id');
        ws.send(JSON.stringify({ type: 'ERROR', payload: { msg: `Invalid peer id: use letters and digits, optionally separated by ' ', '_' or '-', at most ${MAX_ID_LENGTH} characters` } }));
        ws.close();
        return;
      }
      server.emit('connection', ws, req);
    });
  };
  httpServer.on('upgrade', onUpgrade);

  return {
    socketPath,
    isConnected(peerId) {
      return clients.get(peerId)?.getSocket()?.readyState === WebSocket.OPEN;
    },
    connectedCount() {
      let open = 0;
      for (const client of clients.values()) if (client.getSocket()?.readyState === WebSocket.OPEN) open++;
      return open;
    },
    close() {
      if (closed) return;
      closed = true;
      timers.stop();
      httpServer.off('upgrade', onUpgrade);
      for (const ws of server.clients) ws.terminate();
      server.close();
    },
  };
}

/** Answers an upgrade request with a plain HTTP error in our JSON shape, then drops the socket. */
function refuseUpgrade(socket: Duplex, code: SignalErrorCode, message: string, headers: Record<string, string> = {}): void {
  const status = SIGNAL_ERROR_STATUS[code];
  const body = JSON.stringify({ error: { code, message } });
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    'Access-Control-Allow-Origin: *',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
