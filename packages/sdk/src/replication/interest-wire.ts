/**
 * `InterestExchange`: carries interest announcements ([I2], message `interest`, code 60) between
 * peers and keeps an {@link InterestTable} current. It runs beside the replication engine on the
 * same transport, with its own Outbox/Inbox per peer: it only decodes frames whose type byte is
 * 60 (an announcement always fits one frame, see {@link MAX_INTEREST_SHARDS}), so the engine's
 * traffic costs it one byte comparison per frame.
 *
 * Create it before the engine: both listen for `peer-joined`, and announcing first means a
 * joiner's interest reaches a czar before the engine's digest asks for state ([I5]).
 */
import { ArgumentError } from '../errors.js';
import type { PeerId, Transport } from '../transport/types.js';
import type { Clock } from '../util/clock.js';
import { Emitter } from '../util/emitter.js';
import { HeaderOffset } from '../wire/frame.js';
import { Inbox } from '../wire/inbox.js';
import { MESSAGE_SPECS, type Channel } from '../wire/messages.js';
import { Outbox } from '../wire/outbox.js';
import { InterestTable, type InterestTableOptions } from './interest.js';

/**
 * Most shards one peer may be interested in at once. At up to 64 bytes per id, 1,024 ids stay
 * within one control frame after compression in practice, and sector keys (≤ 22 bytes) always do.
 */
export const MAX_INTEREST_SHARDS = 1024;

const INTEREST_CODE = MESSAGE_SPECS.interest.code;

/** Events of an {@link InterestExchange}. */
export interface InterestEvents {
  /** `peer` announced a new interest set ([I2]). */
  announce: { readonly peer: PeerId; readonly shards: readonly string[] };
}

/** Options of an {@link InterestExchange}. */
export interface InterestExchangeOptions extends InterestTableOptions {
  readonly transport: Transport;
  /** Drives reassembly timeouts of the inboxes. */
  readonly clock: Clock;
  /** Where exceptions thrown by event listeners go. */
  readonly onListenerError?: (err: unknown) => void;
}

interface Pipe {
  readonly outbox: Outbox;
  readonly inbox: Inbox;
}

/**
 * This peer's interest, in named groups (a `SectorWorld` uses one, the game may add its own), and
 * everyone else's as announced. The union of the groups is announced on every change.
 */
export class InterestExchange {
  /** Everyone's interest; pass it to the engine as its `interest` filter. */
  readonly table: InterestTable;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly groups = new Map<string, readonly string[]>();
  private readonly pipes = new Map<PeerId, Pipe>();
  private readonly events: Emitter<InterestEvents>;
  private readonly unsubscribe: Array<() => void>;
  private seq = 0;
  private disposed = false;
  /** Announcements sent (each to one peer). */
  sent = 0;

  constructor(options: InterestExchangeOptions) {
    this.transport = options.transport;
    this.clock = options.clock;
    this.table = new InterestTable(options.transport.localId, options);
    this.events = new Emitter<InterestEvents>(options.onListenerError);
    this.unsubscribe = [
      this.transport.on('peer-joined', ({ peer }) => this.announceTo(peer)),
      this.transport.on('peer-left', ({ peer }) => {
        this.table.forget(peer);
        const pipe = this.pipes.get(peer);
        if (pipe) {
          pipe.outbox.clear();
          pipe.inbox.close();
          this.pipes.delete(peer);
        }
      }),
      this.transport.on('message', ({ peer, channel, data }) => this.receive(peer, channel, data)),
    ];
  }

  /** Subscribes to an event; returns an unsubscribe function. */
  on<K extends keyof InterestEvents>(event: K, listener: (payload: InterestEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /**
   * Sets the shards of interest group `group` (an empty list removes it) and announces the union
   * of all groups to every connected peer if it changed. Throws {@link ArgumentError} past
   * {@link MAX_INTEREST_SHARDS} shards in all.
   */
  set(group: string, shards: Iterable<string>): void {
    const list = [...new Set(shards)].sort();
    for (const s of list) {
      if (typeof s !== 'string' || s.length === 0 || s.length > 64) {
        throw new ArgumentError(`Interest in shard ${JSON.stringify(s)} is invalid: use the shard's id (1–64 characters).`, { shard: s });
      }
    }
    if (list.length === 0) this.groups.delete(group);
    else this.groups.set(group, list);
    const union = new Set<string>();
    for (const g of this.groups.values()) for (const s of g) union.add(s);
    if (union.size > MAX_INTEREST_SHARDS) {
      throw new ArgumentError(`Interest in ${union.size} shards is too much: at most ${MAX_INTEREST_SHARDS}. Watch a coarser scale (summaries) instead.`, {
        count: union.size,
      });
    }
    if (!this.table.setOwn(union) || this.disposed) return;
    this.seq++;
    for (const p of this.transport.peers()) this.announceTo(p);
  }

  /** The shards of one group, sorted. */
  group(group: string): readonly string[] {
    return this.groups.get(group) ?? [];
  }

  /** Stops listening and frees the per-peer queues. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const off of this.unsubscribe) off();
    for (const pipe of this.pipes.values()) {
      pipe.outbox.clear();
      pipe.inbox.close();
    }
    this.pipes.clear();
  }

  private pipe(peer: PeerId): Pipe {
    let pipe = this.pipes.get(peer);
    if (!pipe) this.pipes.set(peer, (pipe = { outbox: new Outbox({ peer }), inbox: new Inbox({ clock: this.clock, peer }) }));
    return pipe;
  }

  private announceTo(peer: PeerId): void {
    // Nothing to say before the first set(): an unknown peer is interested in nothing ([I1]).
    if (this.disposed || this.seq === 0 || this.transport.closed) return;
    const pipe = this.pipe(peer);
    pipe.outbox.enqueue({ type: 'interest', seq: this.seq, shards: this.table.ownShards() });
    pipe.outbox.drain({
      send: (channel: Channel, frame: Uint8Array) => this.transport.send(peer, channel, frame),
      bufferedAmount: (channel: Channel) => this.transport.bufferedAmount(peer, channel),
    });
    this.sent++;
  }

  private receive(peer: PeerId, channel: Channel, data: Uint8Array): void {
    if (this.disposed || data.length <= HeaderOffset.Type || data[HeaderOffset.Type] !== INTEREST_CODE) return;
    for (const m of this.pipe(peer).inbox.receive(channel, data)) {
      if (m.type !== 'interest') continue;
      const shards = m.shards.filter((s): s is string => typeof s === 'string');
      if (this.table.update(peer, m.seq, shards)) this.events.emit('announce', { peer, shards });
    }
  }
}
