/**
 * Test support (excluded from the build): a peer in its own process, for `crash.test.ts` to
 * SIGKILL. Usage: `node --import tsx crash-child.node.ts <signalUrl> <room>`. Prints
 * `{"id": "<peer id>"}` once joined, then idles with keep-alives flowing until it is killed.
 */
import { installNodeWebRtc } from '../../node.js';
import { PeerJsTransport } from './transport.js';

const [signalUrl, room, keepAliveMs, peerTimeoutMs] = process.argv.slice(2);
if (!signalUrl || !room) {
  process.stderr.write('usage: crash-child.node.ts <signalUrl> <room> [keepAliveMs] [peerTimeoutMs]\n');
  process.exit(2);
}
installNodeWebRtc();
const transport = await PeerJsTransport.join({
  signalUrl,
  room,
  keepAliveMs: Number(keepAliveMs ?? 200),
  peerTimeoutMs: Number(peerTimeoutMs ?? 1_000),
});
process.stdout.write(`${JSON.stringify({ id: transport.localId })}\n`);
