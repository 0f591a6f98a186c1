/**
 * `SimTransport`: the {@link Transport} a simulated peer sees. A thin facade: argument checks
 * live here (they are the interface's contract), everything that moves packets lives in
 * `SimNetwork`.
 */
import { ErrorCode, TransportError } from '../../errors.js';
import { MAX_MESSAGE_BYTES, type Channel, type PeerId, type Transport, type TransportEvents } from '../types.js';
import type { SimNode } from './model.js';
import type { SimNetwork } from './network.js';

/** What a transport asks of its network. Internal: created by `SimNetwork.join`. */
export interface SimHost {
  send(node: SimNode, peer: PeerId, channel: Channel, data: Uint8Array): void;
  bufferedAmount(node: SimNode, peer: PeerId, channel: Channel): number;
  close(node: SimNode): void;
  dial(node: SimNode, peer: PeerId): void;
  hangUp(node: SimNode, peer: PeerId): void;
}

/**
 * One peer on a {@link SimNetwork}. Get one from `network.join()`; behaves like the real
 * transport, with time and faults under the test's control.
 *
 * After `network.crash(id)` it behaves like `PeerJsTransport` after `simulateCrashForTesting()`:
 * no events, `closed` is true and `send` throws `closed`, `peers()` keeps its last answer,
 * `close()` stays silent; `crashed` tells a crash from a clean close.
 *
 * @example
 * ```ts
 * const alice = net.join('alice'); // pass it wherever a Transport goes
 * const bob = net.join('bob');
 * net.runUntil(() => bob.peers().includes(alice.localId));
 * net.crash('alice');
 * alice.crashed; // true; bob sees 'peer-left' (timeout) after its peer timeout
 * ```
 */
export class SimTransport implements Transport {
  readonly localId: PeerId;
  /** The room this transport joined. */
  readonly room: string;

  /** Use `network.join()`; constructing one directly is not supported. */
  constructor(
    private readonly node: SimNode,
    private readonly host: SimHost,
    /** The network this transport lives on. */
    readonly network: SimNetwork,
  ) {
    this.localId = node.id;
    this.room = node.options.room;
  }

  get closed(): boolean {
    return this.node.state !== 'live';
  }

  /** True after `network.crash()` took this peer down. */
  get crashed(): boolean {
    return this.node.state === 'crashed';
  }

  /** True between `network.pause()` and `network.resume()`. */
  get paused(): boolean {
    return this.node.paused;
  }

  peers(): readonly PeerId[] {
    return this.node.peerIds();
  }

  send(peer: PeerId, channel: Channel, data: Uint8Array): void {
    if (this.node.state !== 'live') {
      throw new TransportError(ErrorCode.Closed, `transport ${this.localId} is ${this.node.state}; join the network again to keep sending`, { peer });
    }
    if (channel !== 'control' && channel !== 'state') {
      throw new TransportError(ErrorCode.InvalidArgument, `unknown channel ${String(channel)}; use 'control' or 'state'`, { channel });
    }
    if (!(data instanceof Uint8Array)) {
      throw new TransportError(ErrorCode.InvalidMessage, `send takes a Uint8Array, got ${typeof data}; encode the message first`, { peer });
    }
    if (data.length > MAX_MESSAGE_BYTES) {
      throw new TransportError(
        ErrorCode.InvalidMessage,
        `message of ${data.length} bytes exceeds MAX_MESSAGE_BYTES (${MAX_MESSAGE_BYTES}); split it with the wire layer's fragmentation`,
        { peer, bytes: data.length },
      );
    }
    this.host.send(this.node, peer, channel, data);
  }

  bufferedAmount(peer: PeerId, channel: Channel): number {
    return this.host.bufferedAmount(this.node, peer, channel);
  }

  on<K extends keyof TransportEvents>(event: K, listener: (payload: TransportEvents[K]) => void): () => void {
    return this.node.events.on(event, listener);
  }

  /**
   * Dials `peer` (a member of this room) unless a connection to it is open or being set up, as
   * `PeerJsTransport.dial` does: for mesh policies that repair or grow the mesh. A failure is
   * reported as an `error` event (`peer-connection-failed`).
   */
  dial(peer: PeerId): void {
    if (this.node.state !== 'live') {
      throw new TransportError(ErrorCode.Closed, `transport ${this.localId} is ${this.node.state}; join the network again to dial`, { peer });
    }
    this.host.dial(this.node, peer);
  }

  /** Closes the connection to `peer` alone; see `Transport.hangUp`. */
  hangUp(peer: PeerId): void {
    if (this.node.state !== 'live') {
      throw new TransportError(ErrorCode.Closed, `transport ${this.localId} is ${this.node.state}; join the network again to hang up`, { peer });
    }
    this.host.hangUp(this.node, peer);
  }

  close(): Promise<void> {
    this.host.close(this.node);
    return Promise.resolve();
  }
}
