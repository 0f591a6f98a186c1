/**
 * What the page was opened with: the signal service (`?signal=`, else `VITE_SIGNAL_URL` at build
 * time, else `VITE_SIGNAL_PORT` (default 8787) on the host this page was loaded from, so a link
 * opened on another machine of the network reaches the same signal service), the room (`?room=`), in-page bots (`?bots=N`) and the
 * starting fleet (`?fleet=N`).
 */
import { FLEET_SIZE, MAX_FLEET } from './game/constants.js';

export interface DemoConfig {
  readonly signalUrl: string;
  /** Whether the signal URL came from the query (then links carry it on). */
  readonly signalFromQuery: boolean;
  readonly room: string | undefined;
  readonly bots: number;
  readonly fleet: number;
}

/** Most in-page bots (each is a full peer with its own connections). */
export const MAX_PAGE_BOTS = 8;

const intParam = (v: string | null, min: number, max: number, fallback: number): number => {
  const n = v === null ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
};

/** The signal service's port when neither the query nor the build names a URL. */
export const DEFAULT_SIGNAL_PORT = 8787;

/**
 * Reads the configuration from a query string, the build-time signal URL or port, and the page
 * location.
 */
export function readConfig(search: string, envSignalUrl: string | undefined, loc: { protocol: string; hostname: string }, envSignalPort?: string): DemoConfig {
  const params = new URLSearchParams(search);
  const fromQuery = params.get('signal');
  const room = params.get('room')?.trim();
  const port = intParam(envSignalPort ?? null, 1, 65_535, DEFAULT_SIGNAL_PORT);
  // An IPv6 literal is bracketed in a URL; `location.hostname` keeps the brackets, a plain string may not.
  const host = loc.hostname.includes(':') && !loc.hostname.startsWith('[') ? `[${loc.hostname}]` : loc.hostname;
  return {
    signalUrl: fromQuery || envSignalUrl || `${loc.protocol}//${host}:${port}`,
    signalFromQuery: Boolean(fromQuery),
    room: room ? room : undefined,
    bots: intParam(params.get('bots'), 0, MAX_PAGE_BOTS, 0),
    fleet: intParam(params.get('fleet'), 1, MAX_FLEET, FLEET_SIZE),
  };
}

/** The link that opens `room` (keeping a query-given signal URL). */
export function roomLink(base: string, config: DemoConfig, room: string): string {
  const url = new URL(base);
  url.search = '';
  url.hash = '';
  url.searchParams.set('room', room);
  if (config.signalFromQuery) url.searchParams.set('signal', config.signalUrl);
  return url.href;
}
