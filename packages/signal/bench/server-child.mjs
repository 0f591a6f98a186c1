/**
 * One signalling server alone in its own process, so its resident memory can be measured apart
 * from the clients (used by packages/sdk/bench/suites/signal-capacity.ts).
 *
 * Plain JavaScript on purpose: a TypeScript loader (tsx) adds ~35 MB of RSS to a process, which
 * would drown the figure being measured. `@anarchy/signal` is therefore imported from a build of
 * its src that the suite makes first (`<signal dist dir>/index.js`).
 *
 *   node --expose-gc server-child.mjs signal <signal dist dir> <rateLimit.max>
 *   node --expose-gc server-child.mjs peerserver
 *
 * Prints one JSON line when listening: `{"event":"ready","port":…,"wsPath":…,"rss":…}`. Then, one
 * command per stdin line, answers one JSON line:
 * - `measure`: runs GC until the heap settles, then `{"event":"memory","rss":…,"heapUsed":…,
 *   "external":…,"arrayBuffers":…,"clients":…}` (bytes; clients = open PeerServer sockets);
 * - `snapshot <file>`: writes a V8 heap snapshot to `<file>` (for diagnosis), answers `{"event":"snapshot","file":…}`;
 * - `exit`: closes the server, answers `{"event":"closed"}` and exits with code 0.
 * It also exits when stdin closes, so it never outlives the bench.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';

const [kind, distDir, rateMax] = process.argv.slice(2);

/** Milliseconds between GC passes while the heap settles. */
const SETTLE_MS = 250;
/** GC passes before measuring; the heap is considered settled after them. */
const GC_PASSES = 3;

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function openFileLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s+/)[3];
    return soft === undefined ? null : soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    return null;
  }
}

async function startSignal() {
  if (!distDir) throw new Error('usage: server-child.mjs signal <signal dist dir> <rateLimit.max>');
  const { createSignalServer, silentLogger } = await import(pathToFileURL(join(distDir, 'index.js')).href);
  const server = await createSignalServer({
    port: 0,
    logger: silentLogger,
    // Every bench client comes from 127.0.0.1; the default (120 per 10 s per address) would refuse them.
    rateLimit: { windowMs: 10_000, max: Number(rateMax ?? 1_000_000) },
  });
  return {
    port: server.port,
    wsPath: `${server.peerPath}/peerjs`,
    clients: () => server.metrics().connectedClients,
    close: () => server.close(),
  };
}

async function startPeerServer() {
  const { PeerServer } = await import('peer');
  let open = 0;
  let httpServer;
  // Default options but the port (0: any free one); host stays PeerServer's '::' (dual stack).
  const app = await new Promise((resolve) => {
    const peerApp = PeerServer({ port: 0 }, (server) => {
      httpServer = server;
      resolve(peerApp);
    });
  });
  app.on('connection', () => void open++);
  app.on('disconnect', () => void open--);
  app.on('error', () => {});
  return {
    port: httpServer.address().port,
    // Default path '/': the WebSocket endpoint is /peerjs.
    wsPath: '/peerjs',
    clients: () => open,
    close: () =>
      new Promise((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      }),
  };
}

async function main() {
  const server = kind === 'signal' ? await startSignal() : kind === 'peerserver' ? await startPeerServer() : null;
  if (!server) throw new Error(`unknown server kind ${JSON.stringify(kind)}; use signal or peerserver`);
  let closing = false;
  const exit = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    send({ event: 'closed' });
    process.exit(0);
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    const command = line.trim();
    if (command === 'measure') {
      for (let i = 0; i < GC_PASSES; i++) {
        globalThis.gc?.();
        await sleep(SETTLE_MS);
      }
      const m = process.memoryUsage();
      send({ event: 'memory', rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, clients: server.clients() });
    } else if (command.startsWith('snapshot ')) {
      // Diagnosis: a heap snapshot to compare in Chrome DevTools (Memory tab, Comparison view).
      globalThis.gc?.();
      const file = writeHeapSnapshot(command.slice('snapshot '.length));
      send({ event: 'snapshot', file });
    } else if (command === 'exit') {
      await exit();
    } else {
      send({ event: 'error', message: `unknown command ${JSON.stringify(command)}` });
    }
  });
  lines.on('close', () => void exit());
  send({ event: 'ready', port: server.port, wsPath: server.wsPath, rss: process.memoryUsage().rss, openFileLimit: openFileLimit(), gc: typeof globalThis.gc === 'function' });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
