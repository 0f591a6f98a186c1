/**
 * Replication: one schema state per shard (czar-side writer, replica-side reader, state hash),
 * the compact position stream for moving units, terms, the relay plan, and the engine's option
 * and event types. The engine itself is driven through `Room` (src/room.ts). Rules: SPEC.md,
 * section R.
 */
export { ShardReader, ShardWriter, type ShardChangeEvent, type StateSource } from './shard-store.js';
export { fnv1a64, stateHash, type StateHash } from './state-hash.js';
export { canonicalCopy } from './canonical.js';
export {
  DEFAULT_KEYFRAME_INTERVAL,
  MAX_POSITION,
  MAX_STREAM_UNITS,
  MAX_UNIT_ID,
  POSITION_FORMAT_VERSION,
  PositionStreamDecoder,
  PositionStreamEncoder,
  quantize,
  type PositionApplyResult,
  type PositionEncoderOptions,
  type PositionFrame,
  type PositionSample,
} from './positions.js';
export { compareClaims, compareEpochs, epochKey, formatEpoch, sameEpoch, writerTag, type Epoch } from './epoch.js';
export { relayHops, relayKey, relayOrder, relayTargets, type RelayPlanOptions } from './gossip.js';
export type { PositionsView } from './positions-view.js';
export {
  REPLICATION_DEFAULTS,
  type ActionContext,
  type CzarChangeEvent,
  type PeerMetrics,
  type ReplicationEvents,
  type ReplicationOptions,
  type ReplicationTrace,
  type RollbackEvent,
  type RoomMetrics,
  type ShardChange,
  type ShardMetrics,
  type ShardOptions,
} from './engine-types.js';
