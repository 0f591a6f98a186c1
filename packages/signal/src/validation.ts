/**
 * Input rules for ids and request bodies. Each check throws an {@link HttpError} with the stable
 * code the client can branch on.
 */
import { HttpError } from './http-errors.js';

/** Longest room or peer id accepted; keeps logs, URLs and memory bounded. */
export const MAX_ID_LENGTH = 64;

const ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** PeerJS's own client-side rule (peerjs `util.validateId`), plus our length cap. */
const PEER_ID = /^[A-Za-z0-9]+(?:[ _-][A-Za-z0-9]+)*$/;

/** Whether `value` is a room id: 1–64 characters of `A-Z a-z 0-9 _ -` (nanoid's alphabet). */
export function isRoomId(value: unknown): value is string {
  return typeof value === 'string' && ROOM_ID.test(value);
}

/** Whether `value` is a PeerJS peer id of at most {@link MAX_ID_LENGTH} characters. */
export function isPeerId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_ID_LENGTH && PEER_ID.test(value);
}

/** Returns `value` as a room id or throws `invalid-room-id`. */
export function requireRoomId(value: unknown): string {
  if (isRoomId(value)) return value;
  throw new HttpError('invalid-room-id', `Room ids are 1–${MAX_ID_LENGTH} characters of A-Z, a-z, 0-9, '_' and '-'.`);
}

/** Returns `value` as a peer id or throws `invalid-peer-id`. */
export function requirePeerId(value: unknown): string {
  if (isPeerId(value)) return value;
  throw new HttpError(
    'invalid-peer-id',
    `Peer ids are PeerJS ids of at most ${MAX_ID_LENGTH} characters: letters and digits, optionally separated by single ' ', '_' or '-'.`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Body of `POST /rooms`: `{ maxPeers?: integer in [1, cap] }`. An absent body means `{}`.
 * Unknown fields are ignored so newer clients can talk to older servers.
 */
export function parseCreateRoomBody(body: unknown, cap: number): { maxPeers: number } {
  if (body === undefined) return { maxPeers: cap };
  if (!isPlainObject(body)) throw new HttpError('invalid-body', 'The body must be a JSON object such as {"maxPeers": 8}.');
  const { maxPeers } = body;
  if (maxPeers === undefined) return { maxPeers: cap };
  if (typeof maxPeers !== 'number' || !Number.isInteger(maxPeers) || maxPeers < 1 || maxPeers > cap) {
    throw new HttpError('invalid-body', `maxPeers must be an integer from 1 to ${cap} (this server's cap).`);
  }
  return { maxPeers };
}

/** Body of `POST /rooms/:roomId/peers`: `{ peerId: string }`. */
export function parseJoinBody(body: unknown): { peerId: string } {
  if (!isPlainObject(body)) throw new HttpError('invalid-body', 'The body must be a JSON object such as {"peerId": "alice"}.');
  if (body['peerId'] === undefined) throw new HttpError('invalid-body', 'The body needs a "peerId" (your PeerJS id).');
  if (typeof body['peerId'] !== 'string') throw new HttpError('invalid-body', '"peerId" must be a string (your PeerJS id).');
  return { peerId: requirePeerId(body['peerId']) };
}
