import { describe, expect, it } from 'vitest';
import { createJsonLogger, formatEntry } from './logger.js';

describe('createJsonLogger', () => {
  it('writes one JSON object per line with time, level, msg and fields', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line), now: () => Date.UTC(2024, 0, 2, 3, 4, 5) });
    logger.log('info', 'room created', { roomId: 'r1', maxPeers: 4 });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] ?? '')).toEqual({ time: '2024-01-02T03:04:05.000Z', level: 'info', msg: 'room created', roomId: 'r1', maxPeers: 4 });
  });

  it('drops entries below the configured level', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line), level: 'warn' });
    logger.log('debug', 'a');
    logger.log('info', 'b');
    logger.log('warn', 'c');
    logger.log('error', 'd');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['c', 'd']);
  });
});

describe('formatEntry', () => {
  it('expands errors and never lets fields override time, level or msg', () => {
    const entry = JSON.parse(formatEntry('t', 'error', 'boom', { err: new TypeError('bad'), level: 'debug', msg: 'x' })) as Record<string, unknown>;
    expect(entry['level']).toBe('error');
    expect(entry['msg']).toBe('boom');
    expect(entry['err']).toMatchObject({ name: 'TypeError', message: 'bad' });
  });

  it('survives fields that JSON cannot encode', () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(JSON.parse(formatEntry('t', 'info', 'm', { circular }))).toEqual({ time: 't', level: 'info', msg: 'm', logError: 'fields could not be serialised' });
    expect(JSON.parse(formatEntry('t', 'info', 'm', { big: 10n }))).toMatchObject({ big: '10' });
  });
});
