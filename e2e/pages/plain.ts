/**
 * A bare PeerJS client, no SDK: proves the signal service stays wire-compatible with plain PeerJS.
 */
import { Peer, type DataConnection } from 'peerjs';
import type { PlainPageApi } from './api.js';
import { describeError, reportStartupError, requiredParam } from './params.js';

async function main(): Promise<void> {
  const signal = new URL(requiredParam('signal'));
  const secure = signal.protocol === 'https:';
  const peer = new Peer({
    host: signal.hostname,
    port: Number(signal.port || (secure ? 443 : 80)),
    path: '/peerjs',
    key: 'peerjs',
    secure,
    // Loopback only: host candidates are enough, and a STUN lookup would only stall.
    config: { iceServers: [] },
  });
  const received: Array<{ from: string; text: string }> = [];
  const errors: string[] = [];
  const connections: DataConnection[] = [];

  const adopt = (conn: DataConnection): void => {
    connections.push(conn);
    conn.on('data', (data) => received.push({ from: conn.peer, text: String(data) }));
    conn.on('error', (err) => errors.push(describeError(err)));
  };
  peer.on('connection', adopt);
  peer.on('error', (err) => errors.push(describeError(err)));

  const id = await new Promise<string>((resolve, reject) => {
    peer.once('open', resolve);
    peer.once('error', reject);
  });

  const api: PlainPageApi = {
    id,
    received,
    errors,
    connect: (other) =>
      new Promise<void>((resolve, reject) => {
        const conn = peer.connect(other);
        adopt(conn);
        conn.once('open', () => resolve());
        conn.once('error', reject);
      }),
    send(text) {
      for (const conn of connections) if (conn.open) void conn.send(text);
    },
  };
  window.plain = api;
}

main().catch(reportStartupError);
