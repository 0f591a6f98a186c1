/**
 * Spatial layer: sector ids of a world quadtree, interest (which sectors a view needs), the
 * sector → shard mapping, unit bookkeeping with hand-offs, the hot/cold split and merge policy
 * and sector summaries — pure: no I/O, no clock, no globals — and `SectorWorld`, which runs all of
 * it on a `Room` (units in sector shards, hand-offs between czars, summaries, rebalancing) with
 * the clock it is given.
 *
 * The rules [S1]–[S26] are in SPEC.md, section S; tests cite them by id.
 */
export {
  MAX_SCALE,
  ancestorAt,
  bounds,
  cellOf,
  children,
  compareSectors,
  contains,
  coordRange,
  fromPoint,
  isSectorId,
  key,
  neighbours,
  parent,
  parseKey,
  sector,
  sectorEquals,
  sectorSide,
  tryParseKey,
  worldBounds,
  type Rect,
  type SectorId,
} from './sector.js';
export { MAX_SECTOR_BYTES, decodeSector, encodeSector, readSector, writeSector } from './codec.js';
export {
  DEFAULT_MAX_SECTORS_ACROSS,
  InterestSet,
  MAX_INTEREST_SECTORS,
  interestFromRect,
  interestFromSectors,
  summaryScaleFor,
  type InterestDiff,
  type SummaryScaleOptions,
} from './interest.js';
export { sectorForShard, shardForSector } from './shard.js';
export { SectorLayout } from './layout.js';
export {
  DEFAULT_REBALANCE_POLICY,
  loadValue,
  planRebalance,
  rebalancePolicy,
  type RebalanceInput,
  type RebalancePlan,
  type RebalancePolicy,
  type SectorLoad,
  type SectorMerge,
  type SectorSplit,
} from './rebalance.js';
export { SectorActivity, type HandOff, type Point, type SectorActivityOptions } from './activity.js';
export { rollUp, summarize, type SectorSummary } from './summary.js';
export {
  MAX_WORLD_SHARDS,
  SectorWorld,
  WORLD_DEFAULTS,
  type SectorWorldOptions,
  type WorldStats,
  type WorldUnit,
} from './world.js';
export { PLACEMENT_TIERS, homeOf, sectorPlacement, withHome } from './placement.js';
export { SuccessionHeads } from './succession.js';
export { MembershipScope } from './scope.js';
