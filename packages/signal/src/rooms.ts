/**
 * The room registry: which peers are in which room, in join order. Pure state with an injected
 * clock and id generator; it knows nothing of HTTP or sockets.
 *
 * Expiry is lazy: every call first drops rooms that have been empty for `ttlMs`, so no timer is
 * needed and a test moves time by moving its clock.
 */
import type { Clock } from './clock.js';

/** A snapshot of one room, safe to serialise. */
export interface RoomView {
  readonly roomId: string;
  readonly maxPeers: number;
  /** Peer ids in the order they joined. */
  readonly peers: readonly string[];
}

/** Result of {@link RoomRegistry.join}. */
export type JoinResult =
  | { readonly ok: true; readonly room: RoomView; /** False when the peer was already in the room. */ readonly joined: boolean }
  | { readonly ok: false; readonly reason: 'room-not-found' | 'room-full' };

/** Result of {@link RoomRegistry.leave}. */
export type LeaveResult = 'left' | 'not-member' | 'room-not-found';

/** Counters kept by the registry. */
export interface RoomStats {
  /** Rooms that exist now. */
  readonly rooms: number;
  /** Distinct peers that are in at least one room now. */
  readonly peers: number;
  readonly roomsCreated: number;
  readonly roomsExpired: number;
  /** Peers added to a room (a repeated join of the same peer is not counted). */
  readonly joins: number;
  /** Peers removed from a room, by request or because their socket closed. */
  readonly leaves: number;
}

/** Options of {@link RoomRegistry}. */
export interface RoomRegistryOptions {
  readonly clock: Clock;
  /** How long a room may stay empty (including never joined) before it is dropped, in ms. */
  readonly ttlMs: number;
  /** Makes a new room id; must be unguessable in production (nanoid). */
  readonly generateId: () => string;
}

interface RoomState {
  readonly roomId: string;
  readonly maxPeers: number;
  readonly peers: Set<string>;
}

/** Tries before giving up on finding an unused room id; a 21-char nanoid never collides in practice. */
const MAX_ID_ATTEMPTS = 8;

/** Rooms and their members. */
export class RoomRegistry {
  private readonly rooms = new Map<string, RoomState>();
  /** Room ids each peer is in, so a closed socket is removed everywhere without a scan. */
  private readonly roomsOfPeer = new Map<string, Set<string>>();
  /**
   * Empty rooms and since when. Re-inserted whenever a room becomes empty, and the clock never
   * goes back, so the map is ordered by time and expiry stops at the first room still young.
   */
  private readonly emptySince = new Map<string, number>();
  private counters = { roomsCreated: 0, roomsExpired: 0, joins: 0, leaves: 0 };

  constructor(private readonly options: RoomRegistryOptions) {}

  /** Creates an empty room; it expires after `ttlMs` unless someone joins. */
  create(maxPeers: number): RoomView {
    this.expire();
    let roomId = this.options.generateId();
    for (let attempt = 1; this.rooms.has(roomId); attempt++) {
      if (attempt >= MAX_ID_ATTEMPTS) throw new Error('Room id generator keeps returning ids in use');
      roomId = this.options.generateId();
    }
    const room: RoomState = { roomId, maxPeers, peers: new Set() };
    this.rooms.set(roomId, room);
    this.emptySince.set(roomId, this.options.clock.now());
    this.counters.roomsCreated++;
    return view(room);
  }

  /** The room, or `undefined` if it does not exist (or just expired). */
  get(roomId: string): RoomView | undefined {
    this.expire();
    const room = this.rooms.get(roomId);
    return room && view(room);
  }

  /** Adds `peerId` to the room; joining a room one is already in succeeds without change. */
  join(roomId: string, peerId: string): JoinResult {
    this.expire();
    const room = this.rooms.get(roomId);
    if (!room) return { ok: false, reason: 'room-not-found' };
    if (room.peers.has(peerId)) return { ok: true, room: view(room), joined: false };
    if (room.peers.size >= room.maxPeers) return { ok: false, reason: 'room-full' };
    room.peers.add(peerId);
    this.emptySince.delete(roomId);
    let rooms = this.roomsOfPeer.get(peerId);
    if (!rooms) this.roomsOfPeer.set(peerId, (rooms = new Set()));
    rooms.add(roomId);
    this.counters.joins++;
    return { ok: true, room: view(room), joined: true };
  }

  /** Removes `peerId` from one room. */
  leave(roomId: string, peerId: string): LeaveResult {
    this.expire();
    const room = this.rooms.get(roomId);
    if (!room) return 'room-not-found';
    if (!room.peers.has(peerId)) return 'not-member';
    this.removeMember(room, peerId);
    return 'left';
  }

  /** Removes `peerId` from every room it is in (its socket closed); returns those room ids. */
  removePeer(peerId: string): string[] {
    this.expire();
    const roomIds = [...(this.roomsOfPeer.get(peerId) ?? [])];
    for (const roomId of roomIds) {
      const room = this.rooms.get(roomId);
      if (room) this.removeMember(room, peerId);
    }
    return roomIds;
  }

  /** Current counts and totals. */
  stats(): RoomStats {
    this.expire();
    return { rooms: this.rooms.size, peers: this.roomsOfPeer.size, ...this.counters };
  }

  /** Drops rooms empty for at least `ttlMs`; returns their ids. Called by every other method. */
  expire(): string[] {
    const now = this.options.clock.now();
    const expired: string[] = [];
    for (const [roomId, since] of this.emptySince) {
      if (now - since < this.options.ttlMs) break;
      this.emptySince.delete(roomId);
      this.rooms.delete(roomId);
      expired.push(roomId);
    }
    this.counters.roomsExpired += expired.length;
    return expired;
  }

  private removeMember(room: RoomState, peerId: string): void {
    room.peers.delete(peerId);
    const rooms = this.roomsOfPeer.get(peerId);
    rooms?.delete(room.roomId);
    if (rooms?.size === 0) this.roomsOfPeer.delete(peerId);
    if (room.peers.size === 0) this.emptySince.set(room.roomId, this.options.clock.now());
    this.counters.leaves++;
  }
}

function view(room: RoomState): RoomView {
  return { roomId: room.roomId, maxPeers: room.maxPeers, peers: [...room.peers] };
}
