/**
 * One conformance suite for every `Transport`: plain async scenarios with no test-framework
 * imports, so Vitest (sim and Node PeerJS) and Chromium pages (PeerJS in the browser) run the
 * very same code. A scenario throws a {@link ConformanceFailure} when the transport misbehaves.
 */
import { AnarchyError, ErrorCode } from '../errors.js';
import type { Channel, PeerId, Transport, TransportEvents } from './types.js';

/** What a transport implementation provides to run the suite. */
export interface ConformanceHarness {
  /** Creates `n` transports in one fresh room and resolves when every pair is connected. */
  createRoom(n: number): Promise<Transport[]>;
  /** Adds one more transport to the room of `existing` and resolves when it is connected to all. */
  addPeer(existing: readonly Transport[]): Promise<Transport>;
  /**
   * Waits until `condition()` holds. Simulated transports advance virtual time; real ones poll
   * on the real clock. Rejects with a message naming `what` after the harness's time budget.
   */
  waitFor(condition: () => boolean, what: string): Promise<void>;
  /** Makes `t` vanish without a goodbye (no close, no channel close): a crashed tab or process. */
  crash(t: Transport): Promise<void>;
  /** Frees every transport the harness created. */
  dispose(): Promise<void>;
}

/**
 * Thrown by a {@link ConformanceScenario} when the transport breaks the `Transport` contract, as
 * opposed to a harness or environment problem (which throws anything else).
 *
 * @example
 * ```ts
 * try {
 *   await scenario.run(harness);
 * } catch (err) {
 *   if (err instanceof ConformanceFailure) console.error(`transport bug in ${scenario.name}: ${err.message}`);
 *   throw err;
 * }
 * ```
 */
export class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

/**
 * One conformance check: a name and an async body run against a fresh harness. Iterate
 * {@link conformanceScenarios} to give each its own test in your test runner.
 */
export interface ConformanceScenario {
  /** Starts with the rule id it checks, e.g. `[T8] a crashed peer is detected …`. */
  readonly name: string;
  /** Runs the scenario; rejects (with a {@link ConformanceFailure} for a contract breach) on failure. */
  run(h: ConformanceHarness): Promise<void>;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ConformanceFailure(message);
}

/**
 * Records every event of a transport for later assertions: subscribe before acting, then check
 * what arrived.
 *
 * @example
 * ```ts
 * const log = new EventLog(bob);
 * alice.send(bob.localId, 'control', new Uint8Array([7]));
 * net.run(100);
 * log.from(alice.localId, 'control'); // [Uint8Array [7]]
 * ```
 */
export class EventLog {
  readonly joined: PeerId[] = [];
  readonly left: Array<TransportEvents['peer-left']> = [];
  readonly messages: Array<TransportEvents['message']> = [];
  constructor(t: Transport) {
    t.on('peer-joined', (e) => this.joined.push(e.peer));
    t.on('peer-left', (e) => this.left.push(e));
    t.on('message', (e) => this.messages.push(e));
  }
  /** The payloads received from `peer` on `channel`, in arrival order. */
  from(peer: PeerId, channel: Channel): Uint8Array[] {
    return this.messages.filter((m) => m.peer === peer && m.channel === channel).map((m) => m.data);
  }
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const hasPeer = (t: Transport, p: PeerId): boolean => t.peers().includes(p);

function expectCode(fn: () => unknown, code: string, what: string): void {
  try {
    fn();
  } catch (err) {
    check(err instanceof AnarchyError, `${what}: expected an AnarchyError, got ${String(err)}`);
    check(err.code === code, `${what}: expected code ${code}, got ${err.code}`);
    return;
  }
  throw new ConformanceFailure(`${what}: expected a ${code} error, but the call succeeded`);
}

/**
 * Every scenario of the `Transport` contract ([T1]–[T8]: ids, both channels, leave, crash,
 * errors). Run them one per test with your own harness, or all at once with {@link runConformance}.
 *
 * @example
 * ```ts
 * for (const scenario of conformanceScenarios) {
 *   it(scenario.name, async () => {
 *     const h = createSimHarness({ seed: 1 });
 *     try { await scenario.run(h); } finally { await h.dispose(); }
 *   });
 * }
 * ```
 */
export const conformanceScenarios: readonly ConformanceScenario[] = [
  {
    name: '[T1] peers in a room see each other and have distinct ids',
    async run(h) {
      const ts = await h.createRoom(3);
      const ids = new Set(ts.map((t) => t.localId));
      check(ids.size === 3, `expected 3 distinct ids, got ${[...ids].join(',')}`);
      for (const t of ts) {
        const others = ts.filter((o) => o !== t).map((o) => o.localId);
        check(others.every((o) => hasPeer(t, o)), `${t.localId} sees ${t.peers().join(',')}, expected ${others.join(',')}`);
        check(!hasPeer(t, t.localId), `${t.localId} lists itself as a peer`);
      }
    },
  },
  {
    name: '[T2] control channel delivers every message, in order, byte for byte',
    async run(h) {
      const [a, b] = await h.createRoom(2);
      check(a && b, 'room of 2');
      const log = new EventLog(b);
      const sent: Uint8Array[] = [];
      for (let i = 0; i < 200; i++) {
        const msg = new Uint8Array(1 + (i % 37));
        for (let j = 0; j < msg.length; j++) msg[j] = (i * 31 + j * 7) & 0xff;
        sent.push(msg);
        a.send(b.localId, 'control', msg);
      }
      await h.waitFor(() => log.from(a.localId, 'control').length >= sent.length, '200 control messages');
      const got = log.from(a.localId, 'control');
      check(got.length === sent.length, `expected ${sent.length} messages, got ${got.length}`);
      got.forEach((m, i) => check(sameBytes(m, sent[i]!), `control message ${i} differs or is out of order`));
    },
  },
  {
    name: '[T3] state channel delivers messages between every pair',
    async run(h) {
      const ts = await h.createRoom(3);
      const logs = ts.map((t) => new EventLog(t));
      for (const [i, from] of ts.entries()) {
        for (const to of ts) if (to !== from) from.send(to.localId, 'state', bytes(0xa0 + i, 1, 2, 3));
      }
      await h.waitFor(() => logs.every((l) => l.messages.filter((m) => m.channel === 'state').length >= 2), 'state messages on every pair');
      for (const [j, to] of ts.entries()) {
        for (const [i, from] of ts.entries()) {
          if (i === j) continue;
          const got = logs[j]!.from(from.localId, 'state');
          check(got.length === 1 && sameBytes(got[0]!, bytes(0xa0 + i, 1, 2, 3)), `${to.localId} did not get state bytes from ${from.localId}`);
        }
      }
    },
  },
  {
    name: '[T4] a 16 KiB message arrives intact on the control channel',
    async run(h) {
      const [a, b] = await h.createRoom(2);
      check(a && b, 'room of 2');
      const log = new EventLog(b);
      const big = new Uint8Array(16 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
      a.send(b.localId, 'control', big);
      await h.waitFor(() => log.from(a.localId, 'control').length === 1, 'one 16 KiB message');
      check(sameBytes(log.from(a.localId, 'control')[0]!, big), '16 KiB message corrupted');
    },
  },
  {
    name: '[T5] bad sends get typed errors and never reach anyone',
    async run(h) {
      const [a, b] = await h.createRoom(2);
      check(a && b, 'room of 2');
      expectCode(() => a.send('nobody-here' as PeerId, 'control', bytes(1)), ErrorCode.UnknownPeer, 'send to unknown peer');
      expectCode(() => a.send(b.localId, 'control', 'text' as unknown as Uint8Array), ErrorCode.InvalidMessage, 'send a string');
      expectCode(() => a.send(b.localId, 'state', new Uint8Array(1024 * 1024)), ErrorCode.InvalidMessage, 'send 1 MiB');
      expectCode(() => a.send(b.localId, 'bogus' as Channel, bytes(1)), ErrorCode.InvalidArgument, 'send on unknown channel');
      check(a.bufferedAmount('nobody-here' as PeerId, 'control') === 0, 'bufferedAmount of unknown peer is 0');
    },
  },
  {
    name: '[T6] a late joiner connects to everyone and is announced once',
    async run(h) {
      const ts = await h.createRoom(2);
      const logs = ts.map((t) => new EventLog(t));
      const late = await h.addPeer(ts);
      await h.waitFor(() => ts.every((t) => hasPeer(t, late.localId)), 'everyone sees the late joiner');
      for (const [i, t] of ts.entries()) {
        check(logs[i]!.joined.filter((p) => p === late.localId).length === 1, `${t.localId} announced the late joiner ${logs[i]!.joined.length} times`);
        check(hasPeer(late, t.localId), `late joiner does not see ${t.localId}`);
      }
      const lateLog = new EventLog(late);
      ts[0]!.send(late.localId, 'control', bytes(42));
      await h.waitFor(() => lateLog.messages.length === 1, 'message to the late joiner');
    },
  },
  {
    name: '[T7] close() is seen by the others as peer-left (closed) and further sends throw closed',
    async run(h) {
      const [a, b, c] = await h.createRoom(3);
      check(a && b && c, 'room of 3');
      const logB = new EventLog(b);
      const logC = new EventLog(c);
      await a.close();
      check(a.closed, 'closed flag after close()');
      await a.close(); // idempotent
      expectCode(() => a.send(b.localId, 'control', bytes(1)), ErrorCode.Closed, 'send after close');
      await h.waitFor(() => !hasPeer(b, a.localId) && !hasPeer(c, a.localId), 'others drop the closed peer');
      for (const log of [logB, logC]) {
        const left = log.left.filter((e) => e.peer === a.localId);
        check(left.length === 1, `peer-left emitted ${left.length} times`);
        check(left[0]!.reason === 'closed', `leave reason ${left[0]!.reason}, expected closed`);
      }
      expectCode(() => b.send(a.localId, 'control', bytes(1)), ErrorCode.UnknownPeer, 'send to a departed peer');
    },
  },
  {
    name: '[T8] a crashed peer is detected without any close event',
    async run(h) {
      const [a, b, c] = await h.createRoom(3);
      check(a && b && c, 'room of 3');
      const logB = new EventLog(b);
      await h.crash(a);
      await h.waitFor(() => !hasPeer(b, a.localId) && !hasPeer(c, a.localId), 'others detect the crashed peer');
      const left = logB.left.filter((e) => e.peer === a.localId);
      check(left.length === 1, `peer-left emitted ${left.length} times`);
      check(left[0]!.reason !== 'closed', `a crash was reported as a clean close`);
      // The survivors still talk to each other.
      const logC = new EventLog(c);
      b.send(c.localId, 'control', bytes(7));
      await h.waitFor(() => logC.from(b.localId, 'control').length === 1, 'survivors still connected');
    },
  },
  {
    name: '[T9] hangUp closes one connection: both sides see hung-up, stay in the room, and can dial again',
    async run(h) {
      const [a, b, c] = await h.createRoom(3);
      check(a && b && c, 'room of 3');
      const logA = new EventLog(a);
      const logB = new EventLog(b);
      // Sent before the hang-up on the reliable channel: still delivered.
      a.send(b.localId, 'control', bytes(1));
      a.hangUp(b.localId);
      check(!hasPeer(a, b.localId), 'the hanging-up side drops the peer at once');
      const leftA = logA.left.filter((e) => e.peer === b.localId);
      check(leftA.length === 1 && leftA[0]!.reason === 'hung-up', `hanging-up side saw ${JSON.stringify(leftA)}, expected one hung-up`);
      expectCode(() => a.send(b.localId, 'control', bytes(2)), ErrorCode.UnknownPeer, 'send after hanging up');
      a.hangUp(b.localId); // not connected: a no-op
      await h.waitFor(() => !hasPeer(b, a.localId), 'the other side drops the connection');
      const leftB = logB.left.filter((e) => e.peer === a.localId);
      check(leftB.length === 1 && leftB[0]!.reason === 'hung-up', `other side saw ${JSON.stringify(leftB)}, expected one hung-up`);
      check(logB.from(a.localId, 'control').length === 1, 'data sent before the hang-up was delivered');
      check(!a.closed && !b.closed, 'both transports stay open');
      check(hasPeer(a, c.localId) && hasPeer(b, c.localId), 'the other connections stay up');
      // Either side may dial again.
      b.dial(a.localId);
      await h.waitFor(() => hasPeer(a, b.localId) && hasPeer(b, a.localId), 'reconnected after a hang-up');
      b.send(a.localId, 'state', bytes(3));
      a.send(b.localId, 'control', bytes(4));
      await h.waitFor(() => logA.from(b.localId, 'state').length >= 1 && logB.from(a.localId, 'control').length === 2, 'messages over the new connection');
      await a.close();
      expectCode(() => a.hangUp(c.localId), ErrorCode.Closed, 'hangUp after close');
    },
  },
];

/**
 * Runs every scenario with a fresh harness each; returns failures instead of throwing. `only`
 * picks scenarios by name. `ms` is wall-clock time, for reports only.
 *
 * @example
 * ```ts
 * const results = await runConformance(() => createSimHarness({ seed: 9 }));
 * const failed = results.filter((r) => !r.ok); // [] for a conforming transport
 * ```
 */
export async function runConformance(
  makeHarness: () => ConformanceHarness | Promise<ConformanceHarness>,
  only?: (name: string) => boolean,
): Promise<Array<{ name: string; ok: boolean; error?: string; ms: number }>> {
  const results: Array<{ name: string; ok: boolean; error?: string; ms: number }> = [];
  for (const s of conformanceScenarios) {
    if (only && !only(s.name)) continue;
    const h = await makeHarness();
    const start = Date.now();
    try {
      await s.run(h);
      results.push({ name: s.name, ok: true, ms: Date.now() - start });
    } catch (err) {
      results.push({ name: s.name, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err), ms: Date.now() - start });
    } finally {
      await h.dispose();
    }
  }
  return results;
}
