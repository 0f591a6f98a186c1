/**
 * Command-line and environment parsing for `anarchy-signal`. Pure: takes argv and env, returns
 * what to do, never exits or prints.
 */
import type { LogLevel } from './logger.js';
import { checkHost, checkKey, checkMaxPeersPerRoom, checkPath, checkPort, SIGNAL_DEFAULTS, SignalConfigError } from './options.js';

/** Port the CLI listens on by default (the demo app expects it there). */
export const CLI_DEFAULT_PORT = 8787;

/** What the CLI passes to `createSignalServer`. */
export interface CliConfig {
  readonly port: number;
  readonly host: string;
  readonly path: string;
  readonly key: string;
  readonly maxPeersPerRoom: number;
  /** Log entries below this level are dropped. */
  readonly logLevel: LogLevel;
}

/** Outcome of {@link parseArgs}. */
export type ParsedArgs =
  | { readonly kind: 'run'; readonly config: CliConfig }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** Environment variables, as in `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

type Setting = keyof CliConfig;

const FLAGS: Readonly<Record<string, Setting>> = {
  '--port': 'port',
  '--host': 'host',
  '--path': 'path',
  '--key': 'key',
  '--max-peers-per-room': 'maxPeersPerRoom',
  '--log-level': 'logLevel',
};

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const ENV_VARS: Readonly<Record<Setting, readonly string[]>> = {
  port: ['ANARCHY_SIGNAL_PORT', 'PORT'],
  host: ['ANARCHY_SIGNAL_HOST'],
  path: ['ANARCHY_SIGNAL_PATH'],
  key: ['ANARCHY_SIGNAL_KEY'],
  maxPeersPerRoom: ['ANARCHY_SIGNAL_MAX_PEERS_PER_ROOM'],
  logLevel: ['ANARCHY_SIGNAL_LOG_LEVEL'],
};

/** The `--help` text. */
export const HELP_TEXT = `anarchy-signal: rendezvous service for Anarchy (PeerJS PeerServer + room discovery)

Usage: anarchy-signal [options]

Options (environment variable in brackets; flags win over the environment):
  --port <n>                 TCP port, 0 for any free one   [ANARCHY_SIGNAL_PORT, then PORT]  (default ${CLI_DEFAULT_PORT})
  --host <addr>              interface to listen on         [ANARCHY_SIGNAL_HOST]  (default ${SIGNAL_DEFAULTS.host})
  --path <path>              PeerServer mount path          [ANARCHY_SIGNAL_PATH]  (default ${SIGNAL_DEFAULTS.path})
  --key <key>                PeerJS key clients must use    [ANARCHY_SIGNAL_KEY]   (default ${SIGNAL_DEFAULTS.key})
  --max-peers-per-room <n>   room size cap                  [ANARCHY_SIGNAL_MAX_PEERS_PER_ROOM]  (default ${SIGNAL_DEFAULTS.maxPeersPerRoom})
  --log-level <level>        debug, info, warn or error     [ANARCHY_SIGNAL_LOG_LEVEL]  (default info)
  -h, --help                 show this help

Flags take their value as "--port 8787" or "--port=8787". Logs are JSON lines on stderr.
PeerJS clients connect with { host, port, path: <path>, key: <key> }; the REST API is at http://<host>:<port>/rooms.
`;

/** Parses `argv` (without node and script) and `env`. */
export function parseArgs(argv: readonly string[], env: Env): ParsedArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  const fromFlags: Partial<Record<Setting, { value: string; source: string }>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    const setting = FLAGS[flag];
    if (!setting) {
      return fail(arg.startsWith('-') ? `Unknown option ${flag}.` : `Unexpected argument ${JSON.stringify(arg)}.`);
    }
    let value: string | undefined;
    if (eq !== -1 && arg.startsWith('--')) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return fail(`Option ${flag} needs a value.`);
      i++;
    }
    fromFlags[setting] = { value, source: flag };
  }

  const raw = (setting: Setting): { value: string; source: string } | undefined => {
    const flag = fromFlags[setting];
    if (flag) return flag;
    for (const name of ENV_VARS[setting]) {
      const value = env[name];
      if (value !== undefined && value !== '') return { value, source: name };
    }
    return undefined;
  };

  try {
    const port = raw('port');
    const host = raw('host');
    const path = raw('path');
    const key = raw('key');
    const maxPeers = raw('maxPeersPerRoom');
    const logLevel = raw('logLevel');
    if (logLevel && !LOG_LEVELS.includes(logLevel.value as LogLevel)) {
      throw new SignalConfigError(logLevel.source, `${logLevel.source} must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(logLevel.value)})`);
    }
    return {
      kind: 'run',
      config: {
        port: port ? checkPort(integer(port.value, port.source), port.source) : CLI_DEFAULT_PORT,
        host: host ? checkHost(host.value, host.source) : SIGNAL_DEFAULTS.host,
        path: path ? checkPath(path.value, path.source) : SIGNAL_DEFAULTS.path,
        key: key ? checkKey(key.value, key.source) : SIGNAL_DEFAULTS.key,
        maxPeersPerRoom: maxPeers ? checkMaxPeersPerRoom(integer(maxPeers.value, maxPeers.source), maxPeers.source) : SIGNAL_DEFAULTS.maxPeersPerRoom,
        logLevel: (logLevel?.value as LogLevel | undefined) ?? 'info',
      },
    };
  } catch (err) {
    if (err instanceof SignalConfigError) return fail(`${err.message}.`);
    throw err;
  }
}

/** Decimal digits only: "8e3", "0x10" and " 80" are mistakes, not numbers. */
function integer(value: string, source: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new SignalConfigError(source, `${source} must be a whole number (got ${JSON.stringify(value)})`);
  return Number(value);
}

function fail(message: string): ParsedArgs {
  return { kind: 'error', message: `${message} Run anarchy-signal --help for usage.` };
}
