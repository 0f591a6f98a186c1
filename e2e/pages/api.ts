/**
 * What each test page exposes on `window`, so specs drive pages through `page.evaluate` with
 * typed calls. Only plain data crosses the page boundary (Playwright serialises it).
 */

/** Numbers a message's bytes arrive as, so they survive serialisation to the test. */
export interface ReceivedMessage {
  readonly from: string;
  readonly channel: 'control' | 'state';
  readonly bytes: number[];
  /** `Date.now()` in the page when the message arrived. */
  readonly at: number;
}

export interface LeftRecord {
  readonly peer: string;
  readonly reason: string;
  /** `Date.now()` in the page when `peer-left` fired. */
  readonly at: number;
}

/** A data channel as the transport created it, for checking its delivery guarantees. */
export interface ChannelInfoRecord {
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly readyState: string;
  readonly label: string;
}

/** `peer.html`: one `PeerJsTransport` in the room named by `?room=`. */
export interface PeerPageApi {
  readonly id: string;
  peers(): string[];
  /** When each peer was first seen connected (`Date.now()` in the page). */
  readonly joinedAt: Record<string, number>;
  readonly received: ReceivedMessage[];
  readonly left: LeftRecord[];
  readonly errors: string[];
  send(peer: string, channel: 'control' | 'state', bytes: number[]): void;
  channelInfo(peer: string, channel: 'control' | 'state'): ChannelInfoRecord | undefined;
  close(): Promise<void>;
}

/** One scenario's outcome, as `runConformance` reports it. */
export interface ConformanceResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly ms: number;
}

/** `plain.html`: a bare PeerJS `Peer` (no SDK) against the signal service. */
export interface PlainPageApi {
  readonly id: string;
  /** Dials `peer` and resolves once the data connection is open. */
  connect(peer: string): Promise<void>;
  /** Sends `text` on every open connection. */
  send(text: string): void;
  readonly received: Array<{ readonly from: string; readonly text: string }>;
  readonly errors: string[];
}

/** A shard's values as `room.html` sees them (every shard has the same schema). */
export interface ShardValues {
  /** Incremented by every `mutateOwned` write of the shard's czar. */
  readonly n: number;
  /** Writes per page id: the czar adds 1 to its own entry with each `n++`, so the entries sum to `n`. */
  readonly by: Record<string, number>;
  /** Sum of the `add` of every action the czars applied. */
  readonly acts: number;
  /** `tag` of the last action applied. */
  readonly lastAct: string;
}

/** One entry of `room.html`'s event log; `at` is `Date.now()` in the page. */
export type RoomEventRecord =
  | { readonly type: 'czar'; readonly at: number; readonly shard: string; readonly czar: string | null; readonly backups: string[]; readonly term: number | null; readonly writer: string | null }
  | {
      readonly type: 'rollback';
      readonly at: number;
      readonly shard: string;
      readonly term: number;
      readonly czar: string;
      readonly lastSeq: number;
      readonly unsent: boolean;
      readonly byTerm: number;
      readonly byCzar: string;
    }
  /** This page started writing a shard (a `claim` trace): fresh, from its replica, from a handoff, or from a copy. */
  | { readonly type: 'claim'; readonly at: number; readonly shard: string; readonly term: number; readonly from: string }
  | { readonly type: 'peer-joined'; readonly at: number; readonly peer: string }
  | { readonly type: 'peer-left'; readonly at: number; readonly peer: string; readonly reason: string };

/** What `room.html` saw of one shard's `change` events. */
export interface ChangeRecord {
  readonly count: number;
  /** `Date.now()` of the latest change. */
  readonly lastAt: number;
  /** The first change seen in each writing term, oldest first: when each czar's writes started showing here. */
  readonly terms: ReadonlyArray<{ readonly term: number; readonly czar: string; readonly at: number }>;
}

/** Outcome of a write or action attempted from a page: the error's code travels, not the error. */
export type Attempt<T = undefined> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: string; readonly message: string };

/** `room.html`: one SDK `Room` with shards `s0`…`s7` in the room named by `?room=`. */
export interface RoomPageApi {
  readonly id: string;
  readonly shards: readonly string[];
  /** `room.peers()`: members of the view, this page included. */
  peers(): string[];
  /** When each peer's transport connection opened (`Date.now()` in the page). */
  readonly joinedAt: Record<string, number>;
  /** Writes every shard this page is czar of now (`n++`, `by[self]++`); returns the shards written. */
  mutateOwned(): string[];
  /** Tries the same write on `shard` whatever this page's role; elsewhere than on the czar it fails with `not-czar`. */
  tryMutate(shard: string): Attempt;
  /** `room.act(shard, { add, tag })`; resolves with the shard's new `acts` total, or the error's code. */
  act(shard: string, add: number, tag: string): Promise<Attempt<number>>;
  /** Writes that succeeded from this page, per shard. */
  readonly writes: Record<string, number>;
  /** Starts writing owned shards every `everyMs` (default 50); idempotent. */
  startMutating(everyMs?: number): void;
  stopMutating(): void;
  hashes(): Record<string, string>;
  czars(): Record<string, string | null>;
  backups(): Record<string, string[]>;
  /** Shards this page writes now (`isCzar`). */
  owned(): string[];
  /** `termOf` each shard, as `term@czar#seq`, or null before the first snapshot. */
  terms(): Record<string, string | null>;
  values(shard: string): ShardValues;
  readonly events: RoomEventRecord[];
  readonly changes: Record<string, ChangeRecord>;
  /** Room `error` events and failed timer writes. */
  readonly errors: string[];
  leave(): Promise<void>;
}

declare global {
  interface Window {
    e2e?: PeerPageApi;
    room?: RoomPageApi;
    plain?: PlainPageApi;
    /** Runs the SDK's conformance suite in this page; `only` selects one scenario by exact name. */
    runConformance?: (signalUrl: string, only?: string) => Promise<ConformanceResult[]>;
    /** Set when a page failed to start; specs fail with this message instead of timing out. */
    e2eError?: string;
  }
}
