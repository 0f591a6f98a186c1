/**
 * Replication building blocks: one schema state per shard (czar-side writer, replica-side
 * reader, state hash) and the compact position stream for moving units. Ordering by
 * (term, seq), gap repair and relay live in the layer above.
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
