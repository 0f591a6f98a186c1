import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { PEER_MESSAGE_MAX_BYTES } from './peer-server.js';
import type { SignalServer } from './server.js';
import { closeSocket, openPeerSocket, request, startTestServer } from './test-support.js';

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

async function open(server: SignalServer, id: string, options: { token?: string; key?: string } = {}) {
  const opened = await openPeerSocket(server, id, options);
  sockets.push(opened.ws);
  return opened;
}

function nextMessage(ws: WebSocket): Promise<unknown> {
  return new Promise((resolve) => ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
}

function closeCode(ws: WebSocket): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

/** Attempts an upgrade and returns the HTTP status and JSON body it was refused with. */
function refusedUpgrade(url: string): Promise<{ status: number; body: unknown; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => reject(new Error('upgrade unexpectedly accepted')));
    ws.once('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined });
      });
    });
  });
}

describe('PeerServer endpoint', () => {
  it('refuses clients over maxConnections with a PeerServer error', async () => {
    const { server } = await start({ maxConnections: 1 });
    const { first } = await open(server, 'alice');
    expect(first).toEqual({ type: 'OPEN' });
    const { first: refused } = await open(server, 'bob');
    expect(refused).toMatchObject({ type: 'ERROR', payload: { msg: expect.stringMatching(/limit/i) } });
    expect(server.metrics()).toMatchObject({ connectedClients: 1 });
  });

  it('accepts a PeerJS-style socket at <path>/peerjs and counts it connected', async () => {
    const { server } = await start();
    const { first } = await open(server, 'alice');
    expect(first).toEqual({ type: 'OPEN' });
    expect(server.metrics()).toMatchObject({ connectedClients: 1, connections: 1 });
  });

  it('works mounted at the root path, next to the REST API', async () => {
    const { server } = await start({ path: '/' });
    expect(server.peerPath).toBe('/');
    expect((await open(server, 'alice')).first).toEqual({ type: 'OPEN' });
    expect((await fetch(`${server.url}/peerjs/id`)).status).toBe(200);
    expect((await request(server, 'POST', '/rooms')).status).toBe(201);
    expect((await request(server, 'GET', '/nope/nope/nope')).status).toBe(404);
  });

  it('relays signalling messages between two sockets unchanged (src filled in by the server)', async () => {
    const { server } = await start();
    const { ws: alice } = await open(server, 'alice');
    const { ws: bob } = await open(server, 'bob');
    const received = nextMessage(bob);
    alice.send(JSON.stringify({ type: 'OFFER', dst: 'bob', payload: { sdp: 'v=0', connectionId: 'dc_1' } }));
    expect(await received).toEqual({ type: 'OFFER', src: 'alice', dst: 'bob', payload: { sdp: 'v=0', connectionId: 'dc_1' } });
  });

  it('refuses a malformed or oversized peer id with a PeerServer ERROR message', async () => {
    const { server } = await start();
    for (const id of ['bad..id', 'x'.repeat(65)]) {
      const { ws, first } = await open(server, id);
      expect(first).toMatchObject({ type: 'ERROR', payload: { msg: expect.stringContaining('Invalid peer id') } });
      await closeCode(ws);
    }
    expect(server.metrics()).toMatchObject({ connectedClients: 0, connections: 0, errorsByCode: { 'invalid-peer-id': 2 } });
  });

  it('keeps PeerServer behaviour for a wrong key and a taken id', async () => {
    const { server } = await start({ key: 'secret' });
    const wrongKey = await open(server, 'alice', { key: 'peerjs' });
    expect(wrongKey.first).toEqual({ type: 'ERROR', payload: { msg: 'Invalid key provided' } });
    await open(server, 'alice', { key: 'secret', token: 't1' });
    const taken = await open(server, 'alice', { key: 'secret', token: 't2' });
    expect(taken.first).toEqual({ type: 'ID-TAKEN', payload: { msg: 'ID is taken' } });
  });

  it('answers upgrades on other paths with a JSON 404', async () => {
    const { server } = await start();
    const refused = await refusedUpgrade(`${server.url.replace('http', 'ws')}/elsewhere?key=peerjs&id=a&token=t`);
    expect(refused).toMatchObject({ status: 404, body: { error: { code: 'not-found' } } });
  });

  it('rate limits upgrades with a JSON 429 and Retry-After', async () => {
    const { server } = await start({ rateLimit: { windowMs: 2_000, max: 2 } });
    await open(server, 'a');
    await open(server, 'b');
    const refused = await refusedUpgrade(`${server.url.replace('http', 'ws')}/peerjs/peerjs?key=peerjs&id=c&token=t`);
    expect(refused).toEqual({ status: 429, body: { error: { code: 'rate-limited', message: expect.any(String) } }, retryAfter: '2' });
    expect(server.metrics().rateLimited).toBe(1);
  });

  it('survives garbage messages and closes a socket that sends an oversized one', async () => {
    const { server } = await start();
    const { ws } = await open(server, 'alice');
    for (const junk of ['not json', 'null', '42', '"str"', '[]', '{"type":"OFFER"}', '{"type":"NOPE","dst":"x"}']) ws.send(junk);
    ws.send(JSON.stringify({ type: 'HEARTBEAT' }));
    expect((await request(server, 'GET', '/healthz')).status).toBe(200);
    expect(server.metrics().connectedClients).toBe(1);
    const closed = closeCode(ws);
    ws.send('x'.repeat(PEER_MESSAGE_MAX_BYTES + 1));
    expect(await closed).toBe(1009);
    await vi.waitFor(() => expect(server.metrics().connectedClients).toBe(0));
  });
});
