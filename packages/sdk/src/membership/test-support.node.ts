/**
 * A simulated room of {@link SwimMembership}s for tests and benchmarks: one SimNetwork, one
 * membership per peer on its own {@link GatedClock} (so `pause` freezes the peer's timers as a
 * suspended tab would), and bookkeeping of spurious verdicts (a live peer dropped from a view).
 */
import { SimNetwork, type SimNetworkOptions } from '../transport/sim/network.js';
import type { SimTransport } from '../transport/sim/transport.js';
import type { LinkOptions, SimTransportOptions } from '../transport/sim/options.js';
import type { PeerId } from '../transport/types.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { VirtualClock } from '../util/clock.js';
import { SeededRng } from '../util/rng.js';
import type { MemberScope, SwimTunables } from './options.js';
import type { MeshPolicy } from '../transport/mesh.js';
import { SwimMembership } from './swim.js';

interface GatedTimer {
  readonly fn: () => void;
  inner: TimerHandle | undefined;
  cancelled: boolean;
}

/**
 * A view of a shared clock whose timers can be frozen: while paused, timers that fall due are
 * held, and on resume they run at once, late, in due order, as in a tab waking from suspension.
 */
export class GatedClock implements Clock {
  private paused = false;
  private held: GatedTimer[] = [];

  constructor(private readonly base: Clock) {}

  now(): number {
    return this.base.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: GatedTimer = { fn, inner: undefined, cancelled: false };
    t.inner = this.base.setTimeout(() => {
      t.inner = undefined;
      if (t.cancelled) return;
      if (this.paused) this.held.push(t);
      else fn();
    }, ms);
    return t as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    const t = handle as unknown as GatedTimer | undefined;
    if (!t) return;
    t.cancelled = true;
    if (t.inner !== undefined) this.base.clearTimeout(t.inner);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const t of held) {
      if (t.cancelled) continue;
      t.cancelled = true;
      t.fn();
    }
  }
}

/** A verdict that dropped a peer that was in fact alive. */
export interface SpuriousDrop {
  readonly at: number;
  /** The peer whose view dropped it. */
  readonly observer: string;
  readonly dropped: string;
  /** How long the observer had been in the room. */
  readonly observerAge: number;
}

export interface ClusterPeer {
  readonly id: string;
  readonly transport: SimTransport;
  readonly membership: SwimMembership;
  readonly clock: GatedClock;
  /** When this instance joined (a rejoin under the same id is a new instance). */
  readonly startedAt: number;
  state: 'live' | 'crashed' | 'left';
}

export interface SwimClusterOptions {
  readonly seed: number;
  readonly link?: Partial<LinkOptions>;
  readonly transport?: SimTransportOptions;
  readonly swim?: Partial<SwimTunables>;
  readonly onListenerError?: SimNetworkOptions['onListenerError'];
}

/** Stable per-peer seed derived from the cluster seed and the peer id. */
function seedOf(seed: number, id: string, generation: number): number {
  let h = (seed ^ 0x9e3779b9 ^ Math.imul(generation + 1, 0x85ebca6b)) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export class SwimCluster {
  readonly net: SimNetwork;
  readonly clock: VirtualClock;
  readonly peers = new Map<string, ClusterPeer>();
  readonly spurious: SpuriousDrop[] = [];
  private generation = 0;

  constructor(private readonly options: SwimClusterOptions) {
    this.clock = new VirtualClock();
    const netOptions: SimNetworkOptions = {
      seed: options.seed,
      clock: this.clock,
      ...(options.link ? { defaultLink: options.link } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      onListenerError: options.onListenerError ?? ((err) => {
        throw err;
      }),
    };
    this.net = new SimNetwork(netOptions);
  }

  /** Joins peer `id` (a rejoin if it was here before) and starts its membership. */
  add(id: string, opts: { readonly playerId?: string; readonly swim?: Partial<SwimTunables>; readonly mesh?: MeshPolicy; readonly scope?: MemberScope } = {}): ClusterPeer {
    const transport = this.net.join(id, opts.mesh ? { mesh: opts.mesh } : {});
    const clock = new GatedClock(this.clock);
    const membership = SwimMembership.overTransport(transport, {
      ...this.options.swim,
      ...opts.swim,
      clock,
      rng: new SeededRng(seedOf(this.options.seed, id, this.generation++)),
      ...(opts.playerId === undefined ? {} : { playerId: opts.playerId }),
      ...(opts.scope === undefined ? {} : { scope: opts.scope }),
      onListenerError: (err) => {
        throw err;
      },
    });
    const peer: ClusterPeer = { id, transport, membership, clock, startedAt: this.clock.now(), state: 'live' };
    // When each member entered this peer's view: a drop is spurious only if the entry was about
    // the dropped peer's current instance (dropping a crashed instance whose id already rejoined
    // is right).
    const addedAt = new Map<string, number>();
    membership.on('change', (c) => {
      const now = this.clock.now();
      for (const j of c.joined) addedAt.set(j, now);
      for (const gone of c.left) {
        const other = this.peers.get(gone);
        if (other && other.state === 'live' && peer.state === 'live' && (addedAt.get(gone) ?? -1) >= other.startedAt) {
          this.spurious.push({ at: now, observer: id, dropped: gone, observerAge: now - peer.startedAt });
        }
      }
    });
    this.peers.set(id, peer);
    return peer;
  }

  peer(id: string): ClusterPeer {
    const p = this.peers.get(id);
    if (!p) throw new Error(`no peer ${id} in this cluster`);
    return p;
  }

  /** Crashes `id`: its transport and its membership stop without a word. */
  crash(id: string): void {
    const p = this.peer(id);
    p.state = 'crashed';
    this.net.crash(id);
    p.membership.dispose();
  }

  /** Graceful leave: the membership says goodbye, then the transport closes. */
  async leave(id: string): Promise<void> {
    const p = this.peer(id);
    p.state = 'left';
    p.membership.leave();
    await p.transport.close();
    p.membership.dispose();
  }

  /** Freezes `id` like a suspended tab: no packets processed, no timers run. */
  pause(id: string): void {
    const p = this.peer(id);
    this.net.pause(id);
    p.clock.pause();
  }

  /** Wakes `id`: queued packets first, then its late timers. */
  resume(id: string): void {
    const p = this.peer(id);
    this.net.resume(id);
    p.clock.resume();
  }

  /** Live peers, sorted by id. */
  live(): ClusterPeer[] {
    return [...this.peers.values()].filter((p) => p.state === 'live').sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Ids of the live peers, sorted. */
  liveIds(): PeerId[] {
    return this.live().map((p) => p.transport.localId);
  }

  /** True when every live peer's view is exactly the set of live peers. */
  converged(): boolean {
    const want = this.liveIds().join(',');
    return this.live().every((p) => p.membership.members().join(',') === want);
  }

  /** Each live peer's view, for failure messages. */
  describe(): string {
    return this.live()
      .map((p) => `${p.id}: [${p.membership.members().join(',')}] standby [${p.membership.standby().join(',')}]`)
      .join('\n');
  }

  run(ms: number): void {
    this.net.run(ms);
  }

  runUntil(predicate: () => boolean, maxMs: number): boolean {
    return this.net.runUntil(predicate, maxMs);
  }
}
