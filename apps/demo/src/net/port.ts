/**
 * The part of the SDK's `Room` the game uses. The game is written against this interface, so it
 * runs over a real `Room` (WebRTC or the simulated network) and the rest of the demo never
 * imports the SDK's replication API directly.
 */
import type { Schema } from '@colyseus/schema';

/** A shard's change, as the room reports it. */
export interface ChangeLike {
  readonly shard: string;
  readonly kind: 'snapshot' | 'delta' | 'local' | 'positions';
}

/** A shard's czar change, as the room reports it. */
export interface CzarLike {
  readonly shard: string;
  readonly czar: string | undefined;
  readonly backups: readonly string[];
  readonly term: number | undefined;
  readonly writer: string | undefined;
}

/** Who sent an action. */
export interface ActionContextLike {
  readonly from: string;
}

/** Traffic with one peer (cumulative). */
export interface PeerMetricsLike {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly rttMs: number | undefined;
  readonly srttMs: number | undefined;
}

/** Replication of one shard on this peer (cumulative). */
export interface ShardMetricsLike {
  readonly role: string;
  readonly deltasSent: number;
  readonly deltasApplied: number;
}

/** What `metrics()` reports. */
export interface MetricsLike {
  readonly peers: Readonly<Record<string, PeerMetricsLike>>;
  readonly shards: Readonly<Record<string, ShardMetricsLike>>;
}

/** The room API the game needs (a subset of the SDK's `Room`). */
export interface RoomPort {
  readonly self: string;
  declareShard<S extends Schema>(
    id: string,
    State: new () => S,
    options?: { readonly onAction?: (state: S, action: unknown, ctx: ActionContextLike) => unknown },
  ): unknown;
  state<S extends Schema = Schema>(id: string): S;
  mutate<S extends Schema, R>(id: string, fn: (state: S) => R): R;
  act<R = unknown>(id: string, action: unknown, options?: { readonly timeoutMs?: number }): Promise<R>;
  on(event: 'change', listener: (change: ChangeLike) => void): () => void;
  on(event: 'czar', listener: (event: CzarLike) => void): () => void;
  isCzar(id: string): boolean;
  czarOf(id: string): string | undefined;
  backupsOf(id: string): readonly string[];
  stateHash(id: string): string;
  metrics(): MetricsLike;
  peers(): readonly string[];
  /** Declares the shards this peer wants (interest-scoped delivery; a no-op when the room has it off). */
  setInterest(shards: Iterable<string>, group?: string): void;
  leave(): Promise<void>;
  readonly closed: boolean;
}
