import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { installNodeWebRtc } from './node.js';

describe('installNodeWebRtc', () => {
  it('installs what PeerJS needs, once', () => {
    installNodeWebRtc();
    const g = globalThis as Record<string, unknown>;
    for (const name of ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate', 'WebSocket']) expect(typeof g[name], name).toBe('function');
    expect((g['location'] as { protocol?: unknown }).protocol).toBe('http:');
    expect(installNodeWebRtc()).toEqual([]);
  });

  it('gives a WebSocket that reports a refused connection like a browser, by close, not by throwing', async () => {
    installNodeWebRtc();
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const Ws = (globalThis as unknown as { WebSocket: new (url: string) => { onclose: (() => void) | null } }).WebSocket;
    const closed = await new Promise<boolean>((resolve) => {
      const socket = new Ws(`ws://127.0.0.1:${port}/`);
      socket.onclose = () => resolve(true);
    });
    expect(closed).toBe(true);
  });
});
