import { describe, expect, it } from 'vitest';
import { ErrorCode, TransportError } from '../../errors.js';
import { asPeerId } from '../types.js';
import { fromPeerJsError, PEERJS_ERRORS, peerJsErrorMapping, UNKNOWN_PEERJS_ERROR } from './errors.js';
import { loadPeerJs } from './peerjs-module.js';

/** A PeerJS-shaped error: PeerJS's `PeerError` is an `Error` with a string `type`. */
function peerError(type: string, message: string): Error & { type: string } {
  return Object.assign(new Error(message), { type });
}

describe('PeerJS error table', () => {
  it('covers every member of the installed PeerJS error enums, and nothing else', async () => {
    const peerjs = await loadPeerJs();
    const enumValues = [peerjs.PeerErrorType, peerjs.BaseConnectionErrorType, peerjs.DataConnectionErrorType].flatMap((e) =>
      Object.values(e as Record<string, string>),
    );
    expect(enumValues.length).toBeGreaterThan(10);
    const missing = enumValues.filter((type) => !Object.hasOwn(PEERJS_ERRORS, type));
    expect(missing, 'PeerJS error types without a mapping: add them to PEERJS_ERRORS').toEqual([]);
    const stale = Object.keys(PEERJS_ERRORS).filter((type) => !enumValues.includes(type));
    expect(stale, 'mapped types PeerJS no longer has').toEqual([]);
  });

  it('maps each type to an SDK error code with a hint', () => {
    const codes = new Set<string>(Object.values(ErrorCode));
    for (const [type, mapping] of Object.entries(PEERJS_ERRORS)) {
      expect(codes.has(mapping.code), type).toBe(true);
      expect(mapping.hint.length, type).toBeGreaterThan(10);
    }
  });

  it('treats connection-level failures as fatal before join and signal loss after', () => {
    expect(PEERJS_ERRORS['browser-incompatible']).toMatchObject({ code: ErrorCode.WebRtcUnsupported, severity: 'fatal' });
    expect(PEERJS_ERRORS['ssl-unavailable'].severity).toBe('fatal');
    expect(PEERJS_ERRORS['server-error']).toMatchObject({ code: ErrorCode.SignalServerError, severity: 'fatal' });
    expect(PEERJS_ERRORS['socket-closed']).toMatchObject({ code: ErrorCode.SignalDisconnected, severity: 'fatal-before-join' });
    expect(PEERJS_ERRORS['unavailable-id']).toMatchObject({ code: ErrorCode.PeerIdUnavailable, severity: 'fatal-before-join' });
    expect(PEERJS_ERRORS['peer-unavailable']).toMatchObject({ code: ErrorCode.PeerConnectionFailed, severity: 'peer' });
    expect(PEERJS_ERRORS['negotiation-failed'].severity).toBe('peer');
  });

  it('converts a PeerJS error to a TransportError that keeps the cause and names the peer', () => {
    const cause = peerError('negotiation-failed', 'Negotiation of connection to bob failed.');
    const { error, severity } = fromPeerJsError(cause, asPeerId('bob'));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe(ErrorCode.PeerConnectionFailed);
    expect(error.details).toMatchObject({ peerjsType: 'negotiation-failed', peer: 'bob' });
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('Negotiation of connection to bob failed');
    expect(error.message).toContain('TURN');
    expect(severity).toBe('peer');
  });

  it('reports unknown types and non-PeerJS values as internal, non-fatal', () => {
    expect(peerJsErrorMapping('brand-new-type')).toBe(UNKNOWN_PEERJS_ERROR);
    expect(peerJsErrorMapping('toString')).toBe(UNKNOWN_PEERJS_ERROR);
    const fromString = fromPeerJsError('boom');
    expect(fromString.error.code).toBe(ErrorCode.Internal);
    expect(fromString.severity).toBe('signal');
    expect(fromString.error.details['peerjsType']).toBe('unknown');
  });
});
