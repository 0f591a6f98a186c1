/**
 * Rules of the demo game, with their units. Every peer must use the same values: the czar of a
 * sector simulates with them and every replica extrapolates unit paths with them.
 */

/** One simulation step of a sector's czar, in ms (10 Hz). Timers, never requestAnimationFrame. */
export const TICK_MS = 100;

/** Side of a scale-0 sector in world units. Scale s is `SECTOR_SIZE · 2^s` wide. */
export const SECTOR_SIZE = 125;

/** Sectors at this scale are the gameplay shards: 125 · 2^3 = 1,000 world units wide. */
export const GAMEPLAY_SCALE = 3;

/** Side of a gameplay sector in world units. */
export const GAMEPLAY_SIDE = SECTOR_SIZE * 2 ** GAMEPLAY_SCALE;

/**
 * Gameplay sectors span coordinates -GALAXY_HALF .. GALAXY_HALF-1 on each axis: 6 × 6 = 36 shards.
 * Kept small because every peer replicates every shard (each costs digests and, when busy, deltas).
 */
export const GALAXY_HALF = 3;

/** Ship speed in world units per tick (60 units/s: a sector crossing takes about 17 s). */
export const SHIP_SPEED = 6;

/** Hit points of a new ship. */
export const SHIP_HP = 100;

/** Ships closer than this to an enemy ship take damage, in world units. */
export const COMBAT_RANGE = 70;

/** Damage per tick per enemy in range, counted up to {@link MAX_ATTACKERS} (a ship dies in 1.7–5 s). */
export const DAMAGE_PER_ENEMY = 2;

/** Most enemies that hurt one ship in a tick: a blob of 100 does not erase a ship in one step. */
export const MAX_ATTACKERS = 3;

/** Ships within this distance of a planet count towards capturing it, in world units. */
export const CAPTURE_RANGE = 150;

/** Capture progress per tick for the owner with the most ships in range (100 = captured, 2.5 s). */
export const CAPTURE_STEP = 4;

/** An owned planet builds a ship every this many ticks (15 s). */
export const PRODUCTION_TICKS = 150;

/** A planet stops building while its owner has this many ships in the sector. */
export const PRODUCTION_CAP = 30;

/**
 * While ships move, the czar rewrites the sector's tick at least this often (1 s) so replicas can
 * re-anchor their extrapolated clock; quiet sectors send nothing at all.
 */
export const HEARTBEAT_TICKS = 10;

/** Ships a player starts with (`?fleet=` overrides, up to {@link MAX_FLEET}). */
export const FLEET_SIZE = 20;

/** Largest starting fleet a czar accepts. */
export const MAX_FLEET = 400;

/**
 * Hand-off receipts kept per sector (unit id → hops). A receipt lets the receiver recognise a
 * retried hand-off; past this many, receipts of units no longer in the sector are dropped oldest
 * first. A retry older than about 2,000 hand-offs through one sector is not expected.
 */
export const SEEN_LIMIT = 2_048;

/** Id of the shard that holds the player list (not a sector key, so no sector czar logic). */
export const PLAYERS_SHARD = 'players';

/** Replicas extrapolate a sector's clock at most this many ticks past the last one they saw. */
export const MAX_EXTRAPOLATION_TICKS = 30;

/** A czar behind by more than this many ticks (hidden tab) skips ahead instead of replaying. */
export const MAX_CATCH_UP_TICKS = 20;
