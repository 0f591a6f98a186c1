import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SignalServer } from './server.js';
import { closeSocket, errorCode, openPeerSocket, request, startTestServer } from './test-support.js';
import type { WebSocket } from 'ws';

const servers: SignalServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  await Promise.all(sockets.splice(0).map(closeSocket));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Parameters<typeof startTestServer>[0] = {}) {
  const started = await startTestServer(options);
  servers.push(started.server);
  return started;
}

async function connect(server: SignalServer, id: string) {
  const opened = await openPeerSocket(server, id);
  sockets.push(opened.ws);
  expect(opened.first).toEqual({ type: 'OPEN' });
  return opened.ws;
}

async function createRoom(server: SignalServer, body?: unknown): Promise<string> {
  const answer = await request(server, 'POST', '/rooms', body);
  expect(answer.status).toBe(201);
  return (answer.body as { roomId: string }).roomId;
}

describe('room lifecycle', () => {
  it('creates, joins in order, lists, leaves, and the empty room expires after roomTtlMs', async () => {
    const { server, clock } = await start({ roomTtlMs: 5_000 });
    const created = await request(server, 'POST', '/rooms', { maxPeers: 3 });
    expect(created.status).toBe(201);
    const { roomId, maxPeers } = created.body as { roomId: string; maxPeers: number };
    expect(roomId).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(maxPeers).toBe(3);

    await connect(server, 'alice');
    await connect(server, 'bob');
    const joinedA = await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'alice' });
    expect(joinedA).toMatchObject({ status: 200, body: { roomId, maxPeers: 3, peers: ['alice'] } });
    const joinedB = await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'bob' });
    expect(joinedB.body).toEqual({ roomId, maxPeers: 3, peers: ['alice', 'bob'] });
    const again = await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'alice' });
    expect(again.body).toEqual({ roomId, maxPeers: 3, peers: ['alice', 'bob'] });
    expect(await request(server, 'GET', `/rooms/${roomId}`)).toMatchObject({ status: 200, body: { roomId, maxPeers: 3, peers: ['alice', 'bob'] } });

    const left = await request(server, 'DELETE', `/rooms/${roomId}/peers/alice`);
    expect(left.status).toBe(204);
    expect(left.body).toBeUndefined();
    expect((await request(server, 'DELETE', `/rooms/${roomId}/peers/alice`)).status).toBe(204);
    await request(server, 'DELETE', `/rooms/${roomId}/peers/bob`);
    expect((await request(server, 'GET', `/rooms/${roomId}`)).body).toEqual({ roomId, maxPeers: 3, peers: [] });

    clock.advance(5_000);
    const gone = await request(server, 'GET', `/rooms/${roomId}`);
    expect(gone.status).toBe(404);
    expect(errorCode(gone)).toBe('room-not-found');
    expect(server.metrics()).toMatchObject({ rooms: 0, roomsCreated: 1, roomsExpired: 1, joins: 2, leaves: 2 });
  });

  it('uses the server cap when maxPeers is omitted', async () => {
    const { server } = await start({ maxPeersPerRoom: 5 });
    expect((await request(server, 'POST', '/rooms')).body).toMatchObject({ maxPeers: 5 });
    expect((await request(server, 'POST', '/rooms', {})).body).toMatchObject({ maxPeers: 5 });
  });

  it('expires a room nobody ever joined', async () => {
    const { server, clock } = await start({ roomTtlMs: 1_000 });
    const roomId = await createRoom(server);
    clock.advance(999);
    expect((await request(server, 'GET', `/rooms/${roomId}`)).status).toBe(200);
    clock.advance(1);
    expect(errorCode(await request(server, 'GET', `/rooms/${roomId}`))).toBe('room-not-found');
  });

  it('drops a peer from all its rooms when its PeerServer socket closes', async () => {
    const { server, logs } = await start();
    const roomA = await createRoom(server);
    const roomB = await createRoom(server);
    const alice = await connect(server, 'alice');
    await connect(server, 'bob');
    for (const roomId of [roomA, roomB]) await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'alice' });
    await request(server, 'POST', `/rooms/${roomA}/peers`, { peerId: 'bob' });
    expect(server.metrics()).toMatchObject({ connectedClients: 2, peers: 2 });

    await closeSocket(alice);
    await vi.waitFor(() => expect(server.metrics().connectedClients).toBe(1));
    expect((await request(server, 'GET', `/rooms/${roomA}`)).body).toMatchObject({ peers: ['bob'] });
    expect((await request(server, 'GET', `/rooms/${roomB}`)).body).toMatchObject({ peers: [] });
    expect(server.metrics()).toMatchObject({ peers: 1, disconnects: 1, leaves: 2 });
    expect(logs.entries).toContainEqual(expect.objectContaining({ msg: 'peer disconnected', fields: expect.objectContaining({ peerId: 'alice' }) }));
    // And the closed peer may not join again until it reconnects.
    expect(errorCode(await request(server, 'POST', `/rooms/${roomA}/peers`, { peerId: 'alice' }))).toBe('peer-not-connected');
  });
});

describe('bad input', () => {
  it('invalid-room-id for malformed and oversized room ids, on every room route', async () => {
    const { server } = await start();
    await connect(server, 'alice');
    for (const roomId of ['a.b', 'a%20b', 'x'.repeat(65), '%C3%A4']) {
      for (const [method, path, body] of [
        ['GET', `/rooms/${roomId}`, undefined],
        ['POST', `/rooms/${roomId}/peers`, { peerId: 'alice' }],
        ['DELETE', `/rooms/${roomId}/peers/alice`, undefined],
      ] as const) {
        const answer = await request(server, method, path, body);
        expect({ status: answer.status, code: errorCode(answer) }, `${method} ${path}`).toEqual({ status: 400, code: 'invalid-room-id' });
      }
    }
  });

  it('invalid-peer-id for malformed and oversized peer ids, in body and path', async () => {
    const { server } = await start();
    const roomId = await createRoom(server);
    for (const peerId of ['a..b', '-x', 'x'.repeat(65), 'é']) {
      const joined = await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId });
      expect({ status: joined.status, code: errorCode(joined) }, peerId).toEqual({ status: 400, code: 'invalid-peer-id' });
      const left = await request(server, 'DELETE', `/rooms/${roomId}/peers/${encodeURIComponent(peerId)}`);
      expect({ status: left.status, code: errorCode(left) }, peerId).toEqual({ status: 400, code: 'invalid-peer-id' });
    }
  });

  it('invalid-body for malformed JSON and wrong types', async () => {
    const { server } = await start({ maxPeersPerRoom: 8 });
    const roomId = await createRoom(server);
    const cases: Array<[string, string]> = [
      ['/rooms', '{"maxPeers": '],
      ['/rooms', '[1,2]'],
      ['/rooms', '"text"'],
      ['/rooms', '{"maxPeers": 9}'],
      ['/rooms', '{"maxPeers": "4"}'],
      [`/rooms/${roomId}/peers`, 'not json'],
      [`/rooms/${roomId}/peers`, '{}'],
      [`/rooms/${roomId}/peers`, '{"peerId": 5}'],
    ];
    for (const [path, raw] of cases) {
      const answer = await request(server, 'POST', path, undefined, { raw });
      expect({ status: answer.status, code: errorCode(answer) }, `${path} ${raw}`).toEqual({ status: 400, code: 'invalid-body' });
    }
    // A join without any body at all is also invalid-body.
    expect(errorCode(await request(server, 'POST', `/rooms/${roomId}/peers`))).toBe('invalid-body');
  });

  it('body-too-large (413) over maxBodyBytes, whatever the content type', async () => {
    const { server } = await start({ maxBodyBytes: 256 });
    const raw = JSON.stringify({ maxPeers: 2, padding: 'x'.repeat(300) });
    for (const contentType of ['application/json', 'text/plain']) {
      const answer = await request(server, 'POST', '/rooms', undefined, { raw, headers: { 'Content-Type': contentType } });
      expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status: 413, code: 'body-too-large' });
    }
    // Just under the limit is fine.
    const small = await request(server, 'POST', '/rooms', undefined, { raw: JSON.stringify({ maxPeers: 2, padding: 'x'.repeat(200) }) });
    expect(small.status).toBe(201);
  });

  it('room-not-found for an unknown room', async () => {
    const { server } = await start();
    await connect(server, 'alice');
    for (const [method, path, body] of [
      ['GET', '/rooms/unknownRoom', undefined],
      ['POST', '/rooms/unknownRoom/peers', { peerId: 'alice' }],
      ['DELETE', '/rooms/unknownRoom/peers/alice', undefined],
    ] as const) {
      const answer = await request(server, method, path, body);
      expect({ status: answer.status, code: errorCode(answer) }, `${method} ${path}`).toEqual({ status: 404, code: 'room-not-found' });
    }
  });

  it('room-full (409) once maxPeers have joined; members may still re-join', async () => {
    const { server } = await start();
    const roomId = await createRoom(server, { maxPeers: 2 });
    for (const id of ['a', 'b', 'c']) await connect(server, id);
    await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'a' });
    await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'b' });
    const full = await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'c' });
    expect({ status: full.status, code: errorCode(full) }).toEqual({ status: 409, code: 'room-full' });
    expect((await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'a' })).status).toBe(200);
  });

  it('peer-not-connected (409) for a peer id without an open PeerServer socket', async () => {
    const { server } = await start();
    const roomId = await createRoom(server);
    const answer = await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'ghost' });
    expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status: 409, code: 'peer-not-connected' });
  });

  it('rate-limited (429) with Retry-After on a flood, and served again after the window', async () => {
    const { server, clock } = await start({ rateLimit: { windowMs: 10_000, max: 5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await request(server, 'GET', '/rooms/someRoom')).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429, 429]);
    const limited = await request(server, 'POST', '/rooms');
    expect(errorCode(limited)).toBe('rate-limited');
    expect(limited.headers.get('retry-after')).toBe('10');
    clock.advance(4_000);
    expect((await request(server, 'GET', '/metrics')).headers.get('retry-after')).toBe('6');
    // Health checks are never limited.
    expect((await request(server, 'GET', '/healthz')).status).toBe(200);
    clock.advance(6_000);
    expect((await request(server, 'POST', '/rooms')).status).toBe(201);
    expect(server.metrics().rateLimited).toBe(5);
  });

  it('not-found (404) for unknown routes, including under the PeerServer path', async () => {
    const { server } = await start();
    for (const path of ['/', '/nope', '/rooms/a/b/c/d', '/peerjs/nothing/here/at/all']) {
      const answer = await request(server, 'GET', path);
      expect({ status: answer.status, code: errorCode(answer) }, path).toEqual({ status: 404, code: 'not-found' });
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('method-not-allowed (405) with an Allow header on known routes', async () => {
    const { server } = await start();
    for (const [method, path, allow] of [
      ['GET', '/rooms', 'POST, OPTIONS'],
      ['PUT', '/rooms/abc', 'GET, OPTIONS'],
      ['GET', '/rooms/abc/peers', 'POST, OPTIONS'],
      ['POST', '/rooms/abc/peers/alice', 'DELETE, OPTIONS'],
      ['POST', '/healthz', 'GET, OPTIONS'],
      ['DELETE', '/metrics', 'GET, OPTIONS'],
    ] as const) {
      const answer = await request(server, method, path);
      expect({ status: answer.status, code: errorCode(answer), allow: answer.headers.get('allow') }, `${method} ${path}`).toEqual({
        status: 405,
        code: 'method-not-allowed',
        allow,
      });
    }
  });

  it('invalid-request (400) for a path that is not valid percent-encoding', async () => {
    const { server } = await start();
    const answer = await request(server, 'GET', '/rooms/%E0%A4%A');
    expect({ status: answer.status, code: errorCode(answer) }).toEqual({ status: 400, code: 'invalid-request' });
  });

  it('internal (500) is answered as JSON and logged, and the server keeps serving', async () => {
    let calls = 0;
    const { server, logs } = await start({
      generateRoomId: () => {
        calls++;
        if (calls === 1) throw new Error('entropy ran out');
        return `room${calls}`;
      },
    });
    const failed = await request(server, 'POST', '/rooms');
    expect({ status: failed.status, code: errorCode(failed) }).toEqual({ status: 500, code: 'internal' });
    expect(logs.entries).toContainEqual(expect.objectContaining({ level: 'error', msg: 'internal error' }));
    expect((await request(server, 'POST', '/rooms')).body).toMatchObject({ roomId: 'room2' });
  });
});

describe('CORS', () => {
  it('allows any origin and answers preflights, even when rate limited', async () => {
    const { server } = await start({ rateLimit: { windowMs: 10_000, max: 1 } });
    await request(server, 'GET', '/metrics');
    const preflight = await fetch(`${server.url}/rooms`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://demo.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const limited = await request(server, 'POST', '/rooms', undefined, { headers: { Origin: 'http://demo.example' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('/healthz and /metrics', () => {
  it('reports uptime on the injected clock', async () => {
    const { server, clock } = await start();
    clock.advance(1_234);
    expect(await request(server, 'GET', '/healthz')).toMatchObject({ status: 200, body: { ok: true, uptimeMs: 1_234 } });
  });

  it('serves the counters as JSON, matching metrics()', async () => {
    const { server } = await start();
    await connect(server, 'alice');
    const roomId = await createRoom(server);
    await request(server, 'POST', `/rooms/${roomId}/peers`, { peerId: 'alice' });
    await request(server, 'GET', '/nope');
    const answer = await request(server, 'GET', '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      rooms: 1,
      peers: 1,
      connectedClients: 1,
      connections: 1,
      joins: 1,
      leaves: 0,
      errors: 1,
      errorsByCode: { 'not-found': 1 },
      rateLimited: 0,
      roomsCreated: 1,
    });
    // 1 upgrade + 4 HTTP requests so far.
    expect((answer.body as { requests: number }).requests).toBe(5);
    expect(server.metrics()).toMatchObject({ rooms: 1, peers: 1, connectedClients: 1, joins: 1 });
  });
});

describe('server', () => {
  it('reports its url, port and PeerJS path', async () => {
    const { server } = await start({ path: '/signal/' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect(server.peerPath).toBe('/signal');
    expect((await fetch(`${server.url}/signal/peerjs/id`)).status).toBe(200);
  });

  it('rejects bad options with SignalConfigError', async () => {
    const { createSignalServer, SignalConfigError } = await import('./index.js');
    await expect(createSignalServer({ port: 70_000 })).rejects.toBeInstanceOf(SignalConfigError);
    await expect(createSignalServer({ path: 'no-slash' })).rejects.toThrow(/path must start with/);
    await expect(createSignalServer({ maxPeersPerRoom: 0 })).rejects.toMatchObject({ option: 'maxPeersPerRoom' });
  });

  it('rejects with the listen error when the port is taken', async () => {
    const { server } = await start();
    await expect(startTestServer({ port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('close() terminates PeerServer sockets, is idempotent, and refuses later requests', async () => {
    const { server } = await start();
    const { ws } = await openPeerSocket(server, 'alice');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await Promise.all([server.close(), server.close()]);
    expect(typeof (await closed)).toBe('number');
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
