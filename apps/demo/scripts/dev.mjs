#!/usr/bin/env node
// Starts the signal service and the demo together, creates a room and prints the link to share.
//
//   pnpm dev               loopback only: play in several tabs of this machine
//   pnpm dev --host        every interface: a friend on your network opens the printed network link
//   pnpm dev --host <ip>   one interface
//
// Ports: ANARCHY_SIGNAL_PORT (default 8787) and ANARCHY_DEMO_PORT (default 5173); ANARCHY_HOST
// sets the interface like --host. The page finds the signal service on the host it was loaded
// from (VITE_SIGNAL_PORT), so the same link works on this machine and on a friend's.
import { networkInterfaces } from 'node:os';
import { createJsonLogger, createSignalServer } from '@anarchy/signal';
import { createServer } from 'vite';

const signalPort = Number(process.env.ANARCHY_SIGNAL_PORT ?? 8787);
const demoPort = Number(process.env.ANARCHY_DEMO_PORT ?? 5173);

/** `--host` alone means every interface, as with Vite; `--host <addr>` one of them. */
function hostFromArgs(args) {
  const i = args.findIndex((a) => a === '--host' || a.startsWith('--host='));
  if (i < 0) return undefined;
  const arg = args[i];
  if (arg.startsWith('--host=')) return arg.slice('--host='.length) || '0.0.0.0';
  const next = args[i + 1];
  return next === undefined || next.startsWith('-') ? '0.0.0.0' : next;
}
const host = hostFromArgs(process.argv.slice(2)) ?? process.env.ANARCHY_HOST ?? '127.0.0.1';
const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';

/** This machine's IPv4 addresses on its networks (what a friend's browser can reach). */
function lanAddresses() {
  const out = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

let signal;
try {
  signal = await createSignalServer({ port: signalPort, host, logger: createJsonLogger({ level: 'warn' }) });
} catch (err) {
  if (err?.code !== 'EADDRINUSE') throw err;
  console.error(`Port ${signalPort} is taken (another \`pnpm dev\`?). Stop it, or pick another port: ANARCHY_SIGNAL_PORT=8788 pnpm dev`);
  process.exit(1);
}
const vite = await createServer({
  configFile: new URL('../vite.config.ts', import.meta.url).pathname,
  root: new URL('..', import.meta.url).pathname,
  server: { port: demoPort, host, strictPort: false },
  // The port only: the page puts it after the host it was loaded from (src/config.ts).
  define: { 'import.meta.env.VITE_SIGNAL_PORT': JSON.stringify(String(signal.port)) },
});
await vite.listen();
// The IPv4 loopback rather than `localhost`, which may resolve to ::1 where nothing listens.
const local = (vite.resolvedUrls?.local[0] ?? `http://127.0.0.1:${demoPort}/`).replace('//localhost:', '//127.0.0.1:');
const wildcard = host === '0.0.0.0' || host === '::';
const demoAt = new URL(local).port;
const network = wildcard
  ? (vite.resolvedUrls?.network.length ? vite.resolvedUrls.network : lanAddresses().map((ip) => `http://${ip}:${demoAt}/`))
  : loopback
    ? []
    : [local];

// Created through the loopback address when the service listens there (or everywhere).
const signalForUs = wildcard ? `http://127.0.0.1:${signal.port}` : signal.url;
const res = await fetch(`${signalForUs}/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
const { roomId } = await res.json();
const link = (base) => `${base}?room=${roomId}`;

const lines = [
  '',
  '  Anarchy demo is running.',
  `  signal service  ${wildcard ? `port ${signal.port} on every interface` : signal.url}`,
  `  lobby           ${local}`,
  `  room link       ${link(local)}`,
];
for (const url of network) lines.push(`  network link    ${link(url)}`);
lines.push('');
if (network.length > 0) {
  lines.push(
    '  Send the network link to a friend on your network (same Wi-Fi or LAN); open it in two or',
    `  more tabs here too. Their browser needs to reach ports ${demoAt} and ${signal.port} of this machine.`,
  );
} else {
  lines.push(
    '  Open the room link in two or more tabs to play.',
    '  To play with a friend on your network, start with `pnpm dev --host` and share the network link.',
  );
}
lines.push('  Press Ctrl+C to stop.', '');
console.log(lines.join('\n'));

const stop = async () => {
  await vite.close();
  await signal.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
