import { describe, expect, it } from 'vitest';
import { FLEET_SIZE, MAX_FLEET } from './game/constants.js';
import { MAX_PAGE_BOTS, readConfig, roomLink } from './config.js';

const loc = { protocol: 'http:', hostname: '127.0.0.1' };

describe('config', () => {
  it('takes the signal URL from the query, then the build, then this host', () => {
    expect(readConfig('?signal=http://s:1', 'http://env:2', loc).signalUrl).toBe('http://s:1');
    expect(readConfig('', 'http://env:2', loc)).toMatchObject({ signalUrl: 'http://env:2', signalFromQuery: false });
    expect(readConfig('', undefined, loc).signalUrl).toBe('http://127.0.0.1:8787');
  });

  it('reads room, bots and fleet with bounds', () => {
    expect(readConfig('?room=abc&bots=3&fleet=50', undefined, loc)).toMatchObject({ room: 'abc', bots: 3, fleet: 50 });
    expect(readConfig('?bots=999&fleet=0', undefined, loc)).toMatchObject({ room: undefined, bots: MAX_PAGE_BOTS, fleet: 1 });
    expect(readConfig('?fleet=x&room=', undefined, loc)).toMatchObject({ fleet: FLEET_SIZE, room: undefined });
    expect(readConfig(`?fleet=${MAX_FLEET * 2}`, undefined, loc).fleet).toBe(MAX_FLEET);
  });

  it('builds room links that keep a query-given signal URL', () => {
    const c = readConfig('?signal=http://s:1&bots=2', undefined, loc);
    expect(roomLink('http://h:5173/?bots=2', c, 'r1')).toBe('http://h:5173/?room=r1&signal=http%3A%2F%2Fs%3A1');
    expect(roomLink('http://h:5173/', readConfig('', 'http://e', loc), 'r2')).toBe('http://h:5173/?room=r2');
  });
});
