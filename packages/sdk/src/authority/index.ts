/**
 * Authority layer: who writes each shard (czar), who takes over (backups) and which writer wins
 * (terms), all computed identically on every peer from the membership view.
 */
export { MAX_SHARD_ID_LENGTH, MAX_U32, isShardId, seq, shardId, term, type Seq, type ShardId, type Term } from './ids.js';
export { DEFAULT_WEIGHT, rankPeers, type PeerWeights, type Placement } from './rendezvous.js';
export { AuthorityView, diffCzars, type AuthorityViewInit, type CzarChange } from './view.js';
export { TermTracker, type TermDecision, type TermRecord, type TermRejection } from './terms.js';
