/**
 * `PeerJsTransport`: the real {@link Transport}, WebRTC data channels brokered by PeerJS and the
 * `@anarchy/signal` service, in browsers and in Node.
 *
 * How a room forms: the joiner opens a PeerJS `Peer` on the signal service's PeerServer, registers
 * in the room over REST, and dials the peers its {@link MeshPolicy} picks; peers already in the
 * room accept. Each pair gets one `RTCPeerConnection` carrying two channels (see `link.ts`), and
 * counts as joined once both are open. Every message carries a one-byte envelope (`framing.ts`)
 * so keep-alives, goodbyes and hang-ups never mix with user bytes.
 *
 * Failure detection does not trust `close` events (a crashed tab sends none): each peer sends a
 * keep-alive on the state channel every `keepAliveMs` and is declared gone after `peerTimeoutMs`
 * of silence.
 */
import type { DataConnection, Peer, PeerOptions } from 'peerjs';
import { ErrorCode, TransportError } from '../../errors.js';
import type { AnarchyError } from '../../errors.js';
import { SignalClient } from '../../signal-client.js';
import type { FetchLike } from '../../signal-client.js';
import { peerServerOptions } from '../../signal-client.js';
import { systemClock } from '../../util/clock.js';
import type { Clock, TimerHandle } from '../../util/clock.js';
import { Emitter } from '../../util/emitter.js';
import { systemRng } from '../../util/rng.js';
import type { Rng } from '../../util/rng.js';
import { CHANNELS, MAX_MESSAGE_BYTES, asPeerId } from '../types.js';
import type { Channel, LeaveReason, PeerId, Transport, TransportEvents } from '../types.js';
import { fromPeerJsError } from './errors.js';
import { encodeEnvelope, FrameKind } from './framing.js';
import { CONTROL_LABEL, PeerLink } from './link.js';
import type { ChannelInfo, LinkHandlers } from './link.js';
import { fullMesh } from '../mesh.js';
import type { MeshPolicy } from '../mesh.js';
import { generatePeerId, isValidPeerId } from './peer-id.js';
import { loadPeerJs } from './peerjs-module.js';

/** PeerJS `Peer` options the caller may pass through (connection target and serializers are ours). */
export type PeerJsPassthroughOptions = Omit<PeerOptions, 'host' | 'port' | 'path' | 'secure' | 'key' | 'serializers'>;

/**
 * Options of {@link PeerJsTransport.join}: where the signal service is, which room to join, and
 * the timing, mesh and ICE settings of the connections.
 *
 * @example
 * ```ts
 * const options: PeerJsTransportOptions = {
 *   signalUrl: 'https://signal.example.com',
 *   room: roomId,
 *   iceServers: [{ urls: 'stun:stun.example.com:3478' }],
 * };
 * ```
 */
export interface PeerJsTransportOptions {
  /** Base URL of the `@anarchy/signal` service, e.g. `https://signal.example.com`. */
  readonly signalUrl: string;
  /** Room id, as returned by `SignalClient.createRoom`. The room must exist. */
  readonly room: string;
  /** This peer's id; default: 20 random base-36 characters. Must be a valid PeerJS id. */
  readonly peerId?: string;
  /** Clock for keep-alives and timeouts; default: the system clock. */
  readonly clock?: Clock;
  /** Random source for the generated peer id and mesh choices; default: the platform's secure random source. */
  readonly rng?: Rng;
  /** Interval between keep-alives to each peer. Default {@link DEFAULT_KEEP_ALIVE_MS}. */
  readonly keepAliveMs?: number;
  /** Silence after which a peer is declared gone (`timeout`). Default {@link DEFAULT_PEER_TIMEOUT_MS}. */
  readonly peerTimeoutMs?: number;
  /** Limit for reaching the signal service and for each peer connection to open. Default {@link DEFAULT_CONNECT_TIMEOUT_MS}. */
  readonly connectTimeoutMs?: number;
  /** Which peers to dial on joining; default {@link fullMesh} (full mesh). */
  readonly mesh?: MeshPolicy;
  /**
   * STUN/TURN servers. Default `[]`: enough on a LAN or loopback, where host candidates connect.
   * Real deployments pass STUN, and TURN for peers behind symmetric NATs, e.g.
   * `[{ urls: 'stun:stun.example.com:3478' }, { urls: 'turn:turn.example.com', username, credential }]`.
   */
  readonly iceServers?: readonly RTCIceServer[];
  /** Passed to the PeerJS `Peer` (e.g. `debug`, `pingInterval`, a full `config`). */
  readonly peerOptions?: PeerJsPassthroughOptions;
  /** `fetch` for the signal REST API; default `globalThis.fetch`. */
  readonly fetch?: FetchLike;
  /**
   * In a browser, say goodbye to every peer on `pagehide` and close, so a closed tab leaves at
   * once instead of after `peerTimeoutMs` (Chromium never fires the far side's channel `close`
   * when a tab closes). Default `true`; pass `false` when a layer above handles `pagehide` itself
   * (it can call {@link PeerJsTransport.sayGoodbye}).
   */
  readonly leaveOnPageHide?: boolean;
}

/** Keep-alive interval: hidden browser tabs run timers at most once a second, so no shorter. */
export const DEFAULT_KEEP_ALIVE_MS = 1_000;
/** Five missed keep-alives: survives a lost packet or a busy main thread, detects a crash in ~5 s. */
export const DEFAULT_PEER_TIMEOUT_MS = 5_000;
/** ICE with TURN fallback can take several seconds on real networks; loopback takes milliseconds. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** Upper bound on how long `close()` waits for the REST leave; a dead signal service must not hang it. */
export const LEAVE_TIMEOUT_MS = 2_000;
/** How long `close()` waits for goodbyes to drain from the control channels. */
export const GOODBYE_FLUSH_MS = 250;
/** Poll interval while draining goodbyes. */
const FLUSH_POLL_MS = 10;
/**
 * Hard cap on how long a connection we hung up stays open waiting for the far side to close it
 * (see {@link PeerJsTransport.hangUp}). Half a minute moves megabytes even through a slow TURN
 * relay: a control channel still not drained by then is stuck, and is closed anyway.
 */
export const HANG_UP_MAX_LINGER_MS = 30_000;
/** Messages accepted from a peer in the instant between its channels opening and ours. */
export const EARLY_MESSAGE_LIMIT = 1_024;
/** Attempts to reconnect to the signal service after losing it, spaced 1 s, 2 s, 3 s … apart. */
export const SIGNAL_RECONNECT_ATTEMPTS = 5;
const SIGNAL_RECONNECT_STEP_MS = 1_000;

/** Sent as PeerJS connection metadata so a stray dial from another app or room is refused. */
interface DialMetadata {
  readonly anarchy: 1;
  readonly room: string;
}

function isDialMetadata(value: unknown, room: string): value is DialMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return m['anarchy'] === 1 && m['room'] === room;
}

const isUint8Array = (value: unknown): value is Uint8Array =>
  ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]';

/** `TransportEvents` as a type alias: `Emitter` wants an index-signature-compatible map, which interfaces are not. */
type EventMap = { [K in keyof TransportEvents]: TransportEvents[K] };

type State = 'open' | 'closing' | 'closed' | 'frozen';

interface ResolvedOptions {
  readonly signalUrl: string;
  readonly room: string;
  readonly peerId: PeerId;
  readonly clock: Clock;
  readonly keepAliveMs: number;
  readonly peerTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly mesh: MeshPolicy;
  readonly rng: Rng;
  readonly peerOptions: Partial<PeerOptions>;
  readonly fetch: FetchLike | undefined;
  readonly leaveOnPageHide: boolean;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new TransportError(ErrorCode.InvalidArgument, `${name} must be a positive number of milliseconds, got ${String(value)}.`, { [name]: value });
  }
  return v;
}

function resolveOptions(options: PeerJsTransportOptions): ResolvedOptions {
  if (typeof options.room !== 'string' || options.room === '') {
    throw new TransportError(ErrorCode.InvalidArgument, 'room must be a room id; create one with SignalClient.createRoom().', { room: options.room });
  }
  if (options.peerId !== undefined && !isValidPeerId(options.peerId)) {
    throw new TransportError(
      ErrorCode.InvalidArgument,
      `peerId "${options.peerId}" is not a valid PeerJS id: use up to 64 letters and digits, optionally joined by single ' ', '_' or '-', or omit it.`,
      { peerId: options.peerId },
    );
  }
  const keepAliveMs = positive('keepAliveMs', options.keepAliveMs, DEFAULT_KEEP_ALIVE_MS);
  const peerTimeoutMs = positive('peerTimeoutMs', options.peerTimeoutMs, DEFAULT_PEER_TIMEOUT_MS);
  if (peerTimeoutMs <= keepAliveMs) {
    throw new TransportError(ErrorCode.InvalidArgument, `peerTimeoutMs (${peerTimeoutMs}) must exceed keepAliveMs (${keepAliveMs}), or healthy peers time out between keep-alives; use several keep-alive intervals.`, { keepAliveMs, peerTimeoutMs });
  }
  const server = peerServerOptions(options.signalUrl);
  const config: RTCConfiguration = { iceServers: [...(options.iceServers ?? [])] };
  return {
    signalUrl: options.signalUrl,
    room: options.room,
    peerId: options.peerId !== undefined ? asPeerId(options.peerId) : generatePeerId(options.rng),
    clock: options.clock ?? systemClock,
    keepAliveMs,
    peerTimeoutMs,
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS),
    mesh: options.mesh ?? fullMesh,
    rng: options.rng ?? systemRng,
    peerOptions: { ...server, config, debug: 0, ...options.peerOptions },
    fetch: options.fetch,
    leaveOnPageHide: options.leaveOnPageHide ?? true,
  };
}

/**
 * A {@link Transport} over WebRTC via PeerJS. Create one with {@link PeerJsTransport.join}.
 *
 * `control` is PeerJS's reliable, ordered data channel (serialization `raw`: bytes pass through
 * untouched); `state` is a negotiated `{ ordered: false, maxRetransmits: 0 }` channel on the same
 * connection. Messages up to {@link MAX_MESSAGE_BYTES} are sent whole (every browser accepts at
 * least 256 KiB per SCTP message).
 *
 * @example
 * ```ts
 * const signal = new SignalClient({ url: 'https://signal.example.com' });
 * const { roomId } = await signal.createRoom();
 * const transport = await PeerJsTransport.join({ signalUrl: signal.baseUrl, room: roomId });
 * transport.on('peer-joined', ({ peer }) => transport.send(peer, 'control', new Uint8Array([1])));
 * ```
 */
export class PeerJsTransport implements Transport {
  readonly localId: PeerId;
  /** The room this transport joined. */
  readonly room: string;

  private readonly events = new Emitter<EventMap>();
  private readonly links = new Map<PeerId, PeerLink>();
  private unwatchPageHide: (() => void) | undefined;
  private readonly connectTimers = new Map<PeerLink, TimerHandle>();
  /**
   * Connections we hung up that are still open until the far side reads the hang-up frame and
   * closes its end. `drainedAt` is the first tick that found their control channel empty.
   */
  private readonly hangingUp = new Map<PeerLink, { readonly since: number; drainedAt: number | undefined }>();
  /** Peers dialed while our hang-up to them was still lingering: dialed once it ends. */
  private readonly dialAfterHangUp = new Set<PeerId>();
  private readonly clock: Clock;
  private readonly signal: SignalClient;
  private state: State = 'open';
  private inRoom = false;
  private closing: Promise<void> | undefined;
  private tickTimer: TimerHandle | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private reconnectAttempts = 0;
  private reconnectAllowed = true;

  private readonly linkHandlers: LinkHandlers = {
    ready: (link) => this.onLinkReady(link),
    data: (link, channel, data) => this.onLinkData(link, channel, data),
    goodbye: (link) => this.dropLink(link, 'closed'),
    hungUp: (link) => this.dropLink(link, 'hung-up'),
    down: (link, reason, error) => this.dropLink(link, reason, error),
    malformed: (_link, error) => this.events.emit('error', error),
  };

  private constructor(
    private readonly peer: Peer,
    private readonly opts: ResolvedOptions,
  ) {
    this.localId = opts.peerId;
    this.room = opts.room;
    this.clock = opts.clock;
    this.signal = new SignalClient({ url: opts.signalUrl, clock: opts.clock, timeoutMs: opts.connectTimeoutMs, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  }

  /**
   * Connects to the signal service, joins `options.room` and starts dialing the peers the mesh
   * policy picks. Resolves once this peer is registered in the room; connections to the others
   * then open in the background and each is announced with `peer-joined` (none can fire before
   * the caller's `await` resumes, so listeners attached right after `join` miss nothing).
   *
   * Rejects with a `TransportError` (`invalid-argument`, `webrtc-unsupported`,
   * `peer-id-unavailable`, `signal-unreachable`, `signal-server-error`, `signal-rejected`) or a
   * `SignalError` from the room API (`room-not-found`, `room-full`, `signal-unreachable`,
   * `signal-rejected`). A failed join leaves nothing running.
   */
  static async join(options: PeerJsTransportOptions): Promise<PeerJsTransport> {
    const opts = resolveOptions(options);
    if (typeof globalThis.RTCPeerConnection !== 'function') {
      throw new TransportError(
        ErrorCode.WebRtcUnsupported,
        'No RTCPeerConnection in this environment. In Node, call installNodeWebRtc() from @anarchy/sdk/node before joining; in a browser, use one with WebRTC.',
      );
    }
    const { Peer: PeerClass } = await loadPeerJs();
    const peer = new PeerClass(opts.peerId, opts.peerOptions);
    const transport = new PeerJsTransport(peer, opts);
    try {
      await transport.openSignal();
      const room = await transport.signal.joinRoom(opts.room, opts.peerId);
      transport.inRoom = true;
      transport.start(room.peers);
      if (opts.leaveOnPageHide) transport.watchPageHide();
    } catch (err) {
      transport.teardown();
      throw err;
    }
    return transport;
  }

  get closed(): boolean {
    return this.state !== 'open';
  }

  peers(): readonly PeerId[] {
    const out: PeerId[] = [];
    for (const link of this.links.values()) if (link.joined) out.push(link.peer);
    return out;
  }

  send(peer: PeerId, channel: Channel, data: Uint8Array): void {
    if (this.state !== 'open') {
      throw new TransportError(ErrorCode.Closed, 'This transport is closed; join the room again with a new PeerJsTransport.', { peer, channel });
    }
    this.checkChannel(channel);
    if (!isUint8Array(data)) {
      throw new TransportError(ErrorCode.InvalidMessage, `send() takes a Uint8Array, got ${data === null ? 'null' : typeof data}; encode your message to bytes first.`, { peer, channel });
    }
    if (data.length > MAX_MESSAGE_BYTES) {
      throw new TransportError(ErrorCode.InvalidMessage, `Message of ${data.length} bytes is over MAX_MESSAGE_BYTES (${MAX_MESSAGE_BYTES}); split it (the wire layer fragments large payloads).`, { peer, channel, bytes: data.length });
    }
    const link = this.links.get(peer);
    if (!link?.joined) {
      throw new TransportError(ErrorCode.UnknownPeer, `No open connection to peer "${peer}"; send only to peers from peers() or peer-joined.`, { peer, channel });
    }
    link.send(channel, encodeEnvelope(FrameKind.Data, data));
  }

  bufferedAmount(peer: PeerId, channel: Channel): number {
    this.checkChannel(channel);
    const link = this.links.get(peer);
    return link?.joined ? link.bufferedAmount(channel) : 0;
  }

  /**
   * Settings and state of the data channel behind `channel` to `peer` (joined or still
   * connecting), or `undefined` if there is none. For tests and diagnostics: the `state` channel
   * reports `ordered: false, maxRetransmits: 0`.
   */
  channelInfo(peer: PeerId, channel: Channel): ChannelInfo | undefined {
    this.checkChannel(channel);
    return this.links.get(peer)?.channelInfo(channel);
  }

  /**
   * Dials `peer` unless a connection to it is open or being set up. On joining, the mesh policy
   * picks the dials; this is for policies that repair or grow the mesh later. Both sides dialing
   * each other at once is fine: the connection dialed by the smaller id wins on both sides.
   */
  dial(peer: PeerId): void {
    if (this.state !== 'open') throw new TransportError(ErrorCode.Closed, 'This transport is closed; join the room again with a new PeerJsTransport.', { peer });
    if (!isValidPeerId(peer)) throw new TransportError(ErrorCode.InvalidArgument, `"${String(peer)}" is not a peer id.`, { peer });
    this.dialPeer(peer);
  }

  /**
   * Closes the connection to `peer` alone; both peers stay in the room and either may `dial` the
   * other again. No-op unless `peer` is connected (a connection still opening is left alone).
   * Throws `closed` after close.
   *
   * This side reports `peer-left` with reason `hung-up` at once: `peer` leaves `peers()` and
   * sends to it throw `unknown-peer`. A hang-up frame follows every message already sent on the
   * reliable `control` channel, so the far side receives all of those, then reports `hung-up`
   * itself and closes its end; `state` messages still in flight may be lost, as always. Nothing
   * arriving on the old connection after the hang-up is delivered, and neither side reports its
   * closing as a second `peer-left`.
   *
   * Ordering: this side keeps the connection open until the far side closes it (which proves the
   * frame arrived), so its close can never overtake the frame. If the far side never closes it,
   * this side does, `peerTimeoutMs + 2 × keepAliveMs` after its control channel drained (at most
   * {@link HANG_UP_MAX_LINGER_MS}); it sends no keep-alives meanwhile, so a far side that never
   * got the frame has reported `timeout` (a hint to probe, not a leave) before that close reaches
   * it. The remaining windows in which the far side sees `closed` instead: it runs an SDK older
   * than the hang-up frame, or uses longer `peerTimeoutMs`/`keepAliveMs` than this side, or this
   * side `close()`s while the frame is still on its way (then `closed` is true: it left the room).
   * A `dial` to `peer` while the old connection is still open is made once it has closed, so the
   * far side never refuses it as a duplicate of the old one.
   *
   * @example
   * ```ts
   * // Stay under a connection cap: drop the peer heard from least recently.
   * if (transport.peers().length > MAX_CONNECTIONS) transport.hangUp(leastRecentlyHeard());
   * ```
   */
  hangUp(peer: PeerId): void {
    if (this.state !== 'open') throw new TransportError(ErrorCode.Closed, 'This transport is closed; join the room again with a new PeerJsTransport.', { peer });
    const link = this.links.get(peer);
    if (!link?.joined) return;
    this.links.delete(peer);
    if (link.sendQuietly('control', FrameKind.HangUp)) {
      this.hangingUp.set(link, { since: this.clock.now(), drainedAt: undefined });
    } else {
      // The channel is already closing: nothing can tell the far side more than its close does.
      link.dispose();
    }
    this.events.emit('peer-left', { peer, reason: 'hung-up' });
  }

  on<K extends keyof TransportEvents>(event: K, listener: (payload: TransportEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /**
   * TEST ONLY. Makes this transport behave like a crashed tab: from now on it sends nothing (no
   * keep-alives, no goodbye), ignores everything it receives, and keeps every connection open, so
   * the other peers can only notice through their keep-alive timeout. `closed` becomes true and
   * `send` throws `closed`. Call `close()` afterwards to free the resources; it stays silent.
   */
  simulateCrashForTesting(): void {
    if (this.state !== 'open') return;
    this.state = 'frozen';
    this.cancelTimers();
    for (const link of this.links.values()) link.freeze();
    for (const link of this.hangingUp.keys()) link.freeze();
  }

  /**
   * Sends the goodbye to every peer right now, synchronously, so it leaves even from a `pagehide`
   * handler whose page is about to die; peers then report this one gone with reason `closed`.
   * Call `close()` afterwards to free resources (it sends the goodbye again, harmlessly).
   */
  sayGoodbye(): void {
    if (this.state === 'open') this.sendGoodbyes();
  }

  /**
   * Goodbye on both channels: the state channel is immediate, the control one is reliable. Peers
   * we hung up get one too: if it reaches them before the hang-up does, they learn that we left
   * the room, which is the truer news (each connection still reports one `peer-left` at most).
   */
  private sendGoodbyes(): void {
    for (const link of [...this.links.values(), ...this.hangingUp.keys()]) {
      link.sendQuietly('state', FrameKind.Goodbye);
      link.sendQuietly('control', FrameKind.Goodbye);
    }
  }

  /** Registers the `pagehide` goodbye where there is a page; a no-op in Node. */
  private watchPageHide(): void {
    const page = globalThis as { addEventListener?: (type: string, fn: () => void) => void; removeEventListener?: (type: string, fn: () => void) => void };
    if (typeof page.addEventListener !== 'function') return;
    const onPageHide = (): void => {
      this.sayGoodbye();
      void this.close();
    };
    page.addEventListener('pagehide', onPageHide);
    this.unwatchPageHide = () => page.removeEventListener?.('pagehide', onPageHide);
  }

  private checkChannel(channel: Channel): void {
    if (!CHANNELS.includes(channel)) {
      throw new TransportError(ErrorCode.InvalidArgument, `Unknown channel "${String(channel)}"; use 'control' or 'state'.`, { channel });
    }
  }

  // ---- Signal connection ----------------------------------------------------------------

  /** Waits for the PeerServer's `open`; rejects on the first PeerJS error or after connectTimeoutMs. */
  private openSignal(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: AnarchyError): void => {
        if (settled) return;
        settled = true;
        this.clock.clearTimeout(timer);
        this.peer.off('open', onOpen);
        this.peer.off('error', onError);
        if (err) {
          reject(err);
        } else {
          this.listenToPeer();
          resolve();
        }
      };
      const onOpen = (): void => finish();
      const onError = (err: unknown): void => {
        const { error } = fromPeerJsError(err);
        if (error.code !== ErrorCode.SignalDisconnected) return finish(error);
        // Never connected, so nothing was "lost": say what to check instead.
        const detail = err instanceof Error ? err.message : String(err);
        finish(
          new TransportError(
            ErrorCode.SignalUnreachable,
            `Could not connect to the signal service's PeerServer for ${this.opts.signalUrl} (${detail}); check signalUrl and that the service is running.`,
            { ...error.details, signalUrl: this.opts.signalUrl },
            { cause: err },
          ),
        );
      };
      const timer = this.clock.setTimeout(
        () =>
          finish(
            new TransportError(
              ErrorCode.SignalUnreachable,
              `The signal service's PeerServer did not answer within ${this.opts.connectTimeoutMs} ms; check signalUrl and that the service is running.`,
              { signalUrl: this.opts.signalUrl },
            ),
          ),
        this.opts.connectTimeoutMs,
      );
      this.peer.on('open', onOpen);
      this.peer.on('error', onError);
    });
  }

  private listenToPeer(): void {
    this.peer.on('connection', (conn) => this.onIncoming(conn));
    this.peer.on('error', (err) => this.onPeerError(err));
    this.peer.on('disconnected', () => this.onSignalLost());
    this.peer.on('open', () => this.onSignalReopened());
    this.peer.on('close', () => {
      if (this.state === 'open') this.fail(new TransportError(ErrorCode.SignalDisconnected, 'PeerJS destroyed the peer unexpectedly; join again.'));
    });
  }

  private onPeerError(err: unknown): void {
    if (this.state !== 'open') return;
    const { error, severity } = fromPeerJsError(err);
    if (severity === 'fatal') {
      this.fail(error);
      return;
    }
    if (error.details['peerjsType'] === 'unavailable-id') this.reconnectAllowed = false;
    if (severity === 'peer') {
      // PeerJS reports an unreachable dial target on the Peer, naming it only in the message.
      const message = err instanceof Error ? err.message : '';
      for (const link of this.links.values()) {
        if (!link.joined && message.endsWith(` ${link.peer}`)) {
          this.dropLink(link, 'error', fromPeerJsError(err, link.peer).error);
          return;
        }
      }
    }
    this.events.emit('error', error);
  }

  /** The PeerServer socket is gone: existing links keep working, but nobody new can reach us. */
  private onSignalLost(): void {
    if (this.state !== 'open' || this.reconnectTimer !== undefined) return;
    if (!this.reconnectAllowed || this.reconnectAttempts >= SIGNAL_RECONNECT_ATTEMPTS) {
      this.events.emit('error', new TransportError(ErrorCode.SignalDisconnected, 'Gave up reconnecting to the signal service; existing peers still work, but new peers cannot connect. Join again to recover.'));
      return;
    }
    this.reconnectAttempts++;
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state !== 'open') return;
      try {
        this.peer.reconnect();
      } catch {
        this.onSignalLost();
      }
    }, SIGNAL_RECONNECT_STEP_MS * this.reconnectAttempts);
  }

  /** Back on the PeerServer after a reconnect: register in the room again (the service dropped us). */
  private onSignalReopened(): void {
    if (this.state !== 'open') return;
    this.reconnectAttempts = 0;
    this.signal.joinRoom(this.room, this.localId).then(
      () => undefined,
      (err: unknown) => {
        if (this.state === 'open') this.events.emit('error', err as TransportError);
      },
    );
  }

  // ---- Links ------------------------------------------------------------------------------

  private start(roomPeers: readonly PeerId[]): void {
    const others = roomPeers.filter((p) => p !== this.localId);
    const chosen = new Set(this.opts.mesh(this.localId, others, { room: this.room, now: this.clock.now(), rng: this.opts.rng }));
    for (const p of others) if (chosen.has(p)) this.dialPeer(p);
    this.scheduleTick();
  }

  private dialPeer(peer: PeerId): void {
    if (this.links.has(peer) || peer === this.localId) return;
    if (this.isHangingUp(peer)) {
      // The far side may still hold the old connection and would refuse a second one.
      this.dialAfterHangUp.add(peer);
      return;
    }
    const metadata: DialMetadata = { anarchy: 1, room: this.room };
    const conn = this.peer.connect(peer, { reliable: true, serialization: 'raw', label: CONTROL_LABEL, metadata }) as DataConnection | undefined;
    if (!conn) {
      this.events.emit('error', new TransportError(ErrorCode.PeerConnectionFailed, `Could not dial ${peer}: not connected to the signal service.`, { peer }));
      return;
    }
    this.addLink(peer, conn, true);
  }

  private onIncoming(conn: DataConnection): void {
    // A crashed peer neither accepts nor refuses: the dial just never opens.
    if (this.state === 'frozen') return;
    const peer = conn.peer;
    if (this.state !== 'open' || !isValidPeerId(peer) || peer === this.localId || !isDialMetadata(conn.metadata, this.room)) {
      conn.close();
      return;
    }
    const remote = asPeerId(peer);
    const existing = this.links.get(remote);
    if (existing) {
      // One connection per pair. An open one stays; the remote's timeout will tell it if it is stale.
      if (existing.joined) {
        conn.close();
        return;
      }
      // Glare (both dialed): the connection dialed by the smaller id wins, on both sides alike.
      if (existing.initiator && this.localId < remote) {
        conn.close();
        return;
      }
      this.dropLink(existing, 'closed');
    }
    this.addLink(remote, conn, false);
  }

  private addLink(peer: PeerId, conn: DataConnection, initiator: boolean): void {
    let link: PeerLink;
    try {
      link = new PeerLink(peer, conn, initiator, () => this.clock.now(), this.linkHandlers, (fn, ms) => void this.clock.setTimeout(fn, ms));
    } catch (err) {
      conn.close();
      this.events.emit('error', err instanceof TransportError ? err : new TransportError(ErrorCode.PeerConnectionFailed, `Could not set up the connection to ${peer}: ${String(err)}`, { peer }, { cause: err }));
      return;
    }
    this.links.set(peer, link);
    this.connectTimers.set(
      link,
      this.clock.setTimeout(() => {
        this.connectTimers.delete(link);
        if (this.links.get(peer) === link && !link.joined) {
          this.dropLink(link, 'error', new TransportError(ErrorCode.PeerConnectionFailed, `The connection to ${peer} did not open within ${this.opts.connectTimeoutMs} ms; behind restrictive NATs pass a TURN server in iceServers.`, { peer }));
        }
      }, this.opts.connectTimeoutMs),
    );
  }

  private onLinkReady(link: PeerLink): void {
    if (this.state !== 'open' || this.links.get(link.peer) !== link || link.joined) return;
    this.clearConnectTimer(link);
    link.joined = true;
    link.lastHeardAt = this.clock.now();
    this.events.emit('peer-joined', { peer: link.peer });
    // A listener may have closed the transport or the link; deliver only while it is still ours.
    while (link.early.length > 0 && link.joined && this.links.get(link.peer) === link && this.state === 'open') {
      const m = link.early.shift()!;
      this.events.emit('message', { peer: link.peer, channel: m.channel, data: m.data });
    }
  }

  private onLinkData(link: PeerLink, channel: Channel, data: Uint8Array): void {
    if (this.state !== 'open' || this.links.get(link.peer) !== link) return;
    if (link.joined) {
      this.events.emit('message', { peer: link.peer, channel, data });
      return;
    }
    // The peer's channels opened a moment before ours did; hold its first messages until we announce it.
    if (link.early.length >= EARLY_MESSAGE_LIMIT) {
      this.dropLink(link, 'error', new TransportError(ErrorCode.PeerConnectionFailed, `Peer ${link.peer} sent over ${EARLY_MESSAGE_LIMIT} messages before its connection finished opening.`, { peer: link.peer }));
      return;
    }
    link.early.push({ channel, data });
  }

  /**
   * Forgets `link`; announces `peer-left` if it had joined. Safe to call twice. A link we hung up
   * was announced by `hangUp` already: whatever ends it now (the far side closing, its own
   * hang-up or goodbye, an error) is not announced again.
   */
  private dropLink(link: PeerLink, reason: LeaveReason, error?: TransportError): void {
    this.clearConnectTimer(link);
    link.dispose();
    if (this.endHangUp(link)) return;
    if (this.links.get(link.peer) !== link) return;
    this.links.delete(link.peer);
    if (this.state !== 'open') return;
    if (error) this.events.emit('error', error);
    if (link.joined) this.events.emit('peer-left', { peer: link.peer, reason });
  }

  private isHangingUp(peer: PeerId): boolean {
    for (const link of this.hangingUp.keys()) if (link.peer === peer) return true;
    return false;
  }

  /** Ends the wait after our hang-up of `link` (already disposed); false if it was not hung up. */
  private endHangUp(link: PeerLink): boolean {
    if (!this.hangingUp.delete(link)) return false;
    if (this.state === 'open' && this.dialAfterHangUp.has(link.peer) && !this.isHangingUp(link.peer)) {
      this.dialAfterHangUp.delete(link.peer);
      this.dialPeer(link.peer);
    }
    return true;
  }

  /** Closes hung-up connections whose far side never closed them (see {@link PeerJsTransport.hangUp}). */
  private expireHangUps(now: number): void {
    const grace = this.opts.peerTimeoutMs + 2 * this.opts.keepAliveMs;
    for (const [link, wait] of [...this.hangingUp]) {
      if (wait.drainedAt === undefined && link.bufferedAmount('control') === 0) wait.drainedAt = now;
      const graceOver = wait.drainedAt !== undefined && now - wait.drainedAt >= grace;
      if (graceOver || now - wait.since >= HANG_UP_MAX_LINGER_MS) this.dropLink(link, 'hung-up');
    }
  }

  private clearConnectTimer(link: PeerLink): void {
    const timer = this.connectTimers.get(link);
    if (timer === undefined) return;
    this.clock.clearTimeout(timer);
    this.connectTimers.delete(link);
  }

  // ---- Keep-alive ---------------------------------------------------------------------------

  private scheduleTick(): void {
    this.tickTimer = this.clock.setTimeout(() => {
      this.tickTimer = undefined;
      if (this.state !== 'open') return;
      this.tick();
      if (this.state === 'open') this.scheduleTick();
    }, this.opts.keepAliveMs);
  }

  private tick(): void {
    const now = this.clock.now();
    this.expireHangUps(now);
    if (this.state !== 'open') return;
    for (const link of [...this.links.values()]) {
      if (!link.joined) continue;
      if (now - link.lastHeardAt > this.opts.peerTimeoutMs) {
        this.dropLink(link, 'timeout');
        if (this.state !== 'open') return;
      } else {
        link.sendQuietly('state', FrameKind.KeepAlive);
      }
    }
  }

  // ---- Shutdown -----------------------------------------------------------------------------

  private cancelTimers(): void {
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    if (this.reconnectTimer !== undefined) this.clock.clearTimeout(this.reconnectTimer);
    this.tickTimer = this.reconnectTimer = undefined;
    for (const timer of this.connectTimers.values()) this.clock.clearTimeout(timer);
    this.connectTimers.clear();
  }

  /** A fatal error: report it, then close as gracefully as the situation allows. */
  private fail(error: TransportError): void {
    if (this.state !== 'open') return;
    this.events.emit('error', error);
    this.closing ??= this.shutdown(error);
  }

  private async shutdown(error?: TransportError): Promise<void> {
    const crashed = this.state === 'frozen';
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.cancelTimers();
    const joined = [...this.links.values()].filter((l) => l.joined).map((l) => l.peer);
    this.unwatchPageHide?.();
    if (!crashed) {
      this.sendGoodbyes();
      // The REST leave doubles as time for the goodbyes to leave the buffers.
      if (this.inRoom) {
        const leave = new SignalClient({ url: this.opts.signalUrl, clock: this.clock, timeoutMs: LEAVE_TIMEOUT_MS, ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}) });
        await leave.leaveRoom(this.room, this.localId).catch(() => undefined);
      }
      await this.drainGoodbyes();
    }
    this.teardown();
    for (const peer of joined) this.events.emit('peer-left', { peer, reason: 'closed' });
    this.events.emit('closed', error ? { error } : {});
    this.events.removeAll();
  }

  private async drainGoodbyes(): Promise<void> {
    const deadline = this.clock.now() + GOODBYE_FLUSH_MS;
    const busy = (l: PeerLink): boolean => l.bufferedAmount('control') > 0;
    while (([...this.links.values()].some(busy) || [...this.hangingUp.keys()].some(busy)) && this.clock.now() < deadline) {
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, FLUSH_POLL_MS));
    }
  }

  /** Frees every WebRTC and PeerJS resource; emits nothing. */
  private teardown(): void {
    this.state = 'closed';
    this.cancelTimers();
    for (const link of this.links.values()) link.dispose();
    this.links.clear();
    for (const link of this.hangingUp.keys()) link.dispose();
    this.hangingUp.clear();
    this.dialAfterHangUp.clear();
    try {
      this.peer.destroy();
    } finally {
      this.peer.removeAllListeners();
    }
  }
}
