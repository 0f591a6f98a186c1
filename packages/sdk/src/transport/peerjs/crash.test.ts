/**
 * A real crash: a peer in a child process is SIGKILLed, so it sends no goodbye and its sockets
 * are never closed by WebRTC. The survivors must notice through keep-alive silence alone.
 * (The conformance suite's T8 freezes an in-process transport instead; this proves the same
 * against an actual dead process.)
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SignalClient } from '../../signal-client.js';
import type { PeerId, TransportEvents } from '../types.js';
import { sleep, useTestSignalServer, waitUntil } from './test-support.node.js';
import { PeerJsTransport } from './transport.js';

const CHILD = fileURLToPath(new URL('./crash-child.node.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const WAIT_BUDGET_MS = 20_000;

const signal = useTestSignalServer();

const waitFor = (condition: () => boolean, what: string): Promise<void> => waitUntil(condition, what, { budgetMs: WAIT_BUDGET_MS });

/** Starts the child peer and resolves with its id once it has joined. */
function startChild(room: string): Promise<{ child: ChildProcess; id: PeerId }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, signal().url, room], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, id: (JSON.parse(line) as { id: PeerId }).id });
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before joining: ${err}`)));
  });
}

describe('PeerJsTransport and a SIGKILLed peer', () => {
  it('reports the killed peer as timed out, once, and the survivors keep talking', async () => {
    const { roomId } = await new SignalClient({ url: signal().url }).createRoom({ maxPeers: 8 });
    const opts = { signalUrl: signal().url, room: roomId, keepAliveMs: 200, peerTimeoutMs: 1_000 };
    const a = await PeerJsTransport.join(opts);
    const b = await PeerJsTransport.join(opts);
    let child: ChildProcess | undefined;
    try {
      const started = await startChild(roomId);
      child = started.child;
      const victim = started.id;
      await waitFor(() => a.peers().includes(victim) && b.peers().includes(victim) && a.peers().includes(b.localId), 'everyone connected');
      const left: Array<TransportEvents['peer-left']> = [];
      a.on('peer-left', (e) => left.push(e));
      b.on('peer-left', (e) => left.push(e));

      child.kill('SIGKILL');
      await waitFor(() => !a.peers().includes(victim) && !b.peers().includes(victim), 'survivors drop the killed peer');
      await sleep(300); // a duplicate peer-left would show up here
      expect(left).toEqual([
        { peer: victim, reason: 'timeout' },
        { peer: victim, reason: 'timeout' },
      ]);
      const got: Uint8Array[] = [];
      b.on('message', (m) => got.push(m.data));
      a.send(b.localId, 'state', Uint8Array.from([1, 2]));
      await waitFor(() => got.length === 1, 'survivors still connected');
    } finally {
      child?.kill('SIGKILL');
      await Promise.all([a.close(), b.close()]);
    }
  });
});
