/**
 * One SDK `PeerJsTransport` per page, in the room named by `?room=`, driven by specs through
 * `window.e2e`.
 */
import { PeerJsTransport } from '../../packages/sdk/src/transport/peerjs/index.js';
import { asPeerId } from '../../packages/sdk/src/transport/types.js';
import type { LeftRecord, PeerPageApi, ReceivedMessage } from './api.js';
import { describeError, reportStartupError, requiredParam } from './params.js';

async function main(): Promise<void> {
  const signalUrl = requiredParam('signal');
  const room = requiredParam('room');
  const transport = await PeerJsTransport.join({ signalUrl, room, iceServers: [] });

  const received: ReceivedMessage[] = [];
  const left: LeftRecord[] = [];
  const errors: string[] = [];
  const joinedAt: Record<string, number> = {};
  // Peers connected while `join` was still resolving are already in `peers()`.
  for (const peer of transport.peers()) joinedAt[peer] = Date.now();
  transport.on('peer-joined', ({ peer }) => {
    joinedAt[peer] ??= Date.now();
  });
  transport.on('peer-left', ({ peer, reason }) => left.push({ peer, reason, at: Date.now() }));
  transport.on('message', ({ peer, channel, data }) => received.push({ from: peer, channel, bytes: Array.from(data), at: Date.now() }));
  transport.on('error', (err) => errors.push(describeError(err)));

  const api: PeerPageApi = {
    id: transport.localId,
    peers: () => [...transport.peers()],
    joinedAt,
    received,
    left,
    errors,
    send: (peer, channel, bytes) => transport.send(asPeerId(peer), channel, Uint8Array.from(bytes)),
    channelInfo(peer, channel) {
      const info = transport.channelInfo(asPeerId(peer), channel);
      return info && { ordered: info.ordered, maxRetransmits: info.maxRetransmits, readyState: info.readyState, label: info.label };
    },
    close: () => transport.close(),
  };
  window.e2e = api;
}

main().catch(reportStartupError);
