import { describe, expect, it } from 'vitest';
import { FLEET_SIZE } from '../game/constants.js';
import { parseBotArgs } from './args.js';

describe('bot runner arguments', () => {
  it('parses options with defaults, after a pnpm separator', () => {
    expect(parseBotArgs(['--', '--room', 'r1', '--count=3', '--signal', 'http://s:1'])).toEqual({
      room: 'r1',
      count: 3,
      signalUrl: 'http://s:1',
      fleet: FLEET_SIZE,
      seconds: 0,
      seed: 1,
    });
  });

  it('refuses what it does not understand, with the usage', () => {
    expect(() => parseBotArgs(['--count', '2'])).toThrow(/--room is required/);
    expect(() => parseBotArgs(['--room', 'r', '--count', '0'])).toThrow(/--count must be/);
    expect(() => parseBotArgs(['--room', 'r', '--colour', 'red'])).toThrow(/unknown option --colour/);
    expect(() => parseBotArgs(['--room'])).toThrow(/needs a value/);
    expect(() => parseBotArgs(['room'])).toThrow(/usage/);
  });
});
