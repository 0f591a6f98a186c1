/**
 * Many cheap PeerJS signalling clients: raw `ws` sockets speaking just enough of the PeerServer
 * protocol (peer 1.0.2) to be held as connected peers, plus the REST room join of
 * `@anarchy/signal`. Run with bounded concurrency, each timed.
 *
 * Protocol (peer/dist/module.mjs, `_onSocketConnection` / `_registerClient`): the client opens
 * `ws://host:port<wsPath>?key=K&id=ID&token=T`; a new id is answered `{"type":"OPEN"}`, a bad key
 * or missing parameter `{"type":"ERROR"}`, an id held with another token `{"type":"ID-TAKEN"}`.
 */
import { Agent, request } from 'node:http';
import { WebSocket } from 'ws';

/** How long one client may take to get OPEN, or one room join to be answered, in ms. */
const CLIENT_TIMEOUT_MS = 15_000;
/** The PeerJS client version announced in the URL, as peerjs 1.5.5 does. */
const PEERJS_VERSION = '1.5.5';

/** Where and how to connect. */
export interface PeerClientTarget {
  readonly port: number;
  /** PeerServer WebSocket path, e.g. `/peerjs/peerjs`. */
  readonly wsPath: string;
  readonly key?: string;
}

/** Sockets opened by {@link connectPeerClients}. */
export interface ConnectedBatch {
  /** Sockets that got OPEN, still open. */
  readonly sockets: WebSocket[];
  /** Per client, ms from `new WebSocket` to the OPEN message. */
  readonly openMs: number[];
  /** One line per client that failed. */
  readonly failures: string[];
}

/** Options of {@link connectPeerClients}. */
export interface ConnectOptions {
  readonly target: PeerClientTarget;
  /** Peer ids to connect, in order. */
  readonly ids: readonly string[];
  /** Clients in flight at once. */
  readonly concurrency: number;
  /** Real milliseconds (the bench context's clock). */
  readonly now: () => number;
}

/** Answers of {@link joinRooms}. */
export interface JoinBatch {
  /** Per join, ms from sending `POST /rooms/:id/peers` to its 200 answer. */
  readonly ms: number[];
  readonly failures: string[];
}

/** Opens one PeerJS signalling socket; resolves on OPEN with the elapsed ms. */
export function openPeerSocket(target: PeerClientTarget, id: string, token: string, now: () => number): Promise<{ socket: WebSocket; ms: number }> {
  const url = `ws://127.0.0.1:${target.port}${target.wsPath}?key=${encodeURIComponent(target.key ?? 'peerjs')}&id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}&version=${PEERJS_VERSION}`;
  const started = now();
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      socket.terminate();
      reject(new Error(`${id}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no OPEN within ${CLIENT_TIMEOUT_MS} ms`), CLIENT_TIMEOUT_MS);
    socket.once('message', (data: Buffer) => {
      const text = data.toString();
      if (/^\{"type":"OPEN"/.test(text)) {
        clearTimeout(timer);
        socket.removeAllListeners('close');
        socket.removeAllListeners('error');
        // Held open from here on; an error only ends this one client.
        socket.on('error', () => socket.terminate());
        resolve({ socket, ms: now() - started });
      } else {
        fail(`expected OPEN, got ${text.slice(0, 200)}`);
      }
    });
    socket.on('error', (err) => fail(`socket error ${err.message}`));
    socket.once('close', (code) => fail(`closed (${code}) before OPEN`));
    socket.once('unexpected-response', (_req, res) => fail(`upgrade refused with HTTP ${res.statusCode ?? '?'}`));
  });
}

/** POSTs a JSON body; resolves with the status and the body text. */
export function postJson(agent: Agent, port: number, path: string, body: unknown): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: CLIENT_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => void (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`POST ${path}: no answer within ${CLIENT_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs `task(0 … count-1)` with at most `concurrency` running at once. */
export async function runPool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Opens a PeerServer socket for each of `ids`, at most `concurrency` in flight, each timed to OPEN. */
export async function connectPeerClients(options: ConnectOptions): Promise<ConnectedBatch> {
  const { target, ids, now } = options;
  const batch: ConnectedBatch = { sockets: [], openMs: [], failures: [] };
  await runPool(ids.length, options.concurrency, async (index) => {
    const id = ids[index] as string;
    try {
      const { socket, ms } = await openPeerSocket(target, id, `t${index.toString(36)}`, now);
      batch.sockets.push(socket);
      batch.openMs.push(ms);
    } catch (err) {
      batch.failures.push(message(err));
    }
  });
  return batch;
}

/** `POST /rooms/:roomId/peers` for each join (`@anarchy/signal`), at most `concurrency` in flight, each timed. */
export async function joinRooms(options: {
  readonly agent: Agent;
  readonly port: number;
  readonly joins: ReadonlyArray<{ readonly roomId: string; readonly peerId: string }>;
  readonly concurrency: number;
  readonly now: () => number;
}): Promise<JoinBatch> {
  const batch: JoinBatch = { ms: [], failures: [] };
  await runPool(options.joins.length, options.concurrency, async (index) => {
    const { roomId, peerId } = options.joins[index] as { roomId: string; peerId: string };
    try {
      const started = options.now();
      const res = await postJson(options.agent, options.port, `/rooms/${roomId}/peers`, { peerId });
      if (res.status !== 200) throw new Error(`${peerId}: room join answered ${res.status} ${res.body.slice(0, 200)}`);
      batch.ms.push(options.now() - started);
    } catch (err) {
      batch.failures.push(message(err));
    }
  });
  return batch;
}
