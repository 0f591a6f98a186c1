/**
 * Where the servers that Playwright starts listen. Fixed ports above Linux's ephemeral range
 * (32768-60999), so a server some other test opened on port 0 can never be sitting on them;
 * override with E2E_SIGNAL_PORT / E2E_PAGE_PORT / E2E_DEMO_PORT when they are taken.
 */
const port = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port; unset it or give a number from 1 to 65535`);
  }
  return value;
};

export const SIGNAL_PORT = port('E2E_SIGNAL_PORT', 61110);
export const PAGE_PORT = port('E2E_PAGE_PORT', 61111);
export const DEMO_PORT = port('E2E_DEMO_PORT', 61112);

/** Base URL of the `@anarchy/signal` service (REST + PeerServer at /peerjs). */
export const SIGNAL_URL = `http://127.0.0.1:${SIGNAL_PORT}`;
/** Base URL of the Vite preview server that serves e2e/pages. */
export const PAGE_URL = `http://127.0.0.1:${PAGE_PORT}`;
/** Base URL of the Vite preview server that serves the demo RTS (apps/demo, built). */
export const DEMO_URL = `http://127.0.0.1:${DEMO_PORT}`;
