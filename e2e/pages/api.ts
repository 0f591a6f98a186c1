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

declare global {
  interface Window {
    e2e?: PeerPageApi;
    plain?: PlainPageApi;
    /** Runs the SDK's conformance suite in this page; `only` selects one scenario by exact name. */
    runConformance?: (signalUrl: string, only?: string) => Promise<ConformanceResult[]>;
    /** Set when a page failed to start; specs fail with this message instead of timing out. */
    e2eError?: string;
  }
}
