/**
 * `window.anarchy`: a read-only look inside the running game for end-to-end tests and curious
 * developers. Every call reads the current session (a reconnect swaps it), so a handle taken once
 * keeps working.
 */
import { PLAYERS_SHARD } from '../game/constants.js';
import { SECTORS } from '../game/galaxy.js';
import type { GameSession } from './session.js';
import type { AnarchyDevtools, CameraInfo, LogEntry, PlayerInfo, UnitInfo } from './devtools-api.js';

export type { AnarchyDevtools, CameraInfo, PlayerInfo, UnitInfo } from './devtools-api.js';

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
