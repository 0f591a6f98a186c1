import { describe, expect, it } from 'vitest';
import { ErrorCode, type TransportError } from '../../errors.js';
import type { PeerId } from '../types.js';
import { SimNetwork, type SimNetworkOptions } from './network.js';
import type { SimTransport } from './transport.js';

type Entry = readonly [at: number, event: string, detail: string];

/** Joins `ids` (10 ms links unless `options` say otherwise), waits for the full mesh, logs every event. */
function mesh(ids: readonly string[], options: Partial<SimNetworkOptions> & { seed: number }) {
  const net = new SimNetwork(options);
  const ts = ids.map((id) => net.join(id));
  const logs = new Map<string, Entry[]>();
  for (const t of ts) {
    const log: Entry[] = [];
    logs.set(t.localId, log);
    t.on('peer-joined', (e) => log.push([net.now(), 'joined', e.peer]));
    t.on('peer-left', (e) => log.push([net.now(), 'left', `${e.peer}:${e.reason}`]));
    t.on('message', (e) => log.push([net.now(), `msg:${e.channel}`, `${e.peer}:${Array.from(e.data).join(',')}`]));
    t.on('closed', () => log.push([net.now(), 'closed', '']));
    t.on('error', (e) => log.push([net.now(), 'error', e.code]));
  }
  const full = (): boolean => ts.every((t) => !t.closed && !t.crashed && t.peers().length === ts.length - 1);
  if (!net.runUntil(full, 1_000)) throw new Error(`mesh of ${ids.join(',')} did not form (seed ${options.seed})`);
  const t = (id: string): SimTransport => ts.find((x) => x.localId === id)!;
  const log = (id: string): Entry[] => logs.get(id)!;
  const events = (id: string, kind: string): Entry[] => log(id).filter((e) => e[1] === kind);
  return { net, ts, t, log, events };
}

const p = (id: string): PeerId => id as PeerId;
const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

describe('SimNetwork partitions', () => {
  it('cuts state packets across the partition, holds control packets until the heal', () => {
    const seed = 101;
    const { net, t, events } = mesh(['a', 'b', 'c'], { seed });
    net.run(90); // t = 100
    net.partition(['a'], ['b', 'c']);
    expect(net.reachable('a', 'b')).toBe(false);
    expect(net.reachable('b', 'c')).toBe(true);
    t('a').send(p('b'), 'state', bytes(1));
    t('b').send(p('c'), 'state', bytes(2));
    for (let i = 0; i < 3; i++) t('a').send(p('b'), 'control', bytes(10 + i));
    net.run(1_900); // t = 2000, still within the 5 s timeout
    expect(events('b', 'msg:state'), `seed ${seed}`).toEqual([]);
    expect(events('c', 'msg:state'), `seed ${seed}`).toEqual([[110, 'msg:state', 'b:2']]);
    expect(events('b', 'msg:control'), `seed ${seed}`).toEqual([]);
    expect(net.stats().state.cut).toBe(1);

    net.heal();
    net.run(100);
    expect(events('b', 'msg:control'), `seed ${seed}`).toEqual([
      [2010, 'msg:control', 'a:10'],
      [2010, 'msg:control', 'a:11'],
      [2010, 'msg:control', 'a:12'],
    ]);
    expect(events('a', 'left').concat(events('b', 'left'), events('c', 'left')), `seed ${seed}`).toEqual([]);
  });

  it('cuts a state packet whose flight spans a partition that has already healed', () => {
    const seed = 102;
    const { net, t, events } = mesh(['a', 'b'], { seed });
    net.setLink('a', 'b', { latencyMs: 50 });
    t('a').send(p('b'), 'state', bytes(1));
    t('a').send(p('b'), 'control', bytes(2));
    net.run(10);
    net.partition(['a'], ['b']);
    net.run(10);
    net.heal();
    net.run(100);
    expect(events('b', 'msg:state'), `seed ${seed}`).toEqual([]);
    expect(events('b', 'msg:control').map((e) => e[2]), `seed ${seed}`).toEqual(['a:2']);
    expect(net.stats().state.cut).toBe(1);
  });

  it('detects a long partition by timeout on both sides and reconnects after the heal', () => {
    const seed = 103;
    const { net, t, log, events } = mesh(['a', 'b', 'c'], { seed });
    const start = net.now();
    net.partition(['a'], ['b', 'c']);
    t('a').send(p('b'), 'control', bytes(9)); // dies with the connection, never delivered
    net.run(7_000);
    expect(t('a').peers(), `seed ${seed}`).toEqual([]);
    expect(t('b').peers(), `seed ${seed}`).toEqual([p('c')]);
    expect(events('a', 'left').map((e) => e[2]).sort(), `seed ${seed}`).toEqual(['b:timeout', 'c:timeout']);
    expect(events('b', 'left').map((e) => e[2]), `seed ${seed}`).toEqual(['a:timeout']);
    // The last keep-alive got through less than 1 s before the cut; the timeout (> 5 s of silence)
    // is checked once a second: noticed within (4 s, 6 s] of the cut.
    for (const [at] of [...events('a', 'left'), ...events('b', 'left'), ...events('c', 'left')]) {
      expect(at - start, `seed ${seed}`).toBeGreaterThan(4_000);
      expect(at - start, `seed ${seed}`).toBeLessThanOrEqual(6_000);
    }

    net.heal();
    const healedAt = net.now();
    const back = net.runUntil(() => t('a').peers().length === 2 && t('b').peers().length === 2 && t('c').peers().length === 2, 5_000);
    expect(back, `seed ${seed}`).toBe(true);
    expect(net.now() - healedAt, `seed ${seed}: re-dial every second plus one latency`).toBeLessThanOrEqual(1_010);
    expect(events('b', 'joined').map((e) => e[2]), `seed ${seed}`).toEqual(['a', 'c', 'a']);
    expect(events('b', 'joined').filter((e) => e[2] === 'c'), `seed ${seed}: b and c never lost each other`).toHaveLength(1);
    t('a').send(p('b'), 'control', bytes(7));
    net.run(20);
    expect(events('b', 'msg:control').map((e) => e[2]), `seed ${seed}`).toEqual(['a:7']);
    expect(log('b').some((e) => e[1] === 'error'), `seed ${seed}: re-dials fail quietly`).toBe(false);
  });

  it('a peer joining into a partition gets a dial error, then connects after the heal', () => {
    const seed = 104;
    const net = new SimNetwork({ seed });
    const a = net.join('a');
    net.partition(['a'], ['x']);
    const x = net.join('x');
    const errors: TransportError[] = [];
    x.on('error', (e) => errors.push(e));
    net.run(100);
    expect(errors.map((e) => e.code), `seed ${seed}`).toEqual([ErrorCode.PeerConnectionFailed]);
    expect(x.peers()).toEqual([]);
    net.heal();
    expect(net.runUntil(() => x.peers().includes(a.localId) && a.peers().includes(x.localId), 2_000), `seed ${seed}`).toBe(true);
  });

  it('does not re-dial when redial is off', () => {
    const seed = 105;
    const { net, t } = mesh(['a', 'b'], { seed, transport: { redial: false } });
    net.partition(['a'], ['b']);
    net.run(6_000);
    net.heal();
    net.run(10_000);
    expect(t('a').peers(), `seed ${seed}`).toEqual([]);
    expect(t('b').peers(), `seed ${seed}`).toEqual([]);
  });

  it('rejects a peer listed in two groups', () => {
    const net = new SimNetwork({ seed: 1 });
    expect(() => net.partition(['a', 'b'], ['b'])).toThrow(/two partition groups/);
  });
});

describe('SimNetwork crash and close', () => {
  it('detects a crash at the first keep-alive tick more than peerTimeoutMs after the last packet', () => {
    const seed = 201;
    const { net, t, log, events } = mesh(['a', 'b', 'c'], { seed });
    net.run(2_490); // t = 2500; last keep-alive from a reached b and c at 2010
    net.crash('a');
    expect(t('a').crashed).toBe(true);
    expect(t('a').closed).toBe(true);
    expect(() => t('a').send(p('b'), 'control', bytes(1))).toThrow(expect.objectContaining({ code: ErrorCode.Closed }));
    const aEvents = log('a').length;
    net.run(10_000);
    // Ticks at 7000 (4990 ms of silence: not yet) and 8000 (5990 ms: gone).
    expect(events('b', 'left'), `seed ${seed}`).toEqual([[8000, 'left', 'a:timeout']]);
    expect(events('c', 'left'), `seed ${seed}`).toEqual([[8000, 'left', 'a:timeout']]);
    expect(log('a').length, `seed ${seed}: a crashed peer emits nothing`).toBe(aEvents);
    expect(events('b', 'joined').filter((e) => e[2] === 'a'), `seed ${seed}: nobody re-dials a crashed peer`).toHaveLength(1);
    expect(t('b').peers()).toEqual([p('c')]);
    expect(net.roomMembers()).toEqual([p('b'), p('c')]);
  });

  it('loses a crashed peer’s packets still waiting for bandwidth, not those already on the wire', () => {
    const seed = 202;
    const { net, t, events } = mesh(['a', 'b'], { seed, defaultLink: { latencyMs: 10, bandwidthBytesPerSec: 1_000 } });
    t('a').send(p('b'), 'control', new Uint8Array(100)); // on the wire after 100 ms
    t('a').send(p('b'), 'control', new Uint8Array(100)); // still queued at 150 ms
    net.run(150);
    net.crash('a');
    net.run(200);
    expect(events('b', 'msg:control'), `seed ${seed}`).toHaveLength(1);
    expect(net.stats().control.orphaned).toBe(1);
  });

  it('close(): control sent before it arrives first, then peers see closed; the closer reports its own leaves', () => {
    const seed = 203;
    const { net, t, log, events } = mesh(['a', 'b', 'c'], { seed });
    const t0 = net.now();
    t('a').send(p('b'), 'control', bytes(1));
    t('a').send(p('b'), 'control', bytes(2));
    void t('a').close();
    expect(log('a').slice(-3).map((e) => [e[1], e[2]])).toEqual([
      ['left', 'b:closed'],
      ['left', 'c:closed'],
      ['closed', ''],
    ]);
    expect(t('a').peers()).toEqual([]);
    expect(() => t('a').send(p('b'), 'state', bytes(1))).toThrow(expect.objectContaining({ code: ErrorCode.Closed }));
    net.run(10_000);
    expect(log('b').filter((e) => e[0] > t0), `seed ${seed}`).toEqual([
      [t0 + 10, 'msg:control', 'a:1'],
      [t0 + 10, 'msg:control', 'a:2'],
      [t0 + 10, 'left', 'a:closed'],
    ]);
    expect(events('c', 'left'), `seed ${seed}`).toEqual([[t0 + 10, 'left', 'a:closed']]);
    expect(events('b', 'joined').filter((e) => e[2] === 'a'), `seed ${seed}: nobody re-dials a closed peer`).toHaveLength(1);
  });

  it('a crashed id may rejoin once the old connection has timed out', () => {
    const seed = 204;
    const { net, t, events } = mesh(['a', 'b'], { seed });
    net.crash('a');
    net.run(500);
    expect(() => net.join('b')).toThrow(expect.objectContaining({ code: ErrorCode.PeerIdUnavailable }));
    const a2 = net.join('a');
    const errors: string[] = [];
    a2.on('error', (e) => errors.push(e.code));
    net.run(100);
    // b still holds the old connection to 'a': one connection per pair, so the dial is refused.
    expect(errors, `seed ${seed}`).toEqual([ErrorCode.PeerConnectionFailed]);
    expect(a2.peers()).toEqual([]);
    expect(net.runUntil(() => a2.peers().includes(p('b')), 10_000), `seed ${seed}`).toBe(true);
    const leftAt = events('b', 'left')[0]![0];
    expect(net.now() - leftAt, `seed ${seed}: re-dialled within a second of the timeout`).toBeLessThanOrEqual(1_010);
    expect(events('b', 'left').concat(events('b', 'joined')).sort((x, y) => x[0] - y[0]).map((e) => [e[1], e[2]]), `seed ${seed}`).toEqual([
      ['joined', 'a'],
      ['left', 'a:timeout'],
      ['joined', 'a'],
    ]);
    const got: number[] = [];
    a2.on('message', (m) => got.push(m.data[0]!));
    t('b').send(p('a'), 'control', bytes(5));
    net.run(20);
    expect(got).toEqual([5]);
    expect(net.transport('a')).toBe(a2);
  });

  it('a new connection’s control packets do not wait behind the retransmissions of the old one', () => {
    const seed = 205;
    const { net, t } = mesh(['a', 'b'], { seed });
    // Total loss: b's packet to 'a' is retransmitted with backoff for minutes on the old connection.
    net.setLink('b', 'a', { loss: 1 });
    t('b').send(p('a'), 'control', bytes(1));
    net.crash('a');
    net.run(500);
    net.setLink('b', 'a', { loss: 0 });
    const a2 = net.join('a');
    expect(net.runUntil(() => a2.peers().includes(p('b')) && t('b').peers().includes(p('a')), 10_000), `seed ${seed}`).toBe(true);
    const got: number[] = [];
    a2.on('message', (m) => got.push(m.data[0]!));
    t('b').send(p('a'), 'control', bytes(7));
    net.run(20);
    expect(got, `seed ${seed}: only the new connection's packet, one latency later`).toEqual([7]);
  });
});

describe('SimNetwork pause', () => {
  it('queues packets for a paused peer and processes them in order on resume', () => {
    const seed = 301;
    const { net, t, events } = mesh(['a', 'b'], { seed });
    net.run(90); // t = 100
    net.pause('b', 2_000);
    expect(t('b').paused).toBe(true);
    t('a').send(p('b'), 'control', bytes(1));
    t('a').send(p('b'), 'state', bytes(2));
    t('a').send(p('b'), 'control', bytes(3));
    net.run(1_990);
    expect(events('b', 'msg:control')).toEqual([]);
    net.run(20); // resumes at 2100
    expect(t('b').paused).toBe(false);
    // Order holds per channel; the two channels are independent, as on a real connection.
    expect(events('b', 'msg:control'), `seed ${seed}`).toEqual([
      [2100, 'msg:control', 'a:1'],
      [2100, 'msg:control', 'a:3'],
    ]);
    expect(events('b', 'msg:state'), `seed ${seed}`).toEqual([[2100, 'msg:state', 'a:2']]);
    net.run(10_000);
    expect(events('a', 'left').concat(events('b', 'left')), `seed ${seed}: 2 s is shorter than the timeout`).toEqual([]);
  });

  it('a peer paused past the timeout is dropped, then reconnects after it resumes', () => {
    const seed = 302;
    const { net, t, events } = mesh(['a', 'b'], { seed });
    net.pause('b');
    net.run(8_000);
    expect(events('a', 'left').map((e) => e[2]), `seed ${seed}`).toEqual(['b:timeout']);
    expect(events('b', 'left'), `seed ${seed}: a paused peer runs no timers`).toEqual([]);
    net.resume('b');
    const ok = net.runUntil(() => t('a').peers().includes(p('b')) && t('b').peers().includes(p('a')), 15_000);
    expect(ok, `seed ${seed}`).toBe(true);
    expect(events('b', 'left').map((e) => e[2]), `seed ${seed}`).toEqual(['a:timeout']);
    expect(events('a', 'joined').map((e) => e[2]), `seed ${seed}`).toEqual(['b', 'b']);
  });
});
