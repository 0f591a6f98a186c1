/**
 * The protocol's messages: a versioned discriminated union on `type`, one spec per member. The
 * spec is the single source of truth for the wire layout (fields in order, [W10]), the
 * TypeScript type, validation on arrival, the default channel and priority, and the random
 * values the property tests and the fuzzer draw.
 *
 * To add a message: add an entry to {@link MESSAGE_SPECS} with the next unused code. Codes are
 * never reused and a message's fields never change; a changed layout is a new message type,
 * advertised in `hello.capabilities` ([W11]).
 */
import { Reader, type DecodeBudget, Writer, malformed } from './codec.js';
import { ArgumentError } from '../errors.js';
import { type FieldSpec, type StructSpec, type StructValue, f64, list, readStruct, rest, shard, string, struct, u32, writeStruct } from './schema.js';

import type { Channel } from '../transport/types.js';
export type { Channel };

/**
 * Send order inside one channel ([W20]): every queued `control` message goes before any `state`
 * one, which go before any `bulk` one. Only `state` messages may be dropped under backpressure.
 */
export type Priority = 'control' | 'state' | 'bulk';

/** The priorities, most urgent first. */
export const PRIORITIES: readonly Priority[] = ['control', 'state', 'bulk'];

/** Hard ceiling of any bytes field: far above any sane configured payload maximum. */
export const HARD_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

/** What a spec declares about one message type. */
export interface MessageSpec<S extends StructSpec = StructSpec> {
  /** The type code on the wire (1–255; 0 marks a batch, [W8]). Never reused. */
  readonly code: number;
  /** Channel used when the sender does not say. */
  readonly channel: Channel;
  /** Priority used when the sender does not say. */
  readonly priority: Priority;
  /** Internal messages never reach the layers above the wire. */
  readonly internal?: boolean;
  readonly fields: S;
  /** Rules across fields; returns what is wrong, or undefined. */
  readonly check?: (m: StructValue<S>) => string | undefined;
}

const defineMessage = <S extends StructSpec>(spec: MessageSpec<S>): MessageSpec<S> => spec;

const seqRange = struct({ shard, term: u32, seq: u32 });

/**
 * One membership fact (SPEC.md, section M): `peer` is `status` (0 alive, 1 suspect, 2 dead, 3 left;
 * others are skipped by receivers, [M3]) at `incarnation`, as reported by `from`. `flags` bit 0:
 * standby. `player`: the game's player id of an alive member (may be empty).
 */
const memberUpdate = struct({ peer: string(128), incarnation: u32, status: u32, flags: u32, from: string(128), player: string(128) });

/** Every message type of protocol version 1. See SPEC.md for the table. */
export const MESSAGE_SPECS = {
  /** First message on a connection: who I am and what I can do. */
  hello: defineMessage({
    code: 1,
    channel: 'control',
    priority: 'control',
    fields: { version: u32, peerId: string(128), capabilities: list(string(64), 64) },
  }),
  /** Heartbeat; membership will piggyback on it in a later message type. */
  ping: defineMessage({ code: 2, channel: 'state', priority: 'control', fields: { seq: u32, sentAt: f64 } }),
  /** Answer to a ping: echoes its `sentAt` so the pinger measures the round trip on its own clock. */
  pong: defineMessage({ code: 3, channel: 'state', priority: 'control', fields: { seq: u32, echo: f64, sentAt: f64 } }),
  /** Graceful leave. */
  goodbye: defineMessage({ code: 4, channel: 'control', priority: 'control', fields: { reason: string(256) } }),
  /** A czar's change to a shard, numbered within the czar's term. */
  delta: defineMessage({
    code: 5,
    channel: 'state',
    priority: 'state',
    fields: { shard, term: u32, seq: u32, payload: rest(HARD_MAX_PAYLOAD_BYTES) },
  }),
  /** A whole shard's state as of (term, seq): for late joiners and new czars. Usually fragmented. */
  snapshot: defineMessage({
    code: 6,
    channel: 'control',
    priority: 'bulk',
    fields: { shard, term: u32, seq: u32, payload: rest(HARD_MAX_PAYLOAD_BYTES) },
  }),
  /** A request from a non-czar to the czar of `shard`. `actionId` is unique per sender. */
  action: defineMessage({
    code: 7,
    channel: 'control',
    priority: 'control',
    fields: { shard, actionId: u32, payload: rest(HARD_MAX_PAYLOAD_BYTES) },
  }),
  /** "I hold `shard` up to (term, seq)", of the term whose czar instance has writer tag `writer`; `flags`: vote, knows confirmed, confirmed ([R23]). */
  ack: defineMessage({ code: 8, channel: 'control', priority: 'control', fields: { shard, term: u32, writer: u32, seq: u32, flags: u32 } }),
  /** Anti-entropy: the latest (term, seq) this peer holds for each listed shard. */
  digest: defineMessage({ code: 9, channel: 'control', priority: 'control', fields: { entries: list(seqRange, 4096) } }),
  /** "Resend the deltas of `shard` in `term` from `fromSeq` to `toSeq`, inclusive." */
  'repair-request': defineMessage({
    code: 10,
    channel: 'control',
    priority: 'control',
    fields: { shard, term: u32, fromSeq: u32, toSeq: u32 },
    check: (m) => (m.fromSeq <= m.toSeq ? undefined : `fromSeq ${m.fromSeq} is after toSeq ${m.toSeq}`),
  }),
  /**
   * Replication (SPEC.md, section R): delta `seq` of `shard` in the term (`term`, czar) whose czar
   * has writer tag `writer` ([R8]); relayed unchanged by gossip ([R15]).
   */
  'shard-delta': defineMessage({
    code: 16,
    channel: 'state',
    priority: 'state',
    fields: { shard, term: u32, writer: u32, seq: u32, payload: rest(HARD_MAX_PAYLOAD_BYTES) },
  }),
  /** The state of `shard` after delta `seq` of term (`term`, `czar`); flag bit 0: a handoff ([R12]). */
  'shard-snapshot': defineMessage({
    code: 17,
    channel: 'control',
    priority: 'bulk',
    fields: { shard, term: u32, czar: string(128), writer: u32, seq: u32, flags: u32, payload: rest(HARD_MAX_PAYLOAD_BYTES) },
  }),
  /**
   * Anti-entropy ([R17]): per shard, the newest term this peer knows and, if `held` is 1, the last
   * seq it holds of it. Flag bit 0: please answer with your own digest.
   */
  'shard-digest': defineMessage({
    code: 18,
    channel: 'control',
    priority: 'control',
    fields: { flags: u32, entries: list(struct({ shard, term: u32, czar: string(128), writer: u32, seq: u32, held: u32 }), 4096) },
  }),
  /** "Resend deltas `fromSeq`..`toSeq` of this term, or a snapshot when `fromSeq` is 0" ([R14]). */
  'shard-repair': defineMessage({
    code: 19,
    channel: 'control',
    priority: 'control',
    fields: { shard, term: u32, writer: u32, fromSeq: u32, toSeq: u32 },
    check: (m) => (m.fromSeq <= m.toSeq ? undefined : `fromSeq ${m.fromSeq} is after toSeq ${m.toSeq}`),
  }),
  /** A request to the writer of a term: `what` 1 = hand the shard off to me ([R12]), 2 = send a position keyframe ([R19]), 3 = send me a copy of your replica ([R13]), 4 = I decline your handoff offer ([R12]). */
  'shard-request': defineMessage({ code: 20, channel: 'control', priority: 'control', fields: { shard, term: u32, writer: u32, what: u32 } }),
  /** The czar's answer to an `action` ([R20]): status 0 applied (effect in delta `seq` of `term`), 1 rejected, 2 not czar, 3 unknown shard. */
  'action-result': defineMessage({
    code: 21,
    channel: 'control',
    priority: 'control',
    fields: { shard, actionId: u32, status: u32, term: u32, seq: u32, payload: rest(HARD_MAX_PAYLOAD_BYTES) },
  }),
  /** Frame `seq` of the position stream of `shard` in a term ([R19]); keyframes travel on `control`. */
  'shard-positions': defineMessage({
    code: 22,
    channel: 'state',
    priority: 'state',
    fields: { shard, term: u32, writer: u32, seq: u32, payload: rest(HARD_MAX_PAYLOAD_BYTES) },
  }),
  /**
   * Internal: piece `index` of `count` of a frame too large to send whole ([W16]). `total` is the
   * byte length of the reassembled frame.
   */
  fragment: defineMessage({
    code: 15,
    channel: 'control',
    priority: 'bulk',
    internal: true,
    fields: { transfer: u32, index: u32, count: u32, total: u32, chunk: rest(HARD_MAX_PAYLOAD_BYTES) },
    check: (m) =>
      m.count < 1 || m.index >= m.count
        ? `index ${m.index} is not below count ${m.count}`
        : m.chunk.length < 1 || m.chunk.length > m.total
          ? `a chunk of ${m.chunk.length} bytes cannot be part of ${m.total} bytes`
          : m.count > m.total
            ? `${m.count} non-empty chunks cannot make ${m.total} bytes`
            : undefined,
  }),
  /** Membership probe ([M10]): answered by `member-ack` with the same `seq`. Carries piggybacked updates. */
  'member-ping': defineMessage({ code: 40, channel: 'state', priority: 'control', fields: { seq: u32, updates: list(memberUpdate, 32) } }),
  /** Answer to `member-ping` (direct, or relayed by a helper for a `member-ping-req`). */
  'member-ack': defineMessage({ code: 41, channel: 'state', priority: 'control', fields: { seq: u32, updates: list(memberUpdate, 32) } }),
  /** "Ping `target` for me and relay its ack (with my `seq`), or send `member-nack`" ([M11]). */
  'member-ping-req': defineMessage({
    code: 42,
    channel: 'state',
    priority: 'control',
    fields: { seq: u32, target: string(128), updates: list(memberUpdate, 32) },
  }),
  /** A helper of a `member-ping-req` could not reach the target ([M11], Lifeguard's nack). */
  'member-nack': defineMessage({ code: 43, channel: 'state', priority: 'control', fields: { seq: u32 } }),
  /** Membership updates without a probe: the full view on connect, leave, verdicts ([M4], [M20]). */
  'member-updates': defineMessage({ code: 44, channel: 'control', priority: 'control', fields: { updates: list(memberUpdate, 4096) } }),
  /**
   * Interest ([I2]): the whole set of shards the sender wants deltas of, replacing its earlier
   * announcements; `seq` grows with every change so a late or reordered copy is ignored.
   */
  interest: defineMessage({ code: 60, channel: 'control', priority: 'control', fields: { seq: u32, shards: list(shard, 4096) } }),
} as const;

type Specs = typeof MESSAGE_SPECS;

/** Every type name on the wire, including internal ones. */
export type FrameMessageType = keyof Specs;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** The message of type `T`. */
export type MessageOf<T extends FrameMessageType> = Flatten<{ readonly type: T } & StructValue<Specs[T]['fields']>>;

/** Anything a frame can carry, including the internal `fragment`. */
export type FrameMessage = { [T in FrameMessageType]: MessageOf<T> }[FrameMessageType];

/** The messages the layers above send and receive. */
export type Message = Exclude<FrameMessage, { readonly type: 'fragment' }>;

/** A public message type name. */
export type MessageType = Message['type'];

/** `hello`: the first message on a connection, with the sender's protocol version, id and capabilities. */
export type HelloMessage = MessageOf<'hello'>;
/** `ping`: a heartbeat; the answering {@link PongMessage} measures the round trip. */
export type PingMessage = MessageOf<'ping'>;
/** `pong`: the answer to a {@link PingMessage}, echoing its `sentAt` so the pinger times the round trip on its own clock. */
export type PongMessage = MessageOf<'pong'>;
/** `goodbye`: a graceful leave, so peers drop the sender at once instead of after a timeout. */
export type GoodbyeMessage = MessageOf<'goodbye'>;
/** `delta`: a czar's change to a shard, numbered (`term`, `seq`) so replicas apply changes in order. */
export type DeltaMessage = MessageOf<'delta'>;
/** `snapshot`: a whole shard's state as of (`term`, `seq`), for late joiners and new czars; usually fragmented. */
export type SnapshotMessage = MessageOf<'snapshot'>;
/** `action`: a request from a peer that is not the czar of `shard`, to be applied by the czar. */
export type ActionMessage = MessageOf<'action'>;
/** `ack`: "I hold `shard` up to (`term`, `seq`)". */
export type AckMessage = MessageOf<'ack'>;
/** `digest`: anti-entropy, the latest (`term`, `seq`) the sender holds of each listed shard, so peers spot what they miss. */
export type DigestMessage = MessageOf<'digest'>;
/** `repair-request`: asks for the deltas of `shard` in `term` from `fromSeq` to `toSeq` (inclusive) after a gap. */
export type RepairRequestMessage = MessageOf<'repair-request'>;
/** `shard-delta`: delta `seq` of `shard` in a term, tagged with the czar's writer tag ([R8]); gossip relays it unchanged. */
export type ShardDeltaMessage = MessageOf<'shard-delta'>;
/** `shard-snapshot`: the state of `shard` after delta `seq` of (`term`, `czar`); flag bit 0 marks a handoff ([R12]). */
export type ShardSnapshotMessage = MessageOf<'shard-snapshot'>;
/** `shard-digest`: anti-entropy ([R17]), per shard the newest term the sender knows and the last seq it holds of it. */
export type ShardDigestMessage = MessageOf<'shard-digest'>;
/** `shard-repair`: asks for deltas `fromSeq`..`toSeq` of a term, or a snapshot when `fromSeq` is 0 ([R14]). */
export type ShardRepairMessage = MessageOf<'shard-repair'>;
/** `shard-request`: asks the writer of a term for a handoff (`what` 1), a position keyframe (`what` 2) or a copy (`what` 3), or declines its handoff offer (`what` 4). */
export type ShardRequestMessage = MessageOf<'shard-request'>;
/** `action-result`: the czar's answer to an {@link ActionMessage} ([R20]): applied, rejected, not czar, or unknown shard. */
export type ActionResultMessage = MessageOf<'action-result'>;
/** `shard-positions`: frame `seq` of a shard's compact position stream in a term ([R19]). */
export type ShardPositionsMessage = MessageOf<'shard-positions'>;
/** `fragment`: internal, one piece of a frame too large to send whole ([W16]); the layers above never see it. */
export type FragmentMessage = MessageOf<'fragment'>;
/** `member-ping`: a membership probe ([M10]), answered by a {@link MemberAckMessage}; carries piggybacked updates. */
export type MemberPingMessage = MessageOf<'member-ping'>;
/** `member-ack`: the answer to a {@link MemberPingMessage}, direct or relayed by a helper. */
export type MemberAckMessage = MessageOf<'member-ack'>;
/** `member-ping-req`: asks a helper to probe `target` on the sender's behalf ([M11]). */
export type MemberPingReqMessage = MessageOf<'member-ping-req'>;
/** `member-nack`: a helper of a {@link MemberPingReqMessage} could not reach the target ([M11]). */
export type MemberNackMessage = MessageOf<'member-nack'>;
/** `member-updates`: membership updates without a probe: the full view on connect, leaves, verdicts ([M4], [M20]). */
export type MemberUpdatesMessage = MessageOf<'member-updates'>;
/** `interest`: the whole set of shards the sender wants deltas of ([I2]); a higher `seq` replaces earlier ones. */
export type InterestMessage = MessageOf<'interest'>;

/** Every type name, in code order. */
export const FRAME_MESSAGE_TYPES = (Object.keys(MESSAGE_SPECS) as FrameMessageType[]).sort(
  (a, b) => MESSAGE_SPECS[a].code - MESSAGE_SPECS[b].code,
);

/** The public type names (without internal ones). */
export const MESSAGE_TYPES = FRAME_MESSAGE_TYPES.filter((t) => !specOf(t).internal) as MessageType[];

/** The spec of `type`, widened for generic code. */
export function specOf(type: FrameMessageType): MessageSpec {
  return MESSAGE_SPECS[type] as unknown as MessageSpec;
}

const byCode: Array<FrameMessageType | undefined> = new Array(256).fill(undefined);
for (const t of FRAME_MESSAGE_TYPES) {
  const { code, fields } = specOf(t);
  if (code < 1 || code > 255 || byCode[code]) throw new Error(`wire: message code ${code} of ${t} is invalid or taken`);
  const names = Object.keys(fields);
  if (names.length === 0 || 'type' in fields) throw new Error(`wire: ${t} needs fields, and none named "type"`);
  const restAt = names.findIndex((n) => fields[n]!.kind === 'rest');
  if ((restAt !== -1 && restAt !== names.length - 1) || names.some((n) => nestsRest(fields[n]!))) {
    throw new Error(`wire: in ${t}, a rest field must be the last top-level field`);
  }
  byCode[code] = t;
}

function nestsRest(f: FieldSpec): boolean {
  if (f.kind === 'list') return f.of.kind === 'rest' || nestsRest(f.of);
  if (f.kind === 'struct') return Object.values(f.fields).some((g) => g.kind === 'rest' || nestsRest(g));
  return false;
}

/** The type with wire code `code`, or undefined for codes this version does not know. */
export function typeOfCode(code: number): FrameMessageType | undefined {
  return byCode[code];
}

/** A message encoded once, ready to be framed (possibly many times, e.g. to several peers). */
export interface EncodedMessage {
  readonly type: FrameMessageType;
  readonly code: number;
  /** The fields, without the type code. */
  readonly body: Uint8Array;
}

/**
 * Encodes and validates an outgoing message. Throws an `ArgumentError` (`invalid-argument`)
 * naming the bad field: an outgoing message that cannot be encoded is a bug in the caller.
 * Encode once and frame the result for every peer with {@link frameFromEncoded}.
 *
 * @example
 * ```ts
 * const hello = encodeMessage({ type: 'hello', version: PROTOCOL_VERSION, peerId: transport.localId, capabilities: [] });
 * hello.body.length; // bytes of the fields, without a frame header
 * ```
 */
export function encodeMessage(message: FrameMessage): EncodedMessage {
  const type = (message as { type?: unknown }).type;
  const spec = typeof type === 'string' && Object.hasOwn(MESSAGE_SPECS, type) ? specOf(type as FrameMessageType) : undefined;
  if (!spec) throw new ArgumentError(`Cannot encode a message of unknown type ${JSON.stringify(type)}.`, { type });
  let hint = 32;
  for (const name in spec.fields) {
    const v = (message as unknown as Record<string, unknown>)[name];
    if (v instanceof Uint8Array) hint += v.length + 8;
  }
  const w = new Writer(hint);
  writeStruct(w, spec.fields, message as unknown as Record<string, unknown>, String(type));
  // Only after every field passed its own check, so the rule sees well-typed values.
  const problem = spec.check?.(message as never);
  if (problem) throw new ArgumentError(`Cannot encode ${String(type)}: ${problem}.`, { type });
  return { type: type as FrameMessageType, code: spec.code, body: w.finish() };
}

/**
 * Decodes the body of a message with wire code `code` from `bytes[start..end)`, validating every
 * field and the message's own rules. Returns undefined for a code this version does not know;
 * throws a `malformed-frame` WireError for anything else that is wrong.
 */
export function decodeMessageBody(code: number, bytes: Uint8Array, start: number, end: number, budget: DecodeBudget): FrameMessage | undefined {
  const type = byCode[code];
  if (!type) return undefined;
  const spec = specOf(type);
  const r = new Reader(bytes, start, end, budget);
  const message = readStruct(r, spec.fields, { type });
  r.expectEnd(type);
  const problem = spec.check?.(message as never);
  if (problem) throw malformed('invalid-message', `${type}: ${problem}`);
  return message as FrameMessage;
}
