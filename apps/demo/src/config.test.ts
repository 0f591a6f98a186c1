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

  it('reaches the signal service on the host the page came from (a friend on the network), at the build-time port', () => {
    const lan = { protocol: 'http:', hostname: '192.168.1.20' };
    expect(readConfig('?room=r', undefined, lan, '9000').signalUrl).toBe('http://192.168.1.20:9000');
    expect(readConfig('?room=r', undefined, lan, 'nonsense').signalUrl).toBe('http://192.168.1.20:8787');
    expect(readConfig('', undefined, { protocol: 'http:', hostname: '[fd00::2]' }, '8787').signalUrl).toBe('http://[fd00::2]:8787');
    expect(readConfig('', undefined, { protocol: 'http:', hostname: 'fd00::2' }).signalUrl).toBe('http://[fd00::2]:8787');
    // A URL named by the query or the build wins over the port.
    expect(readConfig('', 'http://env:2', lan, '9000').signalUrl).toBe('http://env:2');
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
