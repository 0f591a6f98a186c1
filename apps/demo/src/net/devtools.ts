/**
 * `window.anarchy`: a read-only look inside the running game for end-to-end tests and curious
 * developers. Every call reads the current session (a reconnect swaps it), so a handle taken once
 * keeps working.
 */
import { PLAYERS_SHARD } from '../game/constants.js';
import { SECTORS } from '../game/galaxy.js';
import type { LogEntry } from './session.js';
import type { GameSession } from './session.js';
import type { MetricsLike } from './port.js';

/** One ship as `units()` reports it. */
export interface UnitInfo {
  readonly id: string;
  readonly owner: string;
  readonly x: number;
  readonly y: number;
  readonly hp: number;
  /** Shard key of the sector holding the ship. */
  readonly sector: string;
}

/** One player as `players()` reports it. */
export interface PlayerInfo {
  readonly id: string;
  readonly name: string;
  readonly colour: string;
  readonly peer: string;
  readonly home: string;
  readonly online: boolean;
}

/** The camera as `camera()` reports it: screen x = (world x − cx) · zoom + width / 2 (CSS px). */
export interface CameraInfo {
  /** World point at the centre of the canvas. */
  readonly cx: number;
  readonly cy: number;
  /** CSS pixels per world unit. */
  readonly zoom: number;
  /** Canvas size in CSS pixels. */
  readonly width: number;
  readonly height: number;
  /** How far the panels cover each edge of the canvas, in CSS pixels. */
  readonly insets: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
}

/** What `window.anarchy` offers. */
export interface AnarchyDevtools {
  /** Resolves (true) once joined and the fleet exists. */
  readonly ready: Promise<true>;
  /** True once joined and the fleet exists (false again while reconnecting). */
  readonly isReady: boolean;
  /**
   * Connection state: 'connecting' | 'joining' | 'playing' | 'signal-lost' (still playing with
   * connected peers) | 'reconnecting' | 'failed' (an error screen is shown).
   */
  status(): string;
  /** This peer's id (changes after a reconnect); undefined before the first join. */
  readonly localId: string | undefined;
  /** This tab's player id (stable across reloads of the tab). */
  readonly playerId: string;
  /** Peers in the room by the membership view, this one included. */
  peers(): string[];
  /** Shard ids: 'players' and one sector key per gameplay sector. */
  shards(): string[];
  czarOf(shard: string): string | undefined;
  backupsOf(shard: string): string[];
  stateHash(shard: string): string;
  /** State hash of every shard. */
  stateHashes(): Record<string, string>;
  metrics(): MetricsLike | undefined;
  /** Every ship (each once), positioned now. */
  units(): UnitInfo[];
  /** This player's ship ids. */
  myUnits(): string[];
  players(): PlayerInfo[];
  /** The machinery log (failovers, czar moves, hand-offs, captures). */
  log(): LogEntry[];
  /** Frames drawn so far. */
  frames(): number;
  /** Smoothed time to draw one frame, in ms. */
  frameMs(): number;
  /** The sectors this peer declared interest in (sees, has ships or planets in, or simulates next to), sorted. */
  interest(): string[];
  /** The view onto the galaxy, to turn world points into screen points (tests click with it). */
  camera(): CameraInfo;
  /** Orders this player's ships `ids` to (x, y), as a right click would; resolves with how many took it. */
  order(ids: readonly string[], x: number, y: number): Promise<number>;
}

/** What the page gives the devtools. */
export interface DevtoolsSource {
  session(): GameSession | undefined;
  isReady(): boolean;
  status(): string;
  ready: Promise<true>;
  playerId: string;
  log(): readonly LogEntry[];
  frames(): number;
  frameMs(): number;
  camera(): CameraInfo;
}

/** Builds the `window.anarchy` object (frozen: read-only). */
export function createDevtools(src: DevtoolsSource): AnarchyDevtools {
  const s = (): GameSession | undefined => src.session();
  const api: AnarchyDevtools = {
    ready: src.ready,
    get isReady() {
      return src.isReady();
    },
    status: () => src.status(),
    get localId() {
      return s()?.room.self;
    },
    playerId: src.playerId,
    peers: () => [...(s()?.room.peers() ?? [])],
    shards: () => [PLAYERS_SHARD, ...SECTORS.map((x) => x.key)],
    czarOf: (shard) => s()?.room.czarOf(shard),
    backupsOf: (shard) => [...(s()?.room.backupsOf(shard) ?? [])],
    stateHash: (shard) => s()?.room.stateHash(shard) ?? '',
    stateHashes: () => {
      const out: Record<string, string> = {};
      const session = s();
      if (!session) return out;
      for (const id of api.shards()) out[id] = session.room.stateHash(id);
      return out;
    },
    metrics: () => s()?.room.metrics(),
    units: () => {
      const session = s();
      if (!session) return [];
      const w = session.positionsAt();
      const out: UnitInfo[] = [];
      for (let i = 0; i < w.count; i++) {
        out.push({ id: w.ids[i]!, owner: w.owners[i]!, x: Math.round(w.x[i]!), y: Math.round(w.y[i]!), hp: w.hp[i]!, sector: SECTORS[w.sector[i]!]!.key });
      }
      return out;
    },
    myUnits: () => api.units().filter((u) => u.owner === src.playerId).map((u) => u.id),
    players: () => {
      const session = s();
      if (!session) return [];
      const online = new Set(session.room.peers());
      const out: PlayerInfo[] = [];
      session.players().players.forEach((p, id) => out.push({ id, name: p.name, colour: p.colour, peer: p.peer, home: p.home, online: online.has(p.peer) }));
      return out;
    },
    log: () => [...src.log()],
    frames: () => src.frames(),
    frameMs: () => src.frameMs(),
    interest: () => [...(s()?.interest() ?? [])],
    camera: () => src.camera(),
    order: (ids, x, y) => s()?.order(ids, x, y) ?? Promise.resolve(0),
  };
  return Object.freeze(api);
}
