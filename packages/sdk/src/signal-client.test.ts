import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnarchyError, ErrorCode, SignalError } from './errors.js';
import { peerServerOptions, SignalClient } from './signal-client.js';
import type { FetchLike } from './signal-client.js';
import { startTestSignalServer } from './transport/peerjs/test-support.node.js';
import type { TestSignalServer } from './transport/peerjs/test-support.node.js';
import { VirtualClock } from './util/clock.js';

/** Records requests and answers each from a script. */
function stubFetch(answer: (url: string, init: RequestInit | undefined) => Response | Promise<Response>): FetchLike & { calls: Array<{ url: string; init: RequestInit | undefined }> } {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fn = async (url: string, init?: RequestInit): Promise<Response> => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return Object.assign(fn, { calls });
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function rejection(promise: Promise<unknown>): Promise<SignalError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(SignalError);
    return err as SignalError;
  }
  throw new Error('expected the call to reject');
}

describe('peerServerOptions', () => {
  it('derives host, port, path, secure and key from the signal URL', () => {
    expect(peerServerOptions('http://127.0.0.1:9000')).toEqual({ host: '127.0.0.1', port: 9000, path: '/peerjs', secure: false, key: 'peerjs' });
    expect(peerServerOptions('https://signal.example.com')).toEqual({ host: 'signal.example.com', port: 443, path: '/peerjs', secure: true, key: 'peerjs' });
    expect(peerServerOptions('http://example.com/')).toMatchObject({ port: 80, path: '/peerjs' });
    expect(peerServerOptions('https://example.com/base/signal')).toMatchObject({ path: '/base/signal/peerjs', secure: true });
    expect(peerServerOptions('wss://example.com:8443')).toMatchObject({ port: 8443, secure: true });
    expect(peerServerOptions('http://[::1]:7000')).toMatchObject({ host: '[::1]', port: 7000 });
  });

  it('rejects what is not a service base URL', () => {
    for (const bad of ['', 'signal.example.com', 'ftp://x.org', 'http://x.org/?a=1', 'http://x.org/#top']) {
      expect(() => peerServerOptions(bad), bad).toThrowError(expect.objectContaining({ code: ErrorCode.InvalidArgument }));
    }
  });
});

describe('SignalClient with a stub fetch', () => {
  const room = { roomId: 'r1', maxPeers: 8 };

  it('sends the documented requests and parses the answers', async () => {
    const fetch = stubFetch((url, init) => {
      if (init?.method === 'POST' && url.endsWith('/rooms')) return json(201, room);
      if (init?.method === 'GET') return json(200, { ...room, peers: ['a'] });
      if (init?.method === 'POST') return json(200, { ...room, peers: ['a', 'b c'] });
      return new Response(null, { status: 204 });
    });
    const client = new SignalClient({ url: 'http://signal.test/base', fetch });
    expect(await client.createRoom({ maxPeers: 8 })).toEqual(room);
    expect(await client.getRoom('r1')).toEqual({ ...room, peers: ['a'] });
    expect(await client.joinRoom('r1', 'b c')).toEqual({ ...room, peers: ['a', 'b c'] });
    await client.leaveRoom('r1', 'b c');
    expect(fetch.calls.map((c) => `${c.init?.method} ${c.url}`)).toEqual([
      'POST http://signal.test/base/rooms',
      'GET http://signal.test/base/rooms/r1',
      'POST http://signal.test/base/rooms/r1/peers',
      'DELETE http://signal.test/base/rooms/r1/peers/b%20c',
    ]);
    expect(JSON.parse(String(fetch.calls[0]?.init?.body))).toEqual({ maxPeers: 8 });
    expect(JSON.parse(String(fetch.calls[2]?.init?.body))).toEqual({ peerId: 'b c' });
  });

  it('maps a network failure to signal-unreachable, keeping the cause', async () => {
    const cause = new TypeError('fetch failed');
    const client = new SignalClient({ url: 'http://signal.test', fetch: async () => Promise.reject(cause) });
    const err = await rejection(client.getRoom('r1'));
    expect(err.code).toBe(ErrorCode.SignalUnreachable);
    expect(err.cause).toBe(cause);
    expect(err.message).toContain('http://signal.test/');
  });

  it('maps a non-JSON answer and a malformed one to signal-unreachable', async () => {
    const html = new SignalClient({ url: 'http://signal.test', fetch: async () => new Response('<html>', { status: 502 }) });
    expect((await rejection(html.getRoom('r1'))).code).toBe(ErrorCode.SignalUnreachable);
    for (const body of [{ roomId: 'r1', maxPeers: 8 }, { roomId: 'r1', maxPeers: 8, peers: [1] }, { roomId: 5, maxPeers: 8, peers: [] }, [], null]) {
      const client = new SignalClient({ url: 'http://signal.test', fetch: async () => json(200, body) });
      const err = await rejection(client.getRoom('r1'));
      expect(err.code, JSON.stringify(body)).toBe(ErrorCode.SignalUnreachable);
      expect(err.details['reason']).toBe('invalid-response');
    }
  });

  it('maps room-not-found and room-full to their own codes and everything else to signal-rejected', async () => {
    const cases: Array<[number, unknown, string, string]> = [
      [404, { error: { code: 'room-not-found', message: 'gone' } }, ErrorCode.RoomNotFound, 'room-not-found'],
      [409, { error: { code: 'room-full', message: 'full' } }, ErrorCode.RoomFull, 'room-full'],
      [409, { error: { code: 'peer-not-connected', message: 'connect first' } }, ErrorCode.SignalRejected, 'peer-not-connected'],
      [429, { error: { code: 'rate-limited', message: 'slow down' } }, ErrorCode.SignalRejected, 'rate-limited'],
      [400, { error: { code: 'invalid-peer-id', message: 'bad id' } }, ErrorCode.SignalRejected, 'invalid-peer-id'],
      [500, { unexpected: true }, ErrorCode.SignalRejected, 'http-500'],
    ];
    for (const [status, body, code, signalCode] of cases) {
      const client = new SignalClient({ url: 'http://signal.test', fetch: async () => json(status, body) });
      const err = await rejection(client.joinRoom('r1', 'alice'));
      expect(err.code, signalCode).toBe(code);
      expect(err.details).toMatchObject({ status, signalCode });
    }
  });

  it('gives up after timeoutMs on the injected clock', async () => {
    const clock = new VirtualClock();
    let aborted = false;
    const fetch: FetchLike = (_url, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => {
        aborted = true;
        reject(new Error('aborted'));
      }));
    const client = new SignalClient({ url: 'http://signal.test', fetch, clock, timeoutMs: 500 });
    const pending = rejection(client.getRoom('r1'));
    clock.advance(499);
    await Promise.resolve();
    expect(aborted).toBe(false);
    clock.advance(1);
    const err = await pending;
    expect(err.code).toBe(ErrorCode.SignalUnreachable);
    expect(err.message).toContain('500 ms');
    expect(aborted).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('validates its own options', () => {
    expect(() => new SignalClient({ url: 'nope', fetch: async () => json(200, {}) })).toThrowError(AnarchyError);
    expect(() => new SignalClient({ url: 'http://x.org', fetch: async () => json(200, {}), timeoutMs: 0 })).toThrowError(AnarchyError);
  });
});

describe('SignalClient against the real signal service', () => {
  let server: TestSignalServer;
  let client: SignalClient;

  beforeAll(async () => {
    server = await startTestSignalServer();
    client = new SignalClient({ url: server.url });
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates and reads a room', async () => {
    const created = await client.createRoom({ maxPeers: 3 });
    expect(created.maxPeers).toBe(3);
    expect(await client.getRoom(created.roomId)).toEqual({ roomId: created.roomId, maxPeers: 3, peers: [] });
  });

  it('reports a missing room as room-not-found', async () => {
    expect((await rejection(client.getRoom('no-such-room'))).code).toBe(ErrorCode.RoomNotFound);
    expect((await rejection(client.joinRoom('no-such-room', 'alice'))).code).toBe(ErrorCode.RoomNotFound);
  });

  it('refuses a peer without a PeerServer connection with peer-not-connected', async () => {
    const { roomId } = await client.createRoom();
    const err = await rejection(client.joinRoom(roomId, 'ghost'));
    expect(err.code).toBe(ErrorCode.SignalRejected);
    expect(err.details['signalCode']).toBe('peer-not-connected');
  });

  it('passes server-side validation errors through as signal-rejected', async () => {
    const err = await rejection(client.createRoom({ maxPeers: 0 }));
    expect(err.code).toBe(ErrorCode.SignalRejected);
    expect(err.details['signalCode']).toBe('invalid-body');
    const bad = await rejection(client.getRoom('bad room!'));
    expect(bad.details['signalCode']).toBe('invalid-room-id');
  });

  it('reports a stopped service as signal-unreachable', async () => {
    const other = await startTestSignalServer();
    await other.close();
    const err = await rejection(new SignalClient({ url: other.url }).createRoom());
    expect(err.code).toBe(ErrorCode.SignalUnreachable);
  });
});
