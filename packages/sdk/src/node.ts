/**
 * `@anarchy/sdk/node`: what a Node program needs before it can join a room over real WebRTC.
 *
 * ```ts
 * import { installNodeWebRtc } from '@anarchy/sdk/node';
 * import { PeerJsTransport } from '@anarchy/sdk';
 * installNodeWebRtc();
 * const transport = await PeerJsTransport.join({ signalUrl, room });
 * ```
 *
 * @packageDocumentation
 */
import { ErrorCode, TransportError } from './errors.js';

/** The globals PeerJS needs and browsers have. */
export type WebRtcGlobal = 'RTCPeerConnection' | 'RTCSessionDescription' | 'RTCIceCandidate' | 'WebSocket' | 'location';

/** Implementations to install instead of loading `@roamhq/wrtc` and `ws` (e.g. for a bundled app). */
export interface NodeWebRtcModules {
  /** An object with `RTCPeerConnection`, `RTCSessionDescription` and `RTCIceCandidate` (the `@roamhq/wrtc` module). */
  readonly wrtc?: unknown;
  /** A WebSocket class (the `ws` module's default export). */
  readonly WebSocket?: unknown;
}

function pickConstructor(source: unknown, name: string): unknown {
  if (typeof source !== 'object' && typeof source !== 'function') return undefined;
  if (source === null) return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'function' ? value : undefined;
}

type RequireFn = (id: string) => unknown;

/**
 * A CommonJS `require` for this module, reached through `process.getBuiltinModule` (Node 20.16+)
 * so the SDK's build needs no Node type definitions and the function can stay synchronous.
 */
function nodeRequire(): RequireFn {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:module') as { createRequire?: (from: string) => RequireFn } | undefined;
  if (typeof mod?.createRequire !== 'function') {
    throw new TransportError(ErrorCode.WebRtcUnsupported, 'installNodeWebRtc() needs Node 20.16 or later; in other runtimes pass the modules explicitly: installNodeWebRtc({ wrtc, WebSocket }).');
  }
  return mod.createRequire(import.meta.url);
}

function load(require: RequireFn, name: string, why: string): unknown {
  try {
    return require(name);
  } catch (cause) {
    throw new TransportError(ErrorCode.WebRtcUnsupported, `Could not load "${name}" (${why}); install it next to @anarchy/sdk: npm install ${name}`, { module: name }, { cause });
  }
}

type WebSocketClass = new (...args: never[]) => { addEventListener?(type: string, listener: () => void): void };

/**
 * `ws` sockets are Node event emitters: an `error` event nobody listens to (PeerJS only sets
 * `onclose`) is thrown as an uncaught exception, e.g. when the signal service refuses the
 * connection. Browsers just fire the event. This subclass listens, so `ws` behaves like a browser
 * socket and PeerJS learns of the failure from the `close` that follows.
 */
function browserLikeWebSocket(Base: WebSocketClass): WebSocketClass {
  return class extends Base {
    constructor(...args: never[]) {
      super(...args);
      this.addEventListener?.('error', () => undefined);
    }
  };
}

/**
 * Makes WebRTC available to PeerJS in Node by setting, on `globalThis`, whatever is missing of:
 * `RTCPeerConnection`, `RTCSessionDescription`, `RTCIceCandidate` (from `@roamhq/wrtc`),
 * `WebSocket` (from `ws`; Node 22+ has its own) and a minimal `location` (PeerJS reads
 * `location.protocol`). Globals that already exist are left alone, so calling it twice, or in a
 * browser-like test environment, is harmless.
 *
 * Call it before the first `PeerJsTransport.join()`. `@roamhq/wrtc` and `ws` are optional peer
 * dependencies of `@anarchy/sdk`; install them in Node projects.
 *
 * @returns the names of the globals this call installed (empty when nothing was missing).
 * @throws TransportError `webrtc-unsupported` when a needed module is not installed.
 *
 * @example
 * ```ts
 * installNodeWebRtc(); // loads @roamhq/wrtc and ws; once, before the first join
 * const room = await joinRoom({ signalUrl: 'http://127.0.0.1:8787', room: roomId });
 * // In a bundle where require() cannot find them, pass them in:
 * // installNodeWebRtc({ wrtc: await import('@roamhq/wrtc'), WebSocket: (await import('ws')).WebSocket });
 * ```
 */
export function installNodeWebRtc(modules: NodeWebRtcModules = {}): WebRtcGlobal[] {
  const g = globalThis as Record<string, unknown>;
  const installed: WebRtcGlobal[] = [];
  let required: RequireFn | undefined;
  const require: RequireFn = (id) => (required ??= nodeRequire())(id);

  const rtcNames = ['RTCPeerConnection', 'RTCSessionDescription', 'RTCIceCandidate'] as const;
  if (rtcNames.some((n) => typeof g[n] !== 'function')) {
    const wrtc = modules.wrtc ?? load(require, '@roamhq/wrtc', 'the WebRTC implementation for Node');
    for (const name of rtcNames) {
      if (typeof g[name] === 'function') continue;
      const ctor = pickConstructor(wrtc, name);
      if (!ctor) throw new TransportError(ErrorCode.WebRtcUnsupported, `The WebRTC module has no ${name}; pass @roamhq/wrtc.`, { missing: name });
      g[name] = ctor;
      installed.push(name);
    }
  }

  if (typeof g['WebSocket'] !== 'function') {
    const ws = modules.WebSocket ?? load(require, 'ws', 'the WebSocket client PeerJS talks to the signal service with');
    const ctor = typeof ws === 'function' ? ws : pickConstructor(ws, 'WebSocket') ?? pickConstructor(ws, 'default');
    if (!ctor) throw new TransportError(ErrorCode.WebRtcUnsupported, 'The ws module has no WebSocket class; pass one in modules.WebSocket.', { missing: 'WebSocket' });
    g['WebSocket'] = browserLikeWebSocket(ctor as WebSocketClass);
    installed.push('WebSocket');
  }

  if (g['location'] === undefined) {
    // PeerJS only reads `protocol` (to pick ws/wss when `secure` is unset) and `hostname` (for host '/').
    g['location'] = { protocol: 'http:', hostname: 'localhost', host: 'localhost', href: 'http://localhost/', origin: 'http://localhost' };
    installed.push('location');
  }
  return installed;
}
