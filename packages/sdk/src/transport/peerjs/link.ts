/**
 * One peer pair: a PeerJS `DataConnection` (its data channel is our reliable, ordered `control`
 * channel) plus the `state` channel we add to the same `RTCPeerConnection` as a negotiated,
 * unordered, no-retransmit channel. A link reports `ready` once both channels are open and
 * `down` once for whatever ends it; the transport decides what that means for the room.
 */
import type { DataConnection } from 'peerjs';
import { ErrorCode, TransportError } from '../../errors.js';
import type { Channel, LeaveReason, PeerId } from '../types.js';
import { fromPeerJsError } from './errors.js';
import { decodeEnvelope, encodeEnvelope, FrameKind, toBytes } from './framing.js';

/** Label of the control channel PeerJS creates. */
export const CONTROL_LABEL = 'anarchy-control';
/** Label of the state channel. */
export const STATE_LABEL = 'anarchy-state';
/**
 * SCTP stream id of the negotiated state channel. PeerJS opens exactly one channel per
 * connection, which the browser numbers 0 or 1 (even or odd by DTLS role), so 8 never clashes;
 * it also stays below the 16 streams Firefox opens before it has to negotiate more.
 */
export const STATE_CHANNEL_ID = 8;
/** A connection closed sooner than this after it was created closes only then (see `dispose`). */
export const ICE_SETTLE_MS = 2_000;

/** What a link tells its owner. Called synchronously from WebRTC/PeerJS callbacks. */
export interface LinkHandlers {
  /** Both channels are open. */
  ready(link: PeerLink): void;
  /** User bytes arrived (envelope removed). */
  data(link: PeerLink, channel: Channel, data: Uint8Array): void;
  /** The peer said goodbye. */
  goodbye(link: PeerLink): void;
  /** The peer hung up this connection alone (`Transport.hangUp`); it is still in the room. */
  hungUp(link: PeerLink): void;
  /** The link is unusable: a channel closed, the connection failed or PeerJS reported an error. */
  down(link: PeerLink, reason: LeaveReason, error?: TransportError): void;
  /** A message that was not a valid envelope; the link stays up. */
  malformed(link: PeerLink, error: TransportError): void;
}

/** Channel settings, for tests and diagnostics. */
export interface ChannelInfo {
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly readyState: RTCDataChannelState;
  readonly label: string;
}

export class PeerLink {
  /** Time (clock ms) the last message of any kind arrived from the peer. */
  lastHeardAt: number;
  /** True once the owner announced the peer (`peer-joined`). */
  joined = false;
  /** User messages that arrived before `joined`; delivered right after `peer-joined`. */
  readonly early: Array<{ channel: Channel; data: Uint8Array }> = [];

  private control: RTCDataChannel | undefined;
  private readonly state: RTCDataChannel;
  private readonly pc: RTCPeerConnection;
  private controlOpen = false;
  private stateOpen = false;
  private alive = true;
  private frozen = false;

  private readonly onConnOpen = (): void => this.guard(() => {
    this.control = this.conn.dataChannel;
    this.controlOpen = true;
    this.checkReady();
  });
  private readonly onConnData = (data: unknown): void => this.guard(() => this.receive('control', data));
  private readonly onConnClose = (): void => this.guard(() => this.fail('closed'));
  private readonly onConnError = (err: unknown): void => this.guard(() => {
    const { error } = fromPeerJsError(err, this.peer);
    this.fail('error', error);
  });
  private readonly onPcState = (): void => this.guard(() => {
    const state = this.pc.connectionState;
    if (state === 'failed') {
      this.fail('error', new TransportError(ErrorCode.PeerConnectionFailed, `The WebRTC connection to ${this.peer} failed; behind restrictive NATs pass a TURN server in iceServers.`, { peer: this.peer }));
    } else if (state === 'closed') {
      this.fail('closed');
    }
  });

  private readonly createdAt: number;

  constructor(
    readonly peer: PeerId,
    readonly conn: DataConnection,
    /** True when this side dialed. */
    readonly initiator: boolean,
    private readonly now: () => number,
    private readonly handlers: LinkHandlers,
    /** Runs `fn` after `ms` (the transport's clock): defers closing a connection still settling. */
    private readonly later: (fn: () => void, ms: number) => void = (fn) => fn(),
  ) {
    this.lastHeardAt = now();
    this.createdAt = this.lastHeardAt;
    // PeerJS creates the RTCPeerConnection synchronously in the DataConnection constructor.
    const pc = (conn as { peerConnection?: RTCPeerConnection | null }).peerConnection;
    if (!pc) throw new TransportError(ErrorCode.PeerConnectionFailed, `PeerJS gave no RTCPeerConnection for ${peer}.`, { peer });
    this.pc = pc;
    this.state = pc.createDataChannel(STATE_LABEL, { negotiated: true, id: STATE_CHANNEL_ID, ordered: false, maxRetransmits: 0 });
    this.state.binaryType = 'arraybuffer';
    this.state.onopen = () => this.guard(() => {
      this.stateOpen = true;
      this.checkReady();
    });
    this.state.onmessage = (ev: MessageEvent) => this.guard(() => this.receive('state', ev.data));
    this.state.onclose = () => this.guard(() => this.fail('closed'));
    conn.on('open', this.onConnOpen);
    conn.on('data', this.onConnData);
    conn.on('close', this.onConnClose);
    conn.on('error', this.onConnError);
    pc.addEventListener('connectionstatechange', this.onPcState);
  }

  /** True when both channels are open and the link has not gone down. */
  get ready(): boolean {
    return this.alive && this.controlOpen && this.stateOpen;
  }

  /** Sends an already-enveloped message. Throws `send-failed` if the channel cannot take it. */
  send(channel: Channel, message: Uint8Array<ArrayBuffer>): void {
    const dc = channel === 'control' ? this.control : this.state;
    if (!dc || dc.readyState !== 'open') {
      throw new TransportError(ErrorCode.SendFailed, `The ${channel} channel to ${this.peer} is not open (${dc?.readyState ?? 'missing'}); wait for peer-joined, or the peer is leaving.`, { peer: this.peer, channel });
    }
    try {
      dc.send(message);
    } catch (cause) {
      throw new TransportError(ErrorCode.SendFailed, `Sending on the ${channel} channel to ${this.peer} failed: ${String(cause)}. The channel may be closing or its buffer full; check bufferedAmount.`, { peer: this.peer, channel }, { cause });
    }
  }

  /** Best-effort housekeeping message (keep-alive, goodbye, hang-up): never throws; false if it could not be sent. */
  sendQuietly(channel: Channel, kind: FrameKind): boolean {
    try {
      this.send(channel, encodeEnvelope(kind));
      return true;
    } catch {
      // A lost keep-alive or goodbye is covered by the peer's timeout.
      return false;
    }
  }

  bufferedAmount(channel: Channel): number {
    const dc = channel === 'control' ? this.control : this.state;
    return dc?.bufferedAmount ?? 0;
  }

  channelInfo(channel: Channel): ChannelInfo | undefined {
    const dc = channel === 'control' ? this.control : this.state;
    if (!dc) return undefined;
    return { ordered: dc.ordered, maxRetransmits: dc.maxRetransmits, readyState: dc.readyState, label: dc.label };
  }

  /** Stops reacting to anything, without closing a thing: the peer looks crashed to the other side. */
  freeze(): void {
    this.frozen = true;
  }

  /** Detaches every listener and closes both channels and the connection. Idempotent. */
  dispose(): void {
    this.alive = false;
    this.conn.off('open', this.onConnOpen);
    this.conn.off('data', this.onConnData);
    this.conn.off('close', this.onConnClose);
    this.conn.off('error', this.onConnError);
    this.pc.removeEventListener('connectionstatechange', this.onPcState);
    this.state.onopen = this.state.onmessage = this.state.onclose = null;
    // PeerJS 1.5 rejects unhandled when a trickled ICE candidate is still being added as its
    // connection closes (`handleCandidate` reads the provider that `close()` just cleared): a
    // connection closed moments after it opened (a quick hang-up) waits until candidates are done.
    const age = this.now() - this.createdAt;
    if (age < ICE_SETTLE_MS) this.later(() => this.teardown(), ICE_SETTLE_MS - age);
    else this.teardown();
  }

  private teardown(): void {
    try {
      this.state.close();
      // Closes PeerJS's channel and the RTCPeerConnection.
      this.conn.close();
      if (this.pc.connectionState !== 'closed') this.pc.close();
    } catch {
      // Already torn down by PeerJS.
    }
  }

  private guard(fn: () => void): void {
    if (this.alive && !this.frozen) fn();
  }

  private checkReady(): void {
    if (this.ready) this.handlers.ready(this);
  }

  private fail(reason: LeaveReason, error?: TransportError): void {
    if (!this.alive) return;
    this.alive = false;
    this.handlers.down(this, reason, error);
  }

  private receive(channel: Channel, raw: unknown): void {
    const bytes = toBytes(raw);
    const envelope = bytes && decodeEnvelope(bytes);
    if (!envelope) {
      this.handlers.malformed(this, new TransportError(ErrorCode.MalformedFrame, `Peer ${this.peer} sent a ${channel} message that is not a transport envelope; it was dropped. Is it running a compatible SDK?`, { peer: this.peer, channel }));
      return;
    }
    // Any message at all proves the peer is alive; keep-alives only fill the silence.
    this.lastHeardAt = this.now();
    switch (envelope.kind) {
      case FrameKind.Data:
        this.handlers.data(this, channel, envelope.payload);
        return;
      case FrameKind.Goodbye:
        this.alive = false;
        this.handlers.goodbye(this);
        return;
      case FrameKind.HangUp:
        // Not alive from here on: the close that follows must not be reported as a second reason.
        this.alive = false;
        this.handlers.hungUp(this);
        return;
      default:
        // Keep-alive, hello, and kinds from newer versions carry nothing for us.
        return;
    }
  }
}
