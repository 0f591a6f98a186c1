import { AnarchyError, ErrorCode } from '@anarchy/sdk';
import { describe, expect, it } from 'vitest';
import { describeError } from './screens.js';

describe('describeError', () => {
  it('picks a screen per error code, with advice', () => {
    const screen = (code: string): string => describeError(new AnarchyError(code as ErrorCode, 'x'), 'http://s:1').kind;
    expect(screen(ErrorCode.SignalUnreachable)).toBe('signal-unreachable');
    expect(screen(ErrorCode.RoomFull)).toBe('room-full');
    expect(screen(ErrorCode.RoomNotFound)).toBe('room-not-found');
    expect(screen(ErrorCode.IncompatibleVersion)).toBe('incompatible-version');
    expect(screen(ErrorCode.SignalDisconnected)).toBe('connection-lost');
    expect(describeError(new Error('boom'), 'u')).toMatchObject({ kind: 'unknown', body: 'boom' });
    expect(describeError(new AnarchyError(ErrorCode.SignalUnreachable, 'x'), 'http://s:1').body).toContain('http://s:1');
  });
});
