import { SignalClient } from '@anarchy/sdk';
import { createSignalServer, silentLogger } from '@anarchy/signal';

// The service in-process (tests, or your own server). Port 0 picks a free port.
const signal = await createSignalServer({ port: 0, host: '127.0.0.1', maxPeersPerRoom: 16, logger: silentLogger });
try {
  const client = new SignalClient({ url: signal.url });
  const { roomId, maxPeers } = await client.createRoom({ maxPeers: 8 });
  console.log(roomId.length, maxPeers); // → 21 8
  console.log((await client.getRoom(roomId)).peers); // → []
  const health = (await (await fetch(`${signal.url}/healthz`)).json()) as { ok: boolean };
  console.log(health.ok, signal.metrics().rooms); // → true 1
} finally {
  await signal.close();
}
