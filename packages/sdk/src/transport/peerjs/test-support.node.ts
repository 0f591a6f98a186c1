import { afterAll, beforeAll } from 'vitest';
import { installNodeWebRtc } from '../../node.js';

/**
 * Test support (excluded from the build): the real `@anarchy/signal` service, started in-process
 * on an ephemeral loopback port.
 *
 * The module is imported by a computed specifier on purpose: the SDK's typecheck then does not
 * need the signal package's build output, while Vitest resolves it to the signal sources through
 * the alias in `vitest.config.ts`. The shape is checked at runtime instead.
 */

/** The part of `@anarchy/signal`'s `SignalServer` the tests use. */
export interface TestSignalServer {
  readonly url: string;
  close(): Promise<void>;
}

interface SignalModule {
  createSignalServer(options: Record<string, unknown>): Promise<TestSignalServer>;
  silentLogger: unknown;
}

function isSignalModule(value: unknown): value is SignalModule {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m['createSignalServer'] === 'function' && typeof m['silentLogger'] === 'object';
}

const SIGNAL_MODULE = '@anarchy/signal';

/**
 * Starts the signal service on 127.0.0.1 with a random port, no logging, and a rate limit far
 * above what a test run sends (every peer costs a WebSocket upgrade and two REST calls).
 */
export async function startTestSignalServer(): Promise<TestSignalServer> {
  const mod: unknown = await import(/* @vite-ignore */ SIGNAL_MODULE);
  if (!isSignalModule(mod)) throw new Error(`${SIGNAL_MODULE} does not export createSignalServer and silentLogger`);
  const server = await mod.createSignalServer({
    port: 0,
    host: '127.0.0.1',
    logger: mod.silentLogger,
    rateLimit: { windowMs: 10_000, max: 1_000_000 },
  });
  if (typeof server.url !== 'string' || typeof server.close !== 'function') throw new Error('createSignalServer returned an unexpected value');
  return server;
}

/**
 * Registers `beforeAll`/`afterAll` hooks that install Node WebRTC and run one signal service for
 * the calling test file; returns a getter for it (valid inside tests).
 */
export function useTestSignalServer(): () => TestSignalServer {
  let server: TestSignalServer | undefined;
  beforeAll(async () => {
    installNodeWebRtc();
    server = await startTestSignalServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('the test signal server is not running: call useTestSignalServer() at the top of the file');
    return server;
  };
}

/** Polls `condition` on the real clock every `pollMs` until it holds; rejects after `budgetMs`. */
export async function waitUntil(condition: () => boolean, what: string, { budgetMs = 15_000, pollMs = 20 } = {}): Promise<void> {
  const deadline = Date.now() + budgetMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${budgetMs} ms waiting for: ${what}`);
    await sleep(pollMs);
  }
}

/** Waits `ms` of real time (for "nothing more arrives" checks against real WebRTC). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
