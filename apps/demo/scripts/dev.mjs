#!/usr/bin/env node
// Starts the signal service and the demo together, creates a room and prints the link to share.
// Ports: ANARCHY_SIGNAL_PORT (default 8787) and ANARCHY_DEMO_PORT (default 5173).
import { createJsonLogger, createSignalServer } from '@anarchy/signal';
import { createServer } from 'vite';

const signalPort = Number(process.env.ANARCHY_SIGNAL_PORT ?? 8787);
const demoPort = Number(process.env.ANARCHY_DEMO_PORT ?? 5173);
const host = process.env.ANARCHY_HOST ?? '127.0.0.1';

const signal = await createSignalServer({ port: signalPort, host, logger: createJsonLogger({ level: 'warn' }) });
const vite = await createServer({
  configFile: new URL('../vite.config.ts', import.meta.url).pathname,
  root: new URL('..', import.meta.url).pathname,
  server: { port: demoPort, host, strictPort: false },
  define: { 'import.meta.env.VITE_SIGNAL_URL': JSON.stringify(signal.url) },
});
await vite.listen();
const demoUrl = vite.resolvedUrls?.local[0] ?? `http://${host}:${demoPort}/`;

const res = await fetch(`${signal.url}/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
const { roomId } = await res.json();
const link = `${demoUrl}?room=${roomId}`;

console.log(`
  Anarchy demo is running.
  signal service  ${signal.url}
  lobby           ${demoUrl}
  room link       ${link}

  Open the room link in two or more tabs (or send it to a friend on your network) to play.
  Press Ctrl+C to stop.
`);

const stop = async () => {
  await vite.close();
  await signal.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
