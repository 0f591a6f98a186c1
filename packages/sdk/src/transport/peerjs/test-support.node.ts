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
