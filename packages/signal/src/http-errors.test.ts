import { describe, expect, it } from 'vitest';
import { HttpError, SIGNAL_ERROR_STATUS, SignalErrorCode, toHttpError } from './http-errors.js';

describe('SignalErrorCode', () => {
  it('has a status for every code and unique code strings', () => {
    const codes = Object.values(SignalErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Object.keys(SIGNAL_ERROR_STATUS).sort()).toEqual([...codes].sort());
  });
});

describe('toHttpError', () => {
  it('keeps an HttpError as it is', () => {
    const err = new HttpError('room-full', 'full', { X: '1' });
    expect(toHttpError(err)).toBe(err);
    expect(err.status).toBe(409);
    expect(err.toBody()).toEqual({ error: { code: 'room-full', message: 'full' } });
  });

  it("maps body-parser's errors by type", () => {
    expect(toHttpError(Object.assign(new Error(), { type: 'entity.too.large', status: 413 })).code).toBe('body-too-large');
    expect(toHttpError(Object.assign(new SyntaxError(), { type: 'entity.parse.failed', status: 400 })).code).toBe('invalid-body');
    expect(toHttpError(Object.assign(new Error(), { type: 'encoding.unsupported', status: 415 })).code).toBe('invalid-body');
  });

  it('maps a router 400 to invalid-request and anything unknown to internal', () => {
    expect(toHttpError(Object.assign(new URIError('bad'), { status: 400 })).code).toBe('invalid-request');
    expect(toHttpError(new Error('surprise')).code).toBe('internal');
    expect(toHttpError('a string').code).toBe('internal');
    expect(toHttpError(null).status).toBe(500);
  });
});
