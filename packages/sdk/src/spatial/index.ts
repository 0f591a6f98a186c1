/**
 * Spatial layer: sector ids of a world quadtree, interest (which sectors a view needs), the
 * sector → shard mapping, unit bookkeeping with hand-offs, the hot/cold split and merge policy
 * and sector summaries. Pure: no I/O, no clock, no globals.
 *
 * Rules (tests cite them by id):
 * - [S1] A sector is (x, y, scale) with integer fields, scale 0..24 (`MAX_SCALE`), and both
 *   coordinates in [-2^(24-scale), 2^(24-scale) - 1]: 2^25 sectors a side at scale 0, four root
 *   sectors (one per quadrant) at scale 24. Anything else is an `ArgumentError`.
 * - [S2] parent = (x >> 1, y >> 1, scale + 1) (floor division, so negatives work); none at the top.
 *   Children = (2x + dx, 2y + dy, scale - 1) for dx, dy in {0, 1}; none at scale 0. Inverse.
 * - [S3] A sector at scale s is sectorSize·2^s world units wide and covers [x·side, (x+1)·side)
 *   on each axis. `fromPoint` returns the one sector holding the point (borders go right/down,
 *   negatives floor), consistent across scales and with `bounds` to the last float bit; points
 *   outside the world are an `ArgumentError`.
 * - [S4] Neighbours: the up to 8 sectors at Chebyshev distance 1, same scale, inside the world.
 * - [S5] contains(a, b) iff a is b or an ancestor of b; ancestorAt(b, s) is b's ancestor at s.
 * - [S6] Text key `s<scale>:<x>,<y>` in canonical decimal (no leading zeros, no -0, no +), at
 *   most 22 characters; parseKey accepts exactly the keys of valid sectors.
 * - [S7] Binary form: scale u8, zig-zag varint x, zig-zag varint y (3–9 bytes); decoding bytes
 *   that name no sector is a `malformed-frame` WireError with reason `out-of-range`.
 * - [S8] Sectors are equal iff all three fields are; order is by scale, then y, then x.
 * - [S9] Interest of a view rectangle (closed) at a scale: the sectors it overlaps plus their
 *   8-neighbours, clipped to the world, sorted; at most 4096 or an `ArgumentError`.
 * - [S10] summaryScaleFor: the finest scale >= minScale at which the view spans at most
 *   maxSectorsAcross sectors (default 8).
 * - [S11] InterestSet.diff(next): entered = next minus current, left = current minus next, sorted.
 * - [S12] The shard of a sector is named by its key; a shard id that is no sector key is no sector.
 * - [S13] SectorActivity: every unit is in exactly one sector at `resolution` and exactly one
 *   active sector; a move reports a hand-off iff the unit's active sector changes; unit counts
 *   and activity add up from children to parents.
 * - [S14] Active sectors never overlap (none is an ancestor of another). A unit in uncovered
 *   space gets the coarsest sector holding it, at most the default scale, that holds no active one.
 * - [S15] Split: an active sector with load > splitAbove and scale > minScale becomes its children
 *   that hold units.
 * - [S16] Merge: the active children of a parent at scale <= maxScale, with no deeper active
 *   sector under it, become the parent after `coldRounds` consecutive rounds of parent load
 *   < mergeBelow.
 * - [S17] Drop: an active sector with no units for `coldRounds` consecutive rounds stops being one.
 * - [S18] mergeBelow <= splitAbove, and split and merge compare the same sector's load, so under a
 *   constant load the active set settles and never changes again; rebalancing keeps [S14] and
 *   covers every unit.
 * - [S19] summarize counts units per owner; rollUp of children's summaries equals summarize of
 *   all their units (counts, owners and activity add up).
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
