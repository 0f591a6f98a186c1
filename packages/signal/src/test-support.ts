/**
 * Helpers shared by the tests (not part of the build): a manual clock, a capturing logger, a
 * server factory on an ephemeral loopback port, and a raw PeerServer WebSocket client.
 */
import { WebSocket } from 'ws';
import type { Clock } from './clock.js';
import type { Logger, LogFields, LogLevel } from './logger.js';
import type { SignalServerOptions } from './options.js';
import { createSignalServer, type SignalServer } from './server.js';

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private time = 0) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

/** One captured log entry. */
export interface CapturedLog {
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: LogFields;
}

/** A logger that keeps entries in memory. */
export function captureLogger(): Logger & { readonly entries: CapturedLog[] } {
  const entries: CapturedLog[] = [];
  return { entries, log: (level, msg, fields = {}) => void entries.push({ level, msg, fields }) };
}

/** Starts a server on 127.0.0.1:0 with a manual clock and captured logs; close it in `afterEach`. */
export async function startTestServer(options: SignalServerOptions = {}): Promise<{
  server: SignalServer;
  clock: ManualClock;
  logs: ReturnType<typeof captureLogger>;
}> {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock(1_000);
  const logs = captureLogger();
  const server = await createSignalServer({ port: 0, host: '127.0.0.1', logger: logs, clock, ...options });
  return { server, clock, logs };
}

/** A parsed JSON answer. */
export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** Sends a request and parses the JSON answer (body `undefined` when there is none). */
export async function request(
  server: SignalServer,
  method: string,
  path: string,
  body?: unknown,
  init: { raw?: string; headers?: Record<string, string> } = {},
): Promise<JsonAnswer> {
  const payload = init.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** The `error.code` of an error answer, or `undefined`. */
export function errorCode(answer: JsonAnswer): unknown {
  const body = answer.body as { error?: { code?: unknown } } | undefined;
  return body?.error?.code;
}

/** Opens a raw PeerServer socket the way PeerJS 1.5 builds its URL, and waits for the first message. */
export async function openPeerSocket(
  server: SignalServer,
  id: string,
  options: { token?: string; key?: string } = {},
): Promise<{ ws: WebSocket; first: { type?: unknown; payload?: unknown } }> {
  const url =
    `${server.url.replace(/^http/, 'ws')}${server.peerPath === '/' ? '' : server.peerPath}/peerjs` +
    `?key=${encodeURIComponent(options.key ?? 'peerjs')}&id=${encodeURIComponent(id)}&token=${options.token ?? 'token1'}&version=1.5.5`;
  const ws = new WebSocket(url);
  const first = await new Promise<{ type?: unknown; payload?: unknown }>((resolve, reject) => {
    ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as { type?: unknown; payload?: unknown }));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
  });
  return { ws, first };
}

/** Closes a socket and waits until it is closed on our side. */
export function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}
