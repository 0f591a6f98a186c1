/**
 * What the page was opened with: the signal service (`?signal=`, else `VITE_SIGNAL_URL` at build
 * time, else port 8787 on this page's host), the room (`?room=`), in-page bots (`?bots=N`) and the
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

/** Reads the configuration from a query string, the build-time signal URL and the page location. */
export function readConfig(search: string, envSignalUrl: string | undefined, loc: { protocol: string; hostname: string }): DemoConfig {
  const params = new URLSearchParams(search);
  const fromQuery = params.get('signal');
  const room = params.get('room')?.trim();
  return {
    signalUrl: fromQuery || envSignalUrl || `${loc.protocol}//${loc.hostname}:8787`,
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
