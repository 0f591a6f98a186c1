/**
 * The replicated state of a `SectorWorld` ([S21]): one {@link SectorState} shard per sector
 * (named by its key, [S12]) holding its units, its outgoing transfers and the ids of transfers it
 * received; one {@link RegionState} shard per region (named `region:<key>`) holding the region's
 * active sectors and the summaries their czars publish.
 */
import { schema, t, type SchemaType } from '@colyseus/schema';
import { shardId, type ShardId } from '../authority/ids.js';
import { key, tryParseKey, type SectorId } from './sector.js';

/** One unit: position in world units (float32: a `SectorWorld` rounds with `Math.fround` so czar and replicas agree) and owner. */
export const UnitState = schema({ x: t.float32(), y: t.float32(), owner: t.string() }, 'AnarchyWorldUnit');
export type UnitState = SchemaType<typeof UnitState>;

/**
 * A unit on its way out ([S22]): removed from `units`, kept here until the destination confirmed
 * it (`settled`, once its arrival there is committed) and that mark is committed too. Keyed by
 * transfer id.
 */
export const TransferState = schema(
  { unit: t.string(), x: t.float32(), y: t.float32(), owner: t.string(), to: t.string(), at: t.float64(), settled: t.boolean().default(false) },
  'AnarchyWorldTransfer',
);
export type TransferState = SchemaType<typeof TransferState>;

/**
 * A transfer this sector received ([S22]), kept so a resent one is not applied twice: when, from
 * which sector, whether its arrival is committed (`ok`, what the source waits for), and the point
 * of the source (term number, czar, seq) at which the outbox entry was committed: once a replica
 * of the source at or past it no longer holds the entry, the record can go.
 */
export const ReceivedState = schema(
  { at: t.float64(), from: t.string(), ok: t.boolean().default(false), term: t.uint32(), czar: t.string(), seq: t.uint32() },
  'AnarchyWorldReceived',
);
export type ReceivedState = SchemaType<typeof ReceivedState>;

/** A sector shard: units, pending outgoing transfers, and received transfer ids (tombstones). */
export const SectorState = schema(
  { units: t.map(UnitState), outbox: t.map(TransferState), received: t.map(ReceivedState) },
  'AnarchyWorldSector',
);
export type SectorState = SchemaType<typeof SectorState>;

/** What a sector's czar publishes to its region ([S24]). */
export const SummaryState = schema(
  { count: t.uint32(), activity: t.uint32(), owners: t.map('uint32'), children: t.array('uint32'), at: t.float64() },
  'AnarchyWorldSummary',
);
export type SummaryState = SchemaType<typeof SummaryState>;

/** A region shard: its active sectors (keys), their summaries, and the rebalance memory. */
export const RegionState = schema(
  { leaves: t.array('string'), summaries: t.map(SummaryState), memory: t.map('uint32'), round: t.uint32() },
  'AnarchyWorldRegion',
);
export type RegionState = SchemaType<typeof RegionState>;

const REGION_PREFIX = 'region:';

/**
 * The shard of region `id` ([S21]): `region:` + its key.
 *
 * @example
 * ```ts
 * regionShard(sector(1, 0, 3)); // 'region:s3:1,0'
 * ```
 */
export function regionShard(id: SectorId): ShardId {
  return shardId(REGION_PREFIX + key(id));
}

/**
 * The region a shard id names, or undefined.
 *
 * @example
 * ```ts
 * regionOfShard('region:s3:1,0'); // { x: 1, y: 0, scale: 3 }
 * ```
 */
export function regionOfShard(shard: string): SectorId | undefined {
  return shard.startsWith(REGION_PREFIX) ? tryParseKey(shard.slice(REGION_PREFIX.length)) : undefined;
}

/** A transfer into a sector shard ([S22]): applied at most once per `tid`. */
export interface TransferIn {
  readonly op: 'in';
  readonly tid: string;
  /** The source sector's key. */
  readonly from: string;
  /** A point of the source (term number, its czar, seq) at which the outbox entry is committed. */
  readonly term: number;
  readonly czar: string;
  readonly seq: number;
  readonly unit: string;
  readonly x: number;
  readonly y: number;
  readonly owner: string;
}

/** A new unit, placed by the czar of the sector holding it. */
export interface SpawnAction {
  readonly op: 'spawn';
  readonly unit: string;
  readonly x: number;
  readonly y: number;
  readonly owner: string;
}

/** A sector's summary, sent to its region's czar ([S24]). */
export interface SummaryAction {
  readonly op: 'summary';
  readonly sector: string;
  readonly count: number;
  readonly activity: number;
  readonly owners: Readonly<Record<string, number>>;
  /** Units per child, in `children()` order (empty at scale 0). */
  readonly children: readonly number[];
}
