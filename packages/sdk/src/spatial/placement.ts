/**
 * Authority that follows space ([S27]). With rendezvous alone, the czar of a sector is a random
 * player anywhere in the world: each player then needs connections to the czars of the sectors it
 * watches, to the watchers of the sectors it writes, and to the neighbours of those, all in
 * different places (measured: ~38 connections needed per peer at 128 peers, growing with the
 * room). With a placement, a sector's czar and backups are the players whose home is in it, then
 * those next to it, then anyone: the peers a player must reach are its neighbours.
 *
 * Every peer must rank alike with no extra round of gossip, so a player's home rides in its peer
 * id (`withHome`), fixed for the session: a player who travels keeps writing where its home is.
 */
import type { Placement } from '../authority/rendezvous.js';
import { ArgumentError } from '../errors.js';
import { asPeerId, type PeerId } from '../transport/types.js';
import { MAX_PEER_ID_LENGTH } from '../transport/peerjs/peer-id.js';
import { MAX_SCALE, ancestorAt, forEachOnRing, isSectorId, sector, tryParseKey, type SectorId } from './sector.js';
import { regionOfShard } from './world-state.js';

/** Separator and tag before a home in a peer id: `<base>-h<scale>_<x>_<y>`, negatives as `n<abs>`. */
const HOME_PATTERN = /-h(\d{1,2})_(n?\d{1,8})_(n?\d{1,8})$/;

const coord = (v: number): string => (v < 0 ? `n${-v}` : String(v));
const uncoord = (s: string): number => (s.startsWith('n') ? -Number(s.slice(1)) : Number(s));

/**
 * A peer id carrying `home`: `base` (alphanumerics, `-` or `_` inside) + `-h<scale>_<x>_<y>`. Pass
 * it as `peerId` when joining (`Room.join`) or to `SimNetwork.join`. Throws {@link ArgumentError}
 * on a base that is empty or has other characters, a home that is no valid sector, or an id
 * longer than a peer id may be (64 characters: keep the base within 41).
 *
 * @example
 * ```ts
 * const id = withHome('k3x9q', sector(4, -2, 0)); // 'k3x9q-h0_4_n2'
 * homeOf(id); // { x: 4, y: -2, scale: 0 }
 * ```
 */
export function withHome(base: string, home: SectorId): PeerId {
  if (!/^[A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*$/.test(base)) {
    throw new ArgumentError(`Peer id base ${JSON.stringify(base).slice(0, 40)} is invalid: use alphanumerics, joined by single '-' or '_'.`, { base });
  }
  if (!isSectorId(home)) {
    throw new ArgumentError(`Home ${JSON.stringify(home)} is not a sector: build it with sector(x, y, scale).`, { home });
  }
  const id = `${base}-h${home.scale}_${coord(home.x)}_${coord(home.y)}`;
  // Caught here, not at join, where the error could not say that the home tag made it too long.
  if (id.length > MAX_PEER_ID_LENGTH) {
    throw new ArgumentError(`Peer id ${id} with its home is ${id.length} characters, over ${MAX_PEER_ID_LENGTH}: shorten the base to at most ${MAX_PEER_ID_LENGTH - (id.length - base.length)}.`, { base, home });
  }
  return asPeerId(id);
}

/**
 * The home sector a peer id carries (see {@link withHome}), or undefined when it carries none or
 * names no valid sector.
 *
 * @example
 * ```ts
 * homeOf(asPeerId('k3x9q-h0_4_n2')); // { x: 4, y: -2, scale: 0 }
 * homeOf(asPeerId('k3x9q')); // undefined
 * ```
 */
export function homeOf(peer: PeerId): SectorId | undefined {
  const m = HOME_PATTERN.exec(peer);
  if (!m) return undefined;
  const scale = Number(m[1]);
  if (scale > MAX_SCALE) return undefined;
  try {
    return sector(uncoord(m[2]!), uncoord(m[3]!), scale);
  } catch {
    return undefined;
  }
}

/** The sector a shard is about: a sector shard's own, a region shard's region; else undefined. */
function sectorOfShard(shard: string): SectorId | undefined {
  return tryParseKey(shard) ?? regionOfShard(shard);
}

/**
 * Tiers of {@link sectorPlacement}: the distance (Chebyshev, in sectors of the shard's scale)
 * from the shard to the peer's home, with no limit, so the czar and backups of a sector are always
 * the players nearest to it, in a sparse room as in a dense one; `elsewhere` above every distance.
 */
export const PLACEMENT_TIERS = {
  /** The peer's home is in the shard's sector. */
  inside: 0,
  /** The peer's home is in one of the 8 sectors around it (same scale). Ring `d` is tier `d`. */
  near: 1,
  /** Any peer on a shard that is no sector, a peer with no home, or one whose home is coarser than the shard. */
  elsewhere: 2 ** 26,
} as const;

/**
 * The {@link Placement} of a sector world: on a sector's shard (or a region's), peers whose home
 * ({@link homeOf}) is inside it come first, then those whose home is in a neighbouring sector of
 * the same scale, then those 2 sectors away, and so on; rendezvous orders each tier. Shards that
 * are no sector, and peers without a home, are all `elsewhere`. Its `near` index finds the nearest
 * rings that hold enough peers, so a succession's head costs what a neighbourhood does, not the
 * room. Give the same function to `Room.create` / `Room.join` (`placement`) on every peer of the
 * room.
 *
 * @example
 * ```ts
 * const room = await Room.join({ signalUrl, room: 'galaxy', peerId: withHome(myId, homeSector), placement: sectorPlacement() });
 * ```
 */
export function sectorPlacement(): Placement {
  const homes = new Map<PeerId, SectorId | null>();
  const sectors = new Map<string, SectorId | null>();
  const homeOfPeer = (peer: PeerId): SectorId | null => {
    let home = homes.get(peer);
    if (home === undefined) homes.set(peer, (home = homeOf(peer) ?? null));
    return home;
  };
  const sectorOf = (shard: string): SectorId | null => {
    let s = sectors.get(shard);
    if (s === undefined) sectors.set(shard, (s = sectorOfShard(shard) ?? null));
    return s;
  };
  const tier = (peer: PeerId, shard: string): number => {
    const home = homeOfPeer(peer);
    const s = sectorOf(shard);
    if (!home || !s || home.scale > s.scale) return PLACEMENT_TIERS.elsewhere;
    return ringDistance(home.scale === s.scale ? home : ancestorAt(home, s.scale), s);
  };
  // The cell of each peer's home per scale, kept across views (a view changes by a peer or two).
  const cellsOfPeer = new Map<PeerId, Array<{ readonly x: number; readonly y: number; readonly key: number } | null>>();
  const cellOf = (peer: PeerId, scale: number): { readonly x: number; readonly y: number; readonly key: number } | null => {
    let byScale = cellsOfPeer.get(peer);
    if (!byScale) cellsOfPeer.set(peer, (byScale = []));
    let c = byScale[scale];
    if (c === undefined) {
      const home = homeOfPeer(peer);
      const a = home && home.scale <= scale ? ancestorAt(home, scale) : undefined;
      byScale[scale] = c = a ? { x: a.x, y: a.y, key: cellKey(a.x, a.y) } : null;
    }
    return c;
  };
  // Per view: the peers by the cell their home falls in at each scale asked for, so the peers
  // nearest a sector are found ring by ring around it.
  const near = (peers: readonly PeerId[]) => {
    const byScale = new Map<number, Cells>();
    const cells = (scale: number): Cells => {
      let index = byScale.get(scale);
      if (index) return index;
      index = { byCell: new Map(), list: [], placed: 0 };
      for (const p of peers) {
        const a = cellOf(p, scale);
        if (!a) continue;
        let cell = index.byCell.get(a.key);
        if (!cell) {
          index.byCell.set(a.key, (cell = { x: a.x, y: a.y, peers: [] }));
          index.list.push(cell);
        }
        cell.peers.push(p);
        index.placed++;
      }
      byScale.set(scale, index);
      return index;
    };
    return (shard: string, atLeast = 1): readonly PeerId[] => {
      const s = sectorOf(shard);
      // No sector: every peer is `elsewhere`, none is nearer than another.
      if (!s) return [];
      const index = cells(s.scale);
      if (index.placed <= atLeast) return index.list.flatMap((c) => c.peers);
      const out: PeerId[] = [];
      // Ring by ring while the rings are fewer cells than the index holds; past that, by distance
      // over the occupied cells (a shard far from everyone would otherwise walk empty rings).
      const byCell = index.byCell;
      for (let r = 0; (2 * r + 1) ** 2 <= index.list.length * 4; r++) {
        forEachOnRing(s.x, s.y, r, (x, y) => push(byCell.get(cellKey(x, y)), out));
        if (out.length >= atLeast) return out;
      }
      const far = index.list.map((c) => ({ c, d: ringDistance(c, s) })).sort((a, b) => a.d - b.d);
      out.length = 0;
      for (let i = 0; i < far.length; i++) {
        out.push(...far[i]!.c.peers);
        // Whole tiers only: the peers it leaves out are all farther than those it lists.
        if (out.length >= atLeast && (i + 1 === far.length || far[i + 1]!.d > far[i]!.d)) break;
      }
      return out;
    };
  };
  return Object.assign(tier, { near });
}

/** A view's placed peers at one scale, by the cell (sector of that scale) of their home. */
interface Cells {
  readonly byCell: Map<number, Cell>;
  readonly list: Cell[];
  placed: number;
}

interface Cell {
  readonly x: number;
  readonly y: number;
  readonly peers: PeerId[];
}

/**
 * A cell's coordinates as one number: coordinates lie within ±2^24 at scale 0 ([S1]), so both fit
 * in 26 bits each, rings that step past the edge included. Numbers, not strings: no garbage per lookup.
 */
function cellKey(x: number, y: number): number {
  return (x + 2 ** 25) * 2 ** 26 + (y + 2 ** 25);
}

/** The ring of `s` that `a` lies on: their Chebyshev distance, in sectors of one scale. */
function ringDistance(a: { readonly x: number; readonly y: number }, s: { readonly x: number; readonly y: number }): number {
  return Math.max(Math.abs(a.x - s.x), Math.abs(a.y - s.y));
}

function push(cell: Cell | undefined, out: PeerId[]): void {
  if (cell) for (const p of cell.peers) out.push(p);
}
