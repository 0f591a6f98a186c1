/**
 * Loads PeerJS lazily. PeerJS probes WebRTC support once, when its module is evaluated; loading it
 * on first `join()` instead of at import time lets Node programs install a WebRTC implementation
 * (`installNodeWebRtc()`) after importing the SDK. It also keeps PeerJS out of bundles that only
 * use the simulated transport.
 */
import type * as PeerJsNamespace from 'peerjs';
import { ErrorCode, TransportError } from '../../errors.js';

/** The parts of the `peerjs` module the transport uses. */
export type PeerJsModule = Pick<typeof PeerJsNamespace, 'Peer' | 'PeerErrorType' | 'BaseConnectionErrorType' | 'DataConnectionErrorType'>;

function isModule(value: unknown): value is PeerJsModule {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return typeof m['Peer'] === 'function' && typeof m['PeerErrorType'] === 'object' && m['PeerErrorType'] !== null;
}

let cached: Promise<PeerJsModule> | undefined;

/**
 * Resolves to the PeerJS module. Bundlers load its ESM build (named exports); Node loads its
 * CommonJS build, whose exports only appear on `default`.
 */
export function loadPeerJs(): Promise<PeerJsModule> {
  cached ??= import('peerjs').then((mod: unknown) => {
    const candidates = [mod, typeof mod === 'object' && mod !== null ? (mod as { default?: unknown }).default : undefined];
    const found = candidates.find(isModule);
    if (!found) {
      throw new TransportError(ErrorCode.Internal, 'The "peerjs" module does not export Peer; install peerjs 1.5 (a dependency of @anarchy/sdk).');
    }
    return found;
  });
  // A failed load (e.g. peerjs missing) is retried on the next join instead of being cached.
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
