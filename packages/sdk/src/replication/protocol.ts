/**
 * Constants of the replication protocol ([R8]–[R19]): message flags and kinds, and the bounds the
 * engine keeps. Flags and kinds are part of the wire format; the bounds are local choices.
 */
/** `shard-snapshot` flag: this snapshot hands the shard to its receiver ([R12]). */
export const SNAPSHOT_FLAG_HANDOFF = 1;
/**
 * `shard-snapshot` flag: a replica's copy of a term whose czar is gone, sent to the peer taking
 * over ([R13]). Encoded by the replica, so only a base for a new term, never for that term's deltas.
 */
export const SNAPSHOT_FLAG_COPY = 2;
/** `shard-snapshot` flag: the term is confirmed (a majority acknowledged its opening, [R23]). */
export const SNAPSHOT_FLAG_CONFIRMED = 4;
/** `ack` flag: a vote for the term, the only one of its number this peer acknowledges ([R23]). */
export const ACK_VOTE = 1;
/** `ack` flag: the sender knows the term is confirmed; only such acks commit ([R23]). */
export const ACK_KNOWS_CONFIRMED = 2;
/** `ack` flag, czar to replica: the term is confirmed ([R23]). */
export const ACK_CONFIRMED = 4;
/** `shard-digest` flag: answer with your digest ([R11], [R17]). */
export const DIGEST_FLAG_REPLY = 1;
/** `shard-digest` flag: this digest answers one that asked ([R11]). */
export const DIGEST_FLAG_ANSWER = 2;
/**
 * `shard-digest` flag: the entries are some of the sender's shards, not all; a shard it does not
 * list says nothing (a full digest's silence means "I hold nothing of it") ([R11], [R17]).
 */
export const DIGEST_FLAG_PARTIAL = 4;
/** `shard-digest` entry `held` bit: the sender holds the entry's term, up to its seq ([R17]). */
export const DIGEST_HELD = 1;
/**
 * `shard-digest` entry `held` bit: the sender no longer counts the term's czar as a member, so it
 * acknowledges nothing more of that term: the seq is final for a takeover ([R23], [R25]).
 */
export const DIGEST_HELD_FINAL = 2;
/** `shard-digest` entry `held` bit: the sender knows the held term is confirmed ([R23]). */
export const DIGEST_HELD_CONFIRMED = 4;
/** `shard-request` kind: hand the shard off to me ([R12]). */
export const REQUEST_HANDOFF = 1;
/** `shard-request` kind: make your next position frame a keyframe ([R19]). */
export const REQUEST_KEYFRAME = 2;
/** `shard-request` kind: send me a copy of your replica (of the term named, or with term 0 of whatever you hold), I am taking over ([R13], [R25]). */
export const REQUEST_COPY = 3;
/**
 * `shard-request` kind: the receiver of a handoff offer has not declared the shard, so it will
 * never take it ([R12]). Peers that do not know this kind ignore it (and keep re-offering).
 */
export const REQUEST_DECLINE = 4;

/** A gap wider than this is healed with a snapshot rather than deltas from history. */
export const MAX_REPAIR_SPAN = 64;
/** Out-of-order deltas buffered per shard; past it the furthest ahead is dropped (repair fetches it again). */
export const MAX_PENDING = 512;
/** Deltas of not-yet-opened terms buffered per shard. */
export const MAX_FUTURE = 256;
/** A writer pushes an unrequested snapshot to the same peer at most this often, in ms. */
export const SNAPSHOT_PUSH_INTERVAL_MS = 1_000;
/** Keyframe requests per shard at most this often, in ms. */
export const KEYFRAME_REQUEST_INTERVAL_MS = 500;
/** Relay salt of deltas: deltas and position frames of one seq shuffle differently ([R15]). */
export const SALT_DELTA = 0x0d;
/** Relay salt of position frames. */
export const SALT_POSITIONS = 0x9a;
