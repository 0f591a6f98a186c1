/**
 * `MembershipWire`: runs a membership's messages through the wire layer on its own, one
 * {@link Outbox} and {@link Inbox} per peer. It exists for standalone use and tests; a room that
 * already keeps one Outbox/Inbox per peer wires the membership into those instead:
 *
 * ```ts
 * membership.onSend((peer, message, channel) => { outboxOf(peer).enqueue(message, { channel }); drain(peer); });
 * // in the room's receive loop, for each decoded message:
 * if (isMembershipMessage(message)) membership.handle(peer, message);
 * membership.start();
 * ```
 *
 * Messages to a peer without an open connection are dropped (the membership treats that like
 * any other loss). Frames that are not membership messages are handed to `onOther`, if given.
 */
import type { PeerId, Transport } from '../transport/types.js';
import type { Clock } from '../util/clock.js';
import { Inbox, type InboxOptions } from '../wire/inbox.js';
import type {
  Channel,
  MemberAckMessage,
  MemberNackMessage,
  MemberPingMessage,
  MemberPingReqMessage,
  MemberUpdatesMessage,
  Message,
  MessageType,
} from '../wire/messages.js';
import { Outbox, type OutboxOptions } from '../wire/outbox.js';

/** Every message the membership sends and handles (codes 40–59, SPEC.md section M). */
export type MembershipMessage = MemberPingMessage | MemberAckMessage | MemberPingReqMessage | MemberNackMessage | MemberUpdatesMessage;

/** The membership's message types. */
export const MEMBERSHIP_MESSAGE_TYPES: readonly MembershipMessage['type'][] = ['member-ping', 'member-ack', 'member-ping-req', 'member-nack', 'member-updates'];
const TYPES: ReadonlySet<MessageType> = new Set(MEMBERSHIP_MESSAGE_TYPES);

/**
 * True for messages a membership handles: route them to `membership.handle`.
 *
 * @example
 * ```ts
 * for (const m of inbox.receive(channel, bytes)) if (isMembershipMessage(m)) swim.handle(peer, m);
 * ```
 */
export function isMembershipMessage(message: Message): message is MembershipMessage {
  return TYPES.has(message.type);
}

/** The two hooks a membership exposes to whoever carries its messages. */
export interface MembershipEndpoint {
  handle(peer: PeerId, message: Message): void;
  onSend(send: (peer: PeerId, message: MembershipMessage, channel: Channel) => void): () => void;
}

/**
 * Options of {@link MembershipWire}.
 *
 * @example
 * ```ts
 * const options: MembershipWireOptions = { clock: net.clock, onOther: (peer, m) => console.log(peer, m.type) };
 * ```
 */
export interface MembershipWireOptions {
  /** Drives reassembly timeouts of the inboxes. */
  readonly clock: Clock;
  readonly inbox?: Omit<InboxOptions, 'clock' | 'peer'>;
  readonly outbox?: Omit<OutboxOptions, 'peer'>;
  /** Non-membership messages received (they are dropped without it). */
  readonly onOther?: (peer: PeerId, message: Message) => void;
  /** Wire errors (malformed frames, send failures); default: ignored, as the inbox counts them. */
  readonly onError?: (peer: PeerId, error: Error) => void;
}

interface PeerPipe {
  readonly outbox: Outbox;
  readonly inbox: Inbox;
  readonly sink: { send(channel: Channel, frame: Uint8Array): void; bufferedAmount(channel: Channel): number };
}

/**
 * Carries one membership's messages over a transport; see the module comment.
 *
 * @example
 * ```ts
 * const swim = new SwimMembership({ transport, clock: net.clock, rng: new SeededRng(1) });
 * const wire = new MembershipWire(transport, swim, { clock: net.clock });
 * swim.start();
 * // …
 * wire.dispose();
 * ```
 */
export class MembershipWire {
  private readonly pipes = new Map<PeerId, PeerPipe>();
  private readonly connected = new Set<PeerId>();
  private readonly unsubscribe: Array<() => void>;
  /** Messages dropped because their peer had no open connection. */
  dropped = 0;

  constructor(
    private readonly transport: Transport,
    endpoint: MembershipEndpoint,
    private readonly options: MembershipWireOptions,
  ) {
    for (const p of transport.peers()) this.connected.add(p);
    this.unsubscribe = [
      transport.on('peer-joined', ({ peer }) => this.connected.add(peer)),
      transport.on('peer-left', ({ peer }) => {
        this.connected.delete(peer);
        const pipe = this.pipes.get(peer);
        if (!pipe) return;
        pipe.outbox.clear();
        pipe.inbox.close();
        this.pipes.delete(peer);
      }),
      transport.on('message', ({ peer, channel, data }) => {
        for (const m of this.pipe(peer).inbox.receive(channel, data)) {
          if (isMembershipMessage(m)) endpoint.handle(peer, m);
          else this.options.onOther?.(peer, m);
        }
      }),
      endpoint.onSend((peer, message, channel) => {
        if (!this.connected.has(peer) || this.transport.closed) {
          this.dropped++;
          return;
        }
        const pipe = this.pipe(peer);
        pipe.outbox.enqueue(message, { channel });
        pipe.outbox.drain(pipe.sink);
      }),
    ];
  }

  /** Stops carrying messages and frees the per-peer queues. */
  dispose(): void {
    for (const off of this.unsubscribe) off();
    for (const pipe of this.pipes.values()) {
      pipe.outbox.clear();
      pipe.inbox.close();
    }
    this.pipes.clear();
  }

  private pipe(peer: PeerId): PeerPipe {
    let pipe = this.pipes.get(peer);
    if (pipe) return pipe;
    const outbox = new Outbox({ ...this.options.outbox, peer });
    const inbox = new Inbox({ ...this.options.inbox, clock: this.options.clock, peer });
    const onError = this.options.onError;
    if (onError) {
      outbox.on('error', (e) => onError(peer, e));
      inbox.on('error', (e) => onError(peer, e));
    }
    const sink = {
      send: (channel: Channel, frame: Uint8Array) => this.transport.send(peer, channel, frame),
      bufferedAmount: (channel: Channel) => this.transport.bufferedAmount(peer, channel),
    };
    this.pipes.set(peer, (pipe = { outbox, inbox, sink }));
    return pipe;
  }
}
