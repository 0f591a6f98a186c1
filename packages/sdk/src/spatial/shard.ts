/**
 * Sector → shard mapping ([S12]): an active sector is the shard named by its {@link key}, so
 * every peer derives the same shard id (and, through rendezvous hashing, the same czar and
 * backups) from the sector alone. Shards that are not sectors (lobby, chat, …) simply use ids
 * that are not sector keys.
 */
import { shardId, type ShardId } from '../authority/ids.js';
import { key, tryParseKey, type SectorId } from './sector.js';

/**
 * The shard that holds sector `id`'s state ([S12]).
 *
 * @example
 * ```ts
 * shardForSector(sector(3, 4, 0)); // 's0:3,4'
 * room.declareShard(shardForSector(home), SectorState);
 * ```
 */
export function shardForSector(id: SectorId): ShardId {
  return shardId(key(id));
}

/**
 * The sector a shard id names, or `undefined` for a shard that is not a sector ([S12]).
 *
 * @example
 * ```ts
 * sectorForShard('s0:3,4'); // { x: 3, y: 4, scale: 0 }
 * sectorForShard('lobby'); // undefined
 * ```
 */
export function sectorForShard(shard: ShardId | string): SectorId | undefined {
  return tryParseKey(shard);
}
