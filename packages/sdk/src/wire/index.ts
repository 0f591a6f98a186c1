/**
 * The wire layer: every byte between peers passes through here. Frames (header, checksum,
 * version), the message union, batching, fragmentation, compression, send queues with
 * backpressure, and the validating receive pipeline. Rules: SPEC.md, section W.
 */
export { crc32c, crc32cUpdate } from './crc32c.js';
export { type MalformedReason, malformed, payloadTooLarge } from './codec.js';
export { type ShardRef, MAX_SHARD_ID_BYTES } from './schema.js';
export {
  type Channel,
  type Priority,
  type Message,
  type MessageType,
  type FrameMessage,
  type FrameMessageType,
  type MessageOf,
  type EncodedMessage,
  type HelloMessage,
  type PingMessage,
  type PongMessage,
  type GoodbyeMessage,
  type DeltaMessage,
  type SnapshotMessage,
  type ActionMessage,
  type AckMessage,
  type DigestMessage,
  type RepairRequestMessage,
  type FragmentMessage,
  type MemberPingMessage,
  type MemberAckMessage,
  type MemberPingReqMessage,
  type MemberNackMessage,
  type MemberUpdatesMessage,
  type InterestMessage,
  MESSAGE_SPECS,
  MESSAGE_TYPES,
  PRIORITIES,
  encodeMessage,
} from './messages.js';
export {
  type DecodedFrame,
  type DecodeFrameOptions,
  type EncodeFrameOptions,
  type SignatureTrailer,
  BATCH_TYPE,
  CONTROL_FRAME_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  FrameFlag,
  HEADER_BYTES,
  HeaderOffset,
  MAGIC,
  MAX_FRAME_BYTES,
  STATE_FRAME_BYTES,
  decodeFrame,
  encodeFrame,
  frameFromEncoded,
} from './frame.js';
export { COMPRESS_MIN_BYTES } from './compress.js';
export { type TransferDropped, FRAGMENT_OVERHEAD_BYTES } from './fragment.js';
export { type InboxEvents, type InboxOptions, type InboxStats, DEFAULT_REASSEMBLY_TIMEOUT_MS, Inbox } from './inbox.js';
export {
  type DrainResult,
  type EnqueueOptions,
  type FrameSink,
  type OutboxEvents,
  type OutboxOptions,
  type OutboxStats,
  DEFAULT_HIGH_WATER_BYTES,
  Outbox,
} from './outbox.js';
export { PROTOCOL_VERSION, SUPPORTED_VERSIONS, incompatibleVersion, isSupportedVersion } from './version.js';
