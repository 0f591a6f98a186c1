import { describe, expect, it } from 'vitest';
import { CLI_DEFAULT_PORT, parseArgs } from './args.js';

const defaults = { port: CLI_DEFAULT_PORT, host: '127.0.0.1', path: '/peerjs', key: 'peerjs', maxPeersPerRoom: 64, logLevel: 'info' };

function errorOf(argv: string[], env: Record<string, string> = {}): string {
  const parsed = parseArgs(argv, env);
  if (parsed.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(parsed)}`);
  return parsed.message;
}

describe('parseArgs', () => {
  it('uses the defaults with no flags and no environment', () => {
    expect(parseArgs([], {})).toEqual({ kind: 'run', config: defaults });
  });

  it('reads every flag, in both "--flag value" and "--flag=value" forms', () => {
    expect(parseArgs(['--port', '0', '--host=0.0.0.0', '--path', '/signal/', '--key=k_1', '--max-peers-per-room', '8', '--log-level=warn'], {})).toEqual({
      kind: 'run',
      config: { port: 0, host: '0.0.0.0', path: '/signal', key: 'k_1', maxPeersPerRoom: 8, logLevel: 'warn' },
    });
  });

  it('reads the environment, with flags winning and PORT as the last fallback', () => {
    const env = {
      ANARCHY_SIGNAL_PORT: '9001',
      PORT: '9002',
      ANARCHY_SIGNAL_HOST: '::1',
      ANARCHY_SIGNAL_PATH: '/p',
      ANARCHY_SIGNAL_KEY: 'envkey',
      ANARCHY_SIGNAL_MAX_PEERS_PER_ROOM: '3',
      ANARCHY_SIGNAL_LOG_LEVEL: 'error',
    };
    expect(parseArgs([], env)).toEqual({ kind: 'run', config: { port: 9001, host: '::1', path: '/p', key: 'envkey', maxPeersPerRoom: 3, logLevel: 'error' } });
    expect(parseArgs(['--port', '9003'], env)).toMatchObject({ config: { port: 9003 } });
    expect(parseArgs([], { PORT: '9002' })).toMatchObject({ config: { port: 9002 } });
    expect(parseArgs([], { ANARCHY_SIGNAL_PORT: '', PORT: '9002' })).toMatchObject({ config: { port: 9002 } });
  });

  it('lets --help win over everything else', () => {
    expect(parseArgs(['--port', '0', '--help'], {})).toEqual({ kind: 'help' });
    expect(parseArgs(['-h'], {})).toEqual({ kind: 'help' });
  });

  it('rejects unknown flags, stray arguments and missing values with a pointer to --help', () => {
    expect(errorOf(['--prot', '1'])).toMatch(/^Unknown option --prot\. .*--help/);
    expect(errorOf(['serve'])).toMatch(/Unexpected argument "serve"/);
    expect(errorOf(['--port'])).toMatch(/--port needs a value/);
    expect(errorOf(['--port', '--host', 'x'])).toMatch(/--port needs a value/);
  });

  it('rejects bad values, naming the flag or variable they came from', () => {
    expect(errorOf(['--port', 'abc'])).toMatch(/--port must be a whole number/);
    expect(errorOf(['--port', '8e3'])).toMatch(/--port must be a whole number/);
    expect(errorOf(['--port=70000'])).toMatch(/--port must be an integer from 0 to 65535/);
    expect(errorOf(['--max-peers-per-room', '0'])).toMatch(/--max-peers-per-room must be an integer from 1/);
    expect(errorOf(['--path', 'nope'])).toMatch(/--path must start with '\/'/);
    expect(errorOf(['--key', 'a b'])).toMatch(/--key must be 1–64 characters/);
    expect(errorOf(['--host', ''])).toMatch(/--host must be a host name/);
    expect(errorOf(['--log-level', 'loud'])).toMatch(/--log-level must be one of debug, info, warn, error/);
    expect(errorOf([], { PORT: '-1' })).toMatch(/PORT must be a whole number/);
    expect(errorOf([], { ANARCHY_SIGNAL_MAX_PEERS_PER_ROOM: 'many' })).toMatch(/ANARCHY_SIGNAL_MAX_PEERS_PER_ROOM must be a whole number/);
  });
});
